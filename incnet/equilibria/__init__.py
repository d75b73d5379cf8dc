"""Equilibria of network games.

Linear-quadratic games and the key player (Ballester, Calvó-Armengol & Zenou 2006), public goods
and strategic substitutes or complements as linear complementarity problems (Bramoullé & Kranton
2007; Bramoullé, Kranton & D'Amours 2014), threshold games, and an independent check of any
strategy profile.
"""

from ._common import EquilibriumResult
from ._diagonal import IntercentralityResult, intercentrality_bounds
from .checks import best_response, best_response_gap, is_equilibrium
from .linear_quadratic import (
    Intercentrality,
    KeyPlayerResult,
    LinearQuadraticSolver,
    intercentrality,
    key_player,
    linear_quadratic,
)
from .public_goods import EquilibriumSet, all_equilibria, is_stable, public_goods
from .threshold import ThresholdResult, threshold_equilibrium

__all__ = [
    "linear_quadratic",
    "intercentrality",
    "intercentrality_bounds",
    "IntercentralityResult",
    "key_player",
    "KeyPlayerResult",
    "Intercentrality",
    "LinearQuadraticSolver",
    "public_goods",
    "all_equilibria",
    "is_stable",
    "EquilibriumSet",
    "threshold_equilibrium",
    "ThresholdResult",
    "best_response_gap",
    "is_equilibrium",
    "best_response",
    "EquilibriumResult",
]
