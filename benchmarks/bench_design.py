"""Budget-constrained design: a 50-budget sweep on a 10^3-node network, and optimal_split at depth 20.

**Budget sweep.** The LP bound of :func:`incnet.design.max_reach` on a Barabási–Albert network
(``m = 2``, altruism ``W = 0.05 A``, costs uniform on [0.5, 2], three seeds) for 50 budgets.
incnet builds the cvxpy problem once with the budget as a ``Parameter`` (DPP) and re-solves
(:func:`incnet.design.budget_sweep` with ``relax=True``). Peers: the same LP assembled by hand
for ``scipy.optimize.linprog`` (HiGHS) per budget, and the cvxpy problem rebuilt and recompiled
for every budget. Agreement: the same optimal values (relative 1e-6).

**optimal_split at depth 20.** The worst-case-budget schedule maximising the success probability
of a Poisson(2) recruitment model with a saturating response, horizon 20. Peer: scipy's
``differential_evolution`` on the same exact objective over the simplex of schedules (what a user
without incnet's multistart would reach for). Agreement: incnet's optimum is at least as good as
the peer's (within 1e-6).
"""

import numpy as np
import scipy.sparse as sp

from ._harness import compare

__all__ = ["run"]


def _network(n, seed):
    import networkx as nx

    G = nx.barabasi_albert_graph(n, 2, seed=seed)
    W = nx.to_scipy_sparse_array(G, format="csr") * 0.05
    costs = np.random.default_rng(seed).uniform(0.5, 2.0, n)
    return sp.csr_array(W), costs


def _linprog_sweep(W, costs, seeds, budgets):
    """The relaxation of budget_sweep(relax=True) written out for scipy.optimize.linprog."""
    from scipy.optimize import linprog

    n = W.shape[0]
    others = np.setdiff1d(np.arange(n), seeds)
    N = others.size
    M_diag = np.diag(np.linalg.inv(np.eye(n) - W.toarray()))[others]
    # variables: s (N), t (N), v (n)
    E = sp.csr_array((np.ones(N), (others, np.arange(N))), shape=(n, N))
    A_eq = sp.hstack([sp.csr_array((n, N)), -E, sp.identity(n) - W]).tocsr()
    b_eq = np.zeros(n)
    pick = sp.csr_array((np.ones(N), (np.arange(N), others)), shape=(N, n))
    cut = sp.hstack([sp.diags(costs[others] * M_diag), sp.csr_array((N, N)), -pick])
    values = []
    for B in budgets:
        link = sp.hstack([-B * sp.identity(N), sp.identity(N), sp.csr_array((N, n))])
        total = sp.hstack([sp.csr_array((1, N)), sp.csr_array(np.ones((1, N))), sp.csr_array((1, n))])
        A_ub = sp.vstack([link, cut, total]).tocsr()
        b_ub = np.concatenate([np.zeros(2 * N), [B]])
        bounds = [(0, 1)] * N + [(0, None)] * N + [(None, None)] * n
        c = np.concatenate([-np.ones(N), np.zeros(N + n)])
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
        values.append(-res.fun)
    return np.array(values)


def _rebuilt_sweep(W, costs, seeds, budgets):
    from incnet.design.activation import _ActivationProgram
    from incnet.network import as_network

    net = as_network(W)
    values = []
    for B in budgets:
        program = _ActivationProgram(net, costs, np.asarray(seeds), None, "reach", 1, True, B)
        values.append(program.solve(B, "HIGHS")[4])
    return np.array(values)


def _sweep_rows(n, n_budgets, smoke):
    from incnet.design import budget_sweep

    W, costs = _network(n, seed=1)
    seeds = [0, 1, 2]
    budgets = np.linspace(1.0, 50.0, n_budgets)

    def incnet_fn():
        return np.array([r.objective for r in budget_sweep(W, costs, budgets, seeds, relax=True)])

    def agree(a, b):
        return bool(np.allclose(a, b, rtol=1e-6, atol=1e-6))

    return compare(
        "design: budget sweep (LP bound of max_reach)", f"BA n={n}, {n_budgets} budgets",
        incnet_fn,
        {"scipy linprog per budget": lambda: _linprog_sweep(W, costs, seeds, budgets),
         "cvxpy rebuilt per budget": lambda: _rebuilt_sweep(W, costs, seeds, budgets)},
        agree=agree, repeat=1, warmup=0, smoke=smoke,
        note="one compiled DPP problem, budget as a Parameter",
    )


def _split_rows(horizon, smoke):
    import scipy.stats
    from scipy.optimize import differential_evolution

    from incnet.design import RecruitmentModel, optimal_split
    from incnet.simulate import ExponentialResponse

    model = RecruitmentModel(scipy.stats.poisson(2.0), ExponentialResponse(0.2, 0.6, 50.0),
                             find_probability=0.002, horizon=horizon, seeds=3)
    budget = 4000.0
    optimal_split(RecruitmentModel(scipy.stats.poisson(2.0), 0.3, find_probability=0.01,
                                   horizon=2), 10.0, rng=0)  # JIT warm-up

    def incnet_fn():
        return optimal_split(model, budget, rng=0).objective

    def de_fn():
        def negative(z):
            z = np.maximum(z, 0.0)
            total = z.sum()
            r = z / total * budget if total > 0 else np.zeros_like(z)
            return -model.success_probability(r)

        res = differential_evolution(negative, [(0.0, 1.0)] * (horizon + 1), seed=0,
                                     maxiter=15 if not smoke else 5, popsize=5, tol=1e-8,
                                     polish=False)
        return -res.fun

    return compare(
        "design: optimal_split (success, worst-case budget)", f"Poisson(2), horizon {horizon}",
        incnet_fn, {"scipy differential_evolution": de_fn},
        agree=lambda a, b: a >= b - 1e-6, repeat=1, warmup=0, smoke=smoke,
        note="exact generating-function objective; multistart SLSQP",
    )


def run(smoke=False):
    """Rows for the results table; ``smoke=True`` runs one small case of each in a few seconds."""
    if smoke:
        return _sweep_rows(500, 3, True) + _split_rows(4, True)
    return _sweep_rows(1000, 50, False) + _split_rows(20, False)
