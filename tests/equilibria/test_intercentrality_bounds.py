"""Certified intercentrality at scale (probing with variational bounds) against the dense inverse."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from incnet import IncentiveNetwork, as_network
from incnet.equilibria import intercentrality, intercentrality_bounds
from incnet.errors import IllPosedNetworkError, InvalidInputError


def dense_intercentrality(A, delta, alpha):
    """c_i = (M alpha)_i (1^T M)_i / m_ii from one dense inverse."""
    M = np.linalg.inv(np.eye(A.shape[0]) - delta * A)
    return (M @ alpha) * M.sum(axis=0) / np.diag(M)


def contains(res, exact, slack=1e-12):
    tol = slack * np.abs(exact)
    return bool(np.all((res.lower - tol <= exact) & (exact <= res.upper + tol)))


def graph_with_isolated_node():
    G = nx.barabasi_albert_graph(300, 3, seed=5)
    G.add_node(300)  # m_ii = 1 for an isolated player
    return G


@pytest.mark.parametrize("q", [0.3, 0.9])
@pytest.mark.parametrize("rtol", [1e-2, 1e-9])
def test_probing_intervals_contain_the_dense_values(q, rtol):
    G = graph_with_isolated_node()
    net = as_network(G)
    A = net.W.toarray()
    delta = q / max(abs(np.linalg.eigvalsh(A)))
    alpha = np.random.default_rng(1).uniform(0.5, 2.0, net.n)
    exact = dense_intercentrality(A, delta, alpha)
    res = intercentrality_bounds(net, delta=delta, alpha=alpha, rtol=rtol, method="probing")
    assert res.method == "probing" and res.colours > 1
    assert contains(res, exact)
    rel = np.abs(res.values - exact) / np.abs(exact)
    assert np.all(rel <= res.max_relative_error * (1 + 1e-9) + 1e-14)
    if rtol == 1e-2:
        # the probing bounds alone certify most nodes: few need a column of their own
        assert res.refined < net.n // 2
        assert res.max_relative_error < 0.05
    else:
        assert res.max_relative_error < 1e-7


def test_probing_with_signed_symmetric_weights_and_negative_delta():
    rng = np.random.default_rng(3)
    G = nx.watts_strogatz_graph(250, 6, 0.2, seed=4)
    for u, v in G.edges():
        G[u][v]["weight"] = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5)
    net = IncentiveNetwork.from_networkx(G, weight="weight")
    A = net.W.toarray()
    assert np.allclose(A, A.T) and (A < 0).any()
    rho = max(abs(np.linalg.eigvalsh(np.abs(A))))
    for delta in (0.6 / rho, -0.6 / rho):
        exact = dense_intercentrality(A, delta, np.ones(net.n))
        for radius in (1, 3):
            res = intercentrality_bounds(net, delta=delta, rtol=1e-6, radius=radius, method="probing")
            assert contains(res, exact)
            assert res.max_relative_error < 1e-5


def test_exact_route_and_auto_choice():
    G = nx.karate_club_graph()
    net = as_network(G)
    A = net.W.toarray()
    delta = 0.5 / max(abs(np.linalg.eigvalsh(A)))
    exact = dense_intercentrality(A, delta, np.ones(net.n))
    res = intercentrality_bounds(net, delta=delta)
    assert res.method == "exact" and res.max_relative_error == 0.0 and res.refined == 0
    np.testing.assert_allclose(res.values, exact, rtol=1e-10)
    np.testing.assert_array_equal(res.values, intercentrality(net, delta=delta))
    # directed networks take the exact route; probing refuses them
    D = as_network(sp.csr_array(np.triu(A)))
    assert intercentrality_bounds(D, delta=delta).method == "exact"
    with pytest.raises(InvalidInputError, match="symmetric"):
        intercentrality_bounds(D, delta=delta, method="probing")
    with pytest.raises(InvalidInputError):
        intercentrality_bounds(net, delta=delta, rtol=0.0)
    with pytest.raises(InvalidInputError):
        intercentrality_bounds(net, delta=delta, radius=0)
    with pytest.raises(IllPosedNetworkError):
        intercentrality_bounds(net, delta=2.0 / max(abs(np.linalg.eigvalsh(A))))


def test_scalable_route_on_a_shipped_network_agrees_with_column_solves():
    # ca-GrQc (5,242 nodes, above the dense limit): auto takes the probing route; spot-check
    # nodes of every degree against a direct sparse solve of their own column
    from scipy.sparse.linalg import splu

    from incnet.datasets import load

    net = load("ca-grqc", as_network=True)
    delta = 0.5 / net.spectral_radius
    res = intercentrality_bounds(net, delta=delta, rtol=1e-4)
    assert res.method == "probing" and res.max_relative_error < 1e-3
    lu = splu((sp.identity(net.n, format="csc") - delta * net.W).tocsc())
    b = lu.solve(np.ones(net.n))
    degree = np.diff(net.W.indptr)
    picks = np.unique(np.r_[np.argsort(degree)[-5:], np.argsort(degree)[:5], np.arange(0, net.n, 500)])
    E = np.zeros((net.n, picks.size))
    E[picks, np.arange(picks.size)] = 1.0
    m = lu.solve(E)[picks, np.arange(picks.size)]
    exact = b[picks] ** 2 / m
    assert np.all((res.lower[picks] <= exact * (1 + 1e-12)) & (exact <= res.upper[picks] * (1 + 1e-12)))


def test_block_conjugate_gradients_solve_every_column_whatever_the_thread_count():
    """The numba block CG behind the probing route against a dense solve; iterates identical on one
    thread and on all (column sums are taken in fixed row blocks)."""
    import incnet
    from incnet.equilibria import _diagonal

    A = nx.to_numpy_array(nx.barabasi_albert_graph(300, 3, seed=4))
    delta = 0.9 / max(abs(np.linalg.eigvalsh(A)))
    net = incnet.as_network(A)
    G = net.W.tocsr()
    indptr, indices = G.indptr.astype(np.int64), G.indices.astype(np.int64)
    B = np.random.default_rng(2).normal(size=(300, 40))
    exact = np.linalg.solve(np.eye(300) - delta * A, B)
    X = _diagonal._cg_block(indptr, indices, G.data, delta, B, 1e-12)
    np.testing.assert_allclose(X, exact, atol=1e-9 * np.abs(exact).max())
    old, _diagonal._PARALLEL_WORK = _diagonal._PARALLEL_WORK, 0  # force the parallel passes
    try:
        with incnet.threads(1):
            one = _diagonal._cg_block(indptr, indices, G.data, delta, B, 1e-12)
        every = _diagonal._cg_block(indptr, indices, G.data, delta, B, 1e-12)
    finally:
        _diagonal._PARALLEL_WORK = old
    np.testing.assert_array_equal(one, every)
