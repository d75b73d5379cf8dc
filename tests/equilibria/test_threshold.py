"""Threshold games: monotone dynamics against brute-force enumeration of every equilibrium."""

import itertools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from incnet import IncentiveNetwork, InvalidInputError
from incnet.equilibria import best_response_gap, is_equilibrium, threshold_equilibrium
from incnet.equilibria import threshold as threshold_module


@pytest.fixture(params=[0.0, 5.0, 1e300], ids=["push", "hybrid", "pull"])
def strategy(request, monkeypatch):
    """Run a test with rounds always pushed, the default switch, and rounds always pulled."""
    monkeypatch.setattr(threshold_module, "_PULL_FACTOR", request.param)
    return request.param


def dense_equilibria(W, need):
    """Every pure equilibrium of the threshold game, by checking all 2^n profiles densely."""
    n = W.shape[0]
    found = []
    for bits in itertools.product((0, 1), repeat=n):
        a = np.array(bits, dtype=float)
        acts = (W @ a) >= need
        if np.array_equal(acts, a.astype(bool)):
            found.append(a.astype(bool))
    return found


def synchronous(W, need, a):
    """Synchronous best-response dynamics from a; returns (fixed point, rounds with a change)."""
    rounds = 0
    while True:
        nxt = (W @ a.astype(float)) >= need
        if np.array_equal(nxt, a):
            return a, rounds
        a = nxt
        rounds += 1


def random_instance(seed, n, directed, integer):
    rng = np.random.default_rng(seed)
    mask = rng.random((n, n)) < 0.4
    np.fill_diagonal(mask, False)
    if not directed:
        mask = np.triu(mask, 1)
        mask = mask | mask.T
    if integer:
        W = mask * rng.integers(1, 4, size=(n, n)).astype(float)
        if not directed:
            W = np.triu(W, 1) + np.triu(W, 1).T
        theta = rng.integers(0, 6, size=n).astype(float)
        reward = rng.integers(0, 2, size=n).astype(float)
    else:
        W = mask * rng.random((n, n))
        if not directed:
            W = np.triu(W, 1) + np.triu(W, 1).T
        theta = rng.uniform(0.0, 1.5, size=n)
        reward = rng.uniform(0.0, 0.5, size=n) * (rng.random(n) < 0.3)
    return W, theta, reward


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("directed", [False, True])
def test_least_and_greatest_bracket_every_equilibrium(seed, directed, strategy):
    W, theta, reward = random_instance(seed, 9, directed, integer=seed % 2 == 0)
    need = theta - reward
    equilibria = dense_equilibria(W, need)
    assert equilibria  # a supermodular game always has one
    least = threshold_equilibrium(W, theta, reward=reward)
    greatest = threshold_equilibrium(W, theta, reward=reward, start="all")
    for res in (least, greatest):
        assert res.residual == 0.0
        assert is_equilibrium(W, res.active, game="threshold", theta=theta, reward=reward)
        assert any(np.array_equal(res.active, e) for e in equilibria)
    for e in equilibria:
        assert np.all(least.active <= e) and np.all(e <= greatest.active)


@pytest.mark.parametrize("seed", range(8))
def test_rounds_match_synchronous_dynamics(seed, strategy):
    W, theta, reward = random_instance(100 + seed, 10, directed=True, integer=True)
    need = theta - reward
    fixed, rounds = synchronous(W, need, np.zeros(10, dtype=bool))
    res = threshold_equilibrium(W, theta, reward=reward)
    assert np.array_equal(res.active, fixed)
    assert res.rounds == rounds
    # activation_round: the first synchronous round in which each player is active
    a = np.zeros(10, dtype=bool)
    first = np.full(10, -1)
    for t in range(1, rounds + 1):
        a = (W @ a.astype(float)) >= need
        first[(first < 0) & a] = t
    assert np.array_equal(res.activation_round, first)
    down_fixed, down_rounds = synchronous(W, need, np.ones(10, dtype=bool))
    greatest = threshold_equilibrium(W, theta, reward=reward, start="all")
    assert np.array_equal(greatest.active, down_fixed)
    assert greatest.rounds == down_rounds


@pytest.mark.parametrize("seed", range(8))
def test_profile_start_reaches_least_equilibrium_above_its_stable_core(seed, strategy):
    W, theta, reward = random_instance(200 + seed, 9, directed=seed % 2 == 1, integer=True)
    need = theta - reward
    start = np.random.default_rng(seed).random(9) < 0.5
    # Dense reference: drop players who would not act, only ever dropping, then climb.
    core = start.copy()
    rounds = 0
    while True:
        keep = core & ((W @ core.astype(float)) >= need)
        if np.array_equal(keep, core):
            break
        core, rounds = keep, rounds + 1
    climbed = core.copy()
    while True:
        nxt = climbed | ((W @ climbed.astype(float)) >= need)
        if np.array_equal(nxt, climbed):
            break
        climbed, rounds = nxt, rounds + 1
    res = threshold_equilibrium(W, theta, reward=reward, start=start)
    assert res.start == "profile"
    assert np.array_equal(res.active, climbed)
    assert res.rounds == rounds
    assert res.residual == 0.0
    equilibria = dense_equilibria(W, need)
    above = [e for e in equilibria if np.all(core <= e)]
    assert any(np.array_equal(res.active, e) for e in above)
    for e in above:
        assert np.all(res.active <= e)


def test_round_off_cannot_drop_a_player_who_acts_unconditionally():
    # 0.1 + 0.2 - 0.1 - 0.2 != 0 in floating point; a zero threshold must still be met.
    G = nx.star_graph(2)
    W = np.array([[0, 0.1, 0.2], [0.1, 0, 0], [0.2, 0, 0]])
    res = threshold_equilibrium(W, theta=[0.0, 5.0, 5.0], start="all")
    assert res.active.tolist() == [True, False, False]
    assert G.number_of_nodes() == 3


def test_cascade_on_a_line_and_labels():
    G = nx.path_graph(["a", "b", "c", "d"])
    res = threshold_equilibrium(G, theta=1.0, reward=[1.0, 0, 0, 0])
    assert res.active.all() and res.rounds == 4 and res.n_active == 4
    assert res.to_dict() == {"a": True, "b": True, "c": True, "d": True}
    assert res.activation_round.tolist() == [1, 2, 3, 4]


def test_edge_direction_row_i_is_whom_i_listens_to():
    # W[0, 1] = 1: player 0 listens to player 1, not the other way round.
    W = sp.csr_array(np.array([[0.0, 1.0], [0.0, 0.0]]))
    res = threshold_equilibrium(W, theta=1.0, reward=[0.0, 1.0])
    assert res.active.tolist() == [True, True]
    res = threshold_equilibrium(W, theta=1.0, reward=[1.0, 0.0])
    assert res.active.tolist() == [True, False]


def test_large_sparse_graph_matches_synchronous_reference(strategy):
    G = nx.barabasi_albert_graph(3000, 3, seed=5)
    net = IncentiveNetwork.from_networkx(G)
    rng = np.random.default_rng(3)
    theta = rng.integers(1, 4, size=net.n).astype(float)
    reward = (rng.random(net.n) < 0.01) * 5.0
    res = threshold_equilibrium(net, theta, reward=reward)
    a = np.zeros(net.n, dtype=bool)
    W = net.W
    while True:
        nxt = (W @ a.astype(float)) >= theta - reward
        if np.array_equal(nxt, a):
            break
        a = nxt
    assert np.array_equal(res.active, a)
    assert res.edge_visits == int(np.diff(W.indptr)[a].sum())


def test_negative_weights_and_bad_inputs_are_rejected():
    W = np.array([[0, -1.0], [1.0, 0]])
    with pytest.raises(InvalidInputError, match="non-negative"):
        threshold_equilibrium(W, theta=1.0)
    G = nx.path_graph(3)
    with pytest.raises(InvalidInputError, match="theta"):
        threshold_equilibrium(G, theta=[1.0, 2.0])
    with pytest.raises(InvalidInputError, match="start"):
        threshold_equilibrium(G, theta=1.0, start="some")
    with pytest.raises(InvalidInputError, match="start"):
        threshold_equilibrium(G, theta=1.0, start=[0, 2, 1])
    with pytest.raises(InvalidInputError, match="NaN"):
        threshold_equilibrium(G, theta=[1.0, np.nan, 1.0])


def test_gap_of_a_non_equilibrium():
    G = nx.path_graph(3)
    # Middle player: 2 active neighbours against theta 1.5, inactive: gains 0.5 by acting.
    # End players: active with no active neighbour: gain 1.5 by stopping. The gap is the max.
    assert best_response_gap(G, [1, 0, 1], game="threshold", theta=1.5) == pytest.approx(1.5)
    assert best_response_gap(G, [1, 0, 1], game="threshold", theta=1.5, reward=[1.5, 0, 1.5]) == pytest.approx(0.5)
    assert not is_equilibrium(G, [1, 0, 1], game="threshold", theta=1.5)


def test_check_false_skips_the_verification():
    res = threshold_equilibrium(nx.cycle_graph(5), 1.0, reward=[1, 0, 0, 0, 0], check=False)
    assert np.isnan(res.residual) and res.n_active == 5
