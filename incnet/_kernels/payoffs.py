"""Kernels for interdependent payoffs u = x + W u over CSR arrays."""

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _affine_spmv_serial(indptr, indices, data, x, u, out):
    """out = x + W @ u for a block u of shape (n, k). Returns max |out - u| and max |out|."""
    n, k = u.shape
    diff = 0.0
    size = 0.0
    for i in range(n):
        for c in range(k):
            acc = x[i, c]
            for p in range(indptr[i], indptr[i + 1]):
                acc += data[p] * u[indices[p], c]
            out[i, c] = acc
            d = abs(acc - u[i, c])
            if d > diff:
                diff = d
            if abs(acc) > size:
                size = abs(acc)
    return diff, size


@njit(cache=True, parallel=True)
def _affine_spmv_parallel(indptr, indices, data, x, u, out):
    """Same as ``_affine_spmv_serial``, rows split over threads."""
    n, k = u.shape
    row_diff = np.empty(n)
    row_size = np.empty(n)
    for i in prange(n):
        rd = 0.0
        rs = 0.0
        for c in range(k):
            acc = x[i, c]
            for p in range(indptr[i], indptr[i + 1]):
                acc += data[p] * u[indices[p], c]
            out[i, c] = acc
            d = abs(acc - u[i, c])
            if d > rd:
                rd = d
            if abs(acc) > rs:
                rs = abs(acc)
        row_diff[i] = rd
        row_size[i] = rs
    return row_diff.max(), row_size.max()


@njit(cache=True)
def _neumann_kernel(indptr, indices, data, x, u, work, tol, max_iter, parallel):
    """Jacobi / Neumann iteration u <- x + W u until successive iterates agree.

    Preconditions: CSR triplet of an n x n matrix; ``x``, ``u``, ``work`` float64 (n, k)
    C-contiguous; ``u`` holds the start. On return ``u`` holds the last iterate.
    Stops when max|u_{t+1} - u_t| <= tol * max|u_{t+1}|, or when the change grows for
    50 consecutive steps (divergence). Returns (iterations, last change, ratio of the last two
    changes), the ratio estimating the spectral radius of W.
    """
    previous = np.inf
    ratio = 0.0
    growing = 0
    for it in range(1, max_iter + 1):
        if parallel:
            diff, size = _affine_spmv_parallel(indptr, indices, data, x, u, work)
        else:
            diff, size = _affine_spmv_serial(indptr, indices, data, x, u, work)
        u[:, :] = work
        if previous < np.inf and previous > 0.0:
            ratio = diff / previous
        if diff > previous:
            growing += 1
            if growing >= 50:
                return it, diff, ratio
        else:
            growing = 0
        previous = diff
        if diff <= tol * size:
            return it, diff, ratio
    return max_iter, previous, ratio
