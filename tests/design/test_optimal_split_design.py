"""RecruitmentModel and optimal_split: exact recursions, brute force, certificates, simulation."""

import itertools

import numpy as np
import pytest
import scipy.stats
from scipy.optimize import linprog

from incnet.design import RecruitmentModel, optimal_split
from incnet.errors import InvalidInputError
from incnet.mechanisms import FinderOnly, RecursiveSplit
from incnet.simulate import (
    ConstantResponse,
    ExponentialResponse,
    ThresholdResponse,
    recruitment_incentives,
)


def reference_success(model, r):
    """1 - g_0^seeds with the offspring law's own pgf (no kernel)."""
    inc = recruitment_incentives(r, mean_contacts=model.mean_contacts, response=model.response,
                                 find_probability=model.find_probability, horizon=model.horizon,
                                 report=model.report)
    p, s = inc.probabilities, inc.report_probabilities
    q = model.find_probability
    H = model.horizon
    g = 1 - q * s[H]
    for d in range(H - 1, -1, -1):
        g = (1 - q * s[d]) * float(model.offspring.pgf(1 - p[d] + p[d] * g))
    return 1 - g**model.initial


def reference_depth(model, r):
    """E[max depth] by the distribution of generation sizes of a tiny tree, enumerated exactly."""
    p = model.incentives(r).probabilities
    pmf = model.offspring.pmf
    H = model.horizon
    # P(a depth-j participant's subtree reaches depth d) by recursion over a single lineage
    total = 0.0
    for d in range(1, H + 1):
        none = 0.0  # probability that a depth-(d) node's subtree never reaches d: it is at d
        for j in range(d - 1, -1, -1):
            x = 1 - p[j] + p[j] * none
            none = sum(pk * x**k for k, pk in enumerate(pmf))
        total += 1 - none**model.initial
    return total


@pytest.fixture
def smooth_model():
    return RecruitmentModel(scipy.stats.binom(4, 0.75), ExponentialResponse(0.1, 0.6, 30.0),
                            find_probability=0.02, horizon=2, initial=4)


def test_exact_values_match_references(smooth_model):
    m = smooth_model
    for r in ([300.0, 200.0, 100.0], [600.0], [0.0, 0.0, 600.0]):
        assert m.success_probability(r) == pytest.approx(reference_success(m, r), rel=1e-12)
        assert m.expected_depth(r) == pytest.approx(reference_depth(m, r), rel=1e-12)
        inc = m.incentives(r)
        mm = m.mean_contacts * inc.probabilities
        assert m.expected_reach(r) == pytest.approx(4 * (1 + mm[0] + mm[0] * mm[1]), rel=1e-12)


def test_success_of_a_single_generation_by_hand():
    # H = 0: only the seeds search; success = 1 - (1 - q)^seeds
    m = RecruitmentModel([0.5, 0.5], 0.3, find_probability=0.1, horizon=0, initial=3)
    assert m.success_probability([10.0]) == pytest.approx(1 - 0.9**3)
    # H = 1, K = 2 always, p = 0.5: g_0 = (1-q) * (1 - p + p (1 - q))^2
    m = RecruitmentModel([0, 0, 1.0], 0.5, find_probability=0.1, horizon=1, initial=1)
    assert m.success_probability([1.0]) == pytest.approx(1 - 0.9 * (0.5 + 0.5 * 0.9) ** 2)


def test_mechanisms_and_schedules_evaluate_alike(smooth_model):
    darpa = RecursiveSplit(200.0, 0.5)
    schedule = darpa.chain_payments(3)
    assert smooth_model.success_probability(darpa) == pytest.approx(
        smooth_model.success_probability(schedule), rel=1e-12)


def simplex_grid(budget, steps):
    for i in range(steps + 1):
        for j in range(steps + 1 - i):
            yield np.array([0.0, i, j]) * budget / steps


def test_multistart_matches_brute_force_grid(smooth_model):
    B = 600.0
    res = optimal_split(smooth_model, B, rng=0)
    grid_best = max(smooth_model.success_probability(r) for r in simplex_grid(B, 120))
    assert res.objective >= grid_best - 1e-9
    assert res.objective <= grid_best + 1e-4  # the grid is 5 units fine; the objective is smooth
    assert res.budget_used == pytest.approx(B)
    assert res.details["kkt_residual"] < 1e-3 * max(res.shadow_price, 1e-12) + 1e-8
    assert res.objective >= max(res.details["finder_only"], res.details["recursive_halving"])
    assert res.details["finder_only"] == pytest.approx(smooth_model.success_probability(FinderOnly(B)))


@pytest.mark.parametrize("objective", ["depth", "reach"])
def test_other_objectives_match_grid(smooth_model, objective):
    B = 600.0
    res = optimal_split(smooth_model, B, objective=objective, rng=0)
    grid_best = max(smooth_model.evaluate(r, objective) for r in simplex_grid(B, 60))
    assert grid_best - 1e-9 <= res.objective <= grid_best + 1e-3


def test_shadow_price_matches_finite_difference(smooth_model):
    B, dB = 600.0, 6.0
    low = optimal_split(smooth_model, B, rng=0)
    high = optimal_split(smooth_model, B + dB, rng=0)
    assert (high.objective - low.objective) / dB == pytest.approx(low.shadow_price, rel=0.05)


def pattern_reference(model, budget, objective):
    """Best objective over patterns whose cheapest schedule (scipy linprog) fits the budget."""
    lo, hi, tau = model.response.p0, model.response.p_high, model.response.threshold
    H, q = model.horizon, model.find_probability
    best = -np.inf
    for bits in itertools.product([False, True], repeat=H):
        raised = np.array(bits)
        m = model.mean_contacts * np.where(raised, hi, lo)
        rows = []
        for d in range(H):
            coef = np.zeros(H)
            for k in range(1, H - d + 1):
                coef[k - 1] = q * np.prod(m[d + 1:d + k])
            rows.append(coef)
        A = np.array(rows)[raised]
        if raised.any():
            lp = linprog(np.ones(H), A_ub=-A, b_ub=-np.full(A.shape[0], tau), method="highs")
            if lp.status != 0 or lp.fun > budget + 1e-9:
                continue
        p = np.append(np.where(raised, hi, lo), 0.0)
        # the exact objective of these probabilities through a constant-response model per depth
        val = _objective_from_probabilities(model, p, objective)
        best = max(best, val)
    return best


def _objective_from_probabilities(model, p, objective):
    H, q, pmf = model.horizon, model.find_probability, model.offspring.pmf
    psi = lambda x: sum(pk * x**k for k, pk in enumerate(pmf))  # noqa: E731
    if objective == "success":
        g = 1 - q
        for d in range(H - 1, -1, -1):
            g = (1 - q) * psi(1 - p[d] + p[d] * g)
        return 1 - g**model.initial
    m = model.mean_contacts * p[:H]
    return model.initial * (1 + np.cumprod(m).sum())


@pytest.mark.parametrize("objective", ["success", "reach"])
@pytest.mark.parametrize("budget", [150.0, 700.0, 3000.0])
def test_pattern_lp_is_the_global_optimum(objective, budget):
    model = RecruitmentModel(scipy.stats.poisson(2.5), ThresholdResponse(0.15, 0.5, 4.0),
                             find_probability=0.01, horizon=4, initial=3)
    res = optimal_split(model, budget, objective=objective)
    assert res.status == "optimal" and res.method == "pattern-lp"
    assert res.objective == pytest.approx(pattern_reference(model, budget, objective), rel=1e-12)
    assert res.schedule.sum() <= budget * (1 + 1e-9)
    # no schedule on a grid of the simplex does better
    rng = np.random.default_rng(0)
    for _ in range(300):
        r = rng.dirichlet(np.full(5, 0.3)) * budget
        assert model.evaluate(r, objective) <= res.objective + 1e-12


def test_pattern_lp_doc_example_by_hand():
    # every depth needs w >= 10 = r_1 * q, so r_1 = 1000 raises all of them at once
    model = RecruitmentModel(scipy.stats.poisson(3.0), ThresholdResponse(0.1, 0.5, 10.0),
                             find_probability=0.01, horizon=3, initial=5)
    res = optimal_split(model, 4000.0)
    assert res.schedule == pytest.approx([3000.0, 1000.0, 0.0, 0.0])


def test_expected_budget(smooth_model):
    res = optimal_split(smooth_model, 300.0, budget_kind="expected", rng=0)
    assert res.budget_used <= 300.0 * (1 + 1e-7)
    assert smooth_model.expected_payment(res.schedule) == pytest.approx(res.budget_used)
    # paying the finder 300 costs exactly 300 per find, so the optimum is at least as good
    assert res.objective >= smooth_model.success_probability([300.0]) - 1e-12


def test_expected_payment_by_hand():
    # H = 1, K = 1, p = 1: every seed recruits one person; finds at depth 0 and 1 equally likely
    m = RecruitmentModel([0, 1.0], 1.0, find_probability=0.5, horizon=1, initial=1)
    assert m.expected_payment([10.0, 4.0]) == pytest.approx(10.0 + 0.5 * 4.0)


def test_errors(smooth_model):
    with pytest.raises(InvalidInputError, match="budget"):
        optimal_split(smooth_model, -1.0)
    with pytest.raises(InvalidInputError, match="pattern-lp"):
        optimal_split(smooth_model, 10.0, method="pattern-lp")
    nothing = RecruitmentModel([0.5, 0.5], 0.3, find_probability=0.0, horizon=2)
    with pytest.raises(InvalidInputError, match="find_probability is 0"):
        optimal_split(nothing, 10.0)
    silent = RecruitmentModel([1.0], ConstantResponse(0.3), find_probability=0.1, horizon=2)
    with pytest.raises(InvalidInputError, match="no feasible participation"):
        optimal_split(silent, 10.0, objective="reach")
    with pytest.raises(InvalidInputError, match="finite and >= 0"):
        smooth_model.success_probability([1.0, np.nan])
    with pytest.raises(InvalidInputError, match="horizon"):
        smooth_model.success_probability([1.0, 1.0, 1.0, 5.0])


def test_exact_recursion_agrees_with_simulation(smooth_model):
    from incnet.simulate import simulate_recruitment

    model = RecruitmentModel(scipy.stats.poisson(2.0), ExponentialResponse(0.2, 0.6, 30.0),
                             find_probability=0.03, horizon=5, initial=3)
    design = optimal_split(model, 400.0, rng=0, starts=4)
    for schedule in (design.schedule, RecursiveSplit(200.0, 0.5)):
        sim = simulate_recruitment(None, schedule, initial=3, targets=0.03,
                                   response=model.response, horizon=5, n_runs=20000,
                                   offspring=scipy.stats.poisson(2.0), rng=7)
        rate = np.mean(sim.success)
        se = np.sqrt(rate * (1 - rate) / 20000)
        assert abs(rate - model.success_probability(schedule)) < 4 * se


def test_reach_and_depth_agree_with_simulation():
    from incnet.simulate import simulate_recruitment

    model = RecruitmentModel(scipy.stats.poisson(1.8), ConstantResponse(0.5),
                             find_probability=0.0, horizon=6, initial=2)
    sim = simulate_recruitment(None, [0.0], initial=2, targets=0, response=0.5, horizon=6,
                               n_runs=20000, offspring=scipy.stats.poisson(1.8), rng=3)
    participants = np.asarray(sim.participants, dtype=float)
    se = participants.std() / np.sqrt(participants.size)
    assert abs(participants.mean() - model.expected_reach([0.0])) < 4 * se
    depth = np.asarray(sim.max_depth, dtype=float)
    se = depth.std() / np.sqrt(depth.size)
    assert abs(depth.mean() - model.expected_depth([0.0])) < 4 * se


def test_designed_schedule_wins_on_a_real_network():
    # the tutorial's campaign: a branching model calibrated to ca-hepth's excess degrees, and the
    # event-driven simulation on the network itself as the judge
    from incnet.datasets import load
    from incnet.simulate import simulate_recruitment

    net = load("ca-hepth", as_network=True)
    degree = np.diff(net.W.indptr)
    degree = degree[degree > 0]
    excess = np.bincount(degree - 1, weights=degree) / degree.sum()
    response = ExponentialResponse(0.02, 0.15, scale=5.0)
    model = RecruitmentModel(excess, response, find_probability=1e-3, horizon=10, initial=5)
    design = optimal_split(model, 4000.0, rng=0, starts=3)
    assert design.objective > 2 * design.details["recursive_halving"]
    rates = {}
    for name, rule in (("designed", design.schedule), ("halving", RecursiveSplit(2000.0, 0.5))):
        sim = simulate_recruitment(net, rule, initial=5, targets=1e-3, response=response,
                                   horizon=10, n_runs=1500, rng=1)
        rates[name] = float(np.mean(sim.success))
    se = np.sqrt(sum(r * (1 - r) / 1500 for r in rates.values()))
    assert rates["designed"] - rates["halving"] > 3 * se


def test_pattern_lp_is_one_dpp_problem():
    from incnet.design.splits import _PatternLP

    assert _PatternLP(4).problem.is_dcp(dpp=True)
