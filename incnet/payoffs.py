r"""Interdependent payoffs (Bergstrom 1999).

Each person's total payoff is their material payoff plus the weighted total payoffs of the
people they care about:

.. math:: u = x + W u \quad\Longleftrightarrow\quad u = (I - W)^{-1} x .

The system is well posed, and the Neumann series :math:`u = \sum_{t \ge 0} W^t x` converges, when
:math:`\rho(|W|) < 1`. A unit paid to person :math:`j` then raises everyone's total payoff by the
:math:`j`-th column of :math:`(I - W)^{-1}` (:func:`payoff_influence`); person :math:`i`'s total
payoff depends on everyone's material payoff through the :math:`i`-th row (:func:`payoff_exposure`).

References
----------
.. [1] Bergstrom, T. C. (1999). Systems of benevolent utility functions. *Journal of Public
   Economic Theory* 1(1), 71-100.
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._results import ResultMixin
from ._threads import require_parallel
from ._validate import as_node_indices, as_vector, check_int, check_method, check_positive
from .errors import ConvergenceError, IllPosedNetworkError, InvalidInputError
from .network import DENSE_LIMIT, _threads_pay, as_network

__all__ = ["PayoffResult", "PayoffSolver", "total_payoffs", "payoff_influence", "payoff_exposure"]

METHODS = ("auto", "direct", "krylov", "neumann", "chebyshev", "cg")
#: From this many non-zeros on the kernels split rows over threads.
_PARALLEL_NNZ = 200_000
#: Rows per chunk of parallel work: chunks are fixed by the matrix, not by the thread count.
_CHUNK_NNZ = 50_000
#: From this many nodes on, a solver object (PayoffSolver, LinearQuadraticSolver) runs the
#: iterative kernels on a reverse Cuthill-McKee reordering of W (payoff vectors no longer fit in
#: cache, and neighbours stored near each other are read together). The one-shot functions never
#: reorder: the ordering costs 4-9 solves' worth of time at 10^6 nodes and saves 0-15% per solve
#: (nothing on scale-free graphs, some on shuffled lattices), so only repeated use amortises it.
_REORDER_NODES = 50_000
#: From this many links on, ``auto`` solves a symmetric network (one column of payoffs) by
#: conjugate gradients after a certificate that stops at its first bound below 1. Measured at
#: 10^6 nodes (BA, m = 5, delta = 0.5/rho): 17 CG steps against 21 of Chebyshev with the exact
#: radius, and about 1.4x faster in wall time.
_CG_NNZ = 200_000
#: Up to this many nodes conjugate gradients read W in sliced ELLPACK (``_sliced``), built once
#: per network in about two products' time. Measured on BA graphs (m = 5) with one thread, a
#: product takes 0.53x the CSR time at 10^5 nodes, 0.70x at 2 x 10^5, 0.93x at 4 x 10^5 and the
#: same at 10^6: the format overlaps the gathers of several rows, which pays while the vector sits
#: in the middle levels of cache and not once gathers wait on main memory. (Below ``_CG_NNZ``
#: links ``auto`` does not use CG.)
_SLICED_MAX_NODES = 400_000
#: Rows sorted by length together in the sliced format (a multiple of its 8 rows per slice).
_SLICE_WINDOW = 256
#: Hubs of the CG preconditioner ``I - W_H`` (``_hubs``): rows whose weight sum is at least this
#: many times the mean, the largest ``_MAX_HUBS`` of them. On scale-free graphs the extreme
#: eigenvalues of W come from the stars around hubs; with those links solved exactly, CG sees the
#: rest of W, whose spectral radius is far smaller. Measured on BA graphs (m = 5, delta = 0.5/rho,
#: tol 1e-10): 17 steps become 11 with 64 hubs at 10^6 nodes, and 10 with 128. A step's share of
#: the hubs grows with their links and k^2 while a product grows with the network, so networks of
#: ``_MORE_HUBS_NODES`` or more take twice as many (94 against 100 ms a solve at 10^6 nodes; at
#: 10^5, 128 hubs were slower than 64).
_HUB_FACTOR = 16.0
_MAX_HUBS = 64
_MORE_HUBS_NODES = 500_000
#: ``auto`` iterates only when the spectral bound promises convergence within this many steps.
_MAX_AUTO_STEPS = 2_000
#: ``auto`` factorises only up to this many nodes (LU fill-in explodes on hub-heavy graphs).
_DIRECT_LIMIT = DENSE_LIMIT


@dataclass(frozen=True, repr=False)
class PayoffResult(ResultMixin):
    r"""Total payoffs :math:`u = (I - W)^{-1} x` and how they were computed.

    Attributes
    ----------
    u : numpy.ndarray
        Total payoffs, shape (n,) or (n, k) like ``x``, in the order of ``nodes``.
    converged : bool
        Whether the relative residual is within ``tol`` (always True for a returned result:
        a miss raises :class:`~incnet.errors.ConvergenceError`).
    iterations : int
        Iterations (sparse products) of an iterative method; 0 for ``"direct"``.
    residual : float
        Relative residual :math:`\max_c \|x_c - (I - W) u_c\|_2 / \|x_c\|_2` (absolute for a zero
        column), computed from the returned ``u`` by its definition, never a recursive estimate.
    method : str
        The method actually used (``"auto"`` resolved).
    nodes : tuple
        Node labels in index order.
    """

    u: np.ndarray
    converged: bool
    iterations: int
    residual: float
    method: str
    nodes: tuple = ()

    _per_node_field = "u"


class _Operator(NamedTuple):
    """The arrays the kernels read, built once per network and cached on it."""

    perm: object  # new index -> node index, or None when W is used in its own order
    indptr: np.ndarray  # uint64
    indices: np.ndarray  # uint32
    data: np.ndarray  # float64 weights, or empty when every weight equals ``weight``
    weight: float
    abs_data: np.ndarray
    abs_weight: float
    bounds: np.ndarray  # row chunks
    parallel: bool

    def scaled(self, factor):
        """The operator of ``factor * W``: same ordering and chunks, weights scaled."""
        data = self.data * factor
        shared = self.abs_data is self.data and factor >= 0  # non-negative weights: one array
        return self._replace(data=data, weight=self.weight * factor,
                             abs_data=data if shared else self.abs_data * abs(factor),
                             abs_weight=self.abs_weight * abs(factor))


def _parallel(op):
    """Whether the kernels split this operator's rows over threads.

    The kernels are compiled with ``parallel=True`` (see ``incnet._kernels._jit``), so they cannot
    run in a process forked after GNU OpenMP ran: there this raises ForkedThreadPoolError
    (PayoffSolver's direct route, which is scipy's, still works). Large operators run on threads
    when the machine has idle cores (see ``network._threads_pay``); the result is the same.
    """
    require_parallel("total_payoffs")
    return op.parallel and _threads_pay()


def _ordering(net):
    """Reverse Cuthill-McKee order of the links' pattern (cached; unchanged by scaling)."""

    def compute():
        from scipy.sparse.csgraph import reverse_cuthill_mckee

        pattern = sp.csr_matrix((np.ones(net.nnz, dtype=np.int8), net.W.indices, net.W.indptr),
                                shape=(net.n, net.n))
        return np.asarray(reverse_cuthill_mckee(pattern, symmetric_mode=net.is_symmetric), dtype=np.int64)

    return net._cached("ordering", compute)


def _operator(net, ordered=False):
    """The kernels' arrays for ``net`` (cached on it), in its own order or, with ``ordered`` and
    at least ``_REORDER_NODES`` nodes, in reverse Cuthill-McKee order (solver objects only)."""
    from ._kernels.payoffs import row_chunks

    ordered = bool(ordered) and net.n >= _REORDER_NODES and net.nnz > 0
    key = "payoffs.operator.ordered" if ordered else "payoffs.operator"
    origin = net._cache.get("scaled_from")
    if origin is not None:
        # W = factor * W0: reuse the origin's arrays, cached there, with scaled weights.
        base, factor = origin
        return net._cached(key, lambda: _operator(base, ordered).scaled(factor))

    def compute():
        from ._kernels.payoffs import permuted_csr_kernel

        W = net.W
        perm = None
        source = W.data
        common = net._uniform_weight
        weight = common if common is not None else 0.0  # every weight equal: no weight array
        if ordered:
            # Permute straight into the kernels' dtypes: no intermediate matrix (the memory
            # stays near one CSR beyond the network's own).
            perm = _ordering(net)
            indptr = np.empty(net.n + 1, dtype=np.uint64)
            indices = np.empty(net.nnz, dtype=np.uint32)
            data = np.empty(0 if weight else net.nnz)
            permuted_csr_kernel(W.indptr, W.indices, source, perm, indptr, indices, data)
        else:
            indptr, indices = net._unsigned_csr
            data = np.empty(0) if weight else np.asarray(source, dtype=np.float64)
        abs_data = np.abs(data) if data.size and np.any(data < 0) else data
        n_chunks = max(1, min(1024, W.nnz // _CHUNK_NNZ))
        bounds = row_chunks(indptr, n_chunks)
        return _Operator(perm, indptr, indices, data, weight, abs_data, abs(weight), bounds,
                         W.nnz >= _PARALLEL_NNZ)

    return net._cached(key, compute)


class _Sliced(NamedTuple):
    """``W`` in the sliced ELLPACK format of ``sliced_ell_kernel``, for the CG kernel."""

    order: np.ndarray  # uint32, the row of each slot
    slice_ptr: np.ndarray  # uint64, empty when the format is not used
    cols: np.ndarray  # uint32
    vals: np.ndarray  # float64 weights, or empty when every weight equals the operator's
    bounds: np.ndarray  # slice chunks, as many as the operator's row chunks


_NOT_SLICED = _Sliced(np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.uint64),
                      np.empty(0, dtype=np.uint32), np.empty(0), np.zeros(2, dtype=np.int64))


def _sliced(net, ordered=False):
    """The operator of ``net`` in sliced ELLPACK (cached like ``_operator``), or ``_NOT_SLICED``
    outside the sizes where it pays (see ``_SLICED_MAX_NODES``)."""
    from ._kernels.payoffs import row_chunks, sliced_ell_kernel

    if net.n > _SLICED_MAX_NODES or net.nnz == 0:
        return _NOT_SLICED
    ordered = bool(ordered) and net.n >= _REORDER_NODES
    key = "payoffs.sliced.ordered" if ordered else "payoffs.sliced"
    origin = net._cache.get("scaled_from")
    if origin is not None:
        base, factor = origin
        return net._cached(key, lambda: _scaled_sliced(_sliced(base, ordered), factor))

    def compute():
        op = _operator(net, ordered)
        order, slice_ptr, cols, vals = sliced_ell_kernel(op.indptr, op.indices, op.data,
                                                         _SLICE_WINDOW)
        # as many chunks as the row chunks: the CG kernel keeps one partial sum per chunk
        bounds = row_chunks(slice_ptr, op.bounds.shape[0] - 1)
        return _Sliced(order, slice_ptr, cols, vals, bounds)

    return net._cached(key, compute)


def _scaled_sliced(sliced, factor):
    return sliced if not sliced.vals.size else sliced._replace(vals=sliced.vals * factor)


class _Hubs(NamedTuple):
    """The hub preconditioner ``P = I - W_H`` of CG, ``W_H`` the links that touch a hub, in the
    kernel's indexing. With ``U = [W[:, H], E_H]`` (``E_H`` the hubs' unit columns), ``W_H =
    U C U^T`` for ``C = [[0, I], [I, -W_HH]]``, so by Woodbury ``P^{-1} = I + U K^{-1} U^T`` with
    ``K = C^{-1} - U^T U = [[W_HH - B^T B, I - W_HH], [I - W_HH, -I]]`` (``B = W[:, H]``), which
    the kernel inverts through its ``k x k`` Schur complement ``S = I - W_HH - (B^T B - W_HH^2)``.
    ``U`` is stored by its non-zero rows: those next to a hub and the hubs themselves."""

    rows: np.ndarray  # int64, the rows of U with an entry, increasing
    ptr: np.ndarray  # int64, U's row pointers over ``rows``
    cols: np.ndarray  # int64, U's columns: j < k a link to hub j, k + j hub j itself
    vals: np.ndarray  # float64
    schur_inv: np.ndarray  # float64 (k, k), S^{-1}
    coupling: np.ndarray  # float64 (k, k), I - W_HH
    first_product: np.ndarray  # (I - W) P^{-1} 1 (n + 1 entries) when every weight is equal, or empty


_NO_HUBS = _Hubs(np.empty(0, dtype=np.int64), np.zeros(1, dtype=np.int64),
                 np.empty(0, dtype=np.int64), np.empty(0), np.empty((0, 0)), np.empty((0, 0)),
                 np.empty(0))


class _HubPattern(NamedTuple):
    """Which links the hub preconditioner holds: the same for ``W`` and every scaled copy (cached
    on the origin of scaled copies), so a copy only reads its own weights at these places."""

    rows: np.ndarray  # int64, the rows of U with an entry, increasing
    ptr: np.ndarray  # int64
    cols: np.ndarray  # int64, j < k a link to hub j, k + j hub j itself
    source: np.ndarray  # int64, each entry's link in the operator's arrays (-1: a hub itself)
    inside: np.ndarray  # int64, the entries that link two hubs
    inside_row: np.ndarray  # int64, the hub whose row holds each of them
    between_count: np.ndarray  # (k, k) the links between hubs (0 or 1)
    gram_count: np.ndarray  # (k, k) B^T B - W_HH^2 for unit weights


def _hub_pattern(net, op):
    """The hubs of ``net`` (rows whose weight sum is at least ``_HUB_FACTOR`` times the mean, the
    ``_MAX_HUBS`` largest, twice as many from ``_MORE_HUBS_NODES`` nodes) and where their links
    sit; None without hubs. Chosen on the weights' sums, which scaling does not reorder."""
    key = "payoffs.hub_pattern.ordered" if op.perm is not None else "payoffs.hub_pattern"

    def compute():
        from ._kernels.payoffs import hub_blocks_kernel, hub_pattern_kernel

        if op.data.size:
            strength = np.asarray(net.W.sum(axis=1), dtype=np.float64).ravel()
            if op.perm is not None:
                strength = strength[op.perm]
        else:
            strength = np.diff(op.indptr).astype(np.float64)
        candidates = np.flatnonzero(strength >= _HUB_FACTOR * (strength.sum() / net.n))
        most = _MAX_HUBS if net.n < _MORE_HUBS_NODES else 2 * _MAX_HUBS
        if candidates.size == 0 or most < 1:
            return None
        if candidates.size > most:
            candidates = candidates[np.argpartition(-strength[candidates], most - 1)[:most]]
        hubs = np.sort(candidates).astype(np.int64)
        rows, ptr, cols, source, inside, inside_row = hub_pattern_kernel(op.indptr, op.indices,
                                                                         hubs)
        between, gram = hub_blocks_kernel(ptr, cols, np.ones(source.size), hubs.size, inside,
                                          inside_row)
        return _HubPattern(rows, ptr, cols, source, inside, inside_row, between, gram)

    return net._cached(key, compute)


def _hubs(net, op):
    """The hub preconditioner of CG for ``net`` (cached on it), or ``_NO_HUBS`` when W has a
    negative weight (``P`` is then not proven positive definite) or no hubs (see ``_HUB_FACTOR``).

    ``P`` is positive definite with the certificate: ``W_H`` is a non-negative part of ``W``,
    so its spectral radius is at most ``W``'s, below 1. A scaled copy ``f W`` reuses the
    origin's pattern: only ``S^{-1}`` (``k x k``) and, for equal weights, one product are made
    for it.
    """
    # equal weights (no weight array) are non-negative when their common value is
    nonnegative = op.weight >= 0.0 if not op.data.size else net.is_nonnegative
    if net.nnz == 0 or not nonnegative:
        return _NO_HUBS
    key = "payoffs.hubs.ordered" if op.perm is not None else "payoffs.hubs"

    def compute():
        from ._kernels.payoffs import (dense_inverse_kernel, hub_blocks_kernel,
                                       hub_first_product_kernel)

        origin = net._cache.get("scaled_from")
        if origin is not None:
            base = origin[0]
            pattern = _hub_pattern(base, _operator(base, op.perm is not None))
        else:
            pattern = _hub_pattern(net, op)
        if pattern is None:
            return _NO_HUBS
        # this network's weights only (never the origin's times the factor): equal networks get
        # equal preconditioners, and so equal payoffs, however they were made
        k = pattern.between_count.shape[0]
        vals = np.ones(pattern.source.size)
        link = pattern.source >= 0
        if op.data.size:
            vals[link] = op.data[pattern.source[link]]
            # no BLAS here: its threads would then spin on the cores of the solve that follows
            between, gram = hub_blocks_kernel(pattern.ptr, pattern.cols, vals, k, pattern.inside,
                                              pattern.inside_row)
        else:
            vals[link] = op.weight
            between = op.weight * pattern.between_count
            gram = (op.weight * op.weight) * pattern.gram_count
        coupling = np.eye(k) - between
        schur_inv = dense_inverse_kernel(coupling - gram)
        if schur_inv.size == 0 or not np.all(np.isfinite(schur_inv)):
            return _NO_HUBS
        hubs = _Hubs(pattern.rows, pattern.ptr, pattern.cols, vals, schur_inv, coupling,
                     np.empty(0))
        if op.data.size:
            return hubs
        # Katz-Bonacich (x constant, every weight equal): CG's first direction is P^{-1} 1 up to
        # a factor, so its product is a property of the network, made once here
        product = hub_first_product_kernel(op.indptr, op.indices, op.data, op.weight, op.bounds,
                                           _parallel(op), *hubs[:6])
        return hubs._replace(first_product=product)

    return net._cached(key, compute)


def _ill_posed(rho):
    if not math.isfinite(rho):
        return IllPosedNetworkError(
            f"u = x + W u cannot be shown well posed: the spectral radius of |W| evaluates to {rho} "
            "(the weights are too large for float64 arithmetic). Scale W down (net.scaled(c))",
            spectral_radius=rho,
        )
    return IllPosedNetworkError(
        f"u = x + W u is ill-posed: the spectral radius rho(|W|) = {rho:.6g} >= 1, so payoffs "
        "can feed back without bound. Scale W down (net.scaled(c) with c < "
        f"{1.0 / rho:.6g}) or row-normalise it (net.row_normalized(a) with a < 1); "
        "method='direct' with require_well_posed=False solves any invertible I - W",
        spectral_radius=rho,
    )


def _contraction_bound(net, tight=True):
    r"""A proven upper bound on :math:`\rho(|W|)` below 1, as cheap as possible, cached on the network.

    :meth:`IncentiveNetwork._rho_certificate` (a known spectral radius, row/column sums, a few
    Collatz-Wielandt products: stopped at the first bound below 1 unless ``tight``), then ARPACK.
    Raises IllPosedNetworkError when the spectral radius is >= 1.
    """
    bound = net._rho_certificate(1.0, tight=tight)
    if bound is not None:
        return bound
    rho = net.spectral_radius
    if not rho < 1.0:  # NaN (an eigensolver defeated by the data) proves nothing
        raise _ill_posed(rho)
    return rho


def _estimated_steps(symmetric, bound, tol, preconditioned=False):
    """Steps of Chebyshev (symmetric) or Neumann on the bound's interval; ``preconditioned``: of
    CG with a preconditioner whose spectrum lies in the same interval (the condition number of
    ``P^{-1} (I - W)`` is then at most the square of that of ``I - W``)."""
    if bound <= 0.0:
        return 1.0
    if bound >= 1.0:
        return math.inf
    if symmetric:
        kappa = (1.0 + bound) / (1.0 - bound)
        if preconditioned:
            kappa *= kappa
        q = (math.sqrt(kappa) - 1.0) / (math.sqrt(kappa) + 1.0)
        return math.log(2.0 / tol) / -math.log(q) if q > 0 else 1.0
    return math.log(tol) / math.log(bound)


def _resolve_auto(net, bound, tol, symmetric=None):
    symmetric = net.is_symmetric if symmetric is None else symmetric
    if _estimated_steps(symmetric, bound, tol) <= _MAX_AUTO_STEPS:
        return "chebyshev" if symmetric else "neumann"
    if net.n <= _DIRECT_LIMIT:
        return "direct"
    return "krylov"


def _solve_direct(net, x2):
    from scipy.sparse.linalg import MatrixRankWarning, splu
    import warnings

    A = (sp.identity(net.n, format="csc") - net.W).tocsc()
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            lu = splu(A)
        except (RuntimeError, MatrixRankWarning) as err:
            raise IllPosedNetworkError(
                f"I - W is singular ({err}); no payoff vector solves u = x + W u"
            ) from None
    u = lu.solve(x2)
    if not np.all(np.isfinite(u)):
        raise IllPosedNetworkError("I - W is numerically singular; no payoff vector solves u = x + W u")
    # One step of iterative refinement recovers the digits lost to an ill-conditioned I - W.
    u = u + lu.solve(x2 - A @ u)
    return np.ascontiguousarray(u), 0


def _solve_krylov(net, x2, x0, tol, max_iter):
    from scipy.sparse.linalg import LinearOperator, cg, gmres

    W = net.W
    n = net.n
    A = LinearOperator((n, n), matvec=lambda v: v - W @ v, dtype=np.float64)
    out = np.empty_like(x2)
    iterations = 0
    for c in range(x2.shape[1]):
        count = [0]

        def tick(_):
            count[0] += 1

        start = None if x0 is None else x0[:, c]
        b = x2[:, c]
        scale = float(np.linalg.norm(b))
        target = tol * scale if scale > 0 else tol
        # scipy stops on a recursively updated residual, which rounding can leave below the
        # true one: check the true residual and restart from the iterate if it missed.
        for _ in range(3):
            if net.is_symmetric:
                # I - W is symmetric positive definite when rho(|W|) < 1.
                sol, _ = cg(A, b, x0=start, rtol=0.0, atol=0.5 * target, maxiter=max_iter,
                            callback=tick)
            else:
                sol, _ = gmres(A, b, x0=start, rtol=0.0, atol=0.5 * target, maxiter=max_iter,
                               restart=min(n, 50), callback=tick, callback_type="pr_norm")
            if np.linalg.norm(b - A @ sol) <= target or count[0] >= max_iter:
                break
            start = sol
        out[:, c] = sol
        iterations = max(iterations, count[0])
    return out, iterations


def _all_finite(u):
    # a finite sum proves every entry finite (one pass, no temporary); an overflowing one does not
    with np.errstate(over="ignore", invalid="ignore"):
        total = u.sum()
    return bool(np.isfinite(total) or np.all(np.isfinite(u)))


def _unit_exponents(x2):
    """Per column, the power of two ``e`` with ``max |x_c| / 2**e`` in [1, 2) (0 for a zero column)."""
    # max and min, not max(abs): no temporary the size of x
    peak = (np.maximum(x2.max(axis=0), -x2.min(axis=0)) if x2.shape[0]
            else np.zeros(x2.shape[1]))
    _, exponent = np.frexp(peak)
    return np.where(peak > 0, exponent - 1, 0).astype(np.int64)


def _solve_iterative(method, op, bound, x_k, x0_k, tol, max_iter, progress=None):
    """Chebyshev or Neumann in the kernel's (possibly reordered) indexing.

    Returns ``(u, iterations, relative residual)``; the residual is that of the returned ``u``,
    computed from its definition in the last pass. The kernel runs in chunks of about a quarter
    second, so Ctrl-C (KeyboardInterrupt) and ``progress`` (CancelledError) stop it between them.
    """
    from . import _chunked
    from ._kernels.payoffs import iterate_kernel

    # Inflate the radius a little: an ARPACK estimate may sit a rounding error below the truth.
    radius = min(bound * (1.0 + 1e-7) + 1e-15, 1.0 - 1e-15) if method == "chebyshev" else 0.0
    u = np.zeros_like(x_k) if x0_k is None else x0_k
    u_prev = u.copy()
    state = {"steps": 0, "residual": math.nan, "omega": 1.0}

    def call(a, b):
        steps, residual, status, omega = iterate_kernel(
            op.indptr, op.indices, op.data, op.weight, op.bounds, x_k, u, u_prev, radius, tol,
            a + 1, b, state["omega"], b == max_iter, _parallel(op))
        state.update(steps=steps, residual=residual, omega=omega)
        return status != 0

    # first chunk: a step reads about (nnz + n) k entries, some 1e8 a second
    work = (len(op.indices) + len(op.indptr)) * x_k.shape[1]
    first = max(1, int(_chunked.TARGET_SECONDS * 1e8) // max(work, 1))
    _chunked.run_chunked(max_iter, call, first=first, callback=progress,
                         what=f"total_payoffs ({method})")
    return u, state["steps"], state["residual"]


def _solve_cg(op, sliced, hubs, x_k, x0_k, tol, max_iter, progress=None):
    """Conjugate gradients per column in the kernel's indexing: ``(u, iterations, residual)``,
    the residual that of the returned ``u`` from its definition (the worst column). ``sliced``:
    the operator in sliced ELLPACK for the products, or ``_NOT_SLICED``; ``hubs``: the
    preconditioner of ``_hubs``, or ``_NO_HUBS``."""
    from . import _chunked
    from ._kernels.payoffs import cg_kernel

    n, k = x_k.shape
    # the kernel iterates in place on each column of ``out`` (contiguous in Fortran order)
    out = (np.zeros((n, k), order="F") if x0_k is None
           else np.array(x0_k, dtype=np.float64, order="F", copy=True))
    # p and q carry one more entry for the sliced format's padding, which reads p[n] = 0
    r, p, q = np.empty(n), np.zeros(n + 1), np.zeros(n + 1)
    iterations = 0
    worst = 0.0
    work = len(op.indices) + 4 * len(op.indptr)  # a step: one product and a few vector passes
    first = max(1, int(_chunked.TARGET_SECONDS * 1e8) // max(work, 1))
    for c in range(k):
        x = np.ascontiguousarray(x_k[:, c])
        u = out[:, c]
        state = np.zeros(2)
        result = {"steps": 0, "residual": math.nan}

        def call(a, b):
            steps, residual, status = cg_kernel(
                op.indptr, op.indices, op.data, op.weight, op.bounds, x, u, r, p, q, state, tol,
                a + 1, b, b == max_iter, _parallel(op), *sliced, *hubs)
            result.update(steps=steps, residual=residual)
            return status != 0

        _chunked.run_chunked(max_iter, call, first=first, callback=progress,
                             what="total_payoffs (cg)")
        iterations = max(iterations, result["steps"])
        if not result["residual"] <= worst:  # a NaN residual is kept
            worst = result["residual"]
    return np.ascontiguousarray(out), iterations, worst


def total_payoffs(net, x, *, method="auto", tol=1e-10, max_iter=10_000, x0=None,
                  require_well_posed=True, progress=None):
    r"""Total payoffs :math:`u = (I - W)^{-1} x` of interdependent utilities.

    .. math:: u_i = x_i + \sum_j W_{ij} u_j

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        ``W[i, j]`` is what a unit of ``j``'s payoff is worth to ``i``.
    x : array_like, shape (n,) or (n, k)
        Material payoffs; a block of ``k`` columns is solved together.
    method : {"auto", "chebyshev", "cg", "neumann", "krylov", "direct"}, default "auto"
        ``"chebyshev"``: the Chebyshev semi-iterative method for the eigenvalue interval
        :math:`[-\rho, \rho]` of a symmetric ``W`` (Golub-Varga), one fused numba pass over the
        CSR arrays per step. ``"cg"``: conjugate gradients in numba for a symmetric ``W`` (then
        :math:`I - W` is positive definite); it needs no spectral interval, so a fresh network
        needs only a certificate of well-posedness. ``"neumann"``: the Jacobi iteration
        :math:`u \leftarrow x + W u` in the Chebyshev kernel (any ``W``). ``"krylov"``: scipy's
        conjugate gradients when ``W`` is symmetric, GMRES otherwise. ``"direct"``: sparse LU of
        :math:`I - W` with one step of iterative refinement. ``"auto"`` iterates when the proven
        bound on :math:`\rho(|W|)` promises convergence within 2000 steps: Neumann if ``W`` is
        not symmetric; for a symmetric ``W``, conjugate gradients from 200,000 links on (one
        column of payoffs) and Chebyshev otherwise. Otherwise it factorises up to 2000 nodes and uses
        Krylov beyond: it never factorises a large network, whose LU fill-in may explode on hubs.
    tol : float, default 1e-10
        Bound on the relative residual :math:`\|x - (I - W)u\|_2 / \|x\|_2` (per column).
    max_iter : int, default 10000
        Iteration cap of the iterative methods.
    x0 : array_like, optional
        Warm start for the iterative methods, e.g. the previous solution in a simulation loop.
    require_well_posed : bool, default True
        If False and ``method="direct"``, any invertible :math:`I - W` is accepted even when
        :math:`\rho(|W|) \ge 1`.
    progress : callable, optional
        ``progress(done, total)``, called between chunks of iterations of ``"chebyshev"`` and
        ``"neumann"`` (each chunk about a quarter second, so only long solves call it; ``total``
        is ``max_iter``); returning False cancels the solve with
        :class:`~incnet.CancelledError`. Ctrl-C stops these methods between chunks too
        (KeyboardInterrupt). In both cases the partial solution is discarded.

    Returns
    -------
    PayoffResult
        ``u``, ``converged``, ``iterations``, ``residual``, ``method``.

    Raises
    ------
    IllPosedNetworkError
        If :math:`\rho(|W|) \ge 1` (the message states it), or :math:`I - W` is singular.
    ConvergenceError
        If an iterative method misses ``tol`` within ``max_iter`` steps; it carries the last
        iterate and its residual.
    InvalidInputError
        For a wrong shape, NaN/inf, or an unknown method.

    See Also
    --------
    payoff_influence, payoff_exposure

    Notes
    -----
    Well-posedness is proved as cheaply as possible and the proof cached on the network: a
    spectral radius already known, else the largest absolute row or column sum, else the
    Collatz-Wielandt bound :math:`\rho(A) \le \max_i (Av)_i / v_i` (any positive :math:`v`) of a
    few geometric-mean steps :math:`v \leftarrow \sqrt{v \circ Av}` on :math:`A = |W|`, and only
    if all fail the spectral radius itself (ARPACK). For conjugate gradients the certificate stops
    at its first bound below 1 (a few sparse products on a hub-dominated network); Chebyshev,
    whose speed depends on the bound, continues until it stops improving.

    The kernels read 32-bit column indices and skip the weight array when all weights are equal
    (``W = delta * A``); this is prepared once per network and cached. :class:`PayoffSolver`
    (and the linear-quadratic solver built on it) also works on a reverse Cuthill-McKee ordering
    of networks of 50,000 nodes or more, which its repeated solves amortise; this function never
    reorders. A step costs :math:`O(\mathrm{nnz} \cdot k)`; Chebyshev needs about
    :math:`\log(2/\mathrm{tol}) / \log(1/q)` steps with
    :math:`q = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`, :math:`\kappa = (1+\rho)/(1-\rho)`, and
    Neumann :math:`\log(\mathrm{tol}) / \log \rho`. Memory is :math:`O(\mathrm{nnz} + nk)`.
    The reported residual is that of the returned ``u``, computed from its definition by a sparse
    product (never a recursively updated estimate), whatever the method. See :doc:`/theory/payoffs` for the details.

    References
    ----------
    .. [1] Bergstrom, T. C. (1999). Systems of benevolent utility functions. *Journal of Public
       Economic Theory* 1(1), 71-100.
    .. [2] Golub, G. H., Varga, R. S. (1961). Chebyshev semi-iterative methods, successive
       overrelaxation iterative methods, and second order Richardson iterative methods, Part I.
       *Numerische Mathematik* 3, 147-156.

    Examples
    --------
    >>> import networkx as nx
    >>> import incnet
    >>> net = incnet.IncentiveNetwork.from_networkx(nx.path_graph(3), scale=0.5)
    >>> res = incnet.total_payoffs(net, [1.0, 0.0, 0.0])
    >>> res.u.round(4)
    array([1.5, 1. , 0.5])
    >>> res.converged
    True
    """
    net = as_network(net)
    check_method(method, METHODS)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    x = as_vector(x, net.n, "x", allow_block=True)
    from ._chunked import check_callback

    progress = check_callback(progress)
    return _total_payoffs(net, x, method, tol, max_iter, x0, require_well_posed, progress)


def _total_payoffs(net, x, method, tol, max_iter, x0, require_well_posed, progress, ordered=False):
    """total_payoffs after validation of everything but ``x0``; ``ordered``: a solver object's
    reordered operator (amortised over its solves)."""
    block = x.ndim == 2
    x2 = x if block else x.reshape(net.n, 1)
    x0_given = x0
    if x0 is not None:
        x0 = as_vector(x0, net.n, "x0", allow_block=True)
        if x0.shape != x.shape:
            raise InvalidInputError(f"x0 has shape {x0.shape} but x has shape {x.shape}; give one "
                                    "starting value per entry of x")
        x0 = x0 if block else x0.reshape(net.n, 1)
    # Solve for x scaled to unit size per column by a power of two (exact): the residual norms
    # are then free of overflow and underflow whatever the magnitude of x, and u scales back.
    exponents = _unit_exponents(x2)
    unit = not exponents.any()  # x already at unit size: nothing to scale
    if not unit:
        x2 = np.ldexp(x2, -exponents)
    if x0 is not None and not unit:
        x0 = np.ldexp(x0, -exponents)
    # A large symmetric network with one column of payoffs is solved by conjugate gradients,
    # which need only a certificate of well-posedness, not the spectral interval that
    # Chebyshev's speed depends on: the certificate stops at its first bound below 1. Below
    # _CG_NNZ links (or for a block of columns, which Chebyshev reads the matrix once for) the
    # tight bound costs next to nothing and auto keeps Chebyshev. Symmetry is judged by its
    # fingerprint (net._symmetry_hint), not the exact check, which costs several solves' worth
    # of time on a fresh network: CG's answer is accepted only by its true residual, and a
    # miss falls back to the exact check below.
    cg_auto = (method == "auto" and net.nnz >= _CG_NNZ and x2.shape[1] == 1
               and net._symmetry_hint)
    tight = method == "chebyshev" or (method == "auto" and not cg_auto)
    if require_well_posed or method != "direct":
        bound = _contraction_bound(net, tight=tight)
    else:
        bound = math.inf
    if method == "auto":
        method = _resolve_auto(net, bound, tol, True if cg_auto else None) if net.nnz else "neumann"
        cg_auto = cg_auto and method == "chebyshev"
        if cg_auto:
            method = "cg"
    elif method == "cg" and not net.is_symmetric:
        raise InvalidInputError(
            "method='cg' needs a symmetric W (I - W must be symmetric positive definite); this "
            "network is directed or asymmetric: use 'neumann', 'krylov' or 'auto'"
        )

    op = _operator(net, ordered)
    perm = op.perm
    residual = None
    if net.nnz == 0:
        u_k, iterations = x2.copy(), 0  # nobody cares about anybody: u = x
    elif method == "direct":
        u, iterations = _solve_direct(net, x2)
        u_k = u if perm is None else u[perm]
    elif method == "krylov":
        u, iterations = _solve_krylov(net, x2, x0, tol, max_iter)
        u_k = u if perm is None else u[perm]
    else:
        if method == "chebyshev" and not net.is_symmetric:
            raise InvalidInputError(
                "method='chebyshev' needs a symmetric W (its eigenvalues must be real); this network "
                "is directed or asymmetric: use 'neumann', 'krylov' or 'auto'"
            )
        x_k = x2 if perm is None else x2[perm]
        x0_k = None if x0 is None else (x0 if perm is None else x0[perm])
        if method == "cg":
            proven = net._cache.get("is_symmetric") is True
            hubs = _hubs(net, op)
            # On a symmetric W, CG needs at most the steps of Chebyshev on the bound's interval
            # (preconditioned, on the square of its condition number); past them (with room for
            # rounding) the fingerprint was wrong or W is not definite.
            budget = max_iter if proven else int(min(
                max_iter, 1.5 * _estimated_steps(True, bound, tol, hubs is not _NO_HUBS) + 10))
            sliced = _sliced(net, ordered)
            u_k, iterations, residual = _solve_cg(op, sliced, hubs, x_k, x0_k, tol, budget,
                                                  progress)
            if not residual <= tol and not proven:
                if not net.is_symmetric:  # the exact check, only now: solve as a directed network
                    return _total_payoffs(net, x, "auto", tol, max_iter, x0_given,
                                          require_well_posed, progress, ordered)
                if iterations < max_iter:  # a slow but genuine CG: carry on from where it stopped
                    u_k, more, residual = _solve_cg(op, sliced, hubs, x_k, u_k, tol,
                                                    max_iter - iterations, progress)
                    iterations += more
        else:
            u_k, iterations, residual = _solve_iterative(method, op, bound, x_k, x0_k, tol,
                                                         max_iter, progress)
    if residual is None:
        from ._kernels.payoffs import relative_residual_kernel

        x_k = x2 if perm is None else x2[perm]
        residual = relative_residual_kernel(op.indptr, op.indices, op.data, op.weight, x_k, u_k,
                                            op.bounds, _parallel(op))
    if perm is None:
        u = u_k
    else:
        u = np.empty_like(u_k)
        u[perm] = u_k
    if not unit:
        with np.errstate(over="ignore", invalid="ignore"):
            u = np.ldexp(u, exponents)
    if not block:
        u = u.reshape(net.n)
    if residual <= tol and not _all_finite(u):
        raise ConvergenceError(
            "the total payoffs exceed the float64 range (about 1.8e308); scale x down and the "
            "payoffs scale with it",
            last_iterate=u, residual=float(residual), iterations=int(iterations),
        )
    if not residual <= tol:
        if not math.isfinite(residual):
            remedy = ("the arithmetic overflowed: start closer to the solution (x0) or check "
                      "the size of the weights")
        elif method == "direct":
            remedy = "I - W is ill-conditioned; check the network or loosen tol"
        else:
            remedy = f"raise max_iter (now {max_iter}) or use method='direct'"
        raise ConvergenceError(
            f"{method} stopped after {iterations} steps with relative residual {residual:.3g} > "
            f"tol = {tol:g}; {remedy}",
            last_iterate=u, residual=residual, iterations=iterations,
        )
    return PayoffResult(u=u, converged=True, iterations=int(iterations), residual=residual,
                        method=method, nodes=net.nodes)


def payoff_influence(net, j, **kwargs):
    r"""How a unit paid to node ``j`` raises everyone's total payoff.

    The ``j``-th column of :math:`(I - W)^{-1}`: entry ``i`` is :math:`\partial u_i / \partial x_j`.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
    j : node label
        The person who receives the unit payment.
    **kwargs
        Passed to :func:`total_payoffs` (``method``, ``tol``, ...).

    Returns
    -------
    PayoffResult
        ``u`` is the column, indexed like ``nodes``.

    Raises
    ------
    InvalidInputError
        If ``j`` is not a node of the network.

    See Also
    --------
    payoff_exposure : the rows of the same inverse.
    total_payoffs : the solve behind it, and the errors it raises.

    Examples
    --------
    >>> import networkx as nx
    >>> import incnet
    >>> net = incnet.IncentiveNetwork.from_networkx(nx.path_graph(3), scale=0.5)
    >>> incnet.payoff_influence(net, 1).u.round(4)
    array([1., 2., 1.])
    """
    net = as_network(net)
    idx = as_node_indices(net, [j], "j")[0]
    unit = np.zeros(net.n)
    unit[idx] = 1.0
    return total_payoffs(net, unit, **kwargs)


def payoff_exposure(net, i, **kwargs):
    r"""How node ``i``'s total payoff depends on everyone's material payoff.

    The ``i``-th row of :math:`(I - W)^{-1}`, computed as the ``i``-th column of
    :math:`(I - W^\top)^{-1}`: entry ``j`` is :math:`\partial u_i / \partial x_j`.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
    i : node label
        The person whose total payoff is examined.
    **kwargs
        Passed to :func:`total_payoffs` (``method``, ``tol``, ...).

    Returns
    -------
    PayoffResult
        ``u`` is the row, indexed like ``nodes``.

    See Also
    --------
    payoff_influence : the columns of the same inverse.

    Notes
    -----
    The transposed network is built once and cached on ``net`` (with the spectral facts, which
    transposition keeps), so looping over many ``i`` costs one solve each.

    Examples
    --------
    >>> import incnet
    >>> net = incnet.IncentiveNetwork.from_dense([[0, 0.5], [0, 0]])
    >>> incnet.payoff_exposure(net, 0).u.round(4)
    array([1. , 0.5])
    """
    net = as_network(net)
    return payoff_influence(_transposed(net), i, **kwargs)


def _transposed(net):
    def compute():
        Wt = sp.csr_array(net.W.T)
        Wt.sort_indices()
        transposed = type(net)._trusted(Wt, net.nodes)
        # rho(|W^T|) = rho(|W|) and every proven bound carries over.
        for key in ("spectral_radius", "row_sum_bound", "rho_upper_bound", "is_symmetric",
                    "symmetry_hint", "lambda_min",
                    "is_nonnegative", "node_index"):
            if key in net._cache:
                transposed._cache[key] = net._cache[key]
        return transposed

    return net._cached("transposed", compute)


# --------------------------------------------------------------------------- reusable solver
#: Up to this many nodes PayoffSolver factorises I - W as a dense matrix (LAPACK).
_DENSE_SOLVER_LIMIT = 300
#: Changed entries kept as a Woodbury correction of the factorised matrix; beyond, refactorise.
_WOODBURY_RANK = 32
#: Products of the power iteration that looks for a Collatz-Wielandt certificate.
_CERTIFICATE_PRODUCTS = 100


class _Certificate(NamedTuple):
    r"""A proof that :math:`\rho(|W|) \le` ``bound``.

    With a positive vector ``v`` and ``y = |W| v``, ``bound = max_i y_i / v_i`` (Collatz-Wielandt;
    ``v = 1`` gives the largest row sum), which a change of a few entries updates exactly in
    :math:`O(n)`. Without ``v`` the bound is the spectral radius itself.
    """

    bound: float
    kind: str
    v: object
    y: object


def _certify(net):
    """The cheapest certificate of ``rho(|W|) < 1``; IllPosedNetworkError if there is none."""
    if net.nnz == 0:
        return _Certificate(0.0, "no links", None, None)
    A = net.abs_W
    v = np.ones(net.n)
    y = A @ v
    bound = float(np.max(y))
    if bound < 1.0:
        return _Certificate(bound, "row sums", v, y)
    # Power iteration on |W| + I (same Perron vector, converges on periodic graphs too); every
    # iterate gives the valid bound max_i (|W| v)_i / v_i, kept when it is the best so far.
    best = (bound, v, y)
    x = v
    for _ in range(_CERTIFICATE_PRODUCTS):
        x = np.maximum((y + x) / np.max(y + x), 1e-12)
        y = A @ x
        upper = float(np.max(y / x))
        if upper < best[0]:
            best = (upper, x, y)
            if upper < 1.0 - 1e-3:
                break
    if best[0] < 1.0:
        return _Certificate(best[0], "Collatz-Wielandt", best[1], best[2])
    rho = net.spectral_radius
    if rho >= 1.0:
        raise _ill_posed(rho)
    return _Certificate(rho, "spectral radius", None, None)


def _edge_changes(net, changes):
    """``[(i, j, new weight)]`` from ``{(u, v): w}`` or ``[(u, v, w)]`` with labels of ``net``."""
    if isinstance(changes, dict):
        items = changes.items()
    else:
        items = [((c[0], c[1]), c[2]) if len(c) == 3 else _bad_change(c) for c in changes]
    index = net.node_index
    out = []
    for (u, v), w in items:
        try:
            i, j = index[u], index[v]
        except (KeyError, TypeError):
            bad = u if u not in index else v
            raise InvalidInputError(f"edge ({u!r}, {v!r}): node {bad!r} is not in the network") from None
        if i == j:
            raise InvalidInputError(f"edge ({u!r}, {v!r}) is a self-loop; nobody's payoff depends on itself")
        try:
            w = float(w)
        except (TypeError, ValueError):
            raise InvalidInputError(f"the weight of edge ({u!r}, {v!r}) must be a number, got {w!r}") from None
        if not math.isfinite(w):
            raise InvalidInputError(f"the weight of edge ({u!r}, {v!r}) must be finite, got {w}")
        out.append((i, j, w))
    return out


def _bad_change(c):
    raise InvalidInputError(f"an edge change is (u, v, weight), got {c!r}")


def _entry(W, i, j):
    """``W[i, j]`` of a canonical CSR array (sorted indices), by binary search."""
    lo, hi = W.indptr[i], W.indptr[i + 1]
    p = lo + int(np.searchsorted(W.indices[lo:hi], j))
    return float(W.data[p]) if p < hi and W.indices[p] == j else 0.0


class PayoffSolver:
    r"""Total payoffs :math:`u = (I - W)^{-1} x` for many ``x`` on one network, and after small changes.

    Built once per network: it validates the network, proves well-posedness
    (:math:`\rho(|W|) < 1`), picks the method and, for ``"direct"``, factorises :math:`I - W`;
    :meth:`solve` then costs little more than the triangular solves. :meth:`with_edges` returns a
    solver for the network with some weights changed, reusing the factorisation through a
    Woodbury correction and updating the certificate exactly.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
    method : {"auto", "direct", "chebyshev", "cg", "neumann", "krylov"}, default "auto"
        As in :func:`total_payoffs`, except that ``"auto"`` factorises up to 2000 nodes (a
        factorisation pays for itself over repeated solves) and above chooses as
        :func:`total_payoffs` does. The iterative methods work on a reverse Cuthill-McKee
        ordering of the network from 50,000 nodes on, built at construction (it costs a few
        solves' worth of time and is amortised over the solver's solves).
    tol : float, default 1e-10
        Bound on the relative residual of every solve.
    max_iter : int, default 10000
        Iteration cap of the iterative methods.
    require_well_posed : bool, default True
        If False and ``method="direct"``, any invertible :math:`I - W` is accepted.

    Attributes
    ----------
    network : IncentiveNetwork
        The network solved (with every change applied).
    method : str
        The method in use (``"auto"`` resolved). When ``"auto"`` resolves to ``"chebyshev"`` on
        a network of 200,000 links or more, a solve of one column of payoffs runs conjugate
        gradients instead (its result's ``method`` says so), as :func:`total_payoffs` does.
    spectral_bound : float
        A proven upper bound on :math:`\rho(|W|)` (``inf`` without a certificate).
    certificate : str
        How it was proved: ``"row sums"``, ``"Collatz-Wielandt"`` (a positive vector :math:`v`
        with :math:`|W| v \le \beta v`), ``"spectral radius"``, ``"no links"`` or ``"none"``.
    rank : int
        Changed entries held as a low-rank correction of the factorisation (0 after a
        refactorisation).

    Raises
    ------
    IllPosedNetworkError
        If :math:`\rho(|W|) \ge 1`, or :math:`I - W` is singular.
    InvalidInputError
        For an unknown method or malformed arguments.

    See Also
    --------
    total_payoffs : one solve.
    incnet.equilibria.LinearQuadraticSolver : the same for the linear-quadratic game.

    Notes
    -----
    **Iterative.** From 50,000 nodes on, the iterative methods run on a reverse Cuthill-McKee
    reordering of :math:`W`, built at construction: neighbours stored near each other are read
    together, so a product gathers the payoff vector with fewer cache misses (payoffs are
    permuted in and out, :math:`O(n)` per solve). It pays on networks with locality (lattices,
    road and contact networks stored in a shuffled order), not on scale-free ones: on a
    Barabási–Albert graph with :math:`10^6` nodes a product took the same time in either order.

    **Direct.** :math:`I - W` is factorised once: by LAPACK as a dense matrix up to 300 nodes
    (the call overhead of a sparse solve dominates there), by SuperLU above (minimum-degree
    ordering of :math:`A + A^\top` for a symmetric pattern, COLAMD otherwise). A solve is two triangular
    solves; the residual is computed from its definition, and one step of iterative refinement
    runs only when it misses ``tol``.

    **Changed weights.** After changes of :math:`k` entries,
    :math:`I - W' = (I - W) - U V^\top` with :math:`U = [\Delta_c e_{i_c}]`,
    :math:`V = [e_{j_c}]`, and by the Woodbury identity

    .. math:: (I - W')^{-1} b = y + Z (I_k - V^\top Z)^{-1} V^\top y, \quad
       y = (I - W)^{-1} b, \; Z = (I - W)^{-1} U,

    one solve per new changed row (cached) and a :math:`k \times k` inverse; a solve costs
    :math:`O(nk)` on top. Past 32 changed entries the solver refactorises instead. Iterative
    methods work on the changed network itself (:math:`O(\mathrm{nnz})` to rebuild).

    **The certificate** is a positive vector :math:`v` with :math:`|W| v \le \beta v` (its
    largest ratio :math:`\beta \ge \rho(|W|)`, Collatz-Wielandt), found from the row sums or a
    short power iteration. Changing :math:`k` entries changes :math:`k` entries of
    :math:`|W| v`, so the new bound is exact arithmetic in :math:`O(n)`; only when it reaches 1
    is the spectral radius of the changed network computed, and an ill-posed change raises.

    A solver pickles as its network and its changed entries, not its factorisation, which is
    computed again where it is unpickled.

    Examples
    --------
    >>> import networkx as nx
    >>> import incnet
    >>> net = incnet.IncentiveNetwork.from_networkx(nx.path_graph(3), scale=0.5)
    >>> solver = incnet.PayoffSolver(net)
    >>> solver.solve([1.0, 0.0, 0.0]).u.round(4)
    array([1.5, 1. , 0.5])
    >>> cut = solver.with_edges({(0, 1): 0.0, (1, 0): 0.0})   # 0 and 1 stop caring
    >>> cut.solve([1.0, 0.0, 0.0]).u.round(4)
    array([1., 0., 0.])
    """

    def __init__(self, net, *, method="auto", tol=1e-10, max_iter=10_000, require_well_posed=True):
        net = as_network(net)
        check_method(method, METHODS)
        self.tol = check_positive(tol, "tol")
        self.max_iter = check_int(max_iter, "max_iter", minimum=1)
        self._require = bool(require_well_posed)
        cert = _certify(net) if (self._require or method != "direct") else _Certificate(math.inf, "none", None, None)
        auto = method == "auto"
        if auto:
            if net.nnz == 0:
                method = "neumann"
            elif net.n <= _DIRECT_LIMIT:
                method = "direct"
            else:
                method = _resolve_auto(net, cert.bound, self.tol)
        # As in total_payoffs, auto solves one column of payoffs on a large symmetric network by
        # conjugate gradients (fewer steps than Chebyshev; measured 13% faster per solve at
        # 10^6 nodes in either ordering) and a block by Chebyshev (one pass for all columns).
        self._cg_columns = auto and method == "chebyshev" and net.nnz >= _CG_NNZ
        if method == "chebyshev" and not net.is_symmetric:
            raise InvalidInputError(
                "method='chebyshev' needs a symmetric W (its eigenvalues must be real); this network "
                "is directed or asymmetric: use 'neumann', 'krylov' or 'auto'"
            )
        self.method = method
        self._setup(net, cert, {}, None)
        if method != "direct" and net.nnz:
            _operator(net, ordered=True)  # the ordering is amortised over the solver's solves

    # ----------------------------------------------------------------- internals
    def _setup(self, base, cert, changes, shared):
        """``base``: the factorised network; ``changes``: {(i, j): new weight} on top of it."""
        self._base = base
        self._cert = cert
        self._changes = changes
        # weights of the base network at changed entries, shared by the solvers derived from it
        self._base_weights = shared[3] if shared is not None else {}
        self._current = base if not changes else None
        self._wood = None
        if self.method == "direct" and base.nnz:
            if shared is None:
                A = (sp.identity(base.n, format="csr") - base.W).tocsr()
                if base.n <= _DENSE_SOLVER_LIMIT:
                    A = A.toarray()  # LAPACK on a small dense matrix beats SuperLU's call overhead
                shared = (_factorise(base, A), {}, A, self._base_weights)
            self._lu, self._columns, self._A = shared[:3]
            if changes:
                self._wood = self._woodbury(changes)
        else:
            self._lu = self._columns = self._A = None
        if cert.bound < math.inf and self._current is not None and cert.bound < 1.0:
            base._cache.setdefault("rho_upper_bound", cert.bound)

    def _bw(self, i, j):
        """The base network's weight ``W[i, j]`` (cached per entry)."""
        key = (i, j)
        w = self._base_weights.get(key)
        if w is None:
            w = self._base_weights.setdefault(key, _entry(self._base.W, i, j))
        return w

    def _column(self, i):
        """Column ``i`` of the inverse of the factorised matrix (cached)."""
        g = self._columns.get(i)
        if g is None:
            e = np.zeros(self._base.n)
            e[i] = 1.0
            g = self._columns.setdefault(i, self._lu.solve(e))
        return g

    def _woodbury(self, changes):
        keys = list(changes)
        rows = np.array([i for i, _ in keys], dtype=np.int64)
        cols = np.array([j for _, j in keys], dtype=np.int64)
        deltas = np.array([w - self._bw(i, j) for (i, j), w in changes.items()])
        Z = np.stack([self._column(i) for i, _ in keys], axis=1) * deltas
        S = np.eye(len(changes)) - Z[cols, :]
        try:
            S_inv = np.linalg.inv(S)
        except np.linalg.LinAlgError:
            raise IllPosedNetworkError(
                "I - W is singular after the change; no payoff vector solves u = x + W u"
            ) from None
        # condition number in the infinity norm, without an SVD
        condition = np.abs(S).sum(axis=1).max() * np.abs(S_inv).sum(axis=1).max()
        if not (np.isfinite(condition) and condition <= 1e12):
            raise IllPosedNetworkError("I - W is numerically singular after the change")
        return rows, cols, deltas, Z, S_inv

    @property
    def network(self):
        if self._current is None:
            base = self._base
            n = base.n
            i = np.array([i for i, _ in self._changes], dtype=np.int64)
            j = np.array([j for _, j in self._changes], dtype=np.int64)
            w = np.array(list(self._changes.values()), dtype=np.float64)
            # the changed entries are set to their new weights exactly (not base + difference)
            coo = base.W.tocoo()
            keep = ~np.isin(coo.row.astype(np.int64) * n + coo.col, i * n + j)
            rows = np.concatenate([coo.row[keep], i])
            cols = np.concatenate([coo.col[keep], j])
            W = sp.csr_array((np.concatenate([coo.data[keep], w]), (rows, cols)), shape=(n, n))
            W.eliminate_zeros()
            W.sort_indices()
            net = type(base)._trusted(W, base.nodes)
            if self._cert.bound < 1.0:
                net._cache["rho_upper_bound"] = self._cert.bound
            self._current = net
        return self._current

    def __reduce__(self):
        # A factorisation does not pickle: send the base network and the changed entries, and
        # factorise again on arrival (the same base and Woodbury part, so the same numbers).
        nodes = self._base.nodes
        changes = [(nodes[i], nodes[j], w) for (i, j), w in self._changes.items()]
        method = "auto" if self._cg_columns else self.method  # resolved again on the same base
        return (_rebuild_solver, (self._base, method, self.tol, self.max_iter, self._require, changes))

    @property
    def spectral_bound(self):
        return self._cert.bound

    @property
    def certificate(self):
        return self._cert.kind

    @property
    def rank(self):
        return 0 if self._wood is None else len(self._wood[0])

    def __repr__(self):
        return (f"PayoffSolver(n={self._base.n}, method={self.method!r}, "
                f"spectral_bound={self._cert.bound:.6g}, certificate={self._cert.kind!r}, rank={self.rank})")

    def _apply_inverse(self, b):
        y = self._lu.solve(b)
        if self._wood is not None:
            _, cols, _, Z, S_inv = self._wood
            y = y + Z @ (S_inv @ y[cols])
        return y

    def _residual(self, x, u):
        r = x - self._A @ u
        if self._wood is not None:
            rows, cols, deltas = self._wood[:3]
            if u.ndim == 1:
                np.add.at(r, rows, deltas * u[cols])
            else:
                np.add.at(r, rows, deltas[:, None] * u[cols])
        return r

    # ----------------------------------------------------------------- public
    def solve(self, x, *, x0=None):
        r"""Total payoffs for material payoffs ``x``.

        Parameters
        ----------
        x : array_like, shape (n,) or (n, k)
        x0 : array_like, optional
            Warm start of the iterative methods (ignored by ``"direct"``).

        Returns
        -------
        PayoffResult
            As :func:`total_payoffs` returns it, the residual computed from its definition.

        Raises
        ------
        ConvergenceError
            If the solve misses ``tol``.
        """
        if self.method != "direct" or self._base.nnz == 0:
            net = self.network
            x = as_vector(x, net.n, "x", allow_block=True)
            method = "cg" if self._cg_columns and (x.ndim == 1 or x.shape[1] == 1) else self.method
            # the reordered operator (from 50,000 nodes on), built once: a solver is for many solves
            return _total_payoffs(net, x, method, self.tol, self.max_iter, x0,
                                  self._require or self.method != "direct", None, ordered=True)
        u, _, residual = self._solve_direct(x)
        return PayoffResult(u=u, converged=True, iterations=0, residual=residual, method="direct",
                            nodes=self._base.nodes)

    def _solve_direct(self, x):
        """``(u, x - (I - W) u, relative residual)`` by the factorisation."""
        n = self._base.n
        if not (isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim in (1, 2)
                and x.shape[0] == n and np.isfinite(x).all()):
            x = as_vector(x, n, "x", allow_block=True)
        u = self._apply_inverse(x)
        r = self._residual(x, u)
        residual = _relative_norm(r, x)
        if not residual <= self.tol:  # one step of iterative refinement
            u = u + self._apply_inverse(r)
            r = self._residual(x, u)
            residual = _relative_norm(r, x)
        if not residual <= self.tol:  # also catches NaN/inf (a NaN residual fails every test)
            raise ConvergenceError(
                f"direct solve has relative residual {residual:.3g} > tol = {self.tol:g}: I - W is "
                "ill-conditioned; check the network or loosen tol",
                last_iterate=u, residual=residual, iterations=0,
            )
        return u, r, residual

    def with_edges(self, changes):
        r"""A solver for the network with some weights changed (0 removes a link).

        Parameters
        ----------
        changes : dict or iterable
            ``{(u, v): w}`` or ``[(u, v, w), ...]`` with node labels: ``W[u, v]`` becomes ``w``.
            Give both directions to change an undirected link.

        Returns
        -------
        PayoffSolver
            This solver is unchanged. The new one shares the factorisation (Woodbury correction,
            or a refactorisation past 32 changed entries) and carries an updated certificate.

        Raises
        ------
        IllPosedNetworkError
            If the changed network is ill-posed (:math:`\rho(|W'|) \ge 1`) or singular.
        InvalidInputError
            For an unknown node, a self-loop or a non-finite weight.
        """
        edits = _edge_changes(self._base, changes)
        merged = dict(self._changes)
        bw = self._bw
        cert = self._cert
        old_abs = []
        for i, j, w in edits:
            old = merged.get((i, j))
            old_abs.append(abs(bw(i, j) if old is None else old))
            if w == bw(i, j):
                merged.pop((i, j), None)
            else:
                merged[(i, j)] = w
        if cert.kind != "none":
            cert = self._updated_certificate(cert, edits, old_abs, merged)
        new = object.__new__(PayoffSolver)
        new.tol, new.max_iter, new._require, new.method = self.tol, self.max_iter, self._require, self.method
        new._cg_columns = self._cg_columns
        if self.method == "chebyshev" and any(merged.get((j, i), bw(j, i)) != w
                                              for (i, j), w in merged.items()):
            # an asymmetric change: Chebyshev needs real eigenvalues, CG a symmetric matrix
            new.method, new._cg_columns = "neumann", False
        if self.method == "direct" and len(merged) > _WOODBURY_RANK:
            net = PayoffSolver._materialise(self._base, merged)
            new._setup(net, cert, {}, None)
        elif self.method == "direct":
            shared = (self._lu, self._columns, self._A, self._base_weights) if self._lu is not None else None
            new._setup(self._base, cert, merged, shared)
        else:
            net = PayoffSolver._materialise(self._base, merged)
            new._setup(net, cert, {}, None)
        return new

    @staticmethod
    def _materialise(base, changes):
        tmp = object.__new__(PayoffSolver)
        tmp._base, tmp._changes, tmp._current = base, changes, None
        tmp._cert = _Certificate(math.inf, "none", None, None)
        return tmp.network

    def _updated_certificate(self, cert, edits, old_abs, merged):
        if cert.v is not None:
            y = cert.y.copy()
            for (i, j, w), before in zip(edits, old_abs):
                y[i] += (abs(w) - before) * cert.v[j]
            bound = float(np.max(y / cert.v))
            if bound < 1.0:
                return _Certificate(bound, cert.kind, cert.v, y)
        elif all(abs(w) <= before for (_, _, w), before in zip(edits, old_abs)):
            # |W'| <= |W| entrywise: the Perron root can only fall (Perron-Frobenius)
            return cert
        return _certify(PayoffSolver._materialise(self._base, merged))


def _rebuild_solver(base, method, tol, max_iter, require, changes):
    solver = PayoffSolver(base, method=method, tol=tol, max_iter=max_iter, require_well_posed=require)
    return solver.with_edges(changes) if changes else solver


def _relative_norm(r, x):
    """max over columns of ||r_c|| / ||x_c|| (absolute for a zero column)."""
    if r.ndim == 1:
        rr, xx = math.sqrt(float(r @ r)), math.sqrt(float(x @ x))
        return rr / xx if xx > 0 else rr
    num = np.linalg.norm(r, axis=0)
    den = np.linalg.norm(x, axis=0)
    return float(np.max(np.where(den > 0, num / np.where(den > 0, den, 1.0), num))) if r.shape[1] else 0.0


class _DenseLU:
    """LU factors of a small dense matrix, solved by LAPACK's getrs with no per-call checks."""

    __slots__ = ("lu", "piv", "getrs")

    def __init__(self, A):
        from scipy.linalg import lapack

        lu, piv, info = lapack.dgetrf(A)
        if info != 0 or not np.all(np.isfinite(lu)) or np.any(np.diag(lu) == 0):
            raise IllPosedNetworkError("I - W is singular; no payoff vector solves u = x + W u")
        self.lu, self.piv, self.getrs = lu, piv, lapack.dgetrs

    def solve(self, b):
        x, info = self.getrs(self.lu, self.piv, b)
        return x


def _factorise(net, A=None):
    from scipy.sparse.linalg import MatrixRankWarning, splu
    import warnings

    if isinstance(A, np.ndarray):
        return _DenseLU(A)
    A = (sp.identity(net.n, format="csc") - net.W).tocsc()
    spec = "MMD_AT_PLUS_A" if net.is_symmetric else "COLAMD"
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            return splu(A, permc_spec=spec)
        except (RuntimeError, MatrixRankWarning) as err:
            raise IllPosedNetworkError(
                f"I - W is singular ({err}); no payoff vector solves u = x + W u"
            ) from None
