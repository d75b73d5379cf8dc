"""Interdependent payoffs: total_payoffs on Barabási–Albert graphs (the Katz–Bonacich problem).

``u = (I - W)^{-1} 1`` with ``W = delta * A``, ``delta = 0.5 / lambda_max(A)``, on BA graphs with
``m = 5``. Peers: ``networkx.katz_centrality`` (its ``alpha`` is our ``delta``; with ``beta = 1``
and ``normalized=False`` it returns ``(I - delta A^T)^{-1} 1 - 1``), scipy ``spsolve`` (sparse LU)
and scipy ``cg``. Also the per-call overhead on a 100-node network against scipy ``spsolve`` and
``numpy.linalg.solve``, and the cost of the first call on a fresh network (spectral bound and node
ordering included, which later calls reuse from the network's cache).
"""

import time

import numpy as np
import scipy.sparse as sp
from numba import njit

from ._harness import Row, compare

__all__ = ["run", "ba_edges", "ba_adjacency"]

BENCH = "total_payoffs (Katz–Bonacich, BA m=5)"


@njit(cache=True)
def ba_edges(n, m, seed):
    """Edges of a Barabási–Albert graph, generated as networkx does.

    A star on ``m + 1`` nodes, then each new node links to ``m`` distinct existing nodes drawn with
    probability proportional to their degree (uniform draws from the list of edge ends). Returns
    two int32 arrays (sources, targets), one entry per undirected edge.
    """
    np.random.seed(seed)
    n_edges = m + (n - m - 1) * m
    src = np.empty(n_edges, np.int32)
    dst = np.empty(n_edges, np.int32)
    ends = np.empty(2 * n_edges, np.int32)
    size = 0
    e = 0
    for v in range(1, m + 1):
        src[e] = 0
        dst[e] = v
        e += 1
        ends[size] = 0
        ends[size + 1] = v
        size += 2
    chosen = np.empty(m, np.int32)
    for v in range(m + 1, n):
        count = 0
        while count < m:
            target = ends[np.random.randint(0, size)]
            fresh = True
            for q in range(count):
                if chosen[q] == target:
                    fresh = False
            if fresh:
                chosen[count] = target
                count += 1
        for q in range(m):
            src[e] = v
            dst[e] = chosen[q]
            e += 1
            ends[size] = v
            ends[size + 1] = chosen[q]
            size += 2
    return src, dst


def ba_adjacency(n, m=5, seed=1):
    """Symmetric 0/1 adjacency (CSR, float64) of a Barabási–Albert graph."""
    src, dst = ba_edges(n, m, seed)
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    A = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, n))
    A.sum_duplicates()
    A.sort_indices()
    return A


def _agree(u, v, rtol=1e-6):
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    return bool(np.max(np.abs(u - v)) <= rtol * np.max(np.abs(u)))


def _katz_case(n, smoke):
    import networkx as nx
    from scipy.sparse.linalg import cg, spsolve

    import incnet

    A = ba_adjacency(n)
    base = incnet.IncentiveNetwork.from_scipy(A)
    delta = 0.5 / base.spectral_radius  # lambda_max, as a Katz user computes it first
    x = np.ones(n)

    # Cold: a fresh network pays for its spectral bound and node ordering once.
    cold_net = incnet.IncentiveNetwork.from_scipy(A * delta)
    start = time.perf_counter()
    cold = incnet.total_payoffs(cold_net, x)
    cold_seconds = time.perf_counter() - start

    # Warm: the usual workflow, scaling the network whose spectral radius is already known.
    net = base.scaled(delta)
    warm = incnet.total_payoffs(net, x)  # builds the cached operator (ordering, 32-bit indices)

    M = sp.csr_array(sp.identity(n, format="csr") - A * delta)
    M_csc = M.tocsc()

    def run_incnet():
        return incnet.total_payoffs(net, x).u

    def run_cg():
        sol, info = cg(M, x, rtol=1e-10, atol=0.0, maxiter=10_000)
        return sol

    def run_spsolve():
        return spsolve(M_csc, x)

    def run_networkx():
        G = nx.from_scipy_sparse_array(A)
        katz = nx.katz_centrality(G, alpha=delta, beta=1.0, normalized=False, tol=1e-12,
                                  max_iter=10_000)
        # katz_centrality solves x = alpha A^T x + beta 1: with beta = 1 and symmetric A that is
        # exactly u = (I - delta A)^{-1} 1.
        return np.array([katz[i] for i in range(n)])

    peers = {
        "scipy cg": run_cg,
        "scipy spsolve (LU)": run_spsolve if n <= 5_000 else None,
        "networkx katz_centrality": run_networkx if n <= 10_000 else None,
    }
    case = f"n={n:,}, nnz={A.nnz:,}"
    repeat = 1 if smoke else (5 if n <= 100_000 else 3)
    rows = []
    for name, fn in peers.items():
        part = compare(BENCH, case, run_incnet, {name: fn}, agree=_agree, repeat=repeat, smoke=smoke,
                       note=f"auto → {warm.method}, {warm.iterations} it")
        rows.extend(part if not rows else part[1:])
    from incnet.payoffs import _REORDER_NODES

    prepared = "spectral bound" + (" + RCM ordering" if n >= _REORDER_NODES else "")
    rows.append(Row(BENCH, case, "incnet, first call on a fresh network", cold_seconds, 1,
                    float("nan"), _agree(cold.u, run_incnet()),
                    f"{prepared} + solve ({cold.iterations} it); cached on the network afterwards"))
    return rows


def _small_case(n):
    from scipy.sparse.linalg import spsolve

    import incnet

    A = ba_adjacency(n)
    net = incnet.IncentiveNetwork.from_scipy(A)
    net = net.scaled(0.5 / net.spectral_radius)
    x = np.linspace(1.0, 2.0, n)
    incnet.total_payoffs(net, x)
    M = sp.csc_array(sp.identity(n, format="csc") - net.W)
    D = M.toarray()

    def run_incnet():
        return incnet.total_payoffs(net, x).u

    def many(fn, calls=200):
        # One timed call is too short for the clock: time a batch and report per call.
        def batch():
            for _ in range(calls - 1):
                fn()
            return fn()

        return batch

    peers = {
        "scipy spsolve": many(lambda: spsolve(M, x)),
        "numpy.linalg.solve (dense)": many(lambda: np.linalg.solve(D, x)),
    }
    rows = compare(BENCH, f"overhead, n={n} (per call)", many(run_incnet), peers, agree=_agree,
                   repeat=5)
    for row in rows:
        if row.median_s == row.median_s:
            row.median_s /= 200
    return rows


def run(smoke=False):
    """Rows for the results table; ``smoke`` runs one small case in a few seconds."""
    if smoke:
        return _katz_case(500, smoke=True)
    rows = _small_case(100)
    for n in (10_000, 100_000, 1_000_000):
        rows.extend(_katz_case(n, smoke=False))
    return rows
