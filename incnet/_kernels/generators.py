"""numba kernels of the random-graph generators (see ``incnet.datasets.generators``).

Plain functions over arrays: no validation, no incnet imports. Each kernel draws its random
numbers from its own splitmix64 stream started at an integer seed, so a seed gives the same
graph in every process and no global random state is touched.
"""

import numpy as np

from ._jit import njit
from ._splitmix import GOLDEN, mix64

__all__ = ["barabasi_albert_kernel", "erdos_renyi_kernel"]

_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def _next_uniform(state):
    """Advance a splitmix64 state; return (new state, a uniform float in [0, 1))."""
    state = state + GOLDEN
    z = mix64(state)
    return state, float(z >> np.uint64(11)) * _TO_UNIT


@njit(cache=True)
def barabasi_albert_kernel(n, m, seed, indptr, indices):
    """Barabási–Albert preferential attachment, written straight into symmetric CSR arrays.

    The model of ``networkx.barabasi_albert_graph``: a star on nodes ``0 .. m`` (hub 0), then
    each new node ``v = m+1 .. n-1`` links to ``m`` distinct earlier nodes, each drawn with
    probability proportional to its current degree (uniform draws from the list in which every
    node appears once per link end, repeated until ``m`` distinct nodes are found).

    Preconditions: ``1 <= m < n``; ``indptr`` int64 of length ``n + 1``; ``indices`` of an
    integer type with length ``2 * m * (n - m)`` (twice the number of edges).

    Writes ``indptr`` and ``indices`` (row ``i`` lists ``i``'s neighbours in increasing order,
    no self-loops, no duplicates). Returns nothing.

    Row ``i`` holds first the nodes ``i`` chose (all smaller than ``i``), then the later nodes
    that chose ``i`` in the order they arrived, which is increasing: only the ``m`` own choices
    need sorting, so no global sort is needed.
    """
    n_edges = m * (n - m)
    # The list of link ends, from which a uniform draw is a degree-proportional draw. Edge e joins
    # source(e) > targets[e]: the star edges e < m have source e + 1, and new node v owns the m
    # edges from m * (v - m) on, so sources need no array. Work arrays share the index dtype
    # (int32 halves the memory traffic of the random accesses that dominate the run time).
    ends = np.empty_like(indices)
    targets = np.empty_like(indices[:n_edges])
    degree = np.zeros(n, dtype=np.int64)
    n_ends = 0
    for j in range(1, m + 1):  # the initial star
        targets[j - 1] = 0
        ends[n_ends] = 0
        ends[n_ends + 1] = j
        n_ends += 2
        degree[0] += 1
        degree[j] += 1
    state = np.uint64(seed)
    chosen = np.empty(m, dtype=np.int64)
    e = m
    for v in range(m + 1, n):
        k = 0
        while k < m:
            state, u = _next_uniform(state)
            t = ends[int(u * n_ends)]
            duplicate = False
            for q in range(k):
                if chosen[q] == t:
                    duplicate = True
                    break
            if not duplicate:
                chosen[k] = t
                k += 1
        for q in range(m):
            t = chosen[q]
            targets[e] = t
            e += 1
            ends[n_ends] = t
            ends[n_ends + 1] = v
            n_ends += 2
            degree[t] += 1
            degree[v] += 1

    indptr[0] = 0
    for i in range(n):
        indptr[i + 1] = indptr[i] + degree[i]
    # row i starts with its own choices (smaller ids): 1 for the star leaves, m for later nodes
    lower = indptr[:-1].copy()
    upper = indptr[:-1].copy()
    for i in range(1, n):
        upper[i] += 1 if i <= m else m
    for e in range(n_edges):  # edges are ordered by source, so upper parts fill in order
        s = e + 1 if e < m else m + 1 + (e - m) // m
        t = targets[e]
        indices[lower[s]] = t
        lower[s] += 1
        indices[upper[t]] = s
        upper[t] += 1
    for i in range(m + 1, n):
        start = indptr[i]
        for a in range(start + 1, start + m):  # insertion sort of the m own choices
            value = indices[a]
            b = a - 1
            while b >= start and indices[b] > value:
                indices[b + 1] = indices[b]
                b -= 1
            indices[b + 1] = value


@njit(cache=True)
def erdos_renyi_kernel(n, p, seed, directed, capacity, rows, cols):
    """Erdős–Rényi G(n, p) by geometric skipping over the candidate pairs (Batagelj–Brandes).

    Candidate pairs are enumerated in row-major order (``i < j`` for undirected, every
    ``i != j`` for directed); the gap to the next present pair is geometric, so the cost is
    O(n + edges) rather than O(n^2).

    Preconditions: ``0 < p < 1``; ``rows`` and ``cols`` int64 arrays of length ``capacity``.

    Writes up to ``capacity`` pairs into ``rows``/``cols`` in increasing row-major order.
    Returns the number of pairs generated; if it exceeds ``capacity`` only the first
    ``capacity`` were written and the caller must retry with more room (same seed, same graph).
    """
    log_q = np.log1p(-p)
    n_pairs = float(n) * float(n)
    state = np.uint64(seed)
    count = 0
    i = 0
    j = -1
    while i < n:
        state, u = _next_uniform(state)
        gap = np.floor(np.log1p(-u) / log_q)
        if gap >= n_pairs:  # past the last pair (also keeps the int conversion in range)
            break
        j += int(gap) + 1
        while i < n:  # carry the offset over rows that it passes
            if directed:
                row_len = n - 1
            else:
                row_len = n - 1 - i
            if j < row_len:
                break
            j -= row_len
            i += 1
        if i >= n:
            break
        if directed:
            col = j if j < i else j + 1
        else:
            col = i + 1 + j
        if count < capacity:
            rows[count] = i
            cols[count] = col
        count += 1
    return count
