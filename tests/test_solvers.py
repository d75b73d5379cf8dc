"""Reusable solvers: PayoffSolver and LinearQuadraticSolver, checked against dense solves."""

import networkx as nx
import numpy as np
import pytest

import incnet
from incnet import IllPosedNetworkError, IncentiveNetwork, InvalidInputError, PayoffSolver
from incnet.equilibria import LinearQuadraticSolver, linear_quadratic


def dense_rho(W):
    return float(np.max(np.abs(np.linalg.eigvals(np.abs(W))))) if W.size else 0.0


def random_network(n, p, scale, directed, seed):
    G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    for u, v in G.edges:
        G[u][v]["w"] = rng.uniform(-1.0, 1.0)
    net = IncentiveNetwork.from_networkx(G, weight="w")
    return net.scaled(scale / net.spectral_radius)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("method", ["auto", "direct", "neumann", "krylov"])
def test_solve_matches_dense_solve(directed, method):
    net = random_network(60, 0.1, 0.7, directed, seed=3)
    solver = PayoffSolver(net, method=method)
    rng = np.random.default_rng(0)
    D = np.eye(net.n) - net.W.toarray()
    for x in (rng.normal(size=net.n), rng.normal(size=(net.n, 3)), np.zeros(net.n)):
        res = solver.solve(x)
        np.testing.assert_allclose(res.u, np.linalg.solve(D, x), atol=1e-8)
        assert res.residual <= 1e-10 and res.nodes == net.nodes
    assert solver.spectral_bound >= dense_rho(net.W.toarray()) - 1e-12


def test_chebyshev_solver_on_symmetric_network():
    net = random_network(50, 0.15, 0.8, False, seed=5)
    solver = PayoffSolver(net, method="chebyshev")
    x = np.linspace(-1, 1, net.n)
    np.testing.assert_allclose(solver.solve(x).u, np.linalg.solve(np.eye(net.n) - net.W.toarray(), x),
                               atol=1e-8)
    # an asymmetric change turns it into a Neumann solver (Chebyshev needs real eigenvalues)
    changed = solver.with_edges({(0, 1): 0.01})
    assert changed.method == "neumann"
    W = net.W.toarray()
    W[0, 1] = 0.01
    np.testing.assert_allclose(changed.solve(x).u, np.linalg.solve(np.eye(net.n) - W, x), atol=1e-8)


@pytest.mark.parametrize("method", ["direct", "neumann"])
def test_edge_toggles_match_dense_solves_and_the_certificate_stays_honest(method):
    net = random_network(40, 0.12, 0.5, True, seed=7)
    solver = PayoffSolver(net, method=method)
    W = net.W.toarray()
    rng = np.random.default_rng(1)
    x = rng.normal(size=net.n)
    ranks = []
    for step in range(80):  # more changed entries than the Woodbury rank: refactorises on the way
        i, j = rng.choice(net.n, size=2, replace=False)
        w = 0.0 if rng.random() < 0.3 else rng.uniform(-0.1, 0.1)
        solver = solver.with_edges([(int(i), int(j), w)])
        W[i, j] = w
        ranks.append(solver.rank)
        if step % 8 == 0:
            np.testing.assert_allclose(solver.solve(x).u, np.linalg.solve(np.eye(net.n) - W, x), atol=1e-8)
            assert solver.spectral_bound >= dense_rho(W) - 1e-12
            np.testing.assert_array_equal(solver.network.W.toarray(), W)
    if method == "direct":
        assert max(ranks) == 32 and min(ranks[40:]) < 32  # the Woodbury part grew, then refactorised


def test_with_edges_leaves_the_original_solver_alone():
    net = IncentiveNetwork.from_networkx(nx.path_graph(4), scale=0.3)
    solver = PayoffSolver(net)
    before = solver.solve(np.ones(4)).u.copy()
    solver.with_edges({(0, 3): 0.2})
    np.testing.assert_array_equal(solver.solve(np.ones(4)).u, before)
    assert solver.rank == 0


def test_ill_posed_change_raises_and_well_posed_certificate_kinds():
    G = nx.complete_graph(5)
    net = IncentiveNetwork.from_networkx(G, scale=0.2)  # row sums 0.8
    solver = PayoffSolver(net)
    assert solver.certificate == "row sums" and solver.spectral_bound == pytest.approx(0.8)
    with pytest.raises(IllPosedNetworkError):
        solver.with_edges({(u, v): 0.5 for u in G for v in G if u != v})
    # row sums above 1 but rho < 1: a Collatz-Wielandt vector proves it
    star = IncentiveNetwork.from_networkx(nx.star_graph(20), scale=0.2)  # rho = 0.2 * sqrt(20)
    s = PayoffSolver(star)
    assert s.certificate == "Collatz-Wielandt" and 0.2 * np.sqrt(20) <= s.spectral_bound < 1


def test_require_well_posed_false_solves_any_invertible_system():
    net = IncentiveNetwork.from_dense([[0, 2.0], [0.1, 0]])  # rho = sqrt(0.2) but row sum 2
    W = np.array([[0, 3.0], [0.5, 0]])  # rho = sqrt(1.5) > 1, yet I - W is invertible
    s = PayoffSolver(IncentiveNetwork.from_dense(W), method="direct", require_well_posed=False)
    assert s.certificate == "none"
    np.testing.assert_allclose(s.solve([1.0, 1.0]).u, np.linalg.solve(np.eye(2) - W, [1.0, 1.0]))
    with pytest.raises(IllPosedNetworkError):
        PayoffSolver(IncentiveNetwork.from_dense(W))
    assert PayoffSolver(net).solve([1.0, 0.0]).residual < 1e-12


def test_bad_changes_are_rejected():
    solver = PayoffSolver(IncentiveNetwork.from_networkx(nx.path_graph(["a", "b", "c"]), scale=0.3))
    with pytest.raises(InvalidInputError, match="not in the network"):
        solver.with_edges({("a", "z"): 0.1})
    with pytest.raises(InvalidInputError, match="self-loop"):
        solver.with_edges({("a", "a"): 0.1})
    with pytest.raises(InvalidInputError, match="finite"):
        solver.with_edges([("a", "b", float("nan"))])
    with pytest.raises(InvalidInputError):
        solver.solve([1.0, 2.0])
    np.testing.assert_allclose(solver.with_edges({("a", "c"): 0.1}).solve([1.0, 0, 0]).u,
                               np.linalg.solve(np.eye(3) - np.array([[0, .3, .1], [.3, 0, .3], [0, .3, 0]]),
                                               [1.0, 0, 0]))


# ---------------------------------------------------------------- linear-quadratic
@pytest.mark.parametrize("method", ["direct", "neumann"])
def test_linear_quadratic_solver_matches_the_function_and_dense(method):
    G = nx.barabasi_albert_graph(80, 2, seed=4)
    net = IncentiveNetwork.from_networkx(G)
    delta = 0.5 / net.spectral_radius
    game = LinearQuadraticSolver(net, delta=delta, method=method)
    alpha = np.random.default_rng(2).uniform(0.5, 1.5, size=net.n)
    res = game.solve(alpha)
    np.testing.assert_allclose(res.x, linear_quadratic(net, alpha, delta).x, atol=1e-8)
    np.testing.assert_allclose(res.x, np.linalg.solve(np.eye(net.n) - delta * net.W.toarray(), alpha), atol=1e-8)
    assert res.residual < 1e-8 and res.unique and res.nodes == net.nodes
    changed = game.with_edges({(0, 79): 1.0, (79, 0): 1.0})
    A = net.W.toarray()
    A[0, 79] = A[79, 0] = 1.0
    np.testing.assert_allclose(changed.solve(alpha).x, np.linalg.solve(np.eye(net.n) - delta * A, alpha),
                               atol=1e-8)


def test_linear_quadratic_solver_refuses_an_ill_posed_decay():
    with pytest.raises(IllPosedNetworkError):
        LinearQuadraticSolver(nx.complete_graph(4), delta=0.5)


def test_linear_quadratic_warm_start_saves_iterations():
    G = nx.barabasi_albert_graph(300, 3, seed=1)
    net = IncentiveNetwork.from_networkx(G)
    delta = 0.9 / net.spectral_radius
    cold = linear_quadratic(net, 1.0, delta, method="neumann")
    warm = linear_quadratic(net, 1.0, delta, method="neumann", x0=cold.x)
    np.testing.assert_allclose(warm.x, cold.x, atol=1e-8)
    assert warm.iterations < cold.iterations


def test_solvers_pickle_and_solve_the_same_after_changes():
    import pickle

    net = random_network(50, 0.1, 0.6, True, seed=11)
    solver = PayoffSolver(net).with_edges({(0, 1): 0.05, (2, 3): 0.0})
    x = np.linspace(0, 1, net.n)
    back = pickle.loads(pickle.dumps(solver))
    assert back.rank == solver.rank and back.method == solver.method
    np.testing.assert_array_equal(back.solve(x).u, solver.solve(x).u)
    game = LinearQuadraticSolver(nx.path_graph(6), delta=0.3).with_edges({(0, 5): 1.0, (5, 0): 1.0})
    again = pickle.loads(pickle.dumps(game))
    np.testing.assert_array_equal(again.solve(1.0).x, game.solve(1.0).x)
    A = nx.to_numpy_array(nx.cycle_graph(6))
    np.testing.assert_allclose(again.solve(1.0).x, np.linalg.solve(np.eye(6) - 0.3 * A, np.ones(6)))


def test_large_symmetric_solver_uses_cg_for_one_column_and_chebyshev_for_a_block():
    # From 200,000 links on, auto solves one column by CG and a block by Chebyshev, like
    # total_payoffs; both on the solver's reordered operator. Checked against scipy's CG on the
    # original order, after pickling, and after a symmetric and an asymmetric change.
    import pickle

    import scipy.sparse as sp
    from scipy.sparse.linalg import cg

    from incnet.datasets import barabasi_albert_csr

    A = barabasi_albert_csr(60_000, 2, rng=3)
    rho = float(sp.linalg.eigsh(A, k=1, which="LA", return_eigenvectors=False)[0])
    net = IncentiveNetwork.from_scipy(A).scaled(0.6 / rho)
    assert net.nnz >= 200_000
    solver = PayoffSolver(net)
    x = np.random.default_rng(0).normal(size=net.n)
    one = solver.solve(x)
    assert solver.method == "chebyshev" and one.method == "cg" and one.residual <= 1e-10
    M = sp.identity(net.n, format="csr") - net.W
    ref, info = cg(M, x, rtol=1e-12, atol=0.0)
    assert info == 0
    np.testing.assert_allclose(one.u, ref, rtol=1e-8, atol=1e-8 * np.max(np.abs(ref)))
    block = solver.solve(np.column_stack([x, 2 * x]))
    assert block.method == "chebyshev"
    np.testing.assert_allclose(block.u[:, 1], 2 * one.u, rtol=1e-8, atol=1e-8 * np.max(np.abs(ref)))
    back = pickle.loads(pickle.dumps(solver))
    assert back.solve(x).method == "cg"
    np.testing.assert_array_equal(back.solve(x).u, one.u)
    both_ways = solver.with_edges({(0, 5): 0.01, (5, 0): 0.01})
    assert both_ways.solve(x).method == "cg"
    one_way = solver.with_edges({(0, 5): 0.01})
    changed = one_way.solve(x)
    assert changed.method == "neumann" and changed.residual <= 1e-10
    W1 = one_way.network.W
    assert np.linalg.norm(x - changed.u + W1 @ changed.u) <= 1.0001e-10 * np.linalg.norm(x)
    game = LinearQuadraticSolver(IncentiveNetwork.from_scipy(A), delta=0.6 / rho)
    assert game.solve(1.0).method == "cg"
    assert pickle.loads(pickle.dumps(game)).solve(1.0).method == "cg"
