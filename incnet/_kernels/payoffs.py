"""Kernels for interdependent payoffs :math:`u = x + W u` over CSR arrays.

Shared conventions (the validated front end in :mod:`incnet.payoffs` guarantees them):

- ``indptr`` (uint64, length n + 1) and ``indices`` (uint32, sorted per row) are the
  CSR structure of an n x n matrix ``W`` without diagonal.
- ``data`` is either the float64 weights (length nnz) or an empty array, in which case every stored
  entry weighs ``weight``. Scaled adjacency matrices (``W = delta * A``) take the second form, which
  saves the 8 bytes per non-zero that make up two thirds of the memory traffic of a product.
- Every block (``x``, ``u``, ``r``, ``d`` ...) is float64, C-contiguous, shape (n, k): k payoff vectors
  solved together.
- ``bounds`` (int64, length n_chunks + 1) splits the rows into chunks of similar work. Partial sums
  are accumulated per chunk and added in chunk order, so the result does not depend on how many
  threads run the chunks.

Nothing here validates, allocates per iteration, or imports incnet.
"""

import numpy as np
from numba import prange

from ._jit import njit

__all__ = [
    "row_chunks",
    "permuted_csr_kernel",
    "residual_kernel",
    "iterate_kernel",
    "collatz_wielandt_kernel",
    "relative_residual_kernel",
    "cg_kernel",
    "SLICE_ROWS",
    "sliced_ell_kernel",
    "dense_inverse_kernel",
    "hub_first_product_kernel",
    "hub_pattern_kernel",
    "hub_blocks_kernel",
]

#: Rows per slice of the sliced ELLPACK format (``sliced_ell_kernel``); the product keeps one
#: accumulator per row of a slice in registers.
SLICE_ROWS = 8


@njit(cache=True)
def row_chunks(indptr, n_chunks):
    """Split rows into ``n_chunks`` contiguous chunks of about equal rows + non-zeros.

    Returns an int64 array ``bounds`` of length ``n_chunks + 1`` with ``bounds[0] = 0`` and
    ``bounds[-1] = n``; chunks may be empty when there are more chunks than rows.
    """
    n = indptr.shape[0] - 1
    total = float(indptr[n] - indptr[0]) + n
    bounds = np.empty(n_chunks + 1, dtype=np.int64)
    bounds[0] = 0
    row = 0
    for c in range(1, n_chunks):
        target = total * c / n_chunks
        while row < n and float(indptr[row] - indptr[0]) + row < target:
            row += 1
        bounds[c] = row
    bounds[n_chunks] = n
    return bounds


@njit(cache=True)
def permuted_csr_kernel(indptr, indices, data, perm, new_indptr, new_indices, new_data):
    """The CSR arrays of ``P W P^T`` (row and column ``r`` of the result are node ``perm[r]``).

    Writes ``new_indptr`` (uint64, n + 1), ``new_indices`` (uint32, nnz) sorted within each row,
    and ``new_data`` (float64, nnz, or empty to skip the weights), straight from ``W``'s arrays:
    no intermediate matrix, so the only memory is the output and one int64 array of n.
    """
    n = perm.shape[0]
    inverse = np.empty(n, dtype=np.int64)
    for r in range(n):
        inverse[perm[r]] = r
    weighted = new_data.shape[0] > 0
    new_indptr[0] = 0
    for r in range(n):
        old = perm[r]
        new_indptr[r + 1] = new_indptr[r] + np.uint64(indptr[old + 1] - indptr[old])
    for r in range(n):
        old = perm[r]
        lo = indptr[old]
        hi = indptr[old + 1]
        out = np.int64(new_indptr[r])
        length = hi - lo
        if length == 0:
            continue
        columns = np.empty(length, dtype=np.int64)
        for p in range(lo, hi):
            columns[p - lo] = inverse[indices[p]]
        order = np.argsort(columns)
        for q in range(length):
            new_indices[out + q] = np.uint32(columns[order[q]])
            if weighted:
                new_data[out + q] = data[lo + order[q]]


@njit(cache=True)
def _zeros_serial(rows, cols):
    # A zero block allocated on one thread: in a parallel=True kernel np.zeros is a parallel loop,
    # whose region wakes the thread pool even on the serial route (milliseconds on busy cores).
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = 0.0
    return out


@njit(cache=True)
def _copy_serial(src, dst):
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[i, j] = src[i, j]


@njit(cache=True)
def _residual_rows(indptr, indices, data, weight, x, u, r, lo, hi, partial):
    k = x.shape[1]
    uniform = data.shape[0] == 0
    for c in range(k):
        cc = np.uint64(c)
        total = 0.0
        for i in range(np.uint64(lo), np.uint64(hi)):
            acc = 0.0
            if uniform:
                for p in range(indptr[i], indptr[i + np.uint64(1)]):
                    acc += u[indices[p], cc]
                acc *= weight
            else:
                for p in range(indptr[i], indptr[i + np.uint64(1)]):
                    acc += data[p] * u[indices[p], cc]
            value = x[i, cc] - u[i, cc] + acc
            r[i, cc] = value
            total += value * value
        partial[cc] = total


@njit(cache=True, parallel=True)
def _residual_parallel(indptr, indices, data, weight, x, u, r, bounds, partial):
    for t in prange(bounds.shape[0] - 1):
        _residual_rows(indptr, indices, data, weight, x, u, r, bounds[t], bounds[t + 1], partial[t])


@njit(cache=True, parallel=True)  # calls a parallel kernel: see _jit.py
def residual_kernel(indptr, indices, data, weight, x, u, r, bounds, parallel):
    """Residual ``r = x - (I - W) u``; returns its squared 2-norm per column (float64, k).

    Writes ``r`` only. ``parallel`` runs the chunks of ``bounds`` on threads.
    """
    n_chunks = bounds.shape[0] - 1
    if parallel:
        partial = np.zeros((n_chunks, x.shape[1]))  # parallel loops run on this route only
        _residual_parallel(indptr, indices, data, weight, x, u, r, bounds, partial)
    else:
        partial = _zeros_serial(n_chunks, x.shape[1])
        for t in range(n_chunks):
            _residual_rows(indptr, indices, data, weight, x, u, r, bounds[t], bounds[t + 1], partial[t])
    total = np.empty(x.shape[1])  # serial sum: the same whatever the thread count
    for c in range(x.shape[1]):
        total[c] = 0.0
    for t in range(n_chunks):
        for c in range(x.shape[1]):
            total[c] += partial[t, c]
    return total


@njit(cache=True)
def _sweep_rows(indptr, indices, data, weight, x, u, u_other, omega, lo, hi, partial):
    # One fused pass over rows lo..hi: the residual of u and the next iterate, written over
    # u_other (the iterate before u), whose entry i only row i reads.
    # Unsigned loop indices spare numba's negative-index checks in the hot loops.
    k = x.shape[1]
    uniform = data.shape[0] == 0
    for c in range(k):
        cc = np.uint64(c)
        total = 0.0
        for i in range(np.uint64(lo), np.uint64(hi)):
            acc = 0.0
            if uniform:
                for p in range(indptr[i], indptr[i + np.uint64(1)]):
                    acc += u[indices[p], cc]
                acc *= weight
            else:
                for p in range(indptr[i], indptr[i + np.uint64(1)]):
                    acc += data[p] * u[indices[p], cc]
            fixed = x[i, cc] + acc  # one Jacobi step from u
            step = fixed - u[i, cc]  # = the residual x - (I - W) u at row i
            total += step * step
            before = u_other[i, cc]
            u_other[i, cc] = before + omega * (fixed - before)
        partial[cc] = total


@njit(cache=True, parallel=True)
def _sweep_parallel(indptr, indices, data, weight, x, u, u_other, omega, bounds, partial):
    for t in prange(bounds.shape[0] - 1):
        _sweep_rows(indptr, indices, data, weight, x, u, u_other, omega, bounds[t], bounds[t + 1],
                    partial[t])


@njit(cache=True, parallel=True)  # calls a parallel kernel: see _jit.py
def iterate_kernel(indptr, indices, data, weight, bounds, x, u, u_prev, radius, tol, first, last,
                   omega, final, parallel):
    """Steps ``first..last`` of the Chebyshev semi-iteration (with ``radius = 0``, Jacobi) for
    ``(I - W) u = x``.

    With the eigenvalues of ``W`` real and in ``[-radius, radius]`` (symmetric ``W``), the
    iterates (Golub & Varga 1961)

        u_{t+1} = u_{t-1} + omega_{t+1} (x + W u_t - u_{t-1}),
        omega_1 = 1, omega_2 = 2 / (2 - radius^2), omega_{t+1} = 1 / (1 - radius^2 omega_t / 4)

    have the Chebyshev polynomial of the interval as error polynomial, the best possible. With
    ``radius = 0`` every ``omega`` is 1 and the step is the Jacobi / Neumann step
    ``u_{t+1} = x + W u_t``, which suits any ``W`` with ``rho(|W|) < 1``.

    Each step is one pass over the CSR arrays, reading ``x``, ``u_t`` and ``u_{t-1}`` and writing
    ``u_{t+1}`` over ``u_{t-1}``. The same pass computes the true residual of ``u_t`` from its
    definition (never a recursively updated one), and the loop stops at the first ``u_t`` whose
    squared residual is at most ``(tol |x_c|)^2`` in every column ``c`` (``tol^2`` for a zero
    column). A non-finite squared residual (overflow, NaN) never passes the test and stops the
    loop at once; the caller scales ``x`` to unit size so that finite data cannot overflow the
    squares.

    The iteration runs in chunks so that the caller can be interrupted between them: on entry
    ``u`` holds ``u_{first-1}``, ``u_prev`` holds ``u_{first-2}`` (a copy of ``u`` when
    ``first = 1``) and ``omega`` is ``omega_{first-1}`` (anything when ``first = 1``); a chunk
    that ends unconverged leaves the same state for step ``last + 1``. Chunked or not, the
    iterates are the same.

    Returns ``(step, relative residual, status, omega)``: ``status`` 1 if ``u`` (the iterate of
    step ``step``) passed the test, 2 if the residual became non-finite, 0 if the chunk ended
    without either. The residual is that of ``u``, computed only when ``status`` is not 0 or
    ``final`` is true (it is NaN otherwise).
    """
    n_chunks = bounds.shape[0] - 1
    k = x.shape[1]
    target2 = np.empty(k)
    scale2 = np.empty(k)
    for c in range(k):
        total = 0.0
        for i in range(x.shape[0]):
            total += x[i, c] * x[i, c]
        scale2[c] = total
        target2[c] = tol * tol * total if total > 0.0 else tol * tol
    current = u
    other = u_prev
    if parallel:
        partial = np.zeros((n_chunks, k))  # parallel loops run on the threaded route only
    else:
        partial = _zeros_serial(n_chunks, k)
    r2 = radius * radius
    status = 0
    steps = first - 1
    res2 = np.empty(k)
    for c in range(k):
        res2[c] = 0.0
    for step in range(first, last + 1):
        if step == 1:
            omega = 1.0
        elif step == 2:
            omega = 2.0 / (2.0 - r2)
        else:
            omega = 1.0 / (1.0 - 0.25 * r2 * omega)
        if parallel:
            _sweep_parallel(indptr, indices, data, weight, x, current, other, omega, bounds, partial)
        else:
            for t in range(n_chunks):
                _sweep_rows(indptr, indices, data, weight, x, current, other, omega, bounds[t],
                            bounds[t + 1], partial[t])
        steps = step
        converged = True
        finite = True
        for c in range(k):
            total = 0.0  # serial: the same sum whatever the thread count
            for t in range(n_chunks):
                total += partial[t, c]
            res2[c] = total
            if not res2[c] <= target2[c]:  # NaN fails too
                converged = False
            if not np.isfinite(res2[c]):
                finite = False
        if converged:
            status = 1
            break  # ``current`` passed the test; ``other`` holds one more step, unverified
        if not finite:
            status = 2
            break  # overflow: the iteration cannot recover; report the residual as it is
        current, other = other, current
    if status == 0 and final:
        # Report the last computed iterate with its own residual (``other`` serves as scratch).
        res2 = residual_kernel(indptr, indices, data, weight, x, current, other, bounds, parallel)
    if current is not u:
        if status == 0 and not final:
            saved = np.empty_like(u)  # u_{last - 1}, to be u_prev of the next chunk
            _copy_serial(u, saved)
            _copy_serial(current, u)
            _copy_serial(saved, u_prev)
        else:
            _copy_serial(current, u)
    worst = np.nan
    if status != 0 or final:
        worst = 0.0
        for c in range(k):
            value = np.sqrt(res2[c] / scale2[c]) if scale2[c] > 0.0 else np.sqrt(res2[c])
            if not value <= worst:  # a NaN residual is kept, never dropped as "not larger"
                worst = value
    return steps, worst, status, omega


@njit(cache=True)
def _collatz_rows(indptr, indices, data, weight, v, v_next, lo, hi, ones):
    # (|W| v)_i over rows lo..hi; v_next_i = sqrt(v_i (|W| v)_i), the geometric-mean step.
    # Returns the largest ratio (|W| v)_i / v_i there. With ``ones`` (v = 1) the products are
    # the row sums, read without gathering v: the same numbers, from the counts alone when
    # every weight is equal.
    uniform = data.shape[0] == 0
    worst = 0.0
    for i in range(lo, hi):
        acc = 0.0
        if ones and uniform:
            acc = float(indptr[i + 1] - indptr[i]) * weight
        elif ones:
            for p in range(indptr[i], indptr[i + 1]):
                acc += data[p]
        elif uniform:
            for p in range(indptr[i], indptr[i + 1]):
                acc += v[indices[p]]
            acc *= weight
        else:
            for p in range(indptr[i], indptr[i + 1]):
                acc += data[p] * v[indices[p]]
        ratio = acc / v[i]
        if not ratio <= worst:  # NaN (overflowed data) propagates: it bounds nothing
            worst = ratio
        v_next[i] = np.sqrt(v[i]) * np.sqrt(acc)  # two roots: no overflow of the product
    return worst


@njit(cache=True, parallel=True)
def _collatz_parallel(indptr, indices, data, weight, v, v_next, bounds, worst, ones):
    for t in prange(bounds.shape[0] - 1):
        worst[t] = _collatz_rows(indptr, indices, data, weight, v, v_next, bounds[t], bounds[t + 1],
                                 ones)


@njit(cache=True, parallel=True)  # calls a parallel kernel: see _jit.py
def collatz_wielandt_kernel(indptr, indices, data, weight, bounds, max_iter, target, stall, parallel):
    """Upper bound on the spectral radius of a non-negative matrix ``A`` (the CSR arguments).

    For any positive vector ``v``, :math:`\\rho(A) \\le \\max_i (Av)_i / v_i` (Collatz-Wielandt).
    ``v`` starts at ones (the bound is then the largest row sum) and follows the geometric-mean
    iteration :math:`v \\leftarrow \\sqrt{v \\circ Av}` (entrywise), whose fixed points are the
    Perron vectors of ``A``: it moves half-way (in logarithms) towards a power step, which damps
    the oscillation of the power iteration on bipartite graphs, and its first step from ones,
    :math:`\\sqrt{\\text{row sums}}`, is already the Perron vector of a star, so hub-dominated
    networks are bounded within a few products. A floor of ``1e-12`` (relative) keeps ``v``
    strictly positive. ``data``/``weight`` must be non-negative.

    Stops after ``max_iter`` products; or as soon as the bound is below ``target`` if
    ``stall`` is infinite (a certificate, as cheap as possible); or, with a finite ``stall``,
    once the bound is below ``target`` and improved by less than the fraction ``stall`` in the
    last step (a tight bound), except that a largest row sum below ``target`` is returned at
    once. Returns ``(bound, products)``.
    """
    n = indptr.shape[0] - 1
    n_chunks = bounds.shape[0] - 1
    v_next = np.empty(n)
    if parallel:
        v = np.ones(n)  # parallel loops run on the threaded route only
        worst = np.zeros(n_chunks)
    else:
        v = np.empty(n)
        for i in range(n):
            v[i] = 1.0
        worst = np.empty(n_chunks)
    best = np.inf
    for it in range(1, max_iter + 1):
        ones = it == 1
        if parallel:
            _collatz_parallel(indptr, indices, data, weight, v, v_next, bounds, worst, ones)
        else:
            for t in range(n_chunks):
                worst[t] = _collatz_rows(indptr, indices, data, weight, v, v_next, bounds[t],
                                         bounds[t + 1], ones)
        bound = 0.0
        for t in range(n_chunks):
            if not worst[t] <= bound:  # NaN propagates (numba's max() would skip it)
                bound = worst[t]
        if not np.isfinite(bound):
            return np.inf, it  # overflowed data: no finite bound from this iteration
        improved = best - bound
        if bound < best:
            best = bound
        if best < target and (stall == np.inf or it == 1 or improved < stall * best):
            return best, it
        scale = 0.0
        for i in range(n):
            if v_next[i] > scale:
                scale = v_next[i]
        if scale == 0.0:
            return best, it  # A v = 0: A is nilpotent on v's support; the bound stands
        for i in range(n):
            v[i] = max(v_next[i] / scale, 1e-12)
    return best, max_iter


@njit(cache=True)
def _relative(res2, x):
    # max over columns of |r_c| / |x_c| (absolute |r_c| for a zero column)
    worst = 0.0
    for c in range(x.shape[1]):
        scale2 = 0.0
        for i in range(x.shape[0]):
            scale2 += x[i, c] * x[i, c]
        value = np.sqrt(res2[c] / scale2) if scale2 > 0.0 else np.sqrt(res2[c])
        if not value <= worst:  # a NaN residual is kept, never dropped as "not larger"
            worst = value
    return worst


@njit(cache=True, parallel=True)  # calls a parallel kernel: see _jit.py
def relative_residual_kernel(indptr, indices, data, weight, x, u, bounds, parallel):
    """Relative residual ``max_c |x_c - (I - W) u_c|_2 / |x_c|_2`` (absolute for a zero column).

    Reads only; returns a float.
    """
    if parallel:
        r = np.zeros((x.shape[0], x.shape[1]))  # a parallel loop, on the threaded route only
    else:
        r = np.empty((x.shape[0], x.shape[1]))  # written in full by the residual
    res2 = residual_kernel(indptr, indices, data, weight, x, u, r, bounds, parallel)
    return _relative(res2, x)


@njit(cache=True)
def _cg_product_rows(indptr, indices, data, weight, p, q, lo, hi):
    # q = (I - W) p over rows lo..hi; returns the partial sum of p_i q_i.
    uniform = data.shape[0] == 0
    total = 0.0
    for i in range(np.uint64(lo), np.uint64(hi)):
        acc = 0.0
        if uniform:
            for k in range(indptr[i], indptr[i + np.uint64(1)]):
                acc += p[indices[k]]
            acc *= weight
        else:
            for k in range(indptr[i], indptr[i + np.uint64(1)]):
                acc += data[k] * p[indices[k]]
        value = p[i] - acc
        q[i] = value
        total += p[i] * value
    return total


@njit(cache=True, parallel=True)
def _cg_product_parallel(indptr, indices, data, weight, p, q, bounds, partial):
    for t in prange(bounds.shape[0] - 1):
        partial[t] = _cg_product_rows(indptr, indices, data, weight, p, q, bounds[t], bounds[t + 1])


@njit(cache=True)
def sliced_ell_kernel(indptr, indices, data, window):
    """The matrix in sliced ELLPACK with row sorting (SELL-C-sigma, Kreutzer et al. 2014).

    Rows are sorted by decreasing length within windows of ``window`` rows (a multiple of
    ``SLICE_ROWS``; lengths above 127 count as 127), then cut into slices of ``SLICE_ROWS``
    rows, each padded to its longest row and stored column-major. A product then runs every
    slice's rows side by side with a loop of one trip count per slice, instead of one loop per
    row whose exit the processor mispredicts on short rows of varying length: on graphs whose
    vector sits in the middle levels of cache, the gathers of several rows overlap.

    Returns ``(order, slice_ptr, cols, vals)``: ``order`` (uint32, ``SLICE_ROWS`` per slice) the
    row held by each slot, ``n`` for the padding rows of the last slice; ``slice_ptr`` (uint64)
    the first entry of each slice; ``cols`` (uint32) the columns, ``n`` in padding; ``vals``
    the weights (0.0 in padding), or empty when ``data`` is. A product reads the padding's
    column ``n``: its vector needs one more entry, kept at zero. Within a row the entries keep
    their CSR order, so each row's sum is the CSR product's bit for bit.
    """
    n = indptr.shape[0] - 1
    C = SLICE_ROWS
    n_slices = (n + C - 1) // C
    order = np.empty(n_slices * C, dtype=np.uint32)
    counts = np.empty(128, dtype=np.int64)
    for w in range(0, n, window):
        hi = min(n, w + window)
        for b in range(128):
            counts[b] = 0
        for i in range(w, hi):
            counts[127 - min(np.int64(indptr[i + 1] - indptr[i]), np.int64(127))] += 1
        start = w
        for b in range(128):
            size = counts[b]
            counts[b] = start
            start += size
        for i in range(w, hi):
            b = 127 - min(np.int64(indptr[i + 1] - indptr[i]), np.int64(127))
            order[counts[b]] = np.uint32(i)
            counts[b] += 1
    for slot in range(n, n_slices * C):
        order[slot] = np.uint32(n)
    slice_ptr = np.empty(n_slices + 1, dtype=np.uint64)
    slice_ptr[0] = 0
    for s in range(n_slices):
        longest = np.int64(0)
        for c in range(C):
            row = np.int64(order[s * C + c])
            if row < n:
                longest = max(longest, np.int64(indptr[row + 1] - indptr[row]))
        slice_ptr[s + 1] = slice_ptr[s] + np.uint64(longest * C)
    total = np.int64(slice_ptr[n_slices])
    cols = np.empty(total, dtype=np.uint32)
    weighted = data.shape[0] > 0
    vals = np.empty(total if weighted else 0)
    for s in range(n_slices):
        base = np.int64(slice_ptr[s])
        longest = (np.int64(slice_ptr[s + 1]) - base) // C
        for c in range(C):
            row = np.int64(order[s * C + c])
            length = np.int64(0)
            if row < n:
                lo = np.int64(indptr[row])
                length = np.int64(indptr[row + 1]) - lo
                for j in range(length):
                    cols[base + j * C + c] = indices[lo + j]
                    if weighted:
                        vals[base + j * C + c] = data[lo + j]
            for j in range(length, longest):
                cols[base + j * C + c] = np.uint32(n)
                if weighted:
                    vals[base + j * C + c] = 0.0
    return order, slice_ptr, cols, vals


@njit(cache=True)
def _sliced_product_rows(order, slice_ptr, cols, vals, weight, p, q, lo, hi):
    # q = (I - W) p over slices lo..hi of the sliced format; returns the partial sum of p_i q_i.
    # One accumulator per row of the slice (SLICE_ROWS = 8), each summing its row in CSR order.
    uniform = vals.shape[0] == 0
    total = 0.0
    for s in range(np.int64(lo), np.int64(hi)):
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
        start = slice_ptr[s]
        end = slice_ptr[s + 1]
        if uniform:
            for k in range(start, end, np.uint64(8)):
                a0 += p[cols[k]]
                a1 += p[cols[k + np.uint64(1)]]
                a2 += p[cols[k + np.uint64(2)]]
                a3 += p[cols[k + np.uint64(3)]]
                a4 += p[cols[k + np.uint64(4)]]
                a5 += p[cols[k + np.uint64(5)]]
                a6 += p[cols[k + np.uint64(6)]]
                a7 += p[cols[k + np.uint64(7)]]
            a0 *= weight
            a1 *= weight
            a2 *= weight
            a3 *= weight
            a4 *= weight
            a5 *= weight
            a6 *= weight
            a7 *= weight
        else:
            for k in range(start, end, np.uint64(8)):
                a0 += vals[k] * p[cols[k]]
                a1 += vals[k + np.uint64(1)] * p[cols[k + np.uint64(1)]]
                a2 += vals[k + np.uint64(2)] * p[cols[k + np.uint64(2)]]
                a3 += vals[k + np.uint64(3)] * p[cols[k + np.uint64(3)]]
                a4 += vals[k + np.uint64(4)] * p[cols[k + np.uint64(4)]]
                a5 += vals[k + np.uint64(5)] * p[cols[k + np.uint64(5)]]
                a6 += vals[k + np.uint64(6)] * p[cols[k + np.uint64(6)]]
                a7 += vals[k + np.uint64(7)] * p[cols[k + np.uint64(7)]]
        base = s * 8
        total += _sliced_store(order[base], a0, p, q)
        total += _sliced_store(order[base + 1], a1, p, q)
        total += _sliced_store(order[base + 2], a2, p, q)
        total += _sliced_store(order[base + 3], a3, p, q)
        total += _sliced_store(order[base + 4], a4, p, q)
        total += _sliced_store(order[base + 5], a5, p, q)
        total += _sliced_store(order[base + 6], a6, p, q)
        total += _sliced_store(order[base + 7], a7, p, q)
    return total


@njit(cache=True, inline="always")
def _sliced_store(row, acc, p, q):
    value = p[row] - acc
    q[row] = value
    return p[row] * value


@njit(cache=True, parallel=True)
def _sliced_product_parallel(order, slice_ptr, cols, vals, weight, p, q, slice_bounds, partial):
    for t in prange(slice_bounds.shape[0] - 1):
        partial[t] = _sliced_product_rows(order, slice_ptr, cols, vals, weight, p, q,
                                          slice_bounds[t], slice_bounds[t + 1])


@njit(cache=True)
def _cg_constant_product_rows(indptr, weight, c, q, lo, hi):
    # q = (I - W) p for p = c 1 and every weight equal: (W 1)_i is the row's count times the weight,
    # so the product reads the row pointers alone. Returns the partial sum of p_i q_i.
    total = 0.0
    for i in range(np.uint64(lo), np.uint64(hi)):
        value = c - weight * (c * float(indptr[i + np.uint64(1)] - indptr[i]))
        q[i] = value
        total += c * value
    return total


@njit(cache=True)
def _cg_stored_product_rows(product, c, p, q, lo, hi):
    # q = c * product, a product of (I - W) known in advance; returns the partial sum of p_i q_i.
    total = 0.0
    for i in range(lo, hi):
        value = c * product[i]
        q[i] = value
        total += p[i] * value
    return total


@njit(cache=True, parallel=True)
def _cg_stored_product_parallel(product, c, p, q, bounds, partial):
    for t in prange(bounds.shape[0] - 1):
        partial[t] = _cg_stored_product_rows(product, c, p, q, bounds[t], bounds[t + 1])


@njit(cache=True)
def _cg_copy_rows(x, r, p, lo, hi):
    for i in range(lo, hi):
        r[i] = x[i]
        p[i] = x[i]


@njit(cache=True, parallel=True)
def _cg_copy_parallel(x, r, p, bounds):
    for t in prange(bounds.shape[0] - 1):
        _cg_copy_rows(x, r, p, bounds[t], bounds[t + 1])


@njit(cache=True)
def _cg_update_rows(u, r, p, q, alpha, lo, hi):
    # u += alpha p, r -= alpha q over rows lo..hi; returns the partial sum of r_i^2.
    total = 0.0
    for i in range(lo, hi):
        u[i] += alpha * p[i]
        value = r[i] - alpha * q[i]
        r[i] = value
        total += value * value
    return total


@njit(cache=True)
def _cg_direction_rows(r, p, beta, lo, hi):
    for i in range(lo, hi):
        p[i] = r[i] + beta * p[i]


@njit(cache=True)
def _hub_gather_rows(rows, ptr, cols, vals, r, y, lo, hi):
    # y = G^T r over the hub rows lo..hi of the preconditioner (entries of ``rows``)
    for j in range(y.shape[0]):
        y[j] = 0.0
    for a in range(lo, hi):
        value = r[rows[a]]
        for e in range(ptr[a], ptr[a + 1]):
            y[cols[e]] += vals[e] * value


@njit(cache=True)
def _hub_scatter_rows(rows, ptr, cols, vals, w, p, lo, hi):
    # p += G w on the hub rows lo..hi
    for a in range(lo, hi):
        total = 0.0
        for e in range(ptr[a], ptr[a + 1]):
            total += vals[e] * w[cols[e]]
        p[rows[a]] += total


@njit(cache=True)
def _hub_solve(schur_inv, coupling, y_part, y, w):
    # y = the chunks' partials of G^T r added in chunk order, w = K^{-1} y; returns y . w, which
    # is r . (P^{-1} - I) r. K = [[A, C], [C, -I]] (C = coupling, symmetric) is inverted through
    # its Schur complement S = A + C^2: w_1 = S^{-1} (y_1 + C y_2), w_2 = C w_1 - y_2. No BLAS: a
    # few thousand operations, less than waking its threads.
    k = schur_inv.shape[0]
    for j in range(2 * k):
        total = 0.0
        for t in range(y_part.shape[0]):
            total += y_part[t, j]
        y[j] = total
    for j in range(k):  # y_1 + C y_2, kept in w_2's place until w_1 is known
        total = y[j]
        for l in range(k):
            total += coupling[j, l] * y[k + l]
        w[k + j] = total
    for j in range(k):
        total = 0.0
        for l in range(k):
            total += schur_inv[j, l] * w[k + l]
        w[j] = total
    yw = 0.0
    for j in range(k):
        total = -y[k + j]
        for l in range(k):
            total += coupling[j, l] * w[l]
        w[k + j] = total
        yw += y[j] * w[j] + y[k + j] * total
    return yw


@njit(cache=True)
def _hub_precondition(rows, ptr, cols, vals, schur_inv, coupling, r, p, y, w):
    # p += (P^{-1} - I) r over all hub rows at once (a start or restart); returns r . (P^{-1} - I) r
    y_all = np.empty((1, y.shape[0]))
    _hub_gather_rows(rows, ptr, cols, vals, r, y_all[0], 0, rows.shape[0])
    yw = _hub_solve(schur_inv, coupling, y_all, y, w)
    _hub_scatter_rows(rows, ptr, cols, vals, w, p, 0, rows.shape[0])
    return yw


@njit(cache=True)
def _cg_update_chunk(u, r, p, q, alpha, bounds, hub_rows, hub_ptr, hub_cols, hub_vals,
                     hub_bounds, y_part, t):
    # the update of chunk t, then its share of G^T r (the rows it has just updated)
    total = _cg_update_rows(u, r, p, q, alpha, bounds[t], bounds[t + 1])
    _hub_gather_rows(hub_rows, hub_ptr, hub_cols, hub_vals, r, y_part[t], hub_bounds[t],
                     hub_bounds[t + 1])
    return total


@njit(cache=True)
def _cg_direction_chunk(r, p, beta, bounds, hub_rows, hub_ptr, hub_cols, hub_vals, hub_bounds, w,
                        t):
    # p = P^{-1} r + beta p over chunk t: the preconditioner's correction lands on its own rows
    _cg_direction_rows(r, p, beta, bounds[t], bounds[t + 1])
    _hub_scatter_rows(hub_rows, hub_ptr, hub_cols, hub_vals, w, p, hub_bounds[t],
                      hub_bounds[t + 1])


@njit(cache=True, parallel=True)
def _cg_vectors_parallel(u, r, p, q, alpha, bounds, partial, hub_rows, hub_ptr, hub_cols,
                         hub_vals, hub_bounds, y_part):
    # the update pass over row chunks on threads: the same partial sums as the serial loop
    for t in prange(bounds.shape[0] - 1):
        partial[t] = _cg_update_chunk(u, r, p, q, alpha, bounds, hub_rows, hub_ptr, hub_cols,
                                      hub_vals, hub_bounds, y_part, t)


@njit(cache=True, parallel=True)
def _cg_direction_parallel(r, p, beta, bounds, hub_rows, hub_ptr, hub_cols, hub_vals, hub_bounds,
                           w):
    for t in prange(bounds.shape[0] - 1):
        _cg_direction_chunk(r, p, beta, bounds, hub_rows, hub_ptr, hub_cols, hub_vals, hub_bounds,
                            w, t)


@njit(cache=True, parallel=True)  # calls a parallel kernel: see _jit.py
def _cg_true_residual(indptr, indices, data, weight, x, u, r, bounds, parallel):
    # r = x - (I - W) u from its definition; returns |r|^2 (summed in row order).
    if parallel:
        # np.zeros is a parallel loop here: it runs only on the threaded route (on the serial one a
        # parallel region would wake the thread pool, which costs milliseconds on busy cores)
        partial = np.zeros(bounds.shape[0] - 1)
        _cg_product_parallel(indptr, indices, data, weight, u, r, bounds, partial)
    else:
        partial = np.empty(bounds.shape[0] - 1)
        for t in range(bounds.shape[0] - 1):
            partial[t] = _cg_product_rows(indptr, indices, data, weight, u, r, bounds[t], bounds[t + 1])
    total = 0.0  # serial sum: the same whatever the thread count
    for i in range(x.shape[0]):
        value = x[i] - r[i]
        r[i] = value
        total += value * value
    return total


@njit(cache=True, parallel=True)  # calls a parallel kernel: see _jit.py
def cg_kernel(indptr, indices, data, weight, bounds, x, u, r, p, q, state, tol, first, last, final,
              parallel, order, slice_ptr, cols, vals, slice_bounds, hub_rows, hub_ptr, hub_cols,
              hub_vals, hub_schur_inv, hub_coupling, hub_first_product):
    """Steps ``first..last`` of conjugate gradients for ``(I - W) u = x``, ``W`` symmetric.

    ``I - W`` is symmetric positive definite when ``W`` is symmetric with spectral radius below
    1. Conjugate gradients (Hestenes-Stiefel) needs no spectral interval: it adapts to the
    spectrum, and its error in the energy norm is at most that of the Chebyshev iteration on
    the bound's interval. One step is three passes: the product ``q = (I - W) p`` fused with
    ``p . q``; ``u += alpha p``, ``r -= alpha q`` fused with ``r . r``; the new direction (all
    three on threads with ``parallel``). All inner products are chunk partials
    added in chunk order (the result does not depend on the number of threads).

    The recursively updated residual only proposes convergence: when ``|r|`` falls below
    ``tol |x|``, the true residual ``x - (I - W) u`` is computed from its definition, and
    the iteration stops only if that passes ``tol |x|`` (``tol`` for a zero ``x``); otherwise it
    restarts from the true residual. A zero start needs no product for its residual (it is
    ``x``), and when ``x`` is constant and every weight equal (Katz-Bonacich), the first product
    is read from the row counts: a cold start costs the same products as scipy's ``cg``. ``x``,
    ``u``, ``r``, ``p``, ``q`` are float64 vectors of
    length n; on entry at ``first = 1``, ``u`` is the start (zeros or a warm start) and ``r``,
    ``p``, ``q``, ``state`` (float64, 2) are scratch; between chunks they carry the iteration
    (``state`` holds ``r . P^{-1} r`` and ``|x|^2``).
    A non-positive ``p . q`` (``I - W`` not positive definite in floating point) or a non-finite
    residual stops the loop with status 2.

    With a non-empty ``slice_ptr``, the steps' products read ``W`` in the sliced format of
    ``sliced_ell_kernel`` (``order``, ``slice_ptr``, ``cols``, ``vals``), split over threads by
    ``slice_bounds`` (as many chunks as ``bounds``); ``p`` and ``q`` then have ``n + 1``
    entries, the last of ``p`` zero.

    With a non-empty ``hub_rows``, the iteration is preconditioned by ``P = I - W_H``, ``W_H`` the
    links that touch a few hubs: ``P^{-1} = I + G K^{-1} G^T``, ``G`` stored by its rows (the
    rows next to a hub: ``hub_rows``, ``hub_ptr``, ``hub_cols``, ``hub_vals``) and ``K^{-1}``
    (``hub_schur_inv``, ``hub_coupling``: see ``_hub_solve``) dense and small. The update pass
    also gathers each chunk's share of ``G^T r`` and the direction pass adds ``G K^{-1} G^T r``
    on its chunk's rows, so a step has the same three parallel passes. The stopping test still reads ``|r|``, the residual of
    ``(I - W) u = x``. For a constant ``x`` on equal weights, a non-empty ``hub_first_product``
    (``(I - W) P^{-1} 1``, n + 1 entries) gives the first product without gathers.

    Returns ``(step, relative residual, status)``: status 1 if ``u`` passed the true-residual
    test, 2 on breakdown, 0 if the chunk ended without either; the residual (of ``u``, from its
    definition) is computed when status is not 0 or ``final`` is true, NaN otherwise.
    """
    n = x.shape[0]
    n_chunks = bounds.shape[0] - 1
    sliced = slice_ptr.shape[0] > 0
    if parallel:
        partial = np.zeros(n_chunks)  # a parallel loop, on the threaded route only (see above)
    else:
        partial = np.empty(n_chunks)
    cold = True
    same = n > 0  # whether every entry of x equals the first
    if first == 1:  # |x|^2, a zero start, a constant x: one pass; later chunks reuse |x|^2
        scale2 = 0.0
        for i in range(n):
            scale2 += x[i] * x[i]
            if u[i] != 0.0:
                cold = False
            if x[i] != x[0]:
                same = False
        state[1] = scale2
    scale2 = state[1]
    target2 = tol * tol * scale2 if scale2 > 0.0 else tol * tol
    steps = first - 1
    status = 0
    true2 = np.nan
    constant = np.nan  # the first direction's common value, when its product needs no gathers
    hubs = hub_rows.shape[0] > 0
    hub_bounds = np.searchsorted(hub_rows, bounds)  # each row chunk's hub rows
    hub_y = np.empty(2 * hub_schur_inv.shape[0])
    hub_w = np.empty(2 * hub_schur_inv.shape[0])
    y_part = np.zeros((n_chunks, 2 * hub_schur_inv.shape[0]))
    if first == 1:
        if cold:  # r = x - (I - W) 0 = x exactly: no product, and r . r is |x|^2
            rr = scale2
            if parallel:
                _cg_copy_parallel(x, r, p, bounds)
            else:
                _cg_copy_rows(x, r, p, 0, n)
            if same and data.shape[0] == 0 and (not hubs or hub_first_product.shape[0] > 0):
                constant = x[0]
        else:
            rr = _cg_true_residual(indptr, indices, data, weight, x, u, r, bounds, parallel)
            for i in range(n):
                p[i] = r[i]
        if rr <= target2:
            return 0, (np.sqrt(rr / scale2) if scale2 > 0.0 else np.sqrt(rr)), 1
        if hubs:  # p = P^{-1} r, and r . p in place of r . r
            rr += _hub_precondition(hub_rows, hub_ptr, hub_cols, hub_vals, hub_schur_inv,
                                    hub_coupling, r, p, hub_y, hub_w)
        state[0] = rr
    rz = state[0]  # r . P^{-1} r (r . r without hubs)
    for step in range(first, last + 1):
        steps = step
        if step == 1 and not np.isnan(constant) and hubs:
            if parallel:
                _cg_stored_product_parallel(hub_first_product, constant, p, q, bounds, partial)
            else:
                for t in range(n_chunks):
                    partial[t] = _cg_stored_product_rows(hub_first_product, constant, p, q,
                                                         bounds[t], bounds[t + 1])
        elif step == 1 and not np.isnan(constant):
            for t in range(n_chunks):
                partial[t] = _cg_constant_product_rows(indptr, weight, constant, q, bounds[t],
                                                       bounds[t + 1])
        elif sliced:
            if parallel:
                _sliced_product_parallel(order, slice_ptr, cols, vals, weight, p, q, slice_bounds,
                                         partial)
            else:
                for t in range(n_chunks):
                    partial[t] = _sliced_product_rows(order, slice_ptr, cols, vals, weight, p, q,
                                                      slice_bounds[t], slice_bounds[t + 1])
        elif parallel:
            _cg_product_parallel(indptr, indices, data, weight, p, q, bounds, partial)
        else:
            for t in range(n_chunks):
                partial[t] = _cg_product_rows(indptr, indices, data, weight, p, q, bounds[t], bounds[t + 1])
        pq = 0.0
        for t in range(n_chunks):
            pq += partial[t]
        if not (pq > 0.0 and np.isfinite(pq) and rz > 0.0):
            status = 2
            break
        alpha = rz / pq
        # The vector passes run on threads too when the product does (cores are free then):
        # two cores stream more bytes than one. Partial sums are added in chunk order either way.
        if parallel:
            _cg_vectors_parallel(u, r, p, q, alpha, bounds, partial, hub_rows, hub_ptr, hub_cols,
                                 hub_vals, hub_bounds, y_part)
        else:
            for t in range(n_chunks):
                partial[t] = _cg_update_chunk(u, r, p, q, alpha, bounds, hub_rows, hub_ptr,
                                              hub_cols, hub_vals, hub_bounds, y_part, t)
        rr_new = 0.0
        for t in range(n_chunks):
            rr_new += partial[t]
        if not np.isfinite(rr_new):
            status = 2
            break
        if rr_new <= target2:
            # proposed: check the true residual (written into r), restart from it if it misses
            true2 = _cg_true_residual(indptr, indices, data, weight, x, u, r, bounds, parallel)
            if true2 <= target2:
                status = 1
                break
            for i in range(n):
                p[i] = r[i]
            rz = true2
            if hubs:
                rz += _hub_precondition(hub_rows, hub_ptr, hub_cols, hub_vals, hub_schur_inv,
                                        hub_coupling, r, p, hub_y, hub_w)
            true2 = np.nan
            continue
        rz_new = rr_new
        if hubs:
            rz_new += _hub_solve(hub_schur_inv, hub_coupling, y_part, hub_y, hub_w)
        beta = rz_new / rz
        if parallel:
            _cg_direction_parallel(r, p, beta, bounds, hub_rows, hub_ptr, hub_cols, hub_vals,
                                   hub_bounds, hub_w)
        else:
            for t in range(n_chunks):
                _cg_direction_chunk(r, p, beta, bounds, hub_rows, hub_ptr, hub_cols, hub_vals,
                                    hub_bounds, hub_w, t)
        rz = rz_new
    state[0] = rz
    if status == 2 or (status == 0 and final):
        true2 = _cg_true_residual(indptr, indices, data, weight, x, u, q, bounds, parallel)
    if status == 0 and not final:
        return steps, np.nan, 0
    value = np.sqrt(true2 / scale2) if scale2 > 0.0 else np.sqrt(true2)
    return steps, value, status


@njit(cache=True)
def dense_inverse_kernel(K):
    """The inverse of the small dense matrix ``K`` by Gauss-Jordan elimination with partial
    pivoting (rows swapped to the largest pivot), or an empty matrix when a pivot vanishes.

    For the hub preconditioner's capacitance matrix, a few hundred rows: LAPACK would wake BLAS's
    threads, which then spin on the cores the next solve needs.
    """
    m = K.shape[0]
    A = K.copy()
    inv = np.eye(m)
    for col in range(m):
        pivot = col
        best = abs(A[col, col])
        for row in range(col + 1, m):
            if abs(A[row, col]) > best:
                best = abs(A[row, col])
                pivot = row
        if not best > 0.0:
            return np.empty((0, 0))
        if pivot != col:
            for j in range(m):
                A[col, j], A[pivot, j] = A[pivot, j], A[col, j]
                inv[col, j], inv[pivot, j] = inv[pivot, j], inv[col, j]
        scale = 1.0 / A[col, col]
        for j in range(m):
            A[col, j] *= scale
            inv[col, j] *= scale
        for row in range(m):
            if row != col:
                factor = A[row, col]
                if factor != 0.0:
                    for j in range(m):
                        A[row, j] -= factor * A[col, j]
                        inv[row, j] -= factor * inv[col, j]
    return inv


@njit(cache=True, parallel=True)  # calls a parallel kernel: see _jit.py
def hub_first_product_kernel(indptr, indices, data, weight, bounds, parallel, hub_rows, hub_ptr,
                             hub_cols, hub_vals, hub_schur_inv, hub_coupling):
    """``(I - W) P^{-1} 1`` for the hub preconditioner ``P`` (see ``cg_kernel``), ``n + 1``
    entries with the last zero like CG's vectors: the product of CG's first direction when ``x``
    is constant, made once per network."""
    n = indptr.shape[0] - 1
    k = hub_schur_inv.shape[0]
    direction = np.ones(n + 1)
    direction[n] = 0.0
    # in place: the correction gathers all of the ones before it adds to any of them
    _hub_precondition(hub_rows, hub_ptr, hub_cols, hub_vals, hub_schur_inv, hub_coupling,
                      direction, direction, np.empty(2 * k), np.empty(2 * k))
    product = np.zeros(n + 1)
    if parallel:
        partial = np.zeros(bounds.shape[0] - 1)  # a parallel loop, on the threaded route only
        _cg_product_parallel(indptr, indices, data, weight, direction, product, bounds, partial)
    else:
        for t in range(bounds.shape[0] - 1):
            _cg_product_rows(indptr, indices, data, weight, direction, product, bounds[t],
                             bounds[t + 1])
    return product


@njit(cache=True)
def hub_pattern_kernel(indptr, indices, hubs):
    """Where the hub preconditioner's ``U = [W[:, H], E_H]`` has entries, by rows (``hubs``
    increasing, ``W`` symmetric so that hub ``j``'s column is its row).

    Returns ``(rows, ptr, cols, source, inside, inside_row)``: the rows with an entry
    (increasing) and their pointers; each entry's column (``j < k`` a link to hub ``j``, in hub
    order within a row, then ``k + j`` for hub ``j`` itself, last in its row) and the position of
    its weight in ``indices`` (-1 for a hub itself); the entries that link two hubs and the hub
    whose row holds each. Two passes over the hubs' links and two over the rows.
    """
    n = indptr.shape[0] - 1
    k = hubs.shape[0]
    count = np.zeros(n, dtype=np.int64)
    for j in range(k):
        for e in range(indptr[hubs[j]], indptr[hubs[j] + 1]):
            count[indices[e]] += 1
        count[hubs[j]] += 1
    m = 0
    for i in range(n):
        if count[i] > 0:
            m += 1
    rows = np.empty(m, dtype=np.int64)
    ptr = np.empty(m + 1, dtype=np.int64)
    slot = np.empty(n, dtype=np.int64)  # the next free entry of each row
    a = 0
    total = 0
    for i in range(n):
        if count[i] > 0:
            rows[a] = i
            ptr[a] = total
            slot[i] = total
            total += count[i]
            a += 1
    ptr[m] = total
    cols = np.empty(total, dtype=np.int64)
    source = np.empty(total, dtype=np.int64)
    for j in range(k):
        for e in range(indptr[hubs[j]], indptr[hubs[j] + 1]):
            s = slot[indices[e]]
            cols[s] = j
            source[s] = e
            slot[indices[e]] = s + 1
    for j in range(k):
        s = slot[hubs[j]]
        cols[s] = k + j
        source[s] = -1
        slot[hubs[j]] = s + 1
    for i in range(n):  # count, reused: 1 + the hub index of each hub, 0 elsewhere
        count[i] = 0
    for j in range(k):
        count[hubs[j]] = j + 1
    n_inside = 0
    for a in range(m):
        if count[rows[a]] > 0:
            for e in range(ptr[a], ptr[a + 1]):
                if cols[e] < k:
                    n_inside += 1
    inside = np.empty(n_inside, dtype=np.int64)
    inside_row = np.empty(n_inside, dtype=np.int64)
    t = 0
    for a in range(m):
        if count[rows[a]] > 0:
            for e in range(ptr[a], ptr[a + 1]):
                if cols[e] < k:
                    inside[t] = e
                    inside_row[t] = count[rows[a]] - 1
                    t += 1
    return rows, ptr, cols, source, inside, inside_row


@njit(cache=True)
def hub_blocks_kernel(ptr, cols, vals, k, inside, inside_row):
    """``(W_HH, B^T B - W_HH^2)`` of the hub preconditioner from its entries' weights ``vals``
    (the layout of ``hub_pattern_kernel``): ``B^T B`` by the pairs of hub links within each row."""
    between = np.zeros((k, k))
    gram = np.zeros((k, k))
    for a in range(ptr.shape[0] - 1):
        for e in range(ptr[a], ptr[a + 1]):
            if cols[e] < k:
                for f in range(ptr[a], ptr[a + 1]):
                    if cols[f] < k:
                        gram[cols[e], cols[f]] += vals[e] * vals[f]
    for t in range(inside.shape[0]):
        between[inside_row[t], cols[inside[t]]] = vals[inside[t]]
    for i in range(k):
        for j in range(k):
            total = 0.0
            for l in range(k):
                total += between[i, l] * between[l, j]
            gram[i, j] -= total
    return between, gram
