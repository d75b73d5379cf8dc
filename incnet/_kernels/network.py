"""Kernels over a network's own CSR arrays (structural facts of :class:`incnet.IncentiveNetwork`).

Plain functions over arrays: no validation, no incnet imports.
"""

import numpy as np
from numba import prange

from ._jit import njit
from ._splitmix import mix64

__all__ = [
    "is_symmetric_kernel",
    "symmetry_fingerprint_kernel",
    "cyclic_block_count_kernel",
    "cyclic_block_fill_kernel",
    "masked_matvec_kernel",
]


@njit(cache=True)
def is_symmetric_kernel(indptr, indices, data, block=4_194_304):
    """Whether a canonical CSR matrix equals its transpose exactly.

    Preconditions: ``indices`` sorted within each row, no duplicates, no explicit zeros (the
    canonical form of an IncentiveNetwork). The transpose is built by a counting sort, one cursor
    per column: rows ``i`` are visited in increasing order, so each column's entries land in
    increasing row order and the transpose's arrays come out canonical; ``W == W.T`` iff they
    equal ``W``'s own arrays. The scatter writes never wait on a load (unlike a search for each
    entry's mirror, whose dependent reads miss the cache once per entry), so the check runs at
    about the speed of a sparse product. When every weight is equal only the pattern is compared.

    The transpose is built for consecutive column ranges of at most ``block`` entries (default
    2**22, or one column if longer), each after one more read of the index array: memory is ``n`` cursors and
    one such range (indices, and weights unless all equal). Time ``O(nnz)`` per range; stops at
    the first column holding more entries than its row, or the first mismatch.
    """
    n = indptr.shape[0] - 1
    nnz = indptr[n]
    uniform = True
    for p in range(1, nnz):
        if data[p] != data[0]:
            uniform = False
            break
    longest = 0
    for j in range(n):
        if indptr[j + 1] - indptr[j] > longest:
            longest = indptr[j + 1] - indptr[j]
    size = max(min(nnz, block), longest)
    cursor = indptr[:n].copy()  # indptr's own (32-bit) dtype: half the cache footprint of int64
    rows = np.empty(size, dtype=indices.dtype)
    weights = np.empty(0 if uniform else size)
    j0 = 0
    while j0 < n:
        base = indptr[j0]
        j1 = j0 + 1
        while j1 < n and indptr[j1 + 1] - base <= size:
            j1 += 1
        for i in range(n):
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                if j < j0 or j >= j1:
                    continue
                q = cursor[j]
                if q >= indptr[j + 1]:
                    return False  # column j holds more entries than row j
                rows[q - base] = i
                if not uniform:
                    weights[q - base] = data[p]
                cursor[j] = q + 1
        # A column left short here holds stale entries, which either mismatch (it is short, so
        # W is not symmetric) or pass; then, as the totals agree, a later column overflows.
        for p in range(base, indptr[j1]):
            if rows[p - base] != indices[p]:
                return False
            if not uniform and weights[p - base] != data[p]:
                return False
        j0 = j1
    return True


@njit(cache=True, inline="always")
def _entry_hash(row, col, weight_key):
    return mix64(((row << np.uint64(32)) | col) ^ weight_key)


@njit(cache=True)
def _fingerprint_rows(indptr, indices, weight_bits, lo, hi):
    total = np.uint64(0)
    uniform = weight_bits.shape[0] == 0
    for i in range(lo, hi):
        row = np.uint64(i)
        for p in range(indptr[i], indptr[i + 1]):
            col = np.uint64(indices[p])
            key = np.uint64(0) if uniform else mix64(weight_bits[p])
            # wrapping arithmetic modulo 2**64: the order of the sum does not matter
            total += _entry_hash(row, col, key) - _entry_hash(col, row, key)
    return total


@njit(cache=True, parallel=True)
def symmetry_fingerprint_kernel(indptr, indices, weight_bits, n_chunks, parallel):
    """``sum over stored entries (i, j, w) of h(i, j, w) - h(j, i, w)``, modulo 2**64.

    ``h`` is a 64-bit hash of the row, the column and the bits of the weight (``weight_bits``:
    the weights viewed as uint64, or empty when every weight is equal). A symmetric matrix pairs
    each entry with its mirror, so its fingerprint is exactly 0; a non-zero fingerprint proves
    asymmetry, and an asymmetric matrix has fingerprint 0 only by a hash collision (about one
    chance in 2**64 for data not built against this hash). One streaming pass over the arrays,
    no random access: a small fraction of the exact check's time. Rows are split into
    ``n_chunks`` fixed chunks (on threads with ``parallel``); the sum is the same either way.
    """
    n = indptr.shape[0] - 1
    partial = np.zeros(n_chunks, dtype=np.uint64)
    if parallel:
        for c in prange(n_chunks):
            partial[c] = _fingerprint_rows(indptr, indices, weight_bits, c * n // n_chunks,
                                           (c + 1) * n // n_chunks)
    else:
        for c in range(n_chunks):
            partial[c] = _fingerprint_rows(indptr, indices, weight_bits, c * n // n_chunks,
                                           (c + 1) * n // n_chunks)
    total = np.uint64(0)
    for c in range(n_chunks):
        total += partial[c]
    return total


@njit(cache=True)
def cyclic_block_count_kernel(indptr, indices, labels, sizes, new_index, out_indptr):
    """First pass of :func:`cyclic_block_fill_kernel`: renumber the nodes of components of more
    than one node and count the links inside their components.

    ``labels`` (n) gives each node's component and ``sizes`` each component's node count.
    Writes ``new_index`` (int64, n: the new number of a kept node, -1 otherwise) and
    ``out_indptr[: kept + 1]`` (int64, length at least kept + 1). Returns the number of kept nodes.
    """
    n = indptr.shape[0] - 1
    count = 0
    for i in range(n):
        if sizes[labels[i]] > 1:
            new_index[i] = count
            count += 1
        else:
            new_index[i] = -1
    out_indptr[0] = 0
    nnz = 0
    for i in range(n):
        r = new_index[i]
        if r < 0:
            continue
        for p in range(indptr[i], indptr[i + 1]):
            if labels[indices[p]] == labels[i]:
                nnz += 1
        out_indptr[r + 1] = nnz
    return count


@njit(cache=True)
def cyclic_block_fill_kernel(indptr, indices, data, labels, new_index, out_indices, out_data):
    """Second pass: the links ``i -> j`` with ``labels[i] == labels[j]`` between kept nodes, in
    the new numbering, written to ``out_indices`` / ``out_data`` (sizes from the first pass)."""
    n = indptr.shape[0] - 1
    q = 0
    for i in range(n):
        if new_index[i] < 0:
            continue
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if labels[j] == labels[i]:
                out_indices[q] = new_index[j]
                out_data[q] = data[p]
                q += 1


@njit(cache=True)
def masked_matvec_kernel(indptr, indices, data, labels, x, y):
    """``y = B x`` for ``B`` the links of ``A`` inside components: ``i -> j`` with equal labels.

    ``B`` is block diagonal (one block per strongly connected component, links between
    components dropped), so it has the spectral radius of ``A`` without the nilpotent coupling
    of the links between components. Reads the CSR arrays of ``A`` in place: no copy of it.
    """
    n = indptr.shape[0] - 1
    for i in range(n):
        acc = 0.0
        own = labels[i]
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if labels[j] == own:
                acc += data[p] * x[j]
        y[i] = acc
