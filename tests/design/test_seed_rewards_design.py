"""seed_rewards: exact MILP against dynamic programming over activation orders; greedy checks."""

import networkx as nx
import numpy as np
import pytest

from incnet.design import seed_rewards
from incnet.errors import InvalidInputError

from reference_design import best_cascade, least_equilibrium


def small_game(seed, n=7):
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(n, 0.45, seed=seed, directed=True)
    W = np.zeros((n, n))
    for u, v in G.edges:
        W[u, v] = rng.choice([0.5, 1.0, 1.5])
    theta = rng.choice([0.0, 1.0, 1.5, 2.0, 3.0], n, p=[0.1, 0.3, 0.2, 0.3, 0.1])
    return W, theta, float(rng.uniform(0.5, 4.0))


@pytest.mark.parametrize("seed", range(8))
def test_milp_matches_exhaustive_search(seed):
    W, theta, budget = small_game(seed)
    res = seed_rewards(W, theta, budget, method="milp")
    assert res.objective == best_cascade(W, theta, budget)
    assert res.budget_used <= budget + 1e-7
    # the claimed cascade is what synchronous dynamics from nobody produce
    reached = least_equilibrium(W, theta, res.rewards)
    assert reached.sum() == res.objective
    assert np.array_equal(reached, res.active)
    assert res.gap == 0.0


def test_least_equilibrium_not_any_self_sustaining_set():
    # a 4-clique with threshold 2 sustains itself once started, but two paid members are needed
    W = nx.to_numpy_array(nx.complete_graph(4))
    theta = np.full(4, 2.0)
    one = seed_rewards(W, theta, 2.0, method="milp")
    assert one.objective == 1  # one person paid 2; a single actor gives the others only 1
    two = seed_rewards(W, theta, 3.0, method="milp")
    assert two.objective == 4  # 2 + 1: the second needs only 1 more once the first acts


def test_greedy_on_small_instances_never_beats_the_optimum():
    for seed in range(5):
        W, theta, budget = small_game(seed)
        greedy = seed_rewards(W, theta, budget, method="greedy")
        exact = best_cascade(W, theta, budget)
        assert greedy.objective <= exact
        assert greedy.budget_used <= budget + 1e-9
        assert least_equilibrium(W, theta, greedy.rewards).sum() == greedy.objective


def test_greedy_large_network_is_consistent():
    G = nx.barabasi_albert_graph(2000, 3, seed=1)
    W = nx.to_scipy_sparse_array(G, format="csr")
    theta = np.random.default_rng(1).choice([1.0, 2.0, 3.0], 2000)
    res = seed_rewards(W, theta, 20.0, method="greedy")
    assert res.budget_used <= 20.0 + 1e-9
    assert res.objective >= np.count_nonzero(res.rewards)
    ref = least_equilibrium(W.toarray(), theta, res.rewards)
    assert ref.sum() == res.objective


def test_cascade_size_is_not_submodular():
    # the counterexample of the docstring: the guarantee of Kempe et al. does not apply
    W = np.zeros((3, 3))
    W[2, 0] = W[2, 1] = 1.0
    theta = np.array([1.0, 1.0, 2.0])

    def size(paid):
        r = np.zeros(3)
        r[list(paid)] = 1.0
        return least_equilibrium(W, theta, r).sum()

    assert size({0, 1}) - size({0}) > size({1}) - size(set())


def test_negative_weights_rejected():
    with pytest.raises(InvalidInputError, match="w_ij >= 0"):
        seed_rewards([[0, -1.0], [1.0, 0]], 1.0, 1.0)
    with pytest.raises(InvalidInputError, match="budget"):
        seed_rewards([[0, 1.0], [1.0, 0]], 1.0, -1.0)
