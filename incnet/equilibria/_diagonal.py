r"""Certified intercentrality at scale: the diagonal of :math:`(I - \delta G)^{-1}` with proofs.

For symmetric :math:`G` and :math:`|\delta|\rho(G) < 1`, :math:`A = I - \delta G` is symmetric
positive definite and, for any trial vector :math:`x` with residual :math:`r = e_i - Ax`,

.. math:: m_{ii} = e_i^\top A^{-1} e_i = \underbrace{2x_i - x^\top A x}_{\ell_i(x)} + r^\top A^{-1} r,
   \qquad \ell_i(x) + \frac{\|r\|_2^2}{\lambda_{\max}(A)} \le m_{ii}
   \le \ell_i(x) + \frac{\|r\|_2^2}{\lambda_{\min}(A)},

(the variational principle behind Gauss quadrature bounds, Golub & Meurant 2010): the bounds are
quadratic in the residual, and :math:`\lambda(A) \subset [1 - |\delta|\bar\rho, 1 + |\delta|\bar\rho]`
with :math:`\bar\rho` a Collatz–Wielandt upper bound on :math:`\rho(|G|)`. Two ways to find
good trial vectors for every node:

* **local solves** (``method="local"``, the default): the column :math:`A^{-1}e_i` decays
  fast away from :math:`i` when :math:`|\delta|\rho` is not close to 1, so conjugate gradients
  on :math:`A_{SS}\,y = e_i` over a small support :math:`S`, grown by the outside nodes with the
  largest residual entries (as sparse approximate inverses grow their pattern), give a residual
  of the size asked at a cost proportional to the support, not to :math:`n`. Hubs spread every
  column far (a node next to a hub of degree 1000 has a thousand entries two hops away), so the
  ``k`` largest hubs :math:`H` are eliminated: their columns :math:`W \approx A^{-1}E_H` come from
  one block of conjugate gradients, the local supports avoid them, and the trial vector is
  :math:`x = y - W g` with :math:`g = (Ay)_H`, whose residual vanishes on the hubs up to that of
  :math:`W` (block elimination, i.e. a Schur complement on the hubs, in trial-vector form).
* **probing** (``method="probing"``): colour the nodes so that any two within ``2 * radius``
  hops differ, solve :math:`A Y = Z` for the indicator columns of the colour classes (block
  conjugate gradients), and take as :math:`x` the column of :math:`i`'s colour restricted to
  :math:`i`'s cell; the nodes still too loose get local solves as above. Few colours suffice
  on graphs of large diameter at a loose ``rtol``; on small-world graphs at ``rtol = 1e-6`` most
  nodes end up refined.

References
----------
.. [1] Golub, G. H., Meurant, G. (2010). *Matrices, Moments and Quadrature with Applications*.
   Princeton University Press, ch. 7 and 11.
.. [2] Tang, J. M., Saad, Y. (2012). A probing method for computing the diagonal of a matrix
   inverse. *Numerical Linear Algebra with Applications* 19(3), 485-501.
.. [3] Benzi, M., Golub, G. H. (1999). Bounds for the entries of matrix functions with
   applications to preconditioning. *BIT Numerical Mathematics* 39(3), 417-438.
.. [4] Grote, M. J., Huckle, T. (1997). Parallel preconditioning with sparse approximate
   inverses. *SIAM Journal on Scientific Computing* 18(3), 838-853 (adaptive patterns).
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
#: Hubs of the local route: degree at least this multiple of the mean degree (and at least
#: ``_HUB_MIN_DEGREE``), at most ``_HUB_ENTRIES`` entries of hub columns and an eighth of the nodes.
_HUB_FACTOR = 8.0
_HUB_MIN_DEGREE = 16
_HUB_ENTRIES = 1 << 23
#: Nodes per call of the local-solve kernel (Ctrl-C between calls), and its limits per node.
_LOCAL_BATCH = 4096
_MAX_ROUNDS = 64
_MAX_ITER = 200


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
        ``"exact"`` (dense inverse or sparse LU), ``"local"`` or ``"probing"``.
    colours : int
        Colour classes (block solves) of the probing route; 0 for the other routes.
    refined : int
        Nodes whose interval comes from a local solve of their own (every node but the hubs on
        the local route; those the colouring left too loose on the probing route).
    hubs : int
        Hubs eliminated by columns of their own (block conjugate gradients); 0 on the exact route.
    """

    values: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    max_relative_error: float
    method: str
    colours: int
    refined: int
    hubs: int = 0


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


def _hub_nodes(indptr, n):
    """The hubs the local route eliminates: the highest degrees, far above the mean (sorted)."""
    degree = np.diff(indptr)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    threshold = max(_HUB_FACTOR * degree.mean(), _HUB_MIN_DEGREE)
    cap = min(_HUB_ENTRIES // max(n, 1), n // 8)
    candidates = np.flatnonzero(degree >= threshold)
    if candidates.size > cap:
        candidates = candidates[np.argsort(-degree[candidates], kind="stable")[:cap]]
    return np.sort(candidates).astype(np.int64)


def _hub_columns(G, indptr, indices, data, delta, hubs, rho_bar, lam, lam_max, rtol):
    """Columns ``W ~ A^{-1} E_H`` of the hubs with certified residual and column norms, and the
    hubs' own bounds on ``m_hh`` from them: ``(W, rho_norm, w_norm, m_lo, m_hi)``."""
    n, k = G.shape[0], hubs.size
    cols = np.arange(k)
    E = np.zeros((n, k))
    E[hubs, cols] = 1.0
    # the columns' residuals enter the other nodes' bounds linearly: solve them tightly
    W = _cg_block(indptr, indices, data, delta, E, max(0.01 * rtol, 1e-13))
    AW = W - delta * (G @ W)
    P = E - AW
    w_norm = np.sqrt(np.einsum("ij,ij->j", W, W))
    # the computed residual differs from the true one by the round-off of the product
    dmax = int(np.diff(indptr).max()) if n else 0
    slack = (dmax + 2) * _EPS * (1.0 + abs(delta) * rho_bar) * w_norm
    rho_norm = np.sqrt(np.einsum("ij,ij->j", P, P)) + slack
    w_hh = W[hubs, cols]
    # 2 w_h - w^T A w = w_h + w^T P e_h (A w = e_h - P e_h)
    lower = w_hh + np.einsum("ij,ij->j", W, P)
    # round-off: the sum over n terms, and the error of the computed residual against w
    pad = (64.0 * _EPS * np.abs(w_hh) + (n + 64) * _EPS * np.einsum("ij,ij->j", np.abs(W), np.abs(P))
           + w_norm * slack)
    m_lo = lower - pad
    m_hi = lower + pad + rho_norm * rho_norm / lam
    return np.ascontiguousarray(W), rho_norm, w_norm, m_lo, m_hi


def _local_bounds(G, indptr, indices, data, delta, nodes, rho_bar, lam, lam_max, rtol):
    """Bounds ``(m_lo, m_hi, hubs, solves)`` on ``m_ii`` for ``nodes``: columns for the hubs (all
    of them: they serve every node), local solves for the other nodes (see the module docstring)."""
    from .._chunked import run_chunked
    from .._kernels.equilibria import local_diagonal_kernel
    from ..simulate._common import n_chunks

    n = G.shape[0]
    m_lo = np.empty(nodes.size)
    m_hi = np.empty(nodes.size)
    hubs = _hub_nodes(indptr, n)
    hub_col = np.full(n, -1, dtype=np.int64)
    hub_col[hubs] = np.arange(hubs.size)
    where = hub_col[nodes]
    is_hub = where >= 0
    if hubs.size:
        W, rho_norm, w_norm, h_lo, h_hi = _hub_columns(G, indptr, indices, data, delta, hubs, rho_bar,
                                                       lam, lam_max, rtol)
        m_lo[is_hub] = h_lo[where[is_hub]]
        m_hi[is_hub] = h_hi[where[is_hub]]
    else:
        W, rho_norm, w_norm = np.zeros((n, 0)), np.zeros(0), np.zeros(0)
    rest = np.flatnonzero(~is_hub)
    # budget on the squared residual: the interval's width is rr (1/lam - 1/lam_max) <= rtol m
    budget = rtol / (1.0 / lam - 1.0 / lam_max)
    # in reverse Cuthill-McKee order: consecutive nodes have overlapping supports (warm caches)
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    rank = np.empty(n, dtype=np.int64)
    rank[reverse_cuthill_mckee(G, symmetric_mode=True)] = np.arange(n)
    rest = rest[np.argsort(rank[nodes[rest]], kind="stable")]
    todo = np.ascontiguousarray(nodes[rest], dtype=np.int64)
    chunks = n_chunks(todo.size)

    def call(a, b):
        lo, rr, pg, xn, scale, _ = local_diagonal_kernel(
            indptr, indices, data, delta, todo[a:b], hub_col, W, rho_norm, w_norm, budget,
            1.0 / lam_max, _MAX_ROUNDS, _MAX_ITER, chunks)
        # |r| <= sqrt(rr) + pg and |lower - (2 x_i - x^T A x)| <= pg xn + round-off
        slack = pg * xn + 64.0 * _EPS * scale
        root = np.sqrt(rr)
        m_lo[rest[a:b]] = lo - slack + np.maximum(root - pg, 0.0) ** 2 / lam_max
        m_hi[rest[a:b]] = lo + slack + (root + pg) ** 2 / lam
        return False

    run_chunked(todo.size, call, first=min(_LOCAL_BATCH, max(todo.size, 1)),
                what="the local solves of intercentrality_bounds")
    return m_lo, m_hi, int(hubs.size), int(todo.size)


def intercentrality_bounds_impl(net, delta, alpha, rtol, radius, method, exact_fn):
    """See :func:`incnet.equilibria.intercentrality_bounds` (inputs validated there)."""
    from .._kernels.equilibria import distance_colouring_kernel, probing_bounds_kernel
    from ..simulate._common import n_chunks

    n = net.n
    if method in ("probing", "local") and not net.is_symmetric:
        raise InvalidInputError(
            f"method={method!r} needs a symmetric G (I - delta G positive definite); this network is "
            "directed. Use method='exact' or 'auto'"
        )
    if method == "exact" or (method == "auto" and (n <= DENSE_LIMIT or not net.is_symmetric)) or delta == 0.0:
        values = exact_fn()
        return IntercentralityResult(values, values.copy(), values.copy(), 0.0, "exact", 0, 0)
    if method == "auto":
        method = "local"
    G = net.W.tocsr().astype(np.float64)
    rho_bar = _rho_upper(net.abs_W, net.row_sum_bound)
    lam = 1.0 - abs(delta) * rho_bar  # lambda_min(A) >= lam
    if lam <= 0.0:  # the cheap bound cannot certify; the exact route still can
        values = exact_fn()
        return IntercentralityResult(values, values.copy(), values.copy(), 0.0, "exact", 0, 0)
    lam_max = 1.0 + abs(delta) * rho_bar  # lambda_max(A) <= lam_max
    m_floor = 1.0 / lam_max
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
        m_lo[nodes] = np.maximum(m_lo[nodes], lo - pad + rr / lam_max)
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

    n_colours = 0
    if method == "probing":
        # one probing pass (classes 2 * radius hops apart); local solves for the nodes left loose
        n_colours = probe(np.arange(n, dtype=np.int64), 2 * radius)
        todo = np.flatnonzero(m_hi - m_lo > rtol * m_lo)
    else:
        todo = np.arange(n, dtype=np.int64)
    n_hubs = refined = 0
    if todo.size:
        lo, hi, n_hubs, refined = _local_bounds(G, indptr, indices, data, delta, todo, rho_bar, lam,
                                                lam_max, rtol)
        m_lo[todo] = np.maximum(m_lo[todo], lo)
        m_hi[todo] = np.minimum(m_hi[todo], hi)
    m_lo = np.maximum(m_lo, m_floor)
    m_hi = np.minimum(m_hi, m_ceiling)
    lower, upper = _interval_quotient(b, err[0], s, err[1], m_lo, m_hi)
    values = np.clip(b * s / (0.5 * (m_lo + m_hi)), lower, upper)
    spread = np.maximum(upper - values, values - lower)
    scale = np.abs(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(spread == 0.0, 0.0, spread / scale)
    return IntercentralityResult(values, lower, upper, float(rel.max()) if n else 0.0, method,
                                 n_colours, refined, n_hubs)


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
        Target relative width of each node's interval for :math:`m_{ii}` (so every value is
        within about ``rtol / 2`` of the exact one). The achieved bound is reported.
    radius : int, default 2
        Probing route only: colour classes are ``2 * radius + 1`` hops apart.
    method : {"auto", "exact", "local", "probing"}, default "auto"
        ``"exact"``: the route of :func:`intercentrality` (dense inverse up to 2000 nodes, sparse
        LU above). ``"local"``: local solves with the hubs eliminated (symmetric :math:`G`
        only; Notes). ``"probing"``: a probing pass first, local solves for the nodes it leaves
        too loose. ``"auto"``: local for symmetric networks above 2000 nodes, exact otherwise.

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
        For a non-positive ``rtol`` or ``radius``, an unknown ``method``, or ``"local"`` or
        ``"probing"`` on a directed network.

    See Also
    --------
    intercentrality, key_player

    Notes
    -----
    Up to 2000 nodes, for directed networks and for :math:`\delta = 0` the exact route of
    :func:`intercentrality` (dense inverse or sparse LU; zero width). Above, for symmetric
    :math:`G`: :math:`A = I - \delta G` is positive definite, and for any trial vector
    :math:`x` with :math:`r = e_i - Ax` and :math:`\ell = 2x_i - x^\top Ax`,
    :math:`\ell + \|r\|_2^2/\lambda_{\max}(A) \le m_{ii} \le \ell + \|r\|_2^2/\lambda_{\min}(A)`,
    quadratic in the residual (Golub & Meurant 2010), with
    :math:`\lambda(A) \subset [1 - |\delta|\bar\rho, 1 + |\delta|\bar\rho]` for a
    Collatz–Wielandt bound :math:`\bar\rho \ge \rho(|G|)`.

    The entries of :math:`A^{-1}e_i` decay geometrically with the distance from :math:`i`
    (Benzi & Golub 1999), so the local route finds each node's trial vector by conjugate
    gradients on a small support around it, grown by the outside nodes that carry the largest
    residual entries until :math:`\|r\|_2^2` is below the budget that ``rtol`` sets. The
    highest-degree hubs (degree at least eight times the mean; at most :math:`2^{23}` entries
    of columns) would spread every support over their neighbourhoods, so they are eliminated:
    their columns :math:`W \approx A^{-1}E_H` come from one block of conjugate gradients, the
    supports avoid them, and node :math:`i`'s trial vector is :math:`x = y - Wg` with
    :math:`g = (Ay)_H`, whose residual off the hubs is :math:`y`'s and on the hubs only that of
    :math:`W` (a Schur complement on the hubs in trial-vector form; :math:`\ell` follows from
    :math:`y`, :math:`W_{HH}` and :math:`W`'s row :math:`i`, and :math:`W`'s residual enters
    the bounds through its certified norm). The work is the supports' edges, a few hundred per
    node on social networks at ``rtol = 1e-6``, plus the hubs' block solve.

    The probing route colours the nodes so that any two within ``2 * radius`` hops differ and
    takes as trial vector the solution for the indicator of :math:`i`'s colour class
    restricted to :math:`i`'s cell (Tang & Saad 2012); its cost grows with the number of
    colours, so it pays on graphs of large diameter at a loose ``rtol``, and the nodes it
    leaves too loose get local solves. :math:`b = M\alpha` and :math:`M\mathbf 1` carry their
    own residual bounds, and the three intervals combine into the interval of :math:`c_i`.

    References
    ----------
    .. [1] Golub, G. H., Meurant, G. (2010). *Matrices, Moments and Quadrature with
       Applications*. Princeton University Press.
    .. [2] Tang, J. M., Saad, Y. (2012). A probing method for computing the diagonal of a matrix
       inverse. *Numerical Linear Algebra with Applications* 19(3), 485-501.
    .. [3] Benzi, M., Golub, G. H. (1999). Bounds for the entries of matrix functions with
       applications to preconditioning. *BIT Numerical Mathematics* 39(3), 417-438.

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
    method = check_method(method, ("auto", "exact", "local", "probing"))
    _check_decay(net, delta)
    return intercentrality_bounds_impl(net, delta, alpha, rtol, radius, method,
                                       lambda: _intercentrality_lu(net, delta, alpha)[0])
