"""fit_recruitment: closed forms, recovery of known parameters, and the real RDS forest (issue 5, §5)."""

import math

import networkx as nx
import numpy as np
import pytest
import scipy.stats

from incnet.branching import OffspringLaw
from incnet.errors import InvalidInputError
from incnet.simulate import fit_recruitment, simulate_recruitment
from incnet.simulate.fit import offspring_counts


@pytest.fixture(scope="module")
def nyjazz():
    from incnet.datasets import load

    return load("rds-nyjazz")


def forest_from(offspring, roots, rng):
    """A recruitment forest grown from ``roots`` participants with the given offspring law(s)."""
    res = simulate_recruitment(None, [0.0], offspring=offspring, initial=roots, targets=0, response=1.0,
                               horizon=400, n_runs=1, max_participants=200_000, rng=rng, keep_trees=True)
    assert not res.capped.any()
    return res.forest(0)["parent"]


def within(fit, name, truth, k=4.0):
    return abs(fit.params[name] - truth) <= k * fit.stderr[name]


def test_poisson_closed_form_on_the_rds_forest(nyjazz):
    # 264 respondents, 251 recruitments (Heckathorn & Jeffri 2001 data as shipped in the RDS package)
    fit = fit_recruitment(nyjazz, "poisson")
    assert fit.n_participants == 264
    assert fit.mean == pytest.approx(251 / 264, rel=1e-6)
    assert fit.stderr["mu"] == pytest.approx(math.sqrt(251 / 264 / 264), rel=1e-3)
    assert fit.observed.tolist() == [146, 54, 26, 19, 12, 4, 2, 0, 1]
    assert fit.expected.sum() == pytest.approx(264)


def test_overdispersion_and_depth_trend_on_the_rds_forest(nyjazz):
    poisson = fit_recruitment(nyjazz, "poisson")
    nb = fit_recruitment(nyjazz, "negative_binomial")
    nb_trend = fit_recruitment(nyjazz, "negative_binomial", trend=True)
    # the negative binomial nests the Poisson (alpha -> 0): it can only fit better, and does by far
    assert nb.loglik > poisson.loglik + 10
    assert nb.mean == pytest.approx(251 / 264, rel=1e-4)  # the NB mean MLE is the sample mean too
    assert nb_trend.loglik >= nb.loglik
    assert nb_trend.params["log_mu_slope"] + 2 * nb_trend.stderr["log_mu_slope"] < 0  # fewer recruits deeper


def test_negative_binomial_agrees_with_an_independent_optimiser(nyjazz):
    y, _ = offspring_counts(nyjazz)
    ours = fit_recruitment(nyjazz, "negative_binomial")
    # independent route: scipy's own nbinom pmf, the known fact that the NB mean MLE is the sample
    # mean, and a one-dimensional Brent search over the size n = 1 / alpha
    from scipy.optimize import minimize_scalar

    mean = y.mean()
    profile = lambda log_n: -scipy.stats.nbinom.logpmf(y, np.exp(log_n), np.exp(log_n) / (np.exp(log_n) + mean)).sum()
    best = minimize_scalar(profile, bounds=(-5, 5), method="bounded", options={"xatol": 1e-10})
    assert ours.loglik == pytest.approx(-best.fun, abs=1e-6)
    assert ours.params["dispersion"] == pytest.approx(np.exp(-best.x), rel=1e-4)
    assert ours.params["mu"] == pytest.approx(mean, rel=1e-5)


@pytest.mark.parametrize("model", ["poisson", "negative_binomial", "zip", "zinb"])
def test_fitted_model_reproduces_depth_profile_and_size_of_the_rds_forest(nyjazz, model):
    fit = fit_recruitment(nyjazz, model, trend=True)
    _, depth = offspring_counts(nyjazz)
    observed = np.bincount(depth)
    laws = [fit.law(d) for d in range(30)]
    res = simulate_recruitment(None, [0.0], offspring=laws, initial=13, targets=0, response=1.0, horizon=400,
                               n_runs=2000, max_participants=100_000, rng=3)
    profile = np.zeros((res.n_runs, observed.size))
    cut = min(observed.size, res.depth_profile.shape[1])
    profile[:, :cut] = res.depth_profile[:, :cut]
    if model != "poisson":
        # sampling error: the observed forest lies inside the central 99% of forests from the fit
        low, high = np.quantile(profile, [0.005, 0.995], axis=0)
        assert np.all((observed >= low) & (observed <= high)), (observed, low, high)
        low, high = np.quantile(res.participants, [0.005, 0.995])
        assert low <= 264 <= high
    else:
        # a Poisson law is too thin-tailed for this forest: the simulated trees are too alike
        assert fit.chi2_pvalue < 1e-3


def test_recovers_negative_binomial_parameters():
    mu, alpha = 0.8, 0.5
    r = 1 / alpha
    parents = forest_from(scipy.stats.nbinom(r, r / (r + mu)), 3000, 1)
    fit = fit_recruitment(parents, "negative_binomial")
    assert within(fit, "mu", mu) and within(fit, "dispersion", alpha)
    assert fit.chi2_pvalue > 1e-4


def test_recovers_zero_inflated_poisson_parameters():
    mu, pi = 1.5, 0.4
    pmf = (1 - pi) * scipy.stats.poisson(mu).pmf(np.arange(40))
    pmf[0] += pi
    parents = forest_from(OffspringLaw(pmf / pmf.sum()), 3000, 2)
    fit = fit_recruitment(parents, "zip")
    assert within(fit, "mu", mu) and within(fit, "zero_inflation", pi)
    assert abs(fit.mean - (1 - pi) * mu) < 0.05


def test_recovers_a_depth_trend():
    b0, b1 = 0.3, -0.2
    laws = [scipy.stats.poisson(math.exp(b0 + b1 * d)) for d in range(60)]
    parents = forest_from(laws, 2000, 4)
    fit = fit_recruitment(parents, "poisson", trend=True)
    assert within(fit, "log_mu_intercept", b0) and within(fit, "log_mu_slope", b1)
    assert fit.mean_at(0) == pytest.approx(math.exp(fit.params["log_mu_intercept"]))


def test_forest_forms_and_errors():
    parents = [-1, 0, 0, 1, -1, 4]
    G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("e", "f")])
    a = fit_recruitment(parents, "poisson")
    b = fit_recruitment(G, "poisson")
    assert a.mean == b.mean == pytest.approx(4 / 6)
    with pytest.raises(InvalidInputError):
        fit_recruitment(parents, "gamma")
    with pytest.raises(InvalidInputError):
        fit_recruitment([0, 1, 0], "poisson")  # a cycle
    with pytest.raises(InvalidInputError):
        fit_recruitment(nx.Graph([(0, 1)]), "poisson")
    law = fit_recruitment(parents, "negative_binomial").law()
    assert law.mean == pytest.approx(4 / 6, rel=1e-3)
