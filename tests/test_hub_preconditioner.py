"""The hub preconditioner of conjugate gradients: ``P = I - W_H`` (``W_H`` the links that touch a
hub) applied through Woodbury's identity, checked against a dense ``P^{-1}``; the preconditioned
solve against scipy's CG; and the properties it must keep (equal networks give equal payoffs,
signed networks go without it)."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import incnet
from incnet import IncentiveNetwork, total_payoffs
from incnet import payoffs as payoffs_module
from incnet._kernels.payoffs import _hub_precondition, dense_inverse_kernel
from incnet.datasets import barabasi_albert_csr
from incnet.payoffs import _NO_HUBS, _hub_pattern, _hubs, _operator


def _symmetric(n, density, seed, weighted):
    rng = np.random.default_rng(seed)
    W = np.triu((rng.random((n, n)) < density) * (rng.random((n, n)) if weighted else 1.0), 1)
    W = W + W.T
    # a star on node 0, so that there is a hub whatever the draw
    W[0, 1:] = W[1:, 0] = rng.random(n - 1) if weighted else 1.0
    rho = np.max(np.abs(np.linalg.eigvalsh(W)))
    return W * (0.9 / rho)


def _dense_inverse_of_p(W, hubs):
    touches = np.zeros(W.shape[0], dtype=bool)
    touches[hubs] = True
    W_H = np.where(touches[:, None] | touches[None, :], W, 0.0)
    return np.linalg.inv(np.eye(W.shape[0]) - W_H)


def _apply(hubs, r):
    # P^{-1} r through the kernel's Woodbury correction, and r . (P^{-1} - I) r
    p = r.copy()
    k = hubs.schur_inv.shape[0]
    yw = _hub_precondition(hubs.rows, hubs.ptr, hubs.cols, hubs.vals, hubs.schur_inv,
                           hubs.coupling, r, p, np.empty(2 * k), np.empty(2 * k))
    return p, yw


@given(st.integers(0, 2**31 - 1), st.integers(5, 40), st.sampled_from([0.05, 0.2, 0.5]),
       st.booleans(), st.sampled_from([1.5, 3.0, 16.0]), st.sampled_from([1, 3, 64]))
@settings(max_examples=80, deadline=None)
def test_woodbury_correction_is_the_inverse_of_i_minus_the_hub_links(seed, n, density, weighted,
                                                                      factor, max_hubs):
    # P^{-1} r from the low-rank correction equals the dense inverse of I - W_H, for any choice
    # of hubs (several, hubs linked to each other, a hub's neighbour also a hub)
    W = _symmetric(n, density, seed, weighted)
    net = IncentiveNetwork.from_dense(W)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(payoffs_module, "_HUB_FACTOR", factor)
        mp.setattr(payoffs_module, "_MAX_HUBS", max_hubs)
        op = _operator(net)
        pattern = _hub_pattern(net, op)
        hubs = _hubs(net, op)
    if pattern is None:  # no row reaches the factor times the mean
        assert hubs is _NO_HUBS
        return
    hub_nodes = _hub_nodes(pattern, hubs)
    assert 1 <= hub_nodes.size <= max_hubs
    r = np.random.default_rng(seed + 1).normal(size=n)
    p, yw = _apply(hubs, r)
    expected = _dense_inverse_of_p(W, hub_nodes) @ r
    np.testing.assert_allclose(p, expected, rtol=1e-10, atol=1e-12 * np.max(np.abs(expected)))
    assert yw == pytest.approx(r @ (expected - r), rel=1e-9, abs=1e-12 * (r @ r))


def _hub_nodes(pattern, hubs):
    # a hub's own entry sits in column k + j of U, in the hub's row
    k = hubs.schur_inv.shape[0]
    entry_row = np.repeat(pattern.rows, np.diff(pattern.ptr))
    own = pattern.cols >= k
    order = np.argsort(pattern.cols[own])
    return entry_row[own][order]


def test_hubs_are_the_rows_far_above_the_mean_weight():
    # a ring with a star of 60 leaves on node 5: only the centre has 16x the mean degree
    n = 200
    ring = np.zeros((n, n))
    for i in range(n):
        ring[i, (i + 1) % n] = ring[(i + 1) % n, i] = 0.1
    W = ring.copy()
    W[5, 100:160] = W[100:160, 5] = 0.1
    net = IncentiveNetwork.from_dense(W)
    op = _operator(net)
    hubs = _hubs(net, op)
    assert hubs.schur_inv.shape == (1, 1)
    np.testing.assert_array_equal(_hub_nodes(_hub_pattern(net, op), hubs), [5])
    # the ring alone has no hubs: CG runs unpreconditioned
    plain = IncentiveNetwork.from_dense(ring)
    assert _hub_pattern(plain, _operator(plain)) is None
    assert _hubs(plain, _operator(plain)) is _NO_HUBS


def test_signed_networks_go_without_the_preconditioner():
    # I - W_H is proven positive definite only for non-negative W
    W = _symmetric(30, 0.2, 4, True)
    W[1, 2] = W[2, 1] = -abs(W[1, 2]) - 0.01
    net = IncentiveNetwork.from_dense(W * 0.5)
    assert _hubs(net, _operator(net)) is _NO_HUBS


def test_dense_inverse_kernel_matches_lapack_and_reports_a_singular_matrix():
    rng = np.random.default_rng(7)
    for m in (1, 5, 40):
        K = rng.normal(size=(m, m)) + np.diag(rng.choice([-1.0, 1.0], m) * m)
        np.testing.assert_allclose(dense_inverse_kernel(K), np.linalg.inv(K), rtol=1e-10,
                                   atol=1e-13)
    singular = np.ones((3, 3))
    singular[0, 0] = 0.0
    singular[:, 2] = 0.0
    assert dense_inverse_kernel(singular).size == 0


@pytest.fixture(scope="module")
def katz_network():
    # BA n = 40,000, m = 5: 400,000 links, so auto solves by CG; delta = 0.5 / rho
    A = barabasi_albert_csr(40_000, 5, rng=11)
    rho = float(sp.linalg.eigsh(A.astype(float), k=1, which="LA", return_eigenvectors=False)[0])
    return A, 0.5 / rho


def _fresh(A, delta):
    return IncentiveNetwork.from_scipy(A).scaled(delta)


def _reference(M, x):
    # scipy's unpreconditioned CG far below the tolerance under test (sparse LU fills in on
    # hub-heavy graphs)
    u, info = sp.linalg.cg(M, x, rtol=1e-14, atol=0.0, maxiter=1000)
    assert info == 0
    return u


def test_preconditioned_cg_matches_scipy_cg_in_fewer_steps(katz_network, monkeypatch):
    A, delta = katz_network
    M = sp.csr_matrix(sp.identity(A.shape[0]) - delta * A)
    rng = np.random.default_rng(3)
    for x in (np.ones(A.shape[0]), rng.normal(size=A.shape[0])):
        net = _fresh(A, delta)
        res = total_payoffs(net, x)
        assert res.method == "cg" and res.residual <= 1e-10
        assert 0 < net._cache["payoffs.hubs"].schur_inv.shape[0] <= payoffs_module._MAX_HUBS
        ref = _reference(M, x)
        np.testing.assert_allclose(res.u, ref, rtol=1e-8, atol=1e-9 * np.max(np.abs(ref)))
        with monkeypatch.context() as mp:
            mp.setattr(payoffs_module, "_MAX_HUBS", 0)
            plain = total_payoffs(_fresh(A, delta), x)
        assert plain.residual <= 1e-10
        # the hubs' stars carry the extreme eigenvalues of a scale-free graph
        assert res.iterations <= plain.iterations - 2, (res.iterations, plain.iterations)
        np.testing.assert_allclose(res.u, plain.u, rtol=1e-8, atol=1e-9 * np.max(np.abs(ref)))


def test_equal_networks_give_equal_payoffs_however_made(katz_network):
    # a scaled copy reuses its origin's hub pattern but reads its own weights: the payoffs are
    # those of the same network built directly, and of its pickled copy, bit for bit
    A, delta = katz_network
    x = np.random.default_rng(5).normal(size=A.shape[0])
    scaled = _fresh(A, delta)
    direct = IncentiveNetwork.from_scipy(scaled.W)
    u = total_payoffs(scaled, x).u
    np.testing.assert_array_equal(total_payoffs(direct, x).u, u)
    np.testing.assert_array_equal(total_payoffs(pickle.loads(pickle.dumps(scaled)), x).u, u)
    # weighted: the blocks of K come from the copy's own weights as well
    rng = np.random.default_rng(6)
    weights = sp.triu(A, 1, format="csr").astype(float)
    weights.data = rng.uniform(0.5, 1.5, weights.nnz)
    Ww = (weights + weights.T).tocsr()
    base = IncentiveNetwork.from_scipy(Ww)
    factor = 0.5 / base.spectral_radius
    copy = base.scaled(factor)
    assert copy._cache.get("scaled_from") is not None
    res = total_payoffs(copy, x)
    assert res.method == "cg" and copy._cache["payoffs.hubs"].schur_inv.size > 0
    np.testing.assert_array_equal(total_payoffs(IncentiveNetwork.from_scipy(copy.W), x).u, res.u)
    M = sp.csr_matrix(sp.identity(A.shape[0]) - copy.W)
    ref = _reference(M, x)
    np.testing.assert_allclose(res.u, ref, rtol=1e-8, atol=1e-9 * np.max(np.abs(ref)))


def test_preconditioned_cg_does_not_depend_on_the_thread_count(katz_network):
    A, delta = katz_network
    x = np.random.default_rng(8).normal(size=A.shape[0])
    net = _fresh(A, delta)
    u = total_payoffs(net, x).u
    with incnet.threads(1):
        np.testing.assert_array_equal(total_payoffs(net, x).u, u)


def test_warm_start_and_solver_object_keep_the_preconditioner(katz_network):
    A, delta = katz_network
    net = _fresh(A, delta)
    x = np.ones(A.shape[0])
    cold = total_payoffs(net, x)
    warm = total_payoffs(net, x, x0=cold.u * (1 + 1e-6))
    assert warm.residual <= 1e-10 and warm.iterations < cold.iterations
    solver = incnet.PayoffSolver(net)
    solved = solver.solve(x)
    assert solved.method == "cg" and solved.residual <= 1e-10
    np.testing.assert_allclose(solved.u, cold.u, rtol=1e-9)
