"""numba kernels of :func:`incnet.design.optimal_split` on a branching-process model: the
incentive recursion, the exact objectives and their gradients by reverse (adjoint) passes.

Notation (``incnet/design/splits.py`` states the model): a schedule ``r[0..H]``, ``qs`` the
probability ``q * s`` that a participant finds and reports, ``contacts`` the mean number of
contacts ``E[K]``, ``p[d]`` the recruitment probability at depth ``d`` (``p[H] = 0``) and
``m[d] = contacts * p[d]``. The incentive of a depth-``d`` recruiter is, by Horner's rule over
the positions ``k`` above a finder,

    w[d] = qs * T_d(1),   T_d(H - d) = r[H - d],   T_d(k) = r[k] + m[d + k] * T_d(k + 1),

and ``p[d] = response(w[d])``. Every gradient below is exact: one forward pass stores what the
reverse pass needs, and the reverse pass accumulates adjoints (``bar_x`` = d objective / d x) in
the opposite order. The cost is that of the forward pass up to a constant: O(H^2) for the
incentives, O(H k_max) for the success probability, O(H^2 k_max) for the expected depth.

Plain functions over contiguous float64 arrays; no validation, nothing imported from incnet.
"""

import math

import numpy as np

from ._jit import njit

__all__ = [
    "RESPONSE_CONSTANT",
    "RESPONSE_EXPONENTIAL",
    "RESPONSE_LINEAR",
    "RESPONSE_THRESHOLD",
    "OBJECTIVE_SUCCESS",
    "OBJECTIVE_DEPTH",
    "OBJECTIVE_REACH",
    "response_slope_kernel",
    "split_incentives_kernel",
    "split_objective_adjoint_kernel",
    "split_incentive_adjoint_kernel",
    "split_payment_adjoint_kernel",
]

#: Codes of the response families the kernels evaluate themselves (``params`` as listed).
RESPONSE_CONSTANT = 0  # (p0,)
RESPONSE_EXPONENTIAL = 1  # (p0, p_max, scale)
RESPONSE_LINEAR = 2  # (p0, slope, p_max)
RESPONSE_THRESHOLD = 3  # (p0, p_high, threshold)

OBJECTIVE_SUCCESS = 0
OBJECTIVE_DEPTH = 1
OBJECTIVE_REACH = 2


@njit(cache=True)
def response_slope_kernel(code, params, w):
    """``(p(w), p'(w))`` of a named response family at one incentive ``w >= 0``.

    The formulas are those of ``incnet.simulate.response``; the slope of the linear response at
    its cap and of the threshold response is the one-sided (left) derivative: ``slope`` below the
    cap and 0 at or above it, 0 everywhere for the step. Preconditions: ``params`` as listed at
    the ``RESPONSE_*`` codes. Writes nothing.
    """
    if code == RESPONSE_EXPONENTIAL:
        p0 = params[0]
        gap = params[1] - p0
        scale = params[2]
        return p0 + gap * -math.expm1(-w / scale), gap / scale * math.exp(-w / scale)
    if code == RESPONSE_LINEAR:
        value = params[0] + params[1] * w
        if value < params[2]:
            return value, params[1]
        return params[2], 0.0
    if code == RESPONSE_THRESHOLD:
        if w >= params[2]:
            return params[1], 0.0
        return params[0], 0.0
    return params[0], 0.0


@njit(cache=True)
def split_incentives_kernel(code, params, r, qs, contacts, w, p, dp):
    """Incentives ``w``, recruitment probabilities ``p`` and slopes ``dp = p'(w)`` of a schedule.

    Preconditions: ``r``, ``w``, ``p``, ``dp`` float64 of length H + 1 (``r >= 0``); ``qs`` and
    ``contacts`` >= 0; ``code``/``params`` a named response. Writes ``w``, ``p`` and ``dp``
    (``w[H] = p[H] = dp[H] = 0``: nobody at the horizon recruits).
    """
    H = r.size - 1
    w[H] = 0.0
    p[H] = 0.0
    dp[H] = 0.0
    for d in range(H - 1, -1, -1):
        t = r[H - d]
        for k in range(H - d - 1, 0, -1):
            t = r[k] + contacts * p[d + k] * t
        w[d] = qs * t if qs > 0.0 else 0.0
        p[d], dp[d] = response_slope_kernel(code, params, w[d])


@njit(cache=True)
def _pgf_slope(pmf, x):
    """psi(x) and psi'(x) of the offspring law by Horner's rule."""
    value = 0.0
    slope = 0.0
    for k in range(pmf.size - 1, -1, -1):
        slope = slope * x + value
        value = value * x + pmf[k]
    return value, slope


@njit(cache=True)
def split_objective_adjoint_kernel(pmf, p, qs, contacts, seeds, objective, bar_p, work):
    """Value of an objective of the recruitment probabilities, and its gradient.

    ``objective``: ``OBJECTIVE_SUCCESS`` (1 - g_0^seeds with g_H = 1 - qs and
    g_d = (1 - qs) psi(1 - p_d + p_d g_{d+1})), ``OBJECTIVE_DEPTH`` (sum over d >= 1 of
    P(depth d reached)) or ``OBJECTIVE_REACH`` (seeds * sum_d prod_{j<d} contacts p_j).

    Preconditions: ``p``, ``bar_p`` float64 of length H + 1; ``work`` float64 of length
    >= 2 (H + 1); ``seeds`` >= 1. Writes ``bar_p`` (d value / d p_d; 0 at d = H) and ``work``.
    Returns ``(value, d value / d qs)`` (the second is 0 unless the objective is success).
    """
    H = p.size - 1
    for d in range(H + 1):
        bar_p[d] = 0.0
    if objective == OBJECTIVE_SUCCESS:
        g = work  # g[d], d = 0..H
        g[H] = 1.0 - qs
        for d in range(H - 1, -1, -1):
            value, _ = _pgf_slope(pmf, 1.0 - p[d] + p[d] * g[d + 1])
            g[d] = (1.0 - qs) * value
        result = 1.0 - g[0] ** seeds
        bar_g = -seeds * g[0] ** (seeds - 1)
        bar_qs = 0.0
        for d in range(H):
            value, slope = _pgf_slope(pmf, 1.0 - p[d] + p[d] * g[d + 1])
            bar_qs -= value * bar_g
            bar_x = (1.0 - qs) * slope * bar_g
            bar_p[d] += bar_x * (g[d + 1] - 1.0)
            bar_g = bar_x * p[d]
        bar_qs -= bar_g  # g_H = 1 - qs
        return result, bar_qs
    if objective == OBJECTIVE_REACH:
        # n_d = prod_{j<d} m_j; U_j = sum_{d > j} prod_{j<i<d} m_i, so d n_d / d m_j summed over d
        # is n_j U_j, with U_{H-1} = 1 and U_j = 1 + m_{j+1} U_{j+1}
        n = work
        n[0] = 1.0
        total = 1.0
        for d in range(1, H + 1):
            n[d] = n[d - 1] * contacts * p[d - 1]
            total += n[d]
        u = 1.0
        for j in range(H - 1, -1, -1):
            bar_p[j] = seeds * contacts * n[j] * u
            u = 1.0 + contacts * p[j] * u
        return seeds * total, 0.0
    # expected depth: one generating-function chain per depth d
    x = work[: H + 1]
    f = work[H + 1: 2 * H + 2]
    result = 0.0
    for d in range(1, H + 1):
        f[d] = 0.0
        for j in range(d - 1, -1, -1):
            x[j] = 1.0 - p[j] + p[j] * f[j + 1]
            f[j], _ = _pgf_slope(pmf, x[j])
        result += 1.0 - f[0] ** seeds
        bar = -seeds * f[0] ** (seeds - 1)
        for j in range(d):
            _, slope = _pgf_slope(pmf, x[j])
            bar_x = slope * bar
            bar_p[j] += bar_x * (f[j + 1] - 1.0)
            bar = bar_x * p[j]
    return result, 0.0


@njit(cache=True)
def split_incentive_adjoint_kernel(r, qs, contacts, p, dp, bar_p, grad, work):
    """Pull the gradient with respect to ``p`` back through the incentive recursion to ``r``.

    ``w[d] = qs * sum_k r[k] A_d(k)`` with ``A_d(k) = prod_{j=d+1}^{d+k-1} contacts p[j]``, and
    ``p[d] = response(w[d])``: the depths are visited in the reverse of the order the forward
    pass computed them (``d = 0, 1, ...``), so that ``bar_p[d]`` holds every contribution of the
    shallower incentives before it is used. ``d w_d / d m_{d+k} = qs A_d(k) T_d(k + 1)``.

    Preconditions: ``r``, ``p``, ``dp``, ``bar_p``, ``grad`` float64 of length H + 1 (``p``,
    ``dp`` from ``split_incentives_kernel`` or the same recursion); ``work`` float64 of length
    >= H + 1. Adds d value / d r_k to ``grad[k]`` for k >= 1; overwrites ``bar_p`` with the total
    adjoints of ``p`` and uses ``work``. Returns d value / d qs through the incentives.
    """
    H = r.size - 1
    t = work
    bar_qs = 0.0
    for d in range(H):
        bar_w = bar_p[d] * dp[d]
        if bar_w == 0.0:
            continue
        top = H - d
        t[top] = r[top]
        for k in range(top - 1, 0, -1):
            t[k] = r[k] + contacts * p[d + k] * t[k + 1]
        bar_qs += bar_w * t[1]
        c = bar_w * qs
        reach = 1.0
        for k in range(1, top + 1):
            grad[k] += c * reach
            if k < top:
                bar_p[d + k] += c * reach * t[k + 1] * contacts
                reach *= contacts * p[d + k]
    return bar_qs


@njit(cache=True)
def split_payment_adjoint_kernel(r, contacts, p, bar_p, grad, work):
    """Expected payment per reported find of a schedule, and its gradient.

    Finds at depth ``d`` are proportional to ``n_d = prod_{j<d} m_j`` (``m_j = contacts p_j``);
    with ``R_d = r_0 + ... + r_d`` the payment to a depth-``d`` finder's chain, the expected
    payment is ``c = sum_d n_d R_d / N`` with ``N = sum_d n_d``. Its partial derivatives: ``d c /
    d r_k = P(finder depth >= k)`` (the payment weights) and ``d c / d m_j = n_j U_j / N`` with
    ``U_{H-1} = R_H - c`` and ``U_j = (R_{j+1} - c) + m_{j+1} U_{j+1}``.

    Preconditions: ``r``, ``p``, ``bar_p``, ``grad`` float64 of length H + 1; ``work`` float64
    of length >= 2 (H + 1). Writes ``grad`` (the payment weights), ``bar_p`` (d c / d p_j, 0 at
    H) and ``work``. Returns ``c``.
    """
    H = r.size - 1
    n = work[: H + 1]
    cum = work[H + 1: 2 * H + 2]
    n[0] = 1.0
    total = 1.0
    cum[0] = r[0]
    for d in range(1, H + 1):
        n[d] = n[d - 1] * contacts * p[d - 1]
        total += n[d]
        cum[d] = cum[d - 1] + r[d]
    cost = 0.0
    for d in range(H + 1):
        cost += n[d] * cum[d]
    cost /= total
    tail = 0.0
    for k in range(H, -1, -1):
        tail += n[k]
        grad[k] = tail / total
    bar_p[H] = 0.0
    u = 0.0
    for j in range(H - 1, -1, -1):
        u = (cum[j + 1] - cost) + contacts * p[j + 1] * u  # u = 0 before j = H - 1
        bar_p[j] = contacts * n[j] * u / total
    return cost
