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


#: Report codes beyond the named response families: always report, or a constant probability.
REPORT_ALWAYS = -1
REPORT_CONSTANT = -2


@njit(cache=True)
def _report_slope(code, params, r0):
    if code == REPORT_ALWAYS:
        return 1.0, 0.0
    if code == REPORT_CONSTANT:
        return params[0], 0.0
    return response_slope_kernel(code, params, r0)


@njit(cache=True)
def split_value_grad_kernel(codes, params, report_params, pmf, consts, r, grad, work):
    """Objective and its exact gradient for a named response and report, in one call.

    ``codes`` int64: (response code, report code — a named family, ``REPORT_ALWAYS`` or
    ``REPORT_CONSTANT`` —, objective); ``consts`` float64: (q, contacts, seeds). ``work`` float64
    of length >= 6 (H + 1). Writes ``grad`` (length H + 1) and ``work``; returns the value.
    """
    size = r.size
    w = work[:size]
    p = work[size: 2 * size]
    dp = work[2 * size: 3 * size]
    bar_p = work[3 * size: 4 * size]
    scratch = work[4 * size: 6 * size]
    q = consts[0]
    contacts = consts[1]
    seeds = int(consts[2])
    s, ds = _report_slope(codes[1], report_params, r[0])
    qs = q * s
    split_incentives_kernel(codes[0], params, r, qs, contacts, w, p, dp)
    value, bar_qs = split_objective_adjoint_kernel(pmf, p, qs, contacts, seeds, codes[2], bar_p,
                                                   scratch)
    for k in range(size):
        grad[k] = 0.0
    bar_qs += split_incentive_adjoint_kernel(r, qs, contacts, p, dp, bar_p, grad, scratch)
    grad[0] += bar_qs * q * ds
    return value


@njit(cache=True)
def _project_capped_simplex(x, out, scratch):
    """Euclidean projection of ``x`` onto {y >= 0, sum y <= 1}, written to ``out``."""
    n = x.size
    total = 0.0
    for i in range(n):
        out[i] = x[i] if x[i] > 0.0 else 0.0
        total += out[i]
    if total <= 1.0:
        return
    for i in range(n):
        scratch[i] = x[i]
    u = np.sort(scratch[:n])[::-1]
    cumulative = 0.0
    theta = 0.0
    found = False
    for i in range(n):
        cumulative += u[i]
        if u[i] - (cumulative - 1.0) / (i + 1) > 0.0:
            theta = (cumulative - 1.0) / (i + 1)
            found = True
    if not found:  # non-finite entries: the vertex of the largest
        best = 0
        for i in range(n):
            out[i] = 0.0
            if x[i] > x[best]:
                best = i
        out[best] = 1.0
        return
    for i in range(n):
        value = x[i] - theta
        out[i] = value if value > 0.0 else 0.0


@njit(cache=True)
def _spg_objective(codes, params, report_params, pmf, consts, z, first, budget, f_scale, r,
                   full_grad, g, work):
    """-F(r(z)) / f_scale and its gradient in z, with r[first:] = budget * z, r[:first] = 0."""
    for k in range(first):
        r[k] = 0.0
    for k in range(z.size):
        r[first + k] = budget * z[k]
    value = split_value_grad_kernel(codes, params, report_params, pmf, consts, r, full_grad, work)
    for k in range(z.size):
        g[k] = -full_grad[first + k] * budget / f_scale
    return -value / f_scale


@njit(cache=True)
def split_spg_kernel(codes, params, report_params, pmf, consts, settings, z):
    """Maximise the objective over {r = budget * z : z >= 0, sum z <= 1} by the spectral
    projected gradient method (Birgin, Martinez and Raydan 2000, SPG2) from ``z``.

    ``codes``/``params``/``report_params``/``pmf``/``consts`` as in ``split_value_grad_kernel``;
    ``settings`` float64: (first variable position in r (0 or 1), budget, value scale,
    max_iter, projected-gradient tolerance, stall tolerance, memory). Barzilai-Borwein steps,
    nonmonotone Armijo search over the last ``memory`` values; stops at a projected gradient
    below the tolerance, after ``memory`` steps in a row that each gain less than the stall
    tolerance (relative), or at ``max_iter``. Overwrites ``z`` with the solution; returns the
    iterations taken.
    """
    first = int(settings[0])
    budget = settings[1]
    f_scale = settings[2]
    max_iter = int(settings[3])
    tol = settings[4]
    stall_tol = settings[5]
    memory = int(settings[6])
    n = z.size
    size = n + first
    r = np.zeros(size)
    full_grad = np.zeros(size)
    work = np.zeros(6 * size)
    g = np.zeros(n)
    g_new = np.zeros(n)
    x = np.zeros(n)
    x_new = np.zeros(n)
    d = np.zeros(n)
    trial_point = np.zeros(n)
    scratch = np.zeros(n)
    history = np.full(memory, -np.inf)
    _project_capped_simplex(z, x, scratch)
    f = _spg_objective(codes, params, report_params, pmf, consts, x, first, budget, f_scale, r,
                       full_grad, g, work)
    history[0] = f
    for i in range(n):
        trial_point[i] = x[i] - g[i]
    _project_capped_simplex(trial_point, d, scratch)
    step = 0.0
    for i in range(n):
        step = max(step, abs(d[i] - x[i]))
    lam = 1.0 if step == 0.0 else min(max(1.0 / step, 1e-10), 1e10)
    stalled = 0
    iterations = 0
    for it in range(1, max_iter + 1):
        # stationarity: the projected gradient step
        for i in range(n):
            trial_point[i] = x[i] - g[i]
        _project_capped_simplex(trial_point, d, scratch)
        step = 0.0
        for i in range(n):
            step = max(step, abs(d[i] - x[i]))
        if step <= tol:
            break
        for i in range(n):
            trial_point[i] = x[i] - lam * g[i]
        _project_capped_simplex(trial_point, d, scratch)
        slope = 0.0
        for i in range(n):
            d[i] -= x[i]
            slope += g[i] * d[i]
        if slope >= 0.0:
            break
        reference = history[0]
        for i in range(1, memory):
            reference = max(reference, history[i])
        alpha = 1.0
        accepted = False
        f_new = f
        for _ in range(60):
            for i in range(n):
                x_new[i] = x[i] + alpha * d[i]
            f_new = _spg_objective(codes, params, report_params, pmf, consts, x_new, first,
                                   budget, f_scale, r, full_grad, g_new, work)
            if f_new <= reference + 1e-4 * alpha * slope:
                accepted = True
                break
            curvature = f_new - f - alpha * slope
            trial = -0.5 * alpha * alpha * slope / curvature if curvature > 0.0 else 0.0
            alpha = trial if 0.1 * alpha <= trial <= 0.9 * alpha else 0.5 * alpha
        iterations = it
        if not accepted:
            break
        ss = 0.0
        sy = 0.0
        for i in range(n):
            s_i = x_new[i] - x[i]
            ss += s_i * s_i
            sy += s_i * (g_new[i] - g[i])
        lam = 1e10 if sy <= 0.0 else min(max(ss / sy, 1e-10), 1e10)
        if f - f_new <= stall_tol * max(abs(f), 1.0):
            stalled += 1
        else:
            stalled = 0
        f = f_new
        for i in range(n):
            x[i] = x_new[i]
            g[i] = g_new[i]
        history[it % memory] = f
        if stalled >= memory:
            break
    for i in range(n):
        z[i] = x[i]
    return iterations
