"""Objects cross process boundaries; kernels survive fork or say why; thread counts per context."""

import copy
import pickle
import subprocess
import sys
import textwrap
import threading

import networkx as nx
import numpy as np
import pytest

import incnet
from incnet import IncentiveNetwork
from incnet.mechanisms import FinderOnly, RecursiveSplit


@pytest.fixture(scope="module")
def karate():
    return IncentiveNetwork.from_networkx(nx.karate_club_graph(), scale=0.05)


# ---------------------------------------------------------------- pickling networks
def test_network_pickles_as_its_arrays_with_sound_facts(karate):
    rho = karate.spectral_radius
    incnet.total_payoffs(karate, np.ones(karate.n))  # fills operator caches too
    scaled = karate.scaled(0.5)
    for net in (karate, scaled):
        back = pickle.loads(pickle.dumps(net))
        assert back.nodes == net.nodes
        assert (back.W != net.W).nnz == 0
        assert back.W.has_sorted_indices
        for arr in (back.W.data, back.W.indices, back.W.indptr):
            assert not arr.flags.writeable
        # facts travel, objects tied to this process do not
        assert set(back._cache) <= {"spectral_radius", "row_sum_bound", "rho_upper_bound", "is_symmetric",
                                    "is_nonnegative", "lambda_min", "ordering"}
        assert "payoffs.operator" not in back._cache and "scaled_from" not in back._cache
        # the lock is a fresh one, and the network works as before
        assert back._lock is not net._lock
        np.testing.assert_allclose(incnet.total_payoffs(back, np.ones(net.n)).u,
                                   incnet.total_payoffs(net, np.ones(net.n)).u, rtol=1e-12)
    assert pickle.loads(pickle.dumps(karate))._cache["spectral_radius"] == rho
    assert pickle.loads(pickle.dumps(scaled)).spectral_radius == pytest.approx(0.5 * rho, rel=1e-12)


def test_network_pickle_is_small_and_deepcopy_works(karate):
    assert len(pickle.dumps(karate)) < 12 * karate.nnz + 2000
    clone = copy.deepcopy(karate)
    assert clone.nodes == karate.nodes and (clone.W != karate.W).nnz == 0


def test_labelled_network_round_trip():
    net = IncentiveNetwork.from_networkx(nx.path_graph(["a", "b", "c"]), scale=0.3)
    back = pickle.loads(pickle.dumps(net))
    assert back.nodes == ("a", "b", "c") and back.node_index == {"a": 0, "b": 1, "c": 2}


@pytest.mark.parametrize("mech", [FinderOnly(100.0), RecursiveSplit(2000.0, 0.5)], ids=repr)
def test_mechanisms_pickle(mech):
    back = pickle.loads(pickle.dumps(mech))
    np.testing.assert_array_equal(back.chain_payments(5), mech.chain_payments(5))


# ---------------------------------------------------------------- read-only results
def test_result_arrays_are_read_only_and_stay_so_after_pickling(karate):
    res = incnet.linear_quadratic(karate, 1.0, 0.1)
    with pytest.raises(ValueError, match="read-only"):
        res.x[0] = 5.0
    back = pickle.loads(pickle.dumps(res))
    np.testing.assert_array_equal(back.x, res.x)
    assert not back.x.flags.writeable
    # the caller's own arrays are not frozen by being put in a result
    mine = np.arange(3.0)
    r = incnet.PayoffResult(u=mine, converged=True, iterations=0, residual=0.0, method="direct")
    assert mine.flags.writeable and not r.u.flags.writeable


def test_simulation_result_pickles_and_is_read_only():
    res = incnet.simulate_recruitment(nx.karate_club_graph(), [10.0, 5.0], initial=[0], targets=1,
                                      response=0.5, horizon=3, n_runs=20, rng=3)
    with pytest.raises(ValueError):
        res.paid[0] = 1.0
    back = pickle.loads(pickle.dumps(res))
    np.testing.assert_array_equal(back.found_time, res.found_time)
    assert back.success_rate == res.success_rate and not back.paid.flags.writeable


# ---------------------------------------------------------------- threads
def test_threads_context_is_thread_local_and_restores():
    import numba

    before = numba.get_num_threads()
    seen = {}

    def other():
        seen["other"] = numba.get_num_threads()

    with incnet.threads(1) as n:
        assert n == 1 and numba.get_num_threads() == 1
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert numba.get_num_threads() == before
    assert seen["other"] == numba.config.NUMBA_NUM_THREADS  # a new thread starts at the default
    with pytest.raises(incnet.InvalidInputError, match="n_threads"):
        with incnet.threads(numba.config.NUMBA_NUM_THREADS + 1):
            pass
    with pytest.raises(incnet.InvalidInputError):
        with incnet.threads(0):
            pass


def test_simulation_does_not_depend_on_thread_count():
    G = nx.barabasi_albert_graph(200, 3, seed=4)
    kwargs = dict(initial=3, targets=2, response=0.4, horizon=4, n_runs=64, rng=11)
    with incnet.threads(1):
        one = incnet.simulate_recruitment(G, [10.0, 5.0, 2.5], **kwargs)
    many = incnet.simulate_recruitment(G, [10.0, 5.0, 2.5], **kwargs)
    np.testing.assert_array_equal(one.found_time, many.found_time)
    np.testing.assert_array_equal(one.participants, many.participants)


# ---------------------------------------------------------------- fork
FORK_SCRIPT = textwrap.dedent("""
    import multiprocessing as mp
    import networkx as nx, numpy as np, incnet

    G = nx.barabasi_albert_graph(300, 3, seed=1)

    def sim():
        return incnet.simulate_recruitment(G, [10.0, 5.0], initial=2, targets=1, response=0.5,
                                           horizon=2, n_runs=50, rng=1).success_rate

    def pay():
        net = incnet.IncentiveNetwork.from_networkx(G).row_normalized(0.5)
        return float(incnet.total_payoffs(net, np.ones(300)).u.sum())

    def solver():
        net = incnet.IncentiveNetwork.from_networkx(G).row_normalized(0.5)
        return float(incnet.PayoffSolver(net, method="direct").solve(np.ones(300)).u.sum())

    def attempt(f):
        try:
            return f()
        except incnet.ForkedThreadPoolError as e:
            return "ForkedThreadPoolError" if "forkserver" in str(e) else str(e)

    def child(q):
        q.put([solver(), attempt(pay), attempt(sim)])

    if __name__ == "__main__":
        from numba.np.ufunc import parallel
        expected = [solver(), pay(), sim()]
        ctx = mp.get_context("fork")
        q = ctx.Queue()
        p = ctx.Process(target=child, args=(q,))
        p.start()
        got = q.get(timeout=120)
        p.join()
        gnu = parallel._threading_layer == "omp"
        refused = "ForkedThreadPoolError"
        print(gnu, abs(got[0] - expected[0]) < 1e-9 * expected[0],
              got[1:] == ([refused, refused] if gnu else expected[1:]))
""")


@pytest.mark.skipif(sys.platform != "linux", reason="fork and GNU OpenMP are a Linux matter")
def test_fork_after_parallel_kernels_works_or_raises_clearly(tmp_path):
    script = tmp_path / "fork_child.py"
    script.write_text(FORK_SCRIPT)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                         cwd=str(tmp_path), env={**__import__("os").environ,
                                                 "PYTHONPATH": str(__import__("pathlib").Path(incnet.__file__).parents[1])})
    assert out.returncode == 0, out.stderr
    gnu, solver_same, kernels_ok = out.stdout.split()[-3:]
    assert solver_same == "True" and kernels_ok == "True"
