"""The column-generation bound of max_reach / max_depth and the warm relaxed budget sweep.

Independent routes: the relaxation solved whole by cvxpy/HiGHS, exhaustive search over member
sets (reference_design), the exact MILP, dense inverses for M^T pi, and the supergradient
inequality of an LP value function for the budget's dual value.
"""

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incnet.design import budget_sweep, max_depth, max_reach
from incnet.design.activation import _ActivationProgram, _contact_graph, _ReachBound
from incnet.network import as_network

from reference_design import best_reach_and_depth, dense_inverse


def ba_instance(n, seed, scale=0.05):
    G = nx.barabasi_albert_graph(n, 2, seed=seed)
    W = nx.to_numpy_array(G) * scale
    costs = np.random.default_rng(seed).uniform(0.5, 2.0, n)
    return W, costs


def relaxation_by_cvxpy(W, costs, seeds, budget):
    program = _ActivationProgram(as_network(W), np.asarray(costs, float), np.asarray(seeds), None,
                                 "reach", 1, True, budget)
    return program.solve(budget, "HIGHS")[4]


@pytest.mark.parametrize("n, budget, seed", [(40, 3.0, 0), (120, 8.0, 1), (300, 20.0, 2)])
def test_column_generation_reaches_the_lp_optimum(n, budget, seed):
    W, costs = ba_instance(n, seed)
    seeds = np.array([0, 1])
    net = as_network(W)
    bound = _ReachBound(net, costs, seeds, _contact_graph(net, None), budget)
    value, lower, dual, transfers, _ = bound.solve(budget)
    lp = relaxation_by_cvxpy(W, costs, seeds, budget)
    # the certified dual bound and the master's primal value meet at the LP optimum
    assert value == pytest.approx(lp, rel=1e-7, abs=1e-7)
    assert lower <= lp + 1e-7 <= value + 2e-7
    assert transfers.sum() <= budget + 1e-7 and np.all(transfers >= 0)
    assert np.all(transfers[seeds] == 0)
    assert dual >= 0


def test_upper_bound_on_transposed_solve_survives_an_inaccurate_solver():
    W, costs = ba_instance(60, 3, scale=0.1)
    net = as_network(W)
    bound = _ReachBound(net, costs, np.array([0]), _contact_graph(net, None), 5.0)
    pi = np.random.default_rng(0).uniform(0, 1, 60)
    exact = dense_inverse(W).T @ pi
    assert np.all(bound.upper_MT(pi) >= exact - 1e-12)
    # a solver off by 1% (too small) is corrected by the supersolution, never trusted
    accurate = bound._solve
    bound._solve = lambda x, transpose=False: 0.99 * accurate(x, transpose)
    g = bound.upper_MT(pi)
    assert np.all(g >= exact - 1e-12)
    assert np.max(g - exact) < 0.2 * np.max(exact)  # still a useful bound


def test_bound_ignores_people_outside_the_seeds_component():
    # two disjoint stars; the seed's star has 3 leaves, the other has 10 very cheap people
    G = nx.disjoint_union(nx.star_graph(3), nx.star_graph(10))
    W = nx.to_numpy_array(G) * 0.1
    costs = np.where(np.arange(W.shape[0]) < 4, 1.0, 0.01)
    res = max_reach(W, costs, 100.0, [0], method="greedy")
    assert res.bound == 3 and res.objective == 3 and res.gap == 0


def test_bound_is_trivial_but_valid_with_spite():
    # with a negative weight the cut (M t)_i >= M_ii c_i is not valid: the bound is the
    # number of people who could ever be reached
    W = nx.to_numpy_array(nx.path_graph(5)) * 0.2
    W[2, 1] = -0.1
    res = max_reach(W, [0, 1, 1, 1, 1], 2.5, [0], method="greedy")
    assert res.bound == 4 and res.objective <= 4


@st.composite
def small_instances(draw):
    n = draw(st.integers(5, 6))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    G = nx.connected_watts_strogatz_graph(n, 2 + 2 * draw(st.integers(0, 1)), 0.5, seed=seed)
    A = nx.to_numpy_array(G)
    W = A * rng.uniform(0.05, 0.4, (n, n))
    rho = max(abs(np.linalg.eigvals(W)))
    if rho >= 0.9:
        W *= 0.9 / rho
    costs = rng.uniform(0.2, 1.5, n)
    if draw(st.booleans()):
        costs[rng.integers(1, n)] = 0.0  # someone who joins for nothing
    budget = draw(st.floats(0.0, 5.0))
    seeds = [0] if draw(st.booleans()) else [0, int(rng.integers(1, n))]
    return W, costs, float(budget), sorted(set(seeds))


@settings(max_examples=12)
@given(small_instances())
def test_bound_is_never_below_the_optimum(instance):
    W, costs, budget, seeds = instance
    reach_ref, depth_ref = best_reach_and_depth(W, costs, budget, seeds)
    for fn, optimum in ((max_reach, reach_ref), (max_depth, depth_ref)):
        heuristic = fn(W, costs, budget, seeds, method="greedy")
        assert heuristic.objective <= optimum <= heuristic.bound
        assert heuristic.gap == heuristic.bound - heuristic.objective >= 0
        assert heuristic.budget_used <= budget + 1e-7
        exact = fn(W, costs, budget, seeds, method="milp")
        assert exact.objective == optimum <= heuristic.bound


def test_rounding_beats_cheapest_first_where_a_hub_pays_off():
    # paying a hub above its cost makes its cheap neighbours join for free: the relaxation
    # finds that, the cheapest-first greedy does not
    W, costs = ba_instance(400, 2)
    res = max_reach(W, costs, 20.0, [0, 1, 2], method="greedy")
    net = as_network(W)
    from incnet.design.activation import _greedy_reach

    greedy_only = _greedy_reach(net, costs, np.array([0, 1, 2]), _contact_graph(net, None), 20.0,
                                "HIGHS")
    assert res.objective > greedy_only.sum()
    assert res.budget_used <= 20.0 + 1e-7
    assert res.objective <= res.bound
    assert res.details["lp_lower"] <= res.details["bound_value"] + 1e-7


def test_relaxed_sweep_matches_single_solves_in_any_order():
    W, costs = ba_instance(150, 4)
    seeds = [0, 1]
    budgets = [6.0, 0.0, 2.5, 12.0, 6.0, 1.0]
    sweep = budget_sweep(W, costs, budgets, seeds, relax=True)
    for B, res in zip(budgets, sweep):
        assert res.budget == B
        assert res.objective == pytest.approx(relaxation_by_cvxpy(W, costs, seeds, B),
                                              rel=1e-7, abs=1e-7)
        assert res.budget_used <= B + 1e-7
        assert res.status == "optimal" and res.details["lp_lower"] <= res.objective + 1e-9
    # the budget's dual value is a supergradient of the concave value function v(B)
    by_budget = sorted(zip(budgets, sweep), key=lambda p: p[0])
    for B, res in by_budget:
        for B2, other in by_budget:
            assert other.objective <= res.objective + res.shadow_price * (B2 - B) + 1e-6


def test_relaxed_sweep_agrees_with_the_compiled_cvxpy_route():
    W, costs = ba_instance(80, 5)
    budgets = [1.0, 3.0, 7.0]
    warm = budget_sweep(W, costs, budgets, [0], relax=True)
    compiled = budget_sweep(W, costs, budgets, [0], relax=True, solver="CLARABEL")
    for a, b in zip(warm, compiled):
        assert a.objective == pytest.approx(b.objective, rel=1e-5, abs=1e-5)
        assert a.method == "lp-column-generation" and math.isfinite(a.shadow_price)


def test_the_bound_prints_nothing_to_stdout():
    # the bound's master is the first HiGHS object of this process: its banner must not leak
    import pathlib
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parents[2]
    script = (
        "import networkx as nx, numpy as np\n"
        "from incnet.design import budget_sweep, max_reach\n"
        "W = nx.to_numpy_array(nx.path_graph(8)) * 0.2\n"
        "budget_sweep(W, np.ones(8), [1.0, 2.0], [0], relax=True)\n"
        "max_reach(W, np.ones(8), 2.0, [0], method='greedy')\n"
        "print('only this line')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=root, env={"PYTHONPATH": str(root), "PATH": ""}, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "only this line\n"


def test_depth_follows_a_cheap_path_that_winds_back_towards_the_seed():
    # seed 0 - 1 - r1 - ... - r10 - x - 0: the ring of cheap people sits within 6 hops of the seed,
    # but recruited along the ring (without the costly x) it is 11 deep
    G = nx.cycle_graph(13)  # 0, 1, r1..r10 = 2..11, x = 12
    W = nx.to_numpy_array(G) * 0.1
    costs = np.full(13, 0.1)
    costs[0], costs[12] = 0.0, 50.0
    from incnet.design.activation import _distances_within, _greedy_depth

    net = as_network(W)
    A = _contact_graph(net, None)
    shortest = _greedy_depth(net, costs, np.array([0]), A, 2.0, "HIGHS")
    assert _distances_within(A, np.array([0]), shortest).max() == 6
    res = max_depth(W, costs, 2.0, [0], method="greedy")
    exact = max_depth(W, costs, 2.0, [0], method="milp")
    assert res.objective == exact.objective == 11
    assert res.bound >= 11 and res.budget_used <= 2.0 + 1e-9
