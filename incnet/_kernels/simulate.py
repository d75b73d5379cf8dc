"""Monte Carlo kernels for recruitment, time-critical search and plain diffusion.

Shared conventions (the validated front end in :mod:`incnet.simulate` guarantees them):

- ``indptr`` (int64, length n + 1) and ``indices`` (int32, or int64 beyond 2**31 nodes) are the
  CSR structure of the network; the contacts of node ``u`` are ``indices[indptr[u]:indptr[u + 1]]``.
  Per-node buffers are 32-bit (n < 2**31) where one field fits: random accesses dominate, and
  halving their size keeps more of them in cache.
- ``run_seeds`` (int64, one per run) seed one independent random stream per run: a SplitMix64
  generator, whose whole state is one 64-bit word, so a run's result depends on its seed alone and
  never on the thread that computes it (numba's own ``np.random`` keeps one state per thread).
  The diffusion kernels take one ``key`` per call instead and derive run ``r``'s stream from
  ``(key, r)``, so a call of many small cascades draws no per-run seeds in Python.
  Exponential and normal variates (recruitment delays, geometric skips) come from 256-layer
  ziggurats: one 64-bit draw and a multiplication in ~98% of the cases, instead of a logarithm.
- Which recruitment attempts succeed is drawn without a random number per edge: geometric skips
  (one draw per success) for small probabilities, and for p >= ``BITMASK_MIN_PROB`` bit masks of
  64 contacts (about log2(degree) + 2 draws per node), whose set bits are then visited in order.
- Runs are spread over ``n_chunks`` chunks in a ``prange``; each chunk allocates its buffers once
  (O(n) for a graph) and reuses them across its runs, with *stamps* (the run's number within
  the chunk) instead of clearing per-node arrays between runs.
- The diffusion kernels (independent cascade, linear threshold) also have a serial entry that
  runs on the calling thread until a work budget is spent: a batch of small cascades then never
  pays for waking the thread pool, and the parallel entry takes the remaining runs.
- Outputs are preallocated by the caller and indexed by run; every run writes only its own rows.
- Events are ordered by (time, node): ties in time, such as the initial participants all joining
  at time 0 or fixed delays, are broken by the smaller node index (on a branching process, the
  smaller recruiter number). The order of events, and so a run's random draws, is then a
  function of the run's seed alone: it does not depend on the deadline (which only drops
  events after it), on the heap's shape, on the thread or on the batch.

Nothing here validates, or imports incnet.
"""

import math

import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from ._jit import njit
from ._splitmix import GOLDEN as _GOLDEN
from ._splitmix import mix64

__all__ = [
    "recruitment_graph_kernel",
    "recruitment_branching_kernel",
    "independent_cascade_kernel",
    "independent_cascade_serial_kernel",
    "linear_threshold_kernel",
    "linear_threshold_serial_kernel",
    "spread_moments",
]

_TWO_M53 = 1.0 / 9007199254740992.0

# Columns of the per-run integer statistics written by the recruitment kernels.
STAT_PARTICIPANTS = 0
STAT_MAX_DEPTH = 1
STAT_CAPPED = 2
STAT_EDGE_VISITS = 3
STAT_FOUND = 4
N_STATS = 5

DELAY_EXPONENTIAL = 0
DELAY_LOGNORMAL = 1
DELAY_FIXED = 2


@njit(cache=True)
def _mix(z):
    return mix64(z)


@njit(cache=True)
def _seed_state(state, seed):
    state[0] = _mix(np.uint64(seed) + _GOLDEN)


@njit(cache=True)
def _uniform(state):
    """A float64 in the open interval (0, 1) (SplitMix64, 53 bits); the state in ``state[0]``."""
    state[0], u = _uniform_s(state[0])
    return u


# 256-layer ziggurats (Marsaglia & Tsang 2000) for the standard normal and exponential laws.
# One 64-bit draw gives the layer (low 8 bits) and, from disjoint bits, the abscissa; ~98% of the
# draws are accepted at once, at the cost of a multiplication instead of a logarithm.
_NOR_R = 3.6541528853610088
_NOR_V = 0.00492867323399
_EXP_R = 7.69711747013104972
_EXP_V = 0.0039496598225815571993
_TWO_52 = 4503599627370496.0


@njit(cache=True)
def _ziggurat_tables():
    """``(edge, width, height)``, each (2, 256): row 0 the normal ziggurat, row 1 the exponential.

    Layer ``i`` of a law accepts an abscissa ``u * width[i]`` at once when ``|u| < edge[i]``
    (``u`` in units of 2**-52); ``height`` holds the density at the layer boundaries.
    """
    edge = np.zeros((2, 256))
    width = np.zeros((2, 256))
    height = np.zeros((2, 256))
    x = _NOR_R
    q = _NOR_V / math.exp(-0.5 * x * x)
    edge[0, 0] = x / q * _TWO_52
    width[0, 0] = q / _TWO_52
    width[0, 255] = x / _TWO_52
    height[0, 0] = 1.0
    height[0, 255] = math.exp(-0.5 * x * x)
    for i in range(254, 0, -1):
        inner = math.sqrt(-2.0 * math.log(_NOR_V / x + math.exp(-0.5 * x * x)))
        edge[0, i + 1] = inner / x * _TWO_52
        x = inner
        height[0, i] = math.exp(-0.5 * x * x)
        width[0, i] = x / _TWO_52
    x = _EXP_R
    q = _EXP_V / math.exp(-x)
    edge[1, 0] = x / q * _TWO_52
    width[1, 0] = q / _TWO_52
    width[1, 255] = x / _TWO_52
    height[1, 0] = 1.0
    height[1, 255] = math.exp(-x)
    for i in range(254, 0, -1):
        inner = -math.log(_EXP_V / x + math.exp(-x))
        edge[1, i + 1] = inner / x * _TWO_52
        x = inner
        height[1, i] = math.exp(-x)
        width[1, i] = x / _TWO_52
    return edge, width, height


@njit(cache=True, inline="always")
def _next(state):
    state[0] += _GOLDEN
    return _mix(state[0])


@njit(cache=True, inline="always")
def _normal(state, edge, width, height):
    """A standard normal draw (ziggurat)."""
    while True:
        r = _next(state)
        i = np.int64(r & np.uint64(255))
        # 53 signed bits, symmetric about 0: the sign and the magnitude in one number
        u = np.float64(np.int64(r >> np.uint64(11)) - np.int64(4503599627370496)) + 0.5
        if abs(u) < edge[0, i]:
            return u * width[0, i]
        if i == 0:
            # the tail beyond r (Marsaglia 1964)
            while True:
                x = -math.log(_uniform(state)) / _NOR_R
                y = -math.log(_uniform(state))
                if y + y > x * x:
                    return -(_NOR_R + x) if u < 0 else _NOR_R + x
        x = u * width[0, i]
        if height[0, i] + _uniform(state) * (height[0, i - 1] - height[0, i]) < math.exp(-0.5 * x * x):
            return x


@njit(cache=True)
def _exponential(state, edge, width, height):
    """A standard exponential draw (ziggurat)."""
    extra = 0.0
    while True:
        r = _next(state)
        i = np.int64(r & np.uint64(255))
        u = np.float64(r >> np.uint64(12)) + 0.5
        if u < edge[1, i]:
            return extra + u * width[1, i]
        if i == 0:
            # memoryless tail: beyond r the law is r + Exp(1)
            extra += _EXP_R
            continue
        x = u * width[1, i]
        if height[1, i] + _uniform(state) * (height[1, i - 1] - height[1, i]) < math.exp(-x):
            return extra + x


@njit(cache=True)
def _below(state, n):
    """A uniform integer in [0, n)."""
    k = np.int64(_uniform(state) * n)
    return k if k < n else n - 1


@njit(cache=True, inline="always")
def _delay(state, kind, a, b, mu, edge, width, height):
    """One recruitment delay: exponential (mean a), lognormal (mean a, log-sd b; mu the log-mean)
    or fixed a."""
    if kind == 0:
        return a * _exponential(state, edge, width, height)
    if kind == 1:
        return math.exp(mu + b * _normal(state, edge, width, height))
    return a


# A finite cap on -1/log(1 - p): for p near the smallest double the ratio overflows to inf, and
# a zero exponential variate times inf is NaN, which as an index writes out of bounds. Skips of
# 1e300 contacts are as good as never.
_MAX_INV_RATE = 1e300


@njit(cache=True, inline="always")
def _skip(state, inv_rate, edge, width, height):
    """Failures before the next success of Bernoulli(p) trials, as a float (may exceed int range).

    ``inv_rate`` is ``-1 / log(1 - p)``: floor(E * inv_rate), E ~ Exp(1), is geometric."""
    # np.floor, not math.floor: numba's math.floor returns an int64, which wraps for skips
    # beyond 2**63 (p below about 1e-19) into a negative, out-of-bounds index
    return np.floor(_exponential(state, edge, width, height) * inv_rate)


@njit(cache=True)
def _heap_push(ht, hk, size, t, key):
    """Insert (t, key) into the 4-ary min-heap on ``ht`` (times) holding ``size`` items.

    Four children per node halve the depth of a binary heap, and the children of a node share
    a cache line, which is what a heap of pending recruitments spends its time on.
    """
    i = size
    while i > 0:
        up = (i - 1) >> 2
        if ht[up] < t or (ht[up] == t and hk[up] <= key):
            break
        ht[i] = ht[up]
        hk[i] = hk[up]
        i = up
    ht[i] = t
    hk[i] = key
    return size + 1


@njit(cache=True)
def _heap_pop(ht, hk, size):
    """Remove the root of a heap of ``size`` items (read ht[0], hk[0] before calling)."""
    size -= 1
    t = ht[size]
    key = hk[size]
    i = 0
    while True:
        first = 4 * i + 1
        if first >= size:
            break
        best = first
        best_t = ht[first]
        last = min(first + 4, size)
        for c in range(first + 1, last):
            if ht[c] < best_t or (ht[c] == best_t and hk[c] < hk[best]):
                best = c
                best_t = ht[c]
        if best_t > t or (best_t == t and hk[best] >= key):
            break
        ht[i] = best_t
        hk[i] = hk[best]
        i = best
    if size > 0:
        ht[i] = t
        hk[i] = key
    return size


@intrinsic
def _trailing_zeros(typingctx, x):
    """Index of the lowest set bit of a non-zero uint64 (one ``tzcnt`` instruction)."""
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))

    return sig, codegen


#: Below this recruitment probability attempts are drawn by geometric skips, above by bit masks.
BITMASK_MIN_PROB = 1.0 / 32.0
_TWO_64 = 18446744073709551616.0


@njit(cache=True, inline="always")
def _bernoulli_bits(state, threshold, lanes):
    """:func:`_bits_s` on the state held in ``state[0]``: the hits only."""
    state[0], hits = _bits_s(state[0], threshold, lanes)
    return hits


@njit(cache=True, inline="always")
def _sift_up(heap_time, heap_node, where, i, t, u):
    """Place node u with key t at heap slot i or above (4-ary min-heap indexed by ``where``)."""
    while i > 0:
        up = (i - 1) >> 2
        if heap_time[up] < t or (heap_time[up] == t and heap_node[up] < u):
            break
        heap_time[i] = heap_time[up]
        w = heap_node[up]
        heap_node[i] = w
        where[w] = i
        i = up
    heap_time[i] = t
    heap_node[i] = u
    where[u] = i


@njit(cache=True, inline="always")
def _pop_root(heap_time, heap_node, where, size):
    """Remove the root of an indexed heap of ``size`` items (read it first); returns the new size.

    Four children per node halve the depth of a binary heap, and the four share a cache line.
    """
    size -= 1
    t = heap_time[size]
    u = heap_node[size]
    i = 0
    while True:
        first = 4 * i + 1
        if first >= size:
            break
        best = first
        best_t = heap_time[first]
        last = min(first + 4, size)
        for c in range(first + 1, last):
            if heap_time[c] < best_t or (heap_time[c] == best_t and heap_node[c] < heap_node[best]):
                best = c
                best_t = heap_time[c]
        if best_t > t or (best_t == t and heap_node[best] > u):
            break
        heap_time[i] = best_t
        w = heap_node[best]
        heap_node[i] = w
        where[w] = i
        i = best
    if size > 0:
        heap_time[i] = t
        heap_node[i] = u
        where[u] = i
    return size


@njit(cache=True, inline="always")
def _snapshot(row, participants, max_depth, capped, visits, n_found):
    """Write a run's stats row (the layout of ``stats``)."""
    row[0] = participants
    row[1] = max_depth
    row[2] = capped
    row[3] = visits
    row[4] = n_found


@njit(cache=True, inline="always")
def _checkpoint(row, profile_row, profile, participants, max_depth, capped, visits, n_found):
    """The stats and depth profile of a run so far, as the same run with an earlier deadline ends."""
    _snapshot(row, participants, max_depth, capped, visits, n_found)
    # a loop, not a slice copy: numba's array-to-array slice assignment (broadcasting, overlap
    # checks) is several times the code, compiled again in every kernel that inlines this
    for d in range(max_depth + 1):
        profile_row[d] = profile[d]


@njit(cache=True)
def _graph_run(indptr, indices, seed_nodes, n_random_seeds, target_nodes, n_random_targets,
               find_prob, recruit_prob, thresholds, report_prob, pay_total, delay_kind, delay_a, delay_b,
               deadline, cap, state, edge, width, height, stamp, joined, tentative, tent_stamp, tent_parent, target_stamp,
               target_of, depth_of, ht, hk, where, found_time, paid_target, stats, profile,
               record, rec_start, rec_node, rec_parent, rec_depth, rec_time, checkpoints, cp_stats, cp_profile,
               cp_paid):
    """One recruitment run on a graph; returns the total paid. See recruitment_graph_kernel.

    Dijkstra over random delays: every pending contact sits once in the heap, keyed by its
    earliest successful attempt so far (decrease-key through ``where``), so a pop is a join.
    """
    n = indptr.shape[0] - 1
    horizon = recruit_prob.shape[0] - 1
    delay_mu = math.log(delay_a) - 0.5 * delay_b * delay_b if delay_kind == 1 else 0.0
    n_targets = found_time.shape[0]
    # hide the targets: stamped nodes carry the target's column
    if n_random_targets > 0:
        placed = 0
        while placed < n_random_targets:
            v = _below(state, n)
            if target_stamp[v] != stamp:
                target_stamp[v] = stamp
                target_of[v] = placed
                placed += 1
    else:
        for j in range(target_nodes.shape[0]):
            target_stamp[target_nodes[j]] = stamp
            target_of[target_nodes[j]] = j
    size = 0
    if n_random_seeds > 0:
        placed = 0
        while placed < n_random_seeds:
            v = _below(state, n)
            if tent_stamp[v] != stamp:
                tent_stamp[v] = stamp
                tentative[v] = 0.0
                tent_parent[v] = -1
                _sift_up(ht, hk, where, size, 0.0, v)
                size += 1
                placed += 1
    else:
        for j in range(seed_nodes.shape[0]):
            v = seed_nodes[j]
            if tent_stamp[v] != stamp:
                tent_stamp[v] = stamp
                tentative[v] = 0.0
                tent_parent[v] = -1
                _sift_up(ht, hk, where, size, 0.0, v)
                size += 1
    participants = 0
    max_depth = 0
    visits = 0
    n_found = 0
    paid = 0.0
    capped = 0
    all_lanes = np.uint64(0xFFFFFFFFFFFFFFFF)
    next_cp = 0
    while size > 0:
        t = ht[0]
        v = hk[0]
        while next_cp < checkpoints.shape[0] and checkpoints[next_cp] < t:
            _checkpoint(cp_stats[next_cp], cp_profile[next_cp], profile, participants, max_depth, 0,
                        visits, n_found)
            cp_paid[next_cp] = paid
            next_cp += 1
        if participants >= cap:
            capped = 1
            break
        size = _pop_root(ht, hk, where, size)
        parent = tent_parent[v]
        joined[v] = stamp
        d = 0 if parent < 0 else depth_of[parent] + 1
        depth_of[v] = d
        if record:
            rec_node[rec_start + participants] = v
            rec_parent[rec_start + participants] = parent
            rec_depth[rec_start + participants] = d
            rec_time[rec_start + participants] = t
        participants += 1
        profile[d] += 1
        if d > max_depth:
            max_depth = d
        start = indptr[v]
        degree = indptr[v + 1] - start
        visits += degree
        done = False
        if n_targets > 0:
            if find_prob > 0.0:
                if _uniform(state) < find_prob and _uniform(state) < report_prob[d]:
                    found_time[0] = t
                    paid_target[0] = pay_total[d]
                    paid += pay_total[d]
                    n_found = 1
                    done = True
            elif target_stamp[v] == stamp:
                if _uniform(state) < report_prob[d]:
                    j = target_of[v]
                    found_time[j] = t
                    paid_target[j] = pay_total[d]
                    paid += pay_total[d]
                    n_found += 1
                    done = n_found == n_targets
        if done:
            break
        p = recruit_prob[d] if d < horizon else 0.0
        if p <= 0.0 or degree == 0:
            continue
        end = start + degree
        if p >= BITMASK_MIN_PROB:
            # 64 contacts at a time: draw which attempts succeed, then visit only those
            for base in range(start, end, 64):
                m = end - base
                lanes = all_lanes if m >= 64 else (np.uint64(1) << np.uint64(m)) - np.uint64(1)
                hits = lanes if p >= 1.0 else _bernoulli_bits(state, thresholds[d], lanes)
                while hits:
                    u = indices[base + np.int64(_trailing_zeros(hits))]
                    hits &= hits - np.uint64(1)
                    if joined[u] == stamp:
                        continue
                    arrival = t + _delay(state, delay_kind, delay_a, delay_b, delay_mu, edge, width, height)
                    if arrival > deadline:
                        continue
                    if tent_stamp[u] == stamp:
                        if tentative[u] <= arrival:
                            continue
                        # pending: move u up to its earlier arrival (decrease-key)
                        tentative[u] = arrival
                        tent_parent[u] = v
                        _sift_up(ht, hk, where, where[u], arrival, u)
                        continue
                    tent_stamp[u] = stamp
                    tentative[u] = arrival
                    tent_parent[u] = v
                    _sift_up(ht, hk, where, size, arrival, u)
                    size += 1
            continue
        # rare attempts: jump from one success to the next (geometric skips)
        inv_rate = min(-1.0 / math.log1p(-p), _MAX_INV_RATE)
        pos = -1.0
        while True:
            pos += 1.0 + _skip(state, inv_rate, edge, width, height)
            if pos >= degree:
                break
            u = indices[start + np.int64(pos)]
            if joined[u] == stamp:
                continue
            arrival = t + _delay(state, delay_kind, delay_a, delay_b, delay_mu, edge, width, height)
            if arrival > deadline:
                continue
            if tent_stamp[u] == stamp:
                if tentative[u] <= arrival:
                    continue
                # pending: move u up to its earlier arrival (decrease-key)
                tentative[u] = arrival
                tent_parent[u] = v
                _sift_up(ht, hk, where, where[u], arrival, u)
                continue
            tent_stamp[u] = stamp
            tentative[u] = arrival
            tent_parent[u] = v
            _sift_up(ht, hk, where, size, arrival, u)
            size += 1
    _snapshot(stats, participants, max_depth, capped, visits, n_found)
    for m in range(next_cp, checkpoints.shape[0]):
        _checkpoint(cp_stats[m], cp_profile[m], profile, participants, max_depth, capped, visits, n_found)
        cp_paid[m] = paid
    return paid


@njit(cache=True)
def _bitmask_thresholds(recruit_prob):
    """Each p_d as a 64-bit binary fraction for the bit-mask draws (exact when p >= 2**-12); 0
    where the draws are not bit masks.

    A plain function: in the parallel kernel, ``np.zeros`` is a parallel loop of its own, which
    costs a second lowering of the kernel's whole thread-pool machinery.
    """
    thresholds = np.zeros(recruit_prob.shape[0], dtype=np.uint64)
    for d in range(recruit_prob.shape[0]):
        if BITMASK_MIN_PROB <= recruit_prob[d] < 1.0:
            thresholds[d] = np.uint64(recruit_prob[d] * _TWO_64)
    return thresholds


@njit(parallel=True, cache=True)
def recruitment_graph_kernel(indptr, indices, seed_nodes, n_random_seeds, target_nodes,
                             n_random_targets, find_prob, recruit_prob, report_prob, pay_total,
                             delay_kind, delay_a, delay_b, deadline, cap, run_seeds, n_chunks,
                             found_time, paid_target, paid, stats, profile,
                             record, rec_offsets, rec_node, rec_parent, rec_depth, rec_time,
                             checkpoints, cp_stats, cp_profile, cp_paid):
    """Event-driven recruitment and search on a graph, one independent run per entry of run_seeds.

    Preconditions: CSR arrays as in the module docstring; ``seed_nodes`` distinct int64 node
    indices (used when ``n_random_seeds == 0``, otherwise that many distinct random nodes per run,
    ``<= n``); targets either ``target_nodes`` (distinct), ``n_random_targets`` random distinct
    nodes (``<= n``) or, when ``find_prob > 0``, each participant finding with that probability
    (then ``found_time`` has one column and the first reported find ends the run);
    ``recruit_prob``, ``report_prob``, ``pay_total`` float64 of length H + 1 (per depth);
    ``found_time`` filled with inf and ``paid_target`` with 0, shape (runs, k); ``paid`` (runs,);
    ``stats`` int64 (runs, N_STATS) and ``profile`` int64 (runs, width > max possible depth)
    zero-filled. With ``record`` true, run r writes its participants (node, recruiter node or -1,
    depth, time, in joining order) at ``rec_offsets[r]`` of the ``rec_*`` arrays, which must hold
    ``stats[r, 0]`` of a previous identical call. ``checkpoints``: ascending times below the
    deadline at which run r also writes ``cp_stats[r, m]`` and ``cp_profile[r, m]`` (zero-filled,
    shapes (runs, m, N_STATS) and (runs, m, width)) and ``cp_paid[r, m]`` (zeros, shape (runs, m)):
    the stats, depth profile and total paid of the same run with deadline
    ``checkpoints[m]``, exactly, because a run's events up to a time do not depend on the deadline.
    Memory per chunk: O(n).
    """
    n = indptr.shape[0] - 1
    n_runs = run_seeds.shape[0]
    edge, width, height = _ziggurat_tables()
    thresholds = _bitmask_thresholds(recruit_prob)
    for c in prange(n_chunks):
        state = np.zeros(1, dtype=np.uint64)
        # 32-bit stamps and node numbers halve the memory traffic of the random accesses
        joined = np.zeros(n, dtype=np.int32)
        tent_stamp = np.zeros(n, dtype=np.int32)
        target_stamp = np.zeros(n, dtype=np.int32)
        tentative = np.empty(n, dtype=np.float64)
        target_of = np.empty(n, dtype=np.int32)
        depth_of = np.empty(n, dtype=np.int32)
        tent_parent = np.empty(n, dtype=np.int32)
        # each pending contact sits once in the heap (decrease-key), so n slots suffice
        ht = np.empty(n, dtype=np.float64)
        hk = np.empty(n, dtype=np.int32)
        where = np.empty(n, dtype=np.int32)
        stamp = 0
        for r in range(c, n_runs, n_chunks):
            stamp += 1
            _seed_state(state, run_seeds[r])
            paid[r] = _graph_run(
                indptr, indices, seed_nodes, n_random_seeds, target_nodes, n_random_targets,
                find_prob, recruit_prob, thresholds, report_prob, pay_total, delay_kind, delay_a, delay_b,
                deadline, cap, state, edge, width, height, stamp, joined, tentative, tent_stamp, tent_parent, target_stamp,
                target_of, depth_of, ht, hk, where, found_time[r], paid_target[r], stats[r], profile[r],
                record, rec_offsets[r], rec_node, rec_parent, rec_depth, rec_time, checkpoints,
                cp_stats[r], cp_profile[r], cp_paid[r],
            )


@njit(cache=True)
def _draw_offspring(state, cdf):
    """Inverse-CDF draw from an offspring law given its cumulative probabilities."""
    u = _uniform(state)
    lo = 0
    hi = cdf.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if cdf[mid] < u:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _branching_run(offspring_cdf, n_roots, find_prob, recruit_prob, report_prob, pay_total,
                   delay_kind, delay_a, delay_b, deadline, cap, state, edge, width, height, depth_of,
                   ht, hk, found_time, paid_target, stats, profile,
                   record, rec_start, rec_node, rec_parent, rec_depth, rec_time, checkpoints, cp_stats, cp_profile,
               cp_paid):
    """One run on a Galton-Watson tree; returns (paid, heap arrays possibly grown).

    A heap entry is (arrival time, recruiter): every successful attempt makes a new participant.
    """
    horizon = recruit_prob.shape[0] - 1
    delay_mu = math.log(delay_a) - 0.5 * delay_b * delay_b if delay_kind == 1 else 0.0
    # np.int64, not literals, in calls of the heap helpers: one specialisation each
    size = np.int64(0)
    for j in range(n_roots):
        if size == ht.shape[0]:
            ht, hk = _grow(ht, hk)
        size = _heap_push(ht, hk, size, 0.0, np.int64(-1))
    participants = 0
    max_depth = 0
    visits = 0
    n_found = 0
    paid = 0.0
    capped = 0
    next_cp = 0
    while size > 0:
        t = ht[0]
        parent = hk[0]
        while next_cp < checkpoints.shape[0] and checkpoints[next_cp] < t:
            _checkpoint(cp_stats[next_cp], cp_profile[next_cp], profile, participants, max_depth, 0,
                        visits, n_found)
            cp_paid[next_cp] = paid
            next_cp += 1
        size = _heap_pop(ht, hk, size)
        if participants >= cap:
            capped = 1
            break
        v = participants
        d = 0 if parent < 0 else depth_of[parent] + 1
        depth_of[v] = d
        if record:
            rec_node[rec_start + v] = v
            rec_parent[rec_start + v] = parent
            rec_depth[rec_start + v] = d
            rec_time[rec_start + v] = t
        participants += 1
        profile[d] += 1
        if d > max_depth:
            max_depth = d
        if find_prob > 0.0 and found_time.shape[0] > 0:
            if _uniform(state) < find_prob and _uniform(state) < report_prob[d]:
                found_time[0] = t
                paid_target[0] = pay_total[d]
                paid += pay_total[d]
                n_found = 1
                break
        contacts = _draw_offspring(state, offspring_cdf[min(d, offspring_cdf.shape[0] - 1)])
        visits += contacts
        p = recruit_prob[d] if d < horizon else 0.0
        if p <= 0.0:
            continue
        for _ in range(contacts):
            if p < 1.0 and _uniform(state) >= p:
                continue
            arrival = t + _delay(state, delay_kind, delay_a, delay_b, delay_mu, edge, width, height)
            if arrival > deadline:
                continue
            if size == ht.shape[0]:
                ht, hk = _grow(ht, hk)
            size = _heap_push(ht, hk, size, arrival, np.int64(v))  # never a literal 0
    _snapshot(stats, participants, max_depth, capped, visits, n_found)
    for m in range(next_cp, checkpoints.shape[0]):
        _checkpoint(cp_stats[m], cp_profile[m], profile, participants, max_depth, capped, visits, n_found)
        cp_paid[m] = paid
    return paid, ht, hk


@njit(cache=True)
def _grow(ht, hk):
    """The heap's arrays at twice the capacity (pending events of a branching process)."""
    size = ht.shape[0]
    ht2 = np.empty(2 * size, dtype=np.float64)
    hk2 = np.empty(2 * size, dtype=np.int32)
    for i in range(size):  # loops, not slice copies: a fifth of the compiled code
        ht2[i] = ht[i]
        hk2[i] = hk[i]
    return ht2, hk2


@njit(parallel=True, cache=True)
def recruitment_branching_kernel(offspring_cdf, n_roots, find_prob, recruit_prob, report_prob,
                                 pay_total, delay_kind, delay_a, delay_b, deadline, cap, run_seeds,
                                 n_chunks, found_time, paid_target, paid, stats, profile,
                                 record, rec_offsets, rec_node, rec_parent, rec_depth, rec_time,
                                 checkpoints, cp_stats, cp_profile, cp_paid):
    """Recruitment on a Galton-Watson process: each participant has K ~ offspring new contacts.

    Preconditions: ``offspring_cdf`` float64 (laws, support) cumulative probabilities, each row
    ending at 1; a participant at depth d draws from row ``min(d, laws - 1)``; ``n_roots``
    participants at depth 0 and time 0; targets only through ``find_prob`` (then ``found_time``
    has one column; with no column nothing is searched); per-depth arrays and outputs as in
    :func:`recruitment_graph_kernel`. Participants are numbered 0, 1, ... in joining order, and
    recorded forests use these numbers (``cap < 2**31``). Memory per chunk: O(cap) plus the
    pending events.
    """
    n_runs = run_seeds.shape[0]
    edge, width, height = _ziggurat_tables()
    for c in prange(n_chunks):
        state = np.zeros(1, dtype=np.uint64)
        depth_of = np.empty(cap + 1, dtype=np.int64)
        ht = np.empty(1024, dtype=np.float64)
        hk = np.empty(1024, dtype=np.int32)
        for r in range(c, n_runs, n_chunks):
            _seed_state(state, run_seeds[r])
            paid[r], ht, hk = _branching_run(
                offspring_cdf, n_roots, find_prob, recruit_prob, report_prob, pay_total,
                delay_kind, delay_a, delay_b, deadline, cap, state, edge, width, height, depth_of,
                ht, hk, found_time[r], paid_target[r], stats[r], profile[r],
                record, rec_offsets[r], rec_node, rec_parent, rec_depth, rec_time, checkpoints,
                cp_stats[r], cp_profile[r], cp_paid[r],
            )


# ---------------------------------------------------------------- plain diffusion (IC and LT)
#
# The cascade kernels keep a run's SplitMix64 state in a local variable (a register) instead of
# a one-element array: stores into the per-node arrays then cannot alias it, and each draw is an
# addition and a mix. The helpers take and return the state.

# The exponential ziggurat as compile-time constants of the cascade kernels: a call of a few small
# cascades spends nothing on rebuilding it (computed once at import, in plain Python).
_ZIG_EDGE, _ZIG_WIDTH, _ZIG_HEIGHT = _ziggurat_tables.py_func()
_EXP_EDGE = np.ascontiguousarray(_ZIG_EDGE[1])
_EXP_WIDTH = np.ascontiguousarray(_ZIG_WIDTH[1])
_EXP_HEIGHT = np.ascontiguousarray(_ZIG_HEIGHT[1])

#: Stamps wrap here: the per-node marks are cleared once and the stamps start again.
_STAMP_WRAP = 2**30 - 2


@intrinsic
def _prefetch(typingctx, arr, idx):
    """Hint the cache to fetch ``arr[idx]`` (``prefetcht0``; never faults, reads nothing)."""
    sig = types.void(arr, types.intp)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False)
        byte_ptr = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # read, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(ptr, byte_ptr), ir.Constant(i32, 0), ir.Constant(i32, 3),
                          ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


#: CSR entries from which the cascade prefetches the lists of the nodes next in its queue: the
#: structure then outgrows the per-core caches and every popped node is a miss (measured 1.1-1.6x
#: on BA n = 1e5, m = 5); on smaller networks the hints only add instructions.
_PREFETCH_MIN_ENTRIES = 2**19

# queue slots ahead at which the pointers (``indptr``), then the contact lists, are fetched
_AHEAD_POINTERS = 8
_AHEAD_LISTS = 4


@intrinsic
def _mulhi(typingctx, a, b):
    """High 64 bits of the 128-bit product of two uint64 (one ``mul`` instruction)."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return sig, codegen


@njit(cache=True, inline="always")
def _run_state(key, r):
    """Initial state of run ``r``'s stream: output ``r + 1`` of a SplitMix64 stream seeded by
    ``key``, so that a run's draws depend on the call's key and its number alone."""
    return _mix(np.uint64(key) + np.uint64(r + 1) * _GOLDEN)


@njit(cache=True)
def _exp_s(s):
    """``(state, x)``: a standard exponential draw (ziggurat), as :func:`_exponential`."""
    extra = 0.0
    while True:
        s += _GOLDEN
        r = _mix(s)
        i = np.int64(r & np.uint64(255))
        u = np.float64(r >> np.uint64(12)) + 0.5
        if u < _EXP_EDGE[i]:
            return s, extra + u * _EXP_WIDTH[i]
        if i == 0:
            extra += _EXP_R  # memoryless tail
            continue
        x = u * _EXP_WIDTH[i]
        s += _GOLDEN
        v = (np.float64(_mix(s) >> np.uint64(11)) + 0.5) * _TWO_M53
        if _EXP_HEIGHT[i] + v * (_EXP_HEIGHT[i - 1] - _EXP_HEIGHT[i]) < math.exp(-x):
            return s, extra + x


#: Skips are capped here before they become int64 positions: 2**61 attempts are as good as never,
#: and a position (below a degree, plus one skip) can then never wrap.
_MAX_SKIP = 2.0**61


@njit(cache=True, inline="always")
def _skip_i(s, inv_rate):
    """``(state, k)``: failures before the next success of Bernoulli(p) trials, an int64.

    ``inv_rate`` is ``-1 / log(1 - p)``: floor(E * inv_rate), E ~ Exp(1), is geometric. Floored
    as a float and capped at ``_MAX_SKIP`` before the conversion (numba's math.floor returns an
    int64 that wraps for huge skips; see :func:`_skip`)."""
    s, x = _exp_s(s)
    return s, np.int64(min(np.floor(x * inv_rate), _MAX_SKIP))


@njit(cache=True, inline="always")
def _below_s(s, n):
    """``(state, k)``: a uniform integer in [0, n), n >= 1 (Lemire's multiply-shift with its
    rejection step, so exactly uniform; the rejection has probability below n / 2**64)."""
    m = np.uint64(n)
    while True:
        s += _GOLDEN
        x = _mix(s)
        low = x * m
        if low >= m or low >= (np.uint64(0) - m) % m:
            return s, np.int64(_mulhi(x, m))


@njit(cache=True, inline="always")
def _uniform_s(s):
    """``(state, u)``: a float64 in the open interval (0, 1), as :func:`_uniform`."""
    s += _GOLDEN
    return s, (np.float64(_mix(s) >> np.uint64(11)) + 0.5) * _TWO_M53


@njit(cache=True, inline="always")
def _place_seeds_s(s, n, seed_nodes, n_random_seeds, marks, value, queue):
    """``(state, count)``: a run's seeds written to ``queue`` and marked with ``value`` in
    ``marks``: ``n_random_seeds`` distinct uniform nodes, or else ``seed_nodes`` (repeats once)."""
    tail = 0
    if n_random_seeds > 0:
        while tail < n_random_seeds:
            s, v = _below_s(s, n)
            if marks[v] != value:
                marks[v] = value
                queue[tail] = v
                tail += 1
    else:
        for j in range(seed_nodes.shape[0]):
            v = seed_nodes[j]
            if marks[v] != value:
                marks[v] = value
                queue[tail] = v
                tail += 1
    return s, tail


@njit(cache=True, inline="always")
def _bits_s(s, threshold, lanes):
    """``(state, hits)``: independent Bernoulli(threshold / 2**64) bits on the set bits of ``lanes``.

    Lane j succeeds when an infinite random bit string U_j, compared bit by bit with the binary
    expansion of p, turns out smaller; a 64-bit draw supplies the next bit of all 64 U_j at once
    and decides about half of the lanes still open, so a mask costs about log2(lanes) + 2 draws
    instead of one draw per lane. Exact for any p that is a multiple of 2**-64.
    """
    open_lanes = lanes
    success = np.uint64(0)
    bit = np.uint64(1) << np.uint64(63)
    while open_lanes and bit:
        s += _GOLDEN
        r = _mix(s)
        if threshold & bit:
            success |= open_lanes & ~r
            open_lanes &= r
        else:
            open_lanes &= ~r
        bit >>= np.uint64(1)
    # lanes still open equal p on every bit: U >= p
    return s, success


@njit(cache=True)
def _skip_below_degree(p):
    """Degrees below which geometric skips beat 64-lane bit masks at probability ``p`` (>= 1/32).

    A skip costs one exponential variate per success plus one to leave the list (1 + d p draws,
    each about 1.5 bare draws); a mask about log2(d) + 2 bare draws. Low-degree nodes of sparse
    networks (most nodes of a social network) are cheaper by skips even at p = 0.1.
    """
    if p >= 0.5:
        return 0
    d = 1
    while d < 64 and 1.5 * (1.0 + d * p) < math.log2(d) + 2.0:
        d += 1
    return d


@njit(cache=True)
def _ic_runs(indptr, indices, edge_prob, p, seed_nodes, n_random_seeds, key, offset, spread, visits,
             first, stop, step, budget, mark, queue):
    """Independent-cascade runs ``first, first + step, ... < stop`` with one set of buffers.

    Run ``i`` is the call's run number ``offset + i``: its stream is ``_run_state(key, offset + i)``
    and it writes ``spread[i]`` and ``visits[i]``. ``mark`` (int32, n) holds the stamp of the run
    that last activated each node, so a run's set-up and clean-up cost is proportional to its
    cascade, never to n; ``queue`` has n + 1 entries (a push writes its slot before it knows
    whether the node is new). Stops early, once the runs done have together visited more than
    ``budget`` edges (``budget < 0``: never); returns the first run not done.

    Fixed seeds (distinct, as the front end guarantees) that are all skip-sampled have their
    contacts gathered once, in queue order, into one block: a run draws the first gap of its
    Bernoulli process, and when it passes the whole block (most runs of a small cascade) the run
    is the seeds alone, decided without touching a per-node array. Otherwise the block is walked
    by skips like one long contact list. Both give the draws and the result of the plain
    breadth-first walk. Skip positions are int64, and the skip after each success is drawn one
    success early, so that no position waits on a draw.
    """
    n = indptr.shape[0] - 1
    per_edge = edge_prob.shape[0] > 0
    skipping = 0.0 < p < 1.0 and not per_edge
    inv_rate = min(-1.0 / math.log1p(-p), _MAX_INV_RATE) if 0.0 < p < 1.0 else 0.0
    use_bits = p >= BITMASK_MIN_PROB
    threshold = np.uint64(p * _TWO_64) if use_bits and p < 1.0 else np.uint64(0)
    skip_below = _skip_below_degree(p) if use_bits and p < 1.0 else 0
    all_lanes = np.uint64(0xFFFFFFFFFFFFFFFF)
    prefetch = indices.shape[0] >= _PREFETCH_MIN_ENTRIES
    k_seeds = seed_nodes.shape[0]
    block = skipping and n_random_seeds == 0
    seed_contacts = 0
    for j in range(k_seeds):
        d = indptr[seed_nodes[j] + 1] - indptr[seed_nodes[j]]
        seed_contacts += d
        if use_bits and d >= skip_below:
            block = False
    seed_adj = np.empty(seed_contacts if block else 0, dtype=indices.dtype)
    if block:
        q = 0
        for j in range(k_seeds):
            for e in range(indptr[seed_nodes[j]], indptr[seed_nodes[j] + 1]):
                seed_adj[q] = indices[e]
                q += 1
    stamp = 0
    work = 0
    r = first
    while r < stop:
        if budget >= 0 and work > budget:
            return r
        s = _run_state(key, offset + r)
        gap = np.int64(0)
        if block:
            s, gap = _skip_i(s, inv_rate)
            if gap >= seed_contacts:  # no attempt of the seeds succeeds
                spread[r] = k_seeds
                visits[r] = seed_contacts
                work += seed_contacts + k_seeds
                r += step
                continue
        if stamp >= _STAMP_WRAP:
            mark[:] = 0
            stamp = 0
        stamp += 1
        ahead = np.int64(0)  # the skip after the next success, drawn before it is needed
        if block:
            s, ahead = _skip_i(s, inv_rate)
            for j in range(k_seeds):
                v = seed_nodes[j]
                mark[v] = stamp
                queue[j] = v
            tail = k_seeds
            head = k_seeds
            touched = seed_contacts
            pos = gap
            while pos < seed_contacts:
                u = seed_adj[pos]
                queue[tail] = u
                tail += mark[u] != stamp
                mark[u] = stamp
                pos += 1 + ahead
                s, ahead = _skip_i(s, inv_rate)
            gap = pos - seed_contacts
        else:
            s, tail = _place_seeds_s(s, n, seed_nodes, n_random_seeds, mark, stamp, queue)
            if skipping:
                s, gap = _skip_i(s, inv_rate)
                s, ahead = _skip_i(s, inv_rate)
            head = 0
            touched = 0
        while head < tail:
            if prefetch:
                if head + _AHEAD_POINTERS < tail:
                    _prefetch(indptr, queue[head + _AHEAD_POINTERS])
                if head + _AHEAD_LISTS < tail:
                    _prefetch(indices, indptr[queue[head + _AHEAD_LISTS]])
            v = queue[head]
            head += 1
            start = indptr[v]
            degree = indptr[v + 1] - start
            touched += degree
            if per_edge:
                for e in range(start, start + degree):
                    u = indices[e]
                    if mark[u] != stamp:
                        s, x = _uniform_s(s)
                        if x < edge_prob[e]:
                            mark[u] = stamp
                            queue[tail] = u
                            tail += 1
                continue
            if p <= 0.0:
                continue
            if p >= 1.0 or (use_bits and degree >= skip_below):
                end = start + degree
                for base in range(start, end, 64):
                    m = end - base
                    lanes = all_lanes if m >= 64 else (np.uint64(1) << np.uint64(m)) - np.uint64(1)
                    if p >= 1.0:
                        hits = lanes
                    else:
                        s, hits = _bits_s(s, threshold, lanes)
                    while hits:
                        u = indices[base + np.int64(_trailing_zeros(hits))]
                        hits &= hits - np.uint64(1)
                        queue[tail] = u
                        tail += mark[u] != stamp
                        mark[u] = stamp
                continue
            # one Bernoulli(p) process over the attempts of all skip-sampled nodes in queue
            # order: ``gap`` failures remain before its next success, carried across nodes
            # (memorylessness), so a run draws once per success plus once, not once per node.
            # The skip that follows a success (``ahead``) is drawn one success early: the
            # position then never waits for a draw, which a mispredicted exit would expose.
            if gap >= degree:
                gap -= degree
                continue
            pos = gap
            while True:
                u = indices[start + pos]
                # branch-free push: whether u is new is unpredictable, a store is not
                queue[tail] = u
                tail += mark[u] != stamp
                mark[u] = stamp
                pos += 1 + ahead
                s, ahead = _skip_i(s, inv_rate)
                if pos >= degree:
                    gap = pos - degree
                    break
        spread[r] = tail
        visits[r] = touched
        work += touched + tail
        r += step
    return stop


@njit(cache=True)
def independent_cascade_serial_kernel(indptr, indices, edge_prob, p, seed_nodes, n_random_seeds,
                                      key, first, spread, visits, budget):
    """Independent-cascade runs ``first, first + 1, ...`` on the calling thread, until about
    ``budget`` edges (``budget < 0``: all ``len(spread)`` runs).

    The serial head of :func:`independent_cascade_kernel`: small cascades (a few nodes each)
    finish here without waking the thread pool, whose launch costs more than thousands of such
    runs on a busy machine. Returns the number of runs done; the caller hands the rest to the
    parallel kernel. Run ``first + i`` writes ``spread[i]`` and ``visits[i]``.
    """
    n = indptr.shape[0] - 1
    mark = np.zeros(n, dtype=np.int32)
    queue = np.empty(n + 1, dtype=np.int32)
    # np.int64, not literals: numba would compile _ic_runs once more for each literal argument
    return _ic_runs(indptr, indices, edge_prob, p, seed_nodes, n_random_seeds, key, first, spread,
                    visits, np.int64(0), spread.shape[0], np.int64(1), budget, mark, queue)


@njit(parallel=True, cache=True)
def independent_cascade_kernel(indptr, indices, edge_prob, p, seed_nodes, n_random_seeds, key,
                               first, n_chunks, spread, visits):
    """Independent cascade from the seeds: runs ``first, ..., first + len(spread) - 1`` of a call.

    Each newly active node ``u`` activates each inactive contact once, with probability ``p``
    (geometric skip-sampling below ``BITMASK_MIN_PROB``, and above it at nodes of low degree: one
    random number per success; bit masks of 64 Bernoulli draws otherwise: about log2(degree) + 2
    random numbers per node) or, when ``edge_prob`` is non-empty, ``edge_prob[e]`` for the CSR
    entry ``e``. Run ``first + i`` writes ``spread[i]`` (active nodes at the end, seeds
    included) and ``visits[i]`` (sum of the out-degrees of the active nodes). Seeds as in
    :func:`recruitment_graph_kernel`. A run's result depends only on ``key`` and its number
    ``first + i``, never on ``n_chunks`` or on how a call splits its runs.
    """
    n = indptr.shape[0] - 1
    n_runs = spread.shape[0]
    for c in prange(n_chunks):
        mark = np.zeros(n, dtype=np.int32)
        queue = np.empty(n + 1, dtype=np.int32)
        _ic_runs(indptr, indices, edge_prob, p, seed_nodes, n_random_seeds, key, first, spread,
                 visits, np.int64(c), n_runs, n_chunks, np.int64(-1), mark, queue)


@njit(cache=True)
def _lt_runs(indptr, indices, weights, in_degree, seed_nodes, n_random_seeds, key, offset, spread,
             visits, first, stop, step, budget, tag, slack, queue):
    """Linear-threshold runs ``first, first + step, ... < stop``; see :func:`linear_threshold_kernel`.

    ``tag[u]`` (int64) holds the run's stamp in its high 32 bits, ``hi = stamp << 32``: values
    below ``hi`` are stale (an earlier run), so no per-run clearing. With ``in_degree`` given (the
    default weights ``1 / in-degree``) ``v`` becomes active once ``k_v`` in-neighbours are,
    ``k_v`` uniform on ``1..in_degree[v]`` (the law of ``ceil(theta_v in_degree[v])``), and
    ``tag[v] = hi + left`` counts the active in-neighbours still needed (0: active). Each edge
    visit draws a candidate ``k_v - 1`` and keeps it only at the first visit: one cheap draw
    per visit instead of an unpredictable branch. With weights, ``tag`` is ``hi + 1`` once
    influenced and ``hi`` once active, and ``slack[v]`` holds ``theta_v`` minus the weights
    received. Early stop on ``budget`` and ``offset`` as in :func:`_ic_runs`.
    """
    n = indptr.shape[0] - 1
    counts = in_degree.shape[0] > 0
    stamp = np.int64(0)
    work = 0
    r = first
    while r < stop:
        if budget >= 0 and work > budget:
            return r
        if stamp >= _STAMP_WRAP:
            tag[:] = 0
            stamp = 0
        stamp += 1
        hi = stamp << np.int64(32)
        s = _run_state(key, offset + r)
        s, tail = _place_seeds_s(s, n, seed_nodes, n_random_seeds, tag, hi, queue)
        head = 0
        touched = 0
        while head < tail:
            v = queue[head]
            head += 1
            touched += indptr[v + 1] - indptr[v]
            for e in range(indptr[v], indptr[v + 1]):
                u = indices[e]
                t = tag[u]
                if counts:
                    s, fresh = _below_s(s, in_degree[u])
                    # left: -1 already active, 0 activates now, > 0 still needed
                    left = t - hi - 1 if t >= hi else fresh
                    queue[tail] = u
                    tail += left == 0
                    tag[u] = hi + max(left, 0)
                    continue
                if t == hi:
                    continue
                if t != hi + 1:
                    tag[u] = hi + 1
                    s, theta = _uniform_s(s)
                    slack[u] = theta
                slack[u] -= weights[e]
                if slack[u] <= 0.0:
                    tag[u] = hi
                    queue[tail] = u
                    tail += 1
        spread[r] = tail
        visits[r] = touched
        work += touched + tail
        r += step
    return stop


@njit(cache=True)
def linear_threshold_serial_kernel(indptr, indices, weights, in_degree, seed_nodes, n_random_seeds,
                                   key, first, spread, visits, budget):
    """Linear-threshold runs ``first, first + 1, ...`` on the calling thread, until about
    ``budget`` edges.

    The serial head of :func:`linear_threshold_kernel` (see
    :func:`independent_cascade_serial_kernel`); returns the number of runs done.
    """
    n = indptr.shape[0] - 1
    tag = np.zeros(n, dtype=np.int64)
    slack = np.empty(0 if in_degree.shape[0] > 0 else n, dtype=np.float64)
    queue = np.empty(n + 1, dtype=np.int32)
    return _lt_runs(indptr, indices, weights, in_degree, seed_nodes, n_random_seeds, key, first,
                    spread, visits, np.int64(0), spread.shape[0], np.int64(1), budget, tag, slack, queue)


@njit(parallel=True, cache=True)
def linear_threshold_kernel(indptr, indices, weights, in_degree, seed_nodes, n_random_seeds, key,
                            first, n_chunks, spread, visits):
    """Linear threshold model (Kempe et al. 2003): runs ``first, ..., first + len(spread) - 1``.

    Node ``v`` draws a threshold uniform on (0, 1) per run (lazily, when first influenced) and
    becomes active once the summed ``weights[e]`` of its active in-neighbours reaches it; ``e``
    ranges over the CSR entries ``u -> v`` (row ``u``). Weights into each node must sum to at
    most 1. With ``in_degree`` (int32, n) non-empty the weights are ``1 / in_degree[v]`` and
    ``weights`` is not read: thresholds become counts of active in-neighbours, uniform on
    ``1..in_degree[v]``. Writes ``spread`` and ``visits`` as :func:`independent_cascade_kernel`.
    The final active set does not depend on the activation order, so a queue is used.
    """
    n = indptr.shape[0] - 1
    n_runs = spread.shape[0]
    for c in prange(n_chunks):
        tag = np.zeros(n, dtype=np.int64)
        slack = np.empty(0 if in_degree.shape[0] > 0 else n, dtype=np.float64)
        queue = np.empty(n + 1, dtype=np.int32)
        _lt_runs(indptr, indices, weights, in_degree, seed_nodes, n_random_seeds, key, first, spread,
                 visits, np.int64(c), n_runs, n_chunks, np.int64(-1), tag, slack, queue)


@njit(cache=True)
def spread_moments(spread):
    """``(mean, sample variance)`` of per-run counts (two passes; variance 0 for one run)."""
    k = spread.shape[0]
    total = 0
    for i in range(k):
        total += spread[i]
    mean = total / k
    ss = 0.0
    for i in range(k):
        d = spread[i] - mean
        ss += d * d
    return mean, ss / (k - 1) if k > 1 else 0.0
