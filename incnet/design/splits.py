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

    P(\text{success}) = 1 - g_0^{\,\text{initial}}, \quad g_H = 1 - q s, \quad
    g_d = (1 - q s)\, \psi_K(1 - p_d + p_d\, g_{d+1}),

    E[\text{reach}] = \text{initial} \sum_{d=0}^{H} \prod_{j<d} E[K]\, p_j, \qquad
    E[\text{depth}] = \sum_{d=1}^{H} P(\text{depth } d \text{ is reached}),

with :math:`\psi_K` the offspring generating function. :func:`optimal_split` maximises one of these
over schedules :math:`r \ge 0` within a budget per target.
"""

import math
import numbers
import warnings
from dataclasses import InitVar, dataclass, field

import numpy as np

from .._compat import MISSING
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
    initial : int, default 1
        Number of initial participants (depth 0).
    seeds : int, optional
        Deprecated spelling of ``initial`` (kept for one release).

    Examples
    --------
    >>> import scipy.stats
    >>> from incnet.simulate import ExponentialResponse
    >>> model = RecruitmentModel(scipy.stats.poisson(3.0), ExponentialResponse(0.1, 0.5, 100.0),
    ...                          find_probability=0.01, horizon=4, initial=5)
    >>> darpa = [2000.0, 1000.0, 500.0, 250.0, 125.0]
    >>> round(model.success_probability(darpa), 4), round(model.success_probability([4000.0]), 4)
    (0.0843, 0.0689)
    """

    offspring: object
    response: object
    find_probability: float
    horizon: int
    report: object = field(default=None, kw_only=True)
    initial: int = field(default=1, kw_only=True)
    seeds: InitVar[int] = field(default=MISSING, kw_only=True)

    def __post_init__(self, seeds):
        from ..simulate.incentives import MAX_HORIZON
        from ..simulate.response import as_response

        law = as_offspring(self.offspring)
        object.__setattr__(self, "offspring", law)
        object.__setattr__(self, "response", as_response(self.response))
        object.__setattr__(self, "find_probability",
                           check_probability(self.find_probability, "find_probability"))
        object.__setattr__(self, "horizon", check_int(self.horizon, "horizon", minimum=0,
                                                      maximum=MAX_HORIZON))
        name = "initial"
        if seeds is not MISSING:
            if self.initial != 1:
                raise TypeError("RecruitmentModel() got both initial= and its old name seeds=; pass initial= only")
            warnings.warn("RecruitmentModel(): seeds= is deprecated and will be removed in the next "
                          "release; use initial= (the initial participants)", DeprecationWarning, stacklevel=3)
            object.__setattr__(self, "initial", seeds)
            name = "seeds"
        object.__setattr__(self, "initial", check_int(self.initial, name, minimum=1))
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

        # a writable copy: the kernels are also called with writable rows, and a read-only
        # array would make numba compile each of them a second time
        p = np.array(inc.probabilities, dtype=np.float64)
        if objective == "success":
            find = np.ascontiguousarray(self.find_probability * inc.report_probabilities)
            return float(success_kernel(self._pmf, p, find, self.initial))
        if objective == "reach":
            m = self.mean_contacts * p[:-1]
            return float(self.initial * (1.0 + np.sum(np.cumprod(m))))
        out = np.empty(self.horizon + 1)
        depth_profile_kernel(self._pmf, p, self.initial, out)
        return float(out[1:].sum())

    def evaluate(self, rewards, objective="success"):
        """Exact value of ``objective`` ("success", "depth" or "reach") under a schedule."""
        check_method(objective, _OBJECTIVES, name="objective")
        return self._from_incentives(self.incentives(rewards), objective)

    def success_probability(self, rewards):
        """Probability of at least one reported find: :math:`1 - g_0^{\\text{initial}}`."""
        return self.evaluate(rewards, "success")

    def expected_reach(self, rewards):
        """Expected number of participants, initial participants included."""
        return self.evaluate(rewards, "reach")

    def expected_depth(self, rewards):
        """Expected deepest depth reached, :math:`\\sum_{d=1}^H P(\\text{depth } d \\text{ reached})`."""
        return self.evaluate(rewards, "depth")

    def depth_profile(self, rewards):
        """:math:`P(\\text{depth } d \\text{ is reached})` for :math:`d = 0, \\dots, H`."""
        from .._kernels.design import depth_profile_kernel

        p = np.ascontiguousarray(self.incentives(rewards).probabilities, dtype=np.float64)
        out = np.empty(self.horizon + 1)
        depth_profile_kernel(self._pmf, p, self.initial, out)
        return out

    def payment_weights(self, rewards):
        r"""Per position, the probability that a find pays it: :math:`P(\text{finder depth} \ge k)`.

        Finds are weighted by the expected number of reported finds at each depth,
        :math:`n_d\, q\, s_d` with :math:`n_d = \text{initial} \prod_{j<d} m_j`; the expected payment
        per find of a schedule is ``weights @ r``.
        """
        inc = self.incentives(rewards)
        m = inc.expected_recruits
        n_d = self.initial * np.concatenate([[1.0], np.cumprod(m[:-1])])
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

def _deprecated_seeds(self):
    warnings.warn("RecruitmentModel.seeds is deprecated and will be removed in the next release; use "
                  "RecruitmentModel.initial (the initial participants)", DeprecationWarning, stacklevel=2)
    return self.initial


# after @dataclass has read the InitVar's default: ``model.seeds`` still reads, with a warning
RecruitmentModel.seeds = property(_deprecated_seeds, doc="Deprecated: :attr:`initial`.")

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
        success_batch_kernel(model._pmf, P, find, model.initial, out)
        return out
    if objective == "reach":
        m = model.mean_contacts * P[:, :H]
        return model.initial * (1.0 + np.cumprod(m, axis=1).sum(axis=1))
    out = np.empty(patterns.shape[0])
    row = np.empty(H + 1)
    for i in range(patterns.shape[0]):
        depth_profile_kernel(model._pmf, np.ascontiguousarray(P[i]), model.initial, row)
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


class _SplitProblem:
    r"""The exact objective of a :class:`RecruitmentModel` as a function of a schedule, with its
    exact gradient, and the expected payment per find with its gradient.

    A forward pass computes the incentives :math:`w_d`, the probabilities :math:`p_d = p(w_d)` and
    the slopes :math:`p'(w_d)`; a reverse pass of the objective's recursion gives
    :math:`\partial F / \partial p_d` and :math:`\partial F / \partial (qs)`, and a reverse pass
    of the incentive recursion carries them back to the schedule. The named response families
    run inside the kernels; any other response is evaluated depth by depth in Python and
    differentiated by central differences (the only inexact step). The finder's reward enters
    through :math:`s = \text{report}(r_0)` alone. One instance per call: it owns its scratch
    arrays.
    """

    def __init__(self, model, objective):
        from .._kernels import splits as kernels

        self.model = model
        self.H = model.horizon
        self.q = float(model.find_probability)
        self.contacts = float(model.mean_contacts)
        self.initial = int(model.initial)
        self.objective = {"success": kernels.OBJECTIVE_SUCCESS, "depth": kernels.OBJECTIVE_DEPTH,
                          "reach": kernels.OBJECTIVE_REACH}[objective]
        self.response_spec = _response_spec(model.response)
        self.report_spec = (_response_spec(model.report) if callable(model.report) else None)
        size = self.H + 1
        self.w, self.p, self.dp = np.zeros(size), np.zeros(size), np.zeros(size)
        self.bar_p = np.zeros(size)
        self.work = np.zeros(2 * size)

    def kernel_arguments(self):
        """``(codes, params, report_params, consts)`` for the compiled search when the response
        and the report are named families (or None/constant reports), else None."""
        from .._kernels import splits as kernels

        report = self.model.report
        if self.response_spec is None or (callable(report) and self.report_spec is None):
            return None
        if report is None:
            report_code, report_params = kernels.REPORT_ALWAYS, np.zeros(1)
        elif not callable(report):
            report_code, report_params = kernels.REPORT_CONSTANT, np.array([float(report)])
        else:
            report_code, report_params = self.report_spec
        codes = np.array([self.response_spec[0], report_code, self.objective], dtype=np.int64)
        consts = np.array([self.q, self.contacts, float(self.initial)])
        return codes, self.response_spec[1], report_params, consts

    def report(self, r0):
        """:math:`(s, ds/dr_0)` at the finder's reward ``r0``."""
        report = self.model.report
        if report is None:
            return 1.0, 0.0
        if not callable(report):
            return float(report), 0.0
        if self.report_spec is not None:
            from .._kernels.splits import response_slope_kernel

            s, ds = response_slope_kernel(self.report_spec[0], self.report_spec[1], float(r0))
            return float(s), float(ds)
        from ..simulate.incentives import report_table

        h = _STEP * max(1.0, abs(r0))
        low = max(r0 - h, 0.0)
        s_low, s, s_high = report_table(report, np.array([low, r0, r0 + h]))
        return float(s), float((s_high - s_low) / (r0 + h - low))

    def forward(self, r):
        """Fill ``w``, ``p``, ``dp`` for schedule ``r``; return :math:`(qs, d(qs)/dr_0)`."""
        s, ds = self.report(r[0])
        qs = self.q * s
        if self.response_spec is not None:
            from .._kernels.splits import split_incentives_kernel

            split_incentives_kernel(self.response_spec[0], self.response_spec[1], r, qs,
                                    self.contacts, self.w, self.p, self.dp)
        else:
            self._generic_forward(r, qs)
        return qs, self.q * ds

    def _generic_forward(self, r, qs):
        from ..simulate.response import response_table

        H, w, p, m = self.H, self.w, self.p, np.zeros(self.H + 1)
        w[:] = 0.0
        p[:] = 0.0
        for d in range(H - 1, -1, -1):
            reach = np.ones(H - d)
            if H - d > 1:
                np.cumprod(m[d + 1:H], out=reach[1:])
            w[d] = qs * float(r[1:H - d + 1] @ reach) if qs > 0 else 0.0
            p[d] = response_table(self.model.response, w[d:d + 1])[0]
            m[d] = self.contacts * p[d]
        h = _STEP * np.maximum(1.0, w[:H])
        low = np.maximum(w[:H] - h, 0.0)
        both = response_table(self.model.response, np.concatenate([low, w[:H] + h]))
        self.dp[:H] = (both[H:] - both[:H]) / (w[:H] + h - low)
        self.dp[H] = 0.0

    def value_grad(self, r):
        r""":math:`F(r)` and :math:`\nabla F(r)` (length H + 1)."""
        from .._kernels.splits import split_incentive_adjoint_kernel, split_objective_adjoint_kernel

        r = np.ascontiguousarray(r, dtype=np.float64)
        qs, dqs = self.forward(r)
        value, bar_qs = split_objective_adjoint_kernel(
            self.model._pmf, self.p, qs, self.contacts, self.initial, self.objective, self.bar_p,
            self.work)
        grad = np.zeros(self.H + 1)
        bar_qs += split_incentive_adjoint_kernel(r, qs, self.contacts, self.p, self.dp,
                                                 self.bar_p, grad, self.work)
        grad[0] += bar_qs * dqs
        return float(value), grad

    def cost_grad(self, r):
        """Expected payment per reported find and its gradient (0 if nothing can be reported)."""
        from .._kernels.splits import split_incentive_adjoint_kernel, split_payment_adjoint_kernel

        r = np.ascontiguousarray(r, dtype=np.float64)
        qs, dqs = self.forward(r)
        grad = np.zeros(self.H + 1)
        if qs <= 0:
            return 0.0, grad
        cost = split_payment_adjoint_kernel(r, self.contacts, self.p, self.bar_p, grad, self.work)
        bar_qs = split_incentive_adjoint_kernel(r, qs, self.contacts, self.p, self.dp, self.bar_p,
                                                grad, self.work)
        grad[0] += bar_qs * dqs
        return float(cost), grad

    def upper_bound(self, budget):
        r"""A proven upper bound on :math:`F` over schedules with :math:`\sum_k r_k \le B`, or nan.

        Needs a nondecreasing response (every named family but a falling step). Every objective
        grows with each :math:`p_d` and with :math:`qs`; :math:`s \le \bar s` (the report
        probability at :math:`r_0 = B` for a nondecreasing named report, else 1); and
        :math:`w_d \le q \bar s B \max_k \prod_{j=d+1}^{d+k-1} \bar m_j`, with
        :math:`\bar m_j = E[K]\, p(\bar w_j)` bounded the same way from the horizon up. So
        :math:`F \le F(\bar p, q \bar s)`. The bound is attained when the optimum pays one
        position only and :math:`\bar m_j \le 1` (the chain pays best closest to the finder).
        """
        from .._kernels.splits import split_objective_adjoint_kernel

        if not _monotone(self.response_spec):
            return math.nan
        report = self.model.report
        if report is None:
            s_max = 1.0
        elif not callable(report):
            s_max = float(report)
        elif _monotone(self.report_spec):
            s_max = self.report(budget)[0]
        else:
            s_max = 1.0
        from ..simulate.response import response_table

        qs = self.q * s_max
        H = self.H
        p = np.zeros(H + 1)
        m = np.zeros(H + 1)
        for d in range(H - 1, -1, -1):
            best = 1.0
            if H - d > 1:
                best = max(best, float(np.max(np.cumprod(m[d + 1:H]))))
            w_max = qs * budget * best if qs > 0 else 0.0
            p[d] = response_table(self.model.response, np.array([w_max]))[0]
            m[d] = self.contacts * p[d]
        value, _ = split_objective_adjoint_kernel(self.model._pmf, p, qs, self.contacts,
                                                  self.initial, self.objective, self.bar_p,
                                                  self.work)
        return float(value)


#: Relative step of the central differences of a user's response or report function.
_STEP = 1e-6


def _response_spec(response):
    """``(code, params)`` of a named response family the kernels evaluate, else None."""
    from .._kernels import splits as kernels
    from ..simulate.response import (
        ConstantResponse,
        ExponentialResponse,
        LinearResponse,
        ThresholdResponse,
    )

    kind = type(response)  # a subclass may override __call__: treat it as a user function
    if kind is ConstantResponse:
        return kernels.RESPONSE_CONSTANT, np.array([response.p0])
    if kind is ExponentialResponse:
        return kernels.RESPONSE_EXPONENTIAL, np.array([response.p0, response.p_max, response.scale])
    if kind is LinearResponse:
        return kernels.RESPONSE_LINEAR, np.array([response.p0, response.slope, response.p_max])
    if kind is ThresholdResponse:
        return kernels.RESPONSE_THRESHOLD, np.array([response.p0, response.p_high,
                                                     response.threshold])
    return None


def _monotone(spec):
    """Whether a named response is nondecreasing in the incentive (all but a falling step)."""
    from .._kernels.splits import RESPONSE_THRESHOLD

    if spec is None:
        return False
    code, params = spec
    return code != RESPONSE_THRESHOLD or params[1] >= params[0]


def _gradient_multistart(problem, budget, budget_kind, starts, rng):
    r"""Local solves with exact gradients from ``starts`` points: the best schedule, every local
    optimum found, the number of starts and of solver iterations.

    Three formulations, all over the positions that matter (:math:`r_1, \dots, r_H`, and
    :math:`r_0` when the finder's reward changes reporting):

    - worst-case budget: :math:`r = B z` with :math:`z \ge 0`, :math:`\sum z \le 1`, by the
      spectral projected gradient method (``split_spg_kernel``, or ``_spg`` for user functions);
    - expected budget, nondecreasing response and report: every objective then grows along each
      ray :math:`t u`, and so does the expected payment, so an optimum spends the whole budget.
      A direction :math:`u` on the simplex is scaled to :math:`t(u)` with :math:`c(t u) = B`
      (safeguarded Newton), and :math:`G(u) = F(t(u) u)` is maximised on the simplex; its
      gradient is :math:`t\,(\nabla F - \frac{\nabla F \cdot u}{\nabla c \cdot u} \nabla c)`
      by the implicit function theorem (SLSQP). This removes the nonlinear constraint, whose
      linearisation misleads SLSQP (deep positions look cheap while the chain is short);
    - expected budget otherwise: SLSQP with the nonlinear constraint :math:`c(r) \le B` and its
      gradient.
    """
    from scipy.optimize import minimize

    model = problem.model
    H = model.horizon
    finder_var = _finder_matters(model) or H == 0
    first = 0 if finder_var else 1
    dim = H + 1 - first
    monotone = _monotone(problem.response_spec) and (
        not callable(model.report) or _monotone(problem.report_spec))
    mode = ("simplex" if budget_kind == "worst-case" else "radial" if monotone else "constrained")

    def full(z, scale=budget):
        r = np.zeros(H + 1)
        r[first:] = np.maximum(z, 0.0) * scale
        return r

    radial_t = {}

    def schedule(z):
        """The schedule a point of the search space stands for (feasible by construction)."""
        if mode != "radial":
            return full(z)
        key = z.tobytes()
        if key not in radial_t:
            direction = full(z, 1.0)
            radial_t[key] = _radial_scale(problem, direction, budget, radial_t.get("last", budget))
            radial_t["last"] = radial_t[key]
        return full(z, radial_t[key])

    halving = np.array([0.5 ** (k + 1) for k in range(H + 1)])[first:]
    starts_z = [halving / halving.sum(), np.full(dim, 1.0 / dim), np.eye(dim)[0]]
    if dim > 1:
        starts_z.append(np.eye(dim)[-1])
    while len(starts_z) < starts:
        z = rng.dirichlet(np.full(dim, 0.5))
        starts_z.append(z if mode == "radial" else z * rng.uniform(0.5, 1.0))
    starts_z = starts_z[:starts]
    if mode == "constrained":
        starts_z = [_expected_feasible(problem, full, z, budget, first) for z in starts_z]
    values = [problem.value_grad(schedule(z))[0] for z in starts_z]
    f_scale = max(abs(v) for v in values) or 1.0

    last = {}

    def objective(z):
        key = z.tobytes()
        if last.get("key") != key:
            r = schedule(z)
            value, grad = problem.value_grad(r)
            grad = grad[first:]
            if mode == "radial":
                t = radial_t[key]
                cost_grad = problem.cost_grad(r)[1][first:]
                along = float(cost_grad @ z)
                if along > 0:
                    grad = grad - (float(grad @ z) / along) * cost_grad
                grad = grad * t
            else:
                grad = grad * budget
            last.update(key=key, value=-value / f_scale, jac=-grad / f_scale)
        return last["value"]

    def jac(z):
        objective(z)
        return last["jac"]

    constraints, bounds = None, None  # the simplex mode projects instead
    if mode == "radial":
        constraints = [{"type": "eq", "fun": lambda z: z.sum() - 1.0,
                        "jac": lambda z: np.ones_like(z)}]
        bounds = [(0.0, 1.0)] * dim
    else:
        def cost(z):
            return problem.cost_grad(full(z))

        constraints = [{"type": "ineq", "fun": lambda z: 1.0 - cost(z)[0] / budget,
                        "jac": lambda z: -cost(z)[1][first:]}]
        bounds = [(0.0, None)] * dim
    compiled = problem.kernel_arguments() if mode == "simplex" else None
    if compiled is not None:
        from .._kernels.splits import split_spg_kernel

        codes, params, report_params, consts = compiled
        compiled = (codes, params, report_params)
    best_r, best_value, optima, iterations = None, -np.inf, [], 0
    for z0, v0 in zip(starts_z, values):
        if mode != "simplex":
            res = minimize(objective, z0, jac=jac, method="SLSQP", bounds=bounds,
                           constraints=constraints, options={"maxiter": 200, "ftol": _FTOL})
            z, nit = res.x, int(res.nit)
        elif compiled is not None:
            z = np.array(z0, dtype=np.float64)
            settings = np.array([first, budget, f_scale, _MAX_ITER, _PG_TOL, _STALL, _MEMORY],
                                dtype=np.float64)
            nit = int(split_spg_kernel(*compiled, problem.model._pmf, consts, settings, z))
        else:
            z, nit = _spg(objective, jac, z0)
        iterations += nit
        z = np.maximum(z, 0.0)
        if mode == "simplex" and z.sum() > 1.0:
            z = z / z.sum()
        elif mode == "radial":
            z = z / z.sum() if z.sum() > 0 else z0
        for candidate, known in ((z, None), (z0, v0)):
            r = schedule(candidate)
            if mode == "constrained":
                r = _expected_feasible_schedule(problem, r, budget)
                if r is None:
                    continue
                known = None
            v = problem.value_grad(r)[0] if known is None else known
            optima.append(v)
            if v > best_value:
                best_r, best_value = r, v
    if not finder_var:
        spare = budget - (best_r[1:].sum() if budget_kind == "worst-case"
                          else problem.cost_grad(best_r)[0])
        best_r = best_r.copy()
        best_r[0] = max(spare, 0.0)
    return best_r, len(starts_z), optima, iterations


def _project_simplex(x):
    r"""Euclidean projection onto :math:`\{x \ge 0, \sum x \le 1\}`: clipping, or the
    projection onto the simplex by sorting (Held, Wolfe and Crowder 1974) when the clipped point
    sums to more than 1."""
    clipped = np.maximum(x, 0.0)
    if clipped.sum() <= 1.0:
        return clipped
    u = np.sort(x)[::-1]
    cumulative = np.cumsum(u) - 1.0
    index = np.arange(1, x.size + 1)
    positive = np.flatnonzero(u - cumulative / index > 0)
    if positive.size == 0:  # non-finite or huge entries: the vertex of the largest
        vertex = np.zeros(x.size)
        vertex[np.nanargmax(np.where(np.isnan(x), -np.inf, x))] = 1.0
        return vertex
    rho = positive[-1]
    return np.maximum(x - cumulative[rho] / (rho + 1), 0.0)


def _spg(fun, jac, x0, *, max_iter=None, tol=None, memory=None):
    r"""Minimise ``fun`` over :math:`\{x \ge 0, \sum x \le 1\}` by the spectral projected
    gradient method.

    Birgin, Martínez and Raydan (2000), algorithm SPG2: Barzilai-Borwein steps projected onto
    the feasible set and a nonmonotone Armijo line search over the last ``memory`` values. It
    stops when the projected gradient step :math:`\|P(x - \nabla f) - x\|_\infty` is below
    ``tol`` (a KKT point) or the objective stalls. Returns the point and the iterations taken.
    Every step is a few vector operations on :math:`H + 1` numbers: no dense linear algebra.
    """
    max_iter = _MAX_ITER if max_iter is None else max_iter
    tol = _PG_TOL if tol is None else tol
    memory = _MEMORY if memory is None else memory
    lam_min, lam_max, gamma = 1e-10, 1e10, 1e-4
    x = _project_simplex(np.asarray(x0, dtype=np.float64))
    f, g = fun(x), jac(x).copy()
    step = np.abs(_project_simplex(x - g) - x).max()
    lam = 1.0 if step == 0 else min(max(1.0 / step, lam_min), lam_max)
    history = [f]
    stalled = 0
    for it in range(1, max_iter + 1):
        if np.abs(_project_simplex(x - g) - x).max() <= tol:
            return x, it - 1
        d = _project_simplex(x - lam * g) - x
        slope = float(g @ d)
        if slope >= 0:
            return x, it - 1
        reference = max(history[-memory:])
        alpha = 1.0
        for _ in range(60):
            x_new = x + alpha * d
            f_new = fun(x_new)
            if f_new <= reference + gamma * alpha * slope:
                break
            curvature = f_new - f - alpha * slope
            trial = -0.5 * alpha * alpha * slope / curvature if curvature > 0 else 0.0
            alpha = trial if 0.1 * alpha <= trial <= 0.9 * alpha else 0.5 * alpha
        else:
            return x, it
        g_new = jac(x_new).copy()
        s, y = x_new - x, g_new - g
        sy = float(s @ y)
        lam = lam_max if sy <= 0 else min(max(float(s @ s) / sy, lam_min), lam_max)
        stalled = stalled + 1 if f - f_new <= _STALL * max(abs(f), 1.0) else 0
        x, f, g = x_new, f_new, g_new
        history.append(f)
        if stalled >= memory:
            return x, it
    return x, max_iter


def _expected_feasible_schedule(problem, r, budget):
    """``r`` scaled down until its expected payment fits the budget (None if that fails)."""
    for _ in range(20):
        cost = problem.cost_grad(r)[0]
        if cost <= budget * (1 + 1e-9):
            return r
        r = r * (budget / cost) * (1 - 1e-12)
    return None


def _expected_feasible(problem, full, z, budget, first):
    """A start inside the expected budget: ``z`` scaled down as ``_expected_feasible_schedule``."""
    r = _expected_feasible_schedule(problem, full(z), budget)
    return z * 0.0 if r is None else r[first:] / budget


def _radial_scale(problem, direction, budget, t):
    r"""The largest :math:`t` with expected payment :math:`c(t\,d) \le B` (``c`` grows with
    :math:`t`): safeguarded Newton from ``t``, bisection when a step leaves the bracket."""
    low, high = 0.0, math.inf
    for _ in range(200):
        cost, grad = problem.cost_grad(t * direction)
        if cost <= budget:
            low = t
            if cost >= budget * (1 - 1e-13):
                return t
        else:
            high = t
        slope = float(grad @ direction)
        if cost <= 0 and slope <= 0:  # nothing is ever reported: every scale costs 0
            return budget
        step = t + (budget - cost) / slope if slope > 0 else math.nan
        if not low < step < high:
            step = 2.0 * t if math.isinf(high) else 0.5 * (low + high)
        if step > _RADIAL_CAP * budget:  # nothing this direction pays is ever reached
            return low
        t = step
    return low


#: SLSQP's tolerance on the objective, relative to the best starting value: far below what a
#: schedule can be told apart by, and above the rounding of the radial scaling.
_FTOL = 1e-10

#: The projected gradient method (``_spg`` in Python for user functions, ``split_spg_kernel``
#: otherwise) stops at a projected gradient step below ``_PG_TOL`` (the objective scaled by the
#: best starting value, the schedule by the budget), after ``_MEMORY`` steps in a row that each
#: improve the objective by less than ``_STALL`` (relative), or after ``_MAX_ITER`` steps.
_PG_TOL = 1e-10
_STALL = 1e-12
_MEMORY = 10
_MAX_ITER = 500

#: Largest multiple of the budget the expected-budget scaling pays at one position.
_RADIAL_CAP = 1e15


def _kkt(problem, r, budget, budget_kind):
    r"""Shadow price of the budget, KKT residual and the exact gradient at a schedule.

    With :math:`c` the budget's cost (the sum, or the expected payment per find) and
    :math:`\lambda` the largest ratio :math:`(\partial F/\partial r_k) / (\partial c/\partial
    r_k)` on the support, the residual is the largest deviation of a ratio on the support from
    :math:`\lambda` and of a ratio off it above :math:`\lambda`: 0 at a KKT point.
    """
    _, grad = problem.value_grad(r)
    cost_grad = (np.ones(problem.H + 1) if budget_kind == "worst-case"
                 else problem.cost_grad(r)[1])
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


#: Relative gap between the upper bound and the value below which a design counts as certified.
_CERTIFIED_GAP = 1e-9

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
        optimum. ``"multistart"``: a local solve from each of ``starts`` starting points
        (recursive halving, uniform, finder-only, deepest-only and random points of the
        simplex) with the exact gradient of the objective (reverse passes of its recursions);
        the best local optimum. The worst-case budget is solved by a spectral projected
        gradient method on the simplex of schedules, the expected budget by SLSQP on the rays
        of schedules that spend it exactly. ``"auto"``: pattern-lp when it applies and
        :math:`H \le 12`.
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
        ``bound`` and ``gap`` (a proven upper bound on the best value and its distance to
        ``objective``; nan where no bound is known, see Notes), ``budget_used``,
        ``shadow_price`` (the budget's Lagrange multiplier from the exact gradient; 0 where the
        objective is flat), and in ``details`` the values of finder-only
        (``FinderOnly(B)``) and recursive halving (``RecursiveSplit(B/2, 1/2)``) under the same
        model, the ``improvement`` over the better of them, the KKT residual, the exact
        ``gradient`` at the optimum, the value of each local optimum (``local_optima``), the
        ``starts`` and solver ``iterations`` and the per-depth incentives and recruitment
        probabilities of the optimum. For a campaign: ``objective`` is
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
    KKT residual from the exact gradient) and the best of ``starts`` of them. For a worst-case
    budget and a nondecreasing response it also comes with a proven upper bound: every objective
    grows with each :math:`p_d`, and :math:`w_d \le q \bar s B \max_k \prod_{j=d+1}^{d+k-1}
    \bar m_j`, where :math:`\bar s` bounds the report probability and :math:`\bar m_j = E[K]
    p(\bar w_j)` is bounded the same way from the horizon up; the objective at these bounding
    probabilities bounds every schedule. When the design attains it (within a relative
    :math:`10^{-9}`) the status is ``"optimal"``: typically when :math:`\bar m_j \le 1` and one
    position carries the budget. Otherwise ``"local"`` means a KKT point that is the best of
    the starts, and ``gap`` says how far from the global optimum it can at most be; the bound
    is loose when recruitment is supercritical. For an expected budget or a user-defined
    response no bound is computed. The gradients are exact for the named response families;
    a user-defined response or report function is differentiated by central differences. When the
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
    ...                          find_probability=0.01, horizon=3, initial=5)
    >>> res = optimal_split(model, 4000.0)
    >>> res.status, res.schedule.round(1)
    ('optimal', array([3000., 1000.,    0.,    0.]))

    A smooth response: the design is a local optimum found from the exact gradient, and here
    the upper bound certifies it (with two contacts on average, paying the finder's recruiter
    the whole budget raises every depth's incentive as far as any schedule can):

    >>> from incnet.simulate import ExponentialResponse
    >>> smooth = RecruitmentModel(scipy.stats.poisson(2.0), ExponentialResponse(0.2, 0.6, 50.0),
    ...                           find_probability=0.002, horizon=20, initial=3)
    >>> res = optimal_split(smooth, 4000.0, rng=0)
    >>> res.status, res.schedule[:3].round(1).tolist(), bool(res.gap <= 1e-9 * res.bound)
    ('optimal', [0.0, 4000.0, 0.0], True)

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
    bound = math.nan
    if method == "pattern-lp":
        schedule, solved, raised = _pattern_search(model, budget, objective, thresholds)
        status, solver = "optimal", "HIGHS"
        details.update(patterns_solved=solved, raised_depths=raised)
    else:
        problem = _SplitProblem(model, objective)
        if budget > 0:
            schedule, n_starts, optima, iterations = _gradient_multistart(
                problem, budget, budget_kind, starts, rng)
        else:  # the zero schedule is the only one within a zero budget
            schedule, n_starts, optima, iterations = np.zeros(H + 1), 0, [], 0
        # spectral projected gradient on the simplex, or SLSQP for an expected budget
        status, solver = "local", "SPG" if budget_kind == "worst-case" else "SLSQP"
        details.update(starts=n_starts, local_optima=np.array(sorted(optima, reverse=True)),
                       iterations=iterations)
    value = model.evaluate(schedule, objective)
    used = float(schedule.sum()) if budget_kind == "worst-case" else model.expected_payment(schedule)
    if method == "pattern-lp":
        # the objective is a step function of the budget: flat almost everywhere
        price, residual, grad = 0.0, math.nan, None
        bound, gap = value, 0.0
    else:
        price, residual, grad = _kkt(problem, schedule, budget, budget_kind)
        if budget_kind == "worst-case":
            bound = value if budget == 0 else problem.upper_bound(budget)
        gap = max(bound - value, 0.0) if math.isfinite(bound) else math.nan
        if gap <= _CERTIFIED_GAP * abs(bound):
            status = "optimal"
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
    return DesignResult(
        rewards=schedule, objective=value, status=status, method=method, solver=solver,
        budget=budget, budget_used=used, shadow_price=price, bound=bound, gap=gap,
        details=details,
    )
