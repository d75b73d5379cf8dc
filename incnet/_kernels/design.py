"""numba kernels of incnet.design: branching-process recursions, threshold cascades and campaign
simulations on common random numbers.

Plain functions over contiguous arrays; no validation, no incnet imports. The validated callers
live in ``incnet/design/``.
"""

import math

import numpy as np
from numba import prange

from ._jit import njit
from ._splitmix import GOLDEN as _GOLDEN
from ._splitmix import mix64 as _mix64

__all__ = [
    "pgf_kernel",
    "success_kernel",
    "success_batch_kernel",
    "depth_profile_kernel",
    "cascade_kernel",
    "campaign_crn_kernel",
]


@njit(cache=True)
def pgf_kernel(pmf, s):
    """Offspring generating function psi(s) = sum_k pmf[k] s^k by Horner's rule.

    Preconditions: ``pmf`` float64, non-empty. Writes nothing.
    """
    value = 0.0
    for k in range(pmf.size - 1, -1, -1):
        value = value * s + pmf[k]
    return value


@njit(cache=True)
def success_kernel(pmf, p, find, seeds):
    """Probability of at least one reported find in a depth-limited branching process.

    g_H = 1 - find[H]; g_d = (1 - find[d]) psi(1 - p[d] + p[d] g_{d+1}); success = 1 - g_0^seeds.

    Preconditions: ``p`` and ``find`` float64 of length H + 1 with values in [0, 1] (``find[d]`` is
    q * s_d, the probability that a depth-d participant finds and reports); ``seeds`` >= 1.
    Writes nothing.
    """
    H = p.size - 1
    g = 1.0 - find[H]
    for d in range(H - 1, -1, -1):
        g = (1.0 - find[d]) * pgf_kernel(pmf, 1.0 - p[d] + p[d] * g)
    return 1.0 - g**seeds


@njit(cache=True)
def success_batch_kernel(pmf, P, find, seeds, out):
    """``success_kernel`` for every row of ``P`` (shape (m, H + 1)); writes ``out[:m]``."""
    for row in range(P.shape[0]):
        out[row] = success_kernel(pmf, P[row], find, seeds)


@njit(cache=True)
def depth_profile_kernel(pmf, p, seeds, out):
    """P(depth d is reached) for d = 0..H, written to ``out`` (length H + 1).

    With f^{(d)}_d = 0 and f^{(d)}_j = psi(1 - p[j] + p[j] f^{(d)}_{j+1}) the probability that a
    depth-j participant's subtree never reaches depth d, P(depth d reached) = 1 - (f^{(d)}_0)^seeds.
    Cost O(H^2 * len(pmf)). Preconditions: ``p`` float64 of length H + 1.
    """
    H = p.size - 1
    out[0] = 1.0
    for d in range(1, H + 1):
        f = 0.0
        for j in range(d - 1, -1, -1):
            f = pgf_kernel(pmf, 1.0 - p[j] + p[j] * f)
        out[d] = 1.0 - f**seeds


@njit(cache=True)
def cascade_kernel(t_indptr, t_indices, t_data, need, acc, active, start, queue, mark, saved_idx,
                   saved_val, trial, commit):
    """Activate ``start`` and run the threshold cascade it triggers; return how many joined.

    Node i acts once ``acc[i] >= need[i]``, where ``acc[i] = sum_j w_ij a_j`` over active j and
    ``need = theta - reward``. The transposed CSR (``t_*``: row j lists the i with w_ij != 0 and
    the weight) pushes each activation to the players it affects.

    Preconditions: ``active`` uint8, ``acc`` consistent with it, ``start`` inactive; ``queue``,
    ``mark``, ``saved_idx`` int64 and ``saved_val`` float64 of length n (scratch); ``trial`` an
    integer never used before with this ``mark`` array. If ``commit`` is False, ``acc`` and
    ``active`` are restored bit for bit before returning (the call only measures the gain);
    otherwise they hold the new state.
    """
    head = 0
    tail = 0
    n_saved = 0
    queue[tail] = start
    tail += 1
    active[start] = 1
    while head < tail:
        j = queue[head]
        head += 1
        for ptr in range(t_indptr[j], t_indptr[j + 1]):
            i = t_indices[ptr]
            if mark[i] != trial:
                mark[i] = trial
                saved_idx[n_saved] = i
                saved_val[n_saved] = acc[i]
                n_saved += 1
            acc[i] += t_data[ptr]
            if active[i] == 0 and acc[i] >= need[i]:
                active[i] = 1
                queue[tail] = i
                tail += 1
    if not commit:
        for pos in range(tail):
            active[queue[pos]] = 0
        for pos in range(n_saved):
            acc[saved_idx[pos]] = saved_val[pos]
    return tail


# ----------------------------------------------------------------------------- campaign simulation
# Counter-based randomness for common random numbers across candidate schedules: every random
# quantity of a run is a hash of (run key, CSR entry or node, stream), so candidate schedules see
# the same attempt uniforms and delays on every edge and the same report draws at every node,
# whatever order the events happen in. A schedule only changes the thresholds p_d the uniforms are
# compared with. (The engine of incnet.simulate draws sequentially instead, which is faster but
# lets two schedules' streams drift apart after their first different decision.)
_TWO_M53 = 1.0 / 9007199254740992.0
_STREAM_ATTEMPT = np.uint64(0x1000000000000001)
_STREAM_DELAY = np.uint64(0x2000000000000003)
_STREAM_DELAY2 = np.uint64(0x3000000000000005)
_STREAM_REPORT = np.uint64(0x4000000000000007)
_STREAM_FIND = np.uint64(0x5000000000000009)


@njit(cache=True, inline="always")
def _hash_uniform(key, index, stream):
    """A uniform in (0, 1) that depends only on (run key, index, stream)."""
    z = _hash_word(key, index, stream)
    return (np.float64(z >> np.uint64(11)) + 0.5) * _TWO_M53


_TWO_64 = 18446744073709551616.0
_ALL_LANES = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, inline="always")
def _hash_word(key, index, stream):
    """A 64-bit word that depends only on (run key, index, stream): SplitMix64 at a counter."""
    return _mix64(key + (np.uint64(index) ^ stream) * _GOLDEN)


@njit(cache=True, inline="always")
def _hash_bernoulli(key, base, threshold, lanes):
    """Bernoulli(threshold / 2**64) bits on the set bits of ``lanes`` for the contacts at CSR
    entries ``base, base + 1, ...``: lane j succeeds when its random bit string U_j, whose i-th
    bits all come from the i-th hash word of the block, is below p. The U_j are the same for every
    p, so a larger p succeeds on a superset of lanes (a monotone coupling), at about
    log2(lanes) + 2 hash words per block of 64 contacts."""
    open_lanes = lanes
    success = np.uint64(0)
    bit = np.uint64(1) << np.uint64(63)
    i = 0
    while open_lanes and bit:
        r = _hash_word(key, np.uint64(base) * np.uint64(64) + np.uint64(i), _STREAM_ATTEMPT)
        if threshold & bit:
            success |= open_lanes & ~r
            open_lanes &= r
        else:
            open_lanes &= ~r
        bit >>= np.uint64(1)
        i += 1
    return success


@njit(cache=True, inline="always")
def _bit_index(single):
    """Index of the one set bit of ``single`` (binary search; no intrinsic needed)."""
    k = 0
    if single & np.uint64(0xFFFFFFFF00000000):
        k += 32
        single >>= np.uint64(32)
    if single & np.uint64(0xFFFF0000):
        k += 16
        single >>= np.uint64(16)
    if single & np.uint64(0xFF00):
        k += 8
        single >>= np.uint64(8)
    if single & np.uint64(0xF0):
        k += 4
        single >>= np.uint64(4)
    if single & np.uint64(0xC):
        k += 2
        single >>= np.uint64(2)
    if single & np.uint64(0x2):
        k += 1
    return k


@njit(cache=True)
def _next_uniform(state):
    """Sequential SplitMix64 uniform (target and seed placement)."""
    state[0] += _GOLDEN
    z = _mix64(state[0])
    return (np.float64(z >> np.uint64(11)) + 0.5) * _TWO_M53


@njit(cache=True, inline="always")
def _edge_delay(key, e, kind, a, b, mu):
    """The delay of the attempt along CSR entry e: exponential (mean a), lognormal or fixed a."""
    if kind == 0:
        return -a * math.log(_hash_uniform(key, e, _STREAM_DELAY))
    if kind == 1:
        u1 = _hash_uniform(key, e, _STREAM_DELAY)
        u2 = _hash_uniform(key, e, _STREAM_DELAY2)
        z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        return math.exp(mu + b * z)
    return a


@njit(cache=True, inline="always")
def _up(ht, hk, where, i, t, u):
    while i > 0:
        parent = (i - 1) >> 1
        if ht[parent] < t or (ht[parent] == t and hk[parent] < u):
            break
        ht[i] = ht[parent]
        hk[i] = hk[parent]
        where[hk[i]] = i
        i = parent
    ht[i] = t
    hk[i] = u
    where[u] = i


@njit(cache=True, inline="always")
def _pop(ht, hk, where, size):
    size -= 1
    t = ht[size]
    u = hk[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and (ht[c + 1] < ht[c] or (ht[c + 1] == ht[c] and hk[c + 1] < hk[c])):
            c += 1
        if ht[c] > t or (ht[c] == t and hk[c] > u):
            break
        ht[i] = ht[c]
        hk[i] = hk[c]
        where[hk[i]] = i
        i = c
    if size > 0:
        ht[i] = t
        hk[i] = u
        where[u] = i
    return size


@njit(cache=True)
def _campaign_run(indptr, indices, starts, target_mark, mark, target_of, n_targets, find_prob, p, s,
                  delay_kind, delay_a, delay_b, deadline, cap, key, stamp, joined, tent_stamp,
                  tentative, parent_of, depth_of, ht, hk, where, delay_mark, delay_of, finder_depth,
                  found_time, profile):
    """One run of one candidate; returns the number of participants."""
    horizon = p.shape[0] - 1
    mu = math.log(delay_a) - 0.5 * delay_b * delay_b if delay_kind == 1 else 0.0
    size = 0
    for j in range(starts.shape[0]):
        v = starts[j]
        if tent_stamp[v] != stamp:
            tent_stamp[v] = stamp
            tentative[v] = 0.0
            parent_of[v] = -1
            _up(ht, hk, where, size, 0.0, v)
            size += 1
    participants = 0
    n_found = 0
    while size > 0:
        if participants >= cap:
            break
        t = ht[0]
        v = hk[0]
        size = _pop(ht, hk, where, size)
        joined[v] = stamp
        par = parent_of[v]
        d = 0 if par < 0 else depth_of[par] + 1
        depth_of[v] = d
        participants += 1
        profile[d] += 1
        if n_targets > 0:
            if find_prob > 0.0:
                if (_hash_uniform(key, v, _STREAM_FIND) < find_prob
                        and _hash_uniform(key, v, _STREAM_REPORT) < s[d]):
                    finder_depth[0] = d
                    found_time[0] = t
                    break
            elif target_mark[v] == mark:
                if _hash_uniform(key, v, _STREAM_REPORT) < s[d]:
                    j = target_of[v]
                    finder_depth[j] = d
                    found_time[j] = t
                    n_found += 1
                    if n_found == n_targets:
                        break
        pd = p[d] if d < horizon else 0.0
        if pd <= 0.0:
            continue
        threshold = np.uint64(0) if pd >= 1.0 else np.uint64(min(pd * _TWO_64, 18446744073709549568.0))
        lo = indptr[v]
        hi = indptr[v + 1]
        for base in range(lo, hi, 64):
            m = hi - base
            lanes = _ALL_LANES if m >= 64 else (np.uint64(1) << np.uint64(m)) - np.uint64(1)
            hits = lanes if pd >= 1.0 else _hash_bernoulli(key, base, threshold, lanes)
            while hits:
                low_bit = hits & (~hits + np.uint64(1))
                hits ^= low_bit
                e = base + _bit_index(low_bit)
                u = indices[e]
                if joined[u] == stamp:
                    continue
                if delay_mark[e] != mark:
                    # the delay of an edge is the same for every candidate: draw it once per run
                    delay_mark[e] = mark
                    delay_of[e] = _edge_delay(key, e, delay_kind, delay_a, delay_b, mu)
                arrival = t + delay_of[e]
                if arrival > deadline:
                    continue
                if tent_stamp[u] == stamp:
                    if tentative[u] <= arrival:
                        continue
                    tentative[u] = arrival
                    parent_of[u] = v
                    _up(ht, hk, where, where[u], arrival, u)
                    continue
                tent_stamp[u] = stamp
                tentative[u] = arrival
                parent_of[u] = v
                _up(ht, hk, where, size, arrival, u)
                size += 1
    return participants


@njit(parallel=True, cache=True)
def campaign_crn_kernel(indptr, indices, seed_nodes, n_random_seeds, target_nodes, n_random_targets,
                        find_prob, recruit_prob, report_prob, delay_kind, delay_a, delay_b, deadline,
                        cap, run_seeds, n_chunks, finder_depth, found_time, participants, profile):
    """Recruitment runs of several candidate schedules on common random numbers.

    Candidate ``c`` recruits with ``recruit_prob[c, d]`` (float64, (C, H + 1); row ends with 0)
    and its finders report with ``report_prob[c, d]``. Run ``r`` places its targets and random
    seeds from ``run_seeds[r]`` once, for every candidate; an attempt along CSR entry ``e``
    succeeds when the hash uniform U(r, e) < p_d of the recruiter's depth and takes the hash delay
    of (r, e); a finder reports when the hash uniform of its node < s_d. The model is the one of
    ``incnet._kernels.simulate.recruitment_graph_kernel`` (the earliest successful attempt
    recruits; ties broken by the lower node index).

    Preconditions: CSR ``indptr`` int64, ``indices`` int32/int64; seeds and targets as in
    the simulation kernel (``find_prob > 0``: one column, each participant finds with that
    probability and the first reported find ends the run). Outputs, all indexed (c, r, ...):
    ``finder_depth`` int64 (C, runs, k) filled with -1, ``found_time`` float64 (C, runs, k)
    filled with inf, ``participants`` int64 (C, runs), ``profile`` int64 (C, runs, H + 1) zeros.
    Memory per chunk: O(n + nnz) (the edge delays of a run are drawn once for all candidates).
    """
    n = indptr.shape[0] - 1
    n_cand = recruit_prob.shape[0]
    n_runs = run_seeds.shape[0]
    n_targets = finder_depth.shape[2]
    n_starts = n_random_seeds if n_random_seeds > 0 else seed_nodes.shape[0]
    for c in prange(n_chunks):
        state = np.zeros(1, dtype=np.uint64)
        joined = np.zeros(n, dtype=np.int64)
        tent_stamp = np.zeros(n, dtype=np.int64)
        tentative = np.empty(n, dtype=np.float64)
        parent_of = np.empty(n, dtype=np.int64)
        depth_of = np.empty(n, dtype=np.int64)
        target_mark = np.zeros(n, dtype=np.int64)
        target_of = np.zeros(n, dtype=np.int64)
        seed_mark = np.zeros(n, dtype=np.int64)
        starts = np.empty(n_starts, dtype=np.int64)
        ht = np.empty(n, dtype=np.float64)
        hk = np.empty(n, dtype=np.int64)
        where = np.empty(n, dtype=np.int64)
        delay_mark = np.zeros(indices.shape[0], dtype=np.int64)
        delay_of = np.empty(indices.shape[0], dtype=np.float64)
        stamp = 0
        for r in range(c, n_runs, n_chunks):
            mark = r + 1
            state[0] = np.uint64(run_seeds[r])
            key = _mix64(np.uint64(run_seeds[r]) ^ _STREAM_ATTEMPT)
            # the same targets and initial participants for every candidate of this run
            if n_random_targets > 0:
                placed = 0
                while placed < n_random_targets:
                    v = min(np.int64(_next_uniform(state) * n), n - 1)
                    if target_mark[v] != mark:
                        target_mark[v] = mark
                        target_of[v] = placed
                        placed += 1
            else:
                for j in range(target_nodes.shape[0]):
                    target_mark[target_nodes[j]] = mark
                    target_of[target_nodes[j]] = j
            if n_random_seeds > 0:
                placed = 0
                while placed < n_random_seeds:
                    v = min(np.int64(_next_uniform(state) * n), n - 1)
                    if seed_mark[v] != mark:
                        seed_mark[v] = mark
                        starts[placed] = v
                        placed += 1
            else:
                for j in range(n_starts):  # a loop: a slice copy compiles to far more code
                    starts[j] = seed_nodes[j]
            for k in range(n_cand):
                stamp += 1
                participants[k, r] = _campaign_run(
                    indptr, indices, starts, target_mark, mark, target_of, n_targets, find_prob,
                    recruit_prob[k], report_prob[k], delay_kind, delay_a, delay_b, deadline, cap,
                    key, stamp, joined, tent_stamp, tentative, parent_of, depth_of, ht, hk, where,
                    delay_mark, delay_of, finder_depth[k, r], found_time[k, r], profile[k, r],
                )
