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

import numpy as np
import scipy.sparse as sp

from ._results import ResultMixin
from ._validate import as_node_indices, as_vector, check_int, check_method, check_positive
from .errors import ConvergenceError, IllPosedNetworkError, InvalidInputError
from .network import DENSE_LIMIT, as_network

__all__ = ["PayoffResult", "total_payoffs", "payoff_influence", "payoff_exposure"]

METHODS = ("auto", "direct", "krylov", "neumann")
#: Above this many non-zeros the Neumann kernel splits rows over threads.
_PARALLEL_NNZ = 200_000
#: ``auto`` factorises only up to this many nodes (LU fill-in explodes on hub-heavy graphs).
_DIRECT_LIMIT = DENSE_LIMIT
#: ``auto`` prefers the Neumann iteration when it needs at most this many steps.
_NEUMANN_STEPS = 300


@dataclass(frozen=True, repr=False)
class PayoffResult(ResultMixin):
    """Total payoffs :math:`u = (I - W)^{-1} x` and how they were computed.

    Attributes
    ----------
    u : numpy.ndarray
        Total payoffs, shape (n,) or (n, k) like ``x``, in the order of ``nodes``.
    converged : bool
        Whether the relative residual is within ``tol``.
    iterations : int
        Iterations of an iterative method (0 for ``"direct"``).
    residual : float
        Relative residual :math:`\\max_c \\|x_c - (I - W) u_c\\|_2 / \\|x_c\\|_2`, recomputed
        independently of the solver.
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


def _relative_residual(W, x, u):
    r = x - (u - W @ u)
    if x.ndim == 1:
        scale = np.linalg.norm(x)
        return float(np.linalg.norm(r) / scale) if scale > 0 else float(np.linalg.norm(r))
    scale = np.linalg.norm(x, axis=0)
    norms = np.linalg.norm(r, axis=0)
    return float(np.max(np.where(scale > 0, norms / np.where(scale > 0, scale, 1.0), norms)))


def _check_well_posed(net):
    """Raise IllPosedNetworkError unless rho(|W|) < 1; return the bound that proved it."""
    bound = net.row_sum_bound
    if bound < 1.0:
        return bound
    rho = net.spectral_radius
    if rho >= 1.0:
        raise IllPosedNetworkError(
            f"u = x + W u is ill-posed: the spectral radius rho(|W|) = {rho:.6g} >= 1, so payoffs "
            "can feed back without bound. Scale W down (net.scaled(c) with c < "
            f"{1.0 / rho:.6g}) or row-normalise it (net.row_normalized(a) with a < 1); "
            "method='direct' with require_well_posed=False solves any invertible I - W",
            spectral_radius=rho,
        )
    return rho


def _known_contraction(net):
    """Best contraction factor known without new work: cached rho or the row-sum bound."""
    rho = net._cache.get("spectral_radius")
    return rho if rho is not None else net.row_sum_bound


def _resolve_auto(net, contraction, tol):
    if contraction < 1.0 and net.nnz > 0:
        steps = math.log(tol) / math.log(max(contraction, 1e-300)) if contraction > 0 else 1
        if steps <= _NEUMANN_STEPS:
            return "neumann"
    if net.n <= _DIRECT_LIMIT:
        return "direct"
    return "krylov"


def _solve_direct(W, x):
    from scipy.sparse.linalg import MatrixRankWarning, splu

    n = W.shape[0]
    A = (sp.identity(n, format="csc") - W).tocsc()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            lu = splu(A)
        except (RuntimeError, MatrixRankWarning) as err:
            raise IllPosedNetworkError(f"I - W is singular ({err}); no payoff vector solves u = x + W u") from None
    return lu.solve(x), 0


def _solve_krylov(net, x, x0, tol, max_iter):
    from scipy.sparse.linalg import LinearOperator, cg, gmres

    W = net.W
    n = net.n
    A = LinearOperator((n, n), matvec=lambda v: v - W @ v, dtype=np.float64)
    symmetric = net.is_symmetric
    columns = x if x.ndim == 2 else x[:, None]
    starts = None if x0 is None else (x0 if x0.ndim == 2 else x0[:, None])
    out = np.empty_like(columns)
    total_iterations = 0
    for c in range(columns.shape[1]):
        count = [0]

        def tick(_):
            count[0] += 1

        start = None if starts is None else starts[:, c]
        if symmetric:
            sol, info = cg(A, columns[:, c], x0=start, rtol=tol, atol=0.0, maxiter=max_iter, callback=tick)
        else:
            sol, info = gmres(A, columns[:, c], x0=start, rtol=tol, atol=0.0, maxiter=max_iter,
                              restart=min(n, 50), callback=tick, callback_type="pr_norm")
        out[:, c] = sol
        total_iterations = max(total_iterations, count[0])
    return (out if x.ndim == 2 else out[:, 0]), total_iterations


def _solve_neumann(net, x, x0, tol, max_iter):
    from ._kernels.payoffs import _neumann_kernel

    W = net.W
    block = x if x.ndim == 2 else x[:, None]
    u = np.array(block if x0 is None else (x0 if x0.ndim == 2 else x0[:, None]), dtype=np.float64, order="C")
    work = np.empty_like(u)
    iterations, _, ratio = _neumann_kernel(
        W.indptr, W.indices, W.data, np.ascontiguousarray(block), u, work,
        tol, max_iter, W.nnz >= _PARALLEL_NNZ,
    )
    return (u if x.ndim == 2 else u[:, 0]), iterations


def total_payoffs(net, x, *, method="auto", tol=1e-10, max_iter=10_000, x0=None,
                  require_well_posed=True):
    r"""Total payoffs :math:`u = (I - W)^{-1} x` of interdependent utilities.

    .. math:: u_i = x_i + \sum_j W_{ij} u_j

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        ``W[i, j]`` is what a unit of ``j``'s payoff is worth to ``i``.
    x : array_like, shape (n,) or (n, k)
        Material payoffs; a block of ``k`` columns is solved together.
    method : {"auto", "direct", "krylov", "neumann"}, default "auto"
        ``"direct"``: sparse LU of :math:`I - W`. ``"krylov"``: conjugate gradients when ``W`` is
        symmetric (then :math:`I - W` is positive definite), GMRES otherwise. ``"neumann"``: the
        Jacobi iteration :math:`u \leftarrow x + W u` in a numba kernel over the CSR arrays,
        rows split over threads on large networks. ``"auto"`` uses the Neumann iteration when
        the known contraction factor makes it converge within a few hundred steps, LU up to
        2000 nodes otherwise, and Krylov beyond.
    tol : float, default 1e-10
        Bound on the relative residual :math:`\|x - (I - W)u\|_2 / \|x\|_2` (per column).
    max_iter : int, default 10000
        Iteration cap of the iterative methods.
    x0 : array_like, optional
        Warm start for the iterative methods, e.g. the previous solution in a simulation loop.
    require_well_posed : bool, default True
        If False and ``method="direct"``, any invertible :math:`I - W` is accepted even when
        :math:`\rho(|W|) \ge 1`.

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
    Well-posedness is checked cheaply first: the largest absolute row or column sum bounds
    :math:`\rho(|W|)` from above; only when that bound is not below 1 is the spectral radius
    computed (once, then cached on the network). The reported residual is recomputed from the
    returned ``u`` with one sparse product, whatever the method.

    References
    ----------
    .. [1] Bergstrom, T. C. (1999). Systems of benevolent utility functions. *Journal of Public
       Economic Theory* 1(1), 71-100.

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
    if x0 is not None:
        x0 = as_vector(x0, net.n, "x0", allow_block=True)
        if x0.shape != x.shape:
            raise InvalidInputError(f"x0 has shape {x0.shape} but x has shape {x.shape}")
    if require_well_posed or method != "direct":
        contraction = _check_well_posed(net)
    else:
        contraction = _known_contraction(net)
    if method == "auto":
        method = _resolve_auto(net, contraction, tol)

    if method == "direct":
        u, iterations = _solve_direct(net.W, x)
    elif method == "krylov":
        u, iterations = _solve_krylov(net, x, x0, tol, max_iter)
    else:
        u, iterations = _solve_neumann(net, x, x0, tol, max_iter)
    residual = _relative_residual(net.W, x, u)
    # LU is exact up to rounding, so its accuracy is judged against rounding, not tol
    converged = residual <= (max(tol, 1e-8) if method == "direct" else tol * 10)
    if not converged and method != "direct":
        raise ConvergenceError(
            f"{method} iteration stopped after {iterations} steps with relative residual "
            f"{residual:.3g} > tol = {tol:g}; raise max_iter (now {max_iter}), or use method='direct'",
            last_iterate=u, residual=residual, iterations=iterations,
        )
    return PayoffResult(u=u, converged=bool(converged), iterations=int(iterations),
                        residual=residual, method=method, nodes=net.nodes)


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
        ``u`` is the column.

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

    Examples
    --------
    >>> import incnet
    >>> net = incnet.IncentiveNetwork.from_dense([[0, 0.5], [0, 0]])
    >>> incnet.payoff_exposure(net, 0).u.round(4)
    array([1. , 0.5])
    """
    net = as_network(net)
    Wt = sp.csr_array(net.W.T)
    Wt.sort_indices()
    transposed = type(net)._trusted(Wt, net.nodes)
    return payoff_influence(transposed, i, **kwargs)
