"""Kernels for network games: threshold best-response dynamics and projected Gauss-Seidel.

Plain functions over contiguous arrays (CSR ``indptr``, ``indices``, ``data``); no validation and
no incnet imports. The validated front ends live in :mod:`incnet.equilibria`.
"""

import math

import numpy as np
from numba import prange

from ._jit import njit

__all__ = [
    "_threshold_up_kernel",
    "_threshold_down_kernel",
    "_projected_gauss_seidel_kernel",
    "_support_enumeration_kernel",
    "distance_colouring_kernel",
    "probing_bounds_kernel",
    "block_cg_kernel",
    "local_diagonal_kernel",
]


@njit(cache=True)
def _threshold_up_kernel(indptr, indices, data, rows_indptr, rows_indices, rows_data, slack, active,
                         round_of, queue, fresh, pull_factor):
    """Monotone activation dynamics, round by round; returns ``(rounds, edge_visits)``.

    Preconditions: ``indptr``, ``indices``, ``data`` are the CSR arrays of the *influence* matrix
    :math:`W^\top` (row ``j`` lists the players ``i`` with ``w_ij > 0``, who listen to ``j``) and
    ``rows_*`` those of :math:`W` itself (row ``i`` lists whom ``i`` listens to); all weights
    >= 0; index arrays may be unsigned views (which spares numba's negative-index checks).
    ``slack`` (float64, n) holds ``theta_i - r_i``; ``active`` (uint8, n) a start set that is
    self-sustaining (every active player wants to stay active); ``round_of`` (int64, n) 0 for
    the start set and -1 elsewhere; ``queue`` int64 (n) scratch; ``fresh`` uint8 (n) zeros.

    Writes: ``active`` becomes the least equilibrium above the start; ``round_of[i]`` the
    synchronous round in which ``i`` became active (0 for the start, -1 if never); ``slack[i]``
    what ``i`` still lacks, ``theta_i - r_i - sum_j w_ij a_j``, for inactive players and ``inf``
    for active ones (so later visits leave it there without reading ``active``); ``fresh`` is
    left zero. ``rounds`` counts the synchronous rounds that activated somebody and
    ``edge_visits`` the links from newly active players to their listeners, i.e. the work of the
    push strategy below whichever strategy ran.

    Each round either *pushes*, scanning the listeners of every player activated in the previous
    round and subtracting its weight from their slack (random access per link), or *pulls*,
    scanning the rows of :math:`W` of every inactive player for players activated in the
    previous round (a forward scan, several times faster per link). It pulls when
    ``pull_factor * push links >= links of the inactive players`` (direction-optimising search,
    Beamer, Asanović & Patterson 2012). Within a pushed round players are taken in index order,
    which turns random row reads into a forward scan of the CSR arrays.
    """
    n = slack.shape[0]
    tail = 0
    inactive_links = 0
    for j in range(n):
        if active[j]:
            queue[tail] = j
            tail += 1
            slack[j] = np.inf
        else:
            inactive_links += np.int64(rows_indptr[j + 1] - rows_indptr[j])
    head = 0
    rounds = 0
    edge_visits = 0
    current = 0  # the round of the players in queue[head:tail]
    first = True
    while True:
        if first:
            # Players who act whatever the others do join in round 1, after the start set has
            # pushed its influence (so the start set forms round 0 on its own).
            first = False
            layer_end = tail
        else:
            if head == tail:
                break
            layer_end = tail
        push_links = 0
        for q in range(head, layer_end):
            j = queue[q]
            push_links += np.int64(indptr[j + 1] - indptr[j])
        edge_visits += push_links
        next_round = current + 1
        before = tail
        if push_links > 0 and pull_factor * push_links >= inactive_links:
            for q in range(head, layer_end):
                fresh[queue[q]] = 1
            for i in range(n):
                if active[i]:
                    continue
                gained = 0.0
                for p in range(rows_indptr[i], rows_indptr[i + 1]):
                    if fresh[rows_indices[p]]:
                        gained += rows_data[p]
                if gained > 0.0:
                    left = slack[i] - gained
                    if left <= 0.0:
                        left = np.inf
                        active[i] = 1
                        round_of[i] = next_round
                        queue[tail] = i
                        tail += 1
                        inactive_links -= np.int64(rows_indptr[i + 1] - rows_indptr[i])
                    slack[i] = left
            for q in range(head, layer_end):
                fresh[queue[q]] = 0
        else:
            queue[head:layer_end].sort()
            for q in range(head, layer_end):
                j = queue[q]
                for p in range(indptr[j], indptr[j + 1]):
                    i = indices[p]
                    left = slack[i] - data[p]
                    if left <= 0.0:
                        left = np.inf
                        active[i] = 1
                        round_of[i] = next_round
                        queue[tail] = i
                        tail += 1
                        inactive_links -= np.int64(rows_indptr[i + 1] - rows_indptr[i])
                    slack[i] = left
        head = layer_end
        if current == 0:
            for i in range(n):
                if not active[i] and slack[i] <= 0.0:
                    active[i] = 1
                    slack[i] = np.inf
                    round_of[i] = 1
                    queue[tail] = i
                    tail += 1
                    inactive_links -= np.int64(rows_indptr[i + 1] - rows_indptr[i])
        if tail > before:
            rounds = next_round
        current = next_round
    return rounds, edge_visits


@njit(cache=True)
def _threshold_down_kernel(indptr, indices, data, need, active, acc, count, round_of, queue):
    """Monotone deactivation dynamics by a worklist, round by round (mirror image of the up kernel).

    Preconditions: CSR arrays of :math:`W^\\top` as for ``_threshold_up_kernel``; ``active``
    (uint8) the start set; ``acc[i]`` the influence :math:`\\sum_j w_{ij} a_j` of the start on
    ``i``; ``count[i]`` (int64) the number of active players ``j`` with ``w_ij > 0``;
    ``round_of`` (int64, n) zeros; ``queue`` int64 (n) scratch.

    Writes: ``active`` becomes the greatest self-sustaining subset of the start (every player in
    it wants to act given the others); ``acc`` and ``count`` are updated; ``round_of[i]`` is set
    to ``r`` for a player dropped in synchronous round ``r``. When ``count[i]`` reaches zero
    ``acc[i]`` is reset to exactly 0, so subtraction round-off cannot push a player with
    ``need <= 0`` out. Returns ``(rounds, edge_visits)``.
    """
    n = need.shape[0]
    head = 0
    tail = 0
    for i in range(n):
        if active[i] and acc[i] < need[i]:
            active[i] = 0
            round_of[i] = 1
            queue[tail] = i
            tail += 1
    rounds = 1 if tail > 0 else 0
    edge_visits = 0
    while head < tail:
        layer_end = tail
        queue[head:layer_end].sort()  # as in the up kernel: a forward scan within each round
        while head < layer_end:
            j = queue[head]
            head += 1
            current = round_of[j]
            for p in range(indptr[j], indptr[j + 1]):
                i = indices[p]
                count[i] -= 1
                if count[i] == 0:
                    acc[i] = 0.0
                else:
                    acc[i] -= data[p]
                if active[i] and acc[i] < need[i]:
                    active[i] = 0
                    round_of[i] = current + 1
                    if current + 1 > rounds:
                        rounds = current + 1
                    queue[tail] = i
                    tail += 1
            edge_visits += indptr[j + 1] - indptr[j]
    return rounds, edge_visits


@njit(cache=True)
def _projected_gauss_seidel_kernel(indptr, indices, data, xbar, sign_delta, upper, x, tol, max_iter):
    """Projected Gauss-Seidel for :math:`x_i = \\min(u_i, \\max(0, \\bar x_i - s\\delta (Gx)_i))`.

    Preconditions: CSR arrays of :math:`G` (row ``i`` holds ``g_ij``), zero diagonal;
    ``xbar``, ``upper`` (``inf`` for no cap) and ``x`` float64 (n,) contiguous; ``x`` holds the
    start. ``sign_delta`` is :math:`+\\delta` for substitutes and :math:`-\\delta` for complements.

    Writes: ``x`` is updated in place, player by player in index order, each using the newest
    actions of the others. Stops when a full sweep changes no action by more than
    ``tol * max(1, max|x|)``. Returns ``(sweeps, last_change)``.
    """
    n = xbar.shape[0]
    change = np.inf
    for sweep in range(1, max_iter + 1):
        change = 0.0
        size = 1.0
        for i in range(n):
            s = 0.0
            for p in range(indptr[i], indptr[i + 1]):
                s += data[p] * x[indices[p]]
            v = xbar[i] - sign_delta * s
            if v < 0.0:
                v = 0.0
            elif v > upper[i]:
                v = upper[i]
            d = abs(v - x[i])
            if d > change:
                change = d
            if v > size:
                size = v
            x[i] = v
        if change <= tol * size:
            return sweep, change
    return max_iter, change


@njit(cache=True)
def _support_enumeration_kernel(M, q, tol, status, lo, hi):
    """Classify the supports ``lo..hi-1`` of LCP(M, q): w = M x + q >= 0, x >= 0, x'w = 0.

    Preconditions: ``M`` float64 (n, n), ``q`` float64 (n,), n small (2^n supports);
    ``status`` int8 (2^n,). For support mask ``s`` (bit ``i`` set: ``x_i`` may be positive) the
    kernel solves ``M[S, S] x_S = -q_S`` by Gaussian elimination with partial pivoting.

    Writes ``status[s]``: 1 if ``M[S, S]`` is nonsingular and the solution is an equilibrium
    within ``tol`` (``x_S >= -tol`` and ``(M x + q)_j >= -tol`` off the support), 2 if a pivot
    falls below ``1e-10 * max(1, max|M[S, S]|)`` (singular: handled by the caller), 0 otherwise,
    including supports ruled out because some ``j`` off the support has ``q_j < -tol`` and no
    positive ``M[j, S]`` (no non-negative ``x_S`` can then satisfy ``(M x + q)_j >= 0``).
    """
    n = q.shape[0]
    A = np.empty((n, n + 1))
    x = np.zeros(n)
    idx = np.empty(n, dtype=np.int64)
    for s in range(lo, hi):
        k = 0
        for i in range(n):
            if (s >> i) & 1:
                idx[k] = i
                k += 1
        # Off the support (M x + q)_j >= 0 with x_S >= 0 is impossible when q_j < 0 and no
        # M[j, S] entry is positive (in the substitutes game: j must have a contributing
        # neighbour). Checking this first skips most supports before any elimination.
        blocked = False
        for j in range(n):
            if (s >> j) & 1 or q[j] >= -tol:
                continue
            reachable = False
            for b in range(k):
                if M[j, idx[b]] > 0.0:
                    reachable = True
                    break
            if not reachable:
                blocked = True
                break
        if blocked:
            status[s] = 0
            continue
        scale = 1.0
        for a in range(k):
            for b in range(k):
                v = M[idx[a], idx[b]]
                A[a, b] = v
                if abs(v) > scale:
                    scale = abs(v)
            A[a, k] = -q[idx[a]]
        singular = False
        for c in range(k):
            p = c
            for r in range(c + 1, k):
                if abs(A[r, c]) > abs(A[p, c]):
                    p = r
            if abs(A[p, c]) <= 1e-10 * scale:
                singular = True
                break
            if p != c:
                for b in range(c, k + 1):
                    tmp = A[c, b]
                    A[c, b] = A[p, b]
                    A[p, b] = tmp
            for r in range(c + 1, k):
                f = A[r, c] / A[c, c]
                if f != 0.0:
                    for b in range(c, k + 1):
                        A[r, b] -= f * A[c, b]
        if singular:
            status[s] = 2
            continue
        feasible = True
        for c in range(k - 1, -1, -1):
            acc = A[c, k]
            for b in range(c + 1, k):
                acc -= A[c, b] * x[idx[b]]
            v = acc / A[c, c]
            x[idx[c]] = v
            if v < -tol:
                feasible = False
        if feasible:
            for j in range(n):
                if (s >> j) & 1:
                    continue
                acc = q[j]
                for b in range(k):
                    acc += M[j, idx[b]] * x[idx[b]]
                if acc < -tol:
                    feasible = False
                    break
        status[s] = 1 if feasible else 0
        for b in range(k):
            x[idx[b]] = 0.0
    return status


@njit(cache=True, inline="always")
def _ball(indptr, indices, i, radius, mark, stamp, queue):
    """Breadth-first ball of ``radius`` hops around ``i``: writes its nodes to ``queue[:tail]``
    (``i`` first), sets ``mark`` to ``stamp`` on them, and returns ``tail``."""
    mark[i] = stamp
    queue[0] = i
    head = 0
    tail = 1
    depth = 0
    while head < tail and depth < radius:
        level_end = tail
        while head < level_end:
            v = queue[head]
            head += 1
            for e in range(indptr[v], indptr[v + 1]):
                u = indices[e]
                if mark[u] != stamp:
                    mark[u] = stamp
                    queue[tail] = u
                    tail += 1
        depth += 1
    return tail


@njit(cache=True)
def distance_colouring_kernel(indptr, indices, radius, order):
    """Greedy colouring in which nodes at most ``radius`` hops apart get different colours.

    Preconditions: ``indptr``, ``indices`` the CSR structure of a symmetric pattern; ``order``
    (int64) a permutation of the nodes, coloured in that order, each with the smallest colour not
    used within ``radius`` hops. Returns the colours (int64, n). Cost: the edges of every node's
    ``radius``-ball, with stamped marks instead of cleared arrays.
    """
    n = indptr.shape[0] - 1
    colour = np.full(n, -1, dtype=np.int64)
    mark = np.zeros(n, dtype=np.int64)
    forbid = np.zeros(n + 1, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    for t in range(order.shape[0]):
        i = order[t]
        stamp = t + 1
        tail = _ball(indptr, indices, i, radius, mark, stamp, queue)
        for q in range(1, tail):
            u = queue[q]
            if colour[u] >= 0:
                forbid[colour[u]] = stamp
        c = 0
        while forbid[c] == stamp:
            c += 1
        colour[i] = c
    return colour


@njit(cache=True, inline="always")
def _trial_bounds(indptr, indices, data, delta, Y, col, i, members, begin, end, member_stamp, stamp,
                  owner, key, out_mark, out_stamp, ax, outside):
    """``(lower, rr, scale)`` of node ``i``'s trial vector: column ``col`` of ``Y`` restricted to
    ``members[begin:end]``, the nodes ``u`` with ``member_stamp[u] == stamp`` and
    ``owner[u] == key``. ``lower`` is :math:`2x_i - x^\top A x`, ``rr`` the squared residual
    norm (inside and on the border, where ``out_mark`` is set to ``out_stamp``), ``scale`` the
    size of the terms of ``lower`` (a round-off allowance)."""
    n_out = 0
    xax = 0.0
    rr = 0.0
    scale = 0.0
    for t in range(begin, end):
        j = members[t]
        xj = Y[j, col]
        s = 0.0
        for e in range(indptr[j], indptr[j + 1]):
            u = indices[e]
            if member_stamp[u] == stamp and owner[u] == key:
                s += data[e] * Y[u, col]
            else:
                if out_mark[u] != out_stamp:
                    out_mark[u] = out_stamp
                    ax[u] = 0.0
                    outside[n_out] = u
                    n_out += 1
                ax[u] -= delta * data[e] * xj
        axj = xj - delta * s
        xax += xj * axj
        scale += abs(xj) * (abs(xj) + abs(delta * s))
        rj = (1.0 if j == i else 0.0) - axj
        rr += rj * rj
    for t in range(n_out):
        rr += ax[outside[t]] * ax[outside[t]]
    return 2.0 * Y[i, col] - xax, rr, scale + 2.0 * abs(Y[i, col])


@njit(parallel=True, cache=True)
def probing_bounds_kernel(indptr, indices, data, delta, nodes, class_start, cols, Y, n_chunks):
    """Bounds on ``m_ii`` for every node of a block of colour classes, trial vectors on cells.

    Class ``c`` of the block holds ``nodes[class_start[c]:class_start[c + 1]]``, all probed by
    column ``cols[k]`` of ``Y`` (n, b). A multi-source breadth-first search from the class splits
    the reachable nodes into cells (each node joins the nearest member of the class); node
    ``i``'s trial vector is the column restricted to ``i``'s cell, so its residual lives only on
    the cell's border, where the other members' columns meet. Returns ``(lower, rr, scale)`` per
    entry of ``nodes``: the variational lower bound ``2 x_i - x^T A x`` (so ``m_ii`` lies between
    it plus ``rr / lambda_max(A)`` and plus ``rr / lambda_min(A)``), ``rr = |e_i - A x|_2^2`` and
    the magnitude of the terms of ``lower`` (a round-off allowance). Preconditions: ``G`` (CSR)
    symmetric in pattern and values.
    """
    n = indptr.shape[0] - 1
    m = nodes.shape[0]
    n_classes = class_start.shape[0] - 1
    lower = np.empty(m)
    rr_out = np.empty(m)
    scale_out = np.empty(m)
    for ch in prange(n_chunks):
        owner = np.empty(n, dtype=np.int64)
        own_stamp = np.zeros(n, dtype=np.int64)
        out_mark = np.zeros(n, dtype=np.int64)
        ax = np.zeros(n)
        queue = np.empty(n, dtype=np.int64)
        count = np.zeros(m + 1, dtype=np.int64)
        members = np.empty(n, dtype=np.int64)
        outside = np.empty(n, dtype=np.int64)
        for c in range(ch, n_classes, n_chunks):
            stamp = c + 1
            first = class_start[c]
            last = class_start[c + 1]
            tail = 0
            for k in range(first, last):
                i = nodes[k]
                own_stamp[i] = stamp
                owner[i] = k
                queue[tail] = i
                tail += 1
            head = 0
            while head < tail:
                v = queue[head]
                head += 1
                for e in range(indptr[v], indptr[v + 1]):
                    u = indices[e]
                    if own_stamp[u] != stamp:
                        own_stamp[u] = stamp
                        owner[u] = owner[v]
                        queue[tail] = u
                        tail += 1
            # group the reached nodes by cell (counting sort on the owner)
            for k in range(first, last + 1):
                count[k] = 0
            for t in range(tail):
                count[owner[queue[t]] + 1] += 1
            for k in range(first, last):
                count[k + 1] += count[k]
            for t in range(tail):
                j = queue[t]
                o = owner[j]
                members[count[o]] = j
                count[o] += 1
            # count[o] now ends cell o; cell o starts where cell o - 1 ended
            begin = 0
            for k in range(first, last):
                end = count[k]
                i = nodes[k]
                col = cols[k]
                lower[k], rr_out[k], scale_out[k] = _trial_bounds(
                    indptr, indices, data, delta, Y, col, i, members, begin, end, own_stamp, stamp,
                    owner, k, out_mark, k + 1, ax, outside)
                begin = end
    return lower, rr_out, scale_out


#: Row blocks of the block conjugate-gradient passes: column sums are taken per block and then in
#: block order, so the iterates do not depend on the number of threads.
_CG_ROW_BLOCKS = 64


@njit(cache=True, inline="always")
def _cg_rows(phase, b, size, indptr, indices, data, delta, X, R, P, AP, step, beta, partial):
    """One pass of :func:`block_cg_kernel` over row block ``b``: ``phase`` 0 the product
    ``AP = P - delta G P`` and the block's sums of ``P * AP``, 1 the updates of ``X`` and ``R``
    and the block's sums of ``R * R``, 2 the new directions ``P``."""
    n, w = X.shape
    lo = b * size
    hi = min(n, (b + 1) * size)
    if phase == 0:
        acc = np.empty(w)
        for i in range(lo, hi):
            for k in range(w):
                acc[k] = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                v = data[e]
                for k in range(w):
                    acc[k] += v * P[j, k]
            for k in range(w):
                a = P[i, k] - delta * acc[k]
                AP[i, k] = a
                partial[b, k] += P[i, k] * a
    elif phase == 1:
        for i in range(lo, hi):
            for k in range(w):
                X[i, k] += step[k] * P[i, k]
                r = R[i, k] - step[k] * AP[i, k]
                R[i, k] = r
                partial[b, k] += r * r
    else:
        for i in range(lo, hi):
            for k in range(w):
                P[i, k] = R[i, k] + beta[k] * P[i, k]


@njit(parallel=True, cache=True)
def block_cg_kernel(indptr, indices, data, delta, X, R, P, AP, rs, target, steps):
    """Up to ``steps`` iterations of conjugate gradients on ``(I - delta G) X = B``, all columns.

    State carried across calls (C-ordered float64 (n, w) arrays): ``X`` the iterate (start 0),
    ``R`` the residual and ``P`` the search directions (start ``B``), ``AP`` scratch, ``rs`` the
    columns' squared residual norms (start those of ``B``). Stops when every ``rs <= target``;
    returns the iterations done. Three passes over the rows per iteration (:func:`_cg_rows`):
    the product with its column dot products, the updates of ``X`` and ``R`` with the new
    norms, the directions. One ``prange`` loop runs all three (the passes inlined into it), so
    numba compiles one parallel region instead of one per pass, and allocations and fills are
    plain loops: in a parallel kernel ``np.zeros`` or ``a[:] = 0`` is a parallel region of its
    own. Compiled in 1.6 s instead of 2.8 s; the same iterates, as fast.
    """
    n, w = X.shape
    blocks = max(1, min(_CG_ROW_BLOCKS, n))
    size = (n + blocks - 1) // blocks
    partial = np.empty((blocks, w))
    step = np.empty(w)
    beta = np.empty(w)
    for it in range(steps):
        converged = True
        for k in range(w):
            if rs[k] > target[k]:
                converged = False
        if converged:
            return it
        for phase in range(3):
            if phase < 2:
                for b in range(blocks):
                    for k in range(w):
                        partial[b, k] = 0.0
            for b in prange(blocks):
                _cg_rows(phase, np.int64(b), size, indptr, indices, data, delta, X, R, P, AP, step, beta,
                         partial)
            if phase == 0:
                for k in range(w):
                    pap = 0.0
                    for b in range(blocks):
                        pap += partial[b, k]
                    step[k] = rs[k] / pap if pap > 0.0 else 0.0
            elif phase == 1:
                for k in range(w):
                    rs_new = 0.0
                    for b in range(blocks):
                        rs_new += partial[b, k]
                    beta[k] = rs_new / rs[k] if rs[k] > 0.0 else 0.0
                    rs[k] = rs_new
    return steps




#: Buckets of the growth step: eight per binary exponent of a positive double.
_EXP_MIN = -1100 * 8
_EXP_BUCKETS = 2200 * 8


@njit(cache=True, inline="always")
def _bucket_of(v):
    """The growth bucket of ``v > 0``: eight per binary exponent, increasing with ``v``."""
    mant, ex = math.frexp(v)
    b = 8 * ex + int((mant - 0.5) * 16.0)
    return min(max(b, _EXP_MIN), _EXP_MIN + _EXP_BUCKETS - 1)


@njit(cache=True)
def _local_solves(indptr, indices, data, delta, nodes, ch, step, hub_col, W, rho_norm, w_norm, budget,
                  m_floor, max_rounds, max_iter, lower, rr_out, pg_out, xn_out, scale_out, size_out):
    """The nodes ``nodes[ch::step]`` of :func:`local_diagonal_kernel` (one chunk, serial)."""
    n = indptr.shape[0] - 1
    m = nodes.shape[0]
    mark = np.zeros(n, dtype=np.int64)
    bmark = np.zeros(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    members = np.empty(n, dtype=np.int64)
    blist = np.empty(n, dtype=np.int64)
    hlist = np.empty(n, dtype=np.int64)
    bval = np.zeros(n)
    x = np.empty(n)
    r = np.empty(n)
    p = np.empty(n)
    ap = np.empty(n)
    bucket = np.zeros(_EXP_BUCKETS)
    # the edges inside S, both directions, appended as members join
    cap = 1024
    crow = np.empty(cap, dtype=np.int64)
    ccol = np.empty(cap, dtype=np.int64)
    cval = np.empty(cap)
    tick = 0
    for k in range(ch, m, step):
        i = nodes[k]
        tick += 1
        sid = tick
        mark[i] = sid
        pos[i] = 0
        members[0] = i
        x[0] = 0.0
        size = 1
        built = 0
        nco = 0
        stalled = False
        for rnd in range(max_rounds):
            for a in range(built, size):
                j = members[a]
                for e in range(indptr[j], indptr[j + 1]):
                    u = indices[e]
                    if mark[u] == sid and pos[u] < a:
                        if nco + 2 > cap:
                            cap *= 2
                            crow2 = np.empty(cap, dtype=np.int64)
                            ccol2 = np.empty(cap, dtype=np.int64)
                            cval2 = np.empty(cap)
                            for q in range(nco):  # a loop: a slice copy compiles to 5x the code
                                crow2[q] = crow[q]
                                ccol2[q] = ccol[q]
                                cval2[q] = cval[q]
                            crow = crow2
                            ccol = ccol2
                            cval = cval2
                        v = delta * data[e]
                        crow[nco] = a
                        ccol[nco] = pos[u]
                        cval[nco] = v
                        crow[nco + 1] = pos[u]
                        ccol[nco + 1] = a
                        cval[nco + 1] = v
                        nco += 2
            built = size
            # conjugate gradients on A_SS y = e_i, warm started
            for a in range(size):
                ap[a] = x[a]
            for t in range(nco):
                ap[crow[t]] -= cval[t] * x[ccol[t]]
            rs = 0.0
            for a in range(size):
                v = (1.0 if a == 0 else 0.0) - ap[a]
                r[a] = v
                p[a] = v
                rs += v * v
            goal = budget * max(x[0], m_floor)
            it = 0
            while rs > 0.05 * goal and it < max_iter:
                for a in range(size):
                    ap[a] = p[a]
                for t in range(nco):
                    ap[crow[t]] -= cval[t] * p[ccol[t]]
                pap = 0.0
                for a in range(size):
                    pap += p[a] * ap[a]
                if pap <= 0.0:
                    break
                alpha = rs / pap
                rs_new = 0.0
                for a in range(size):
                    x[a] += alpha * p[a]
                    v = r[a] - alpha * ap[a]
                    r[a] = v
                    rs_new += v * v
                beta = rs_new / rs
                rs = rs_new
                for a in range(size):
                    p[a] = r[a] + beta * p[a]
                it += 1
                goal = budget * max(x[0], m_floor)
            # the residual of y, recomputed: inside S, on the border off the hubs, and g
            tick += 1
            nb = 0
            nh = 0
            yr = 0.0
            yy = 0.0
            rr = 0.0
            scale = 0.0
            for a in range(size):
                j = members[a]
                xj = x[a]
                s = 0.0
                for e in range(indptr[j], indptr[j + 1]):
                    u = indices[e]
                    if mark[u] == sid:
                        s += data[e] * x[pos[u]]
                    else:
                        if bmark[u] != tick:
                            bmark[u] = tick
                            bval[u] = 0.0
                            if hub_col[u] >= 0:
                                hlist[nh] = u
                                nh += 1
                            else:
                                blist[nb] = u
                                nb += 1
                        bval[u] -= delta * data[e] * xj
                rj = (1.0 if a == 0 else 0.0) - (xj - delta * s)
                rr += rj * rj
                yr += xj * rj
                yy += xj * xj
                scale += abs(xj) * (abs(xj) + abs(delta * s) + 1.0)
            out = 0.0
            top = _EXP_MIN
            low = _EXP_MIN + _EXP_BUCKETS - 1
            for b in range(nb):
                v = bval[blist[b]] * bval[blist[b]]
                out += v
                if v > 0.0:
                    ex = _bucket_of(v)
                    bucket[ex - _EXP_MIN] += v
                    top = max(top, ex)
                    low = min(low, ex)
            rr += out
            goal = budget * max(x[0], m_floor)
            if rr <= 0.5 * goal or rnd == max_rounds - 1 or out <= 0.1 * goal:
                for ex in range(low, top + 1):
                    bucket[ex - _EXP_MIN] = 0.0
                # the border is fine and the iterations stopped short: one more round of them,
                # unless the last one already stalled (round-off floor of a tiny budget)
                if rr <= 0.5 * goal or rnd == max_rounds - 1 or stalled:
                    break
                stalled = True
                continue
            stalled = False
            # grow S by the border nodes of the largest residual entries, a bucket (an eighth of
            # a binary exponent) at a time, until what stays outside is at most 0.1 * goal
            rest = out
            cut = top
            while cut >= low:
                rest -= bucket[cut - _EXP_MIN]
                if rest <= 0.1 * goal:
                    break
                cut -= 1
            for ex in range(low, top + 1):
                bucket[ex - _EXP_MIN] = 0.0
            for b in range(nb):
                u = blist[b]
                v = bval[u] * bval[u]
                if v > 0.0 and _bucket_of(v) >= cut:
                    mark[u] = sid
                    pos[u] = size
                    members[size] = u
                    x[size] = 0.0
                    size += 1
        # lower = y_i - 2 (W g)_i + y^T r_L - g^T W_HH g, up to the terms in P
        wgi = 0.0
        gwhg = 0.0
        pg = 0.0
        wg = 0.0
        for b in range(nh):
            h = hlist[b]
            c = hub_col[h]
            g = bval[h]
            wgi += g * W[i, c]
            scale += 2.0 * abs(g * W[i, c])
            pg += abs(g) * rho_norm[c]
            wg += abs(g) * w_norm[c]
            quad = 0.0
            mag = 0.0
            for q in range(nh):
                v = W[hlist[q], c] * bval[hlist[q]]
                quad += v
                mag += abs(v)
            gwhg += g * quad
            scale += abs(g) * mag
        lower[k] = x[0] - 2.0 * wgi + yr - gwhg
        rr_out[k] = rr
        pg_out[k] = pg
        xn_out[k] = 2.0 * math.sqrt(yy) + wg
        scale_out[k] = scale + abs(x[0])
        size_out[k] = size


@njit(parallel=True, cache=True)
def local_diagonal_kernel(indptr, indices, data, delta, nodes, hub_col, W, rho_norm, w_norm, budget,
                          m_floor, max_rounds, max_iter, n_chunks):
    """Trial vectors for ``m_ii = e_i^T A^{-1} e_i`` from local solves, the hubs eliminated.

    ``A = I - delta G`` with ``G`` in CSR (``indptr``, ``indices``, ``data``; symmetric in
    pattern and values) and positive definite. The hubs ``h`` (``hub_col[h] = c >= 0``, else -1)
    come with columns ``W[:, c]`` (``W`` C-ordered (n, k)) approximating ``A^{-1} e_h``, with
    ``rho_norm[c] >= |e_h - A W[:, c]|_2`` and ``w_norm[c] >= |W[:, c]|_2``.

    For node ``i = nodes[k]`` (not a hub): conjugate gradients on ``A_SS y = e_i`` over a support
    ``S`` of non-hubs, which starts at ``{i}`` and grows by the outside non-hubs of largest
    residual until the squared residual of ``y`` off the hubs, ``|r_L|^2``, is below
    ``0.5 * budget * max(y_i, m_floor)`` (at most ``max_rounds`` growths of at most ``max_iter``
    iterations each). The trial vector is ``x = y - W g`` with ``g = (A y)_H``: its residual is
    ``e_i - A x = r_L - P g`` (``P = E_H - A W``), and (using ``A W = E_H - P``)

    ``2 x_i - x^T A x = y_i - 2 (W g)_i + y^T r_L - g^T W_HH g + 2 g^T P^T y - g^T P^T W g``.

    Returns per node ``(lower, rr, pg, xn, scale, size)``: ``lower`` the value above without the
    two terms in ``P`` (they are at most ``pg * xn`` in magnitude), ``rr = |r_L|_2^2``, ``pg =
    sum_h |g_h| rho_norm[c_h] >= |P g|_2``, ``xn = 2 |y|_2 + sum_h |g_h| w_norm[c_h]``, ``scale``
    the magnitude of the terms of ``lower`` (a round-off allowance) and ``|S|``; so
    ``|e_i - A x|_2 <= sqrt(rr) + pg`` and ``|2 x_i - x^T A x - lower| <= pg * xn``. Work per
    growth: the edges of the new members once, the edges of ``S`` once, the iterations on the
    edges inside ``S``; per node, the square of the number of touched hubs.
    """
    n = indptr.shape[0] - 1
    m = nodes.shape[0]
    lower = np.empty(m)
    rr_out = np.empty(m)
    pg_out = np.empty(m)
    xn_out = np.empty(m)
    scale_out = np.empty(m)
    size_out = np.empty(m, dtype=np.int64)
    for ch in prange(n_chunks):
        # np.int64: the parfor's own index is unsigned, and a second type would compile the
        # solves a second time (once for the typing before the parfor pass, once inside it)
        _local_solves(indptr, indices, data, delta, nodes, np.int64(ch), n_chunks, hub_col, W, rho_norm,
                      w_norm, budget, m_floor, max_rounds, max_iter, lower, rr_out, pg_out, xn_out, scale_out,
                      size_out)
    return lower, rr_out, pg_out, xn_out, scale_out, size_out
