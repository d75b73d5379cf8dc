"""min_cost_activation, max_reach, max_depth and budget_sweep against brute force and KKT."""

import networkx as nx
import numpy as np
import pytest

from incnet import total_payoffs
from incnet.design import budget_sweep, max_depth, max_reach, min_cost_activation
from incnet.design.activation import _ActivationProgram, _contact_graph
from incnet.errors import InfeasibleDesignError, InvalidInputError
from incnet.network import as_network

from reference_design import (
    activation_cost_linprog,
    activation_cost_vertices,
    best_reach_and_depth,
    dense_inverse,
    distances_within,
)


def random_altruism(n, p, scale, seed):
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    W = np.zeros((n, n))
    for u, v in G.edges:
        W[u, v] = rng.uniform(0.2, 1.0)
    rho = max(abs(np.linalg.eigvals(W)))
    return W * (scale / rho if rho > 0 else 1.0), rng.uniform(0.5, 2.0, n)


def test_hub_saving_matches_hand_calculation():
    # members 1..3 value the hub at 0.4 each: every unit above the hub's cost covers 3 * 0.4 > 1
    W = np.zeros((4, 4))
    W[1:, 0] = 0.4
    res = min_cost_activation(W, 1.0, [0, 1, 2, 3])
    # hub paid 1 + 1/0.4 makes the others' payoffs 0 unpaid: total 3.5 instead of 4
    assert res.objective == pytest.approx(3.5, abs=1e-7)
    assert res.details["saving"] == pytest.approx(0.5, abs=1e-7)
    assert res.transfers == pytest.approx([3.5, 0, 0, 0], abs=1e-7)


def test_no_saving_when_nobody_matters_a_unit():
    # 2 * 0.3 < 1: paying someone more never pays off, so everyone gets exactly their cost
    W = np.zeros((3, 3))
    W[1:, 0] = 0.3
    res = min_cost_activation(W, [1.0, 2.0, 3.0], [0, 1, 2])
    assert res.objective == pytest.approx(6.0, abs=1e-7)
    assert res.details["saving"] == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_activation_agrees_with_vertex_enumeration_and_linprog(seed):
    W, costs = random_altruism(6, 0.5, 0.8, seed)
    S = [0, 1, 2, 4]
    res = min_cost_activation(W, costs, S)
    assert res.objective == pytest.approx(activation_cost_vertices(W, costs, S), abs=1e-6)
    assert res.objective == pytest.approx(activation_cost_linprog(W, costs, S), abs=1e-6)
    sparse = min_cost_activation(W, costs, S, method="sparse")
    assert sparse.objective == pytest.approx(res.objective, abs=1e-6)
    assert res.objective <= costs[S].sum() + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_activation_kkt_certificate(seed):
    W, costs = random_altruism(8, 0.4, 0.9, seed + 10)
    S = np.array([0, 2, 3, 5, 7])
    res = min_cost_activation(W, costs, S)
    t = res.transfers[S]
    M = dense_inverse(W)[np.ix_(S, S)]
    lam = res.details["participation_prices"][S]
    slack = M @ (t - costs[S])
    reduced = 1.0 - M.T @ lam  # multiplier of t >= 0
    assert np.all(lam >= -1e-7) and np.all(slack >= -1e-7) and np.all(reduced >= -1e-6)
    assert np.abs(lam * slack).max() < 1e-6  # complementary slackness
    assert np.abs(reduced * t).max() < 1e-6
    # strong duality: the dual objective lam' M c equals the primal cost
    assert lam @ (M @ costs[S]) == pytest.approx(res.objective, abs=1e-6)
    # independent re-evaluation of participation
    x = np.zeros(W.shape[0])
    x[S] = t - costs[S]
    assert np.all(total_payoffs(W, x).u[S] >= -1e-7)


def test_activation_errors():
    W = np.zeros((3, 3))
    W[1, 0] = 0.5
    with pytest.raises(InvalidInputError, match="NaN"):
        min_cost_activation(W, [1.0, np.nan, 1.0], [0, 1])
    with pytest.raises(InvalidInputError, match="budget"):
        min_cost_activation(W, 1.0, [0, 1], budget=-1.0)
    with pytest.raises(InfeasibleDesignError) as info:
        min_cost_activation(W, 1.0, [0, 1, 2], budget=1.0)
    assert info.value.status == "over_budget"
    with pytest.raises(InvalidInputError, match="budget"):
        max_reach(W, 1.0, -2.0, [0])
    with pytest.raises(InvalidInputError, match="NaN"):
        max_depth(W, [np.nan, 1, 1], 1.0, [0])


@pytest.mark.parametrize("seed", range(5))
def test_milp_matches_exhaustive_search(seed):
    rng = np.random.default_rng(seed)
    n = 7
    G = nx.connected_watts_strogatz_graph(n, 4, 0.4, seed=seed)
    A = nx.to_numpy_array(G)
    W = A * rng.uniform(0.05, 0.3, (n, n))
    costs = rng.uniform(0.5, 1.5, n)
    budget = float(rng.uniform(1.5, 4.0))
    seeds = [0]
    reach_ref, depth_ref = best_reach_and_depth(W, costs, budget, seeds)
    reach = max_reach(W, costs, budget, seeds, method="milp")
    depth = max_depth(W, costs, budget, seeds, method="milp")
    assert reach.objective == reach_ref
    assert depth.objective == depth_ref
    for res in (reach, depth):
        members = np.flatnonzero(res.active)
        assert res.budget_used <= budget + 1e-7
        assert res.budget_used == pytest.approx(activation_cost_linprog(W, costs, members), abs=1e-6)
        dist = distances_within(A > 0, seeds, members)
        assert all(v in dist for v in members)
        assert res.gap == 0.0


def test_depth_counts_shortcuts():
    # on a 6-cycle from node 0, recruiting everyone closes the ring and caps the depth at 3;
    # leaving the last node out keeps a chain of 4 without a shortcut back to the seed
    W = nx.to_numpy_array(nx.cycle_graph(6)) * 0.1
    res = max_depth(W, 1.0, 10.0, [0], method="milp")
    assert res.objective == 4 and res.details["reach"] == 4
    reach_ref, depth_ref = best_reach_and_depth(W, np.ones(6), 10.0, [0])
    assert (reach_ref, depth_ref) == (5, 4)


def test_greedy_is_feasible_and_bounded():
    G = nx.barabasi_albert_graph(220, 2, seed=3)
    rng = np.random.default_rng(3)
    W = nx.to_numpy_array(G) * 0.05
    costs = rng.uniform(0.5, 2.0, 220)
    for fn in (max_reach, max_depth):
        res = fn(W, costs, 8.0, [0, 1], method="greedy")
        assert res.status == "heuristic"
        assert res.budget_used <= 8.0 + 1e-7
        members = np.flatnonzero(res.active)
        dist = distances_within(nx.to_numpy_array(G) > 0, [0, 1], members)
        assert all(v in dist for v in members)
        if np.isfinite(res.bound):
            assert res.bound >= res.objective and res.gap >= 0


def test_budget_sweep_is_dpp_and_matches_single_solves():
    W = nx.to_numpy_array(nx.path_graph(6)) * 0.2
    costs = [0, 1, 1, 1, 1, 1]
    net = as_network(W)
    program = _ActivationProgram(net, np.array(costs, float), np.array([0]), None, "reach", 1,
                                 False, 5.0)
    assert program.problem.is_dcp(dpp=True)
    budgets = [0.0, 0.9, 1.5, 3.0, 5.0]
    sweep = budget_sweep(W, costs, budgets, [0])
    for B, res in zip(budgets, sweep):
        assert res.objective == max_reach(W, costs, B, [0], method="milp").objective
    relaxed = budget_sweep(W, costs, budgets, [0], relax=True)
    values = [r.objective for r in relaxed]
    assert all(a <= b + 1e-7 for a, b in zip(values, values[1:]))
    assert all(r.objective >= s.objective - 1e-7 for r, s in zip(relaxed, sweep))
    assert all(r.shadow_price >= -1e-9 for r in relaxed)


def test_contact_graph_is_symmetric_pattern():
    W = np.zeros((3, 3))
    W[0, 1] = 0.5
    A = _contact_graph(as_network(W), None).toarray()
    assert np.array_equal(A, [[0, 1, 0], [1, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize("seed", range(3))
def test_greedy_bound_brackets_the_milp_optimum(seed):
    rng = np.random.default_rng(seed)
    G = nx.connected_watts_strogatz_graph(16, 4, 0.3, seed=seed)
    W = nx.to_numpy_array(G) * rng.uniform(0.05, 0.2, (16, 16))
    costs = rng.uniform(0.5, 1.5, 16)
    for fn in (max_reach, max_depth):
        exact = fn(W, costs, 4.0, [0], method="milp")
        greedy = fn(W, costs, 4.0, [0], method="greedy")
        assert greedy.objective <= exact.objective <= greedy.bound


def test_solver_status_is_carried_by_the_error():
    import cvxpy as cp

    from incnet.design._solve import solve

    x = cp.Variable(nonneg=True)
    budget = x <= -1.0
    with pytest.raises(InfeasibleDesignError) as info:
        solve(cp.Problem(cp.Minimize(x), [budget]), solver="HIGHS", what="a test LP",
              budget_constraint=budget)
    assert info.value.status == "infeasible"
    status, dual = solve(cp.Problem(cp.Maximize(x), [x <= 3.0]), solver="HIGHS", what="an LP")
    assert status == "optimal" and np.isnan(dual)
