"""Self-consistent incentives: exact on a path, the branching value on a tree-like graph, bounded
on a dense one."""

import math

import networkx as nx
import numpy as np
import pytest

from incnet.design import Campaign, optimal_split, self_consistent_incentives
from incnet.errors import InvalidInputError
from incnet.simulate import ExponentialResponse


def test_exact_on_a_path():
    # 0 - 1 - 2, seed 0, target 2, reports with probability s: a depth-1 recruit (node 2) always
    # finds, so w_1 = s r_1; a depth-0 recruit (node 1) brings r_2 when it recruits node 2:
    # w_0 = s r_2 p(w_1). Exact enumeration of the two attempts.
    response = ExponentialResponse(0.1, 0.9, scale=20.0)
    c = Campaign(nx.path_graph(3), initial=[0], targets=[2], response=response, horizon=2,
                 report=0.8)
    r = [100.0, 40.0, 30.0]
    runs = 20_000
    inc = self_consistent_incentives(c, r, n_runs=runs, rng=3)
    p1 = float(response(np.array([0.8 * 40.0]))[0])
    assert inc.incentives[1] == pytest.approx(0.8 * 40.0, rel=1e-2)
    # w_0 is a binomial fraction among the runs in which node 1 joined (about runs * p0)
    p0 = float(response(np.array([0.8 * 30.0 * p1]))[0])
    se = 0.8 * 30.0 * math.sqrt(p1 * (1 - p1) / (runs * p0))
    assert abs(inc.incentives[0] - 0.8 * 30.0 * p1) < 4 * se + 0.01 * 30.0
    assert inc.converged and inc.method == "self-consistent"
    assert inc.residual <= 1e-3 * 40.0 * 1.0 + 1e-9
    np.testing.assert_allclose(inc.probabilities[:2], response(inc.incentives[:2]))


def test_agrees_with_branching_on_a_tree_like_graph():
    # random 3-regular graph: locally tree-like, excess degree 2, far from saturation
    G = nx.random_regular_graph(3, 20_000, seed=3)
    c = Campaign(G, initial=20, targets=2000, response=ExponentialResponse(0.2, 0.45, scale=30.0),
                 horizon=4)
    mech = [100.0, 50.0, 25.0, 12.5, 6.25]
    sc = self_consistent_incentives(c, mech, n_runs=2000, rng=1)
    br = c.branching_incentives(mech)
    np.testing.assert_allclose(sc.incentives[:4], br.incentives[:4], rtol=0.08)
    np.testing.assert_allclose(sc.probabilities, br.probabilities, atol=0.01)


def test_bounded_on_a_dense_graph():
    G = nx.barabasi_albert_graph(400, 20, seed=2)
    c = Campaign(G, initial=3, targets=2, response=ExponentialResponse(0.05, 0.6, scale=5.0),
                 horizon=8, deadline=10.0)
    mech = [500.0, 250.0, 125.0, 62.5, 31.25, 15.6, 7.8, 3.9, 1.95]
    br = c.branching_incentives(mech)
    sc = self_consistent_incentives(c, mech, n_runs=300, rng=2)
    # two targets, and no recruiter is ever paid more than 250 by one chain
    assert np.all(sc.incentives <= 2 * 250.0 + 1e-9)
    assert br.incentives[0] > 2 * 250.0  # the branching products run away
    assert sc.residual < 0.05 * 500.0


def test_campaign_simulates_with_self_consistent_incentives():
    G = nx.barabasi_albert_graph(200, 2, seed=4)
    c = Campaign(G, initial=3, targets=2, response=ExponentialResponse(0.05, 0.5, scale=2.0),
                 horizon=4, incentives="self-consistent")
    res = c.simulate([300.0, 150.0, 75.0], n_runs=100, rng=5, incentive_options={"n_runs": 200})
    assert res.incentives.method == "self-consistent"
    again = c.simulate([300.0, 150.0, 75.0], n_runs=100, rng=5, incentive_options={"n_runs": 200})
    np.testing.assert_array_equal(res.participants, again.participants)
    # the design route runs the fixed point for every candidate, on the design's runs
    design = optimal_split(c, 500.0, n_runs=60, n_validation=100, max_rounds=1, polish_rounds=0,
                           rng=1, progress=False)
    assert design.details["in_sample"] >= design.details["in_sample_recursive_halving"] - 1e-12
    assert design.details["held_out"]["designed"].incentives.method == "self-consistent"


def test_rejects_bad_options():
    c = Campaign(nx.path_graph(3), initial=[0], targets=[2], response=0.5, horizon=2)
    with pytest.raises(InvalidInputError, match="damping"):
        self_consistent_incentives(c, [1.0], damping=0.0)
    with pytest.raises(InvalidInputError, match="Campaign"):
        self_consistent_incentives(nx.path_graph(3), [1.0])
