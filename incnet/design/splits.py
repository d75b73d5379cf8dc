r"""Optimal reward splits along a referral chain: :class:`RecruitmentModel` and :func:`optimal_split`.

The DARPA Network Challenge winner split $4000 per balloon as 2000 / 1000 / 500 / ... up the chain
of recruiters. Is that optimal, and for what? :class:`RecruitmentModel` is the branching-process
version of :func:`~incnet.simulate.simulate_recruitment`: participants at depth :math:`d < H` have
:math:`K \sim` ``offspring`` contacts and recruit each with probability :math:`p_d = p(w_d)`, where
:math:`w_d` is the incentive that the schedule creates (computed by
:func:`~incnet.simulate.recruitment_incentives`, the one implementation); depth-:math:`H`
participants recruit no one; every participant finds a target with probability :math:`q` and
reports it with probability :math:`s = \text{report}(r_0)`. It evaluates any schedule exactly:

.. math::

    P(\text{success}) = 1 - g_0^{\,\text{seeds}}, \quad g_H = 1 - q s, \quad
    g_d = (1 - q s)\, \psi_K(1 - p_d + p_d\, g_{d+1}),

    E[\text{reach}] = \text{seeds} \sum_{d=0}^{H} \prod_{j<d} E[K]\, p_j, \qquad
    E[\text{depth}] = \sum_{d=1}^{H} P(\text{depth } d \text{ is reached}),

with :math:`\psi_K` the offspring generating function. :func:`optimal_split` maximises one of these
over schedules :math:`r \ge 0` within a budget per target.
"""

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .._validate import as_rng, check_int, check_method, check_probability, describe
from ..branching import as_offspring
from ..errors import InvalidInputError
from .activation import _budget
from .result import DesignResult

__all__ = ["RecruitmentModel", "optimal_split"]

_OBJECTIVES = ("success", "depth", "reach")
_BUDGET_KINDS = ("worst-case", "expected")
#: ``method="auto"`` enumerates threshold patterns exactly up to this horizon.
_PATTERN_LIMIT = 12


@dataclass(frozen=True, eq=False)
class RecruitmentModel:
    r"""A depth-limited branching process of incentive-driven recruitment.

    Parameters
    ----------
    offspring : frozen scipy.stats discrete distribution, OffspringLaw or pmf
        Number of contacts :math:`K` of a participant.
    response : Response, float, str or callable
        Recruitment probability :math:`p(w)` per contact given the incentive :math:`w`
        (see :func:`~incnet.simulate.response.as_response`).
    find_probability : float
        :math:`q`, the probability that a participant finds a target.
    horizon : int
        :math:`H`: the deepest depth; depth-:math:`H` participants recruit no one.
    report : None, float or callable, optional
        Probability that a finder reports, as a function of the finder's reward :math:`r_0`
        (``None``: always).
    seeds : int, default 1
        Number of initial participants (depth 0).

    Examples
    --------
    >>> import scipy.stats
    >>> from incnet.simulate import ExponentialResponse
    >>> model = RecruitmentModel(scipy.stats.poisson(3.0), ExponentialResponse(0.1, 0.5, 100.0),
    ...                          find_probability=0.01, horizon=4, seeds=5)
    >>> darpa = [2000.0, 1000.0, 500.0, 250.0, 125.0]
    >>> round(model.success_probability(darpa), 4), round(model.success_probability([4000.0]), 4)
    (0.0843, 0.0689)
    """

    offspring: object
    response: object
    find_probability: float
    horizon: int
    report: object = field(default=None, kw_only=True)
    seeds: int = field(default=1, kw_only=True)

    def __post_init__(self):
        from ..simulate.incentives import MAX_HORIZON
        from ..simulate.response import as_response

        law = as_offspring(self.offspring)
        object.__setattr__(self, "offspring", law)
        object.__setattr__(self, "response", as_response(self.response))
        object.__setattr__(self, "find_probability",
                           check_probability(self.find_probability, "find_probability"))
        object.__setattr__(self, "horizon", check_int(self.horizon, "horizon", minimum=0,
                                                      maximum=MAX_HORIZON))
        object.__setattr__(self, "seeds", check_int(self.seeds, "seeds", minimum=1))
        report = self.report
        if report is not None and not callable(report):
            if isinstance(report, bool) or not isinstance(report, numbers.Real):
                raise InvalidInputError(
                    f"report must be None, a probability or a callable, got {describe(report)}")
            report = check_probability(report, "report")
            object.__setattr__(self, "report", report)
        object.__setattr__(self, "_pmf", np.ascontiguousarray(law.pmf, dtype=np.float64).copy())

    # ------------------------------------------------------------------ evaluation
    @property
    def mean_contacts(self):
        """:math:`E[K]`."""
        return self.offspring.mean

    def schedule(self, rewards):
        """A validated schedule :math:`r_0, \\dots, r_H` (shorter input is padded with zeros)."""
        if hasattr(rewards, "chain_payments"):
            return np.asarray(rewards.chain_payments(self.horizon + 1), dtype=np.float64)
        try:
            r = np.asarray(rewards, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise InvalidInputError(f"a schedule must be numeric, got {describe(rewards)}") from None
        if r.size > self.horizon + 1:
            if np.any(r[self.horizon + 1:] != 0):
                raise InvalidInputError(
                    f"the schedule has {r.size} positions but the horizon {self.horizon} only pays "
                    f"{self.horizon + 1} (r_0 .. r_H)")
            r = r[: self.horizon + 1]
        out = np.zeros(self.horizon + 1)
        out[: r.size] = r
        if not np.all(np.isfinite(out)) or np.any(out < 0):
            raise InvalidInputError(f"rewards must be finite and >= 0, got {describe(out.tolist())}")
        return out

    def incentives(self, rewards):
        """:func:`~incnet.simulate.recruitment_incentives` of a schedule or mechanism in this model."""
        from ..simulate import recruitment_incentives

        spec = rewards if hasattr(rewards, "chain_payments") else self.schedule(rewards)
        return recruitment_incentives(spec, mean_contacts=self.mean_contacts, response=self.response,
                                      find_probability=self.find_probability, horizon=self.horizon,
                                      report=self.report)

    def _from_incentives(self, inc, objective):
        from .._kernels.design import depth_profile_kernel, success_kernel

        p = np.ascontiguousarray(inc.probabilities, dtype=np.float64)
        if objective == "success":
            find = np.ascontiguousarray(self.find_probability * inc.report_probabilities)
            return float(success_kernel(self._pmf, p, find, self.seeds))
        if objective == "reach":
            m = self.mean_contacts * p[:-1]
            return float(self.seeds * (1.0 + np.sum(np.cumprod(m))))
        out = np.empty(self.horizon + 1)
        depth_profile_kernel(self._pmf, p, self.seeds, out)
        return float(out[1:].sum())

    def evaluate(self, rewards, objective="success"):
        """Exact value of ``objective`` ("success", "depth" or "reach") under a schedule."""
        check_method(objective, _OBJECTIVES, name="objective")
        return self._from_incentives(self.incentives(rewards), objective)

    def success_probability(self, rewards):
        """Probability of at least one reported find: :math:`1 - g_0^{\\text{seeds}}`."""
        return self.evaluate(rewards, "success")

    def expected_reach(self, rewards):
        """Expected number of participants, seeds included."""
        return self.evaluate(rewards, "reach")

    def expected_depth(self, rewards):
        """Expected deepest depth reached, :math:`\\sum_{d=1}^H P(\\text{depth } d \\text{ reached})`."""
        return self.evaluate(rewards, "depth")

    def depth_profile(self, rewards):
        """:math:`P(\\text{depth } d \\text{ is reached})` for :math:`d = 0, \\dots, H`."""
        from .._kernels.design import depth_profile_kernel

        p = np.ascontiguousarray(self.incentives(rewards).probabilities, dtype=np.float64)
        out = np.empty(self.horizon + 1)
        depth_profile_kernel(self._pmf, p, self.seeds, out)
        return out

    def payment_weights(self, rewards):
        r"""Per position, the probability that a find pays it: :math:`P(\text{finder depth} \ge k)`.

        Finds are weighted by the expected number of reported finds at each depth,
        :math:`n_d\, q\, s_d` with :math:`n_d = \text{seeds} \prod_{j<d} m_j`; the expected payment
        per find of a schedule is ``weights @ r``.
        """
        inc = self.incentives(rewards)
        m = inc.expected_recruits
        n_d = self.seeds * np.concatenate([[1.0], np.cumprod(m[:-1])])
        finds = n_d * self.find_probability * inc.report_probabilities
        total = finds.sum()
        if total <= 0:
            return np.zeros(self.horizon + 1)
        return np.cumsum(finds[::-1])[::-1] / total

    def expected_payment(self, rewards):
        """Expected payment per reported find under a schedule."""
        r = self.schedule(rewards)
        return float(self.payment_weights(r) @ r)


# ----------------------------------------------------------------------------- optimisation
def _threshold_parameters(response):
    from ..simulate.response import ThresholdResponse

    if isinstance(response, ThresholdResponse):
        return response.p0, response.p_high, response.threshold
    return None


def _finder_matters(model):
    return callable(model.report)


def _pattern_objectives(model, patterns, low, high, objective):
    """Objective of every high/low recruitment pattern (rows of booleans over depths 0..H-1)."""
    from .._kernels.design import depth_profile_kernel, success_batch_kernel

    H = model.horizon
    P = np.zeros((patterns.shape[0], H + 1))
    P[:, :H] = np.where(patterns, high, low)
    s = 1.0 if model.report is None else float(model.report)
    if objective == "success":
        out = np.empty(patterns.shape[0])
        find = np.full(H + 1, model.find_probability * s)
        success_batch_kernel(model._pmf, P, find, model.seeds, out)
        return out
    if objective == "reach":
        m = model.mean_contacts * P[:, :H]
        return model.seeds * (1.0 + np.cumprod(m, axis=1).sum(axis=1))
    out = np.empty(patterns.shape[0])
    row = np.empty(H + 1)
    for i in range(patterns.shape[0]):
        depth_profile_kernel(model._pmf, np.ascontiguousarray(P[i]), model.seeds, row)
        out[i] = row[1:].sum()
    return out


class _PatternLP:
    r"""min sum_{k>=1} r_k s.t. w_d(r) >= threshold for the depths of a pattern (cvxpy, DPP).

    With the pattern fixed, :math:`m_j` are constants and :math:`w_d = \sum_k r_k q s
    \prod_{j=d+1}^{d+k-1} m_j` is linear in :math:`r`: the coefficient matrix is a Parameter, so
    one compiled problem is re-solved for every pattern.
    """

    def __init__(self, H):
        import cvxpy as cp

        self.H = H
        self.r = cp.Variable(H, nonneg=True)  # r_1 .. r_H
        self.coef = cp.Parameter((H, H), name="incentive_coefficients")
        self.need = cp.Parameter(H, nonneg=True, name="required_incentive")
        self.problem = cp.Problem(cp.Minimize(cp.sum(self.r)), [self.coef @ self.r >= self.need])

    def coefficients(self, model, m, s):
        H = self.H
        C = np.zeros((H, H))
        q = model.find_probability
        for d in range(H):
            reach = 1.0
            for k in range(1, H - d + 1):
                C[d, k - 1] = q * s * reach
                reach *= m[d + k]
        return C

    def cheapest(self, model, pattern, low, high, threshold, s):
        from ._solve import solve

        m = np.zeros(self.H + 1)
        m[: self.H] = model.mean_contacts * np.where(pattern, high, low)
        C = self.coefficients(model, m, s)
        rows = np.flatnonzero(pattern)
        self.coef.value = C * pattern[:, None]  # rows outside the pattern impose 0 >= 0
        self.need.value = np.where(pattern, threshold, 0.0)
        if rows.size and np.any(C[rows].max(axis=1) <= 0):
            return math.inf, None
        try:
            solve(self.problem, solver="HIGHS", what="the threshold-pattern LP")
        except Exception as e:  # an infeasible pattern is simply not affordable
            from ..errors import InfeasibleDesignError

            if isinstance(e, InfeasibleDesignError):
                return math.inf, None
            raise
        r = np.maximum(np.asarray(self.r.value).ravel(), 0.0)
        # the LP's tolerance may leave w_d a hair below the threshold; scale up to meet it exactly
        w = C @ r
        lacking = [threshold / w[d] for d in rows if w[d] > 0]
        r *= max([1.0] + lacking)
        return float(r.sum()), r


def _pattern_search(model, budget, objective, thresholds):
    """Certified global optimum for a threshold response (worst-case budget, r_0 irrelevant)."""
    low, high, threshold = thresholds
    H = model.horizon
    s = 1.0 if model.report is None else float(model.report)
    if H == 0:
        return np.array([budget]), 1, 0
    codes = np.arange(1 << H, dtype=np.int64)
    patterns = ((codes[:, None] >> np.arange(H)) & 1).astype(bool)
    values = _pattern_objectives(model, patterns, low, high, objective)
    order = np.lexsort((patterns.sum(axis=1), -values))  # best first, fewer raised depths first
    lp = _PatternLP(H)
    solved = 0
    best_pattern = None
    for idx in order:
        pattern = patterns[idx]
        # a pattern with threshold 0 needs nothing; otherwise check it costs within budget
        if threshold <= 0 or not pattern.any():
            best_pattern, r = pattern, np.zeros(H)
            break
        solved += 1
        cost, r = lp.cheapest(model, pattern, low, high, threshold, s)
        if cost <= budget * (1 + 1e-9):
            best_pattern = pattern
            break
    schedule = np.zeros(H + 1)
    schedule[1:] = r
    schedule[0] = max(budget - float(r.sum()), 0.0)  # the finder gets what the chain does not need
    return schedule, solved, int(best_pattern.sum())


def _multistart(model, budget, objective, budget_kind, starts, rng):
    from scipy.optimize import minimize

    H = model.horizon
    finder_var = _finder_matters(model) or H == 0
    first = 0 if finder_var else 1
    dim = H + 1 - first
    scale = budget if budget > 0 else 1.0

    def full(z):
        r = np.zeros(H + 1)
        r[first:] = np.maximum(z, 0.0) * scale
        if not finder_var:
            spare = budget - (r[1:].sum() if budget_kind == "worst-case"
                              else model.payment_weights(r) @ r)
            r[0] = max(spare, 0.0)
        return r

    def value(z):
        return model.evaluate(full(z), objective)

    constraints = []
    if budget_kind == "worst-case":
        constraints.append({"type": "ineq", "fun": lambda z: 1.0 - z.sum(),
                            "jac": lambda z: -np.ones_like(z)})
        upper = 1.0
    else:
        constraints.append({"type": "ineq",
                            "fun": lambda z: 1.0 - model.expected_payment(np.concatenate(
                                [np.zeros(first), z * scale]) if first else z * scale) / scale})
        upper = None
    bounds = [(0.0, upper)] * dim
    halving = np.array([0.5 ** (k + 1) for k in range(H + 1)])[first:]
    seeds_z = [halving / max(halving.sum(), 1.0) if budget_kind == "worst-case" else halving,
               np.full(dim, 1.0 / dim), np.eye(dim)[0]]
    if dim > 1:
        seeds_z.append(np.eye(dim)[-1])
    while len(seeds_z) < starts:
        seeds_z.append(rng.dirichlet(np.full(dim, 0.5)) * rng.uniform(0.5, 1.0))
    if budget_kind == "expected":
        seeds_z = [z * 0.5 for z in seeds_z]  # start feasible: weights are <= 1
    best_z, best_value, locals_found = None, -np.inf, []
    for z0 in seeds_z[:max(starts, 1)]:
        res = minimize(lambda z: -value(z), z0, method="SLSQP", bounds=bounds,
                       constraints=constraints,
                       options={"maxiter": 200, "ftol": 1e-10, "eps": 1e-7})
        z = np.clip(res.x, 0.0, upper if upper is not None else np.inf)
        if budget_kind == "worst-case" and z.sum() > 1.0:
            z = z / z.sum()
        for candidate in (z, z0):
            r = full(candidate)
            if budget_kind == "expected" and model.expected_payment(r) > budget * (1 + 1e-7) + 1e-12:
                continue
            v = model.evaluate(r, objective)
            locals_found.append(v)
            if v > best_value:
                best_z, best_value = candidate, v
    return full(best_z), len(seeds_z[:max(starts, 1)]), locals_found


def _kkt(model, r, objective, budget, budget_kind):
    """Shadow price of the budget and the KKT residual, by central differences of the exact value."""
    H = model.horizon
    h = 1e-5 * max(budget, 1.0)
    grad = np.zeros(H + 1)
    for k in range(H + 1):
        up, down = r.copy(), r.copy()
        up[k] += h
        down[k] = max(down[k] - h, 0.0)
        grad[k] = (model.evaluate(up, objective) - model.evaluate(down, objective)) / (up[k] - down[k])
    cost_grad = np.ones(H + 1) if budget_kind == "worst-case" else model.payment_weights(r)
    support = r > 1e-6 * max(budget, 1.0)
    support &= cost_grad > 0
    if not support.any():
        return 0.0, 0.0, grad
    ratios = grad[support] / cost_grad[support]
    price = float(np.max(ratios))
    residual = float(np.max(np.abs(ratios - price)))
    off = ~support & (cost_grad > 0)
    if off.any():
        residual = max(residual, float(np.max(np.maximum(grad[off] / cost_grad[off] - price, 0.0))))
    return max(price, 0.0), residual, grad


#: Most SLSQP starts optimal_split runs (each a local solve of up to H + 1 variables).
MAX_STARTS = 1000


def optimal_split(model, budget, *, objective="success", budget_kind="worst-case", method="auto",
                  starts=8, rng=None, n_runs=300, n_validation=2000, progress=None, **search_options):
    r"""The reward schedule :math:`r_0, \dots, r_H` that gets the most out of a budget per target.

    .. math::

        \max_{r \ge 0} \ F(r) \quad \text{s.t.} \quad \sum_{k=0}^{H} r_k \le B
        \ \text{(worst case)} \quad \text{or} \quad E[\text{payment per find}] \le B
        \ \text{(expected)},

    with :math:`F` the success probability, expected depth or expected reach of ``model``.

    Two routes, chosen by the first argument: a branching-process :class:`RecruitmentModel`,
    evaluated exactly (below), or a :class:`~incnet.design.Campaign`, designed against the
    campaign's own simulation with common random numbers and validated on fresh runs
    (:mod:`incnet.design.network_split`; see the theory page).

    Parameters
    ----------
    model : RecruitmentModel or Campaign
    budget : float
        :math:`B \ge 0` per target.
    objective : {"success", "depth", "reach"}, default "success"
    budget_kind : {"worst-case", "expected"}, default "worst-case"
        Worst case: the payments to a chain never exceed :math:`B`. Expected: the expected
        payment per reported find (finders weighted by the expected finds at each depth) is at
        most :math:`B`.
    method : {"auto", "pattern-lp", "multistart"}, default "auto"
        ``"pattern-lp"``: for a :class:`~incnet.simulate.ThresholdResponse` and a worst-case budget,
        every depth either reaches the threshold or not; for a pattern of raised depths the
        incentives are linear in :math:`r`, so the cheapest schedule raising them is a linear
        programme (cvxpy, HiGHS, one compiled problem re-solved through Parameters). Patterns are
        tried in order of decreasing objective; the first affordable one is the certified global
        optimum. ``"multistart"``: SLSQP on the exact objective from ``starts`` starting points
        (recursive halving, uniform, finder-only, deepest-only and random points of the simplex);
        the best local optimum. ``"auto"``: pattern-lp when it applies and :math:`H \le 12`.
    starts : int, default 8
        Number of starting points of the multistart method, at most ``MAX_STARTS`` (1000).
    rng : None, int or numpy.random.Generator
        Randomness of the random starting points (model) or of the design and validation runs
        (campaign).
    n_runs : int, default 300
        Campaign only: runs on which every candidate schedule is simulated (common random
        numbers).
    n_validation : int, default 2000
        Campaign only: fresh runs of :func:`~incnet.simulate.simulate_recruitment` on which the
        design, finder-only and recursive halving are compared (the same run seeds for all three).
    progress : bool or None
        Campaign only: a tqdm progress bar (None: in an interactive terminal).
    **search_options
        Campaign only: ``max_rounds`` (pattern-search steps, default 8), ``polish_rounds``
        (default 2) and ``polish_depth`` (positions the polish moves budget between, default 8).

    Returns
    -------
    DesignResult
        ``rewards``/``schedule`` (:math:`r_0, \dots, r_H`), ``objective`` (re-evaluated exactly),
        ``status`` (``"optimal"`` certified, ``"local"`` best of several local optima),
        ``budget_used``, ``shadow_price`` (the budget's Lagrange multiplier from the exact
        gradient; 0 where the objective is flat), and in ``details`` the values of finder-only
        (``FinderOnly(B)``) and recursive halving (``RecursiveSplit(B/2, 1/2)``) under the same
        model, the ``improvement`` over the better of them, the KKT residual and the per-depth
        incentives and recruitment probabilities of the optimum. For a campaign: ``objective`` is
        the held-out estimate, ``status="local"``, ``method="crn-search"``, and ``details`` holds
        ``objective_interval`` (95%), the held-out ``recursive_halving`` and ``finder_only``
        values with their intervals, ``vs_recursive_halving`` and ``vs_finder_only`` (paired
        ``difference``, ``stderr`` and 95% ``interval``), the in-sample values, the number of
        simulated runs and the validation results themselves (``held_out``).

    Raises
    ------
    InvalidInputError
        Negative budget, unknown objective or budget kind, ``pattern-lp`` for a response that is
        not a threshold, or a model with no feasible participation (nothing can be found, or no
        incentive makes anyone recruit).

    See Also
    --------
    RecruitmentModel, incnet.simulate.recruitment_incentives, incnet.simulate.simulate_recruitment

    Notes
    -----
    The objective is not concave in :math:`r` (the response composes with products of recruitment
    rates), so no convex solver applies directly. Guarantees: the pattern LP is globally optimal
    (the pattern of raised depths determines the objective, a pattern's cheapest schedule is an
    LP, and the actual pattern of a schedule only contains more raised depths than planned because
    incentives grow with the :math:`m_j`); the multistart result is a local optimum (checked by its
    KKT residual) and the best of ``starts`` of them, with no global certificate. When the
    finder's reward does not affect reporting (``report`` is ``None`` or a constant), :math:`r_0`
    does not change the objective; the optimiser then sets the recruiting positions and gives the
    finder what remains of the budget.

    References
    ----------
    .. [1] Pickard, G., Pan, W., Rahwan, I., Cebrian, M., Crane, R., Madan, A., Pentland, A.
       (2011). Time-critical social mobilization. *Science* 334(6055), 509-512.
    .. [2] Kleinberg, J., Raghavan, P. (2005). Query incentive networks. *FOCS 2005*, 132-141.
    .. [3] Cebrian, M., Coviello, L., Vattani, A., Voulgaris, P. (2012). Finding red balloons with
       split contracts: robustness to individuals' selfishness. *STOC 2012*, 775-788.

    Examples
    --------
    >>> import scipy.stats
    >>> from incnet.simulate import ThresholdResponse
    >>> model = RecruitmentModel(scipy.stats.poisson(3.0), ThresholdResponse(0.1, 0.5, 10.0),
    ...                          find_probability=0.01, horizon=3, seeds=5)
    >>> res = optimal_split(model, 4000.0)
    >>> res.status, res.schedule.round(1)
    ('optimal', array([3000., 1000.,    0.,    0.]))

    On a campaign the design is checked on fresh runs against the rules it must beat:

    >>> import networkx as nx
    >>> from incnet.design import Campaign
    >>> from incnet.simulate import ExponentialResponse
    >>> campaign = Campaign(nx.barabasi_albert_graph(300, 2, seed=7), initial=3, targets=2,
    ...                     response=ExponentialResponse(0.05, 0.5, 2.0), horizon=5,
    ...                     deadline=12.0, delay=("lognormal", 1.0, 0.8),
    ...                     report=ExponentialResponse(0.0, 1.0, 300.0))
    >>> design = optimal_split(campaign, 1000.0, n_runs=100, n_validation=500, rng=2,
    ...                        progress=False)
    >>> design.method, design.details["in_sample"] >= design.details["in_sample_recursive_halving"]
    ('crn-search', True)
    >>> sorted(design.details["vs_recursive_halving"])
    ['difference', 'interval', 'stderr']
    """
    from .campaign import Campaign

    if isinstance(model, Campaign):
        check_method(method, ("auto", "crn-search"))
        from .network_split import campaign_split

        return campaign_split(model, budget, objective=objective, budget_kind=budget_kind,
                              n_runs=n_runs, n_validation=n_validation, rng=rng,
                              progress=progress, **search_options)
    if search_options:
        raise InvalidInputError(
            f"unknown options {sorted(search_options)} for a RecruitmentModel (they belong to the "
            "Campaign route)")
    if not isinstance(model, RecruitmentModel):
        raise InvalidInputError(f"model must be a RecruitmentModel or a Campaign, got {describe(model)}")
    budget = _budget(budget)
    check_method(objective, _OBJECTIVES, name="objective")
    check_method(budget_kind, _BUDGET_KINDS, name="budget_kind")
    check_method(method, ("auto", "pattern-lp", "multistart"))
    starts = check_int(starts, "starts", minimum=1, maximum=MAX_STARTS)
    rng = as_rng(rng)
    H = model.horizon
    if objective == "success" and model.find_probability == 0:
        raise InvalidInputError(
            "find_probability is 0: no participant can ever find a target, so every schedule "
            "fails; there is nothing to design")
    p_range = np.asarray(model.response(np.array([0.0, 1e12])), dtype=np.float64)
    if H > 0 and (model.mean_contacts == 0 or np.all(p_range == 0)) and objective != "success":
        raise InvalidInputError(
            "nobody recruits under any incentive (mean contacts 0 or a response that is 0 "
            "everywhere); the model has no feasible participation")
    thresholds = _threshold_parameters(model.response)
    pattern_ok = (thresholds is not None and budget_kind == "worst-case"
                  and not _finder_matters(model))
    if method == "pattern-lp" and not pattern_ok:
        raise InvalidInputError(
            "method='pattern-lp' needs a ThresholdResponse, a worst-case budget and a report "
            "probability that does not depend on the finder's reward")
    if method == "auto":
        method = "pattern-lp" if pattern_ok and H <= _PATTERN_LIMIT else "multistart"
    details = {}
    if method == "pattern-lp":
        schedule, solved, raised = _pattern_search(model, budget, objective, thresholds)
        status, solver = "optimal", "HIGHS"
        details.update(patterns_solved=solved, raised_depths=raised)
    else:
        schedule, n_starts, locals_found = _multistart(model, budget, objective, budget_kind,
                                                       starts, rng)
        status, solver = "local", "SLSQP"
        details.update(starts=n_starts, local_optima=np.array(sorted(locals_found, reverse=True)))
    value = model.evaluate(schedule, objective)
    used = float(schedule.sum()) if budget_kind == "worst-case" else model.expected_payment(schedule)
    if method == "pattern-lp":
        # the objective is a step function of the budget: flat almost everywhere
        price, residual, grad = 0.0, math.nan, None
    else:
        price, residual, grad = _kkt(model, schedule, objective, budget, budget_kind)
    from ..mechanisms import FinderOnly, RecursiveSplit

    baselines = {"finder_only": FinderOnly(budget) if budget > 0 else [0.0],
                 "recursive_halving": RecursiveSplit(budget / 2, 0.5) if budget > 0 else [0.0]}
    for name, mech in baselines.items():
        details[name] = model.evaluate(mech, objective)
        if budget_kind == "expected":
            details[f"{name}_expected_payment"] = model.expected_payment(model.schedule(mech))
    details["improvement"] = value - max(details["finder_only"], details["recursive_halving"])
    inc = model.incentives(schedule)
    details.update(kkt_residual=residual, gradient=grad, incentives=inc.incentives,
                   probabilities=inc.probabilities, budget_kind=budget_kind, objective=objective)
    bound = value if status == "optimal" else math.nan
    return DesignResult(
        rewards=schedule, objective=value, status=status, method=method, solver=solver,
        budget=budget, budget_used=used, shadow_price=price, bound=bound,
        gap=0.0 if status == "optimal" else math.nan, details=details,
    )
