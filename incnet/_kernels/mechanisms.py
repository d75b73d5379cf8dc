"""Kernels for referral mechanisms over parent arrays, and the query-incentive recursion.

A referral forest is a parent array ``parents`` (int64, ``-1`` for a root). The validated front end
(:mod:`incnet.mechanisms`) checks ranges and cycles through :func:`_forest_order_kernel` and then
passes ``order`` (every node after its parent, i.e. reversed: children before parents) to the
payment kernels. Nothing here imports from incnet.
"""

import numpy as np

from ._jit import njit

__all__ = [
    "_forest_order_kernel",
    "_geometric_payments_kernel",
    "_schedule_payments_kernel",
    "_schedule_levels_kernel",
    "_chain_table_payments_kernel",
    "_query_incentive_scan_kernel",
    "_query_incentive_envelope_kernel",
    "_split_contract_kernel",
]


@njit(cache=True)
def _forest_order_kernel(parents, order, depth, bfs_parents):
    """Breadth-first order of a parent array, roots first.

    Preconditions: ``parents`` int64 of length n with every entry in ``[-1, n)``; ``order``,
    ``depth`` and ``bfs_parents`` int64 of length n (overwritten). Writes the reached nodes into
    ``order[:reached]`` (each node after its parent), their depth (roots 0) into ``depth``
    (unreached nodes get -1), and in ``bfs_parents[j]`` the position in ``order`` of the parent of
    ``order[j]`` (-1 for roots), always smaller than ``j``. When every parent has a smaller label
    than its child, index order is used as is (one sequential pass); otherwise a breadth-first
    pass builds it, and then ``bfs_parents`` is also non-decreasing. Returns ``reached``:
    ``reached < n`` exactly when the array contains a cycle (a node that is not a descendant of
    any root).
    """
    n = parents.shape[0]
    sorted_labels = True
    for v in range(n):
        if parents[v] >= v:
            sorted_labels = False
            break
    if sorted_labels:
        for v in range(n):
            order[v] = v
            p = parents[v]
            bfs_parents[v] = p
            depth[v] = 0 if p < 0 else depth[p] + 1
        return n
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
    pos = 0
    while pos < head:
        u = order[pos]
        for q in range(counts[u], counts[u + 1]):
            c = children[q]
            depth[c] = depth[u] + 1
            order[head] = c
            bfs_parents[head] = pos
            head += 1
        pos += 1
    return head


@njit(cache=True)
def _geometric_payments_kernel(order, bfs_parents, contributions, a, b, out):
    """Geometric payments R(u) = sum over v in subtree(u) of a * b**d(u, v) * C(v).

    Preconditions: ``order`` and ``bfs_parents`` from :func:`_forest_order_kernel` on an acyclic
    forest; ``contributions`` and ``out`` float64 of shape (n, k), ``out`` overwritten. Uses
    R(u) = a C(u) + b * sum over children c of R(c), run over positions from the last (children
    before parents): O(n k).
    """
    n, k = contributions.shape
    work = np.empty((n, k))
    for j in range(n):
        v = order[j]
        for c in range(k):
            work[j, c] = a * contributions[v, c]
    for j in range(n - 1, -1, -1):
        p = bfs_parents[j]
        if p >= 0:
            for c in range(k):
                work[p, c] += b * work[j, c]
    for j in range(n):
        v = order[j]
        for c in range(k):
            out[v, c] = work[j, c]


@njit(cache=True)
def _schedule_payments_kernel(parents, contributions, schedule, out):
    """Positional payments: the k-th ancestor of each contributor v gets ``schedule[k] * C(v)``.

    Preconditions: acyclic ``parents``; ``contributions`` and ``out`` float64 (n, k), ``out``
    overwritten; ``schedule`` float64 (m,). Walks at most m levels up from each contributor:
    O(n m) in the worst case.
    """
    n, k = contributions.shape
    m = schedule.shape[0]
    for v in range(n):
        for c in range(k):
            out[v, c] = 0.0
    for v in range(n):
        any_positive = False
        for c in range(k):
            if contributions[v, c] != 0.0:
                any_positive = True
        if not any_positive:
            continue
        u = v
        level = 0
        while u >= 0 and level < m:
            w = schedule[level]
            for c in range(k):
                out[u, c] += w * contributions[v, c]
            u = parents[u]
            level += 1


@njit(cache=True)
def _schedule_levels_kernel(order, bfs_parents, contributions, schedule, out):
    """Same result as :func:`_schedule_payments_kernel`, one pass per level.

    Level k holds, for every node, the contribution delivered exactly k levels below it; it is
    pushed one level up by a pass over the positions of ``order``. O(n m), which beats walking
    up from every contributor when most nodes contribute. Preconditions: ``order``, ``bfs_parents`` from
    :func:`_forest_order_kernel`; ``contributions``, ``out`` float64 (n, k), ``out``
    overwritten; ``schedule`` float64 (m,), cut by the caller at the forest's depth + 1 (each
    level costs a pass).
    """
    n, k = contributions.shape
    m = schedule.shape[0]
    level = np.empty((n, k))
    above = np.zeros((n, k))
    total = np.empty((n, k))
    for j in range(n):
        v = order[j]
        for c in range(k):
            level[j, c] = contributions[v, c]
            total[j, c] = schedule[0] * level[j, c]
    for step in range(1, m):
        for j in range(n):
            p = bfs_parents[j]
            if p >= 0:
                for c in range(k):
                    above[p, c] += level[j, c]
        w = schedule[step]
        # one pass both accumulates this level and clears the buffer the next level fills
        for j in range(n):
            for c in range(k):
                total[j, c] += w * above[j, c]
                level[j, c] = 0.0
        level, above = above, level
    for j in range(n):
        v = order[j]
        for c in range(k):
            out[v, c] = total[j, c]


@njit(cache=True)
def _chain_table_payments_kernel(parents, depth, contributions, row_of_length, table_ptr, table, out):
    """Length-dependent chain payments: a contributor v at depth d pays ``table`` row of length d+1.

    Preconditions: acyclic ``parents``; ``depth`` from :func:`_forest_order_kernel`;
    ``row_of_length[L]`` is the row index of chain length L (or -1 when no contributor has it);
    row r of the ragged table is ``table[table_ptr[r]:table_ptr[r + 1]]`` and holds L payments,
    index 0 the contributor, index j its j-th ancestor. ``out`` float64 (n, k) overwritten.
    O(sum of contributor depths).
    """
    n, k = contributions.shape
    for v in range(n):
        for c in range(k):
            out[v, c] = 0.0
    for v in range(n):
        any_positive = False
        for c in range(k):
            if contributions[v, c] != 0.0:
                any_positive = True
        if not any_positive:
            continue
        row = row_of_length[depth[v] + 1]
        start = table_ptr[row]
        u = v
        level = 0
        while u >= 0:
            w = table[start + level]
            for c in range(k):
                out[u, c] += w * contributions[v, c]
            u = parents[u]
            level += 1


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
def _pgf(coef, s):
    acc = 0.0
    for i in range(coef.shape[0] - 1, -1, -1):
        acc = acc * s + coef[i]
    return acc


@njit(cache=True)
def _line_beats(slope, a, b, pos, effort):
    # line x evaluated at r is (r - x - effort) q_x, computed exactly as the scan does so that both
    # agree to the last bit; ties go to the smaller x
    va = (pos - a - effort) * slope[a]
    vb = (pos - b - effort) * slope[b]
    return va > vb or (va == vb and a < b)


@njit(cache=True)
def _lichao_insert(slope, tree_line, lo_all, hi_all, line, effort):
    # Li Chao tree over integer positions [lo_all, hi_all]; node 1 is the root, children 2i, 2i+1
    node = 1
    lo = lo_all
    hi = hi_all
    while True:
        cur = tree_line[node]
        if cur < 0:
            tree_line[node] = line
            return
        mid = (lo + hi) // 2
        if _line_beats(slope, line, cur, mid, effort):
            tree_line[node] = line
            line = cur
        if lo == hi:
            return
        if _line_beats(slope, line, tree_line[node], lo, effort):
            node = 2 * node
            hi = mid
        elif _line_beats(slope, line, tree_line[node], hi, effort):
            node = 2 * node + 1
            lo = mid + 1
        else:
            return


@njit(cache=True)
def _lichao_query(slope, tree_line, lo_all, hi_all, r, effort):
    node = 1
    lo = lo_all
    hi = hi_all
    best_line = -1
    while True:
        cur = tree_line[node]
        if cur < 0:
            return best_line
        if best_line < 0 or _line_beats(slope, cur, best_line, r, effort):
            best_line = cur
        if lo == hi:
            return best_line
        mid = (lo + hi) // 2
        if r <= mid:
            node = 2 * node
            hi = mid
        else:
            node = 2 * node + 1
            lo = mid + 1


@njit(cache=True)
def _query_incentive_envelope_kernel(pgf_coef, answer_prob, max_reward, sigma, effort, offers, phi, success):
    """Same recursion as :func:`_query_incentive_scan_kernel` in O(R log R) with a Li Chao tree.

    The objective (r - x - effort) q_x is the line with slope q_x and intercept -(x + effort) q_x
    evaluated at r, so f(r) is the upper envelope of the lines x = 1..r-1 at r. Line x is inserted
    once q_x is known (after step x), and each r queries the tree over positions [0, max_reward].
    Ties are broken towards the smaller x, like the scan. Same preconditions, outputs and return
    value as the scan.
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
    _lichao_insert(slope, tree_line, 0, max_reward, 1, effort)
    for r in range(2, max_reward + 1):
        x = _lichao_query(slope, tree_line, 0, max_reward, r, effort)
        offers[r] = x
        phi[r] = keep * (1.0 - slope[x])
        success[r] = 1.0 - _pgf(pgf_coef, phi[r])
        if slope[x] >= sigma:
            return r
        slope[r] = success[r]
        _lichao_insert(slope, tree_line, 0, max_reward, r, effort)
    return -1


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
