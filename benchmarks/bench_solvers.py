"""Reusable solvers: PayoffSolver per call, and a simulation loop that toggles links.

``u = (I - W)^{-1} x`` with ``W = delta * A`` on Barabási–Albert graphs (m = 5),
``delta = 0.5 / lambda_max(A)``. Per call: ``PayoffSolver.solve`` (factorised once, residual
checked on every call) against a reused scipy ``splu`` (``lu.solve`` alone, no check), numpy's
dense solve (n <= 1000) and a fresh ``total_payoffs`` call. The loop: each step toggles one of 16
candidate links (both directions) and solves again, as an agent-based model does; peers rebuild
the network and call ``total_payoffs``, or refactorise ``I - W`` with scipy ``splu``, every step.
"""

import numpy as np
import scipy.sparse as sp

from ._harness import Row, compare
from .bench_payoffs import ba_adjacency

__all__ = ["run"]

BENCH = "PayoffSolver (BA m=5, delta = 0.5/rho)"
LOOP = "loop: toggle a link, then solve (BA m=5)"


def _agree(u, v, rtol=1e-8):
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    return bool(np.max(np.abs(u - v)) <= rtol * np.max(np.abs(u)))


def _per_call(n, calls, smoke):
    from scipy.sparse.linalg import splu

    import incnet

    A = ba_adjacency(n)
    net = incnet.IncentiveNetwork.from_scipy(A)
    net = net.scaled(0.5 / net.spectral_radius)
    x = np.linspace(1.0, 2.0, n)
    solver = incnet.PayoffSolver(net)
    M = sp.csc_array(sp.identity(n, format="csc") - net.W)
    lu = splu(M, permc_spec="MMD_AT_PLUS_A")

    def many(fn):
        def batch():
            for _ in range(calls - 1):
                fn()
            return fn()

        return batch

    peers = {
        "scipy splu, reused (solve only)": many(lambda: lu.solve(x)),
        "numpy.linalg.solve (dense)": many(lambda: np.linalg.solve(D, x)) if n <= 1000 else None,
        "incnet.total_payoffs (one-shot)": many(lambda: incnet.total_payoffs(net, x).u),
    }
    D = M.toarray() if n <= 1000 else None
    rows = compare(BENCH, f"n={n:,} (per call)", many(lambda: solver.solve(x).u), peers, agree=_agree,
                   repeat=1 if smoke else 5, smoke=smoke, note=f"{solver.method}, residual checked")
    for row in rows:
        if row.median_s == row.median_s:
            row.median_s /= calls
    return rows


def _loop(n, steps, peer_steps, smoke):
    from scipy.sparse.linalg import splu

    import incnet

    A = ba_adjacency(n)
    base = incnet.IncentiveNetwork.from_scipy(A)
    delta = 0.5 / base.spectral_radius
    net = base.scaled(delta)
    rng = np.random.default_rng(0)
    pairs = []
    while len(pairs) < 16:
        i, j = (int(v) for v in rng.choice(n, size=2, replace=False))
        if (i, j) not in pairs and (j, i) not in pairs:
            pairs.append((i, j))
    plan = rng.integers(0, len(pairs), size=steps)
    x = np.linspace(1.0, 2.0, n)
    W0 = net.W.toarray() if n <= 2000 else None

    def state_after(k):
        on = {p: bool(A[p]) for p in pairs}
        for s in plan[:k]:
            on[pairs[s]] = not on[pairs[s]]
        return on

    def run_incnet(k=steps):
        solver = incnet.PayoffSolver(net)
        on = {p: bool(A[p]) for p in pairs}
        u = None
        for s in plan[:k]:
            i, j = pairs[s]
            on[(i, j)] = not on[(i, j)]
            w = delta if on[(i, j)] else 0.0
            solver = solver.with_edges({(i, j): w, (j, i): w})
            u = solver.solve(x).u
        return u

    def weights(on):
        rows, cols, vals = [], [], []
        for (i, j), state in on.items():
            rows += [i, j]
            cols += [j, i]
            vals += [delta if state else 0.0] * 2
        change = sp.csr_array((vals, (rows, cols)), shape=(n, n))
        mask = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        return net.W - net.W * mask + change

    def run_rebuild(k=peer_steps):
        on = {p: bool(A[p]) for p in pairs}
        u = None
        for s in plan[:k]:
            on[pairs[s]] = not on[pairs[s]]
            u = incnet.total_payoffs(incnet.IncentiveNetwork.from_scipy(weights(on)), x).u
        return u

    def run_splu(k=peer_steps):
        on = {p: bool(A[p]) for p in pairs}
        u = None
        for s in plan[:k]:
            on[pairs[s]] = not on[pairs[s]]
            M = sp.csc_array(sp.identity(n, format="csc") - weights(on))
            u = splu(M, permc_spec="MMD_AT_PLUS_A").solve(x)
        return u

    # the peers run fewer steps: compare per step, and check every answer at the peers' last step
    case = f"n={n:,}, {steps:,} steps (per step)"
    rows = compare(LOOP, case, lambda: run_incnet(steps), {}, repeat=1 if smoke else 3, smoke=smoke,
                   note="with_edges + solve (Woodbury on a kept LU)")
    rows[0].median_s /= steps
    reference = run_incnet(peer_steps)
    if W0 is not None:
        W = W0.copy()
        for (i, j), state in state_after(peer_steps).items():
            W[i, j] = W[j, i] = delta if state else 0.0
        dense = np.linalg.solve(np.eye(n) - W, x)
        assert _agree(reference, dense), "PayoffSolver disagrees with the dense solve"
    for name, fn in {"rebuild network + total_payoffs": run_rebuild,
                     "scipy splu refactorised per step": run_splu}.items():
        part = compare(LOOP, case, lambda: reference, {name: fn}, agree=_agree,
                       repeat=1 if smoke else 3, smoke=smoke)[1]
        part.median_s /= peer_steps
        part.ratio = part.median_s / rows[0].median_s
        part.note = f"timed over {peer_steps} steps"
        rows.append(part)
    return rows


def run(smoke=False):
    """Rows for the results table; ``smoke`` runs small cases in a few seconds."""
    if smoke:
        return _per_call(100, 20, smoke=True) + _loop(100, 50, 10, smoke=True)
    rows = []
    for n, calls in ((100, 2000), (1_000, 200), (10_000, 20)):
        rows.extend(_per_call(n, calls, smoke=False))
    rows.extend(_loop(100, 10_000, 500, smoke=False))
    rows.extend(_loop(1_000, 10_000, 200, smoke=False))
    return rows
