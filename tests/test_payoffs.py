"""total_payoffs, payoff_influence and payoff_exposure against dense references."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import incnet
from incnet import (
    ConvergenceError,
    IllPosedNetworkError,
    IncentiveNetwork,
    InvalidInputError,
    PayoffResult,
    payoff_exposure,
    payoff_influence,
    total_payoffs,
)
from tests.reference import (
    dense_inverse,
    dense_total_payoffs,
    neumann_partial_sums,
    random_weights,
)

METHODS = ["auto", "direct", "krylov", "neumann"]


def _close(u, ref, rtol=1e-8):
    scale = max(float(np.max(np.abs(ref))), 1e-300)
    return float(np.max(np.abs(np.asarray(u) - ref))) <= rtol * scale


@st.composite
def networks(draw):
    """Random small W (signed or not, symmetric or not) with rho(|W|) < 1, and a payoff block."""
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(1, 25))
    signed = draw(st.booleans())
    symmetric = draw(st.booleans())
    radius = draw(st.sampled_from([0.1, 0.5, 0.9, 0.99]))
    k = draw(st.sampled_from([None, 1, 3]))
    rng = np.random.default_rng(seed)
    W = random_weights(rng, n, density=draw(st.sampled_from([0.1, 0.4, 1.0])), signed=signed,
                       symmetric=symmetric, radius=radius)
    x = rng.normal(size=n if k is None else (n, k))
    return W, x


@given(networks())
def test_every_method_matches_dense_solve(case):
    W, x = case
    ref = dense_total_payoffs(W, x)
    net = IncentiveNetwork.from_dense(W)
    methods = METHODS + (["chebyshev", "cg"] if net.is_symmetric else [])
    for method in methods:
        res = total_payoffs(net, x, method=method)
        assert res.u.shape == x.shape
        # The solution of a system with condition number c is determined to about c * residual.
        assert _close(res.u, ref, rtol=1e-7), (method, res)
        assert res.residual <= 1e-10
        assert res.converged
        assert res.method != "auto"


@given(networks())
@settings(max_examples=25)
def test_influence_and_exposure_are_columns_and_rows_of_the_inverse(case):
    W, _ = case
    net = IncentiveNetwork.from_dense(W)
    M = dense_inverse(W)
    for j in {0, net.n - 1}:
        assert _close(payoff_influence(net, j).u, M[:, j])
        assert _close(payoff_exposure(net, j).u, M[j, :])


def test_small_example_by_hand():
    # Path a - b - c with weight 1/2: u = x + W u solved by hand for x = (1, 0, 0):
    # u_b = (u_a + u_c)/2, u_c = u_b/2, u_a = 1 + u_b/2  =>  u = (3/2, 1, 1/2).
    net = IncentiveNetwork.from_networkx(nx.path_graph(["a", "b", "c"]), scale=0.5)
    for method in METHODS + ["chebyshev"]:
        res = total_payoffs(net, [1.0, 0.0, 0.0], method=method)
        np.testing.assert_allclose(res.u, [1.5, 1.0, 0.5], rtol=1e-9)
    assert res.to_dict() == pytest.approx({"a": 1.5, "b": 1.0, "c": 0.5})


def test_two_person_altruism_closed_form():
    # Bergstrom (1999): u1 = x1 + a u2, u2 = x2 + b u1 gives u1 = (x1 + a x2) / (1 - a b).
    a, b, x1, x2 = 0.4, -0.3, 2.0, 5.0
    net = IncentiveNetwork.from_dense([[0, a], [b, 0]])
    u = total_payoffs(net, [x1, x2]).u
    np.testing.assert_allclose(u, [(x1 + a * x2) / (1 - a * b), (x2 + b * x1) / (1 - a * b)])


def test_neumann_series_limit():
    rng = np.random.default_rng(3)
    W = random_weights(rng, 12, radius=0.5)
    x = rng.normal(size=12)
    u = total_payoffs(W, x, method="neumann", tol=1e-13).u
    np.testing.assert_allclose(u, neumann_partial_sums(W, x, 200), rtol=0, atol=1e-11 * np.abs(x).max())


def test_block_equals_columns():
    rng = np.random.default_rng(4)
    W = random_weights(rng, 30, signed=True, radius=0.8)
    X = rng.normal(size=(30, 4))
    for method in METHODS:
        block = total_payoffs(W, X, method=method).u
        for c in range(4):
            np.testing.assert_allclose(block[:, c], total_payoffs(W, X[:, c], method=method).u,
                                       rtol=1e-8, atol=1e-12)


def test_zero_columns_and_empty_network():
    W = random_weights(np.random.default_rng(5), 8, radius=0.5)
    X = np.zeros((8, 2))
    X[3, 1] = 1.0
    for method in METHODS:
        res = total_payoffs(W, X, method=method)
        assert np.all(res.u[:, 0] == 0.0)
        assert _close(res.u[:, 1], dense_total_payoffs(W, X[:, 1]))
    # No links at all: u = x.
    empty = IncentiveNetwork.from_scipy(sp.csr_array((4, 4)))
    np.testing.assert_array_equal(total_payoffs(empty, [1.0, 2.0, 3.0, 4.0]).u, [1, 2, 3, 4])


def test_scalar_x_broadcasts_and_input_is_not_mutated():
    W = random_weights(np.random.default_rng(6), 10, radius=0.6)
    x = np.ones(10)
    before = x.copy()
    np.testing.assert_allclose(total_payoffs(W, 1.0).u, total_payoffs(W, x).u)
    assert np.array_equal(x, before)


@pytest.mark.parametrize("method", ["neumann", "chebyshev", "krylov"])
def test_warm_start_needs_fewer_iterations(method):
    rng = np.random.default_rng(7)
    A = random_weights(rng, 60, symmetric=True, radius=0.95)
    net = IncentiveNetwork.from_dense(A)
    x = rng.normal(size=60)
    cold = total_payoffs(net, x, method=method)
    nearby = cold.u + 1e-6 * rng.normal(size=60)
    warm = total_payoffs(net, x, method=method, x0=nearby)
    assert warm.iterations < cold.iterations
    assert _close(warm.u, dense_total_payoffs(A, x))
    # A perfect start converges at once.
    assert total_payoffs(net, x, method=method, x0=cold.u).iterations <= 1


def test_ill_posed_network_states_rho():
    net = IncentiveNetwork.from_networkx(nx.complete_graph(4), scale=0.5)  # rho = 1.5
    with pytest.raises(IllPosedNetworkError, match=r"1\.5") as info:
        total_payoffs(net, np.ones(4))
    assert info.value.spectral_radius == pytest.approx(1.5)
    for method in METHODS:
        with pytest.raises(IllPosedNetworkError):
            total_payoffs(net, np.ones(4), method=method)


def test_signed_network_uses_rho_of_absolute_values():
    # Signs cancel: rho(W) < 1 although rho(|W|) = 1.2, ill-posed by the library's convention
    # (the Neumann series need not converge absolutely), yet solvable by LU on request.
    W = random_weights(np.random.default_rng(13), 12, density=1.0, signed=True, radius=1.2)
    assert np.max(np.abs(np.linalg.eigvals(W))) < 1.0
    with pytest.raises(IllPosedNetworkError) as info:
        total_payoffs(W, np.ones(12))
    assert info.value.spectral_radius == pytest.approx(1.2)
    u = total_payoffs(W, np.ones(12), method="direct", require_well_posed=False).u
    assert _close(u, dense_total_payoffs(W, np.ones(12)))


def test_direct_accepts_merely_invertible_systems_on_request():
    net = IncentiveNetwork.from_networkx(nx.complete_graph(4), scale=0.5)
    x = np.array([1.0, 2.0, 3.0, 4.0])
    res = total_payoffs(net, x, method="direct", require_well_posed=False)
    np.testing.assert_allclose(res.u, dense_total_payoffs(net.W.toarray(), x))
    with pytest.raises(IllPosedNetworkError):
        total_payoffs(net, x, method="neumann", require_well_posed=False)
    singular = IncentiveNetwork.from_dense([[0.0, 1.0], [1.0, 0.0]])  # I - W singular
    with pytest.raises(IllPosedNetworkError, match="singular"):
        total_payoffs(singular, [1.0, 1.0], method="direct", require_well_posed=False)


def test_convergence_error_carries_last_iterate_and_residual():
    rng = np.random.default_rng(8)
    W = random_weights(rng, 40, radius=0.99)
    x = rng.normal(size=40)
    with pytest.raises(ConvergenceError) as info:
        total_payoffs(W, x, method="neumann", max_iter=3)
    err = info.value
    assert err.last_iterate.shape == (40,)
    assert err.iterations == 3
    true_residual = np.linalg.norm(x - (err.last_iterate - W @ err.last_iterate)) / np.linalg.norm(x)
    assert err.residual == pytest.approx(true_residual, rel=1e-8)
    assert err.residual > 1e-10
    assert "max_iter" in str(err)


def test_reported_residual_is_the_true_one():
    rng = np.random.default_rng(9)
    W = random_weights(rng, 50, signed=True, radius=0.9)
    x = rng.normal(size=50)
    for method in METHODS:
        res = total_payoffs(W, x, method=method, tol=1e-6)
        true = np.linalg.norm(x - (res.u - W @ res.u)) / np.linalg.norm(x)
        assert res.residual == pytest.approx(true, rel=1e-6, abs=1e-15)
        assert res.residual <= 1e-6


def test_auto_iterates_on_large_networks_and_never_factorises_them():
    # 60,000 nodes and ~600,000 links: large enough for the reordered, multi-threaded kernels.
    rng = np.random.default_rng(10)
    n = 60_000
    rows = rng.integers(0, n, size=300_000)
    cols = rng.integers(0, n, size=300_000)
    keep = rows != cols
    A = sp.coo_array((np.ones(keep.sum()), (rows[keep], cols[keep])), shape=(n, n)).tocsr()
    A = ((A + A.T) > 0).astype(float)
    base = IncentiveNetwork.from_scipy(A)
    net = base.scaled(0.9 / base.spectral_radius)
    x = rng.normal(size=(n, 2))
    res = total_payoffs(net, x)
    assert res.method == "chebyshev"
    assert res.residual <= 1e-10
    # Independent check: the Neumann identity u = x + W u holds to the residual.
    W = net.to_scipy()
    assert np.linalg.norm(res.u - x - W @ res.u) <= 1e-9 * np.linalg.norm(x)
    cg = total_payoffs(net, x, method="krylov")
    np.testing.assert_allclose(res.u, cg.u, rtol=1e-7, atol=1e-9)
    # Partial sums are added per chunk in a fixed order: the answer does not depend on threads.
    import numba

    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = total_payoffs(net, x)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(single.u, res.u) and single.iterations == res.iterations
    # Directed and weighted (each direction its own weight): the Neumann kernel, same arrays.
    D = A.copy()
    D.data = rng.random(D.nnz)
    directed = IncentiveNetwork.from_scipy(D)
    directed = directed.scaled(0.5 / directed.row_sum_bound)
    assert not directed.is_symmetric
    r2 = total_payoffs(directed, x[:, 0])
    assert r2.method == "neumann"
    Wd = directed.to_scipy()
    assert np.linalg.norm(r2.u - x[:, 0] - Wd @ r2.u) <= 1e-9 * np.linalg.norm(x[:, 0])


def test_auto_does_not_factorise_when_iteration_is_cheap():
    net = IncentiveNetwork.from_networkx(nx.barabasi_albert_graph(300, 3, seed=1))
    net = net.scaled(0.5 / net.spectral_radius)
    assert total_payoffs(net, np.ones(300)).method == "chebyshev"
    directed = IncentiveNetwork.from_networkx(nx.gn_graph(300, seed=2), scale=0.3)
    assert total_payoffs(directed, np.ones(300)).method == "neumann"
    # Close to the boundary the iteration would need too many steps: factorise a small network.
    near = IncentiveNetwork.from_networkx(nx.cycle_graph(300, create_using=nx.DiGraph), scale=0.9999999)
    res = total_payoffs(near, np.ones(300))
    assert res.method == "direct"
    np.testing.assert_allclose(res.u, np.full(300, 1 / (1 - 0.9999999)), rtol=1e-6)


def test_bad_inputs():
    W = random_weights(np.random.default_rng(11), 5, radius=0.5)
    with pytest.raises(InvalidInputError, match="unknown method"):
        total_payoffs(W, np.ones(5), method="lu")
    with pytest.raises(InvalidInputError, match="5 nodes"):
        total_payoffs(W, np.ones(4))
    with pytest.raises(InvalidInputError, match="NaN"):
        total_payoffs(W, [1.0, np.nan, 0, 0, 0])
    with pytest.raises(InvalidInputError, match="shape"):
        total_payoffs(W, np.ones((5, 2, 2)))
    with pytest.raises(InvalidInputError, match="tol"):
        total_payoffs(W, np.ones(5), tol=0.0)
    with pytest.raises(InvalidInputError, match="max_iter"):
        total_payoffs(W, np.ones(5), max_iter=0)
    with pytest.raises(InvalidInputError, match="x0"):
        total_payoffs(W, np.ones(5), x0=np.ones((5, 2)))
    with pytest.raises(InvalidInputError, match="symmetric"):
        total_payoffs(W, np.ones(5), method="chebyshev")
    with pytest.raises(InvalidInputError):
        payoff_influence(W, "nobody")
    with pytest.raises(InvalidInputError):
        total_payoffs("not a network", np.ones(5))
    assert issubclass(InvalidInputError, ValueError)


def test_accepts_every_network_form_and_labels():
    G = nx.karate_club_graph()
    net = incnet.as_network(G).scaled(0.05)
    x = np.arange(34, dtype=float)
    ref = dense_total_payoffs(net.W.toarray(), x)
    for form in (net, nx.to_scipy_sparse_array(G, weight=None) * 0.05,
                 nx.to_numpy_array(G, weight=None) * 0.05):
        assert _close(total_payoffs(form, x).u, ref)
    res = total_payoffs(net, x)
    assert isinstance(res, PayoffResult)
    assert res.nodes == tuple(G.nodes)
    assert "PayoffResult(" in repr(res) and "u=" in repr(res)
    labelled = IncentiveNetwork.from_dense([[0, 0.5], [0.25, 0]], nodes=["ann", "bob"])
    assert set(payoff_influence(labelled, "bob").to_dict()) == {"ann", "bob"}


def test_results_do_not_depend_on_cached_bounds():
    # The same network reached through scaled() (cached rho) and built fresh (bound computed).
    rng = np.random.default_rng(12)
    A = random_weights(rng, 40, symmetric=True, radius=1.0)
    cached = IncentiveNetwork.from_dense(A)
    cached.spectral_radius
    fresh = IncentiveNetwork.from_dense(A * 0.7)
    x = rng.normal(size=40)
    a = total_payoffs(cached.scaled(0.7), x).u
    b = total_payoffs(fresh, x).u
    np.testing.assert_allclose(a, b, rtol=1e-8)


def test_katz_bonacich_centrality_matches_networkx():
    # u = (I - delta A)^{-1} 1 is Katz-Bonacich centrality: networkx's katz_centrality_numpy with
    # beta = 1 and no normalisation solves x = delta A^T x + 1 (A symmetric here).
    G = nx.karate_club_graph()
    net = IncentiveNetwork.from_networkx(G)
    delta = 0.5 / net.spectral_radius
    katz = nx.katz_centrality_numpy(G, alpha=delta, beta=1.0, normalized=False, weight=None)
    u = total_payoffs(net.scaled(delta), np.ones(net.n)).to_dict()
    assert u == pytest.approx(katz, rel=1e-9)


def test_well_posedness_is_proved_without_an_eigensolver_when_possible():
    # Hubs make the row-sum bound useless (max degree * delta > 1); the Collatz-Wielandt bound
    # of a short power iteration proves rho < 1 instead, and no eigenvalue is computed.
    A = nx.to_scipy_sparse_array(nx.barabasi_albert_graph(1000, 4, seed=5), weight=None)
    rho = float(np.max(np.abs(np.linalg.eigvalsh(A.toarray()))))
    net = IncentiveNetwork.from_scipy(A * (0.5 / rho))
    assert net.row_sum_bound > 1.0
    res = total_payoffs(net, np.ones(1000))
    assert "spectral_radius" not in net._cache
    bound = net._cache["rho_upper_bound"]
    assert 0.5 - 1e-12 <= bound < 1.0
    assert res.residual <= 1e-10
    # Past the boundary the bound fails and the spectral radius decides, and is stated.
    bad = IncentiveNetwork.from_scipy(A * (1.05 / rho))
    with pytest.raises(IllPosedNetworkError) as info:
        total_payoffs(bad, np.ones(1000))
    assert info.value.spectral_radius == pytest.approx(1.05, rel=1e-8)


def test_huge_finite_inputs_pass_validation_without_numpy_warnings():
    # the finiteness check sums x first; a sum that overflows must neither warn nor reject
    import warnings

    from incnet._validate import as_vector

    huge = np.full(4, 1e308)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(as_vector(huge, 4, "x"), huge)
        with pytest.raises(incnet.InvalidInputError, match="first at index 2"):
            as_vector(np.array([1e308, 1e308, np.inf, -np.inf]), 4, "x")
