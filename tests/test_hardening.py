"""Hardening of the public boundary: invalid structure, extreme values and mutation attempts.

Every case here once crashed the interpreter, hung, or returned a wrong answer marked as
converged. The contract: incnet's own exception naming the offending value, or a correct result.
"""

import subprocess
import sys

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import incnet
from incnet import IncentiveNetwork, total_payoffs
from incnet.equilibria import linear_quadratic
from incnet.errors import ConvergenceError, IllPosedNetworkError, InvalidInputError


def _path(scale=0.3):
    return IncentiveNetwork.from_networkx(nx.path_graph(3), scale=scale)


# --------------------------------------------------------------------------- CSR structure
def _raw_csr(data, indices, indptr, shape=(3, 3)):
    # Bypass scipy's own (partial) checks the way a user assembling arrays by hand can.
    A = sp.csr_array((np.array([1.0]), np.array([0]), np.array([0, 1, 1, 1])), shape=shape)
    A.data, A.indices, A.indptr = np.asarray(data), np.asarray(indices), np.asarray(indptr)
    return A


@pytest.mark.parametrize(
    "data, indices, indptr, match",
    [
        ([0.3], [7], [0, 1, 1, 1], "column index 7"),
        ([0.3], [-1], [0, 1, 1, 1], "column index -1"),
        ([0.3, 0.2], [1, 2], [0, 2, 1, 2], "must not decrease"),
        ([0.3], [1], [0, 1, 1], "indptr has length 3"),
        ([0.3], [1], [1, 1, 1, 1], "start at 0"),
        ([0.3], [1], [0, 1, 1, 5], "indptr\\[-1\\] = 5"),
        ([0.3], [1.0], [0, 1, 1, 1], "integer array"),
    ],
)
def test_invalid_csr_structure_raises_before_any_kernel(data, indices, indptr, match):
    A = _raw_csr(data, indices, indptr)
    with pytest.raises(InvalidInputError, match=match):
        IncentiveNetwork(A)
    with pytest.raises(InvalidInputError, match=match):
        total_payoffs(A, 1.0)


def test_invalid_csr_does_not_crash_a_fresh_process():
    # The original report: this segfaulted on first use (even repr).
    code = (
        "import numpy as np, scipy.sparse as sp, incnet\n"
        "A = sp.csr_array((np.array([.3]), np.array([7]), np.array([0, 1, 1, 1])), shape=(3, 3))\n"
        "try:\n    incnet.IncentiveNetwork(A)\nexcept incnet.InvalidInputError as e:\n    print('OK', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("OK") and "7" in out.stdout


def test_unsorted_and_duplicate_csr_entries_are_summed():
    A = _raw_csr([0.1, 0.2, 0.3], [2, 1, 2], [0, 3, 3, 3])
    net = IncentiveNetwork(A)
    np.testing.assert_array_equal(net.W.toarray()[0], [0.0, 0.2, 0.4])
    assert net.W.has_canonical_format


def test_coo_out_of_range_raises():
    A = sp.coo_array((np.array([1.0]), (np.array([0]), np.array([1]))), shape=(3, 3))
    A.col[0] = 5
    with pytest.raises(InvalidInputError, match="column index 5"):
        IncentiveNetwork(A)


def test_string_and_object_matrices_refused():
    with pytest.raises(InvalidInputError, match="numeric"):
        IncentiveNetwork.from_dense([["0", "0.5"], ["0.5", "0"]])
    with pytest.raises(InvalidInputError, match="numeric"):
        IncentiveNetwork.from_dense(np.array([[0, "0.5"], [0.5, 0]], dtype=object))


# --------------------------------------------------------------------------- scalars
@pytest.mark.parametrize("bad", [True, np.True_, "10", b"10", 10.5, float("nan"), [10]])
def test_integer_parameters_refuse_non_integers(bad):
    with pytest.raises(InvalidInputError, match="max_iter"):
        total_payoffs(_path(), 1.0, max_iter=bad)


@pytest.mark.parametrize("huge", [2**63, 2**62 + 1, 10**30])
def test_integer_parameters_bounded_to_what_a_kernel_counts(huge):
    with pytest.raises(InvalidInputError, match=str(huge)):
        total_payoffs(_path(), 1.0, max_iter=huge)


@pytest.mark.parametrize("bad", [True, "1e-10", b"1", np.bool_(False), np.array([1e-10])])
def test_real_parameters_refuse_bools_and_strings(bad):
    with pytest.raises(InvalidInputError, match="tol"):
        total_payoffs(_path(), 1.0, tol=bad)


def test_real_parameters_accept_numpy_scalars():
    res = total_payoffs(_path(), 1.0, tol=np.float32(1e-8), max_iter=np.int16(500))
    assert res.converged and res.residual <= 1e-8


@pytest.mark.parametrize("bad", [[True, False, True], ["1", "2", "3"], np.array(["1", "2", "3"])])
def test_vectors_refuse_bools_and_strings(bad):
    with pytest.raises(InvalidInputError, match="x"):
        total_payoffs(_path(), bad)


def test_scale_and_delta_refuse_strings():
    with pytest.raises(InvalidInputError, match="scale"):
        IncentiveNetwork.from_networkx(nx.path_graph(3), scale="0.5")
    with pytest.raises(InvalidInputError, match="delta"):
        linear_quadratic(_path(1.0), 1.0, "0.2")
    with pytest.raises(InvalidInputError, match="factor"):
        _path().scaled(True)


# --------------------------------------------------------------------------- overflow
@pytest.mark.parametrize("method", ["auto", "neumann", "chebyshev", "krylov", "direct"])
@pytest.mark.parametrize("size", [1e155, 1e300, 1e-300])
def test_huge_and_tiny_payoffs_are_solved_not_zeroed(method, size):
    net = _path()
    x = np.array([1.0, -2.0, 3.0]) * size
    res = total_payoffs(net, x, method=method)
    assert res.converged and np.isfinite(res.residual) and res.residual <= 1e-10
    W = net.W.toarray()
    expected = np.linalg.solve(np.eye(3) - W, np.array([1.0, -2.0, 3.0])) * size
    np.testing.assert_allclose(res.u, expected, rtol=1e-9)


def test_payoffs_beyond_float64_raise():
    with pytest.raises(ConvergenceError, match="float64 range"):
        total_payoffs(_path(0.49), np.full(3, 1e308))


def test_overflowing_warm_start_is_a_failure_not_a_nan_answer():
    with pytest.raises(ConvergenceError, match="overflow") as info:
        total_payoffs(_path(), 1.0, x0=[1e308] * 3, method="chebyshev")
    assert not info.value.residual <= 1e-10


@pytest.mark.parametrize("weight", [1e308, 1e200, 1e160])
def test_huge_weights_are_ill_posed_not_converged(weight):
    net = _path(weight)
    with pytest.raises(IllPosedNetworkError):
        total_payoffs(net, 1.0)
    assert net.spectral_radius == pytest.approx(weight * np.sqrt(2), rel=1e-12)


def test_tiny_weights_have_an_exact_spectral_radius():
    assert _path(1e-200).spectral_radius == pytest.approx(1e-200 * np.sqrt(2), rel=1e-12)


def test_scaling_that_overflows_is_refused():
    with pytest.raises(InvalidInputError, match="overflows"):
        _path(1.0).scaled(1e308).scaled(10)


@given(st.integers(0, 2**31 - 1), st.sampled_from([1e-300, 1e-160, 1e-5, 0.5, 3.0, 1e150, 1e300]),
       st.booleans(), st.booleans())
@settings(max_examples=80)
def test_scaling_checks_every_weight_by_the_extremes(seed, factor, negative, uniform):
    # scaled() checks only min and max |w| times |factor| (rounding is monotone); the element-wise
    # product is the independent route: it refuses exactly when some product is inf or 0.
    rng = np.random.default_rng(seed)
    n = 6
    W = np.triu(rng.random((n, n)) < 0.5, 1).astype(float)
    W = W + W.T
    if not uniform:
        W[W != 0] = 10.0 ** rng.uniform(-160, 160, size=int(np.count_nonzero(W)))
    net = IncentiveNetwork.from_dense(W)
    if uniform:
        assert net._uniform_weight == 1.0 or net.nnz == 0
    factor = -factor if negative else factor
    with np.errstate(over="ignore", under="ignore"):
        product = net.W.data * factor
    if not np.all(np.isfinite(product)):
        with pytest.raises(InvalidInputError, match="overflows"):
            net.scaled(factor)
    elif not np.all(product != 0):
        with pytest.raises(InvalidInputError, match="underflows"):
            net.scaled(factor)
    else:
        scaled = net.scaled(factor)
        assert np.array_equal(scaled.W.data, product)
        if scaled.nnz:
            magnitude = np.abs(scaled.W.data)
            assert scaled._abs_weight_range == (magnitude.min(), magnitude.max())
            common = scaled._cache.get("uniform_weight")
            assert common is None or np.all(scaled.W.data == common)
        assert scaled.nodes is net.nodes  # the labels are carried, not validated again


def test_linear_quadratic_at_huge_alpha():
    net = _path(1.0)
    res = linear_quadratic(net, 1e160, 0.5)
    expected = np.linalg.solve(np.eye(3) - 0.5 * net.W.toarray(), np.ones(3)) * 1e160
    np.testing.assert_allclose(res.x, expected, rtol=1e-9)
    assert res.converged and np.isfinite(res.residual)


def test_payoff_influence_at_huge_scale_of_weights():
    with pytest.raises(IllPosedNetworkError):
        incnet.payoff_influence(_path(1e300), 0)


# --------------------------------------------------------------------------- immutability
def test_matrix_arrays_cannot_be_written_or_replaced():
    net = _path()
    rho = net.spectral_radius
    for name in ("data", "indices", "indptr"):
        with pytest.raises(ValueError):
            getattr(net.W, name)[0] = 5
        with pytest.raises(AttributeError, match="read-only"):
            setattr(net.W, name, getattr(net.W, name).copy())
    assert net.spectral_radius == rho
    copy = net.to_scipy()
    copy.data = copy.data * 10  # a copy is the user's own
    copy.data[0] = 3.0
    assert net.spectral_radius == rho and net.W.data[0] == 0.3


def test_node_index_cannot_corrupt_the_cache():
    net = IncentiveNetwork.from_networkx(nx.path_graph(["a", "b", "c"]), scale=0.3)
    with pytest.raises(TypeError):
        net.node_index["a"] = 2
    before = incnet.payoff_influence(net, "a").u
    assert before[0] > before[2]
    private = dict(net.node_index)
    private["a"] = 2
    np.testing.assert_array_equal(incnet.payoff_influence(net, "a").u, before)


def test_derived_matrices_are_ordinary_writable_arrays():
    net = _path()
    for derived in (net.W.copy(), 2 * net.W, net.W[[0, 1]]):
        derived.data[...] = 1.0
    assert np.all(net.W.data == 0.3)


def test_frozen_matrix_survives_pickling():
    import pickle

    net = _path()
    W = pickle.loads(pickle.dumps(net.W))
    assert not W.data.flags.writeable
    with pytest.raises(AttributeError):
        W.data = W.data * 2


# --------------------------------------------------------------------------- symmetry
@pytest.mark.parametrize("kernel_from", [0, 10**9])  # the no-memory kernel, the transpose route
def test_symmetry_check_matches_the_definition(kernel_from, monkeypatch):
    import incnet.network as network_module

    monkeypatch.setattr(network_module, "_SYMMETRY_KERNEL_NNZ", kernel_from)
    rng = np.random.default_rng(5)
    for trial in range(20):
        A = sp.random_array((30, 30), density=0.1, rng=rng, format="csr")
        A.setdiag(0)
        S = A + A.T
        if trial % 3 == 0 and S.nnz:
            S = S.tolil()
            i, j = map(int, np.argwhere(S.toarray())[0])
            S[i, j] = S[i, j] * (1 + 1e-15) if trial % 2 else S[i, j] + 1
        net = IncentiveNetwork(sp.csr_array(S))
        dense = net.W.toarray()
        assert net.is_symmetric == bool(np.array_equal(dense, dense.T))
        M = IncentiveNetwork(A)
        assert M.is_symmetric == bool(np.array_equal(A.toarray(), A.toarray().T))


# --------------------------------------------------------------------------- simulate boundary
def _sim(**kw):
    from incnet.simulate import simulate_recruitment

    args = dict(initial=[0], targets=[4], response=1.0, horizon=4, n_runs=3, rng=0)
    args.update(kw)
    net = args.pop("net", nx.path_graph(5))
    return simulate_recruitment(net, [1.0, 0.5], **args)


@pytest.mark.parametrize("targets", [None, True, np.True_])
def test_targets_none_or_bool_is_refused(targets):
    with pytest.raises(InvalidInputError, match="targets"):
        _sim(targets=targets)


@pytest.mark.parametrize("seeds", [2**63, True, None, 6])
def test_bad_seed_counts_on_a_graph(seeds):
    with pytest.raises(InvalidInputError, match="initial"):
        _sim(initial=seeds)


def test_branching_seeds_beyond_the_participant_cap():
    import scipy.stats

    with pytest.raises(InvalidInputError, match="initial"):
        _sim(net=None, offspring=scipy.stats.poisson(1.0), initial=2**63, targets=0.1)
    with pytest.raises(InvalidInputError, match="max_participants"):
        _sim(net=None, offspring=scipy.stats.poisson(1.0), initial=50, targets=0.1, max_participants=10)


def test_branching_huge_horizon_is_clamped_before_any_allocation():
    import time

    import scipy.stats

    start = time.perf_counter()
    res = _sim(net=None, offspring=scipy.stats.poisson(0.5), initial=1, targets=0.1, horizon=10**9,
               max_participants=1000)
    assert res.incentives.horizon <= 5000 and time.perf_counter() - start < 30


@pytest.mark.parametrize(
    "delay, match",
    [(("fixed", 1e308), "fixed delay"), (("exponential", 1e300), "delay mean"), (1e300, "delay"),
     (("lognormal", 1.0, 1e3), "sigma"), (("fixed", "1"), "fixed delay"), (("fixed", True), "fixed delay"),
     (("fixed", float("nan")), "fixed delay")],
)
def test_delays_that_would_overflow_the_clock_are_refused(delay, match):
    with pytest.raises(InvalidInputError, match=match):
        _sim(delay=delay)


def test_largest_accepted_fixed_delay_keeps_times_finite():
    res = _sim(delay=("fixed", 1e280))
    assert res.success.all() and np.all(np.isfinite(res.found_time))
    np.testing.assert_allclose(res.found_time[:, 0], 4e280)


# --------------------------------------------------------------------------- bounded work
def test_chain_lengths_are_bounded():
    from incnet.mechanisms import FinderOnly, RecursiveSplit

    for mech in (FinderOnly(1.0), RecursiveSplit(1.0, 0.5)):
        with pytest.raises(InvalidInputError, match="length"):
            mech.chain_payments(2**63)
        with pytest.raises(InvalidInputError, match="length"):
            mech.chain_payments(10**8)
        with pytest.raises(InvalidInputError, match="max_length"):
            mech.chain_totals(10**10)
    assert RecursiveSplit(1.0, 0.5).chain_totals(3).tolist() == [1.0, 1.5, 1.75]


def test_exhaustive_property_search_refuses_with_an_estimate():
    from incnet.mechanisms import RecursiveSplit, check_budget

    with pytest.raises(InvalidInputError, match=r"about [0-9.e+]+ payments.*up to 8 nodes"):
        check_budget(RecursiveSplit(1.0, 0.5), max_nodes=12)
    with pytest.raises(InvalidInputError, match="max_chain"):
        check_budget(RecursiveSplit(1.0, 0.5), max_chain=10**6)
    with pytest.raises(InvalidInputError, match="n_random"):
        check_budget(RecursiveSplit(1.0, 0.5), n_random=10**9)
    assert check_budget(RecursiveSplit(1.0, 0.5), max_nodes=3, n_random=2).holds


def test_optimal_split_starts_bounded():
    import scipy.stats

    from incnet.design import RecruitmentModel, optimal_split
    from incnet.simulate import ThresholdResponse

    model = RecruitmentModel(scipy.stats.poisson(3.0), ThresholdResponse(0.1, 0.5, 10.0),
                             find_probability=0.01, horizon=3, initial=5)
    with pytest.raises(InvalidInputError, match="starts"):
        optimal_split(model, 4000.0, starts=10**9)


# --------------------------------------------------------------------------- memory-lean paths
@pytest.mark.parametrize("cycle_nodes", [300, 700])  # extracted block / masked operator
def test_directed_spectral_radius_ignores_links_between_components(cycle_nodes):
    rng = np.random.default_rng(cycle_nodes)
    n = cycle_nodes + 200
    A = np.zeros((n, n))
    # a strongly connected core (a cycle plus random chords) ...
    core = np.arange(cycle_nodes)
    A[core, np.roll(core, -1)] = rng.uniform(0.2, 1.0, cycle_nodes)
    chords = rng.integers(0, cycle_nodes, (2, 3 * cycle_nodes))
    A[chords[0], chords[1]] = rng.uniform(0.0, 0.3, chords.shape[1])
    # ... a long acyclic chain feeding it, and a separate 2-cycle
    chain = np.arange(cycle_nodes, n - 2)
    A[chain[:-1], chain[1:]] = 5.0
    A[chain[-1], 0] = 5.0
    A[n - 2, n - 1] = A[n - 1, n - 2] = 0.05
    np.fill_diagonal(A, 0.0)
    net = IncentiveNetwork.from_dense(A)
    core_block = A[:cycle_nodes, :cycle_nodes]
    expected = max(np.max(np.abs(np.linalg.eigvals(core_block))), 0.05)
    assert net.spectral_radius == pytest.approx(expected, rel=1e-8)


def test_operator_built_in_place_matches_the_permuted_matrix():
    from incnet._kernels.payoffs import permuted_csr_kernel

    rng = np.random.default_rng(3)
    A = sp.random_array((400, 400), density=0.03, rng=rng, format="csr")
    A.setdiag(0)
    A.eliminate_zeros()
    perm = rng.permutation(400)
    indptr = np.empty(401, dtype=np.uint64)
    indices = np.empty(A.nnz, dtype=np.uint32)
    data = np.empty(A.nnz)
    permuted_csr_kernel(A.indptr, A.indices, A.data, perm, indptr, indices, data)
    B = sp.csr_array((data, indices.astype(np.int64), indptr.astype(np.int64)), shape=A.shape)
    expected = A[perm][:, perm].toarray()
    np.testing.assert_array_equal(B.toarray(), expected)
    for r in range(400):
        row = indices[indptr[r]:indptr[r + 1]]
        assert np.all(np.diff(row.astype(np.int64)) > 0)


def test_large_networks_reorder_and_solve_the_same(monkeypatch):
    import incnet.payoffs as payoffs_module

    G = nx.barabasi_albert_graph(3000, 3, seed=4)
    W = nx.to_scipy_sparse_array(G, format="csr") * np.random.default_rng(1).uniform(0.5, 1, 1)[0]
    net = IncentiveNetwork(W).row_normalized(0.9)
    x = np.random.default_rng(2).normal(size=3000)
    plain = total_payoffs(net, x, method="neumann", tol=1e-12)
    monkeypatch.setattr(payoffs_module, "_REORDER_NODES", 100)
    fresh = IncentiveNetwork(net.W.copy())
    # the one-shot function never reorders; a solver object does (its solves amortise it)
    total_payoffs(fresh, x, method="neumann", tol=1e-12)
    assert payoffs_module._operator(fresh).perm is None and "ordering" not in fresh._cache
    reordered = incnet.PayoffSolver(fresh, method="neumann", tol=1e-12).solve(x)
    assert payoffs_module._operator(fresh, ordered=True).perm is not None
    np.testing.assert_allclose(reordered.u, plain.u, rtol=1e-10, atol=1e-12)


def test_indices_are_stored_in_32_bits():
    A = sp.csr_array(np.array([[0, 1.0], [2.0, 0]]))
    A.indices, A.indptr = A.indices.astype(np.int64), A.indptr.astype(np.int64)
    net = IncentiveNetwork(A)
    assert net.W.indices.dtype == np.int32 and net.W.indptr.dtype == np.int32


def test_networks_beyond_32_bit_node_indices_are_refused():
    A = sp.coo_array(([1.0], ([0], [1])), shape=(2**40, 2**40))  # cheap to build, not to convert
    with pytest.raises(InvalidInputError, match="at most 2147483646 nodes"):
        IncentiveNetwork(A)
