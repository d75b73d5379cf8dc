"""Interdependent payoffs: total_payoffs on Barabási–Albert graphs (the Katz–Bonacich problem).

``u = (I - W)^{-1} 1`` with ``W = delta * A``, ``delta = 0.5 / lambda_max(A)``, on BA graphs with
``m = 5``. Peers: ``networkx.katz_centrality`` (its ``alpha`` is our ``delta``; with ``beta = 1``
and ``normalized=False`` it returns ``(I - delta A^T)^{-1} 1 - 1``), scipy ``spsolve`` (sparse LU)
and scipy ``cg``. Also the per-call overhead on a 100-node network against scipy ``spsolve`` and
``numpy.linalg.solve``, and the cost of the first call on a fresh network (symmetry fingerprint and
well-posedness certificate included, which later calls reuse from the network's cache), timed
alternately with scipy ``cg`` on the same system so that both see the same machine load.

The floor row is what this machine allows at the repeated call's iteration count: a bare numba
product over the same CSR arrays (32-bit column indices, no weight array, the same row chunks
and threads; nothing but ``y_i = sum_j u_j``), timed and multiplied by the number of passes
over the matrix of the solve (one per step, plus the final residual check). Its note gives a
STREAM-like triad's bandwidth for scale, and the same product gathering a float32 vector (the
most a mixed-precision iteration could save per pass).
"""

import time

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from ._harness import QUIET_SECONDS, Row, alternate_first_calls, compare

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


@njit(cache=True)
def _bare_rows(indptr, indices, u, y, lo, hi):
    for i in range(np.uint64(lo), np.uint64(hi)):
        acc = 0.0
        for p in range(indptr[i], indptr[i + np.uint64(1)]):
            acc += u[indices[p]]
        y[i] = acc


@njit(cache=True, parallel=True)
def _bare_product(indptr, indices, bounds, u, y):
    """``y = A u`` for a 0/1 pattern: the least work a step of any iteration does on it."""
    for t in prange(bounds.shape[0] - 1):
        _bare_rows(indptr, indices, u, y, bounds[t], bounds[t + 1])


@njit(cache=True)
def _bare_sliced_rows(order, slice_ptr, cols, u, y, lo, hi):
    # the sliced ELLPACK product of a 0/1 pattern: eight rows side by side per slice
    for s in range(np.int64(lo), np.int64(hi)):
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
        for k in range(slice_ptr[s], slice_ptr[s + 1], np.uint64(8)):
            a0 += u[cols[k]]
            a1 += u[cols[k + np.uint64(1)]]
            a2 += u[cols[k + np.uint64(2)]]
            a3 += u[cols[k + np.uint64(3)]]
            a4 += u[cols[k + np.uint64(4)]]
            a5 += u[cols[k + np.uint64(5)]]
            a6 += u[cols[k + np.uint64(6)]]
            a7 += u[cols[k + np.uint64(7)]]
        base = 8 * s
        y[order[base]] = a0
        y[order[base + 1]] = a1
        y[order[base + 2]] = a2
        y[order[base + 3]] = a3
        y[order[base + 4]] = a4
        y[order[base + 5]] = a5
        y[order[base + 6]] = a6
        y[order[base + 7]] = a7


@njit(cache=True, parallel=True)
def _bare_sliced_product(order, slice_ptr, cols, bounds, u, y):
    for t in prange(bounds.shape[0] - 1):
        _bare_sliced_rows(order, slice_ptr, cols, u, y, bounds[t], bounds[t + 1])


@njit(cache=True, parallel=True)
def _triad(a, b, c, s):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


def _floor_row(net, case, method, iterations, incnet_seconds, repeat, ordered=False):
    """The bandwidth floor of the repeated solve: a bare product times the passes it makes
    (over the solver objects' reordered operator with ``ordered``)."""
    from incnet.payoffs import _operator, _parallel, _sliced

    from ._harness import time_call

    op = _operator(net, ordered)
    # CG reads networks of up to 400,000 nodes in sliced ELLPACK: the floor is then its product
    sl = _sliced(net, ordered) if method == "cg" else None
    sliced = sl is not None and sl.slice_ptr.size > 0
    u = np.ones(net.n + 1)  # the sliced padding reads u[n]
    u[net.n] = 0.0
    y = np.empty(net.n + 1)
    u32, y32 = u.astype(np.float32), y.astype(np.float32)
    threads = _parallel(op)  # the same threads as the solve's kernels
    if sliced:
        bounds = sl.bounds if threads else np.array([0, sl.slice_ptr.size - 1], dtype=np.int64)
        run = lambda: _bare_sliced_product(sl.order, sl.slice_ptr, sl.cols, bounds, u, y)  # noqa: E731
        run32 = lambda: _bare_sliced_product(sl.order, sl.slice_ptr, sl.cols, bounds, u32, y32)  # noqa: E731
    elif threads:
        run = lambda: _bare_product(op.indptr, op.indices, op.bounds, u, y)  # noqa: E731
        run32 = lambda: _bare_product(op.indptr, op.indices, op.bounds, u32, y32)  # noqa: E731
    else:
        run = lambda: _bare_rows(op.indptr, op.indices, u, y, 0, net.n)  # noqa: E731
        run32 = lambda: _bare_rows(op.indptr, op.indices, u32, y32, 0, net.n)  # noqa: E731
    # the products a solve makes: one per step and the final true residual, less the first
    # product of CG from the constant x here, which is read from the row counts
    passes = iterations + (0 if method == "cg" else 1)
    settle = QUIET_SECONDS if repeat > 1 else 0.0

    def per_product(product_call):
        # as many products back to back as the solve makes, timed together: the harness's
        # gc.collect before each timed call lets the threads fall asleep, and waking them
        # (about 0.6 ms on this VM) would otherwise be counted once per product
        def batch():
            for _ in range(passes):
                product_call()

        seconds, _, _ = time_call(batch, repeat=max(repeat, 5), settle=settle)
        return seconds / passes

    product = per_product(run)
    # the same product gathering a float32 vector (half the bytes per gather): what a
    # mixed-precision iteration could save per pass at most
    product32 = per_product(run32)
    m = 100_000 if repeat == 1 else 10_000_000
    a, b, c = np.zeros(m), np.ones(m), np.ones(m)
    triad, _, _ = time_call(lambda: _triad(a, b, c, 0.5), repeat=5)
    floor = product * passes
    bandwidth = 3 * 8 * m / triad
    stream = 4 * net.nnz / bandwidth  # the 32-bit index array alone, read at triad bandwidth
    what = ("floor: bare numba SpMV × passes" + (", reordered operator" if ordered else "")
            + (" (sliced ELLPACK, as CG reads it)" if sliced else ""))
    return Row(BENCH, case, what, floor, max(repeat, 5),
               floor / incnet_seconds, None,
               f"{product * 1e3:.2f} ms per product × {passes} passes; triad "
               f"{bandwidth / 1e9:.0f} GB/s, at which the index array alone streams in "
               f"{stream * 1e3:.2f} ms; incnet at {incnet_seconds / floor:.2f}× the floor; a float32 "
               f"vector would take {product32 * 1e3:.2f} ms per product")


def _hub_note(net, ordered=False):
    # how many hubs CG's preconditioner solved exactly (see docs/theory/payoffs.rst)
    hubs = net._cache.get("payoffs.hubs.ordered" if ordered else "payoffs.hubs")
    k = 0 if hubs is None else hubs.schur_inv.shape[0]
    return f", preconditioned on {k} hubs" if k else ""


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

    M = sp.csr_array(sp.identity(n, format="csr") - A * delta)
    Wd = A * delta

    # Cold: a fresh network pays for its symmetry fingerprint and certificate once. Timed
    # alternately with one scipy cg on the same system, each call from a quiet process (see
    # alternate_first_calls), and once more back to back, right after scipy's cg.
    incnet.total_payoffs(incnet.IncentiveNetwork.from_scipy(Wd), x)  # kernels loaded, untimed
    repeats = 1 if smoke else 7  # medians of 7: the machine is noisy
    pause = 0.0 if smoke else QUIET_SECONDS

    def fresh_network():
        return incnet.IncentiveNetwork.from_scipy(Wd)

    def first_call(network):
        return incnet.total_payoffs(network, x)

    def one_cg():
        cg(M, x, rtol=1e-10, atol=0.0, maxiter=10_000)

    cold_seconds, cold_cg, cold, cold_net = alternate_first_calls(
        fresh_network, first_call, one_cg, repeat=repeats, pause=pause)
    busy_seconds, busy_cg, _, _ = alternate_first_calls(fresh_network, first_call, one_cg,
                                                        repeat=repeats, pause=0.0)
    cold_bound = cold_net._cache.get("rho_upper_bound", float("nan"))

    # Warm: the usual workflow, scaling the network whose spectral radius is already known.
    net = base.scaled(delta)
    warm = incnet.total_payoffs(net, x)  # builds the cached operator (32-bit indices)

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
                       note=f"auto → {warm.method}, {warm.iterations} it{_hub_note(net)}")
        rows.extend(part if not rows else part[1:])
    if n >= 100_000:
        # The kernels split rows over all threads; on a machine whose cores are shared with
        # other work a parallel region waits for its slowest thread, so one thread is shown too.
        def run_single():
            with incnet.threads(1):
                return incnet.total_payoffs(net, x).u

        single = compare(BENCH, case, run_single, {}, repeat=repeat, smoke=smoke)[0]
        rows.append(Row(BENCH, case, "incnet, one thread", single.median_s, single.repeats,
                        rows[0].median_s / single.median_s, None,
                        "incnet.threads(1); ratio: incnet with all threads / one thread"))
    if n >= 100_000 or smoke:
        # Repeated solves by a solver object, which reorders W once (reverse Cuthill-McKee) and
        # amortises it: the setup is reported with the number of solves that pay for it.
        start = time.perf_counter()
        solver = incnet.PayoffSolver(net)
        first = solver.solve(x)
        setup = time.perf_counter() - start

        def run_solver():
            return solver.solve(x).u

        timed = compare(BENCH, case, run_solver, {}, repeat=repeat, smoke=smoke)[0]
        cg_seconds = next(r.median_s for r in rows if r.implementation == "scipy cg")
        saved = rows[0].median_s - timed.median_s
        payback = (f"pays back its setup after {setup / saved:.0f} solves" if saved > 0 else
                   "no faster than the one-shot call here")
        rows.append(Row(BENCH, case, "incnet PayoffSolver, repeated solves", timed.median_s,
                        timed.repeats, cg_seconds / timed.median_s,
                        _agree(solver.solve(x).u, run_incnet()),
                        f"{first.method}, {first.iterations} it on the reordered operator"
                        f"{_hub_note(solver.network, ordered=True)}; ratio: "
                        f"scipy cg / solver; setup (ordering + certificate + first solve) "
                        f"{setup:.2f} s, {payback}"))
        rows.append(_floor_row(net, case, first.method, first.iterations, timed.median_s,
                               1 if smoke else repeat, ordered=True))
    rows.append(Row(BENCH, case, "incnet, first call on a fresh network", cold_seconds,
                    repeats, cold_cg / cold_seconds, _agree(cold.u, run_incnet()),
                    f"symmetry fingerprint + certificate (bound {cold_bound:.3g}) + {cold.method} "
                    f"({cold.iterations} it{_hub_note(cold_net)}); ratio against scipy cg timed alternately "
                    f"({cold_cg * 1e3:.0f} ms), each call after {pause} s idle"))
    rows.append(Row(BENCH, case, "incnet, first call right after scipy's cg", busy_seconds,
                    repeats, busy_cg / busy_seconds, None,
                    f"the same alternation without the idle pause (scipy cg {busy_cg * 1e3:.0f} ms): "
                    "OpenBLAS's threads, woken by cg's dot products, still spin on the cores"))
    rows.append(_floor_row(net, case, warm.method, warm.iterations, rows[0].median_s,
                           1 if smoke else repeat))
    rows.extend(_symmetry_rows(Wd, case, smoke))
    return rows


def _symmetry_rows(Wd, case, smoke):
    """The fingerprint that picks CG on a fresh network, beside the exact check and scipy's."""
    import incnet

    net = incnet.IncentiveNetwork.from_scipy(Wd)
    net._unsigned_csr, net._uniform_weight  # index arrays the first call builds anyway

    def fresh(key):
        # forget only the symmetry facts, so that each call decides them again
        for fact in ("symmetry_hint", "is_symmetric"):
            net._cache.pop(fact, None)
        return getattr(net, key)

    def scipy_transpose():
        return abs(Wd - Wd.T).nnz == 0

    rows = compare(BENCH, case, lambda: fresh("_symmetry_hint"),
                   {"incnet is_symmetric (exact, counting-sort transpose)":
                    lambda: fresh("is_symmetric"),
                    "scipy abs(W - W.T).nnz == 0": scipy_transpose},
                   agree=lambda a, b: bool(a) == bool(b), repeat=1 if smoke else 5, smoke=smoke)
    first = rows[0]
    rows[0] = Row(BENCH, case, "incnet symmetry fingerprint", first.median_s, first.repeats, 1.0,
                  None, "one streaming pass; zero for a symmetric W, a proof of asymmetry otherwise")
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
