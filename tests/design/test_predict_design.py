"""predict_campaign: exact on trees, close to the simulation on a sparse random graph."""

import networkx as nx
import numpy as np
import pytest

from incnet.design import Campaign, predict_campaign
from incnet.errors import InvalidInputError
from incnet.mechanisms import RecursiveSplit
from incnet.simulate import ConstantResponse, ExponentialResponse


def test_exact_per_depth_on_a_tree():
    # on a tree from one seed, E[participants at depth d] = (nodes at distance d) * prod_{j<d} p_j
    G = nx.balanced_tree(3, 4)
    response = ExponentialResponse(0.2, 0.9, scale=5.0)
    c = Campaign(G, initial=[0], targets=5, response=response, horizon=4, delay=("fixed", 1.0))
    mech = [8.0, 4.0, 2.0, 1.0]
    pred = predict_campaign(c, mech)
    p = c.branching_incentives(mech).probabilities
    dist = nx.single_source_shortest_path_length(G, 0)
    at = np.bincount(list(dist.values()), minlength=5)[:5]
    exact = at * np.concatenate([[1.0], np.cumprod(p[:4])])
    np.testing.assert_allclose(pred.participants_per_depth, exact, rtol=1e-12)
    assert pred.reach == pytest.approx(exact.sum())


def test_deadline_thins_by_generations():
    G = nx.balanced_tree(2, 5)
    c = Campaign(G, initial=[0], targets=1, response=ConstantResponse(1.0), horizon=5,
                 deadline=2.5, delay=("fixed", 1.0))
    pred = predict_campaign(c, [1.0])
    np.testing.assert_allclose(pred.participants_per_depth, [1, 2, 4, 0, 0, 0])


def test_close_to_the_simulation_on_a_sparse_random_graph():
    G = nx.random_regular_graph(3, 3000, seed=5)
    # supercritical (3-regular: excess degree 2, p about 0.8), about 900 people reached in time
    c = Campaign(G, initial=2, targets=2, response=ExponentialResponse(0.7, 0.9, scale=50.0),
                 horizon=30, deadline=14.0, delay=("lognormal", 1.0, 0.5))
    mech = RecursiveSplit(500.0, 0.5)
    pred = predict_campaign(c, mech)
    sim = c.simulate(mech, n_runs=1000, rng=2)
    assert sim.success_rate > 0.05  # not a degenerate comparison
    assert abs(pred.success - sim.success_rate) < 0.03  # about 3 standard errors
    assert pred.reach == pytest.approx(sim.participants.mean(), rel=0.1)
    assert pred.depth == pytest.approx(sim.max_depth.mean(), rel=0.1)
    assert 0.9 <= pred.take_off <= 1.0


def test_rejects_a_non_campaign():
    with pytest.raises(InvalidInputError, match="Campaign"):
        predict_campaign(nx.path_graph(3), [1.0])
