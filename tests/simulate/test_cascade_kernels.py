"""Independent cascade and linear threshold kernels: small cascades, the serial head, chunking.

A call runs on the calling thread until a work budget is spent and hands the remaining runs to the
thread pool; the skip-sampled attempts of a run form one Bernoulli process carried across nodes;
linear threshold with the default weights counts active in-neighbours. These tests check the
results against plain breadth-first references and that no split of the runs changes them.
"""

import math

import networkx as nx
import numpy as np
import pytest

from incnet import as_network
from incnet.datasets import load
from incnet.simulate import cascade, independent_cascade, linear_threshold

SMALL = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 0), (1, 4), (4, 5)])


def reference_ic(net, seeds, p, n_runs, rng):
    """Independent cascade by a plain BFS, one uniform per attempt."""
    indptr, indices = net.W.indptr, net.W.indices
    out = np.empty(n_runs)
    for r in range(n_runs):
        active = set(seeds)
        frontier = list(seeds)
        while frontier:
            nxt = []
            for v in frontier:
                nbrs = indices[indptr[v]:indptr[v + 1]]
                for u in nbrs[rng.random(nbrs.size) < p]:
                    if u not in active:
                        active.add(u)
                        nxt.append(u)
            frontier = nxt
        out[r] = len(active)
    return out.mean(), out.std(ddof=1) / math.sqrt(n_runs)


def reference_lt(net, seeds, n_runs, rng):
    """Linear threshold with b_uv = 1 / in-degree(v) and float thresholds, synchronous rounds."""
    A = net.W.tocsc()
    in_degree = np.diff(A.indptr)
    indptr, indices = net.W.indptr, net.W.indices
    out = np.empty(n_runs)
    for r in range(n_runs):
        theta = {}
        pressure = {}
        active = set(seeds)
        frontier = list(seeds)
        while frontier:
            nxt = []
            for v in frontier:
                for u in indices[indptr[v]:indptr[v + 1]]:
                    if u in active:
                        continue
                    if u not in theta:
                        theta[u] = rng.random()
                        pressure[u] = 0.0
                    pressure[u] += 1.0 / in_degree[u]
                    if pressure[u] >= theta[u]:
                        active.add(u)
                        nxt.append(u)
            frontier = nxt
        out[r] = len(active)
    return out.mean(), out.std(ddof=1) / math.sqrt(n_runs)


def agree(a, b, k=5.0):
    (m1, s1), (m2, s2) = a, b
    return abs(m1 - m2) <= k * math.sqrt(s1 * s1 + s2 * s2)


@pytest.fixture(scope="module")
def grqc():
    return load("ca-grqc", as_network=True)


def test_small_cascades_match_a_bfs_reference(grqc):
    # p = 0.01 and ten seeds: about a dozen active nodes per run, all runs on the calling thread
    seeds = np.random.default_rng(4).choice(grqc.n, 10, replace=False)
    labels = [grqc.nodes[i] for i in seeds]
    res = independent_cascade(grqc, labels, 0.01, n_runs=40_000, rng=5)
    ref = reference_ic(grqc, seeds, 0.01, 4000, np.random.default_rng(6))
    assert 10.0 < res.mean < 20.0
    assert agree((res.mean, res.stderr), ref), (res.mean, res.stderr, ref)


def test_mixed_skips_and_bit_masks_match_a_bfs_reference():
    # p = 0.1 samples low-degree nodes by carried geometric skips and hubs by 64-lane bit masks
    net = as_network(nx.barabasi_albert_graph(2000, 2, seed=3))
    degree = np.diff(net.W.indptr)
    assert degree.max() > 64
    hubs = [int(v) for v in np.argsort(degree)[-3:]]
    res = independent_cascade(net, hubs, 0.1, n_runs=20_000, rng=7)
    ref = reference_ic(net, hubs, 0.1, 3000, np.random.default_rng(8))
    assert agree((res.mean, res.stderr), ref), (res.mean, res.stderr, ref)


def test_carried_skips_match_live_edge_enumeration():
    from test_simulate_engine import exact_ic_reach

    res = independent_cascade(SMALL, [0], 0.1, n_runs=40_000, rng=9)
    assert abs(res.mean - exact_ic_reach(SMALL, [0], 0.1)) <= 5 * res.stderr


def test_linear_threshold_counts_match_a_float_reference(grqc):
    seeds = np.random.default_rng(10).choice(grqc.n, 10, replace=False)
    labels = [grqc.nodes[i] for i in seeds]
    res = linear_threshold(grqc, labels, n_runs=20_000, rng=11)
    ref = reference_lt(grqc, seeds, 3000, np.random.default_rng(12))
    assert agree((res.mean, res.stderr), ref), (res.mean, res.stderr, ref)
    # the explicit weights 1 / in-degree take the float path of the kernel: same law
    W = grqc.W.tocsc(copy=True)
    W.data = 1.0 / np.repeat(np.diff(W.indptr), np.diff(W.indptr)).astype(float)
    weighted = linear_threshold(as_network(W.tocsr()), list(seeds), n_runs=20_000, weights="weight",
                                rng=13)
    assert agree((res.mean, res.stderr), (weighted.mean, weighted.stderr))


@pytest.mark.parametrize("p", [0.005, 0.1, 0.6, 1.0, "weight"])
@pytest.mark.parametrize("seeds", [4, [0, 7, 30]], ids=["random", "fixed"])
def test_results_do_not_depend_on_the_split_or_the_chunks(p, seeds, monkeypatch):
    from incnet._kernels.simulate import independent_cascade_kernel

    G = nx.barabasi_albert_graph(500, 3, seed=2)
    for u, v in G.edges():
        G[u][v]["weight"] = 0.05 + 0.1 * ((u + v) % 3)
    net = as_network(G)
    serial = cascade._independent_cascade(net, seeds, p, 300, 21, -1)  # every run on this thread
    rest_here = cascade._independent_cascade(net, seeds, p, 300, 21, 2000)  # head, rest serial
    pooled = cascade._independent_cascade(net, seeds, p, 300, 21, 0)  # every run in the pool
    monkeypatch.setattr(cascade, "SERIAL_REST_SECONDS", 0.0)
    split = cascade._independent_cascade(net, seeds, p, 300, 21, 2000)  # head, rest in the pool
    for other in (rest_here, pooled, split):
        assert np.array_equal(serial.spread, other.spread)
        assert np.array_equal(serial.edge_visits, other.edge_visits)
    # chunk counts stand for thread counts: each run reads only its own seed
    indptr, indices = cascade._csr(net)
    edge_prob = np.array(net.W.data) if p == "weight" else np.zeros(0)
    q = 0.0 if p == "weight" else float(p)
    key = np.int64(123456789)
    outs = []
    for chunks in (1, 3, 7):
        spread = np.zeros(50, dtype=np.int64)
        visits = np.zeros(50, dtype=np.int64)
        independent_cascade_kernel(indptr, indices, edge_prob, q, np.array([0, 1], dtype=np.int64), 0,
                                   key, 0, chunks, spread, visits)
        outs.append(spread)
    assert all(np.array_equal(outs[0], o) for o in outs[1:])
    # runs 20..49 of the call, computed on their own, are the same runs
    tail = np.zeros(30, dtype=np.int64)
    independent_cascade_kernel(indptr, indices, edge_prob, q, np.array([0, 1], dtype=np.int64), 0,
                               key, 20, 2, tail, np.zeros(30, dtype=np.int64))
    assert np.array_equal(tail, outs[0][20:])


@pytest.mark.parametrize("weights", [None, "weight"])
def test_linear_threshold_does_not_depend_on_the_split(weights):
    G = nx.barabasi_albert_graph(500, 3, seed=4)
    net = as_network(G)
    if weights == "weight":
        W = net.W.tocsc(copy=True)
        W.data = 0.9 / np.repeat(np.diff(W.indptr), np.diff(W.indptr)).astype(float)
        net = as_network(W.tocsr())
    serial = cascade._linear_threshold(net, 6, 200, weights, 31, -1)
    pooled = cascade._linear_threshold(net, 6, 200, weights, 31, 0)
    split = cascade._linear_threshold(net, 6, 200, weights, 31, 3000)
    assert np.array_equal(serial.spread, pooled.spread)
    assert np.array_equal(serial.spread, split.spread)
    assert np.array_equal(serial.edge_visits, pooled.edge_visits)
    assert serial.mean > 6


@pytest.mark.parametrize("p", [1e-20, 1e-300, 5e-324])
def test_vanishing_probabilities_activate_nobody_and_stay_in_bounds(p):
    # A geometric skip beyond 2**63 once wrapped to a negative index (numba's math.floor returns
    # an int64), writing out of bounds; the run must simply see no activation.
    import networkx as nx

    from incnet.simulate import independent_cascade

    res = independent_cascade(nx.path_graph(50), [0], p, n_runs=200, rng=1)
    assert res.mean == 1.0 and res.stderr == 0.0


def _star(d):
    return nx.star_graph(d)  # centre 0, leaves 1..d


@pytest.mark.parametrize("d, p", [(20, 0.01), (30, 0.1), (100, 0.1), (100, 0.5)],
                         ids=["skips-block", "skips-block-0.1", "bit-masks", "bit-masks-0.5"])
def test_star_from_its_centre_is_one_plus_a_binomial(d, p):
    # Seed the centre: every leaf is tried once, so the spread is 1 + Binomial(d, p) exactly.
    # (20, 0.01) and (30, 0.1) take the seed block of skip-sampled fixed seeds, the others the
    # bit masks of a high-degree node.
    runs = 40_000
    res = independent_cascade(_star(d), [0], p, n_runs=runs, rng=17)
    mean, var = 1 + d * p, d * p * (1 - p)
    assert abs(res.mean - mean) <= 5 * math.sqrt(var / runs), (res.mean, mean)
    # the sample variance of a binomial over 40,000 runs is within a few per cent of d p (1 - p)
    sample_var = res.stderr ** 2 * runs
    assert abs(sample_var / var - 1) < 0.08, (sample_var, var)
    assert np.all(res.edge_visits == d + res.spread - 1)  # centre's d contacts plus one per leaf


@pytest.mark.parametrize("p", [0.01, 0.3])
def test_path_from_two_seeds_matches_the_exact_expectation(p):
    # Seeds 0 and 9 of a 20-node path: the cascade walks 1..8 from either side and 10..19 from
    # node 9 alone. Node k of the middle stretch is reached from 0 with probability p^k and
    # from 9 with p^(9-k); the tail node 9 + j with p^j.
    n, runs = 20, 40_000
    res = independent_cascade(nx.path_graph(n), [0, 9], p, n_runs=runs, rng=23)
    middle = sum(p ** k + p ** (9 - k) - p ** 9 for k in range(1, 9))  # P(k reached), inclusion-exclusion
    tail = sum(p ** j for j in range(1, n - 9))
    exact = 2 + middle + tail
    assert abs(res.mean - exact) <= 5 * res.stderr + 1e-12, (res.mean, res.stderr, exact)


def test_linear_threshold_on_a_path_and_a_star_matches_the_exact_laws():
    runs = 40_000
    # path 0..n-1 seeded at 0: an inner node has in-degree 2 and, once its predecessor is
    # active, needs one active in-neighbour with probability 1/2; the last node (in-degree 1)
    # follows its predecessor. E = 1 + sum_{k=1}^{n-2} 2^-k + 2^-(n-2).
    n = 8
    res = linear_threshold(nx.path_graph(n), [0], n_runs=runs, rng=29)
    exact = 1 + sum(0.5 ** k for k in range(1, n - 1)) + 0.5 ** (n - 2)
    assert abs(res.mean - exact) <= 5 * res.stderr, (res.mean, res.stderr, exact)
    # star seeded at a leaf: the centre (in-degree d) needs one active in-neighbour with
    # probability 1/d, and then every leaf (in-degree 1) follows: spread d + 1 or 1, mean 2.
    d = 50
    star = linear_threshold(_star(d), [1], n_runs=runs, rng=31)
    assert set(np.unique(star.spread)) <= {1, d + 1}
    frac = np.mean(star.spread == d + 1)
    assert abs(frac - 1 / d) <= 5 * math.sqrt((1 / d) * (1 - 1 / d) / runs), frac
    # seeded at the centre, every leaf has in-degree 1 and is activated
    assert np.all(linear_threshold(_star(d), [0], n_runs=50, rng=37).spread == d + 1)


def test_random_seeds_in_linear_threshold_and_cascade_are_distinct_and_uniform():
    # k random seeds per run, on a network without edges: the spread is exactly k, and each
    # node is a seed equally often (the spread alone cannot show it: check with p = 1 on a
    # star directed out of its centre, where the run is the whole star exactly when the centre
    # is among the seeds, and k nodes otherwise)
    empty = as_network(np.zeros((30, 30)))
    assert np.all(independent_cascade(empty, 7, 0.5, n_runs=200, rng=41).spread == 7)
    assert np.all(linear_threshold(empty, 7, n_runs=200, rng=43).spread == 7)
    d, k, runs = 39, 2, 40_000
    out_star = nx.DiGraph([(0, leaf) for leaf in range(1, d + 1)])
    res = independent_cascade(out_star, k, 1.0, n_runs=runs, rng=47)
    assert set(np.unique(res.spread)) == {k, d + 1}
    frac = np.mean(res.spread == d + 1)  # the centre was drawn: probability k / (d + 1)
    q = k / (d + 1)
    assert abs(frac - q) <= 5 * math.sqrt(q * (1 - q) / runs), frac


@pytest.mark.parametrize("p", [0.01, 0.2], ids=["skips", "bit-masks"])
def test_a_star_large_enough_for_prefetching_keeps_the_exact_law(p):
    # 2**19 leaves: the CSR structure is large enough for the kernel to prefetch the lists of
    # the nodes ahead in its queue (hints only: the law must not move, and the bounds-checked
    # CI pass must see no out-of-range access)
    import scipy.sparse as sp

    from incnet._kernels.simulate import _PREFETCH_MIN_ENTRIES

    d = _PREFETCH_MIN_ENTRIES
    rows = np.r_[np.zeros(d, dtype=np.int64), np.arange(1, d + 1)]
    cols = np.r_[np.arange(1, d + 1), np.zeros(d, dtype=np.int64)]
    star = as_network(sp.csr_array((np.ones(2 * d), (rows, cols)), shape=(d + 1, d + 1)))
    runs = 200
    res = independent_cascade(star, [0], p, n_runs=runs, rng=53)
    mean, var = 1 + d * p, d * p * (1 - p)
    assert abs(res.mean - mean) <= 5 * math.sqrt(var / runs), (res.mean, mean)
    pooled = cascade._independent_cascade(star, [0], p, runs, 53, 0)
    assert np.array_equal(res.spread, pooled.spread)
