"""Campaign, the common-random-number kernel and optimal_split on a campaign's own simulation."""

import math
import pickle

import networkx as nx
import numpy as np
import pytest

from incnet.design import Campaign, RecruitmentModel, optimal_split
from incnet.design.network_split import geometric_schedule, schedule_outcomes
from incnet.errors import InvalidInputError
from incnet.mechanisms import FinderOnly, RecursiveSplit
from incnet.simulate import ConstantResponse, ExponentialResponse, simulate_recruitment


@pytest.fixture(scope="module")
def graph():
    return nx.barabasi_albert_graph(300, 2, seed=7)


@pytest.fixture(scope="module")
def campaign(graph):
    return Campaign(graph, initial=3, targets=2, response=ExponentialResponse(0.05, 0.5, scale=2.0),
                    horizon=5, deadline=12.0, delay=("lognormal", 1.0, 0.8),
                    report=ExponentialResponse(0.0, 1.0, scale=300.0))


def _seeds(n, seed=0):
    return np.random.default_rng(seed).integers(0, 2**62, size=n)


# ----------------------------------------------------------------------------- Campaign
def test_campaign_simulate_is_simulate_recruitment(graph, campaign):
    mech = RecursiveSplit(500.0, 0.5)
    a = campaign.simulate(mech, n_runs=100, rng=3)
    b = simulate_recruitment(graph, mech, initial=3, targets=2, response=campaign.response, horizon=5,
                             deadline=12.0, delay=("lognormal", 1.0, 0.8), report=campaign.report,
                             n_runs=100, rng=3)
    np.testing.assert_array_equal(a.success, b.success)
    np.testing.assert_array_equal(a.participants, b.participants)


def test_campaign_pickles_and_stays_deterministic(campaign):
    clone = pickle.loads(pickle.dumps(campaign))
    mech = [400.0, 200.0, 100.0]
    np.testing.assert_array_equal(clone.simulate(mech, n_runs=50, rng=1).participants,
                                  campaign.simulate(mech, n_runs=50, rng=1).participants)


@pytest.mark.parametrize("kwargs, match", [
    (dict(initial=0), "initial"),
    (dict(initial=[999]), "not in the network"),
    (dict(targets=1.5), "targets"),
    (dict(targets=[1, 1]), "repeated"),
    (dict(incentives="oracle"), "incentives"),
    (dict(deadline=-1.0), "deadline"),
    (dict(delay=("weibull", 2.0)), "delay"),
    (dict(horizon=-1), "horizon"),
])
def test_campaign_rejects_bad_input(graph, kwargs, match):
    base = dict(initial=2, targets=1, response=0.3, horizon=3)
    base.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        Campaign(graph, **base)


def test_campaign_facts(graph):
    c = Campaign(graph, initial=[0, 1, 1], targets=3, response=0.2, horizon=10**6)
    assert c.initial == (0, 1)
    assert c.horizon == graph.number_of_nodes() - 1
    assert c.find_probability == pytest.approx(3 / 300)
    deg = np.array([d for _, d in graph.degree()], dtype=float)
    assert c.mean_contacts == pytest.approx(deg @ deg / deg.sum() - 1)


# ----------------------------------------------------------------------------- the CRN kernel
def test_crn_kernel_exact_on_a_path():
    # seed 0 - 1 - 2 with the target at 2: found iff both attempts succeed, P = p^2 (enumeration)
    c = Campaign(nx.path_graph(3), initial=[0], targets=[2], response=ConstantResponse(0.3),
                 horizon=2, delay=("fixed", 1.0))
    out = schedule_outcomes(c, [[1.0, 0.0, 0.0]], _seeds(20_000))
    p = out["success"][0].mean()
    se = math.sqrt(0.09 * 0.91 / 20_000)
    assert abs(p - 0.09) < 4 * se
    # found exactly at depth 2 and time 2 whenever found
    assert set(np.unique(out["finder_depth"][0][out["success"][0]])) == {2}


def test_crn_kernel_matches_the_engine(graph, campaign):
    mech = [300.0, 150.0, 75.0, 40.0, 20.0, 10.0]
    res = campaign.simulate(mech, n_runs=3000, rng=11)
    out = schedule_outcomes(campaign, [mech], _seeds(3000, 12))
    for name, sim in (("success", res.success), ("reach", res.participants), ("depth", res.max_depth)):
        a, b = np.asarray(sim, float), out[name][0]
        se = math.sqrt(a.var() / a.size + b.var() / b.size)
        assert abs(a.mean() - b.mean()) < 4 * se + 1e-12, name
    # paid per run: a finder at depth f is paid the chain's total
    assert np.all(out["paid"][0] <= 2 * sum(mech) + 1e-9)


def test_crn_coupling_is_monotone(graph):
    # the same uniforms on every edge: a higher p recruits a superset, run by run
    c = Campaign(graph, initial=2, targets=0, response=0.1, horizon=299, deadline=6.0)
    seeds = _seeds(300, 5)
    P = np.array([[0.1] * 299 + [0.0], [0.2] * 299 + [0.0]])
    raw = c._crn_runs(P, np.ones_like(P), seeds)
    assert np.all(raw["participants"][1] >= raw["participants"][0])
    assert np.any(raw["participants"][1] > raw["participants"][0])


# ----------------------------------------------------------------------------- design
@pytest.fixture(scope="module")
def design(campaign):
    return optimal_split(campaign, 1000.0, n_runs=150, n_validation=600, rng=2, progress=False)


def test_design_is_never_worse_in_sample(design):
    d = design.details
    assert d["in_sample"] >= d["in_sample_recursive_halving"] - 1e-12
    assert d["in_sample"] >= d["in_sample_finder_only"] - 1e-12
    assert design.method == "crn-search" and design.status == "local"


def test_design_budget_and_report(design, campaign):
    r = design.rewards
    assert r.shape == (campaign.horizon + 1,)
    assert np.all(r >= 0) and r.sum() <= 1000.0 and design.budget_used <= 1000.0
    lo, hi = design.details["objective_interval"]
    assert lo <= design.objective <= hi
    for name in ("recursive_halving", "finder_only"):
        pair = design.details[f"vs_{name}"]
        # paired on the same runs: the mean difference is the difference of the means
        assert pair["difference"] == pytest.approx(design.objective - design.details[name])
        assert pair["interval"][0] <= pair["difference"] <= pair["interval"][1]
    # the held-out objective is what a fresh simulation of the schedule gives
    fresh = campaign.simulate(r, n_runs=600, rng=99)
    se = math.sqrt(0.25 / 600)
    assert abs(fresh.success_rate - design.objective) < 4 * math.sqrt(2) * se


def test_design_beats_a_coarse_brute_force_grid(campaign, design):
    # an independent route: every schedule of a coarse grid on the simplex, on fresh runs
    H = campaign.horizon
    grid = [geometric_schedule(1000.0, H, a, rho, L) for a in (0.2, 0.5, 0.8)
            for rho in (0.3, 0.7, 1.0) for L in (1, 3, H)]
    seeds = _seeds(600, 77)
    values = schedule_outcomes(campaign, grid + [design.rewards], seeds)["success"].mean(axis=1)
    se = math.sqrt(0.25 / 600)
    assert values[-1] >= values[:-1].max() - 3 * se


def test_design_other_objectives_and_budget_kinds(campaign):
    res = optimal_split(campaign, 1000.0, objective="depth", budget_kind="expected", n_runs=80,
                        n_validation=200, max_rounds=2, polish_rounds=1, rng=4, progress=False)
    assert res.details["objective"] == "depth"
    assert res.details["in_sample"] >= res.details["in_sample_recursive_halving"] - 1e-12
    # expected payment per find: within a few percent of the budget on the design's own runs
    assert res.budget_used <= 1000.0 * 1.25
    reach = optimal_split(campaign, 1000.0, objective="reach", n_runs=60, n_validation=100,
                          max_rounds=1, polish_rounds=0, rng=4, progress=False)
    assert reach.objective >= 3.0  # at least the initial participants


def test_design_validation_errors(campaign, graph):
    with pytest.raises(InvalidInputError, match="budget"):
        optimal_split(campaign, 0.0, progress=False)
    with pytest.raises(InvalidInputError, match="targets"):
        optimal_split(Campaign(graph, initial=2, targets=0, response=0.3, horizon=3), 100.0)
    with pytest.raises(ValueError, match="objective"):
        optimal_split(campaign, 100.0, objective="fame")
    with pytest.raises(InvalidInputError, match="RecruitmentModel or a Campaign"):
        optimal_split(object(), 100.0)


def test_branching_route_still_dispatches():
    import scipy.stats

    from incnet.simulate import ThresholdResponse

    model = RecruitmentModel(scipy.stats.poisson(3.0), ThresholdResponse(0.1, 0.5, 10.0),
                             find_probability=0.01, horizon=3, initial=5)
    res = optimal_split(model, 4000.0)
    assert res.status == "optimal" and res.method == "pattern-lp"
    with pytest.raises(InvalidInputError, match="unknown options"):
        optimal_split(model, 4000.0, polish_rounds=1)


def test_crn_runs_do_not_depend_on_the_thread_count(campaign):
    import numba

    P = np.array([[0.3] * 5 + [0.0], [0.5] * 5 + [0.0]])
    S = np.full_like(P, 0.9)
    seeds = _seeds(64, 8)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = campaign._crn_runs(P, S, seeds)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = campaign._crn_runs(P, S, seeds)
    finally:
        numba.set_num_threads(before)
    for key in one:
        np.testing.assert_array_equal(one[key], two[key])
