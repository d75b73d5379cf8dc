"""optimal_split's exact gradients, its upper bound, and its optima against independent optimisers.

The gradients come from reverse passes of the recursions (incnet/_kernels/splits.py); they are
checked against central differences of the public, independently computed
``RecruitmentModel.evaluate`` / ``expected_payment``. The optima are checked against scipy's
differential evolution on the same public objective, and the bound against brute force.
"""

import numpy as np
import pytest
import scipy.stats
from scipy.optimize import differential_evolution

from incnet.design import RecruitmentModel, optimal_split
from incnet.design.splits import _SplitProblem
from incnet.simulate import (
    ConstantResponse,
    ExponentialResponse,
    LinearResponse,
    ThresholdResponse,
    recruitment_incentives,
)

RESPONSES = {
    "exponential": ExponentialResponse(0.1, 0.7, 30.0),
    "linear": LinearResponse(0.05, 0.002, 0.9),
    "constant": ConstantResponse(0.3),
    "user function": lambda w: 0.1 + 0.6 * (1 - np.exp(-np.asarray(w) / 30.0)),
}
REPORTS = {
    "always": None,
    "constant": 0.7,
    "named": ExponentialResponse(0.0, 1.0, 200.0),
    "user function": lambda r: 1 - np.exp(-np.asarray(r) / 200.0),
}


def central_differences(f, r, rel=1e-4):
    out = np.zeros(r.size)
    for k in range(r.size):
        h = rel * r[k]
        up, down = r.copy(), r.copy()
        up[k] += h
        down[k] -= h
        out[k] = (f(up) - f(down)) / (2 * h)
    return out


@pytest.mark.parametrize("response", list(RESPONSES))
@pytest.mark.parametrize("report", list(REPORTS))
def test_gradients_match_central_differences(response, report):
    model = RecruitmentModel(scipy.stats.poisson(1.7), RESPONSES[response], find_probability=0.03,
                             horizon=5, initial=3, report=REPORTS[report])
    r = np.random.default_rng(1).uniform(10.0, 300.0, 6)
    for objective in ("success", "depth", "reach"):
        problem = _SplitProblem(model, objective)
        value, grad = problem.value_grad(r)
        assert value == pytest.approx(model.evaluate(r, objective), rel=1e-12)
        fd = central_differences(lambda x: model.evaluate(x, objective), r)
        assert np.max(np.abs(grad - fd)) <= 1e-6 * np.max(np.abs(fd)) + 1e-15, objective
    cost, cost_grad = _SplitProblem(model, "success").cost_grad(r)
    assert cost == pytest.approx(model.expected_payment(r), rel=1e-12)
    fd = central_differences(model.expected_payment, r)
    assert np.max(np.abs(cost_grad - fd)) <= 1e-6 * np.max(np.abs(fd))


def test_kernel_incentives_match_recruitment_incentives():
    model = RecruitmentModel(scipy.stats.poisson(2.5), ExponentialResponse(0.1, 0.6, 20.0),
                             find_probability=0.01, horizon=12, initial=2,
                             report=ExponentialResponse(0.0, 1.0, 300.0))
    r = np.random.default_rng(3).uniform(0.0, 500.0, 13)
    problem = _SplitProblem(model, "success")
    problem.forward(r)
    inc = recruitment_incentives(r, mean_contacts=model.mean_contacts, response=model.response,
                                 find_probability=model.find_probability, horizon=12,
                                 report=model.report)
    np.testing.assert_allclose(problem.w, inc.incentives, rtol=1e-13)
    np.testing.assert_allclose(problem.p, inc.probabilities, rtol=1e-13)


def test_gradient_at_the_boundary_of_the_simplex():
    # zero positions and a zero finder's reward (report 0 there): the gradient stays exact
    model = RecruitmentModel(scipy.stats.poisson(2.0), ExponentialResponse(0.2, 0.6, 50.0),
                             find_probability=0.01, horizon=4, initial=2,
                             report=ExponentialResponse(0.2, 1.0, 100.0))
    r = np.array([0.0, 400.0, 0.0, 0.0, 100.0])
    _, grad = _SplitProblem(model, "success").value_grad(r)
    for k in range(5):
        h = 1e-3
        up = r.copy()
        up[k] += h
        forward = (model.success_probability(up) - model.success_probability(r)) / h
        assert grad[k] == pytest.approx(forward, rel=1e-4, abs=1e-12)


def de_worst_case(model, budget, objective, seed=0):
    """scipy's differential evolution over the simplex of schedules (the benchmark's peer)."""
    dim = model.horizon + 1

    def negative(z):
        total = z.sum()
        return -model.evaluate(z / total * budget if total > 0 else np.zeros(dim), objective)

    res = differential_evolution(negative, [(0.0, 1.0)] * dim, seed=seed, popsize=10,
                                 maxiter=60, tol=1e-10, polish=True)
    return -res.fun


CASES = {
    "poisson, saturating": (RecruitmentModel(scipy.stats.poisson(2.5),
                                             ExponentialResponse(0.1, 0.5, 20.0),
                                             find_probability=0.01, horizon=3, initial=2), 1000.0),
    "binomial, linear": (RecruitmentModel(scipy.stats.binom(6, 0.5),
                                          LinearResponse(0.05, 0.01, 0.7),
                                          find_probability=0.02, horizon=3, initial=3), 300.0),
    "finder reports for money": (RecruitmentModel(scipy.stats.poisson(3.0),
                                                  ExponentialResponse(0.05, 0.4, 10.0),
                                                  find_probability=0.01, horizon=3, initial=2,
                                                  report=ExponentialResponse(0.0, 1.0, 300.0)),
                                 1000.0),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("objective", ["success", "reach"])
def test_never_worse_than_differential_evolution(case, objective):
    model, budget = CASES[case]
    res = optimal_split(model, budget, objective=objective, rng=0)
    peer = de_worst_case(model, budget, objective)
    assert res.objective >= peer - 1e-7 * abs(peer)
    assert res.schedule.sum() <= budget * (1 + 1e-9)
    if np.isfinite(res.bound):  # the bound holds for the peer's answer too
        assert peer <= res.bound * (1 + 1e-12)


def test_expected_budget_never_worse_than_differential_evolution():
    model, budget = CASES["poisson, saturating"]
    res = optimal_split(model, 300.0, budget_kind="expected", rng=0)
    assert model.expected_payment(res.schedule) <= 300.0 * (1 + 1e-7)

    def negative(z):  # payments up to 10 budgets each; schedules over the budget are rejected
        r = z * 3000.0
        return 1.0 if model.expected_payment(r) > 300.0 else -model.success_probability(r)

    peer = differential_evolution(negative, [(0.0, 1.0)] * 4, seed=0, popsize=10, maxiter=80,
                                  tol=1e-10, polish=False)
    assert res.objective >= -peer.fun - 1e-7


@pytest.mark.parametrize("budget_kind", ["worst-case", "expected"])
def test_user_response_reaches_the_named_response_optimum(budget_kind):
    # the user-function route (Python forward pass, numerical slopes, and for the expected budget
    # the constrained formulation) against the named route (kernels, radial formulation)
    named = RecruitmentModel(scipy.stats.poisson(2.5), ExponentialResponse(0.1, 0.5, 20.0),
                             find_probability=0.01, horizon=6, initial=2)
    user = RecruitmentModel(scipy.stats.poisson(2.5),
                            lambda w: 0.1 + 0.4 * (1 - np.exp(-np.asarray(w) / 20.0)),
                            find_probability=0.01, horizon=6, initial=2)
    a = optimal_split(named, 1000.0, budget_kind=budget_kind, rng=0)
    b = optimal_split(user, 1000.0, budget_kind=budget_kind, rng=0)
    assert b.objective == pytest.approx(a.objective, rel=1e-7)
    assert np.isnan(b.bound)  # no bound without knowing the response is monotone


def test_upper_bound_holds_and_certifies():
    # m = E[K] p <= 2 * 0.26 < 1 at any affordable incentive: paying the finder's recruiter
    # everything maximises every incentive at once, and the bound proves it
    model = RecruitmentModel(scipy.stats.poisson(2.0), ExponentialResponse(0.2, 0.6, 50.0),
                             find_probability=0.002, horizon=8, initial=3)
    res = optimal_split(model, 4000.0, rng=0)
    assert res.status == "optimal" and res.method == "multistart"
    assert res.schedule[1] == pytest.approx(4000.0)
    assert res.gap <= 1e-9 * res.bound
    rng = np.random.default_rng(5)
    for _ in range(200):
        r = rng.dirichlet(np.full(9, 0.3)) * 4000.0
        assert model.success_probability(r) <= res.objective + 1e-15


def test_upper_bound_is_valid_where_it_is_loose():
    # m > 1: deep positions pay too, the bound is not attained and the status stays local
    model = RecruitmentModel(scipy.stats.poisson(20.0), ExponentialResponse(0.02, 0.15, 5.0),
                             find_probability=1e-3, horizon=2, initial=2)
    res = optimal_split(model, 4000.0, rng=0)
    grid = [np.array([0.0, i, 400 - i]) * 10.0 for i in range(401)]
    best = max(model.success_probability(r) for r in grid)
    assert res.objective >= best - 1e-9
    assert res.schedule[2] > 100.0  # the second recruiter is paid: one position is not enough
    assert res.status == "local" and res.bound > res.objective + 1e-4
    assert res.gap == pytest.approx(res.bound - res.objective)


def test_threshold_beyond_the_pattern_limit_is_certified_by_the_bound():
    model = RecruitmentModel(scipy.stats.poisson(2.5), ThresholdResponse(0.15, 0.5, 4.0),
                             find_probability=0.01, horizon=14, initial=3)
    res = optimal_split(model, 700.0, rng=0)
    assert res.method == "multistart" and res.status == "optimal"
    # every depth above the threshold: the largest value any schedule can have
    top = RecruitmentModel(scipy.stats.poisson(2.5), ConstantResponse(0.5),
                           find_probability=0.01, horizon=14, initial=3)
    assert res.objective == pytest.approx(top.success_probability([0.0]), rel=1e-12)


def test_zero_budget_and_kkt():
    model, _ = CASES["poisson, saturating"]
    res = optimal_split(model, 0.0, rng=0)
    assert res.schedule.tolist() == [0.0] * 4 and res.status == "optimal"
    res = optimal_split(model, 1000.0, rng=0)
    assert res.details["kkt_residual"] <= 1e-6 * res.shadow_price
    # the shadow price is the exact gradient on the support
    support = res.schedule > 1e-6 * 1000.0
    np.testing.assert_allclose(res.details["gradient"][support], res.shadow_price, rtol=1e-5)


def test_one_call_kernel_matches_the_python_composition():
    from incnet._kernels.splits import split_value_grad_kernel

    model = RecruitmentModel(scipy.stats.poisson(2.5), ExponentialResponse(0.1, 0.6, 20.0),
                             find_probability=0.01, horizon=7, initial=2,
                             report=ExponentialResponse(0.1, 1.0, 300.0))
    r = np.random.default_rng(4).uniform(0.0, 400.0, 8)
    for objective in ("success", "depth", "reach"):
        problem = _SplitProblem(model, objective)
        value, grad = problem.value_grad(r)
        codes, params, report_params, consts = problem.kernel_arguments()
        out = np.zeros(8)
        got = split_value_grad_kernel(codes, params, report_params, model._pmf, consts, r, out,
                                      np.zeros(48))
        assert got == pytest.approx(value, rel=1e-14)
        np.testing.assert_allclose(out, grad, rtol=1e-12)


def test_projections_onto_the_capped_simplex():
    # the projection P(x) is feasible and <x - P(x), y - P(x)> <= 0 for every feasible y
    from incnet._kernels.splits import _project_capped_simplex
    from incnet.design.splits import _project_simplex

    rng = np.random.default_rng(6)
    for _ in range(50):
        x = rng.normal(0.2, 0.8, 6)
        p = _project_simplex(x)
        out = np.zeros(6)
        _project_capped_simplex(x, out, np.zeros(6))
        np.testing.assert_allclose(out, p, atol=1e-15)
        assert np.all(p >= 0) and p.sum() <= 1 + 1e-12
        for y in rng.dirichlet(np.ones(6), 20) * rng.uniform(0, 1, (20, 1)):
            assert (x - p) @ (y - p) <= 1e-12


def test_expected_budget_designs_spend_it_exactly():
    # a nondecreasing response: the radial formulation scales every direction to c(t u) = B
    from incnet.design.splits import _radial_scale

    model, _ = CASES["finder reports for money"]
    problem = _SplitProblem(model, "success")
    for direction in (np.array([0.5, 0.3, 0.2, 0.0]), np.array([0.1, 0.0, 0.0, 0.9])):
        t = _radial_scale(problem, direction, 300.0, 1.0)
        assert model.expected_payment(t * direction) == pytest.approx(300.0, rel=1e-12)
    # a finder paid nothing never reports here (report(0) = 0): nothing is ever paid
    assert _radial_scale(problem, np.array([0.0, 0.0, 0.0, 1.0]), 300.0, 1.0) == 300.0
    res = optimal_split(model, 300.0, budget_kind="expected", rng=0)
    assert res.budget_used == pytest.approx(300.0, rel=1e-9)
    assert res.solver == "SLSQP" and res.details["kkt_residual"] <= 1e-6 * res.shadow_price
