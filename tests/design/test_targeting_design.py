"""targeting: closed form (GGG 2020, Theorem 1) against the Shor relaxation and first principles."""

import networkx as nx
import numpy as np
import pytest

from incnet.design import targeting
from incnet.errors import IllPosedNetworkError, InvalidInputError


def random_graph(n, seed):
    return nx.to_numpy_array(nx.gnp_random_graph(n, 0.35, seed=seed))


def welfare(G, delta, alpha):
    a = np.linalg.solve(np.eye(len(alpha)) - delta * G, alpha)
    return 0.5 * a @ a


@pytest.mark.parametrize("seed,delta", [(0, 0.12), (1, -0.12), (2, 0.08), (3, -0.05)])
def test_closed_form_agrees_with_shor_relaxation(seed, delta):
    G = random_graph(9, seed)
    alpha_hat = np.random.default_rng(seed).uniform(0.5, 1.5, 9)
    closed = targeting(G, delta=delta, budget=2.0, alpha_hat=alpha_hat)
    sdp = targeting(G, delta=delta, budget=2.0, alpha_hat=alpha_hat, method="cvxpy")
    assert sdp.welfare == pytest.approx(closed.welfare, rel=1e-5)
    assert sdp.alpha == pytest.approx(closed.alpha, abs=2e-3)
    assert sdp.bound == pytest.approx(closed.welfare, rel=1e-5)  # S-lemma: the relaxation is exact
    assert sdp.status == "optimal"
    assert sdp.shadow_price == pytest.approx(closed.shadow_price, rel=1e-3)


@pytest.mark.parametrize("delta", [0.1, -0.1])
def test_global_optimality_certificate(delta):
    G = random_graph(10, 7)
    alpha_hat = np.linspace(0.5, 1.5, 10)
    C = 3.0
    res = targeting(G, delta=delta, budget=C, alpha_hat=alpha_hat)
    M = np.linalg.inv(np.eye(10) - delta * G)
    A = M.T @ M
    y = res.alpha - alpha_hat
    mu = res.shadow_price
    assert y @ y == pytest.approx(C, rel=1e-9)
    # stationarity of 1/2 a'Aa - mu (|y|^2 - C), and A - 2 mu I <= 0: the global TRS condition
    assert A @ res.alpha == pytest.approx(2 * mu * y, rel=1e-6, abs=1e-8)
    assert 2 * mu >= np.linalg.eigvalsh(A).max() - 1e-9
    assert res.welfare == pytest.approx(welfare(G, delta, res.alpha), rel=1e-8)
    rng = np.random.default_rng(0)
    for _ in range(2000):
        z = rng.normal(size=10)
        z *= np.sqrt(C) / np.linalg.norm(z)
        assert welfare(G, delta, alpha_hat + z) <= res.welfare + 1e-9


def test_large_budgets_align_with_first_or_last_principal_component():
    G = random_graph(12, 4)
    alpha_hat = np.ones(12)
    small, large = 1e-3, 1e4
    comp_small = targeting(G, delta=0.1, budget=small, alpha_hat=alpha_hat)
    comp_large = targeting(G, delta=0.1, budget=large, alpha_hat=alpha_hat)
    assert abs(comp_large.details["cosine_first_pc"]) > 0.99
    assert abs(comp_large.details["cosine_first_pc"]) > abs(comp_small.details["cosine_first_pc"])
    subs_large = targeting(G, delta=-0.1, budget=large, alpha_hat=alpha_hat)
    assert abs(subs_large.details["cosine_last_pc"]) > 0.99
    # Theorem 1: the change per component relative to alpha_hat grows with the component's weight
    ratios = comp_small.details["similarity_ratios"]
    weights = comp_small.details["pc_weights"]
    ok = np.isfinite(ratios)
    order = np.argsort(weights[ok])
    assert np.all(np.diff(ratios[ok][order]) >= -1e-9)


def test_targetable_subset_stays_exact():
    G = random_graph(8, 5)
    alpha_hat = np.full(8, 1.0)
    P = [0, 2, 3, 6]
    res = targeting(G, delta=0.1, budget=1.5, alpha_hat=alpha_hat, method="cvxpy", targetable=P)
    assert res.gap < 1e-5 * res.bound
    assert np.allclose(np.delete(res.alpha, P), 1.0)
    # reference: trust-region optimum of the reduced quadratic by dense eigen-analysis
    M = np.linalg.inv(np.eye(8) - 0.1 * G)
    A = (M.T @ M)[np.ix_(P, P)]
    lin = (M.T @ M)[P] @ alpha_hat
    rng = np.random.default_rng(1)
    best = -np.inf
    for _ in range(3000):
        z = rng.normal(size=4)
        z *= np.sqrt(1.5) / np.linalg.norm(z)
        best = max(best, 0.5 * z @ A @ z + lin @ z)
    const = 0.5 * alpha_hat @ M.T @ M @ alpha_hat
    assert res.welfare >= best + const - 1e-9


def test_nonnegativity_gives_bound_and_feasible_design():
    G = random_graph(8, 6)
    alpha_hat = np.array([0.1, 0.2, 0.0, 0.5, 0.3, 0.05, 0.4, 0.2])
    res = targeting(G, delta=-0.1, budget=4.0, alpha_hat=alpha_hat, method="cvxpy", nonnegative=True,
                    caps=np.full(8, 1.5))
    assert np.all(res.alpha >= -1e-9) and np.all(res.alpha <= 1.5 + 1e-9)
    assert np.sum((res.alpha - alpha_hat) ** 2) <= 4.0 + 1e-7
    assert res.bound >= res.welfare - 1e-6 and res.gap >= 0
    unconstrained = targeting(G, delta=-0.1, budget=4.0, alpha_hat=alpha_hat)
    assert res.bound <= unconstrained.welfare * (1 + 1e-5)


def test_targeting_errors():
    G = random_graph(6, 0)
    with pytest.raises(IllPosedNetworkError):
        targeting(G, delta=2.0, budget=1.0, alpha_hat=1.0)
    with pytest.raises(InvalidInputError, match="budget"):
        targeting(G, delta=0.1, budget=-1.0, alpha_hat=1.0)
    with pytest.raises(InvalidInputError, match="cvxpy"):
        targeting(G, delta=0.1, budget=1.0, alpha_hat=1.0, nonnegative=True)
    with pytest.raises(InvalidInputError, match="NaN"):
        targeting(G, delta=0.1, budget=1.0, alpha_hat=[1, 1, np.nan, 1, 1, 1])
