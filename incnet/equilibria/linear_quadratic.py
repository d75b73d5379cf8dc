r"""Linear-quadratic network games and the key player (Ballester, Calvó-Armengol & Zenou 2006).

Player :math:`i` chooses an effort :math:`x_i` and earns

.. math:: u_i(x) = \alpha_i x_i - \tfrac12 x_i^2 + \delta \sum_j g_{ij} x_i x_j .

The first-order conditions :math:`x_i = \alpha_i + \delta (Gx)_i` give the unique Nash equilibrium

.. math:: x^* = (I - \delta G)^{-1} \alpha = M \alpha, \qquad
   M = \sum_{k \ge 0} \delta^k G^k ,

the Katz-Bonacich centrality of the players weighted by :math:`\alpha`, whenever
:math:`\delta \rho(G) < 1`. Removing player :math:`i` lowers the aggregate equilibrium effort
:math:`\mathbf 1^\top x^*` by its intercentrality

.. math:: c_i = \frac{(M\alpha)_i\, (\mathbf 1^\top M)_i}{m_{ii}}
   \quad\Bigl(= \frac{b_i^2}{m_{ii}} \text{ for uniform } \alpha \text{ and symmetric } G\Bigr),

and the key player is the one with the largest :math:`c_i`.

Why: after removing :math:`i` the others play the equilibrium of the game in which :math:`i`'s
effort is pinned at 0, i.e. :math:`x' = M(\alpha - t e_i)` with :math:`t` chosen so that
:math:`x'_i = 0`, so :math:`t = b_i / m_{ii}` and
:math:`\mathbf 1^\top x^* - \mathbf 1^\top x' = t\, (\mathbf 1^\top M)_i`.

References
----------
.. [1] Ballester, C., Calvó-Armengol, A., Zenou, Y. (2006). Who's who in networks. Wanted: the key
   player. *Econometrica* 74(5), 1403-1417.
.. [2] Jackson, M. O., Zenou, Y. (2015). Games on networks. *Handbook of Game Theory with Economic
   Applications*, vol. 4, 95-163.
.. [3] Nemhauser, G. L., Wolsey, L. A., Fisher, M. L. (1978). An analysis of approximations for
   maximizing submodular set functions I. *Mathematical Programming* 14, 265-294.
"""

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._compat import keyword_only
from .._progress import reporter
from .._results import ResultMixin
from .._validate import as_vector, check_int, check_method, check_positive
from ..errors import ConvergenceError, IllPosedNetworkError, InvalidInputError
from ..network import DENSE_LIMIT, as_network
from ..payoffs import total_payoffs
from ._common import EquilibriumResult, as_finite

__all__ = ["linear_quadratic", "intercentrality", "key_player", "KeyPlayerResult", "Intercentrality",
           "LinearQuadraticSolver"]

LQ_METHODS = ("auto", "direct", "krylov", "neumann")
KEY_METHODS = ("auto", "lu", "pruned")
#: ``key_player(method="auto")`` inverts densely up to this many nodes, then prunes.
_LU_KEY_LIMIT = 300
#: Columns of the identity solved together when the diagonal of M is read off the LU factors.
_BLOCK_ENTRIES = 1 << 22
#: Candidates whose diagonal entry is solved for together in the pruned search.
_PRUNE_BATCH = 8


def _check_decay(net, delta):
    """Raise IllPosedNetworkError unless |delta| rho(|G|) < 1."""
    if delta == 0.0:
        return
    if net.nnz >= 200_000:
        # Large: a certificate (row sums, a few Collatz-Wielandt products; cached on the network
        # and carried to net.scaled(delta)), the spectral radius only when it finds no bound.
        if net._rho_certificate((1.0 - 1e-10) / abs(delta)) is not None:
            return
    elif abs(delta) * net.row_sum_bound < 1.0:
        return
    rho = net.spectral_radius
    # rho carries round-off, and at delta * rho = 1 - 1e-12 the system is singular in practice.
    if not abs(delta) * rho < 1.0 - 1e-10:  # NaN is not a proof of well-posedness
        raise IllPosedNetworkError(
            f"the linear-quadratic game is ill-posed: delta * rho(G) = {abs(delta):g} * {rho:.6g} = "
            f"{abs(delta) * rho:.6g} >= 1, so efforts feed back without bound and no equilibrium "
            f"exists (or it is not unique). Use |delta| < 1 / rho(G) = {1.0 / rho:.6g}",
            spectral_radius=rho,
        )


def linear_quadratic(net, alpha, delta, *, method="auto", tol=1e-10, max_iter=10_000, x0=None):
    r"""The unique Nash equilibrium :math:`x^* = (I - \delta G)^{-1}\alpha` of the linear-quadratic game.

    .. math:: u_i = \alpha_i x_i - \tfrac12 x_i^2 + \delta \sum_j g_{ij} x_i x_j

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        The interaction matrix :math:`G` (``W[i, j] = g_ij``: how much ``j``'s effort raises the
        return of ``i``'s effort). Directed and weighted networks are allowed.
    alpha : float or array_like, shape (n,)
        Standalone marginal returns :math:`\alpha_i` (heterogeneous allowed).
    delta : float
        Strength of the interaction; :math:`\delta > 0` for complements, :math:`< 0` for
        substitutes. Requires :math:`|\delta|\,\rho(|G|) < 1`.
    method : {"auto", "direct", "krylov", "neumann"}, default "auto"
        The solver of :func:`~incnet.total_payoffs`, applied to :math:`\delta G` (one solver,
        shared with interdependent payoffs).
    tol : float, default 1e-10
        Relative residual of the linear solve.
    max_iter : int, default 10000
        Iteration cap of the iterative solvers.
    x0 : array_like, optional
        Warm start of the iterative solvers, e.g. the equilibrium at a nearby decay or
        :math:`\alpha` (ignored by ``"direct"``).

    Returns
    -------
    EquilibriumResult
        ``x`` (in the order of ``net.nodes``), ``unique`` (always True), ``converged``,
        ``iterations``, ``residual`` (:math:`\max_i |x_i - \alpha_i - \delta (Gx)_i|`),
        ``method``.

    Raises
    ------
    IllPosedNetworkError
        If :math:`|\delta|\,\rho(|G|) \ge 1`; the message states :math:`\rho` and the largest
        admissible :math:`|\delta|`.
    ConvergenceError
        If an iterative solver misses ``tol``.
    InvalidInputError
        For NaN/inf or wrongly shaped ``alpha``, a non-finite ``delta`` or an unknown method.

    See Also
    --------
    LinearQuadraticSolver : the same solve repeated at one decay, with edge updates.
    intercentrality, key_player, incnet.total_payoffs, best_response_gap

    Notes
    -----
    Actions are real numbers. With :math:`\alpha \ge 0` and :math:`\delta G \ge 0` the
    equilibrium is non-negative, so constraining actions to :math:`x \ge 0` changes nothing.
    The decay condition is checked with the spectral radius of :math:`|G|`: a cheap certificate
    first (the largest row/column sum, then a few Collatz-Wielandt products, each one pass over
    the links), ARPACK only when that finds no bound below :math:`1/|\delta|`. Cost: that of
    the linear solve, :math:`O(\mathrm{nnz})` per iteration.

    References
    ----------
    .. [1] Ballester, C., Calvó-Armengol, A., Zenou, Y. (2006). Who's who in networks. Wanted: the
       key player. *Econometrica* 74(5), 1403-1417.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import linear_quadratic
    >>> res = linear_quadratic(nx.star_graph(3), alpha=1.0, delta=0.2)
    >>> res.x.round(4)
    array([1.8182, 1.3636, 1.3636, 1.3636])
    >>> res.unique
    True
    """
    net = as_network(net)
    check_method(method, LQ_METHODS)
    delta = as_finite(delta, "delta")
    alpha = as_vector(alpha, net.n, "alpha")
    _check_decay(net, delta)
    tol = check_positive(tol, "tol")
    solved = total_payoffs(net.scaled(delta), alpha, method=method, tol=tol, max_iter=max_iter, x0=x0)
    x = solved.u
    with np.errstate(over="ignore", invalid="ignore"):
        gap = x - alpha - delta * (net.W @ x)
    residual = float(np.max(np.abs(gap))) if net.n else 0.0
    # The independent check, scale-aware (no squares of 1e160 overflow): the relative 2-norm
    # residual of the first-order conditions must meet tol, up to the rounding of recomputing it.
    scale = float(np.max(np.abs(alpha))) if net.n else 0.0
    scale = scale if scale > 0 else 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        numerator = _norm(gap / scale)
    denominator = _norm(alpha / scale)
    relative = numerator / denominator if denominator > 0 else numerator
    if not relative <= tol * 1.01 + 64 * np.finfo(float).eps:
        raise ConvergenceError(
            f"the equilibrium check failed: the first-order conditions hold only to a relative "
            f"residual of {relative:.3g} > tol = {tol:g}; use method='direct' or loosen tol",
            last_iterate=x, residual=residual, iterations=solved.iterations,
        )
    return EquilibriumResult(
        x=x, unique=True, converged=solved.converged, iterations=solved.iterations,
        residual=residual, method=solved.method, nodes=net.nodes,
    )


def _norm(v):
    # Not np.linalg.norm: its BLAS dot starts OpenBLAS's threads, which wait for cores the
    # solver's OpenMP threads still hold for a moment after a parallel kernel (2 ms a call
    # measured at 10^5 nodes, against 0.05 ms for this pairwise sum).
    return math.sqrt(float(np.sum(np.square(v))))


def _unit_exponent(alpha):
    """The power of two ``e`` with ``max |alpha| / 2**e`` in [1, 2) (0 for alpha = 0)."""
    peak = float(np.max(np.abs(alpha), initial=0.0))
    return int(np.frexp(peak)[1]) - 1 if peak > 0 else 0


def _unscaled(values, exponent, what):
    with np.errstate(over="ignore"):
        values = np.ldexp(values, exponent)
    if not np.all(np.isfinite(values)):
        raise InvalidInputError(
            f"{what}: the values exceed the float64 range (about 1.8e308) for alpha of size "
            f"2**{exponent}; measure alpha in a larger unit"
        )
    return values


# --------------------------------------------------------------------------- intercentrality
def _factorize(net, delta):
    from scipy.sparse.linalg import splu

    A = (sp.identity(net.n, format="csc") - delta * net.W).tocsc()
    try:
        # Minimum degree on A + A^T keeps the fill of hub-heavy graphs several times lower
        # than the default COLAMD (measured on Barabasi-Albert graphs).
        return splu(A, permc_spec="MMD_AT_PLUS_A")
    except RuntimeError as err:  # pragma: no cover - excluded by the decay check
        raise IllPosedNetworkError(f"I - delta G is singular ({err})") from None


def _diagonal_of_inverse(lu, n):
    """Exact diagonal of (I - delta G)^{-1}, solving blocks of identity columns with the LU factors."""
    block = max(1, min(n, _BLOCK_ENTRIES // max(n, 1)))
    diag = np.empty(n)
    for start in range(0, n, block):
        stop = min(n, start + block)
        E = np.zeros((n, stop - start))
        E[np.arange(start, stop), np.arange(stop - start)] = 1.0
        cols = lu.solve(E)
        diag[start:stop] = cols[np.arange(start, stop), np.arange(stop - start)]
    return diag


def _intercentrality_lu(net, delta, alpha):
    if net.n <= DENSE_LIMIT:
        # One dense inverse beats n sparse triangular solves at this size.
        M = np.linalg.inv(np.eye(net.n) - delta * net.W.toarray())
        b = M @ alpha
        return b * M.sum(axis=0) / np.diag(M), b
    lu = _factorize(net, delta)
    b = lu.solve(alpha)
    column_sums = lu.solve(np.ones(net.n), trans="T")  # (1^T M)^T = M^T 1
    diag = _diagonal_of_inverse(lu, net.n)
    return b * column_sums / diag, b


class Intercentrality(np.ndarray):
    """The intercentrality of every player: a read-only array that knows its node labels.

    It is a :class:`numpy.ndarray` of shape (n,) in the order of :attr:`nodes` (so every array
    operation works on it), with :meth:`to_dict` and :meth:`to_frame` like incnet's result objects
    and the best player in :attr:`key_player`.

    Attributes
    ----------
    nodes : tuple
        Node labels in index order.
    """

    def __new__(cls, values, nodes):
        obj = np.array(values, dtype=np.float64).view(cls)
        obj.nodes = tuple(nodes)
        obj.flags.writeable = False
        return obj

    def __array_finalize__(self, obj):
        self.nodes = getattr(obj, "nodes", None)

    def __reduce__(self):
        return (Intercentrality, (np.asarray(self), self.nodes))

    @property
    def key_player(self):
        """Label of the player with the largest intercentrality (the first among equals)."""
        return self.nodes[_first_maximum(np.asarray(self))]

    def to_dict(self):
        """``{label: intercentrality}``."""
        if self.nodes is None or len(self.nodes) != len(self):
            raise ValueError("this array no longer lines up with the network's nodes")
        return dict(zip(self.nodes, np.asarray(self).tolist()))

    def to_frame(self):
        """A :class:`pandas.DataFrame` with one row per node (index ``node``), column ``intercentrality``."""
        from .._results import require_pandas

        pd = require_pandas("to_frame")
        labels = self.to_dict()
        return pd.DataFrame({"intercentrality": list(labels.values())},
                            index=pd.Index(list(labels), name="node"))


@keyword_only("delta")
def intercentrality(net, *, delta, alpha=1.0, method="auto", rtol=1e-6):
    r"""Intercentrality :math:`c_i = (M\alpha)_i (\mathbf 1^\top M)_i / m_{ii}` of every player.

    :math:`c_i` is exactly the fall in aggregate equilibrium effort :math:`\mathbf 1^\top x^*`
    of the linear-quadratic game when player :math:`i` is removed (with its links).

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        The interaction matrix :math:`G`.
    delta : float
        Interaction strength; :math:`|\delta|\,\rho(|G|) < 1`.
    alpha : float or array_like, shape (n,), default 1.0
        Standalone marginal returns.
    method : {"auto", "exact", "local", "probing"}, default "auto"
        ``"exact"``: the direct route below. ``"local"`` and ``"probing"``: the certified
        estimators of :func:`intercentrality_bounds` (symmetric :math:`G`). ``"auto"``: exact
        up to 2000 nodes and for directed networks, local above.
    rtol : float, default 1e-6
        Relative accuracy asked of the certified routes: each node's :math:`m_{ii}` is certified
        to an interval of relative width ``rtol`` (so every value is within about ``rtol / 2``
        of the exact one; :func:`intercentrality_bounds` reports the bound actually proven).

    Returns
    -------
    Intercentrality
        A read-only :class:`numpy.ndarray` of shape (n,) in the order of ``net.nodes`` that also
        carries the labels (``.nodes``, ``.to_dict()``, ``.to_frame()``, ``.key_player``).

    Raises
    ------
    IllPosedNetworkError
        If :math:`|\delta|\,\rho(|G|) \ge 1`.

    See Also
    --------
    key_player, linear_quadratic, intercentrality_bounds

    Notes
    -----
    The exact route: up to 2000 nodes :math:`M` is formed densely (one LAPACK inverse). Above, one sparse
    LU factorisation of :math:`I - \delta G` (minimum-degree ordering of :math:`A + A^\top`),
    two solves for :math:`M\alpha` and :math:`M^\top\mathbf 1`, and the diagonal of :math:`M`
    from solves with blocks of identity columns, :math:`n` columns in all. Memory stays
    :math:`O(\mathrm{nnz}(L+U))` plus one block of about four million entries; time grows like
    :math:`n\,\mathrm{nnz}(L+U)`, which on hub-heavy graphs (whose factors fill in) limits this
    route to a few thousand nodes. Above 2000 nodes ``"auto"`` takes the local route of
    :func:`intercentrality_bounds` on symmetric networks: a conjugate-gradient solve per node on
    a small support that grows around it, the highest-degree hubs eliminated by one block of
    column solves, and variational two-sided bounds on every :math:`m_{ii}`, which certify each
    value to about ``rtol / 2`` (measured at ``delta rho = 0.5`` and ``rtol = 1e-6``, every
    value proven within 2.5e-7: 0.14 s on the 9,877-node ca-HepTh, 1.8 s on the 28,281-node
    deezer-europe, where the LU factors alone hold 23 million entries, and 11 s on a
    Barabási–Albert graph of 100,000 nodes). Its cost grows with the supports, i.e. with the
    size of the nodes' neighbourhoods once the hubs are removed, and as
    ``delta rho`` approaches 1. For the best player, or a greedy group, use
    :func:`key_player`, whose pruned search is exact without the full diagonal.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import intercentrality
    >>> c = intercentrality(nx.path_graph(["a", "b", "c"]), delta=0.3)
    >>> c.round(4)
    array([2.2648, 3.122 , 2.2648])
    >>> c.key_player
    'b'
    """
    net = as_network(net)
    delta = as_finite(delta, "delta")
    alpha = as_vector(alpha, net.n, "alpha")
    method = check_method(method, ("auto", "exact", "local", "probing"))
    _check_decay(net, delta)
    # c is linear in alpha: solve for alpha scaled to unit size (by a power of two, exactly)
    exponent = _unit_exponent(alpha)
    scaled = np.ldexp(alpha, -exponent)
    if method == "exact" or (method == "auto" and (net.n <= DENSE_LIMIT or not net.is_symmetric)):
        values = _intercentrality_lu(net, delta, scaled)[0]
    else:
        from ._diagonal import intercentrality_bounds

        values = intercentrality_bounds(net, delta=delta, alpha=scaled, rtol=rtol, method=method).values
    return Intercentrality(_unscaled(values, exponent, "intercentrality"), net.nodes)


# --------------------------------------------------------------------------- key player
@dataclass(frozen=True, repr=False)
class KeyPlayerResult(ResultMixin):
    """The key player (or key group) of a linear-quadratic game.

    Attributes
    ----------
    players : tuple
        Node labels in the order chosen, best first.
    intercentrality : numpy.ndarray
        Shape (k,): the fall in aggregate equilibrium effort caused by removing each chosen
        player after the ones before it (its intercentrality in the network left at that step).
        For ``k = 1`` this is the largest intercentrality of the network.
    aggregate : float
        Aggregate equilibrium effort :math:`\\mathbf 1^\\top x^*` of the whole network.
    remaining_aggregate : float
        Aggregate effort once all chosen players are removed.
    approximation : float or None
        Guaranteed fraction of the best possible reduction: 1.0 for ``k = 1`` (exact),
        :math:`1 - (1 - 1/k)^k \\ge 1 - 1/e` for the greedy group when :math:`\\alpha \\ge 0`
        and :math:`\\delta G \\ge 0`, ``None`` otherwise (no guarantee is known).
    solves : int
        Linear solves with :math:`I - \\delta G` (columns) spent on diagonal entries.
    method : str
        ``"lu"`` or ``"pruned"``.
    """

    players: tuple
    intercentrality: np.ndarray
    aggregate: float
    remaining_aggregate: float
    approximation: object
    solves: int
    method: str

    _frame_index = ("player", "players", "players")


def _solve(net, delta, rhs, tol):
    return total_payoffs(net.scaled(delta), rhs, tol=tol).u


def _best_pruned(net, delta, alpha, tol):
    """Exact argmax of the intercentrality without the full diagonal (G >= 0, delta >= 0, alpha >= 0).

    Every diagonal entry satisfies m_ii >= 1 + delta^2 (G^2)_ii (all walk terms are >= 0), so
    U_i = b_i (M^T 1)_i / (1 + delta^2 (G^2)_ii) bounds c_i from above. Candidates are solved in
    decreasing order of U_i, in small blocks, until the best exact c_i reaches the next bound.
    """
    n = net.n
    W = net.W
    b = _solve(net, delta, alpha, tol)
    if net.is_symmetric:
        if np.all(alpha == alpha[0]):
            column_sums = b / alpha[0] if alpha[0] != 0 else _solve(net, delta, np.ones(n), tol)
        else:
            column_sums = _solve(net, delta, np.ones(n), tol)
    else:
        transposed = type(net)._trusted(sp.csr_array(W.T), net.nodes)
        column_sums = _solve(transposed, delta, np.ones(n), tol)
    closed_walks = np.asarray(W.multiply(W.T).sum(axis=1)).ravel()
    upper = b * column_sums / (1.0 + delta * delta * closed_walks)
    order = np.argsort(-upper, kind="stable")
    best, best_value, solves = -1, -np.inf, 0
    for start in range(0, n, _PRUNE_BATCH):
        batch = order[start:start + _PRUNE_BATCH]
        if upper[batch[0]] < best_value - 1e-12 * max(1.0, abs(best_value)):
            break
        E = np.zeros((n, len(batch)))
        E[batch, np.arange(len(batch))] = 1.0
        cols = _solve(net, delta, E, tol)
        solves += len(batch)
        values = b[batch] * column_sums[batch] / cols[batch, np.arange(len(batch))]
        for candidate, value in zip(batch.tolist(), values.tolist()):
            margin = 1e-12 * max(1.0, abs(best_value)) if best >= 0 else 0.0
            if value > best_value + margin or (abs(value - best_value) <= margin and candidate < best):
                best, best_value = candidate, value
    return best, best_value, float(b.sum()), solves


def _first_maximum(values):
    """Index of the largest value; among values equal up to round-off, the first (reproducible ties)."""
    top = float(np.max(values))
    return int(np.flatnonzero(values >= top - 1e-12 * max(1.0, abs(top)))[0])


@keyword_only("delta")
def key_player(net, *, delta, alpha=1.0, k=1, method="auto", tol=1e-10, progress=None):
    r"""The player (or greedy group of ``k``) whose removal most lowers aggregate equilibrium effort.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        The interaction matrix :math:`G`.
    delta : float
        Interaction strength; :math:`|\delta|\,\rho(|G|) < 1`.
    alpha : float or array_like, shape (n,), default 1.0
        Standalone marginal returns.
    k : int, default 1
        Size of the key group.
    method : {"auto", "lu", "pruned"}, default "auto"
        ``"lu"``: the exact intercentrality of every player (:func:`intercentrality`).
        ``"pruned"``: the exact best player by a bound-and-solve search that needs only a few
        columns of :math:`M` (requires :math:`\alpha \ge 0`, :math:`\delta \ge 0`, :math:`G \ge 0`).
        ``"auto"``: ``"pruned"`` when its conditions hold and the network has more than 300
        nodes, ``"lu"`` otherwise.
    tol : float, default 1e-10
        Relative residual of the iterative solves of ``"pruned"``.
    progress : bool, callable or None, default None
        A progress bar over the ``k`` choices (True), none (False or None), or
        ``progress(chosen, k)`` after each choice.

    Returns
    -------
    KeyPlayerResult
        ``players`` (labels, best first), ``intercentrality`` (the reduction each one causes),
        ``aggregate``, ``remaining_aggregate``, ``approximation``, ``solves``, ``method``.

    Raises
    ------
    IllPosedNetworkError
        If :math:`|\delta|\,\rho(|G|) \ge 1`.
    InvalidInputError
        If ``k`` is not in ``1..n``, ``"pruned"`` is asked for outside its conditions, or an
        argument is malformed.

    See Also
    --------
    intercentrality, linear_quadratic

    Notes
    -----
    **k = 1** is exact with either method. ``"lu"`` reads the whole diagonal of
    :math:`M = (I - \delta G)^{-1}` from a dense inverse or a sparse LU factorisation (cost in
    :func:`intercentrality`). ``"pruned"`` scales to large networks: since every term of
    :math:`m_{ii} = \sum_k \delta^k (G^k)_{ii}` is non-negative,
    :math:`m_{ii} \ge 1 + \delta^2 (G^2)_{ii}`, which gives the upper bound
    :math:`U_i = b_i (\mathbf 1^\top M)_i / (1 + \delta^2 (G^2)_{ii}) \ge c_i` from two solves.
    Candidates are taken in decreasing :math:`U_i`, their :math:`m_{ii}` solved for exactly
    (blocks of 8 columns through :func:`~incnet.total_payoffs`), and the search stops as soon as
    the best exact :math:`c_i` is at least the next bound. The answer is therefore the exact
    argmax up to the solver tolerance ``tol`` (no sampling error); the number of solves is
    reported in ``solves`` and is small when the top of the ranking is clear-cut, up to
    :math:`n` in the worst case.

    **k > 1** is greedy: the player with the largest intercentrality in the network left after
    removing the previous choices, i.e. the exact marginal reduction, recomputed by re-solving
    on the reduced network. The reduction :math:`f(S)` caused by removing a set :math:`S` is the
    total weight of the walks of the Neumann series :math:`\sum_k \delta^k G^k \alpha` that
    visit :math:`S`; when :math:`\alpha \ge 0` and :math:`\delta G \ge 0` every walk has a
    non-negative weight, so :math:`f` is a weighted coverage function, monotone and submodular,
    and the greedy group attains at least :math:`1 - (1 - 1/k)^k > 1 - 1/e` of the best
    reduction over all groups of size :math:`k` (Nemhauser, Wolsey & Fisher 1978). Outside those
    sign conditions no guarantee is known and ``approximation`` is ``None``. Finding the optimal
    key group is NP-hard in general.

    References
    ----------
    .. [1] Ballester, C., Calvó-Armengol, A., Zenou, Y. (2006). Who's who in networks. Wanted: the
       key player. *Econometrica* 74(5), 1403-1417.
    .. [2] Nemhauser, G. L., Wolsey, L. A., Fisher, M. L. (1978). An analysis of approximations
       for maximizing submodular set functions I. *Mathematical Programming* 14, 265-294.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import key_player
    >>> G = nx.karate_club_graph()
    >>> res = key_player(G, delta=0.1)
    >>> res.players, round(float(res.intercentrality[0]), 4)
    ((33,), 20.1191)
    >>> key_player(G, delta=0.1, k=3).players
    (33, 0, 32)
    """
    net = as_network(net)
    delta = as_finite(delta, "delta")
    alpha = as_vector(alpha, net.n, "alpha")
    k = check_int(k, "k", minimum=1)
    check_method(method, KEY_METHODS)
    tol = check_positive(tol, "tol")
    if k > net.n:
        raise InvalidInputError(f"k = {k} exceeds the number of players ({net.n})")
    _check_decay(net, delta)
    exponent = _unit_exponent(alpha)  # intercentrality and effort are linear in alpha
    alpha = np.ldexp(alpha, -exponent)
    monotone = bool(delta >= 0 and np.all(alpha >= 0) and net.is_nonnegative)
    if method == "auto":
        method = "lu" if net.n <= _LU_KEY_LIMIT or not monotone else "pruned"
    if method == "pruned" and not monotone:
        raise InvalidInputError(
            "method='pruned' needs alpha >= 0, delta >= 0 and non-negative weights (its bound "
            "m_ii >= 1 + delta^2 (G^2)_ii relies on them); use method='lu'"
        )
    remaining = np.arange(net.n)
    current, current_alpha = net, alpha
    chosen, reductions = [], []
    aggregate = None
    solves = 0
    bar = reporter(progress, k, unit="player", desc="key_player")
    for _ in range(k):
        if method == "lu":
            values, b = _intercentrality_lu(current, delta, current_alpha)
            best = _first_maximum(values)
            value, total = float(values[best]), float(b.sum())
            solves += current.n
        else:
            best, value, total, used = _best_pruned(current, delta, current_alpha, tol)
            solves += used
        if aggregate is None:
            aggregate = total
        chosen.append(int(remaining[best]))
        reductions.append(value)
        bar.update()
        keep = np.delete(np.arange(current.n), best)
        remaining = remaining[keep]
        if len(remaining) == 0:
            break
        current = current.subnetwork([current.nodes[i] for i in keep])
        current_alpha = current_alpha[keep]
    bar.close()
    if k == 1:
        approximation = 1.0
    else:
        approximation = 1.0 - (1.0 - 1.0 / k) ** k if monotone else None
    reductions = _unscaled(np.array(reductions), exponent, "key_player")
    aggregate = float(_unscaled(np.array([aggregate]), exponent, "key_player")[0])
    return KeyPlayerResult(
        players=tuple(net.nodes[i] for i in chosen),
        intercentrality=reductions,
        aggregate=aggregate,
        remaining_aggregate=aggregate - float(np.sum(reductions)),
        approximation=approximation,
        solves=int(solves),
        method=method,
    )


# --------------------------------------------------------------------------- reusable solver
class LinearQuadraticSolver:
    r"""Equilibria :math:`x^* = (I - \delta G)^{-1}\alpha` for many :math:`\alpha` at one decay.

    The counterpart of :class:`~incnet.PayoffSolver` for the linear-quadratic game: built once
    per network and decay, it checks :math:`|\delta|\,\rho(|G|) < 1`, keeps the proof and, for
    ``"direct"``, the factorisation of :math:`I - \delta G`; :meth:`solve` then costs little more
    than the triangular solves, and :meth:`with_edges` changes interaction weights through a
    low-rank update.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        The interaction matrix :math:`G`.
    delta : float
        Strength of the interaction; :math:`|\delta|\,\rho(|G|) < 1`.
    method : {"auto", "direct", "krylov", "neumann"}, default "auto"
        As in :class:`~incnet.PayoffSolver` (``"auto"`` factorises up to 2000 nodes).
    tol : float, default 1e-10
        Relative residual of the linear solves.
    max_iter : int, default 10000
        Iteration cap of the iterative solvers.

    Attributes
    ----------
    delta : float
    payoff_solver : PayoffSolver
        The solver of :math:`u = \alpha + \delta G u` behind it (its ``spectral_bound`` bounds
        :math:`|\delta|\,\rho(|G|)`).

    Raises
    ------
    IllPosedNetworkError
        If :math:`|\delta|\,\rho(|G|) \ge 1`.

    See Also
    --------
    linear_quadratic : one solve.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import LinearQuadraticSolver
    >>> game = LinearQuadraticSolver(nx.star_graph(3), delta=0.2)
    >>> game.solve(1.0).x.round(4)
    array([1.8182, 1.3636, 1.3636, 1.3636])
    >>> game.with_edges({(1, 2): 1.0, (2, 1): 1.0}).solve(1.0).x.round(4)
    array([1.9767, 1.7442, 1.7442, 1.3953])
    """

    @keyword_only("delta", leading=2)
    def __init__(self, net, *, delta, method="auto", tol=1e-10, max_iter=10_000):
        from ..payoffs import PayoffSolver

        net = as_network(net)
        check_method(method, LQ_METHODS)
        delta = as_finite(delta, "delta")
        _check_decay(net, delta)
        self.delta = delta
        self._net = net
        self._g_changes = {}
        self.payoff_solver = PayoffSolver(net.scaled(delta), method=method, tol=tol, max_iter=max_iter)

    def __reduce__(self):
        solver = self.payoff_solver
        method = "auto" if solver._cg_columns else solver.method  # resolved again on arrival
        args = (self._net, self.delta, method, solver.tol, solver.max_iter, dict(self._g_changes))
        return (_rebuild_lq_solver, args)

    @property
    def method(self):
        return self.payoff_solver.method

    def __repr__(self):
        return (f"LinearQuadraticSolver(n={self._net.n}, delta={self.delta:g}, method={self.method!r}, "
                f"rank={self.payoff_solver.rank})")

    def solve(self, alpha, *, x0=None):
        r"""The equilibrium for standalone returns ``alpha``.

        Parameters
        ----------
        alpha : float or array_like, shape (n,)
        x0 : array_like, optional
            Warm start of the iterative methods (e.g. the previous equilibrium).

        Returns
        -------
        EquilibriumResult
            As :func:`linear_quadratic` returns it; ``residual`` is
            :math:`\max_i |x_i - \alpha_i - \delta (Gx)_i|`.
        """
        solver = self.payoff_solver
        n = self._net.n
        if not (isinstance(alpha, np.ndarray) and alpha.dtype == np.float64 and alpha.shape == (n,)):
            alpha = as_vector(alpha, n, "alpha")
        if solver.method == "direct" and solver._lu is not None:
            x, r, _ = solver._solve_direct(alpha)
            residual = float(np.max(np.abs(r))) if n else 0.0
            iterations, method = 0, "direct"
        else:
            res = solver.solve(alpha, x0=x0)
            x, iterations, method = res.u, res.iterations, res.method
            residual = float(np.max(np.abs(x - alpha - solver.network.W @ x))) if n else 0.0
        return EquilibriumResult(x=x, unique=True, converged=True, iterations=iterations,
                                 residual=residual, method=method, nodes=self._net.nodes)

    def with_edges(self, changes):
        r"""A solver for the game with some interaction weights :math:`g_{uv}` changed.

        Parameters
        ----------
        changes : dict or iterable
            ``{(u, v): g}`` or ``[(u, v, g), ...]`` with node labels (0 removes a link; give both
            directions for an undirected link).

        Returns
        -------
        LinearQuadraticSolver
            Sharing this one's factorisation; the well-posedness proof is updated exactly.

        Raises
        ------
        IllPosedNetworkError
            If the changed game has :math:`|\delta|\,\rho(|G'|) \ge 1`.
        """
        items = list(changes.items()) if isinstance(changes, dict) else [((u, v), g) for u, v, g in changes]
        scaled = [(u, v, self.delta * float(g)) for (u, v), g in items]
        new = object.__new__(LinearQuadraticSolver)
        new.delta, new._net = self.delta, self._net
        new.payoff_solver = self.payoff_solver.with_edges(scaled)
        new._g_changes = {**self._g_changes, **{edge: float(g) for edge, g in items}}
        return new


def _rebuild_lq_solver(net, delta, method, tol, max_iter, changes):
    solver = LinearQuadraticSolver(net, delta=delta, method=method, tol=tol, max_iter=max_iter)
    return solver.with_edges(changes) if changes else solver
