"""Certified intercentrality at scale (local solves and probing, variational bounds) against the
dense inverse."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

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


def graph_with_hubs(seed=5, n=400, hubs=3, spokes=80):
    """A sparse graph with a few hubs of degree ``spokes`` (far above the mean) and one isolated
    node: the local route eliminates the hubs."""
    G = nx.barabasi_albert_graph(n, 2, seed=seed)
    rng = np.random.default_rng(seed)
    for h in range(hubs):
        G.add_edges_from((n + h, int(v)) for v in rng.choice(n, spokes, replace=False))
    G.add_node(n + hubs)
    return G


@pytest.mark.parametrize("q", [0.3, 0.9])
@pytest.mark.parametrize("rtol", [1e-2, 1e-9])
def test_local_intervals_contain_the_dense_values(q, rtol):
    net = as_network(graph_with_hubs())
    A = net.W.toarray()
    delta = q / max(abs(np.linalg.eigvalsh(A)))
    alpha = np.random.default_rng(1).uniform(0.5, 2.0, net.n)
    exact = dense_intercentrality(A, delta, alpha)
    res = intercentrality_bounds(net, delta=delta, alpha=alpha, rtol=rtol, method="local")
    assert res.method == "local" and res.colours == 0
    assert res.hubs >= 3 and res.refined == net.n - res.hubs
    assert contains(res, exact)
    rel = np.abs(res.values - exact) / np.abs(exact)
    assert np.all(rel <= res.max_relative_error * (1 + 1e-9) + 1e-14)
    # every m_ii to relative width rtol, so every value within about rtol / 2
    assert res.max_relative_error <= 0.6 * rtol
    assert res.max_relative_error > 0.0


def _signed_small_world():
    """A 250-node small world whose links weigh +-[0.5, 1.5] (seeded): signed, symmetric."""
    rng = np.random.default_rng(3)
    G = nx.watts_strogatz_graph(250, 6, 0.2, seed=4)
    for u, v in G.edges():
        G[u][v]["weight"] = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5)
    return IncentiveNetwork.from_networkx(G, weight="weight")


def test_local_route_without_hubs_and_with_signed_weights_and_negative_delta():
    net = _signed_small_world()
    A = net.W.toarray()
    rho = max(abs(np.linalg.eigvalsh(np.abs(A))))
    for delta in (0.8 / rho, -0.8 / rho):
        exact = dense_intercentrality(A, delta, np.ones(net.n))
        res = intercentrality_bounds(net, delta=delta, rtol=1e-7, method="local")
        assert res.hubs == 0 and res.refined == net.n
        assert contains(res, exact)
        assert res.max_relative_error < 1e-7


@settings(max_examples=25)
@given(seed=st.integers(0, 10_000), q=st.floats(0.05, 0.95), negative=st.booleans(),
       rtol=st.sampled_from([1e-3, 1e-6, 1e-10]), hubs=st.integers(0, 3))
def test_local_bounds_contain_the_exact_diagonal(seed, q, negative, rtol, hubs):
    """Random sparse graphs with and without hubs, either sign of delta: every interval holds the
    dense value, and is as narrow as asked."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 200))
    G = graph_with_hubs(seed=seed, n=n, hubs=hubs, spokes=n // 2)
    net = as_network(G)
    A = net.W.toarray()
    delta = (-q if negative else q) / max(abs(np.linalg.eigvalsh(A)))
    alpha = rng.uniform(0.5, 2.0, net.n)
    exact = dense_intercentrality(A, delta, alpha)
    res = intercentrality_bounds(net, delta=delta, alpha=alpha, rtol=rtol, method="local")
    assert contains(res, exact)
    assert res.max_relative_error <= 0.6 * rtol + 1e-13
    assert res.refined + res.hubs == net.n


def test_local_kernel_certifies_with_inexact_hub_columns():
    """The hub columns enter the bounds through their residual norms: columns solved loosely (or
    perturbed) still give intervals that hold m_ii, only wider."""
    from incnet._kernels.equilibria import local_diagonal_kernel

    net = as_network(graph_with_hubs(seed=7, n=300, hubs=4, spokes=90))
    G = net.W.tocsr()
    n = net.n
    rho = max(abs(np.linalg.eigvalsh(G.toarray())))
    delta = 0.7 / rho
    A = np.eye(n) - delta * G.toarray()
    M = np.linalg.inv(A)
    degree = np.diff(G.indptr)
    hubs = np.sort(np.argsort(-degree)[:4])
    hub_col = np.full(n, -1, dtype=np.int64)
    hub_col[hubs] = np.arange(4)
    nodes = np.flatnonzero(hub_col < 0).astype(np.int64)
    lam, lam_max = 1 - delta * rho, 1 + delta * rho
    indptr, indices = G.indptr.astype(np.int64), G.indices.astype(np.int64)
    noise = np.random.default_rng(0).normal(size=(n, 4))
    for scale in (0.0, 1e-6, 1e-3):
        W = np.ascontiguousarray(M[:, hubs] + scale * noise)
        P = np.eye(n)[:, hubs] - A @ W
        rho_norm = np.linalg.norm(P, axis=0) + 1e-14
        w_norm = np.linalg.norm(W, axis=0)
        budget = 1e-8 / (1 / lam - 1 / lam_max)
        lo, rr, pg, xn, sc, size = local_diagonal_kernel(indptr, indices, G.data.astype(float), delta,
                                                         nodes, hub_col, W, rho_norm, w_norm, budget,
                                                         1 / lam_max, 64, 200, 2)
        assert np.all(size >= 1) and np.all(size < n)
        slack = pg * xn + 1e-13
        m_lo = lo - slack + np.maximum(np.sqrt(rr) - pg, 0) ** 2 / lam_max
        m_hi = lo + slack + (np.sqrt(rr) + pg) ** 2 / lam
        m = np.diag(M)[nodes]
        assert np.all((m_lo <= m) & (m <= m_hi))
        if scale == 0.0:
            assert np.max((m_hi - m_lo) / m) < 2e-8
        else:
            assert np.max((m_hi - m_lo) / m) > 1e-9 * scale / 1e-6


def test_local_route_results_do_not_depend_on_the_thread_count():
    import incnet

    net = as_network(graph_with_hubs(seed=2, n=2500, hubs=3, spokes=400))
    delta = 0.5 / net.spectral_radius
    with incnet.threads(1):
        one = intercentrality_bounds(net, delta=delta, rtol=1e-8)
    every = intercentrality_bounds(net, delta=delta, rtol=1e-8)
    assert one.method == "local" and one.hubs >= 3
    np.testing.assert_array_equal(one.lower, every.lower)
    np.testing.assert_array_equal(one.upper, every.upper)


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
        # the probing bounds alone certify most nodes: few need a local solve of their own
        assert res.refined < net.n // 2
        assert res.max_relative_error < 0.05
    else:
        assert res.refined > 0 and res.max_relative_error < 1e-8


def test_probing_with_signed_symmetric_weights_and_negative_delta():
    net = _signed_small_world()
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
    # directed networks take the exact route; the certified routes refuse them
    D = as_network(sp.csr_array(np.triu(A)))
    assert intercentrality_bounds(D, delta=delta).method == "exact"
    for method in ("probing", "local"):
        with pytest.raises(InvalidInputError, match="symmetric"):
            intercentrality_bounds(D, delta=delta, method=method)
    with pytest.raises(InvalidInputError):
        intercentrality_bounds(net, delta=delta, rtol=0.0)
    with pytest.raises(InvalidInputError):
        intercentrality_bounds(net, delta=delta, radius=0)
    with pytest.raises(IllPosedNetworkError):
        intercentrality_bounds(net, delta=2.0 / max(abs(np.linalg.eigvalsh(A))))


def test_scalable_route_on_a_shipped_network_agrees_with_column_solves():
    # ca-GrQc (5,242 nodes, above the dense limit): auto takes the local route; spot-check
    # nodes of every degree against a direct sparse solve of their own column, for both routes
    from scipy.sparse.linalg import splu

    from incnet.datasets import load

    net = load("ca-grqc", as_network=True)
    delta = 0.5 / net.spectral_radius
    res = intercentrality_bounds(net, delta=delta, rtol=1e-6)
    assert res.method == "local" and res.hubs > 0 and res.max_relative_error <= 5e-7
    probed = intercentrality_bounds(net, delta=delta, rtol=1e-4, method="probing")
    assert probed.method == "probing" and probed.max_relative_error <= 5e-5
    lu = splu((sp.identity(net.n, format="csc") - delta * net.W).tocsc())
    b = lu.solve(np.ones(net.n))
    degree = np.diff(net.W.indptr)
    picks = np.unique(np.r_[np.argsort(degree)[-5:], np.argsort(degree)[:5], np.arange(0, net.n, 500)])
    E = np.zeros((net.n, picks.size))
    E[picks, np.arange(picks.size)] = 1.0
    m = lu.solve(E)[picks, np.arange(picks.size)]
    exact = b[picks] ** 2 / m
    for r in (res, probed):
        assert np.all((r.lower[picks] <= exact * (1 + 1e-12)) & (exact <= r.upper[picks] * (1 + 1e-12)))


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


def test_local_route_at_an_unreachable_rtol_stops_and_reports_what_it_proved():
    """Below the round-off floor the supports cover the graph and the iterations stall: the
    route stops instead of iterating on, and the intervals still hold the exact values."""
    import time

    net = as_network(graph_with_hubs(seed=3, n=300, hubs=2, spokes=120))
    A = net.W.toarray()
    delta = 0.9 / max(abs(np.linalg.eigvalsh(A)))
    exact = dense_intercentrality(A, delta, np.ones(net.n))
    start = time.perf_counter()
    res = intercentrality_bounds(net, delta=delta, rtol=1e-40, method="local")
    assert time.perf_counter() - start < 30.0
    assert contains(res, exact, slack=1e-12)
    assert 0.0 < res.max_relative_error < 1e-10
