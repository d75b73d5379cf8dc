"""The first call on a fresh network: the well-posedness certificate, the symmetry check, the
conjugate-gradient kernel, and no reordering outside solver objects."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import incnet
from incnet import IllPosedNetworkError, IncentiveNetwork, InvalidInputError, total_payoffs
from incnet._kernels.network import is_symmetric_kernel, symmetry_fingerprint_kernel
from incnet.datasets import barabasi_albert_csr
from incnet.equilibria import linear_quadratic
from incnet.payoffs import _contraction_bound, _operator
from tests.reference import dense_spectral_radius, dense_total_payoffs


# ----------------------------------------------------------------------- certificate
@st.composite
def matrices(draw):
    """A small random matrix (non-negative or signed, any pattern) and a target radius."""
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(1, 9))
    rng = np.random.default_rng(seed)
    W = rng.random((n, n)) * (rng.random((n, n)) < draw(st.sampled_from([0.2, 0.5, 1.0])))
    if draw(st.booleans()):
        W *= rng.choice([-1.0, 1.0], size=(n, n))
    if draw(st.booleans()):
        W = np.triu(W, 1) + np.triu(W, 1).T
    np.fill_diagonal(W, 0.0)
    rho = dense_spectral_radius(W)
    radius = draw(st.sampled_from([0.3, 0.9, 0.999, 1.0 - 1e-9, 1.0 + 1e-9, 1.001, 1.5]))
    return (W * (radius / rho) if rho > 0 else W), radius


@given(matrices(), st.booleans())
@settings(max_examples=120)
def test_certificate_never_accepts_an_ill_posed_network(case, tight):
    W, _ = case
    rho = dense_spectral_radius(W)  # rho(|W|), by LAPACK: the independent route
    net = IncentiveNetwork.from_dense(W)
    bound = net._rho_certificate(1.0, tight=tight)
    if bound is not None:
        # a proven bound: never below the spectral radius (beyond LAPACK's rounding)
        assert bound < 1.0 and rho <= bound * (1 + 1e-9) + 1e-12
    if rho >= 1.0 + 1e-7:
        assert bound is None
        with pytest.raises(IllPosedNetworkError):
            _contraction_bound(IncentiveNetwork.from_dense(W), tight=tight)


@given(matrices())
@settings(max_examples=60)
def test_certificate_bound_is_cached_and_scales(case):
    W, _ = case
    net = IncentiveNetwork.from_dense(W)
    bound = net._rho_certificate(10.0)
    if bound is None:
        return
    # cached as a proven bound, or a fact cached itself (no links, the row/column sums)
    assert bound in (net._cache.get("rho_upper_bound"), 0.0, net._cache.get("row_sum_bound"))
    half = net.scaled(-0.5)  # |W| scales by |factor|; the sign of the weights does not matter
    assert half._rho_certificate(10.0) == pytest.approx(0.5 * bound, rel=1e-15)
    assert dense_spectral_radius(W) <= bound * (1 + 1e-9) + 1e-12


def _ba(n, m=5, seed=1):
    return barabasi_albert_csr(n, m, rng=seed)


@pytest.fixture(scope="module")
def ba():
    """A BA graph large enough (nnz >= 200,000) for the first-call route, and its radius."""
    A = _ba(25_000)
    rho = float(sp.linalg.eigsh(A, k=1, which="LA", tol=1e-12, return_eigenvectors=False)[0])
    return A, rho


def test_just_below_one_is_accepted_and_just_above_raises(ba):
    A, rho = ba
    below = IncentiveNetwork.from_scipy(A * (0.99 / rho))
    res = total_payoffs(below, np.ones(A.shape[0]))
    assert res.residual <= 1e-10  # certified (here perhaps only by ARPACK: the bound is close)
    # independent: u = x + W u by a scipy product
    u = res.u
    assert np.linalg.norm(u - 1.0 - below.W @ u) <= 1e-9 * np.linalg.norm(np.ones(A.shape[0]))
    for factor in (1.0 + 1e-6, 1.01):
        above = IncentiveNetwork.from_scipy(A * (factor / rho))
        with pytest.raises(IllPosedNetworkError, match="ill-posed"):
            total_payoffs(above, np.ones(A.shape[0]))
        assert above._rho_certificate(1.0) is None


def test_first_call_certifies_cheaply_and_solves_by_cg(ba):
    A, rho = ba
    n = A.shape[0]
    fresh = IncentiveNetwork.from_scipy(A * (0.5 / rho))
    x = np.linspace(-1.0, 2.0, n)
    res = total_payoffs(fresh, x)
    assert res.method == "cg"
    # no eigensolver, no ordering and no exact symmetry check on the first call (the
    # fingerprint decides the method; CG's answer is accepted by its true residual)
    assert "spectral_radius" not in fresh._cache and "ordering" not in fresh._cache
    assert "is_symmetric" not in fresh._cache and fresh._cache["symmetry_hint"] is True
    assert _operator(fresh).perm is None
    bound = fresh._cache["rho_upper_bound"]
    assert 0.5 <= bound < 1.0
    # the same answer as Chebyshev with the exact radius (an independent iteration)
    known = IncentiveNetwork.from_scipy(A).scaled(0.5 / rho)
    known._cache["spectral_radius"] = 0.5
    assert total_payoffs(known, x).method == "cg"  # large, symmetric, one column
    cheb = total_payoffs(known, x, method="chebyshev")
    np.testing.assert_allclose(res.u, cheb.u, rtol=1e-8, atol=1e-8 * np.max(np.abs(cheb.u)))
    assert np.linalg.norm(x - res.u + fresh.W @ res.u) <= 1e-10 * np.linalg.norm(x) * 1.0001
    # chunk partial sums are added in order: the answer does not depend on the thread count
    import numba

    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = total_payoffs(fresh, x)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(single.u, res.u) and single.iterations == res.iterations


def test_linear_quadratic_first_call_uses_the_certificate(ba):
    A, rho = ba
    G = IncentiveNetwork.from_scipy(A)
    eq = linear_quadratic(G, 1.0, 0.5 / rho)
    assert "spectral_radius" not in G._cache  # certified without ARPACK
    assert eq.method == "cg"
    ref = total_payoffs(IncentiveNetwork.from_scipy(A * (0.5 / rho)), np.ones(A.shape[0]),
                        method="krylov")  # scipy's CG
    np.testing.assert_allclose(eq.x, ref.u, rtol=1e-8)
    with pytest.raises(IllPosedNetworkError, match="linear-quadratic game is ill-posed"):
        linear_quadratic(IncentiveNetwork.from_scipy(A), 1.0, 1.001 / rho)


# ----------------------------------------------------------------------- conjugate gradients
@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("radius", [0.3, 0.95, 0.9999])
def test_cg_matches_dense_solve(signed, radius):
    rng = np.random.default_rng(7)
    n = 60
    W = rng.random((n, n)) * (rng.random((n, n)) < 0.2)
    if signed:
        W *= rng.choice([-1.0, 1.0], size=(n, n))
    W = np.triu(W, 1) + np.triu(W, 1).T
    W *= radius / dense_spectral_radius(W)
    x = rng.normal(size=(n, 3))
    ref = dense_total_payoffs(W, x)
    res = total_payoffs(W, x, method="cg")
    assert res.method == "cg" and res.residual <= 1e-10
    np.testing.assert_allclose(res.u, ref, rtol=1e-6, atol=1e-6 * np.max(np.abs(ref)))
    # a warm start at the answer stops at once; a zero x gives zero
    warm = total_payoffs(W, x[:, 0], method="cg", x0=res.u[:, 0])
    assert warm.iterations <= 1
    assert np.array_equal(total_payoffs(W, np.zeros(n), method="cg").u, np.zeros(n))


@pytest.mark.parametrize("value", [1.0, 3.7, -0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cg_cold_start_shortcuts_agree_with_a_dense_solve(value, weighted):
    # A zero start takes x as its residual, and a constant x on equal weights reads the first
    # product from the row counts: both must give the answer of the general route.
    rng = np.random.default_rng(11)
    A = nx.to_numpy_array(nx.barabasi_albert_graph(80, 3, seed=5))
    W = A * (rng.uniform(0.5, 1.5, A.shape) if weighted else 1.0)
    W = np.triu(W, 1) + np.triu(W, 1).T
    W *= 0.9 / dense_spectral_radius(W)
    x = np.full(80, value)
    ref = dense_total_payoffs(W, x)
    cold = total_payoffs(W, x, method="cg")
    # a start that is not zero takes the general route: one entry of it off the answer
    start = ref.copy()
    start[17] += 1.0
    warm = total_payoffs(W, x, method="cg", x0=start)
    for res in (cold, warm):
        assert res.residual <= 1e-10
        np.testing.assert_allclose(res.u, ref, rtol=1e-9, atol=1e-9 * np.max(np.abs(ref)))
    np.testing.assert_allclose(cold.u, warm.u, rtol=1e-9)


@given(st.integers(0, 2**31 - 1), st.integers(1, 40), st.sampled_from([0.0, 0.1, 0.5]),
       st.booleans(), st.sampled_from([8, 16, 256]))
@settings(max_examples=120)
def test_sliced_product_is_the_csr_product_bit_for_bit(seed, n, density, weighted, window):
    # Every row of the sliced format sums its entries in CSR order, padding reading p[n] = 0:
    # the product must equal the CSR kernel's exactly, and its p . q up to the order of the sum.
    from incnet._kernels.payoffs import (_cg_product_rows, _sliced_product_rows, row_chunks,
                                         sliced_ell_kernel)

    rng = np.random.default_rng(seed)
    W = sp.random(n, n, density=density, random_state=rng, format="csr")
    if n > 3:  # a row longer than the 127 the window sort distinguishes
        W = sp.csr_array(W + sp.csr_array((np.ones(n - 1), ([n // 2] * (n - 1), np.delete(
            np.arange(n), n // 2))), shape=(n, n)))
    W = sp.csr_array(W)
    W.sort_indices()
    indptr = W.indptr.astype(np.uint64)
    indices = W.indices.astype(np.uint32)
    data = W.data.astype(np.float64) if weighted else np.empty(0)
    weight = 1.0 if weighted else 0.37
    order, slice_ptr, cols, vals = sliced_ell_kernel(indptr, indices, data, window)
    real = order[order < n]
    assert np.array_equal(np.sort(real), np.arange(n))
    assert np.all(cols[cols >= n] == n) and int(slice_ptr[-1]) >= W.nnz
    p = np.append(rng.normal(size=n), 0.0)
    q_csr, q_sliced = np.zeros(n + 1), np.zeros(n + 1)
    pq_csr = _cg_product_rows(indptr, indices, data, weight, p, q_csr, 0, n)
    chunks = row_chunks(slice_ptr, 3)
    pq_sliced = sum(_sliced_product_rows(order, slice_ptr, cols, vals, weight, p, q_sliced,
                                         chunks[t], chunks[t + 1]) for t in range(3))
    assert np.array_equal(q_csr[:n], q_sliced[:n]) and q_sliced[n] == 0.0
    assert pq_sliced == pytest.approx(pq_csr, rel=1e-12, abs=1e-12)


def test_cg_reads_the_sliced_format_or_csr_alike(ba, monkeypatch):
    # The sliced format is used up to _SLICED_MAX_NODES; forcing the CSR route must give the
    # same payoffs (the products agree bit for bit, the inner products up to their order).
    import incnet.payoffs as payoffs_module

    A, rho = ba
    x = np.linspace(1.0, 2.0, A.shape[0])
    sliced_net = IncentiveNetwork.from_scipy(A * (0.9 / rho))
    sliced = total_payoffs(sliced_net, x)
    assert sliced.method == "cg" and "payoffs.sliced" in sliced_net._cache
    monkeypatch.setattr(payoffs_module, "_SLICED_MAX_NODES", 0)
    csr_net = IncentiveNetwork.from_scipy(A * (0.9 / rho))
    csr = total_payoffs(csr_net, x)
    assert "payoffs.sliced" not in csr_net._cache
    assert abs(sliced.iterations - csr.iterations) <= 1
    np.testing.assert_allclose(sliced.u, csr.u, rtol=1e-9)
    assert np.linalg.norm(x - sliced.u + csr_net.W @ sliced.u) <= 1.0001e-10 * np.linalg.norm(x)


def test_cg_refuses_asymmetric_networks():
    directed = IncentiveNetwork.from_networkx(nx.gn_graph(30, seed=2), scale=0.3)
    with pytest.raises(InvalidInputError, match="symmetric"):
        total_payoffs(directed, np.ones(30), method="cg")


def test_cg_reports_a_miss_with_its_true_residual():
    W = nx.to_numpy_array(nx.path_graph(40)) * 0.49
    with pytest.raises(incnet.ConvergenceError) as err:
        total_payoffs(W, np.ones(40), method="cg", max_iter=3)
    assert err.value.residual > 1e-10
    u = err.value.last_iterate
    r = np.ones(40) - u + W @ u
    assert err.value.residual == pytest.approx(np.linalg.norm(r) / np.sqrt(40), rel=1e-6)


# ----------------------------------------------------------------------- symmetry check
@given(st.integers(0, 2**31 - 1), st.integers(1, 14), st.sampled_from([0.0, 0.2, 0.6]),
       st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=150)
def test_symmetry_kernel_matches_the_transpose(seed, n, density, mirror, unit, perturb):
    rng = np.random.default_rng(seed)
    A = sp.random(n, n, density=density, random_state=rng, format="csr")
    if mirror:
        A = A + A.T
    A = sp.csr_array(A)
    A.setdiag(0)
    A.eliminate_zeros()
    if unit:
        A.data[:] = 1.0
    if perturb and A.nnz:
        A.data[rng.integers(A.nnz)] += 1.0
    A.sum_duplicates()
    A.sort_indices()
    expected = (abs(A - A.T)).nnz == 0
    assert bool(is_symmetric_kernel(A.indptr, A.indices, A.data)) == expected
    # in column ranges of a few entries: the same answer
    assert bool(is_symmetric_kernel(A.indptr, A.indices, A.data, 3)) == expected
    assert IncentiveNetwork.from_scipy(A).is_symmetric == expected


def test_symmetry_kernel_on_a_large_network(ba):
    A, _ = ba
    assert IncentiveNetwork.from_scipy(A).is_symmetric  # the kernel route (nnz >= 200,000)
    B = A.copy()
    B.data[B.indptr[7]] = 2.0  # one weight of one direction
    assert not IncentiveNetwork.from_scipy(B).is_symmetric
    C = sp.csr_array(sp.triu(A, 1) + sp.tril(A, -1) * 1.0)
    C = sp.csr_array(C)
    C.data[C.indices < 3] = 0.0  # drop links to nodes 0..2 in one direction only
    C.eliminate_zeros()
    assert not IncentiveNetwork.from_scipy(C).is_symmetric


def _fingerprint(A, chunks=1, parallel=False):
    uniform = A.nnz == 0 or bool(np.all(A.data == A.data[0]))
    bits = np.empty(0, dtype=np.uint64) if uniform else A.data.astype(np.float64).view(np.uint64)
    bits.flags.writeable = False  # as the library passes them: one compiled specialisation
    return symmetry_fingerprint_kernel(A.indptr.astype(np.uint64), A.indices.astype(np.uint32), bits,
                                       chunks, parallel)


@given(st.integers(0, 2**31 - 1), st.integers(1, 14), st.sampled_from([0.0, 0.2, 0.6]),
       st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=150)
def test_symmetry_fingerprint_is_zero_exactly_for_symmetric_matrices(seed, n, density, mirror, unit,
                                                                     perturb):
    # The exact check (the transpose by scipy) is the independent route. A non-zero fingerprint is
    # a proof of asymmetry; a zero one for an asymmetric matrix would be a 64-bit hash collision.
    rng = np.random.default_rng(seed)
    A = sp.random(n, n, density=density, random_state=rng, format="csr")
    if mirror:
        A = A + A.T
    A = sp.csr_array(A)
    if unit:
        A.data[:] = 1.0
    if perturb and A.nnz:
        A.data[rng.integers(A.nnz)] *= 2.0
    A.eliminate_zeros()
    A.sum_duplicates()
    A.sort_indices()
    symmetric = (abs(A - A.T)).nnz == 0
    value = _fingerprint(A)
    assert (value == 0) == symmetric
    # chunks and threads change the order of a sum modulo 2**64, never its value
    assert _fingerprint(A, chunks=4, parallel=True) == value


def test_symmetry_hint_on_a_large_network(ba):
    A, _ = ba
    net = IncentiveNetwork.from_scipy(A)
    assert net._symmetry_hint is True and "is_symmetric" not in net._cache
    assert net.is_symmetric  # the exact check agrees, and then the hint is the exact answer
    B = A.copy()
    B.data[B.indptr[7]] = 2.0  # one weight of one direction
    asym = IncentiveNetwork.from_scipy(B)
    assert asym._symmetry_hint is False and asym._cache["is_symmetric"] is False  # a proof
    # carried by scaling (the fingerprint of c W is zero iff that of W is)
    assert net.scaled(0.1)._symmetry_hint is True
    assert asym.scaled(0.1)._cache["is_symmetric"] is False


def test_a_wrong_symmetry_hint_costs_time_never_the_answer(monkeypatch):
    # A directed network the fingerprint would call symmetric (forced here: a real collision is a
    # 2**-64 event): auto tries CG, whose answer is accepted only by its true residual, then
    # makes the exact check and solves the network as directed. Checked against sparse LU.
    rng = np.random.default_rng(11)
    n = 30_000
    D = sp.random(n, n, density=8.0 / n, random_state=rng, format="csr")
    D.setdiag(0)
    D.eliminate_zeros()
    D = sp.csr_array(D)
    net = IncentiveNetwork.from_scipy(D)
    assert net.nnz >= 200_000
    net = net.row_normalized(0.9)
    # (the exact answer, once known, still wins: as in the real property)
    monkeypatch.setattr(IncentiveNetwork, "_symmetry_hint",
                        property(lambda self: self._cache.get("is_symmetric", True)))
    x = rng.random(n)
    res = total_payoffs(net, x)
    assert res.residual <= 1e-10 and net._cache["is_symmetric"] is False
    assert res.method in ("cg", "neumann", "krylov")
    # independent: the definition u = x + W u, by a scipy product
    assert np.linalg.norm(x - res.u + net.W @ res.u) <= 1.0001e-10 * np.linalg.norm(x)
    # a warm start is carried to the directed route unchanged
    warm = total_payoffs(IncentiveNetwork.from_scipy(net.W), x, x0=res.u)
    assert warm.residual <= 1e-10 and warm.iterations <= 1


def test_threads_or_not_the_answer_is_the_same(ba, monkeypatch):
    # The kernels run on threads only when cores are idle; force both routes and compare bits.
    import incnet.network as network_module
    import incnet.payoffs as payoffs_module

    A, rho = ba
    x = np.linspace(0.0, 1.0, A.shape[0])
    results = []
    for allowed in (True, False):
        monkeypatch.setattr(network_module, "_threads_pay", lambda: allowed)
        monkeypatch.setattr(payoffs_module, "_threads_pay", lambda: allowed)
        fresh = IncentiveNetwork.from_scipy(A * (0.5 / rho))
        results.append((total_payoffs(fresh, x), total_payoffs(fresh, x, method="chebyshev"),
                        fresh._cache["rho_upper_bound"]))
    (cg_t, cheb_t, bound_t), (cg_s, cheb_s, bound_s) = results
    assert np.array_equal(cg_t.u, cg_s.u) and cg_t.iterations == cg_s.iterations
    assert np.array_equal(cheb_t.u, cheb_s.u) and bound_t == bound_s


def test_a_thread_count_chosen_by_the_user_overrides_the_idle_core_rule():
    import incnet
    from incnet import network as network_module

    from incnet._threads import chosen_threads

    with incnet.threads(1):
        assert network_module._threads_pay() is False
        with incnet.threads(min(2, __import__("numba").config.NUMBA_NUM_THREADS)) as n:
            assert network_module._threads_pay() is (n > 1)
        assert network_module._threads_pay() is False
    assert chosen_threads() is None  # outside every block the machine's load decides again


def test_threads_pay_when_two_cores_are_free_of_other_work(monkeypatch):
    from incnet import network as network_module

    monkeypatch.setattr(network_module, "_usable_cores", lambda: 4)
    for others, pays in ((0, True), (2, True), (3, False), (None, None)):
        monkeypatch.setattr(network_module, "_busy_elsewhere", lambda others=others: others)
        if pays is not None:
            assert network_module._threads_pay() is pays
    monkeypatch.setattr(network_module, "_usable_cores", lambda: 1)
    monkeypatch.setattr(network_module, "_busy_elsewhere", lambda: 0)
    assert network_module._threads_pay() is False  # one core: nothing to split over
    # the live count: this process's own threads are never "other work", and it is a count
    busy = network_module._busy_elsewhere()
    assert busy is None or (isinstance(busy, int) and busy >= 0)
