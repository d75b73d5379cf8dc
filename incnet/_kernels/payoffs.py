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
from numba import njit, prange

__all__ = [
    "row_chunks",
    "residual_kernel",
    "neumann_kernel",
    "chebyshev_kernel",
    "collatz_wielandt_kernel",
    "relative_residual_kernel",
    "solve_kernel",
]


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


@njit(cache=True)
def residual_kernel(indptr, indices, data, weight, x, u, r, bounds, parallel):
    """Residual ``r = x - (I - W) u``; returns its squared 2-norm per column (float64, k).

    Writes ``r`` only. ``parallel`` runs the chunks of ``bounds`` on threads.
    """
    n_chunks = bounds.shape[0] - 1
    partial = np.zeros((n_chunks, x.shape[1]))
    if parallel:
        _residual_parallel(indptr, indices, data, weight, x, u, r, bounds, partial)
    else:
        for t in range(n_chunks):
            _residual_rows(indptr, indices, data, weight, x, u, r, bounds[t], bounds[t + 1], partial[t])
    return partial.sum(axis=0)


@njit(cache=True)
def _neumann_rows(indptr, indices, data, weight, x, u, u_next, lo, hi, partial):
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
            value = x[i, cc] + acc
            step = value - u[i, cc]
            u_next[i, cc] = value
            total += step * step
        partial[cc] = total


@njit(cache=True, parallel=True)
def _neumann_parallel(indptr, indices, data, weight, x, u, u_next, bounds, partial):
    for t in prange(bounds.shape[0] - 1):
        _neumann_rows(indptr, indices, data, weight, x, u, u_next, bounds[t], bounds[t + 1], partial[t])


@njit(cache=True)
def neumann_kernel(indptr, indices, data, weight, x, u, work, bounds, target2, max_iter, parallel):
    """Jacobi / Neumann iteration ``u <- x + W u`` until the residual is small.

    The step ``x + W u - u`` of an iteration is exactly the residual of ``u``, so the stopping
    test costs nothing extra: the loop stops once, in every column ``c``, the squared residual of
    the previous iterate is at most ``target2[c]``; the new iterate (one more contraction) is kept.

    ``u`` holds the start on entry and the last iterate on return; ``work`` is scratch of the same
    shape. Returns ``(iterations, converged)``.
    """
    n_chunks = bounds.shape[0] - 1
    k = x.shape[1]
    partial = np.zeros((n_chunks, k))
    for it in range(1, max_iter + 1):
        if parallel:
            _neumann_parallel(indptr, indices, data, weight, x, u, work, bounds, partial)
        else:
            for t in range(n_chunks):
                _neumann_rows(indptr, indices, data, weight, x, u, work, bounds[t], bounds[t + 1], partial[t])
        u[:, :] = work
        done = True
        for c in range(k):
            if partial[:, c].sum() > target2[c]:
                done = False
        if done:
            return it, True
    return max_iter, False


@njit(cache=True)
def _chebyshev_rows(indptr, indices, data, weight, u, r, d, d_next, keep, gain, lo, hi, partial):
    # One fused pass: A d with A = I - W, then the updates of u, r and the next direction.
    # Unsigned loop indices spare numba's negative-index checks in the hot loops.
    k = u.shape[1]
    uniform = data.shape[0] == 0
    for c in range(k):
        cc = np.uint64(c)
        total = 0.0
        for i in range(np.uint64(lo), np.uint64(hi)):
            acc = 0.0
            if uniform:
                for p in range(indptr[i], indptr[i + np.uint64(1)]):
                    acc += d[indices[p], cc]
                acc *= weight
            else:
                for p in range(indptr[i], indptr[i + np.uint64(1)]):
                    acc += data[p] * d[indices[p], cc]
            di = d[i, cc]
            u[i, cc] += di
            ri = r[i, cc] - (di - acc)
            r[i, cc] = ri
            d_next[i, cc] = keep * di + gain * ri
            total += ri * ri
        partial[cc] = total


@njit(cache=True, parallel=True)
def _chebyshev_parallel(indptr, indices, data, weight, u, r, d, d_next, keep, gain, bounds, partial):
    for t in prange(bounds.shape[0] - 1):
        _chebyshev_rows(indptr, indices, data, weight, u, r, d, d_next, keep, gain,
                        bounds[t], bounds[t + 1], partial[t])


@njit(cache=True)
def chebyshev_kernel(indptr, indices, data, weight, u, r, d, d_next, bounds, lower, upper,
                     target2, max_iter, parallel):
    """Chebyshev iteration for ``(I - W) u = x`` when the spectrum of ``I - W`` lies in
    ``[lower, upper]`` with ``0 < lower < upper`` (symmetric ``W``; Saad 2003, Algorithm 12.1).

    On entry ``u`` holds the start and ``r`` its residual ``x - (I - W) u``; ``d`` and ``d_next``
    are scratch. On return ``u`` is the last iterate and ``r`` its recursively updated residual.
    Stops once the squared residual of every column ``c`` is at most ``target2[c]``. Each
    iteration is one fused pass over the CSR arrays. Returns ``(iterations, converged)``.
    """
    n_chunks = bounds.shape[0] - 1
    k = u.shape[1]
    partial = np.zeros((n_chunks, k))
    center = 0.5 * (upper + lower)
    half_width = 0.5 * (upper - lower)
    sigma = center / half_width
    rho = 1.0 / sigma
    d[:, :] = r / center
    for it in range(1, max_iter + 1):
        rho_next = 1.0 / (2.0 * sigma - rho)
        keep = rho_next * rho
        gain = 2.0 * rho_next / half_width
        if parallel:
            _chebyshev_parallel(indptr, indices, data, weight, u, r, d, d_next, keep, gain, bounds, partial)
        else:
            for t in range(n_chunks):
                _chebyshev_rows(indptr, indices, data, weight, u, r, d, d_next, keep, gain,
                                bounds[t], bounds[t + 1], partial[t])
        d, d_next = d_next, d
        rho = rho_next
        done = True
        for c in range(k):
            if partial[:, c].sum() > target2[c]:
                done = False
        if done:
            return it, True
    return max_iter, False


@njit(cache=True)
def _collatz_rows(indptr, indices, data, weight, v, v_next, lo, hi):
    # v_next = (|W| + I) v over rows lo..hi; returns the largest ratio (|W| v)_i / v_i there.
    uniform = data.shape[0] == 0
    worst = 0.0
    for i in range(lo, hi):
        acc = 0.0
        if uniform:
            for p in range(indptr[i], indptr[i + 1]):
                acc += v[indices[p]]
            acc *= weight
        else:
            for p in range(indptr[i], indptr[i + 1]):
                acc += data[p] * v[indices[p]]
        ratio = acc / v[i]
        if ratio > worst:
            worst = ratio
        v_next[i] = acc + v[i]
    return worst


@njit(cache=True, parallel=True)
def _collatz_parallel(indptr, indices, data, weight, v, v_next, bounds, worst):
    for t in prange(bounds.shape[0] - 1):
        worst[t] = _collatz_rows(indptr, indices, data, weight, v, v_next, bounds[t], bounds[t + 1])


@njit(cache=True)
def collatz_wielandt_kernel(indptr, indices, data, weight, bounds, max_iter, stall, parallel):
    """Upper bound on the spectral radius of a non-negative matrix ``A`` (the CSR arguments).

    For any positive vector ``v``, :math:`\\rho(A) \\le \\max_i (Av)_i / v_i` (Collatz-Wielandt).
    ``v`` starts at ones (the bound is then the largest row sum) and follows the power iteration
    of the shifted matrix ``A + I``, which has the same Perron vector as ``A`` but converges also
    on bipartite graphs; a small floor keeps ``v`` strictly positive. ``data``/``weight`` must be
    non-negative. Stops after ``max_iter`` products, or once the bound is below 1 and improved by
    less than the fraction ``stall`` in the last step. Returns ``(bound, products)``.
    """
    n = indptr.shape[0] - 1
    n_chunks = bounds.shape[0] - 1
    v = np.ones(n)
    v_next = np.empty(n)
    worst = np.zeros(n_chunks)
    best = np.inf
    for it in range(1, max_iter + 1):
        if parallel:
            _collatz_parallel(indptr, indices, data, weight, v, v_next, bounds, worst)
        else:
            for t in range(n_chunks):
                worst[t] = _collatz_rows(indptr, indices, data, weight, v, v_next, bounds[t], bounds[t + 1])
        bound = worst.max()
        improved = best - bound
        if bound < best:
            best = bound
        if best < 1.0 and improved < stall * best:
            return best, it
        scale = v_next.max()
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
        if value > worst:
            worst = value
    return worst


@njit(cache=True)
def relative_residual_kernel(indptr, indices, data, weight, x, u, bounds, parallel):
    """Relative residual ``max_c |x_c - (I - W) u_c|_2 / |x_c|_2`` (absolute for a zero column).

    Reads only; returns a float.
    """
    r = np.empty_like(x)
    res2 = residual_kernel(indptr, indices, data, weight, x, u, r, bounds, parallel)
    return _relative(res2, x)


@njit(cache=True)
def solve_kernel(chebyshev, indptr, indices, data, weight, bounds, x, u, warm, lower, upper,
                 tol, max_iter, restarts, parallel):
    """Solve ``(I - W) u = x`` by Chebyshev (``chebyshev=True``) or Neumann iteration.

    ``u`` holds the start when ``warm`` is True and is overwritten with the solution; without a
    warm start Chebyshev starts at 0 and Neumann at ``x``. ``[lower, upper]`` must contain the
    spectrum of ``I - W`` (Chebyshev only; symmetric ``W``). The iteration stops when the
    squared residual of every column is at most ``(tol |x_c|)^2`` (``tol^2`` for a zero column);
    then the residual is recomputed from ``u`` and, if rounding in the recursion left it above
    the target, the iteration restarts from the true residual (at most ``restarts`` times).
    Returns ``(iterations, relative residual of u)``.
    """
    k = x.shape[1]
    target2 = np.empty(k)
    for c in range(k):
        scale2 = 0.0
        for i in range(x.shape[0]):
            scale2 += x[i, c] * x[i, c]
        target2[c] = tol * tol * scale2 if scale2 > 0.0 else tol * tol
    r = np.empty_like(x)
    work = np.empty_like(x)
    if not warm:
        if chebyshev:
            u[:, :] = 0.0
        else:
            u[:, :] = x  # the first term of the series; saves one step
    if chebyshev:
        if warm:
            residual_kernel(indptr, indices, data, weight, x, u, r, bounds, parallel)
        else:
            r[:, :] = x
    d_next = np.empty((x.shape[0] if chebyshev else 0, k))
    iterations = 0
    res2 = np.zeros(k)
    for _ in range(restarts + 1):
        budget = max_iter - iterations
        if budget <= 0:
            break
        if chebyshev:
            steps, _ = chebyshev_kernel(indptr, indices, data, weight, u, r, work, d_next, bounds,
                                        lower, upper, target2, budget, parallel)
        else:
            steps, _ = neumann_kernel(indptr, indices, data, weight, x, u, work, bounds, target2,
                                      budget, parallel)
        iterations += steps
        res2 = residual_kernel(indptr, indices, data, weight, x, u, r, bounds, parallel)
        done = True
        for c in range(k):
            if res2[c] > target2[c]:
                done = False
        if done:
            break
    return iterations, _relative(res2, x)
