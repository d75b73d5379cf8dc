"""The result object shared by every design function: :class:`DesignResult`."""

import math
from dataclasses import dataclass, field

import numpy as np

from .._results import ResultMixin

__all__ = ["DesignResult"]


@dataclass(frozen=True, repr=False)
class DesignResult(ResultMixin):
    r"""A design under a budget: what to pay, what it achieves, and how sure that is.

    Attributes
    ----------
    rewards : numpy.ndarray
        The design. For :func:`~incnet.design.optimal_split` the schedule :math:`r_0, \dots, r_H`
        (finder first); for :func:`~incnet.design.min_cost_activation`,
        :func:`~incnet.design.max_depth` and :func:`~incnet.design.max_reach` the transfers
        :math:`t` per node; for :func:`~incnet.design.seed_rewards` the rewards per node; for
        :func:`~incnet.design.targeting` the new standalone returns :math:`\alpha`. Also available
        under the names :attr:`schedule`, :attr:`transfers` and :attr:`alpha`.
    objective : float
        The value the design achieves, re-evaluated independently of the optimiser (exact
        recursion, equilibrium solver or linear solve).
    status : str
        ``"optimal"`` (certified global optimum), ``"optimal_inaccurate"``, ``"local"`` (best of
        several local optima, no global certificate), ``"heuristic"`` (feasible design with an
        upper bound), ``"level_cap"`` (optimal within the depth/round index that was given).
    method : str
        The route taken, e.g. ``"milp"``, ``"lp"``, ``"closed-form"``, ``"shor-sdp"``,
        ``"greedy"``, ``"pattern-lp"``, ``"multistart"``.
    solver : str
        The numerical solver behind it (``"HIGHS"``, ``"CLARABEL"``, ``"SLSQP"``, ``"SPG"``
        (spectral projected gradients), ``"numba"``).
    budget : float
        The budget the design had to respect.
    budget_used : float
        What the design spends (for ``budget_kind="expected"`` the expected payment per find).
    shadow_price : float
        Marginal objective per unit of budget (the dual value of the budget constraint, or its
        finite-difference estimate for non-convex problems; ``nan`` where the objective is
        piecewise constant in the budget, as in MILPs).
    bound : float
        A proven upper bound on the best objective (equal to ``objective`` when certified optimal,
        ``nan`` when no bound is known).
    gap : float
        ``bound - objective`` (0 when certified, ``nan`` when no bound is known).
    active : numpy.ndarray or None
        The participating / acting nodes (bool per node) where the design has them.
    details : dict
        Topic-specific facts (comparison with baseline mechanisms, savings, per-depth values,
        certificate residuals ...).
    nodes : tuple
        Node labels in index order (empty for schedules).
    """

    rewards: np.ndarray
    objective: float
    status: str
    method: str
    solver: str
    budget: float
    budget_used: float
    shadow_price: float = math.nan
    bound: float = math.nan
    gap: float = math.nan
    active: np.ndarray = None
    details: dict = field(default_factory=dict)
    nodes: tuple = ()

    _per_node_field = "rewards"

    @property
    def schedule(self):
        """The design vector under its name for reward splits (same array as :attr:`rewards`)."""
        return self.rewards

    @property
    def transfers(self):
        """The design vector under its name for activation problems (same as :attr:`rewards`)."""
        return self.rewards

    @property
    def alpha(self):
        """The design vector under its name for targeting (same as :attr:`rewards`)."""
        return self.rewards

    @property
    def welfare(self):
        """The objective under its name for targeting (same as :attr:`objective`)."""
        return self.objective

    @property
    def converged(self):
        """Whether a design was found that meets the budget (always True for a returned result)."""
        return bool(np.isfinite(self.objective))
