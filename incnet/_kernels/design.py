"""numba kernels of incnet.design: branching-process recursions and threshold cascades.

Plain functions over contiguous arrays; no validation, no incnet imports. The validated callers
live in ``incnet/design/``.
"""

from ._jit import njit

__all__ = [
    "pgf_kernel",
    "success_kernel",
    "success_batch_kernel",
    "depth_profile_kernel",
    "cascade_kernel",
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
