"""simulate_recruitment, independent_cascade, linear_threshold: checks against theory (issue 5, §4)."""

import hashlib
import itertools
import os
import subprocess
import sys
import textwrap

import networkx as nx
import numpy as np
import pytest
import scipy.stats

from incnet.branching import as_offspring
from incnet.errors import InvalidInputError
from incnet.mechanisms import FinderOnly, RecursiveSplit
from incnet.simulate import (
    ConstantResponse,
    ExponentialResponse,
    independent_cascade,
    linear_threshold,
    simulate_recruitment,
)

SMALL = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 0), (1, 4), (4, 5)])  # 6 undirected edges = 12 arcs


def exact_ic_reach(G, seeds, p):
    """Expected reach of independent cascade by enumerating every live-edge graph (Kempe et al.)."""
    arcs = [(u, v) for u, v in G.edges()] + [(v, u) for u, v in G.edges()] if not G.is_directed() else list(G.edges())
    total = 0.0
    for live in itertools.product((0, 1), repeat=len(arcs)):
        weight = np.prod([p if b else 1 - p for b in live])
        H = nx.DiGraph()
        H.add_nodes_from(G)
        H.add_edges_from(a for a, b in zip(arcs, live) if b)
        reached = set(seeds)
        for s in seeds:
            reached |= nx.descendants(H, s)
        total += weight * len(reached)
    return total


def exact_lt_reach(G, seeds):
    """Expected LT reach with b_uv = 1/deg(v): each node keeps at most one in-arc (Kempe et al.)."""
    nodes = list(G)
    choices = [[None] + list(G.neighbors(v)) if v not in seeds else [None] for v in nodes]
    total = 0.0
    for pick in itertools.product(*choices):
        weight = 1.0
        for v, u in zip(nodes, pick):
            if v not in seeds:
                weight *= 0.0 if u is None else 1.0 / G.degree(v)
        if weight == 0.0:
            continue
        H = nx.DiGraph((u, v) for v, u in zip(nodes, pick) if u is not None)
        H.add_nodes_from(nodes)
        reached = set(seeds)
        for s in seeds:
            reached |= nx.descendants(H, s)
        total += weight * len(reached)
    return total


def assert_close(estimate, stderr, exact, k=5.0):
    assert abs(estimate - exact) <= k * stderr, (estimate, stderr, exact)


# ---------------------------------------------------------------- baselines against exact enumeration
def test_independent_cascade_matches_live_edge_enumeration():
    exact = exact_ic_reach(SMALL, [0], 0.4)
    res = independent_cascade(SMALL, [0], 0.4, n_runs=40_000, rng=1)
    assert_close(res.mean, res.stderr, exact)
    assert res.spread.min() >= 1 and res.spread.max() <= SMALL.number_of_nodes()


def test_independent_cascade_edge_probabilities_match_enumeration():
    G = nx.DiGraph([(0, 1), (1, 2), (0, 2), (2, 3)])
    nx.set_edge_attributes(G, 0.3, "weight")
    exact = exact_ic_reach(G, [0], 0.3)
    from incnet import IncentiveNetwork

    res = independent_cascade(IncentiveNetwork.from_networkx(G, weight="weight"), [0], "weight",
                              n_runs=40_000, rng=2)
    assert_close(res.mean, res.stderr, exact)


def test_linear_threshold_matches_live_edge_enumeration():
    exact = exact_lt_reach(SMALL, {0})
    res = linear_threshold(SMALL, [0], n_runs=40_000, rng=3)
    assert_close(res.mean, res.stderr, exact)


def test_finder_only_reproduces_plain_diffusion():
    # Finder-only pays nothing for recruiting, so p_d = p(0) = p0 at every depth: independent cascade
    response = ExponentialResponse(0.4, 0.9, scale=10.0)
    res = simulate_recruitment(SMALL, FinderOnly(2000.0), initial=[0], targets=0, response=response,
                               horizon=10, n_runs=40_000, rng=4)
    assert np.all(res.incentives.incentives == 0)
    mean, se = res.mean("participants")
    assert_close(mean, se, exact_ic_reach(SMALL, [0], 0.4))
    # the recursive split does pay for recruiting and so reaches more people
    darpa = simulate_recruitment(SMALL, RecursiveSplit(2000.0, 0.5), initial=[0], targets=1, response=response,
                                 horizon=10, n_runs=2000, rng=4)
    assert np.all(darpa.incentives.incentives[:-1] > 0)


# ---------------------------------------------------------------- branching process
def test_generation_sizes_match_m_to_the_n():
    law = as_offspring(scipy.stats.poisson(3.0))
    p = 0.4  # m = 1.2
    H = 8
    res = simulate_recruitment(None, FinderOnly(1.0), offspring=law, initial=2, targets=0,
                               response=ConstantResponse(p), horizon=H, n_runs=20_000, rng=5)
    profile = np.zeros((res.n_runs, H + 1))
    profile[:, : res.depth_profile.shape[1]] = res.depth_profile
    m = law.mean * p
    for depth in range(H + 1):
        column = profile[:, depth]
        se = column.std(ddof=1) / np.sqrt(column.size)
        assert_close(column.mean(), se, 2 * m**depth)
    assert not res.capped.any()


def test_extinction_probability_matches_generating_function():
    law = as_offspring([0.2, 0.3, 0.2, 0.3])
    p = 0.8
    thinned = lambda s: law.pgf(1 - p + p * s)  # offspring pgf of the recruited
    H = 6
    # P(no one at depth H) = g^(H)(0): exact finite-horizon extinction
    s = 0.0
    for _ in range(H):
        s = float(thinned(s))
    res = simulate_recruitment(None, FinderOnly(1.0), offspring=law, initial=1, targets=0,
                               response=p, horizon=H, n_runs=20_000, rng=6)
    extinct = res.max_depth < H
    assert_close(extinct.mean(), np.sqrt(s * (1 - s) / res.n_runs), s)
    # with no horizon, runs that survive hit the participant cap; the rest died out
    fixed_point = law.extinction_probability() if p == 1 else None
    q = 0.0
    for _ in range(10_000):
        q = float(thinned(q))
    assert fixed_point is None
    res = simulate_recruitment(None, FinderOnly(1.0), offspring=law, initial=1, targets=0, response=p,
                               horizon=400, n_runs=4000, max_participants=3000, rng=7)
    died = ~res.capped
    assert_close(died.mean(), np.sqrt(q * (1 - q) / res.n_runs), q)
    assert res.participants.max() <= 3000


def test_branching_success_probability_and_payments():
    law = as_offspring(scipy.stats.poisson(2.0))
    mech = RecursiveSplit(2000.0, 0.5)
    res = simulate_recruitment(None, mech, offspring=law, initial=1, targets=0.05,
                               response=ExponentialResponse(0.2, 0.6, 50.0), horizon=5,
                               n_runs=4000, rng=8, keep_trees=True)
    assert np.all(res.paid <= mech.budget + 1e-9)
    # a run succeeds iff some participant found and reported; paid equals the chain of that finder
    for r in range(50):
        f = res.forest(r)
        if res.success[r]:
            depth = f["depth"][-1]  # the finder is the last to join: the find ends the run
            assert res.paid[r] == pytest.approx(mech.chain_payments(depth + 1).sum())
            assert res.found_time[r, 0] == f["time"][-1]
        else:
            assert res.paid[r] == 0 and np.isinf(res.found_time[r, 0])


# ---------------------------------------------------------------- graph runs: structure and payments
def test_forest_is_a_valid_recruitment_tree_and_payments_follow_the_mechanism():
    G = nx.barabasi_albert_graph(300, 3, seed=2)
    mech = RecursiveSplit(2000.0, 0.5)
    res = simulate_recruitment(G, mech, initial=3, targets=5, response=ExponentialResponse(0.2, 0.7, 20.0),
                               horizon=12, n_runs=300, delay=("fixed", 1.0), rng=9, keep_trees=True)
    assert np.all(res.paid_per_target <= mech.budget + 1e-9)
    checked = 0
    for r in range(res.n_runs):
        f = res.forest(r)
        assert len(f["node"]) == res.participants[r] == res.depth_profile[r].sum()
        pos = {v: i for i, v in enumerate(f["node_index"].tolist())}
        for v, par, d, t in zip(f["node_index"], f["parent_index"], f["depth"], f["time"]):
            assert t == d  # fixed unit delays: time counts generations
            if par < 0:
                assert d == 0
            else:
                assert G.has_edge(int(par), int(v)) and f["depth"][pos[int(par)]] == d - 1
        found = np.isfinite(res.found_time[r])
        if found.any():
            checked += 1
            # each find happened when its finder joined, and paid the finder's whole chain
            for t_found, paid in zip(res.found_time[r][found], res.paid_per_target[r][found]):
                finder_depths = f["depth"][f["time"] == t_found]
                assert any(paid == pytest.approx(mech.chain_payments(d + 1).sum()) for d in finder_depths)
        assert np.all(res.paid_per_target[r][~found] == 0)
        assert res.paid[r] == pytest.approx(res.paid_per_target[r].sum())
    assert checked > 0
    tree = res.tree(0)
    assert nx.is_forest(tree.to_undirected()) and tree.number_of_nodes() == res.participants[0]


def test_paid_matches_mechanism_payments_on_the_forest():
    G = nx.karate_club_graph()
    mech = RecursiveSplit(100.0, 0.5)
    targets = [33, 32, 30]
    res = simulate_recruitment(G, mech, initial=[0], targets=targets, response=0.5, horizon=8,
                               n_runs=200, rng=10, keep_trees=True)
    for r in range(res.n_runs):
        f = res.forest(r)
        pos = {v: i for i, v in enumerate(f["node"])}
        parents = np.array([pos[p] if p is not None else -1 for p in f["parent"]])
        contributions = np.zeros(len(parents))
        for j, node in enumerate(targets):
            if np.isfinite(res.found_time[r, j]):
                contributions[pos[node]] = 1.0
                assert f["time"][pos[node]] == res.found_time[r, j]
        expected = mech.payments(parents, contributions).sum() if contributions.any() else 0.0
        assert res.paid[r] == pytest.approx(expected)
    assert res.success.any() and not res.success.all()


def test_seed_on_target_and_deadline_and_cap():
    G = nx.path_graph(10)
    res = simulate_recruitment(G, [10.0], initial=[3], targets=[3], response=1.0, horizon=9, n_runs=5, rng=0)
    assert res.success.all() and np.all(res.found_time == 0) and np.all(res.participants == 1)
    res = simulate_recruitment(G, [10.0], initial=[0], targets=[9], response=1.0, horizon=9, n_runs=5,
                               deadline=0.0, rng=0)
    assert not res.success.any() and np.all(res.participants == 1)
    res = simulate_recruitment(G, [10.0], initial=[0], targets=0, response=1.0, horizon=9, n_runs=5,
                               max_participants=4, rng=0)
    assert res.capped.all() and np.all(res.participants == 4)
    res = simulate_recruitment(G, [10.0], initial=[0], targets=[9], response=1.0, horizon=8, n_runs=5, rng=0)
    assert not res.success.any() and np.all(res.max_depth == 8)  # the horizon stops recruitment


@pytest.mark.parametrize("delay", [2.0, ("lognormal", 2.0, 0.5)])
def test_time_to_target_is_a_sum_of_delays(delay):
    # p = 1 on a path: the target at distance 3 is found after three independent delays of mean 2
    res = simulate_recruitment(nx.path_graph(4), [1.0], initial=[0], targets=[3], response=1.0, horizon=5,
                               n_runs=20_000, delay=delay, rng=11)
    times = res.found_time[:, 0]
    assert res.success.all()
    assert_close(times.mean(), times.std() / np.sqrt(times.size), 6.0)
    curve = res.success_by_time([0.0, np.inf])
    assert curve.tolist() == [0.0, 1.0]


def test_report_probability_thins_finds():
    res = simulate_recruitment(nx.path_graph(3), [100.0], initial=[0], targets=[2], response=1.0, horizon=3,
                               n_runs=20_000, report=lambda r0: 0.25 + 0 * r0, rng=12)
    assert_close(res.success_rate, np.sqrt(0.25 * 0.75 / res.n_runs), 0.25)


# ---------------------------------------------------------------- reproducibility
def _fingerprint(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


SCRIPT = textwrap.dedent("""
    import hashlib, networkx as nx, numpy as np, scipy.stats
    from incnet.simulate import simulate_recruitment, independent_cascade, linear_threshold
    G = nx.barabasi_albert_graph(400, 3, seed=3)
    a = simulate_recruitment(G, [100.0, 50.0, 25.0], initial=4, targets=6, response=0.3, horizon=6,
                             n_runs=37, deadline=5.0, rng=42)
    b = simulate_recruitment(None, [100.0, 50.0], offspring=scipy.stats.poisson(2.5), initial=2,
                             targets=0.02, response=0.5, horizon=6, n_runs=37, rng=42)
    c = independent_cascade(G, 5, 0.1, n_runs=37, rng=42)
    d = linear_threshold(G, 5, n_runs=37, rng=42)
    h = hashlib.sha256()
    for arr in (a.found_time, a.participants, a.paid, a.depth_profile, b.found_time, b.participants,
                b.depth_profile, c.spread, d.spread):
        h.update(np.ascontiguousarray(arr).tobytes())
    print(h.hexdigest())
""")


def test_results_do_not_depend_on_the_thread_count():
    out = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        out.append(proc.stdout.strip())
    assert out[0] == out[1]


def test_same_seed_same_result_and_rng_forms():
    G = nx.barabasi_albert_graph(200, 2, seed=1)
    kwargs = dict(initial=3, targets=4, response=0.4, horizon=5, n_runs=50)
    a = simulate_recruitment(G, [10.0, 5.0], rng=7, **kwargs)
    b = simulate_recruitment(G, [10.0, 5.0], rng=np.random.default_rng(7), **kwargs)
    c = simulate_recruitment(G, [10.0, 5.0], rng=8, **kwargs)
    assert _fingerprint(a.found_time, a.participants) == _fingerprint(b.found_time, b.participants)
    assert _fingerprint(a.found_time, a.participants) != _fingerprint(c.found_time, c.participants)
    x = independent_cascade(G, [0, 1], 0.2, n_runs=30, rng=1)
    y = independent_cascade(G, [0, 1], 0.2, n_runs=30, rng=1)
    assert np.array_equal(x.spread, y.spread)


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(targets=1.5),
        dict(targets=100),
        dict(targets=["nope"]),
        dict(initial=0),
        dict(delay=-1.0),
        dict(delay=("gamma", 1.0)),
        dict(deadline=-1.0),
        dict(horizon=-1),
        dict(n_runs=0),
        dict(offspring=[0.5, 0.5]),
    ],
)
def test_bad_arguments_raise(kwargs):
    base = dict(initial=1, targets=1, response=0.5, horizon=3, n_runs=2)
    with pytest.raises(InvalidInputError):
        simulate_recruitment(nx.path_graph(5), [1.0], **(base | kwargs))


def test_branching_needs_offspring_and_probability_targets():
    with pytest.raises(InvalidInputError):
        simulate_recruitment(None, [1.0], initial=1, targets=0.1, response=0.5, horizon=3, n_runs=2)
    with pytest.raises(InvalidInputError):
        simulate_recruitment(None, [1.0], offspring=[0.5, 0.5], initial=1, targets=3, response=0.5,
                             horizon=3, n_runs=2)
    with pytest.raises(InvalidInputError):
        independent_cascade(nx.path_graph(3), [0], 1.5, n_runs=2)
    with pytest.raises(InvalidInputError):
        linear_threshold(nx.path_graph(3), [0], n_runs=2, weights="bogus")


def test_arrival_times_are_first_passage_times():
    """Independent route: with p = 1 the join time of a node is its shortest-path time under
    independent exponential delays on the directed edges (first-passage percolation), computed
    here by networkx's Dijkstra on sampled weights."""
    G = nx.Graph([(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (3, 4), (2, 4)])
    res = simulate_recruitment(G, [1.0], initial=[0], targets=[4], response=1.0, horizon=10,
                               n_runs=20_000, delay=1.0, rng=13)
    rng = np.random.default_rng(14)
    D = G.to_directed()
    reference = np.empty(20_000)
    for r in range(reference.size):
        for u, v in D.edges():
            D[u][v]["w"] = rng.exponential(1.0)
        reference[r] = nx.dijkstra_path_length(D, 0, 4, weight="w")
    ours = res.found_time[:, 0]
    se = np.sqrt(ours.var() / ours.size + reference.var() / reference.size)
    assert abs(ours.mean() - reference.mean()) < 5 * se
    # and the whole distribution, not only its mean: compare the quartiles
    for q in (0.25, 0.5, 0.75):
        assert abs(np.quantile(ours, q) - np.quantile(reference, q)) < 0.05


def test_progress_bar_batches_do_not_change_results():
    G = nx.barabasi_albert_graph(300, 2, seed=5)
    kwargs = dict(initial=3, targets=3, response=0.3, horizon=6, n_runs=300, rng=21)
    plain = simulate_recruitment(G, [10.0, 5.0], progress=False, **kwargs)
    with_bar = simulate_recruitment(G, [10.0, 5.0], progress=True, **kwargs)
    assert np.array_equal(plain.found_time, with_bar.found_time)
    assert np.array_equal(plain.depth_profile, with_bar.depth_profile)


def test_linear_threshold_with_network_weights_matches_enumeration():
    # b_uv = W[u, v]; into each node the weights sum to at most 1 (node 3: 0.5 + 0.3)
    G = nx.DiGraph()
    G.add_weighted_edges_from([(0, 1, 0.6), (0, 2, 0.9), (1, 3, 0.5), (2, 3, 0.3), (1, 2, 0.1), (3, 4, 1.0)])
    from incnet import IncentiveNetwork

    net = IncentiveNetwork.from_networkx(G, weight="weight")
    exact = 0.0
    nodes = [1, 2, 3, 4]
    choices = [[(None, 1 - sum(d["weight"] for _, _, d in G.in_edges(v, data=True)))]
               + [(u, d["weight"]) for u, _, d in G.in_edges(v, data=True)] for v in nodes]
    for pick in itertools.product(*choices):
        weight = np.prod([w for _, w in pick])
        H = nx.DiGraph([(u, v) for v, (u, _) in zip(nodes, pick) if u is not None])
        H.add_nodes_from(G)
        exact += weight * (1 + len(nx.descendants(H, 0)))
    res = linear_threshold(net, [0], n_runs=40_000, weights="weight", rng=15)
    assert_close(res.mean, res.stderr, exact)
    with pytest.raises(InvalidInputError):
        linear_threshold(IncentiveNetwork.from_networkx(nx.DiGraph([(0, 2), (1, 2)])), [0], n_runs=2,
                         weights="weight")


def test_graph_horizon_beyond_the_longest_chain_is_clipped():
    res = simulate_recruitment(nx.path_graph(5), [1.0, 0.5], initial=[0], targets=[4], response=1.0,
                               horizon=10**6, n_runs=3, rng=0)
    assert res.incentives.horizon == 4 and res.success.all()


def test_branching_success_matches_the_generating_function_recursion():
    """Analytic route: with g_d the probability of no reported find below a depth-d participant,
    g_H = 1 - q s_H and g_d = (1 - q s_d) psi(1 - p_d + p_d g_{d+1}); P(success) = 1 - g_0^seeds."""
    law = as_offspring(scipy.stats.poisson(3.0))
    q, H, seeds = 0.03, 6, 2
    mech = RecursiveSplit(2000.0, 0.5)
    report = lambda r0: np.minimum(1.0, r0 / 2500.0)
    res = simulate_recruitment(None, mech, offspring=law, initial=seeds, targets=q, horizon=H,
                               response=ExponentialResponse(0.1, 0.5, 30.0), report=report,
                               n_runs=40_000, rng=16)
    p = res.incentives.probabilities
    s = res.incentives.report_probabilities
    assert np.allclose(s, 0.8)
    g = 1 - q * s[H]
    for d in range(H - 1, -1, -1):
        g = (1 - q * s[d]) * float(law.pgf(1 - p[d] + p[d] * g))
    exact = 1 - g**seeds
    assert_close(res.success_rate, res.success_stderr, exact)


# ---------------------------------------------------------------- reproducibility: the tie rule
@pytest.mark.parametrize("delay", [1.0, ("fixed", 1.0)])
def test_trajectory_does_not_depend_on_the_deadline(delay):
    # four initial participants join at time 0 (and fixed delays tie at every step): events are
    # ordered by (time, node), so a shorter deadline only cuts the same trajectory short
    G = nx.barabasi_albert_graph(500, 3, seed=13)
    kwargs = dict(initial=4, targets=3, response=0.35, horizon=6, n_runs=120, delay=delay, rng=1013)
    mech = RecursiveSplit(2000.0, 0.5)
    full = simulate_recruitment(G, mech, deadline=np.inf, **kwargs)
    for deadline in (1.0, 2.0, 3.5, 6.0):
        cut = simulate_recruitment(G, mech, deadline=deadline, **kwargs)
        expected = np.where(full.found_time <= deadline, full.found_time, np.inf)
        np.testing.assert_array_equal(cut.found_time, expected)
        np.testing.assert_array_equal(cut.success, full.completion_time <= deadline)
        assert cut.success_rate == pytest.approx(full.success_by_time(deadline))


def test_initial_participants_join_in_node_order():
    G = nx.path_graph(10)
    res = simulate_recruitment(G, [1.0], initial=[7, 2, 5], targets=0, response=0.0, horizon=1,
                               n_runs=3, rng=0, keep_trees=True)
    for r in range(3):
        assert res.forest(r)["node"] == [2, 5, 7]
    # the same for random initial participants: at time 0, increasing node index
    many = simulate_recruitment(G, [1.0], initial=4, targets=0, response=0.0, horizon=1, n_runs=5,
                                rng=1, keep_trees=True)
    for r in range(5):
        nodes = many.forest(r)["node"]
        assert nodes == sorted(nodes) and len(nodes) == 4


def test_seeds_is_a_deprecated_alias_of_initial():
    kwargs = dict(targets=1, response=0.5, horizon=3, n_runs=20, rng=2)
    new = simulate_recruitment(nx.path_graph(6), [1.0, 0.5], initial=[0], **kwargs)
    with pytest.warns(DeprecationWarning, match="initial="):
        old = simulate_recruitment(nx.path_graph(6), [1.0, 0.5], seeds=[0], **kwargs)
    np.testing.assert_array_equal(new.found_time, old.found_time)
    with pytest.raises(TypeError, match="both"):
        simulate_recruitment(nx.path_graph(6), [1.0], initial=[0], seeds=[0], **kwargs)
    with pytest.raises(InvalidInputError, match="initial="):
        simulate_recruitment(nx.path_graph(6), [1.0], **kwargs)


def test_batches_of_runs_merge_exactly_into_the_whole_simulation():
    from incnet.simulate import SimulationResult

    G = nx.barabasi_albert_graph(300, 3, seed=5)
    kw = dict(initial=3, targets=2, response=0.4, horizon=5, n_runs=90, rng=77, keep_trees=True)
    mech = RecursiveSplit(100.0, 0.5)
    whole = simulate_recruitment(G, mech, **kw)
    parts = [simulate_recruitment(G, mech, runs=r, **kw) for r in [(60, 90), (0, 25), (25, 60)]]
    assert [p.first_run for p in parts] == [60, 0, 25]
    merged = SimulationResult.concat(parts)
    for name in ("success", "found_time", "participants", "paid", "paid_per_target", "depth_profile",
                 "capped", "edge_visits"):
        np.testing.assert_array_equal(getattr(merged, name), getattr(whole, name))
    assert merged.success_rate == whole.success_rate and merged.success_interval == whole.success_interval
    for r in (0, 30, 89):
        assert merged.forest(r)["node"] == whole.forest(r)["node"]
    pd = pytest.importorskip("pandas")
    assert parts[0].to_frame().index.tolist() == list(range(60, 90))
    pd.testing.assert_frame_equal(merged.to_frame(), whole.to_frame())
    with pytest.raises(InvalidInputError, match="consecutive"):
        SimulationResult.concat([parts[0], parts[1]])
    with pytest.raises(InvalidInputError, match="runs="):
        simulate_recruitment(G, mech, runs=(10, 5), **kw)


@pytest.mark.parametrize("delay", [1.5, ("fixed", 1.0), ("lognormal", 2.0, 1.0)])
@pytest.mark.parametrize("graph", [True, False])
def test_checkpoints_read_one_simulation_exactly_at_earlier_deadlines(graph, delay):
    """at_deadline(t) equals the direct call with deadline t, field for field and forest for forest.

    Fixed delays tie every event of a generation (the (time, node) rule decides); a small
    max_participants caps most graph runs, and the checkpoint at 0 keeps only the initial ones.
    """
    import scipy.stats

    kw = dict(initial=4, targets=3 if graph else 0.02, response=0.4, horizon=8, n_runs=120, rng=11,
              delay=delay, max_participants=150)
    net = nx.barabasi_albert_graph(400, 4, seed=3) if graph else None
    if not graph:
        kw["offspring"] = scipy.stats.poisson(3.0)
    once = simulate_recruitment(net, [100.0, 50.0, 25.0], deadline=12.0, checkpoints=[6.0, 0.0, 1.0, 3.0],
                                keep_trees=True, **kw)
    assert once.checkpoints == (0.0, 1.0, 3.0, 6.0)
    assert once.capped.any() if graph else True
    for d in once.checkpoints:
        early = once.at_deadline(d)
        direct = simulate_recruitment(net, [100.0, 50.0, 25.0], deadline=d, keep_trees=True, **kw)
        for name in ("success", "found_time", "participants", "max_depth", "paid", "paid_per_target",
                     "depth_profile", "capped", "edge_visits"):
            np.testing.assert_array_equal(getattr(early, name), getattr(direct, name), err_msg=name)
        assert early.deadline == d and early.success_rate == direct.success_rate
        for run in range(0, 120, 29):
            a, b = early.forest(run), direct.forest(run)
            for key in a:
                np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]))
    # an earlier result keeps the checkpoints below it, and batches merge with theirs
    assert once.at_deadline(3.0).checkpoints == (0.0, 1.0)
    assert once.at_deadline(3.0).at_deadline(1.0).participants.tolist() == once.at_deadline(1.0).participants.tolist()
    from incnet.simulate import SimulationResult

    parts = [simulate_recruitment(net, [100.0, 50.0, 25.0], deadline=12.0, checkpoints=[1.0, 3.0],
                                  runs=(a, a + 60), **kw) for a in (0, 60)]
    merged = SimulationResult.concat(parts).at_deadline(3.0)
    np.testing.assert_array_equal(merged.participants, once.at_deadline(3.0).participants)


def test_checkpoints_are_validated():
    kw = dict(initial=[0], targets=[5], response=0.5, horizon=3, n_runs=5, rng=1, deadline=4.0)
    G = nx.path_graph(6)
    with pytest.raises(InvalidInputError, match="earlier than the deadline"):
        simulate_recruitment(G, [1.0], checkpoints=[2.0, 4.0], **kw)
    with pytest.raises(InvalidInputError, match="deadline"):
        simulate_recruitment(G, [1.0], checkpoints=[-1.0], **kw)
    with pytest.raises(InvalidInputError, match="sequence"):
        simulate_recruitment(G, [1.0], checkpoints=2.0, **kw)
    res = simulate_recruitment(G, [1.0], checkpoints=[1.0], **kw)
    assert res.at_deadline(4.0) is res
    with pytest.raises(InvalidInputError, match="checkpoints"):
        res.at_deadline(2.0)
