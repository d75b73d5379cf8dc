"""Long kernels stop on Ctrl-C within about a second and a progress callback can cancel them.

The interrupt tests run a computation that would take minutes in a fresh process, send it
SIGINT once it is inside the kernel, and time how long it takes to exit with KeyboardInterrupt.
"""

import os
import signal
import subprocess
import sys
import time

import networkx as nx
import numpy as np
import pytest

import incnet
from incnet import CancelledError, IncentiveNetwork, total_payoffs
from incnet.simulate import independent_cascade, simulate_recruitment

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

_SETUP = """
import sys, time
import networkx as nx
import numpy as np, scipy.sparse as sp
import incnet
from incnet.simulate import independent_cascade, simulate_recruitment
rng = np.random.default_rng(0)
n = 100_000
A = sp.random_array((n, n), density=8 / n, rng=rng, format="csr")
A.data[:] = 1.0
A = A + A.T
A.setdiag(0)
net = incnet.IncentiveNetwork(A)
"""

_WORK = {
    # about 10 ms a run: 10**6 runs would take hours
    "cascade": ("independent_cascade(net, 5, 0.5, n_runs=5, rng=0)",
                "independent_cascade(net, 5, 0.5, n_runs=10**6, rng=0)"),
    "recruitment": ("simulate_recruitment(net, [1.0, 0.5, 0.25], initial=5, targets=3, response=0.9, "
                    "horizon=12, n_runs=5, rng=0)",
                    "simulate_recruitment(net, [1.0, 0.5, 0.25], initial=5, targets=3, response=0.9, "
                    "horizon=12, n_runs=10**6, rng=0)"),
    # 2^24 supports, about a minute of elimination in the kernel
    "enumeration": ("incnet.all_equilibria(nx.gnp_random_graph(8, 0.5, seed=1), 1.0, 0.7)",
                    "incnet.all_equilibria(nx.gnp_random_graph(24, 0.5, seed=1), 1.0, 0.7)"),
    # Gauss-Seidel on complements with delta rho = 0.995: thousands of sweeps of ~20 ms
    "gauss_seidel": ("d = 0.995 / net.spectral_radius; incnet.public_goods(net, 1.0, d, "
                     "interaction='complements', upper=1e6, method='gauss_seidel', max_iter=2, "
                     "check_unique=False)",
                     "incnet.public_goods(net, 1.0, d, interaction='complements', upper=1e6, "
                     "method='gauss_seidel', tol=1e-15, max_iter=10**7, check_unique=False)"),
    # rho = 0.999999 * 16 / 16: Neumann needs some 3e7 steps of ~10 ms
    "neumann": ("incnet.total_payoffs(net.row_normalized(0.999999), 1.0, method='neumann', max_iter=3)",
                "incnet.total_payoffs(net.row_normalized(0.999999), 1.0, method='neumann', tol=1e-14, "
                "max_iter=10**9)"),
}


@pytest.mark.parametrize("kind", sorted(_WORK))
def test_ctrl_c_stops_a_long_kernel_within_seconds(kind):
    warm, long = _WORK[kind]
    code = _SETUP + f"""
try:
    {warm}
except incnet.IncnetError:
    pass
print("READY", flush=True)
start = time.perf_counter()
try:
    {long}
except KeyboardInterrupt:
    print("INTERRUPTED", time.perf_counter() - start, flush=True)
    sys.exit(0)
print("FINISHED", flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
        time.sleep(1.0)  # well inside the long call
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        latency = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert out.startswith("INTERRUPTED"), (out, err)
    # ~0.25 s chunks: about a second on a quiet machine; generous for a loaded one (without
    # chunking the same call ran for minutes)
    assert latency < 6.0, latency


def _stopper(after):
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return len(calls) < after

    return progress, calls


def test_progress_callback_cancels_a_simulation(monkeypatch):
    import incnet._chunked as chunked

    # tiny chunks, so a small simulation has several
    monkeypatch.setattr(chunked, "TARGET_SECONDS", 0.0)
    progress, calls = _stopper(3)
    with pytest.raises(CancelledError, match="cancelled") as info:
        independent_cascade(nx.path_graph(50), [0], 0.5, n_runs=200, rng=0, progress=progress)
    assert len(calls) == 3 and info.value.done == calls[-1][0] < 200 and info.value.total == 200
    progress, calls = _stopper(2)
    with pytest.raises(CancelledError):
        simulate_recruitment(nx.path_graph(50), [1.0, 0.5], initial=[0], targets=[3], response=0.9,
                             horizon=5, n_runs=300, rng=0, progress=progress)


def test_chunking_does_not_change_a_result(monkeypatch):
    import incnet._chunked as chunked

    G = nx.barabasi_albert_graph(300, 3, seed=2)
    whole = independent_cascade(G, 3, 0.2, n_runs=500, rng=7)
    sim = simulate_recruitment(G, [1.0, 0.5], initial=3, targets=2, response=0.8, horizon=6,
                               n_runs=300, rng=3)
    base = IncentiveNetwork.from_networkx(G)
    net = base.scaled(0.95 / base.spectral_radius)
    pay = total_payoffs(net, np.linspace(0, 1, 300), method="chebyshev", tol=1e-13)
    jac = total_payoffs(net, np.linspace(0, 1, 300), method="neumann", tol=1e-12)
    monkeypatch.setattr(chunked, "TARGET_SECONDS", 0.0)  # chunks of one run / one step
    calls = []
    counted = lambda done, total: calls.append(done)  # noqa: E731 - a plain recorder
    again = independent_cascade(G, 3, 0.2, n_runs=500, rng=7, progress=counted)
    assert len(calls) > 5
    np.testing.assert_array_equal(whole.spread, again.spread)
    sim2 = simulate_recruitment(G, [1.0, 0.5], initial=3, targets=2, response=0.8, horizon=6,
                                n_runs=300, rng=3, progress=counted)
    np.testing.assert_array_equal(sim.found_time, sim2.found_time)
    np.testing.assert_array_equal(sim.participants, sim2.participants)
    calls.clear()
    pay2 = total_payoffs(net, np.linspace(0, 1, 300), method="chebyshev", tol=1e-13, progress=counted)
    jac2 = total_payoffs(net, np.linspace(0, 1, 300), method="neumann", tol=1e-12, progress=counted)
    assert len(calls) > 10
    np.testing.assert_array_equal(pay.u, pay2.u)
    np.testing.assert_array_equal(jac.u, jac2.u)
    assert (pay.iterations, jac.iterations) == (pay2.iterations, jac2.iterations)


def test_progress_callback_cancels_a_payoff_solve(monkeypatch):
    import incnet._chunked as chunked

    monkeypatch.setattr(chunked, "TARGET_SECONDS", 0.0)  # chunks of one run / one step
    net = IncentiveNetwork.from_networkx(nx.cycle_graph(100)).row_normalized(0.999)
    progress, calls = _stopper(4)
    with pytest.raises(CancelledError, match="total_payoffs"):
        total_payoffs(net, 1.0, method="neumann", progress=progress)
    assert calls[-1][1] == 10_000


def test_progress_must_be_callable():
    with pytest.raises(incnet.InvalidInputError, match="progress"):
        total_payoffs(nx.path_graph(3), 1.0, progress="yes")
    with pytest.raises(incnet.InvalidInputError, match="progress"):
        independent_cascade(nx.path_graph(3), [0], 0.5, n_runs=3, progress="yes")
