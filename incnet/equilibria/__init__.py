"""Equilibria of network games.

Linear-quadratic games and the key player (Ballester, Calvó-Armengol & Zenou 2006), public goods
and strategic substitutes or complements as linear complementarity problems (Bramoullé & Kranton
2007; Bramoullé, Kranton & D'Amours 2014), threshold games, and an independent check of any
strategy profile.
"""

from .checks import best_response, best_response_gap, is_equilibrium
from .threshold import ThresholdResult, threshold_equilibrium

__all__ = [
    "threshold_equilibrium",
    "ThresholdResult",
    "best_response_gap",
    "is_equilibrium",
    "best_response",
]
