"""incnet: game-theoretic incentive networks.

Sparse interdependent payoffs, equilibria of network games, referral reward mechanisms, Monte
Carlo recruitment and budget-constrained mechanism design.

The public API is re-exported here. Submodules are imported on first use (PEP 562), so
``import incnet`` stays fast and compiles nothing; numba kernels compile on first call and are
cached on disk.
"""

import importlib

from ._version import __version__
from .errors import (
    CancelledError,
    ConvergenceError,
    ForkedThreadPoolError,
    IllPosedNetworkError,
    IncnetError,
    InfeasibleDesignError,
    InvalidInputError,
)
from .network import IncentiveNetwork, as_network
# Imported eagerly (it is light: numpy only) so that ``incnet.sweep`` is always the function,
# even after ``import incnet.sweep`` has loaded the module of the same name.
from .sweep import sweep

# public name -> module that defines it; imported lazily on first attribute access
_LAZY = {
    "total_payoffs": "incnet.payoffs",
    "payoff_influence": "incnet.payoffs",
    "payoff_exposure": "incnet.payoffs",
    "PayoffResult": "incnet.payoffs",
    "PayoffSolver": "incnet.payoffs",
    "OffspringLaw": "incnet.branching",
    "as_offspring": "incnet.branching",
    # network games (incnet.equilibria)
    "linear_quadratic": "incnet.equilibria",
    "intercentrality": "incnet.equilibria",
    "intercentrality_bounds": "incnet.equilibria",
    "IntercentralityResult": "incnet.equilibria",
    "key_player": "incnet.equilibria",
    "public_goods": "incnet.equilibria",
    "all_equilibria": "incnet.equilibria",
    "threshold_equilibrium": "incnet.equilibria",
    "best_response_gap": "incnet.equilibria",
    "is_equilibrium": "incnet.equilibria",
    "is_stable": "incnet.equilibria",
    "best_response": "incnet.equilibria",
    "EquilibriumResult": "incnet.equilibria",
    "KeyPlayerResult": "incnet.equilibria",
    "LinearQuadraticSolver": "incnet.equilibria",
    "ThresholdResult": "incnet.equilibria",
    "EquilibriumSet": "incnet.equilibria",
    # referral reward mechanisms (incnet.mechanisms)
    "Mechanism": "incnet.mechanisms",
    "FinderOnly": "incnet.mechanisms",
    "RecursiveSplit": "incnet.mechanisms",
    "FixedSchedule": "incnet.mechanisms",
    "GeometricMLM": "incnet.mechanisms",
    "SplitContract": "incnet.mechanisms",
    "TopDownSplit": "incnet.mechanisms",
    "DirectReferral": "incnet.mechanisms",
    "LengthDiscountedSplit": "incnet.mechanisms",
    "AlmostUniformScheme": "incnet.mechanisms",
    "HybridScheme": "incnet.mechanisms",
    "check_budget": "incnet.mechanisms",
    "check_individual_rationality": "incnet.mechanisms",
    "check_sybil_proof": "incnet.mechanisms",
    "check_collusion_proof": "incnet.mechanisms",
    "check_contribution_incentive": "incnet.mechanisms",
    "check_unbounded_reward": "incnet.mechanisms",
    "check_subtree_locality": "incnet.mechanisms",
    "mechanism_report": "incnet.mechanisms",
    "query_incentive_equilibrium": "incnet.mechanisms",
    "split_contract_equilibrium": "incnet.mechanisms",
    # budget-constrained design (incnet.design)
    "DesignResult": "incnet.design",
    "RecruitmentModel": "incnet.design",
    "Campaign": "incnet.design",
    "optimal_split": "incnet.design",
    "max_depth": "incnet.design",
    "max_reach": "incnet.design",
    "min_cost_activation": "incnet.design",
    "budget_sweep": "incnet.design",
    "seed_rewards": "incnet.design",
    "targeting": "incnet.design",
    # Monte Carlo recruitment (incnet.simulate)
    "simulate_recruitment": "incnet.simulate",
    "recruitment_incentives": "incnet.simulate",
    "independent_cascade": "incnet.simulate",
    "linear_threshold": "incnet.simulate",
    "fit_recruitment": "incnet.simulate",
    "SimulationResult": "incnet.simulate",
    # embedding and scale-out
    "threads": "incnet._threads",
}
_SUBMODULES = ("branching", "datasets", "design", "equilibria", "mechanisms", "payoffs", "plot", "simulate")

__all__ = [
    "__version__",
    "IncnetError",
    "InvalidInputError",
    "IllPosedNetworkError",
    "ConvergenceError",
    "InfeasibleDesignError",
    "CancelledError",
    "ForkedThreadPoolError",
    "IncentiveNetwork",
    "as_network",
    "sweep",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"incnet.{name}")
    raise AttributeError(f"module 'incnet' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
