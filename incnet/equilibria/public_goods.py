r"""Public goods and strategic interaction with a corner: equilibria as linear complementarity problems.

Player :math:`i` chooses :math:`x_i \in [0, \bar u_i]` and best-replies

.. math:: x_i = \min\bigl(\bar u_i, \max(0,\; \bar x_i - s\,\delta \textstyle\sum_j g_{ij} x_j)\bigr),

with :math:`s = +1` for strategic substitutes (public goods: the neighbours' contributions
crowd one's own out, Bramoullé & Kranton 2007) and :math:`s = -1` for complements. Without caps
(:math:`\bar u = \infty`) the Nash equilibria are exactly the solutions of the linear
complementarity problem :math:`\mathrm{LCP}(I + s\delta G, -\bar x)`:

.. math:: x \ge 0,\quad w = (I + s\delta G)x - \bar x \ge 0,\quad x^\top w = 0 ,

and with caps those of the box-constrained LCP. When :math:`G` is symmetric the game is a
potential game: equilibria are the KKT points of maximising

.. math:: \Phi(x) = \bar x^\top x - \tfrac12 x^\top (I + s\delta G)\, x
   \quad\text{over } 0 \le x \le \bar u ,

which is strictly concave iff :math:`I + s\delta G \succ 0`. For substitutes that is
:math:`\delta\,|\lambda_{\min}(G)| < 1`, the condition of Bramoullé, Kranton & D'Amours (2014)
under which the equilibrium is unique for every :math:`\bar x`.

References
----------
.. [1] Bramoullé, Y., Kranton, R. (2007). Public goods in networks. *Journal of Economic Theory*
   135(1), 478-494.
.. [2] Bramoullé, Y., Kranton, R., D'Amours, M. (2014). Strategic interaction and networks.
   *American Economic Review* 104(3), 898-930.
.. [3] Lemke, C. E. (1965). Bimatrix equilibrium points and mathematical programming.
   *Management Science* 11(7), 681-689.
.. [4] Cottle, R. W., Pang, J.-S., Stone, R. E. (1992). *The Linear Complementarity Problem*.
   Academic Press.
"""

import itertools

import numpy as np
import scipy.sparse as sp

from .._chunked import check_callback, run_chunked
from .._validate import as_vector, check_int, check_method, check_nonnegative, check_positive
from ..errors import ConvergenceError, IllPosedNetworkError, InvalidInputError
from ..network import IncentiveNetwork, as_network
from ._common import EquilibriumResult, as_box_upper, interaction_sign

__all__ = ["public_goods", "all_equilibria", "is_stable", "EquilibriumSet"]

METHODS = ("auto", "gauss_seidel", "qp", "lemke")
#: Largest game that Lemke's algorithm (dense tableau) accepts.
_LEMKE_LIMIT = 2000
#: Largest game on which ``method="auto"`` falls back to Lemke when Gauss-Seidel cycles.
_LEMKE_FALLBACK = 500
#: Entries a first chunk of Gauss-Seidel sweeps reads (about a quarter second's worth).
TARGET_WORK = 25_000_000
#: Beyond this size of xbar public_goods solves in scaled units.
_SCALE_FROM = 1e150
#: Largest game that support enumeration accepts (2^n supports).
_ENUMERATION_LIMIT = 24


# --------------------------------------------------------------------------- uniqueness
def _symmetric_lambda_min(net, factor):
    """Smallest eigenvalue of factor * W for a symmetric network."""
    if factor == 0.0 or net.nnz == 0:
        return 0.0
    return factor * net.lambda_min if factor > 0 else -abs(factor) * (-net.scaled(-1.0).lambda_min)


def _uniqueness(net, delta, sign):
    r"""Whether :math:`I + s\delta G` is known to be a P-matrix (unique equilibrium for every data).

    True when it is; False when G is symmetric and it is not (then some data admit several
    equilibria); None when G is asymmetric and neither sufficient condition holds.
    """
    if delta == 0.0 or net.nnz == 0:
        return True
    if delta * net.row_sum_bound < 1.0:
        return True  # |delta G| has spectral radius < 1: I + s delta G is an H-matrix, hence P
    if net.is_symmetric:
        return bool(1.0 + _symmetric_lambda_min(net, sign * delta) > 0.0)
    if delta * net.spectral_radius < 1.0:
        return True
    symmetric_part = sp.csr_array((net.W + net.W.T) * 0.5)
    symmetric_part.sort_indices()
    half = IncentiveNetwork._trusted(symmetric_part, net.nodes)
    if 1.0 + _symmetric_lambda_min(half, sign * delta) > 0.0:
        return True  # positive definite symmetric part: a P-matrix
    return None


def _fixed_point_residual(net, x, xbar, delta, sign, upper):
    with np.errstate(over="ignore", invalid="ignore"):
        reply = np.minimum(upper, np.maximum(0.0, xbar - sign * delta * (net.W @ x)))
        residual = float(np.max(np.abs(x - reply))) if x.size else 0.0
    return residual if residual == residual else float("inf")  # NaN (overflow) is no equilibrium


def _check_target(tol, xbar):
    """The certificate's bound on the best-response residual: ``tol * max(1, max |xbar|)``."""
    return tol * max(1.0, float(np.max(np.abs(xbar), initial=0.0)))


def _support_solve(net, x, xbar, delta, sign, upper):
    r"""Solve the first-order conditions exactly on the players strictly inside their action set.

    With the others held at their bound, the interior players satisfy
    :math:`(I + s\delta G)_{FF} x_F = \bar x_F - s\delta G_{FB} x_B`; a solver's point that has
    the right support but lost digits is thereby restored to full precision. None if the
    system is singular or too large.
    """
    scale = max(1.0, float(np.max(np.abs(x), initial=0.0)))
    free = np.flatnonzero((x > 1e-9 * scale) & (x < upper - 1e-9 * scale))
    if free.size == 0 or free.size > 5000:
        return None
    fixed = np.setdiff1d(np.arange(net.n), free)
    W = net.W
    W_FF = W[free][:, free]
    rhs = xbar[free] - sign * delta * (W[free][:, fixed] @ x[fixed] if fixed.size else 0.0)
    A = (sp.identity(free.size, format="csc") + (sign * delta) * W_FF).toarray()
    try:
        solution = np.linalg.solve(A, rhs)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(solution)):
        return None
    y = x.copy()
    y[free] = np.clip(solution, 0.0, upper[free])
    return y


def _certify(net, x, xbar, delta, sign, upper, tol, sweeps, what):
    r"""Return ``(x, extra sweeps, residual)`` with the best-response residual within the target.

    Every equilibrium public_goods returns passes this independent check: the fixed-point
    residual :math:`\max_i |x_i - \mathrm{BR}_i(x)|`, recomputed from ``x`` with one sparse
    product, at most ``tol * max(1, max |xbar|)``. A point that misses it is polished, first by
    solving the first-order conditions on its support, then by projected Gauss-Seidel sweeps
    from it; the best candidate is checked again, and if none passes, ConvergenceError.
    """
    target = _check_target(tol, xbar)
    residual = _fixed_point_residual(net, x, xbar, delta, sign, upper)
    if residual <= target:
        return x, 0, residual
    best = (residual, x, 0)
    y = _support_solve(net, x, xbar, delta, sign, upper)
    if y is not None:
        r = _fixed_point_residual(net, y, xbar, delta, sign, upper)
        if r < best[0]:
            best = (r, y, 0)
    if not best[0] <= target:
        from .._kernels.equilibria import _projected_gauss_seidel_kernel

        W = net.W
        y = np.ascontiguousarray(best[1], dtype=np.float64).copy()
        used, _ = _projected_gauss_seidel_kernel(W.indptr, W.indices, W.data, xbar, sign * delta,
                                                 upper, y, 1e-3 * tol, sweeps)
        r = _fixed_point_residual(net, y, xbar, delta, sign, upper)
        if r < best[0]:
            best = (r, y, int(used))
    residual, x, extra = best
    if not residual <= target:
        raise ConvergenceError(
            f"{what} returned a point with best-response residual {residual:.3g} > "
            f"tol * max(1, max|xbar|) = {target:.3g}, and polishing it did not reach the tolerance; "
            "it is not reported as an equilibrium. Try another method or a looser tol",
            last_iterate=x, residual=residual, iterations=extra,
        )
    return x, extra, residual


# --------------------------------------------------------------------------- solvers
def _solve_gauss_seidel(net, xbar, delta, sign, upper, x0, tol, max_iter):
    from .._kernels.equilibria import _projected_gauss_seidel_kernel

    W = net.W
    x = np.ascontiguousarray(np.clip(x0, 0.0, upper), dtype=np.float64)
    state = {"sweeps": 0, "change": np.inf}

    def sweep(a, b):
        # the kernel's whole state is x: chunks of sweeps give the same iterates, and Ctrl-C
        # stops between them (within about a quarter second)
        done, change = _projected_gauss_seidel_kernel(
            W.indptr, W.indices, W.data, xbar, sign * delta, upper, x, tol, b - a
        )
        state.update(sweeps=a + int(done), change=change)
        return change <= tol * max(1.0, float(np.max(x, initial=0.0)))

    first = max(1, int(TARGET_WORK // max(W.nnz + net.n, 1)))
    run_chunked(max_iter, sweep, first=first, what="public_goods (Gauss-Seidel)")
    change = state["change"]
    return x, state["sweeps"], bool(change <= tol * max(1.0, float(np.max(x, initial=0.0))))


def _solve_qp(net, xbar, delta, sign, upper, tol):
    import cvxpy as cp

    if not net.is_symmetric:
        raise InvalidInputError(
            "method='qp' needs a symmetric G (only then is the game a potential game); "
            "use method='gauss_seidel' or 'lemke'"
        )
    n = net.n
    P = (sp.identity(n, format="csr") + (sign * delta) * net.W).tocsc()
    x = cp.Variable(n)
    # psd_wrap: concavity was established from lambda_min before building the problem.
    objective = cp.Minimize(0.5 * cp.quad_form(x, cp.psd_wrap(P)) - xbar @ x)
    constraints = [x >= 0]
    capped = np.flatnonzero(np.isfinite(upper))
    if capped.size:
        constraints.append(x[capped] <= upper[capped])
    problem = cp.Problem(objective, constraints)
    try:
        problem.solve(solver=cp.CLARABEL, tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol)
    except cp.error.SolverError as err:
        raise ConvergenceError(f"the potential QP solver failed: {err}") from err
    if problem.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or x.value is None:
        raise ConvergenceError(f"the potential QP ended with status {problem.status!r}")
    iterations = int(problem.solver_stats.num_iters or 0)
    return np.clip(np.asarray(x.value, dtype=np.float64), 0.0, upper), iterations, problem.status == cp.OPTIMAL


def _pivot(T, row, col):
    T[row] /= T[row, col]
    factor = T[:, col].copy()
    factor[row] = 0.0
    T -= np.outer(factor, T[row])


#: Pivot tolerance of Lemke's ratio test, relative to the largest entry of the entering column.
_PIVOT_RTOL = 1e-9
#: Feasibility tolerance of a basic solution, relative to the scale of the data.
_FEAS_RTOL = 1e-9


def _lemke_tableau(A, q, basis):
    """The tableau ``B^-1 [A | q]`` of a basis, computed afresh (no accumulated rounding)."""
    import scipy.linalg

    B = A[:, basis]
    lu = scipy.linalg.lu_factor(B, check_finite=False)
    return scipy.linalg.lu_solve(lu, np.column_stack([A, q]), check_finite=False)


def _lemke_ratio_test(T, entering, basis, artificial, n, scale):
    """The leaving row, or -1 on a ray: a Harris two-pass, lexicographic ratio test.

    Candidates are rows whose pivot exceeds a tolerance relative to the column (a near-zero pivot
    blows the tableau up, as a 1e-13 pivot once did to 1e13). Pass one finds the largest step
    that keeps every basic variable above ``-feas`` (``feas`` relative to the data); pass two keeps
    the rows blocking within it. The artificial variable leaves whenever it can (that ends the
    algorithm); other ties are broken lexicographically on the rows of the basis inverse, scaled
    by the pivot, with relative tolerances, and then by the largest pivot.
    """
    column = T[:, entering]
    largest = float(np.max(np.abs(column)))
    if not largest > 0.0:
        return -1
    candidates = np.flatnonzero(column > _PIVOT_RTOL * largest)
    if candidates.size == 0:
        return -1
    rhs = np.maximum(T[candidates, -1], 0.0)
    pivots = column[candidates]
    feas = _FEAS_RTOL * scale
    bound = float(np.min((rhs + feas) / pivots))
    ratios = rhs / pivots
    keep = ratios <= bound
    candidates, pivots, ratios = candidates[keep], pivots[keep], ratios[keep]
    artificial_rows = candidates[basis[candidates] == artificial]
    if artificial_rows.size:
        return int(artificial_rows[0])
    if candidates.size > 1:
        # lexicographic minimum of (rhs, B^-1 row) / pivot, each key compared with a tolerance
        # relative to its own spread, so rounding noise does not decide a tie
        keys = np.column_stack([ratios, T[candidates, :n] / pivots[:, None]])
        for c in range(keys.shape[1]):
            col = keys[:, c]
            low = float(col.min())
            tol = 1e-9 * max(1.0, float(np.max(np.abs(col))))
            keep = col <= low + tol
            candidates, pivots, keys = candidates[keep], pivots[keep], keys[keep]
            if candidates.size == 1:
                break
    return int(candidates[np.argmax(pivots)])


def _lemke(M, q, max_pivots):
    """Lemke's complementary pivoting for LCP(M, q) with covering vector 1.

    Returns ``(z, pivots)``; raises ConvergenceError on a secondary ray or after ``max_pivots``.
    The ratio test uses relative tolerances and breaks ties lexicographically (see
    :func:`_lemke_ratio_test`); the tableau is recomputed from the basis every ``max(50, n/4)``
    pivots, whenever a basic variable drifts below ``-feas`` and at the end, so the returned ``z``
    is the exact basic solution of the final basis, and it is checked: ``z >= -feas``,
    ``w = Mz + q >= -feas``. A check that fails raises instead of being clipped away.
    """
    n = q.shape[0]
    if np.all(q >= 0):
        return np.zeros(n), 0
    # Columns of A: w (0..n-1), z (n..2n-1), z0 (2n); the system is A (w, z, z0) = q.
    A = np.zeros((n, 2 * n + 1))
    A[:, :n] = np.eye(n)
    A[:, n:2 * n] = -M
    A[:, 2 * n] = -1.0
    T = np.column_stack([A, q])
    basis = np.arange(n)
    artificial = 2 * n
    scale = max(1.0, float(np.max(np.abs(M))), float(np.max(np.abs(q))))
    feas = _FEAS_RTOL * scale
    refresh = max(50, n // 4)
    # z0 enters at the most negative q (lexicographic minimum among ties).
    rows = np.arange(n)
    keys = np.column_stack([q, T[:, :n]])
    row = int(rows[np.lexsort(keys.T[::-1])][0])
    _pivot(T, row, artificial)
    leaving = basis[row]
    basis[row] = artificial
    entering = n + leaving
    since = 0
    for pivots in range(1, max_pivots + 1):
        row = _lemke_ratio_test(T, entering, basis, artificial, n, scale)
        if row < 0 and since:
            T = _lemke_tableau(A, q, basis)  # a ray of a drifted tableau may be rounding
            since = 0
            row = _lemke_ratio_test(T, entering, basis, artificial, n, scale)
        if row < 0:
            raise ConvergenceError(
                "Lemke's algorithm ended on a secondary ray: this LCP may have no solution, or "
                "the matrix is outside the classes Lemke is guaranteed to solve",
                iterations=pivots,
            )
        _pivot(T, row, entering)
        since += 1
        leaving = basis[row]
        basis[row] = entering
        if leaving == artificial:
            T = _lemke_tableau(A, q, basis)
            z = np.zeros(n)
            in_z = (basis >= n) & (basis < 2 * n)
            z[basis[in_z] - n] = T[in_z, -1]
            w = M @ z + q
            if not (np.all(z >= -feas) and np.all(w >= -feas) and np.all(np.isfinite(z))):
                worst = float(min(z.min(), w.min()))
                raise ConvergenceError(
                    f"Lemke's algorithm ended on an infeasible basis (a component at {worst:.3g}); "
                    "the tableau lost too much precision",
                    last_iterate=np.maximum(z, 0.0), iterations=pivots,
                )
            return np.maximum(z, 0.0), pivots
        if since >= refresh or not T[:, -1].min() >= -feas:
            T = _lemke_tableau(A, q, basis)
            since = 0
        entering = leaving + n if leaving < n else leaving - n
    raise ConvergenceError(f"Lemke's algorithm did not finish within {max_pivots} pivots",
                           iterations=max_pivots)


def _solve_lemke(net, xbar, delta, sign, upper, max_iter):
    n = net.n
    if n > _LEMKE_LIMIT:
        raise InvalidInputError(
            f"method='lemke' works on a dense tableau and accepts up to {_LEMKE_LIMIT} players; "
            f"this game has {n}. Use method='gauss_seidel'"
        )
    M = np.eye(n) + sign * delta * net.W.toarray()
    q = -xbar
    capped = np.flatnonzero(np.isfinite(upper))
    if capped.size:
        # Box constraint x_F <= u_F as a bigger LCP: multipliers lam_F >= 0 enter row F of w,
        # and the slack u_F - x_F is complementary to them.
        m = capped.size
        big = np.zeros((n + m, n + m))
        big[:n, :n] = M
        big[capped, n + np.arange(m)] = 1.0
        big[n + np.arange(m), capped] = -1.0
        z, pivots = _lemke(big, np.concatenate([q, upper[capped]]), max_iter)
        return np.minimum(z[:n], upper), pivots
    return _lemke(M, q, max_iter)


def public_goods(net, xbar, delta, *, method="auto", interaction="substitutes", upper=None,
                 tol=1e-10, max_iter=10_000, x0=None, check_unique=True):
    r"""A Nash equilibrium of the public-goods / strategic-interaction game on a network.

    .. math:: x_i = \min\bigl(\bar u_i, \max(0, \bar x_i - s\,\delta (Gx)_i)\bigr)

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        The interaction matrix :math:`G` (row ``i`` holds the weights of the players whose
        actions enter ``i``'s best reply).
    xbar : float or array_like, shape (n,)
        Autarky actions :math:`\bar x_i` (what ``i`` does alone).
    delta : float
        Strength of the interaction, :math:`\delta \ge 0`.
    method : {"auto", "gauss_seidel", "qp", "lemke"}, default "auto"
        ``"gauss_seidel"``: projected Gauss-Seidel (best replies in turn, each using the newest
        actions) in a numba kernel over the CSR arrays. ``"qp"``: maximise the concave potential
        with cvxpy (Clarabel); needs a symmetric :math:`G` and :math:`I + s\delta G \succ 0`.
        ``"lemke"``: Lemke's complementary pivoting on the (box) LCP, dense, for small general
        instances (up to 2000 players). ``"auto"``: Gauss-Seidel, then Lemke for up to 500
        players if it fails.
    interaction : {"substitutes", "complements"}, default "substitutes"
        :math:`s = +1` or :math:`s = -1`.
    upper : float or array_like, optional
        Caps :math:`\bar u_i` on the actions (bounded actions); default none.
    tol : float, default 1e-10
        Gauss-Seidel stops when a sweep moves no action by more than ``tol * max(1, max x)``;
        for ``"qp"`` the solver's gap and feasibility tolerances. Whatever the method, the
        returned profile must pass the independent check
        :math:`\max_i |x_i - \mathrm{BR}_i(x)| \le \mathrm{tol} \cdot \max(1, \max_i |\bar x_i|)`
        (see Notes).
    max_iter : int, default 10000
        Sweeps of Gauss-Seidel, pivots of Lemke.
    x0 : array_like, optional
        Start of Gauss-Seidel (default 0). Different starts can reach different equilibria when
        several exist.
    check_unique : bool, default True
        Decide ``unique`` (see Notes). When the cheap row-sum bound does not settle it, this
        needs an extreme eigenvalue, which ARPACK finds in seconds on :math:`10^5` nodes but
        can take longer than the solve itself on :math:`10^6` (the value is cached on the
        network for later calls). ``False`` skips it and reports ``unique=None``.

    Returns
    -------
    EquilibriumResult
        ``x``, ``unique`` (see Notes), ``converged``, ``iterations``, ``residual``
        (:math:`\max_i |x_i - \mathrm{BR}_i(x)|`, recomputed), ``method``.

    Raises
    ------
    ConvergenceError
        If Gauss-Seidel does not settle within ``max_iter`` sweeps (it carries the last
        iterate), the QP solver fails, Lemke ends on a ray or an infeasible basis, or the
        solver's point fails the best-response check even after polishing.
    IllPosedNetworkError
        For ``"qp"`` when the potential is not concave; for uncapped complements when
        :math:`\delta\rho(G) \ge 1` (actions can grow without bound).
    InvalidInputError
        For negative ``delta``, malformed vectors or an unknown method/interaction.

    See Also
    --------
    all_equilibria, is_stable, best_response_gap

    Notes
    -----
    ``unique`` is ``True`` when :math:`I + s\delta G` is a P-matrix, which makes the
    equilibrium unique for every :math:`\bar x` and every cap. For symmetric :math:`G` this is
    exactly :math:`\lambda_{\min}(I + s\delta G) > 0` (for substitutes
    :math:`\delta |\lambda_{\min}(G)| < 1`), and ``False`` otherwise (then some :math:`\bar x`
    admits several equilibria; this one may or may not be unique). For asymmetric :math:`G` the
    sufficient conditions :math:`\delta \rho(|G|) < 1` or a positive definite symmetric part of
    :math:`I + s\delta G` are tried and ``None`` means neither holds. A cheap row-sum bound is
    tried first; only if it fails is an eigenvalue computed (ARPACK on large networks).

    Convergence of Gauss-Seidel: it is coordinate ascent on the potential for symmetric
    :math:`G`, convergent when the potential is strictly concave; for complements with
    :math:`\delta\rho(G) < 1` the best-reply map is a monotone contraction. Without these
    conditions it usually still settles on one equilibrium, but may cycle, in which case
    ``"auto"`` falls back to Lemke on small games. One sweep costs :math:`O(n + \mathrm{nnz})`.

    The QP route is an independent check rather than a fast path: an interior-point solve of
    the potential took 12 s for :math:`10^4` players (Gauss-Seidel: 4 ms) and agrees to about
    :math:`10^{-4}`; see the benchmarks.

    Lemke's algorithm with covering vector :math:`\mathbf 1` terminates with a solution for
    P-matrices and copositive-plus matrices (e.g. :math:`I + \delta G` with :math:`G \ge 0`);
    degenerate ties are broken lexicographically so it cannot cycle. In floating point the
    ratio test uses tolerances relative to the entering column and to the data (a Harris
    two-pass test, lexicographic among the rows it keeps), the tableau is recomputed from the
    basis every :math:`\max(50, n/4)` pivots and whenever a basic variable drifts negative, and the
    final basic solution is recomputed and checked for feasibility rather than clipped.

    Every profile returned has passed the best-response check stated under ``tol``, computed
    from ``x`` with one sparse product independently of the solver; ``converged`` is then True.
    A point that misses it (a QP stopped a little early, a pivot that lost digits) is polished
    by solving the first-order conditions on its support and by Gauss-Seidel sweeps from it,
    and checked again; if it still misses, ConvergenceError is raised and nothing is returned.

    References
    ----------
    .. [1] Bramoullé, Y., Kranton, R., D'Amours, M. (2014). Strategic interaction and networks.
       *American Economic Review* 104(3), 898-930.
    .. [2] Lemke, C. E. (1965). Bimatrix equilibrium points and mathematical programming.
       *Management Science* 11(7), 681-689.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import public_goods
    >>> res = public_goods(nx.star_graph(3), xbar=1.0, delta=0.3)
    >>> res.x.round(4), res.unique
    (array([0.137 , 0.9589, 0.9589, 0.9589]), True)
    >>> public_goods(nx.path_graph(3), 1.0, 1.0, method="lemke").x
    array([0., 1., 0.])
    """
    net = as_network(net)
    check_method(method, METHODS)
    delta = check_nonnegative(delta, "delta")
    sign = interaction_sign(interaction)
    xbar = as_vector(xbar, net.n, "xbar")
    upper = as_box_upper(upper, net.n)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    start = np.zeros(net.n) if x0 is None else as_vector(x0, net.n, "x0")
    # Equilibria scale with (xbar, upper, x0). An extreme xbar is solved in units of a power of two
    # (exact) so that no product overflows; the checks keep their meaning, being relative to
    # max(1, max|xbar|) = max|xbar| there.
    peak = float(np.max(np.abs(xbar), initial=0.0))
    exponent = int(np.frexp(peak)[1]) - 1 if peak > _SCALE_FROM else 0
    if exponent:
        xbar, upper, start = (np.ldexp(v, -exponent) for v in (xbar, upper, start))
    if sign < 0 and not np.all(np.isfinite(upper)) and delta * net.row_sum_bound >= 1.0:
        rho = net.spectral_radius
        if delta * rho >= 1.0:
            raise IllPosedNetworkError(
                f"uncapped complements with delta * rho(G) = {delta * rho:.6g} >= 1: actions can "
                f"grow without bound. Use delta < {1.0 / rho:.6g} or cap the actions (upper=...)",
                spectral_radius=rho,
            )
    unique = _uniqueness(net, delta, sign) if check_unique or method == "qp" else None
    if method == "qp":
        if net.is_symmetric and unique is False:
            raise IllPosedNetworkError(
                "the potential is not concave (lambda_min(I + s delta G) <= 0), so the QP route "
                "does not apply; use method='lemke' or 'gauss_seidel', or all_equilibria"
            )
        x, iterations, _ = _solve_qp(net, xbar, delta, sign, upper, tol)
        what = "the potential QP"
    elif method == "lemke":
        x, iterations = _solve_lemke(net, xbar, delta, sign, upper, max_iter)
        what = "Lemke's algorithm"
    else:
        x, iterations, converged = _solve_gauss_seidel(net, xbar, delta, sign, upper, start, tol, max_iter)
        what = "projected Gauss-Seidel"
        if not converged:
            if method == "auto" and net.n <= _LEMKE_FALLBACK:
                x, iterations = _solve_lemke(net, xbar, delta, sign, upper, max_iter)
                method, what = "lemke", "Lemke's algorithm"
            else:
                residual = _fixed_point_residual(net, x, xbar, delta, sign, upper)
                raise ConvergenceError(
                    f"projected Gauss-Seidel did not settle within {max_iter} sweeps "
                    f"(best-reply residual {residual:.3g}); raise max_iter, or use method='lemke' "
                    "on a small game",
                    last_iterate=x, residual=residual, iterations=iterations,
                )
        else:
            method = "gauss_seidel"
    x, extra, residual = _certify(net, x, xbar, delta, sign, upper, tol, max_iter, what)
    if exponent:
        with np.errstate(over="ignore"):
            x, residual = np.ldexp(x, exponent), float(np.ldexp(residual, exponent))
        if not np.all(np.isfinite(x)):
            raise InvalidInputError("public_goods: the equilibrium actions exceed the float64 "
                                    "range; measure xbar in a larger unit")
    return EquilibriumResult(x=x, unique=unique, converged=True, iterations=int(iterations + extra),
                             residual=residual, method=method, nodes=net.nodes)


# --------------------------------------------------------------------------- every equilibrium
class EquilibriumSet(list):
    """The equilibria found by :func:`all_equilibria`: a list of arrays with two extra attributes.

    Attributes
    ----------
    continuum : bool
        True when the equilibria are not isolated: some support carries a whole polytope of
        equilibria (a singular principal submatrix of :math:`I + s\\delta G`); the list then
        holds the extreme points of those polytopes together with the isolated equilibria.
    nodes : tuple
        Node labels in index order.
    """

    def __init__(self, points, *, continuum, nodes):
        super().__init__(points)
        self.continuum = bool(continuum)
        self.nodes = tuple(nodes)

    def __repr__(self):
        return f"EquilibriumSet({len(self)} points, continuum={self.continuum})"


def _polytope_vertices(M, q, support, tol, spread_known):
    """Vertices of {x >= 0 on ``support``, 0 elsewhere : (Mx+q)_S = 0, (Mx+q)_rest >= 0}.

    Returns (the vertices with x_S > tol, whether the set holds more than one point). Vertices
    with a zero on the support are left out: they are found again, as vertices, from the
    smaller support. ``spread_known`` skips the (costlier) test for more than one point.
    """
    n = q.shape[0]
    S = np.flatnonzero(support)
    rest = np.flatnonzero(~support)
    A = M[np.ix_(S, S)]
    rhs = -q[S]
    particular, *_ = np.linalg.lstsq(A, rhs, rcond=None)
    scale = max(1.0, float(np.max(np.abs(A))), float(np.max(np.abs(rhs), initial=0.0)))
    if np.max(np.abs(A @ particular - rhs)) > 1e-9 * scale:
        return [], False  # inconsistent: no equilibrium with this support
    _, sv, vt = np.linalg.svd(A)
    rank = int(np.sum(sv > 1e-10 * max(1.0, sv[0])))
    null = vt[rank:].T  # |S| x k basis of the null space
    k = null.shape[1]
    # Inequalities G t >= h on the null-space coordinates t.
    G = np.vstack([null, M[np.ix_(rest, S)] @ null])
    h = np.concatenate([-particular, -(M[np.ix_(rest, S)] @ particular + q[rest])])
    if k == 1:
        return _segment_vertices(G[:, 0], h, particular, null[:, 0], S, n, tol)
    # A vertex makes k independent inequalities tight: try every k rows at once.
    combos = np.array(list(itertools.combinations(range(G.shape[0]), k)), dtype=np.int64)
    if combos.size == 0:
        return [], bool(np.all(h <= tol))
    blocks = G[combos]
    regular = np.abs(np.linalg.det(blocks)) > 1e-10
    if not regular.any():
        return [], bool(np.all(h <= tol)) and not spread_known
    ts = np.linalg.solve(blocks[regular], h[combos[regular]][..., None])[..., 0]
    ts = ts[np.all(ts @ G.T >= h - tol, axis=1)]
    if ts.shape[0] == 0:
        return [], False
    points = particular + ts @ null.T
    distinct = np.unique(np.round(points, 9), axis=0)
    spread = distinct.shape[0] > 1
    if not spread and not spread_known:
        spread = _has_recession_direction(G)
    kept = []
    for row in distinct:
        if np.all(row > tol):
            x = np.zeros(n)
            x[S] = row
            kept.append(x)
    return kept, spread


def _segment_vertices(g, h, particular, direction, S, n, tol):
    """The one-dimensional case: {t : g t >= h} is an interval, its ends the vertices."""
    flat = np.abs(g) <= 1e-12
    if np.any(h[flat] > tol):
        return [], False
    up, down = g > 1e-12, g < -1e-12
    lo = np.max(h[up] / g[up]) if up.any() else -np.inf
    hi = np.min(h[down] / g[down]) if down.any() else np.inf
    if lo > hi + tol:
        return [], False
    kept = []
    for t in {lo, hi}:
        if np.isfinite(t):
            x = np.zeros(n)
            x[S] = particular + direction * t
            if np.all(x[S] > tol):
                kept.append(x)
    return kept, bool(hi - lo > tol)


def _has_recession_direction(G):
    """Whether some non-zero t has G t >= 0 (the polytope is unbounded), by a small LP."""
    from scipy.optimize import linprog

    k = G.shape[1]
    best = 0.0
    for sign in (1.0, -1.0):
        for axis in range(k):
            cost = np.zeros(k)
            cost[axis] = -sign
            res = linprog(cost, A_ub=-G, b_ub=np.zeros(G.shape[0]), bounds=[(-1, 1)] * k,
                          method="highs")
            if res.status == 0:
                best = max(best, -res.fun)
    return best > 1e-9


def all_equilibria(net, xbar, delta, *, interaction="substitutes", tol=1e-9, progress=None):
    r"""Every Nash equilibrium of a small public-goods game, by support enumeration.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        At most 24 players: the work grows like :math:`2^n` (see Notes for timings).
    xbar : float or array_like, shape (n,)
        Autarky actions.
    delta : float
        Interaction strength, >= 0.
    interaction : {"substitutes", "complements"}, default "substitutes"
        As in :func:`public_goods` (uncapped actions).
    tol : float, default 1e-9
        Feasibility tolerance of the candidate equilibria, in units of ``max(1, max |xbar|)``.
    progress : callable, optional
        ``progress(done, total)`` called between chunks of supports (each about a quarter
        second; ``total`` is :math:`2^n`); returning False cancels with
        :class:`~incnet.CancelledError`. Ctrl-C stops the enumeration between chunks too; the
        partial work is discarded.

    Returns
    -------
    EquilibriumSet
        A list of equilibrium profiles (arrays of shape (n,), sorted lexicographically), with
        ``.continuum`` True when the equilibria form a continuum, in which case the list holds
        the extreme points of the equilibrium polytopes (every specialised equilibrium among
        them) and the isolated equilibria.

    Raises
    ------
    InvalidInputError
        For more than 24 players or malformed arguments.

    See Also
    --------
    public_goods, is_stable

    Notes
    -----
    For each support :math:`S` the equilibria supported on :math:`S` satisfy
    :math:`(I + s\delta G)_{SS}\, x_S = \bar x_S`, :math:`x_S \ge 0` and
    :math:`\bar x_j - s\delta (Gx)_j \le 0` off :math:`S`. A numba kernel solves the
    :math:`2^n` systems by Gaussian elimination and keeps the feasible solutions. When
    :math:`(I + s\delta G)_{SS}` is singular and the system consistent, the equilibria on
    :math:`S` form a polytope (every point of it is an equilibrium); its vertices are found by
    enumerating the active sets of its inequalities in null-space coordinates (vertices with
    a zero on :math:`S` are kept from the smaller support, where they are vertices too). In the
    best-shot game (:math:`\delta = 1`, :math:`\bar x = 1`) on one link, for instance, every
    :math:`x_1 + x_2 = 1` is an equilibrium and the extreme points are the two specialised ones.

    Cost: supports on which some player off the support could not be pushed to inaction are
    skipped before any elimination. Whether a principal submatrix is singular depends on
    :math:`G` and :math:`\delta` only; for a generic :math:`\delta` none is, and 20 players
    take a few seconds (all in the kernel). Degenerate games, above all the best-shot game
    :math:`\delta = 1` on a 0/1 network, have many singular supports, each handled in Python
    in about half a millisecond: seconds for 15 players (Padgett's Florentine families), about
    a minute for a 20-player random graph.

    Bramoullé & Kranton (2007): with :math:`\delta = 1` and equal :math:`\bar x`, the
    specialised equilibria (each player contributes :math:`\bar x` or nothing) are exactly the
    maximal independent sets of the network.

    References
    ----------
    .. [1] Bramoullé, Y., Kranton, R. (2007). Public goods in networks. *Journal of Economic
       Theory* 135(1), 478-494.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import all_equilibria
    >>> eqs = all_equilibria(nx.path_graph(2), 1.0, 1.0)
    >>> [e.tolist() for e in eqs], eqs.continuum
    ([[0.0, 1.0], [1.0, 0.0]], True)
    >>> [e.tolist() for e in all_equilibria(nx.path_graph(3), 1.0, 0.5)]
    [[1.0, 0.0, 1.0]]
    """
    from .._kernels.equilibria import _support_enumeration_kernel

    net = as_network(net)
    n = net.n
    if n > _ENUMERATION_LIMIT:
        raise InvalidInputError(
            f"all_equilibria enumerates 2^n supports and accepts up to {_ENUMERATION_LIMIT} "
            f"players; this game has {n}. Use public_goods for one equilibrium"
        )
    delta = check_nonnegative(delta, "delta")
    sign = interaction_sign(interaction)
    xbar = as_vector(xbar, n, "xbar")
    tol = check_positive(tol, "tol")
    # Equilibria scale with xbar: solve for xbar in units of a power of two (exact), so that
    # neither the eliminations nor the feasibility tests overflow, and scale the points back.
    exponent = int(np.frexp(max(1.0, float(np.max(np.abs(xbar)))))[1]) - 1
    xbar = np.ldexp(xbar, -exponent)
    M = np.ascontiguousarray(np.eye(n) + sign * delta * net.W.toarray())
    q = np.ascontiguousarray(-xbar)
    status = np.zeros(1 << n, dtype=np.int8)

    def classify(lo, hi):
        _support_enumeration_kernel(M, q, tol, status, lo, hi)

    # in chunks of about a quarter second: Ctrl-C and ``progress`` can stop it in between
    run_chunked(1 << n, classify, first=4096, callback=check_callback(progress),
                what="all_equilibria")
    points = []
    continuum = False
    for s in np.flatnonzero(status == 1):
        support = ((int(s) >> np.arange(n)) & 1).astype(bool)
        x = np.zeros(n)
        x[support] = np.linalg.solve(M[np.ix_(support, support)], -q[support])
        points.append(np.maximum(x, 0.0))
    for s in np.flatnonzero(status == 2):
        support = ((int(s) >> np.arange(n)) & 1).astype(bool)
        vertices, spread = _polytope_vertices(M, q, support, tol, continuum)
        points.extend(vertices)
        continuum = continuum or spread
    if points:
        unique_points = np.unique(np.round(np.array(points), 9) + 0.0, axis=0)
    else:  # pragma: no cover - an uncapped substitutes game always has an equilibrium
        unique_points = np.zeros((0, n))
    with np.errstate(over="ignore"):
        unique_points = np.ldexp(unique_points, exponent)
    if not np.all(np.isfinite(unique_points)):
        raise InvalidInputError(
            "all_equilibria: some equilibrium actions exceed the float64 range; measure xbar in a "
            "larger unit"
        )
    return EquilibriumSet([row.copy() for row in unique_points], continuum=continuum, nodes=net.nodes)


def is_stable(net, x, xbar, delta, *, tol=1e-9):
    r"""Whether an equilibrium of the substitutes game is asymptotically stable.

    Stability under the continuous best-reply adjustment :math:`\dot x = \mathrm{BR}(x) - x`
    (Bramoullé, Kranton & D'Amours 2014): with :math:`A` the active players together with the
    inactive players who are exactly indifferent (:math:`\bar x_i - \delta (Gx)_i = 0`),

    .. math:: x \text{ is stable} \iff \delta\, |\lambda_{\min}(G_A)| < 1 .

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        A symmetric interaction matrix.
    x : array_like, shape (n,)
        An equilibrium of :func:`public_goods` with ``interaction="substitutes"``.
    xbar, delta
        The game's parameters.
    tol : float, default 1e-9
        Tolerance of "active", "indifferent" and of the eigenvalue test.

    Returns
    -------
    bool

    Raises
    ------
    InvalidInputError
        If ``G`` is not symmetric or ``x`` is not an equilibrium.

    Notes
    -----
    Near a strict equilibrium the inactive players stay at 0 and the active ones follow the
    linear system :math:`\dot x_A = \bar x_A - (I + \delta G_A) x_A - \ldots`, stable iff
    :math:`I + \delta G_A \succ 0`. An indifferent inactive player can be pushed into action
    by a perturbation, so it belongs to :math:`A`; by eigenvalue interlacing the largest such
    set decides. For :math:`\delta = 1` this is Bramoullé & Kranton's (2007) theorem: an
    equilibrium is stable iff it is specialised and every non-contributor is linked to at
    least two contributors.

    References
    ----------
    .. [1] Bramoullé, Y., Kranton, R. (2007). Public goods in networks. *Journal of Economic
       Theory* 135(1), 478-494.
    .. [2] Bramoullé, Y., Kranton, R., D'Amours, M. (2014). Strategic interaction and networks.
       *American Economic Review* 104(3), 898-930.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import is_stable
    >>> star = nx.star_graph(3)
    >>> is_stable(star, [0, 1, 1, 1], 1.0, 1.0), is_stable(star, [1, 0, 0, 0], 1.0, 1.0)
    (True, False)
    """
    from .checks import best_response_gap

    net = as_network(net)
    if not net.is_symmetric:
        raise InvalidInputError("is_stable needs a symmetric G (the criterion is spectral)")
    delta = check_nonnegative(delta, "delta")
    x = as_vector(x, net.n, "x")
    xbar = as_vector(xbar, net.n, "xbar")
    tol = check_positive(tol, "tol")
    gap = best_response_gap(net, x, game="public_goods", xbar=xbar, delta=delta)
    if gap > tol:
        raise InvalidInputError(
            f"x is not an equilibrium (a player gains {gap:.3g} by deviating); stability is "
            "defined at equilibria"
        )
    with np.errstate(over="ignore"):  # -inf pressure: a player far from indifference
        pressure = xbar - delta * (net.W @ x)
    scale = max(1.0, float(np.max(np.abs(xbar))))
    involved = (x > tol * scale) | (pressure >= -tol * scale)
    if not involved.any():
        return True
    sub = net.subnetwork([net.nodes[i] for i in np.flatnonzero(involved)])
    lam = sub.lambda_min if sub.nnz else 0.0
    return bool(1.0 + delta * lam > tol)
