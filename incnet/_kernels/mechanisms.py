"""Kernels for referral mechanisms over parent arrays, and the query-incentive recursion.

A referral forest is a parent array ``parents`` (int64, ``-1`` for a root). The validated front end
(:mod:`incnet.mechanisms`) checks ranges, self-loops and cycles through
:func:`_forest_order_kernel`. The sweeping payment kernels work in a parents-first index order
(``parents[j] < j``): the forest's own labels when they already are one, otherwise the positions
of its breadth-first ``order`` with ``bfs_parents`` (the front end permutes the contributions in
and the payments out). The walking kernel follows ``parents`` up from the contributors. Nothing
here imports from incnet.
"""

import numpy as np

from ._jit import njit

__all__ = [
    "_forest_order_kernel",
    "_scan_contributions_kernel",
    "_walk_up_kernel",
    "_geometric_sweep_kernel",
    "_schedule_horner_kernel",
    "_smallest_fixed_point_kernel",
    "_query_incentive_scan_kernel",
    "_query_incentive_envelope_kernel",
    "_split_contract_kernel",
]


@njit(cache=True)
def _forest_order_kernel(parents, order, depth, bfs_parents):
    """Breadth-first order of a parent array, roots first.

    Preconditions: ``parents`` int64 of length n (checked here, see below); ``order``,
    ``depth`` and ``bfs_parents`` int64 of length n (overwritten). Writes the reached nodes into
    ``order[:reached]`` (each node after its parent), their depth (roots 0) into ``depth``
    (unreached nodes get -1), and in ``bfs_parents[j]`` the position in ``order`` of the parent of
    ``order[j]`` (-1 for roots), always smaller than ``j``. When every parent has a smaller label
    than its child, index order is used as is (one sequential pass); otherwise a breadth-first
    pass builds it, and then ``bfs_parents`` is also non-decreasing. Returns
    ``(reached, max_depth, identity)``: ``reached < n`` exactly when the array contains a cycle (a
    node that is not a descendant of any root); ``max_depth`` the largest depth reached (-1 for
    n = 0); ``identity`` 1 when ``order`` is ``0..n-1`` (then ``bfs_parents`` equals ``parents``).
    An entry outside ``[-1, n)`` or equal to its own index (a self-loop) is checked first: then
    the return is ``(-1 - v, -1, 0)`` for the first such entry v and nothing else is written.
    """
    n = parents.shape[0]
    sorted_labels = True
    for v in range(n):
        p = parents[v]
        if p < -1 or p >= n or p == v:
            return -1 - v, -1, 0
        if p >= v:
            sorted_labels = False
    deepest = -1
    if sorted_labels:
        for v in range(n):
            order[v] = v
            p = parents[v]
            bfs_parents[v] = p
            d = 0 if p < 0 else depth[p] + 1
            depth[v] = d
            if d > deepest:
                deepest = d
        return n, deepest, 1
    counts = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        p = parents[v]
        if p >= 0:
            counts[p + 1] += 1
    for v in range(n):
        counts[v + 1] += counts[v]
    fill = counts[:-1].copy()
    children = np.empty(max(counts[n], 1), dtype=np.int64)
    for v in range(n):
        p = parents[v]
        if p >= 0:
            children[fill[p]] = v
            fill[p] += 1
    for v in range(n):
        depth[v] = -1
    head = 0
    for v in range(n):
        if parents[v] < 0:
            order[head] = v
            depth[v] = 0
            bfs_parents[head] = -1
            head += 1
    identity = 1
    pos = 0
    while pos < head:
        u = order[pos]
        if u != pos:
            identity = 0
        d = depth[u] + 1
        for q in range(counts[u], counts[u + 1]):
            c = children[q]
            depth[c] = d
            if d > deepest:
                deepest = d
            order[head] = c
            bfs_parents[head] = pos
            head += 1
        pos += 1
    if head > 0 and deepest < 0:
        deepest = 0
    return head, deepest, identity


@njit(cache=True)
def _scan_contributions_kernel(contributions, active):
    """One pass over the contributions: list the contributors, and the largest bit pattern.

    Preconditions: ``contributions`` float64 (n, k), C-contiguous; ``active`` int64 (n,),
    overwritten (``active[:count]`` the rows with a nonzero entry, in increasing order). Returns
    ``(count, top)`` with ``top`` the largest entry's bits as an unsigned integer: an IEEE double
    is finite and non-negative exactly when its bits are below 0x7FF0000000000000 (sign clear,
    exponent not all ones; -0.0 is the only false alarm), and among those the order of the bits
    is the order of the values, so ``top`` both validates the block and gives its maximum. The
    integer maximum has no floating-point dependency chain to wait on.
    """
    n, k = contributions.shape
    bits = contributions.reshape(n * k).view(np.uint64)
    count = 0
    top = np.uint64(0)
    i = 0
    for v in range(n):
        nonzero = False
        for c in range(k):
            b = bits[i]
            i += 1
            top = max(top, b)
            nonzero |= b != 0
        if nonzero:
            active[count] = v
            count += 1
    return count, top


@njit(cache=True)
def _walk_up_kernel(parents, depth, contributions, active, n_active, row_of_length, table_ptr, table, out):
    """Chain payments by walking up from each contributor, all walks advanced one level at a time.

    A contributor ``v = active[i]`` at depth d pays its ``l``-th ancestor (``l = 0``: itself)
    ``table[table_ptr[r] + l] * contributions[v]`` with ``r = row_of_length[d + 1]``, for
    ``l < table_ptr[r + 1] - table_ptr[r]`` and up to its root. Positional rules pass one row
    (``row_of_length`` all zero), length-dependent rules one row per chain length.

    Preconditions: acyclic ``parents`` with ``depth`` from :func:`_forest_order_kernel`;
    ``active[:n_active]`` distinct node indices; ``row_of_length`` int64 indexed by depth + 1 with
    valid rows for every active depth; ``out`` float64 (n, k), **zero on entry**, accumulated into.
    The walks of all contributors advance together, level by level: the loads of one level are
    independent of each other, so the processor overlaps their cache misses instead of waiting
    for each parent in turn along one chain. O(sum of walk lengths) time, O(n_active) memory.
    """
    k = contributions.shape[1]
    cur = np.empty(n_active, dtype=np.int64)
    src = np.empty(n_active, dtype=np.int64)
    pos = np.empty(n_active, dtype=np.int64)
    stop = np.empty(n_active, dtype=np.int64)
    for i in range(n_active):
        v = active[i]
        row = row_of_length[depth[v] + 1]
        cur[i] = v
        src[i] = v
        pos[i] = table_ptr[row]
        stop[i] = table_ptr[row + 1]
    live = n_active
    while live > 0:
        # three tight loops per level, each with at most one scattered access per walk, so that
        # the processor keeps many of those misses in flight at once
        for i in range(live):
            u = cur[i]
            v = src[i]
            w = table[pos[i]]
            for c in range(k):
                out[u, c] += w * contributions[v, c]
        for i in range(live):
            cur[i] = parents[cur[i]]
        kept = 0
        for i in range(live):
            u = cur[i]
            at = pos[i] + 1
            if u >= 0 and at < stop[i]:
                cur[kept] = u
                src[kept] = src[i]
                pos[kept] = at
                stop[kept] = stop[i]
                kept += 1
        live = kept


@njit(cache=True)
def _geometric_sweep_kernel(parents, contributions, a, b, out):
    """Geometric payments R(u) = sum over v in subtree(u) of a * b**d(u, v) * C(v), in place order.

    Preconditions: ``parents[j] < j`` for every non-root j (index order is a parents-first order:
    a forest with ``identity_order``, or any forest relabelled by its ``order``, with
    ``bfs_parents``); ``contributions`` and ``out`` float64 (n, k), ``out`` overwritten. Uses
    R(u) = a C(u) + b * sum over children c of R(c), from the last index down (children before
    parents), one column at a time: O(n k) time, no work space. a = b = 1 gives subtree sums.
    """
    n, k = contributions.shape
    for c in range(k):
        for j in range(n):
            out[j, c] = a * contributions[j, c]
        for j in range(n - 1, -1, -1):
            p = parents[j]
            if p >= 0:
                out[p, c] += b * out[j, c]


@njit(cache=True)
def _schedule_horner_kernel(parents, contributions, schedule, out):
    """Positional payments: the l-th ancestor of each contributor v gets ``schedule[l] * C(v)``.

    Horner's rule over the recruiter operator (P y)(u) = sum over children c of y(c):
    y <- s_{m-1} C, then y <- s_l C + P y for l = m-2, ..., 0, so P(u) = sum_l s_l (P^l C)(u). Each
    step is two passes in index order: one sets the level's own term, one adds every node's
    value into its parent's slot; one column at a time.

    Preconditions: ``parents[j] < j`` for every non-root j (as for :func:`_geometric_sweep_kernel`);
    ``contributions`` and ``out`` float64 (n, k), ``out`` overwritten; ``schedule`` float64 (m,)
    with m >= 1, cut by the caller at the forest's depth + 1 (each level costs a pass). O(n m k)
    time, one work array of n.
    """
    n, k = contributions.shape
    m = schedule.shape[0]
    work = np.empty(n)
    for c in range(k):
        # the levels alternate between ``work`` and the output column; start in the one that
        # makes the last of the m - 1 steps land in the output
        in_out = (m - 1) % 2 == 0
        w = schedule[m - 1]
        if in_out:
            for j in range(n):
                out[j, c] = w * contributions[j, c]
        else:
            for j in range(n):
                work[j] = w * contributions[j, c]
        for step in range(m - 2, -1, -1):
            w = schedule[step]
            if in_out:
                for j in range(n):
                    work[j] = w * contributions[j, c]
                for j in range(n):
                    p = parents[j]
                    if p >= 0:
                        work[p] += out[j, c]
            else:
                for j in range(n):
                    out[j, c] = w * contributions[j, c]
                for j in range(n):
                    p = parents[j]
                    if p >= 0:
                        out[p, c] += work[j]
            in_out = not in_out


@njit(cache=True)
def _query_incentive_scan_kernel(pgf_coef, answer_prob, max_reward, sigma, effort, offers, phi, success):
    """Reference O(R^2) equilibrium of a query incentive network (Kleinberg & Raghavan 2005).

    Preconditions: ``pgf_coef`` float64 pmf of the offspring law (p_0, p_1, ...); ``effort`` 0 or 1
    (int64); ``offers``, ``phi``, ``success`` int64/float64/float64 arrays of length
    ``max_reward + 1`` (overwritten up to the returned r*). For r >= 2, f(r) = the smallest argmax
    over x in 1..r-1 of (r - x - effort) q_x with q_x = 1 - psi(phi_x), phi_r = (1 - 1/n)
    psi(phi_{f(r)}), S(r) = 1 - psi(phi_r) (written to ``success``). The root is a node that does
    not hold the answer: with utility r it offers f(r) and succeeds with probability q_{f(r)}.
    Stops at the first r >= 2 with q_{f(r)} >= sigma and returns it, or -1 if none up to
    ``max_reward``.
    """
    keep = 1.0 - answer_prob
    phi[0] = 1.0
    offers[0] = 0
    success[0] = 1.0 - _pgf(pgf_coef, 1.0)
    if max_reward < 1:
        return -1
    phi[1] = keep
    offers[1] = 0
    success[1] = 1.0 - _pgf(pgf_coef, keep)
    # q[x] = 1 - psi(phi_x): probability that a child offered x delivers
    q = np.empty(max_reward + 1)
    q[0] = success[0]
    q[1] = success[1]
    for r in range(2, max_reward + 1):
        best = -np.inf
        best_x = 1
        for x in range(1, r):
            value = (r - x - effort) * q[x]
            if value > best:
                best = value
                best_x = x
        offers[r] = best_x
        phi[r] = keep * (1.0 - q[best_x])
        success[r] = 1.0 - _pgf(pgf_coef, phi[r])
        q[r] = success[r]
        if q[best_x] >= sigma:
            return r
    return -1


@njit(cache=True)
def _smallest_fixed_point_kernel(pgf_coef, keep, tol, max_iter, values):
    """Newton's method from 0 for the smallest root of g(s) = keep * psi(s) - s in [0, 1].

    Preconditions: ``pgf_coef`` float64 pmf (p_0, p_1, ...); ``keep`` in (0, 1]; ``values``
    float64 (2,), overwritten with g(s) and psi(s) at the returned s. Stops when g(s) <= ``tol``,
    when g stops decreasing (slope >= 0), or after ``max_iter`` steps; the caller finishes a
    double root (g still above ``tol``). psi and psi' are evaluated by Horner's rule from the
    highest coefficient, like numpy's polyval.
    """
    m = pgf_coef.shape[0]
    s = 0.0
    psi = 0.0
    g = 0.0
    for _ in range(max_iter):
        psi = 0.0
        for i in range(m - 1, -1, -1):
            psi = psi * s + pgf_coef[i]
        dpsi = 0.0
        for i in range(m - 1, 0, -1):
            dpsi = dpsi * s + pgf_coef[i] * i
        g = keep * psi - s
        slope = keep * dpsi - 1.0
        if g <= tol or slope >= 0.0:
            break
        s = s - g / slope
        if s > 1.0:
            s = 1.0
    psi = 0.0
    for i in range(m - 1, -1, -1):
        psi = psi * s + pgf_coef[i]
    values[0] = keep * psi - s
    values[1] = psi
    return s


@njit(cache=True)
def _pgf(coef, s):
    acc = 0.0
    for i in range(coef.shape[0] - 1, -1, -1):
        acc = acc * s + coef[i]
    return acc


@njit(cache=True)
def _query_incentive_envelope_kernel(pgf_coef, answer_prob, max_reward, sigma, effort, offers, phi, success):
    """Same recursion as :func:`_query_incentive_scan_kernel` in O(R log R) with a Li Chao tree.

    The objective (r - x - effort) q_x is the line with slope q_x and intercept -(x + effort) q_x
    evaluated at r, so f(r) is the upper envelope of the lines x = 1..r-1 at r. Line x is inserted
    once q_x is known (after step x), and each r queries the tree over positions [0, max_reward]
    (node 1 the root, children 2i and 2i + 1, each node keeping the line that wins at its
    midpoint). A line's value at a position is computed exactly as the scan computes it, so both
    agree to the last bit, and ties go to the smaller x like the scan. Same preconditions,
    outputs and return value as the scan. (The tree is written out here rather than in helper
    functions: every helper is one more function for numba to compile on first use.)
    """
    keep = 1.0 - answer_prob
    phi[0] = 1.0
    offers[0] = 0
    success[0] = 1.0 - _pgf(pgf_coef, 1.0)
    if max_reward < 1:
        return -1
    phi[1] = keep
    offers[1] = 0
    success[1] = 1.0 - _pgf(pgf_coef, keep)
    slope = np.empty(max_reward + 1)
    size = 1
    while size < max_reward + 1:
        size *= 2
    tree_line = np.full(2 * size + 2, -1, dtype=np.int32)  # line indices < 2**31; halves memory
    slope[1] = success[1]
    new_line = 1
    r = 1
    while True:
        # insert new_line: at each node keep the line that wins at the midpoint and push the
        # other one down towards the side where it can still win
        line = new_line
        node = 1
        lo = 0
        hi = max_reward
        while True:
            cur = np.int64(tree_line[node])
            if cur < 0:
                tree_line[node] = line
                break
            mid = (lo + hi) // 2
            va = (mid - line - effort) * slope[line]
            vb = (mid - cur - effort) * slope[cur]
            if va > vb or (va == vb and line < cur):
                tree_line[node] = line
                line = cur
                cur = np.int64(tree_line[node])
            if lo == hi:
                break
            va = (lo - line - effort) * slope[line]
            vb = (lo - cur - effort) * slope[cur]
            if va > vb or (va == vb and line < cur):
                node = 2 * node
                hi = mid
                continue
            va = (hi - line - effort) * slope[line]
            vb = (hi - cur - effort) * slope[cur]
            if va > vb or (va == vb and line < cur):
                node = 2 * node + 1
                lo = mid + 1
                continue
            break
        r += 1
        if r > max_reward:
            return -1
        # query: the best line at position r along the path from the root to r's leaf
        node = 1
        lo = 0
        hi = max_reward
        x = -1
        while True:
            cur = np.int64(tree_line[node])
            if cur < 0:
                break
            if x < 0:
                x = cur
            else:
                va = (r - cur - effort) * slope[cur]
                vb = (r - x - effort) * slope[x]
                if va > vb or (va == vb and cur < x):
                    x = cur
            if lo == hi:
                break
            mid = (lo + hi) // 2
            if r <= mid:
                node = 2 * node
                hi = mid
            else:
                node = 2 * node + 1
                lo = mid + 1
        offers[r] = x
        phi[r] = keep * (1.0 - slope[x])
        success[r] = 1.0 - _pgf(pgf_coef, phi[r])
        if slope[x] >= sigma:
            return r
        slope[r] = success[r]
        new_line = r


@njit(cache=True)
def _split_contract_kernel(pgf_coef, answer_prob, reward, rho, effort, caps, policy, cand, deliver):
    """Equilibrium of the split-contract game on a Galton-Watson tree, by backward induction.

    Splits lie on the grid s_a = rho**a, a = 1..C, so every amount that flows is
    ``reward * rho**J`` for an integer J (J = 0: the holder's bounty; a node that demands s_b from
    its recruits receives index b + J_child). A node's state is (a, E): a the split index it was
    given, E the largest index it can forward so that it and every node above it keeps at least one
    unit (E <= caps[a]; E < 0: it forwards nothing). It chooses b in 1..E to maximise
    sum_j ((1 - s_a) reward rho**j - effort) P(J = j); its recruits are then in state
    (b, min(caps[b], E - b)), whose E is smaller, so one pass over E = 0..C solves the game
    exactly (ties go to the smallest b). A node forwards the smallest index among its recruits'
    (the largest amount): P(best <= i) = 1 - psi(1 - F(i)).

    Preconditions: ``pgf_coef`` float64 pmf; ``caps`` int64 (C + 1,), caps[0] unused, entries in
    [-1, C]; ``policy`` int64 (C + 1, C + 1), ``cand`` float64 (C + 1, C + 1) (work space: the
    index distribution of a node that demands b, for the bound being solved) and ``deliver``
    float64 (C + 1, C + 1, C + 1), all overwritten. On return ``policy[a, E]`` is the b chosen in
    state (a, E) (0: none) and ``deliver[a, E, :]`` the index distribution of a node in state
    (a, E) (mass only at indices <= E). O(C^3 (1 + deg psi)) time, O(C^3) memory.
    """
    C = caps.shape[0] - 1
    h = answer_prob
    powers = np.empty(C + 1)
    for j in range(C + 1):
        powers[j] = rho ** j
    for a in range(C + 1):
        for e in range(C + 1):
            policy[a, e] = 0
            for j in range(C + 1):
                deliver[a, e, j] = 0.0
    for a in range(1, C + 1):
        if caps[a] >= 0:
            deliver[a, 0, 0] = h  # bound 0: it can only hold the answer itself
    weighted = np.empty(C + 1)  # sum_j rho**j cand[b, j], per b
    mass = np.empty(C + 1)  # sum_j cand[b, j], per b
    for e in range(1, C + 1):
        for b in range(1, e + 1):
            for j in range(C + 1):
                cand[b, j] = 0.0
            cand[b, 0] = h
            ec = min(caps[b], e - b)
            if ec >= 0:
                cum = 0.0
                prev = 0.0
                for i in range(ec + 1):
                    cum += deliver[b, ec, i]
                    pmin = 1.0 - _pgf(pgf_coef, 1.0 - cum)
                    cand[b, b + i] = (1.0 - h) * (pmin - prev)
                    prev = pmin
            acc_w = 0.0
            acc_m = 0.0
            for j in range(e + 1):
                acc_w += powers[j] * cand[b, j]
                acc_m += cand[b, j]
            weighted[b] = acc_w
            mass[b] = acc_m
        for a in range(1, C + 1):
            if caps[a] < e:
                continue
            kept = (1.0 - powers[a]) * reward
            best = -np.inf
            best_b = 0
            for b in range(1, e + 1):
                value = kept * weighted[b] - effort * mass[b]
                if value > best:
                    best = value
                    best_b = b
            policy[a, e] = best_b
            for j in range(e + 1):
                deliver[a, e, j] = cand[best_b, j]
