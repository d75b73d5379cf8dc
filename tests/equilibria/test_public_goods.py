"""Public goods / strategic substitutes: every solver checked by best-response conditions,
the QP and iterative routes against each other, and Bramoullé-Kranton's theorems by brute force."""

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incnet import ConvergenceError, IllPosedNetworkError, IncentiveNetwork, InvalidInputError
from incnet.equilibria import (
    all_equilibria,
    best_response,
    best_response_gap,
    is_equilibrium,
    is_stable,
    public_goods,
)


def random_graph(seed, n, p=0.4, directed=False, weighted=False):
    rng = np.random.default_rng(seed)
    A = (rng.random((n, n)) < p).astype(float)
    if weighted:
        A *= rng.uniform(0.2, 1.5, (n, n))
    np.fill_diagonal(A, 0.0)
    if not directed:
        A = np.triu(A, 1)
        A = A + A.T
    return A


def maximal_independent_sets(G):
    """Every maximal independent set, by brute force over all vertex subsets."""
    nodes = list(G)
    found = []
    for r in range(len(nodes) + 1):
        for subset in itertools.combinations(nodes, r):
            s = set(subset)
            independent = not any(G.has_edge(u, v) for u, v in itertools.combinations(subset, 2))
            maximal = all(any(G.has_edge(v, u) for u in s) for v in nodes if v not in s)
            if independent and maximal:
                found.append(frozenset(s))
    return set(found)


@given(seed=st.integers(0, 10_000), n=st.integers(1, 9), delta=st.floats(0.05, 2.0),
       directed=st.booleans())
def test_every_solver_returns_best_responses(seed, n, delta, directed):
    A = random_graph(seed, n, directed=directed, weighted=True)
    xbar = np.random.default_rng(seed + 1).uniform(0.1, 2.0, n)
    res = public_goods(A, xbar, delta, method="lemke")
    assert best_response_gap(A, res.x, game="public_goods", xbar=xbar, delta=delta) < 1e-13
    assert res.residual < 1e-9
    try:
        gs = public_goods(A, xbar, delta, method="gauss_seidel", max_iter=2000)
    except ConvergenceError:
        return  # Gauss-Seidel may cycle without a concave potential; Lemke covers those games
    assert is_equilibrium(A, gs.x, game="public_goods", xbar=xbar, delta=delta, tol=1e-13)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("capped", [False, True])
def test_qp_and_gauss_seidel_agree_when_the_equilibrium_is_unique(seed, capped):
    G = nx.gnm_random_graph(60, 150, seed=seed)
    net = IncentiveNetwork.from_networkx(G)
    delta = 0.9 / abs(net.lambda_min)
    rng = np.random.default_rng(seed)
    xbar = rng.uniform(0.5, 1.5, net.n)
    upper = rng.uniform(0.2, 1.0, net.n) if capped else None
    gs = public_goods(net, xbar, delta, method="gauss_seidel", upper=upper)
    qp = public_goods(net, xbar, delta, method="qp", upper=upper)
    lemke = public_goods(net, xbar, delta, method="lemke", upper=upper)
    assert gs.unique is True and qp.unique is True
    np.testing.assert_allclose(qp.x, gs.x, atol=1e-6)
    np.testing.assert_allclose(lemke.x, gs.x, atol=1e-9)
    for res in (gs, lemke):
        assert best_response_gap(net, res.x, game="public_goods", xbar=xbar, delta=delta,
                                 upper=upper) < 1e-13


@pytest.mark.parametrize("seed", range(4))
def test_complements_with_and_without_caps(seed):
    A = random_graph(seed, 30, p=0.2)
    rho = np.max(np.abs(np.linalg.eigvalsh(A)))
    xbar = np.random.default_rng(seed).uniform(-0.5, 1.0, 30)
    delta = 0.8 / rho
    gs = public_goods(A, xbar, delta, interaction="complements")
    qp = public_goods(A, xbar, delta, interaction="complements", method="qp")
    assert gs.unique is True
    np.testing.assert_allclose(qp.x, gs.x, atol=1e-6)
    assert is_equilibrium(A, gs.x, game="public_goods", xbar=xbar, delta=delta,
                          interaction="complements", tol=1e-13)
    # Beyond 1 / rho complements explode unless capped; with caps an equilibrium exists.
    with pytest.raises(IllPosedNetworkError, match="cap the actions"):
        public_goods(A, xbar, 1.5 / rho, interaction="complements")
    capped = public_goods(A, xbar, 1.5 / rho, interaction="complements", upper=2.0)
    lemke = public_goods(A, xbar, 1.5 / rho, interaction="complements", upper=2.0, method="lemke")
    for res in (capped, lemke):
        assert best_response_gap(A, res.x, game="public_goods", xbar=xbar, delta=1.5 / rho,
                                 interaction="complements", upper=2.0) < 1e-13
    # Gauss-Seidel climbs monotonically from 0, so it finds the least equilibrium.
    assert np.all(capped.x <= lemke.x + 1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_specialised_best_shot_equilibria_are_the_maximal_independent_sets(seed):
    G = nx.gnp_random_graph(8, 0.35, seed=seed)
    eqs = all_equilibria(G, 1.0, 1.0)
    specialised = {
        frozenset(np.flatnonzero(x > 0.5).tolist()) for x in eqs if np.all((x == 0) | (x == 1))
    }
    assert specialised == maximal_independent_sets(G)
    for x in eqs:
        assert is_equilibrium(G, x, game="public_goods", xbar=1.0, delta=1.0, tol=1e-13)


def test_triangle_best_shot_continuum():
    # On K3 every x >= 0 with x1 + x2 + x3 = 1 is an equilibrium: a simplex whose vertices
    # are the three specialised equilibria.
    eqs = all_equilibria(nx.complete_graph(3), 1.0, 1.0)
    assert eqs.continuum
    assert sorted(map(tuple, eqs)) == [(0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0)]
    assert is_equilibrium(nx.complete_graph(3), [0.2, 0.3, 0.5], game="public_goods", xbar=1.0, delta=1.0)


def test_one_link_best_shot_is_a_continuum_with_specialised_extreme_points():
    eqs = all_equilibria(nx.path_graph(2), 1.0, 1.0)
    assert eqs.continuum
    assert sorted(map(tuple, eqs)) == [(0.0, 1.0), (1.0, 0.0)]
    # Every x1 + x2 = 1 is an equilibrium indeed.
    for t in np.linspace(0, 1, 11):
        assert is_equilibrium(nx.path_graph(2), [t, 1 - t], game="public_goods", xbar=1.0, delta=1.0)


@pytest.mark.parametrize("seed", range(10))
def test_enumeration_finds_every_equilibrium_that_dynamics_reach(seed):
    n = 9
    A = random_graph(100 + seed, n, p=0.45)
    rng = np.random.default_rng(seed)
    xbar = rng.uniform(0.5, 1.5, n)  # generic: the equilibria are isolated
    delta = rng.uniform(0.8, 1.6)
    eqs = all_equilibria(A, xbar, delta)
    assert not eqs.continuum and len(eqs) >= 1
    found = np.array(eqs)
    for x in eqs:
        assert best_response_gap(A, x, game="public_goods", xbar=xbar, delta=delta) < 1e-13
    for trial in range(6):
        start = rng.uniform(0, 2, n)
        try:
            res = public_goods(A, xbar, delta, method="gauss_seidel", x0=start, max_iter=3000)
        except ConvergenceError:
            continue
        assert np.min(np.max(np.abs(found - res.x), axis=1)) < 1e-7
    res = public_goods(A, xbar, delta, method="lemke")
    assert np.min(np.max(np.abs(found - res.x), axis=1)) < 1e-9
    if len(eqs) > 1:
        assert public_goods(A, xbar, delta).unique is False


def test_unique_games_have_one_equilibrium():
    G = nx.cycle_graph(7)
    lam = min(np.linalg.eigvalsh(nx.to_numpy_array(G)))
    eqs = all_equilibria(G, 1.0, 0.9 / abs(lam))
    assert len(eqs) == 1 and not eqs.continuum
    assert public_goods(G, 1.0, 0.9 / abs(lam)).unique is True
    assert public_goods(G, 1.0, 1.1 / abs(lam)).unique is False
    assert public_goods(G, 1.0, 1.1 / abs(lam), check_unique=False).unique is None


def test_uniqueness_for_asymmetric_networks():
    W = np.array([[0, 1.0, 0], [0, 0, 1.0], [0.2, 0, 0]])  # rho = 0.2^(1/3)
    assert public_goods(W, 1.0, 0.5).unique is True
    # delta rho(G) >= 1 but the symmetric part of I + delta G is positive definite
    W2 = np.array([[0, 3.0, 0], [0, 0, 3.0], [3.0, 0, 0]])
    sym = np.eye(3) + 0.4 * (W2 + W2.T) / 2
    assert np.min(np.linalg.eigvalsh(sym)) > 0 and 0.4 * 3 >= 1
    assert public_goods(W2, 1.0, 0.4, method="lemke").unique is True
    # Neither condition: undecided
    assert public_goods(W2, 1.0, 1.0, method="lemke").unique is None


def bk_stable(G, x):
    """Bramoullé & Kranton (2007), Theorem 2 (delta = 1): specialised, and every
    non-specialist linked to at least two specialists."""
    if not np.all((np.abs(x) < 1e-12) | (np.abs(x - 1) < 1e-12)):
        return False
    specialists = {v for v in G if x[v] > 0.5}
    return all(len(specialists & set(G[v])) >= 2 for v in G if v not in specialists)


def damped_dynamics_return(A, x, xbar, delta, seed, steps=4000, h=0.05, eps=1e-3):
    """Independent check: perturb x and run x <- x + h (BR(x) - x); does it come back?"""
    rng = np.random.default_rng(seed)
    y = np.maximum(x + eps * rng.uniform(-1, 1, len(x)), 0.0)
    for _ in range(steps):
        y = y + h * (np.maximum(0.0, xbar - delta * (A @ y)) - y)
    return np.max(np.abs(y - x)) < eps / 10


@pytest.mark.parametrize("seed", range(6))
def test_stability_matches_bramoulle_kranton_and_dynamics(seed):
    G = nx.gnp_random_graph(7, 0.4, seed=seed)
    A = nx.to_numpy_array(G, nodelist=range(7))
    eqs = all_equilibria(G, 1.0, 1.0)
    for x in eqs:
        stable = is_stable(G, x, 1.0, 1.0)
        assert stable == bk_stable(G, x)
        assert stable == all(damped_dynamics_return(A, x, 1.0, 1.0, s) for s in range(3))


def test_stability_below_one_uses_the_active_subgraph():
    # Complete graph K3, delta = 0.6: the interior equilibrium has all active,
    # lambda_min(K3) = -1, so delta |lambda_min| = 0.6 < 1: stable.
    G = nx.complete_graph(3)
    res = public_goods(G, 1.0, 0.6)
    assert is_stable(G, res.x, 1.0, 0.6)
    assert damped_dynamics_return(nx.to_numpy_array(G), res.x, 1.0, 0.6, 0)
    # Star with delta = 0.9 and a strong centre: the centre-only equilibrium is strict.
    star = nx.star_graph(4)
    xbar = np.array([2.0, 1.0, 1.0, 1.0, 1.0])
    x = np.array([2.0, 0, 0, 0, 0])
    assert is_equilibrium(star, x, game="public_goods", xbar=xbar, delta=0.9)
    assert is_stable(star, x, xbar, 0.9)
    assert damped_dynamics_return(nx.to_numpy_array(star), x, xbar, 0.9, 1)


def test_best_response_and_bad_inputs():
    G = nx.path_graph(3)
    assert best_response(G, [1, 1, 1], game="public_goods", xbar=1.0, delta=0.5).tolist() == [0.5, 0.0, 0.5]
    with pytest.raises(InvalidInputError, match="outside the action set"):
        best_response_gap(G, [-1, 0, 0], game="public_goods", xbar=1.0, delta=0.5)
    with pytest.raises(InvalidInputError, match="unexpected"):
        best_response_gap(G, [0, 0, 0], game="public_goods", xbar=1.0, delta=0.5, theta=1)
    with pytest.raises(InvalidInputError, match="delta"):
        best_response_gap(G, [0, 0, 0], game="public_goods", xbar=1.0)
    with pytest.raises(InvalidInputError, match="symmetric"):
        public_goods(np.array([[0, 1.0], [0, 0]]), 1.0, 0.5, method="qp")
    with pytest.raises(IllPosedNetworkError, match="not concave"):
        public_goods(G, 1.0, 1.0, method="qp")
    with pytest.raises(InvalidInputError, match="up to 24"):
        all_equilibria(nx.path_graph(25), 1.0, 1.0)
    with pytest.raises(InvalidInputError, match="delta"):
        public_goods(G, 1.0, -0.5)
    with pytest.raises(InvalidInputError, match="interaction"):
        public_goods(G, 1.0, 0.5, interaction="both")
    with pytest.raises(InvalidInputError, match="not an equilibrium"):
        is_stable(G, [1, 1, 1], 1.0, 1.0)


def test_gauss_seidel_raises_with_the_last_iterate():
    # Two players, complements capped: converges; substitutes with delta > 1 on one link
    # and x0 symmetric makes Gauss-Seidel pick a corner, still converging. A genuine cycle:
    W = np.array([[0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]]) * 2.0
    with pytest.raises(ConvergenceError) as err:
        public_goods(W, 1.0, 1.0, method="gauss_seidel", max_iter=50)
    assert err.value.last_iterate is not None and err.value.iterations == 50
    res = public_goods(W, 1.0, 1.0)  # auto falls back to Lemke
    assert res.method == "lemke"
    assert is_equilibrium(W, res.x, game="public_goods", xbar=1.0, delta=1.0)


def test_no_interaction_gives_autarky():
    empty = IncentiveNetwork.from_dense(np.zeros((4, 4)))
    xbar = np.array([1.0, -1.0, 0.5, 2.0])
    for method in ("gauss_seidel", "lemke", "qp"):
        res = public_goods(empty, xbar, 0.7, method=method, upper=1.5)
        np.testing.assert_allclose(res.x, [1.0, 0.0, 0.5, 1.5], atol=1e-7)
        assert res.unique is True
    assert [e.tolist() for e in all_equilibria(empty, xbar, 0.7)] == [[1.0, 0.0, 0.5, 2.0]]
