r"""Targeting interventions in a linear-quadratic network game (Galeotti, Golub & Goyal 2020).

In the investment game, player :math:`i` chooses :math:`a_i` with standalone marginal return
:math:`\alpha_i` and spillovers :math:`\delta G`; the unique equilibrium is

.. math:: a^* = (I - \delta G)^{-1} \alpha, \qquad \text{welfare } \; \mathcal{W} = \tfrac12 \sum_i (a_i^*)^2 .

A planner changes the status-quo returns :math:`\hat\alpha` into :math:`\alpha` at cost
:math:`\sum_i (\alpha_i - \hat\alpha_i)^2 \le C` to maximise welfare. With :math:`G = U \Lambda
U^\top` symmetric, in principal components :math:`\underline{\alpha} = U^\top \alpha`, the welfare
is :math:`\sum_\ell w_\ell \underline{\alpha}_\ell^2` with :math:`w_\ell = \tfrac12 (1 - \delta
\lambda_\ell)^{-2}`, and the optimal intervention is (GGG, Theorem 1)

.. math::

    \underline{y}^*_\ell = \frac{w_\ell}{\mu - w_\ell}\, \underline{\hat\alpha}_\ell, \qquad
    \mu > \max_\ell w_\ell \ \text{ solving } \ \sum_\ell \underline{y}^{*2}_\ell = C,

so it loads most on the components with the largest :math:`w_\ell`: the first principal component
(largest :math:`\lambda`) for strategic complements (:math:`\delta > 0`), the last (smallest
:math:`\lambda`) for substitutes (:math:`\delta < 0`). :math:`\mu` is the shadow price of the
budget.

Maximising a convex function is not a convex problem; the cvxpy route is the Shor semidefinite
relaxation of this quadratically constrained quadratic programme, exact for a single ball
constraint (the S-lemma) and an upper bound when non-negativity or caps are added.
"""

import math

import numpy as np

from .._compat import keyword_only
from .._validate import as_node_indices, as_vector, check_method, check_nonnegative, describe
from ..errors import IllPosedNetworkError, InvalidInputError
from ..network import DENSE_LIMIT, as_network
from ._solve import solve
from .result import DesignResult

__all__ = ["targeting"]

#: Largest |alpha_hat| targeting accepts (its square, and the budget, must fit in float64).
_VALUE_LIMIT = 1e100

_METHODS = ("closed-form", "cvxpy")


def _check_well_posed(net, delta):
    rho = abs(delta) * net.spectral_radius
    if rho >= 1:
        raise IllPosedNetworkError(
            f"|delta| * rho(G) = {rho:.4g} >= 1: the equilibrium a = (I - delta G)^-1 alpha is not "
            f"well defined; use |delta| < {1 / net.spectral_radius:.4g}",
            spectral_radius=net.spectral_radius,
        )


def _welfare_matrix(net, delta):
    """M = (I - delta G)^{-1} as a dense matrix (n <= DENSE_LIMIT), after a well-posedness check."""
    n = net.n
    G = net.W.toarray()
    A = np.eye(n) - delta * G
    _check_well_posed(net, delta)
    if net.is_symmetric:
        smallest = float(np.linalg.eigvalsh(A)[0])
        if smallest <= 0:
            raise IllPosedNetworkError(
                f"I - delta*G is not positive definite (smallest eigenvalue {smallest:.4g}) at "
                f"delta = {delta}; the game has no interior equilibrium. Use |delta| < 1/rho(G)",
                spectral_radius=net.spectral_radius,
            )
    return np.linalg.inv(A)


def _equilibrium_welfare(net, alpha, delta):
    """Welfare 1/2 |a*|^2 re-evaluated by the equilibrium solver of incnet.equilibria."""
    from ..equilibria import linear_quadratic

    x = np.asarray(linear_quadratic(net, alpha, delta).x, dtype=np.float64)
    return 0.5 * float(x @ x), x


def _trust_region(weights, coords, C):
    """Maximise sum w (c + y)^2 s.t. |y|^2 <= C for w > 0; return (y, mu, hard_case)."""
    from scipy.optimize import brentq

    if C == 0:
        return np.zeros_like(coords), float(weights.max()), False
    w_max = float(weights.max())
    top = weights >= w_max * (1 - 1e-12)
    rest = ~top

    def norm2(mu):
        y = weights * coords / (mu - weights)
        return float(y @ y)

    scale = float(np.linalg.norm(coords))
    if np.all(np.abs(coords[top]) <= 1e-14 * max(scale, 1.0)):
        # hard case: the top components are absent from alpha_hat; mu may sit at w_max
        y_rest = np.zeros_like(coords)
        y_rest[rest] = weights[rest] * coords[rest] / (w_max - weights[rest])
        if float(y_rest @ y_rest) <= C:
            y = y_rest
            first_top = int(np.flatnonzero(top)[0])
            y[first_top] = math.sqrt(C - float(y_rest @ y_rest))
            return y, w_max, True
    hi = w_max * scale / math.sqrt(C) + w_max * 1e-12 + 1e-300
    lo = hi
    while norm2(w_max + lo) <= C:
        lo /= 2.0
        if lo < 1e-300:
            break
    mu = brentq(lambda s: norm2(w_max + s) - C, lo, hi, xtol=1e-300, rtol=1e-15, maxiter=500)
    mu = w_max + mu
    y = weights * coords / (mu - weights)
    y *= math.sqrt(C / float(y @ y))  # exact budget despite root-finding rounding
    return y, mu, False


def _closed_form(net, delta, budget, alpha_hat):
    if not net.is_symmetric:
        raise InvalidInputError(
            "the closed form needs a symmetric G (real principal components); use method='cvxpy' "
            "for a directed network"
        )
    G = net.W.toarray()
    lam, U = np.linalg.eigh(G)
    order = np.argsort(lam)[::-1]  # principal components by decreasing eigenvalue
    lam, U = lam[order], U[:, order]
    gain = 1.0 - delta * lam
    if np.any(gain <= 0):
        raise IllPosedNetworkError(
            f"1 - delta*lambda = {gain.min():.4g} <= 0 for an eigenvalue of G; the game has no "
            "interior equilibrium at this delta",
            spectral_radius=net.spectral_radius,
        )
    weights = 0.5 / gain**2
    coords = U.T @ alpha_hat
    # orient each component towards the status quo, so a positive cosine means "more of it"
    flip = np.where(coords < 0, -1.0, 1.0)
    U, coords = U * flip, coords * flip
    y, mu, hard = _trust_region(weights, coords, budget)
    alpha = alpha_hat + U @ y
    shares = y**2 / budget if budget > 0 else np.zeros_like(y)
    norm_y = float(np.linalg.norm(y))
    cosines = (y / norm_y) if norm_y > 0 else np.zeros_like(y)
    value = float(np.sum(weights * (coords + y) ** 2))
    details = {
        "eigenvalues": lam, "pc_weights": weights, "pc_shares": shares,
        "cosine_first_pc": float(cosines[0]), "cosine_last_pc": float(cosines[-1]),
        "hard_case": hard, "model_welfare": value,
        "similarity_ratios": np.divide(y, coords, out=np.full_like(y, np.nan),
                                       where=np.abs(coords) > 1e-12),
    }
    return alpha, mu, value, details


def _polish(A_eff, lin, const, y0, C, low, high):
    """Local ascent of 1/2 y'Ay + lin'y + const from a feasible y0 (SLSQP); returns the better."""
    from scipy.optimize import minimize

    def negative(y):
        return -(0.5 * y @ A_eff @ y + lin @ y + const)

    def gradient(y):
        return -(A_eff @ y + lin)

    bounds = list(zip(low, high))
    res = minimize(negative, y0, jac=gradient, method="SLSQP", bounds=bounds,
                   constraints=[{"type": "ineq", "fun": lambda y: C - y @ y,
                                 "jac": lambda y: -2 * y}],
                   options={"maxiter": 200, "ftol": 1e-12})
    y = _project(res.x, C, low, high)
    return y if negative(y) <= negative(y0) else y0


def _project(y, C, low, high):
    y = np.clip(y, low, high)
    norm2 = float(y @ y)
    if norm2 > C:
        y = y * math.sqrt(C / norm2)  # the box holds 0, so shrinking stays inside it
    return y


def _shor(net, delta, budget, alpha_hat, targetable, nonnegative, caps, solver):
    import cvxpy as cp

    n = net.n
    M = _welfare_matrix(net, delta)
    A_full = M.T @ M  # welfare = 1/2 alpha' A alpha
    P = targetable
    k = P.size
    A_eff = A_full[np.ix_(P, P)]
    lin = A_full[P, :] @ alpha_hat
    const = 0.5 * float(alpha_hat @ A_full @ alpha_hat)
    low = np.full(k, -np.inf)
    high = np.full(k, np.inf)
    if nonnegative:
        low = np.maximum(low, -alpha_hat[P])
    if caps is not None:
        high = np.minimum(high, caps[P] - alpha_hat[P])
    if np.any(low > 1e-12) or np.any(high < -1e-12):
        raise InvalidInputError(
            "alpha_hat itself violates the non-negativity or cap constraints; the status quo must "
            "be feasible"
        )
    root = math.sqrt(budget)
    # within the ball every coordinate lies in [-sqrt(C), sqrt(C)]; finite bounds help the relaxation
    low, high = np.maximum(low, -root), np.minimum(high, root)
    C = cp.Parameter(nonneg=True, name="budget")
    C.value = budget
    X = cp.Variable((k + 1, k + 1), symmetric=True)
    Y, y = X[:k, :k], X[:k, k]
    constraints = [X >> 0, X[k, k] == 1]
    budget_constraint = cp.trace(Y) <= C
    constraints.append(budget_constraint)
    extra = nonnegative or caps is not None
    if extra:
        finite = np.isfinite(low) & np.isfinite(high)
        constraints += [y >= low, y <= high]
        idx = np.flatnonzero(finite)
        if idx.size:
            # RLT: (y_i - l_i)(h_i - y_i) >= 0 lifted, valid for every feasible point
            constraints.append(cp.diag(Y)[idx] <= cp.multiply(low[idx] + high[idx], y[idx])
                               - low[idx] * high[idx])
    A_sym = 0.5 * (A_eff + A_eff.T)
    objective = cp.Maximize(0.5 * cp.trace(A_sym @ Y) + lin @ y + const)
    problem = cp.Problem(objective, constraints)
    status, dual = solve(problem, solver=solver, what="the Shor relaxation of the targeting problem",
                         budget_constraint=budget_constraint)
    bound = float(problem.value)
    Xv = np.asarray(X.value)
    candidates = [np.asarray(y.value).ravel()]
    vals, vecs = np.linalg.eigh(0.5 * (Xv + Xv.T))
    v = vecs[:, -1]
    if abs(v[k]) > 1e-9:
        candidates.append(v[:k] / v[k])
    vals_A, vecs_A = np.linalg.eigh(A_sym)
    top = vecs_A[:, -1] * root
    candidates += [top, -top]
    best, best_value = None, -np.inf
    for cand in candidates:
        cand = _project(cand, budget, low, high)
        cand = _polish(A_sym, lin, const, cand, budget, low, high)
        value = 0.5 * cand @ A_sym @ cand + lin @ cand + const
        if value > best_value:
            best, best_value = cand, value
    alpha = alpha_hat.copy()
    alpha[P] += best
    return alpha, dual, bound, extra, status, problem


@keyword_only("delta", "budget", "alpha_hat")
def targeting(net, *, delta, budget, alpha_hat, method="closed-form", nonnegative=False, caps=None,
              targetable=None, solver="CLARABEL"):
    r"""Welfare-maximising change of standalone returns under a quadratic budget (GGG 2020).

    .. math::

        \max_{\alpha} \ \tfrac12 \| (I - \delta G)^{-1} \alpha \|^2 \quad \text{s.t.} \quad
        \sum_i (\alpha_i - \hat\alpha_i)^2 \le C .

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        The interaction matrix :math:`G` (at most 2000 nodes: the routes are dense).
    delta : float
        Spillover strength (the paper's :math:`\beta`): :math:`> 0` strategic complements,
        :math:`< 0` substitutes; :math:`|\delta|\,\rho(G) < 1`.
    budget : float
        :math:`C \ge 0`.
    alpha_hat : array_like, shape (n,) or float
        Status-quo standalone returns :math:`\hat\alpha` (the paper's :math:`\hat b`).
    method : {"closed-form", "cvxpy"}, default "closed-form"
        ``"closed-form"``: Theorem 1 of GGG through the eigendecomposition of symmetric
        :math:`G` (the secular equation for :math:`\mu` solved by Brent's method).
        ``"cvxpy"``: the Shor semidefinite relaxation; any :math:`G`, and the extra constraints.
    nonnegative : bool, default False
        Require :math:`\alpha \ge 0` (cvxpy route).
    caps : array_like, optional
        Per-node upper bounds :math:`\alpha_i \le \bar\alpha_i` (cvxpy route).
    targetable : sequence of node labels, optional
        Only these nodes' returns may change (cvxpy route; the problem stays a single ball in the
        remaining coordinates, so the relaxation stays exact).
    solver : str, default "CLARABEL"
        cvxpy SDP solver for the cvxpy route.

    Returns
    -------
    DesignResult
        ``alpha`` (the optimal standalone returns), ``welfare`` (re-evaluated with
        :func:`~incnet.equilibria.linear_quadratic`), ``status``, ``shadow_price`` (:math:`\mu`:
        welfare per unit of budget at the margin), ``bound`` and ``gap`` (for the relaxation with
        extra constraints: the SDP bound and its distance to the best design found).
        ``details`` holds the principal-component shares of the intervention and its cosine
        similarity with the first and last principal components (closed form).

    Raises
    ------
    InvalidInputError
        Negative budget, NaN returns, extra constraints with the closed form, a directed network
        with the closed form, a status quo violating the constraints.
    IllPosedNetworkError
        If :math:`|\delta|\rho(G) \ge 1`.
    InfeasibleDesignError
        If the SDP solver fails.

    See Also
    --------
    incnet.equilibria.linear_quadratic

    Notes
    -----
    The relaxation lifts :math:`y = \alpha - \hat\alpha` to :math:`X = [Y, y; y^\top, 1] \succeq 0`
    and maximises :math:`\tfrac12 \operatorname{tr}(A Y) + \ell^\top y + c` subject to
    :math:`\operatorname{tr} Y \le C` (and, with bounds :math:`l \le y \le h`, the
    reformulation-linearisation cuts :math:`Y_{ii} \le (l_i + h_i) y_i - l_i h_i`). Designs are
    recovered from the first-order part, the leading eigenvector of :math:`X` and the leading
    eigenvector of :math:`A`, each projected to the feasible set and polished by SLSQP.

    References
    ----------
    .. [1] Galeotti, A., Golub, B., Goyal, S. (2020). Targeting interventions in networks.
       *Econometrica* 88(6), 2445-2471. arXiv:1710.06026.
    .. [2] Ballester, C., Calvó-Armengol, A., Zenou, Y. (2006). Who's who in networks. Wanted:
       the key player. *Econometrica* 74(5), 1403-1417.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.to_numpy_array(nx.star_graph(3))
    >>> res = targeting(G, delta=0.3, budget=1.0, alpha_hat=1.0)
    >>> res.alpha.round(3)
    array([1.694, 1.416, 1.416, 1.416])
    >>> round(res.welfare, 3), round(res.details["cosine_first_pc"], 3)
    (18.684, 1.0)
    """
    net = as_network(net)
    check_method(method, _METHODS)
    from .._validate import _as_real

    delta = _as_real(delta, "delta")  # finite, and no bool or numeric string read as a number
    if isinstance(budget, (int, float)) and budget < 0:
        raise InvalidInputError(f"budget must be >= 0, got {budget}; it bounds sum (alpha - alpha_hat)^2")
    budget = check_nonnegative(budget, "budget")
    alpha_hat = as_vector(alpha_hat, net.n, "alpha_hat")
    # Welfare is quadratic in alpha and the budget bounds a sum of squares: both must stay far
    # inside float64 for the root finding and the SDP (a documented limit, not a silent inf).
    if np.max(np.abs(alpha_hat), initial=0.0) > _VALUE_LIMIT or budget > _VALUE_LIMIT**2:
        raise InvalidInputError(
            f"alpha_hat (largest {float(np.max(np.abs(alpha_hat))):g}) and budget ({budget:g}) must be "
            f"at most {_VALUE_LIMIT:g} and {_VALUE_LIMIT**2:g}: welfare squares them; measure "
            "them in a larger unit"
        )
    if net.n > DENSE_LIMIT:
        raise InvalidInputError(
            f"targeting works with dense matrices and is limited to {DENSE_LIMIT} nodes, got {net.n}"
        )
    if caps is not None:
        caps = as_vector(caps, net.n, "caps")
    constrained = nonnegative or caps is not None or targetable is not None
    if method == "closed-form":
        if constrained:
            raise InvalidInputError(
                "non-negativity, caps and targetable subsets need method='cvxpy'; the closed form "
                "covers the single budget ball"
            )
        _check_well_posed(net, delta)
        alpha, mu, model_value, details = _closed_form(net, delta, budget, alpha_hat)
        welfare, actions = _equilibrium_welfare(net, alpha, delta)
        return DesignResult(
            rewards=alpha, objective=welfare, status="optimal", method="closed-form",
            solver="eigh+brentq", budget=budget,
            budget_used=float(np.sum((alpha - alpha_hat) ** 2)), shadow_price=float(mu),
            bound=model_value, gap=max(0.0, model_value - welfare),
            details={**details, "actions": actions}, nodes=net.nodes,
        )
    P = np.arange(net.n) if targetable is None else np.unique(as_node_indices(net, targetable, "targetable"))
    alpha, dual, bound, extra, status, _ = _shor(net, delta, budget, alpha_hat, P, nonnegative,
                                                 caps, solver)
    welfare, actions = _equilibrium_welfare(net, alpha, delta)
    gap = max(0.0, bound - welfare)
    exact = not extra
    tol = 1e-5 * max(1.0, abs(bound))
    if exact and gap <= tol:
        status_out = "optimal"
    else:
        status_out = "optimal" if gap <= tol else "relaxation"
    return DesignResult(
        rewards=alpha, objective=welfare, status=status_out, method="shor-sdp", solver=solver,
        budget=budget, budget_used=float(np.sum((alpha - alpha_hat) ** 2)), shadow_price=dual,
        bound=bound, gap=gap,
        details={"actions": actions, "exact_relaxation": exact, "solver_status": status},
        nodes=net.nodes,
    )
