"""Property-based fuzzing of the public API: hostile values in every argument slot.

The contract under test, for every entry point and every argument: either incnet's own exception
(an :class:`~incnet.IncnetError`, naming what was wrong), or a result that is correct by an
independent check. Never a crash, a hang, a foreign exception (TypeError, IndexError, numba's
errors, MemoryError ...) or a silently wrong answer. Derandomized (tests/conftest.py); each
call runs under an alarm, so a hang fails the test instead of stalling the suite.
"""

import math
import signal
import sys

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import incnet
from incnet import IncentiveNetwork, IncnetError
from incnet.equilibria import best_response_gap

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGALRM")

_BAD_SCALARS = [
    None, True, False, np.True_, np.bool_(False), "1", "0.5", "abc", "", b"1", 0, -1, 1, 3,
    2**31, 2**62 + 1, 2**63, -(2**63), 10**30, 0.0, -0.0, 5e-324, 1e-300, 1e308, -1e308,
    math.inf, -math.inf, math.nan, 0.5, -0.5, 1.5, 1e6, [], [1.0], [[1.0]], (), {}, {"a": 1},
    object(), np.array([]), np.array([np.nan]), np.array(["a"]), np.array([1 + 2j]), 1 + 2j,
    np.float32(0.5), np.int8(-3), np.uint64(2**63), np.array(2.0), range(3), slice(1),
    np.ones(4), np.full(4, 1e300), np.array([1.0, -1.0, 0.0, 2.0]), [True, False, True, False],
    ["1", "2", "3", "4"], np.zeros((4, 4)), np.ones((2, 3)),
]

HOSTILE = st.one_of(
    st.sampled_from(_BAD_SCALARS),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=4, max_size=4),
)

NET = IncentiveNetwork.from_networkx(nx.path_graph(4), scale=0.3)
DIRECTED = IncentiveNetwork.from_networkx(nx.DiGraph([(0, 1), (1, 2), (2, 0), (2, 3)]), scale=0.4)
N = 4


def _finite_array(value):
    arr = np.asarray(value, dtype=np.float64)
    return np.broadcast_to(arr, (N,)) if arr.ndim == 0 else arr


# --------------------------------------------------------------------------- independent checks
def _check_payoffs(kw, res):
    net = incnet.as_network(kw["net"])
    x = _finite_array(kw["x"])
    u = res.u
    assert res.converged and math.isfinite(res.residual) and res.residual <= kw["tol"]
    assert np.all(np.isfinite(u))
    scale = max(float(np.max(np.abs(x))), float(np.max(np.abs(u))), 1e-300)
    gap = (x - u + net.W @ u) / scale
    norm_x = np.linalg.norm(x / scale)
    assert np.linalg.norm(gap) <= 1.01 * float(kw["tol"]) * (norm_x if norm_x > 0 else 1 / scale) + 1e-13


def _check_influence(kw, res):
    net = incnet.as_network(kw["net"])
    j = net.node_index[kw["j"]]
    expected = np.linalg.solve(np.eye(net.n) - net.W.toarray(), np.eye(net.n)[:, j])
    np.testing.assert_allclose(res.u, expected, rtol=1e-8, atol=1e-12)


@np.errstate(over="ignore", invalid="ignore")
def _check_lq(kw, res):
    # The first-order conditions x = alpha + delta G x to the stated (relative) tolerance, and the
    # dense solution itself when the tolerance is tight.
    net = incnet.as_network(kw["net"])
    alpha = _finite_array(kw["alpha"])
    delta, tol = float(kw["delta"]), float(kw["tol"])
    scale = max(float(np.max(np.abs(alpha))), 1e-300)
    gap = (res.x - alpha - delta * (net.W @ res.x)) / scale
    norm_alpha = np.linalg.norm(alpha / scale)
    assert res.converged and math.isfinite(res.residual) and np.all(np.isfinite(res.x))
    assert np.linalg.norm(gap) <= 1.02 * tol * (norm_alpha if norm_alpha > 0 else 1 / scale) + 1e-13
    if tol <= 1e-9:
        expected = np.linalg.solve(np.eye(net.n) - delta * net.W.toarray(), alpha / scale) * scale
        np.testing.assert_allclose(res.x, expected, rtol=1e-7, atol=1e-9 * scale)


@np.errstate(over="ignore", invalid="ignore")
def _check_public_goods(kw, res):
    # The best replies recomputed here, in units of max(1, max|xbar|) so that nothing overflows.
    net = incnet.as_network(kw["net"])
    scale = max(1.0, float(np.max(np.abs(_finite_array(kw["xbar"])))))
    xbar = _finite_array(kw["xbar"]) / scale
    upper = np.full(N, np.inf) if kw.get("upper") is None else _finite_array(kw["upper"]) / scale
    x = res.x / scale
    reply = np.minimum(upper, np.maximum(0.0, xbar - float(kw["delta"]) * (net.W @ x)))
    assert res.converged and np.all(np.isfinite(res.x))
    assert np.all(x >= 0) and np.all(x <= upper)
    assert np.max(np.abs(x - reply)) <= 1.01 * float(kw["tol"]) + 1e-15


def _check_threshold(kw, res):
    reward = kw.get("reward")
    assert best_response_gap(kw["net"], res.active, game="threshold", theta=kw["theta"],
                             reward=reward) == 0.0


def _check_chain(kw, res):
    length = int(kw["length"])
    assert res.shape == (length,) and np.all(np.isfinite(res)) and np.all(res >= 0)


def _check_cascade(kw, res):
    assert np.all(res.spread >= 1) and np.all(res.spread <= N) and math.isfinite(res.mean)


def _check_simulation(kw, res):
    found = res.found_time
    assert np.all(np.isfinite(found[np.isfinite(found)]))
    assert np.all(found[res.success] < math.inf) or res.success.sum() == 0
    assert np.all(res.participants >= 1) and np.all(np.isfinite(res.paid))


def _check_network(kw, res):
    assert np.all(np.isfinite(res.W.data)) and res.W.shape[0] == res.n >= 1
    assert not res.W.data.flags.writeable


# --------------------------------------------------------------------------- the entry points
def _require(condition, result):
    assert condition, repr(result)


def _mech():
    return incnet.RecursiveSplit(1.0, 0.5)


CASES = {
    "total_payoffs": (
        lambda net, x, method, tol, max_iter, x0: incnet.total_payoffs(
            net, x, method=method, tol=tol, max_iter=max_iter, x0=x0),
        dict(net=NET, x=[1.0, 0.0, -2.0, 0.5], method="auto", tol=1e-10, max_iter=1000, x0=None),
        _check_payoffs,
    ),
    "total_payoffs_directed": (
        lambda net, x, method, tol, max_iter, x0: incnet.total_payoffs(
            net, x, method=method, tol=tol, max_iter=max_iter, x0=x0),
        dict(net=DIRECTED, x=[1.0, 2.0, 0.0, 1.0], method="neumann", tol=1e-9, max_iter=500, x0=None),
        _check_payoffs,
    ),
    "payoff_influence": (
        lambda net, j: incnet.payoff_influence(net, j),
        dict(net=NET, j=1),
        _check_influence,
    ),
    "linear_quadratic": (
        lambda net, alpha, delta, method, tol, max_iter: incnet.linear_quadratic(
            net, alpha, delta, method=method, tol=tol, max_iter=max_iter),
        dict(net=IncentiveNetwork.from_networkx(nx.path_graph(4)), alpha=1.0, delta=0.3, method="auto",
             tol=1e-10, max_iter=1000),
        _check_lq,
    ),
    "public_goods": (
        lambda net, xbar, delta, method, tol, max_iter, upper: incnet.public_goods(
            net, xbar, delta, method=method, tol=tol, max_iter=max_iter, upper=upper),
        dict(net=IncentiveNetwork.from_networkx(nx.cycle_graph(4)), xbar=1.0, delta=0.8, method="auto",
             tol=1e-10, max_iter=1000, upper=None),
        _check_public_goods,
    ),
    "threshold_equilibrium": (
        lambda net, theta, reward: incnet.threshold_equilibrium(net, theta, reward=reward),
        dict(net=IncentiveNetwork.from_networkx(nx.path_graph(4)), theta=1.0, reward=None),
        _check_threshold,
    ),
    "chain_payments": (
        lambda length: _mech().chain_payments(length),
        dict(length=3),
        _check_chain,
    ),
    "RecursiveSplit": (
        lambda finder, ratio: incnet.RecursiveSplit(finder, ratio).chain_payments(4),
        dict(finder=1.0, ratio=0.5),
        lambda kw, res: _check_chain({"length": 4}, res),
    ),
    "payments": (
        lambda parents, contributions: _mech().payments(parents, contributions),
        dict(parents=[-1, 0, 1, 1], contributions=[0.0, 0.0, 1.0, 0.0]),
        lambda kw, res: _require(np.all(np.isfinite(res)) and np.all(res >= 0), res),
    ),
    "check_budget": (
        lambda max_nodes, max_chain, n_random: incnet.check_budget(
            _mech(), max_nodes=max_nodes, max_chain=max_chain, n_random=n_random),
        dict(max_nodes=2, max_chain=8, n_random=2),
        lambda kw, res: _require(res.holds, res),
    ),
    "independent_cascade": (
        lambda net, seeds, p, n_runs, rng: incnet.independent_cascade(net, seeds, p, n_runs=n_runs,
                                                                      rng=rng),
        dict(net=NET, seeds=[0], p=0.5, n_runs=20, rng=0),
        _check_cascade,
    ),
    "simulate_recruitment": (
        lambda net, seeds, targets, response, horizon, n_runs, deadline, delay: incnet.simulate_recruitment(
            net, [1.0, 0.5], initial=seeds, targets=targets, response=response, horizon=horizon,
            n_runs=n_runs, deadline=deadline, delay=delay, rng=0),
        dict(net=NET, seeds=[0], targets=[3], response=0.9, horizon=3, n_runs=10, deadline=math.inf,
             delay=1.0),
        _check_simulation,
    ),
    "payoff_exposure": (
        lambda net, i: incnet.payoff_exposure(net, i),
        dict(net=DIRECTED, i=2),
        lambda kw, res: _require(np.all(np.isfinite(res.u)) and res.converged, res),
    ),
    "intercentrality": (
        lambda net, delta, alpha: incnet.intercentrality(net, delta=delta, alpha=alpha),
        dict(net=IncentiveNetwork.from_networkx(nx.star_graph(3)), delta=0.2, alpha=1.0),
        lambda kw, res: _require(np.all(np.isfinite(np.asarray(res, dtype=float))), res),
    ),
    "key_player": (
        lambda net, delta, alpha, k, method, tol: incnet.key_player(net, delta=delta, alpha=alpha, k=k,
                                                                    method=method, tol=tol),
        dict(net=IncentiveNetwork.from_networkx(nx.star_graph(3)), delta=0.2, alpha=1.0, k=1,
             method="auto", tol=1e-10),
        lambda kw, res: _require(len(res.players) == int(kw["k"]), res),
    ),
    "all_equilibria": (
        lambda net, xbar, delta, tol: incnet.all_equilibria(net, xbar, delta, tol=tol),
        dict(net=IncentiveNetwork.from_networkx(nx.path_graph(4)), xbar=1.0, delta=1.0, tol=1e-9),
        lambda kw, res: _require(all(np.all(np.isfinite(x)) for x in res), res),
    ),
    "best_response_gap": (
        lambda x, xbar, delta, upper: best_response_gap(NET, x, game="public_goods", xbar=xbar,
                                                        delta=delta, upper=upper),
        dict(x=[1.0, 0.0, 1.0, 0.0], xbar=1.0, delta=1.0, upper=None),
        lambda kw, res: _require(res >= 0, res),  # inf: a gain beyond float64, never NaN
    ),
    "linear_threshold": (
        lambda net, seeds, n_runs, rng: incnet.linear_threshold(net, seeds, n_runs=n_runs, rng=rng),
        dict(net=NET, seeds=[0], n_runs=20, rng=0),
        _check_cascade,
    ),
    "recruitment_incentives": (
        lambda mech, mean_contacts, response, find_probability, horizon: incnet.recruitment_incentives(
            mech, mean_contacts=mean_contacts, response=response, find_probability=find_probability,
            horizon=horizon),
        dict(mech=[2.0, 1.0, 0.5], mean_contacts=3.0, response=0.5, find_probability=0.01, horizon=3),
        lambda kw, res: _require(np.all(np.isfinite(res.incentives))
                                 and np.all((res.probabilities >= 0) & (res.probabilities <= 1)), res),
    ),
    "query_incentive_equilibrium": (
        lambda offspring, n, sigma, max_reward: incnet.query_incentive_equilibrium(
            offspring, n, sigma, max_reward=max_reward),
        dict(offspring=[0.1, 0.2, 0.7], n=20, sigma=0.1, max_reward=1000),
        lambda kw, res: None,
    ),
    "FixedSchedule": (
        lambda rewards: incnet.FixedSchedule(rewards).chain_payments(3),
        dict(rewards=[2.0, 1.0]),
        lambda kw, res: _check_chain({"length": 3}, res),
    ),
    "GeometricMLM": (
        lambda a, b: incnet.GeometricMLM(a, b).chain_payments(3),
        dict(a=0.5, b=0.5),
        lambda kw, res: _check_chain({"length": 3}, res),
    ),
    "from_networkx": (
        lambda scale, weight: IncentiveNetwork.from_networkx(nx.path_graph(4), weight=weight,
                                                             scale=scale),
        dict(scale=0.5, weight=None),
        _check_network,
    ),
    "row_normalized": (
        lambda total: NET.row_normalized(total),
        dict(total=0.5),
        _check_network,
    ),
    "subnetwork": (
        lambda nodes: NET.subnetwork(nodes),
        dict(nodes=[0, 2]),
        _check_network,
    ),
    "barabasi_albert_network": (
        lambda n, m, rng: incnet.datasets.barabasi_albert_network(n, m, rng),
        dict(n=20, m=2, rng=0),
        _check_network,
    ),
    "min_cost_activation": (
        lambda costs, targets, budget: incnet.min_cost_activation(NET, costs, targets, budget=budget),
        dict(costs=1.0, targets=[3], budget=None),
        lambda kw, res: _require(np.all(np.isfinite(res.rewards)) and np.all(res.rewards >= 0), res),
    ),
    "seed_rewards": (
        lambda theta, budget: incnet.seed_rewards(IncentiveNetwork.from_networkx(nx.path_graph(4)),
                                                  theta, budget),
        dict(theta=1.0, budget=2.0),
        lambda kw, res: _require(np.all(np.isfinite(res.rewards)) and np.all(res.rewards >= 0), res),
    ),
    "fit_recruitment": (
        lambda forest, model, max_iter: incnet.fit_recruitment(forest, model, max_iter=max_iter),
        dict(forest=[-1, 0, 0, 1, -1, 4, 4, 2], model="poisson", max_iter=100),
        lambda kw, res: None,
    ),
    "check_sybil_proof": (
        lambda max_nodes, max_identities, n_random: incnet.check_sybil_proof(
            _mech(), max_nodes=max_nodes, max_identities=max_identities, n_random=n_random),
        dict(max_nodes=2, max_identities=2, n_random=2),
        lambda kw, res: None,
    ),
    "check_collusion_proof": (
        lambda max_nodes, max_coalition, max_chain: incnet.check_collusion_proof(
            _mech(), max_nodes=max_nodes, max_coalition=max_coalition, max_chain=max_chain),
        dict(max_nodes=2, max_coalition=2, max_chain=6),
        lambda kw, res: None,
    ),
    "is_stable": (
        lambda x, xbar, delta, tol: incnet.is_stable(nx.star_graph(3), x, xbar, delta, tol=tol),
        dict(x=[0.0, 1.0, 1.0, 1.0], xbar=1.0, delta=1.0, tol=1e-9),
        lambda kw, res: _require(isinstance(res, bool), res),
    ),
    "max_reach": (
        lambda costs, budget, seeds: incnet.max_reach(NET, costs, budget, seeds),
        dict(costs=1.0, budget=2.0, seeds=[0]),
        lambda kw, res: _require(np.all(np.isfinite(res.rewards)), res),
    ),
    "targeting": (
        lambda delta, budget, alpha_hat: incnet.targeting(
            IncentiveNetwork.from_networkx(nx.path_graph(4)), delta=delta, budget=budget, alpha_hat=alpha_hat),
        dict(delta=0.2, budget=1.0, alpha_hat=1.0),
        lambda kw, res: _require(np.all(np.isfinite(res.rewards)), res),
    ),
    "RecruitmentModel": (
        lambda offspring, response, find_probability, horizon, initial: incnet.RecruitmentModel(
            offspring, response, find_probability=find_probability, horizon=horizon,
            initial=initial).success_probability([2.0, 1.0, 0.5]),
        dict(offspring=[0.2, 0.3, 0.5], response=0.5, find_probability=0.05, horizon=2, initial=2),
        lambda kw, res: _require(0.0 <= float(res) <= 1.0, res),
    ),
    "optimal_split": (
        lambda budget, starts, method: incnet.optimal_split(
            incnet.RecruitmentModel([0.2, 0.3, 0.5], 0.5, find_probability=0.05, horizon=2,
                                    initial=2), budget, starts=starts, method=method, rng=0),
        dict(budget=10.0, starts=2, method="multistart"),
        lambda kw, res: _require(np.all(np.isfinite(res.rewards)) and np.all(res.rewards >= -1e-9), res),
    ),
    "erdos_renyi_csr": (
        lambda n, p, rng: incnet.datasets.erdos_renyi_csr(n, p, rng),
        dict(n=20, p=0.2, rng=0),
        lambda kw, res: _require(res.shape == (int(kw["n"]),) * 2, res),
    ),
    "IncentiveNetwork": (
        lambda W: IncentiveNetwork(W),
        dict(W=np.array([[0, 0.5], [0.25, 0]])),
        _check_network,
    ),
    "scaled": (
        lambda factor: NET.scaled(factor),
        dict(factor=2.0),
        _check_network,
    ),
}


#: Slots where text is meaningful (a method or attribute name, a named response, p="weight"); in
#: every other slot a string, bytes or bool must be refused, never read as a number.
_TEXT_SLOTS = {"method", "weight", "response", "p"}
#: Slots that take node labels: a text label is looked up (and here not found), which is an error.
_LABEL_SLOTS = {"j", "i", "seeds", "targets", "nodes"}


def _is_text_or_bool(value):
    if isinstance(value, (str, bytes, bool, np.bool_)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "USb"
    return isinstance(value, list) and any(isinstance(v, (str, bytes, bool)) for v in value)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _call(fn, kwargs, seconds=20):
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        return fn(**kwargs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _contract(name, slot, value):
    fn, defaults, check = CASES[name]
    kwargs = dict(defaults)
    kwargs[slot] = value
    try:
        result = _call(fn, kwargs)
    except _Timeout:
        pytest.fail(f"{name}({slot}={value!r}) hung (no answer within 20 s)")
    except IncnetError as err:
        assert str(err), f"{name}({slot}={value!r}) raised {type(err).__name__} with no message"
        return
    except Exception as err:  # noqa: BLE001 - the point: nothing else may escape
        pytest.fail(f"{name}({slot}={value!r}) raised a foreign {type(err).__name__}: {err}")
    if _is_text_or_bool(value) and slot not in _TEXT_SLOTS:
        pytest.fail(f"{name}({slot}={value!r}) accepted text or a bool as a value: {result!r}")
    try:
        check(kwargs, result)
    except AssertionError as err:
        pytest.fail(f"{name}({slot}={value!r}) returned a wrong result: {err}\n{result!r}")


@settings(max_examples=800)
@given(name=st.sampled_from(sorted(CASES)), value=HOSTILE, data=st.data())
def test_hostile_values_in_every_slot(name, value, data):
    slot = data.draw(st.sampled_from(sorted(CASES[name][1])), label="slot")
    _contract(name, slot, value)


_EXTRA = [7, -7, 2**40, 1e-5, 100.0, [1e308] * 4, [math.nan] * 4, [0.0] * 4, [-1.0] * 4]


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_listed_value_in_every_slot(name):
    # The exhaustive companion of the property test: every hostile value of the list, in every
    # argument slot of every entry point (about 20 s in all).
    for slot in sorted(CASES[name][1]):
        for value in _BAD_SCALARS + _EXTRA:
            if slot == "max_nodes" and type(value) is int and 3 < value <= 8:
                continue  # a valid exhaustive search, only slow (seconds): the property test has it
            _contract(name, slot, value)


@pytest.mark.parametrize("name", sorted(CASES))
def test_defaults_are_valid_and_checked(name):
    # The baseline of every case is a valid call whose result passes its independent check, so a
    # hostile value that is rejected is rejected for itself.
    fn, defaults, check = CASES[name]
    check(dict(defaults), _call(fn, dict(defaults)))


@settings(max_examples=60)
@given(
    data=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=6),
    indices=st.lists(st.integers(-3, 6), min_size=1, max_size=6),
    indptr=st.lists(st.integers(-2, 7), min_size=1, max_size=6),
)
def test_raw_csr_arrays_never_crash(data, indices, indptr):
    A = sp.csr_array((np.array([1.0]), np.array([0]), np.array([0, 1, 1, 1])), shape=(3, 3))
    A.data, A.indices, A.indptr = np.array(data), np.array(indices), np.array(indptr)
    try:
        net = _call(IncentiveNetwork, {"W": A})
    except IncnetError:
        return
    _check_network({}, net)
    incnet.total_payoffs(net.scaled(0.1 / max(net.row_sum_bound, 1.0)), 1.0)
