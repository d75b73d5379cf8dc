r"""Certified intercentrality at scale: the diagonal of :math:`(I - \delta G)^{-1}` by probing.

For symmetric :math:`G` and :math:`|\delta|\rho(G) < 1`, :math:`A = I - \delta G` is symmetric
positive definite and, for any trial vector :math:`x` with residual :math:`r = e_i - Ax`,

.. math:: m_{ii} = e_i^\top A^{-1} e_i = \underbrace{2x_i - x^\top A x}_{\ell_i(x)} + r^\top A^{-1} r,
   \qquad \ell_i(x) \le m_{ii} \le \ell_i(x) + \frac{\|r\|_2^2}{\lambda_{\min}(A)},

(the variational principle behind Gauss quadrature bounds, Golub & Meurant 2010): the bounds are
quadratic in the residual. Good trial vectors for every node come from a few solves: colour the
nodes so that any two within ``2 * radius`` hops differ, solve :math:`A Y = Z` for the indicator
columns of the colour classes (block conjugate gradients), and take as :math:`x` the column of
:math:`i`'s colour restricted to the ``radius``-ball of :math:`i`; the other nodes of that colour
are outside the ball. Nodes whose interval is still wider than asked get their own column solve.
:math:`\lambda_{\min}(A) \ge 1 - |\delta|\bar\rho` with :math:`\bar\rho` a Collatz–Wielandt upper
bound on :math:`\rho(|G|)`.

References
----------
.. [1] Golub, G. H., Meurant, G. (2010). *Matrices, Moments and Quadrature with Applications*.
   Princeton University Press, ch. 7 and 11.
.. [2] Tang, J. M., Saad, Y. (2012). A probing method for computing the diagonal of a matrix
   inverse. *Numerical Linear Algebra with Applications* 19(3), 485-501.
"""

import math
from dataclasses import dataclass

import numpy as np

from .._compat import keyword_only
from .._results import ResultMixin
from ..errors import InvalidInputError
from ..network import DENSE_LIMIT

__all__ = ["IntercentralityResult", "intercentrality_bounds"]

#: Entries of one block of probing or refinement columns (n rows times the block width).
_BLOCK_ENTRIES = 1 << 22
_EPS = np.finfo(float).eps
#: Multiply-adds per pass of the block solve below which it runs on one thread.
_PARALLEL_WORK = 1 << 21


@dataclass(frozen=True, repr=False)
class IntercentralityResult(ResultMixin):
    """Every player's intercentrality with a certified interval.

    Attributes
    ----------
    values : numpy.ndarray
        Shape (n,), in the order of ``net.nodes``: the estimate of each :math:`c_i`.
    lower, upper : numpy.ndarray
        Shape (n,): :math:`c_i` lies in ``[lower[i], upper[i]]`` (a proof from the residuals of
        the solves, not a statistical statement; up to floating-point round-off).
    max_relative_error : float
        :math:`\\max_i \\max(u_i - v_i, v_i - l_i) / |v_i|`: every value is within this relative
        distance of the exact intercentrality. 0.0 for the exact route.
    method : str
        ``"exact"`` (dense inverse or sparse LU) or ``"probing"``.
    colours : int
        Colour classes (block solves) of the probing route; 0 for the exact route.
    refined : int
        Nodes whose interval was tightened by a column solve of their own.
    """

    values: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    max_relative_error: float
    method: str
    colours: int
    refined: int


def _cg_block(indptr, indices, data, delta, B, tol, max_iter=10_000):
    """Conjugate gradients on ``(I - delta G) X = B``, each column to relative residual ``tol``.

    A numba kernel over the rows in parallel, run in chunks of iterations (Ctrl-C between them).
    """
    from .._chunked import run_chunked
    from .._kernels.equilibria import block_cg_kernel
    from .._threads import threads

    B = np.ascontiguousarray(B, dtype=np.float64)
    X = np.zeros_like(B)
    R = B.copy()
    P = B.copy()
    AP = np.empty_like(B)
    rs = np.einsum("ij,ij->j", R, R)
    target = (tol * tol) * rs

    def call(a, b):
        return block_cg_kernel(indptr, indices, data, delta, X, R, P, AP, rs, target, b - a) < b - a

    # a pass shorter than about a millisecond costs less on one thread than a parallel region's
    # start and barrier (far less on a busy machine); the iterates are the same either way
    with threads(1 if indices.size * B.shape[1] < _PARALLEL_WORK else None):
        run_chunked(max_iter, call, what="the block conjugate-gradient solve")
    return X


def _rho_upper(absG, row_sum_bound, iterations=60):
    """A Collatz–Wielandt upper bound on rho(|G|): max_i (|G| w)_i / w_i for a positive w."""
    n = absG.shape[0]
    w = np.ones(n)
    for _ in range(iterations):
        w = absG @ w + w  # the shift keeps w positive and damps bipartite oscillation
        w /= w.max()
    Gw = absG @ w
    return min(float(np.max(Gw / w)), float(row_sum_bound))


def _interval_quotient(b, eb, s, es, m_lo, m_hi):
    """Bounds of b s / m for b in [b +- eb], s in [s +- es], m in [m_lo, m_hi] (m_lo > 0)."""
    corners = np.stack([(b - eb) * (s - es), (b - eb) * (s + es), (b + eb) * (s - es), (b + eb) * (s + es)])
    p_lo, p_hi = corners.min(axis=0), corners.max(axis=0)
    q = np.stack([p_lo / m_lo, p_lo / m_hi, p_hi / m_lo, p_hi / m_hi])
    return q.min(axis=0), q.max(axis=0)


def intercentrality_bounds_impl(net, delta, alpha, rtol, radius, method, exact_fn):
    """See :func:`incnet.equilibria.intercentrality_bounds` (inputs validated there)."""
    from .._kernels.equilibria import diagonal_bounds_kernel, distance_colouring_kernel, probing_bounds_kernel
    from ..simulate._common import n_chunks

    n = net.n
    if method == "probing" and not net.is_symmetric:
        raise InvalidInputError(
            "method='probing' needs a symmetric G (I - delta G positive definite); this network is "
            "directed. Use method='exact' or 'auto'"
        )
    if method == "exact" or (method == "auto" and (n <= DENSE_LIMIT or not net.is_symmetric)) or delta == 0.0:
        values = exact_fn()
        return IntercentralityResult(values, values.copy(), values.copy(), 0.0, "exact", 0, 0)
    G = net.W.tocsr().astype(np.float64)
    rho_bar = _rho_upper(net.abs_W, net.row_sum_bound)
    lam = 1.0 - abs(delta) * rho_bar  # lambda_min(A) >= lam
    if lam <= 0.0:  # the cheap bound cannot certify; the exact route still can
        values = exact_fn()
        return IntercentralityResult(values, values.copy(), values.copy(), 0.0, "exact", 0, 0)
    m_floor = 1.0 / (1.0 + abs(delta) * rho_bar)  # lambda_max(A) <= 1 + |delta| rho
    m_ceiling = 1.0 / lam
    indptr = np.ascontiguousarray(G.indptr, dtype=np.int64)
    indices = np.ascontiguousarray(G.indices, dtype=np.int64)
    data = np.ascontiguousarray(G.data)
    chunks = n_chunks(n)
    # solve tolerance: the residual enters the bound squared, over lam
    tol = max(math.sqrt(rtol * lam * m_floor) / 8.0, 1e-15)

    # b = M alpha and s = M 1 (M symmetric), with |b_i - b^_i| <= |r|_2 / lam
    rhs = np.column_stack([alpha, np.ones(n)])
    BS = _cg_block(indptr, indices, data, delta, rhs, min(tol, 1e-13))
    res = rhs - (BS - delta * (G @ BS))
    err = np.sqrt(np.einsum("ij,ij->j", res, res)) / lam
    b, s = BS[:, 0], BS[:, 1]

    m_lo = np.full(n, m_floor)
    m_hi = np.full(n, m_ceiling)

    def tighten(nodes, lo, rr, scale):
        pad = 64.0 * _EPS * scale
        m_lo[nodes] = np.maximum(m_lo[nodes], lo - pad)
        m_hi[nodes] = np.minimum(m_hi[nodes], lo + pad + rr / lam)

    def probe(subset, separation):
        """One probing pass over ``subset``: classes ``separation`` hops apart, cells around each."""
        order = subset[np.argsort(-np.diff(indptr)[subset], kind="stable")].astype(np.int64)
        colour = distance_colouring_kernel(indptr, indices, separation, order)[subset]
        n_colours = int(colour.max()) + 1
        by_colour = np.argsort(colour, kind="stable")
        starts = np.searchsorted(colour[by_colour], np.arange(n_colours + 1))
        # a column's residual norm spreads over its whole class; each node needs its share small
        cg_tol = max(tol / math.sqrt(np.diff(starts).max()), 1e-15)
        width = max(1, min(n_colours, _BLOCK_ENTRIES // n))
        for first in range(0, n_colours, width):
            last = min(n_colours, first + width)
            pick = by_colour[starts[first]:starts[last]]
            nodes = np.ascontiguousarray(subset[pick], dtype=np.int64)
            cols = (colour[pick] - first).astype(np.int64)
            Z = np.zeros((n, last - first))
            Z[nodes, cols] = 1.0
            Y = _cg_block(indptr, indices, data, delta, Z, cg_tol)
            class_start = (starts[first:last + 1] - starts[first]).astype(np.int64)
            tighten(nodes, *probing_bounds_kernel(indptr, indices, data, delta, nodes, class_start, cols,
                                                  Y, max(1, min(chunks, last - first))))
        return n_colours

    def loose():
        return np.flatnonzero(m_hi - m_lo > 0.5 * rtol * m_lo)

    # probing passes: all nodes with classes 2 * radius hops apart, then the nodes still too
    # loose with classes twice and four times as far apart (fewer nodes, larger cells)
    n_colours = probe(np.arange(n, dtype=np.int64), 2 * radius)
    for factor in (2, 4):
        todo = loose()
        if todo.size == 0 or todo.size < 64:
            break
        n_colours += probe(todo, 2 * radius * factor)

    # columns of their own for the nodes still too loose
    todo = loose()
    refined = int(todo.size)
    width = max(1, _BLOCK_ENTRIES // n)
    for first in range(0, todo.size, width):
        nodes = todo[first:first + width]
        cols = np.arange(nodes.size, dtype=np.int64)
        E = np.zeros((n, nodes.size))
        E[nodes, cols] = 1.0
        X = _cg_block(indptr, indices, data, delta, E, max(tol / 4.0, 1e-15))
        tighten(nodes, *diagonal_bounds_kernel(indptr, indices, data, delta, nodes, cols, X, n, chunks))
    m_lo = np.maximum(m_lo, m_floor)
    m_hi = np.minimum(m_hi, m_ceiling)
    lower, upper = _interval_quotient(b, err[0], s, err[1], m_lo, m_hi)
    values = np.clip(b * s / (0.5 * (m_lo + m_hi)), lower, upper)
    spread = np.maximum(upper - values, values - lower)
    scale = np.abs(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(spread == 0.0, 0.0, spread / scale)
    return IntercentralityResult(values, lower, upper, float(rel.max()) if n else 0.0, "probing",
                                 n_colours, refined)


@keyword_only("delta")
def intercentrality_bounds(net, *, delta, alpha=1.0, rtol=1e-6, radius=2, method="auto"):
    r"""Every player's intercentrality with a certified error bound, at network scale.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        The interaction matrix :math:`G`.
    delta : float
        Interaction strength; :math:`|\delta|\,\rho(|G|) < 1`.
    alpha : float or array_like, shape (n,), default 1.0
        Standalone marginal returns.
    rtol : float, default 1e-6
        Target relative width of each node's interval for :math:`m_{ii}`; nodes the probing
        leaves wider get a column solve of their own. The achieved bound is reported.
    radius : int, default 2
        Radius of the balls on which the probing trial vectors live (colour classes are
        ``2 * radius + 1`` hops apart): larger means fewer refinements and more colours.
    method : {"auto", "exact", "probing"}, default "auto"
        ``"exact"``: the route of :func:`intercentrality` (dense inverse up to 2000 nodes, sparse
        LU above). ``"probing"``: the certified estimator below (symmetric :math:`G` only).
        ``"auto"``: probing for symmetric networks above 2000 nodes, exact otherwise.

    Returns
    -------
    IntercentralityResult
        ``.values``, ``.lower``, ``.upper`` and ``.max_relative_error``: every exact
        :math:`c_i` lies in ``[lower[i], upper[i]]`` and within ``max_relative_error`` (relative)
        of ``values[i]``.

    Raises
    ------
    IllPosedNetworkError
        If :math:`|\delta|\,\rho(|G|) \ge 1`.
    InvalidInputError
        For a non-positive ``rtol`` or ``radius``, an unknown ``method``, or ``"probing"`` on a
        directed network.

    See Also
    --------
    intercentrality, key_player

    Notes
    -----
    Up to 2000 nodes, for directed networks and for :math:`\delta = 0` the exact route of
    :func:`intercentrality` (dense inverse or sparse LU; zero width). Above, for symmetric
    :math:`G`: :math:`A = I - \delta G` is positive definite, and for any trial vector
    :math:`x` with :math:`r = e_i - Ax`,
    :math:`2x_i - x^\top Ax \le m_{ii} \le 2x_i - x^\top Ax + \|r\|_2^2 / \lambda_{\min}(A)`,
    quadratic in the residual. Trial vectors for all nodes come from one block of conjugate
    gradient solves per group of colour classes (a greedy distance colouring; probing, Tang &
    Saad 2012), restricted to each node's ball, so the work is a few hundred solves, not
    :math:`n`. :math:`\lambda_{\min}(A) \ge 1 - |\delta|\bar\rho` with a Collatz–Wielandt bound
    :math:`\bar\rho \ge \rho(|G|)`; :math:`b = M\alpha` and :math:`M\mathbf 1` carry their own
    residual bounds, and the three intervals combine into the interval of :math:`c_i`.

    References
    ----------
    .. [1] Golub, G. H., Meurant, G. (2010). *Matrices, Moments and Quadrature with
       Applications*. Princeton University Press.
    .. [2] Tang, J. M., Saad, Y. (2012). A probing method for computing the diagonal of a matrix
       inverse. *Numerical Linear Algebra with Applications* 19(3), 485-501.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import intercentrality_bounds
    >>> res = intercentrality_bounds(nx.path_graph(3), delta=0.3)
    >>> res.method, res.values.round(4)
    ('exact', array([2.2648, 3.122 , 2.2648]))
    """
    from .._validate import as_vector, check_int, check_method, check_positive
    from ..network import as_network
    from ._common import as_finite
    from .linear_quadratic import _check_decay, _intercentrality_lu

    net = as_network(net)
    delta = as_finite(delta, "delta")
    alpha = as_vector(alpha, net.n, "alpha")
    rtol = check_positive(rtol, "rtol")
    radius = check_int(radius, "radius", minimum=1)
    method = check_method(method, ("auto", "exact", "probing"))
    _check_decay(net, delta)
    return intercentrality_bounds_impl(net, delta, alpha, rtol, radius, method,
                                       lambda: _intercentrality_lu(net, delta, alpha)[0])
