"""recruitment_incentives and the response functions."""

import numpy as np
import pytest

from incnet.errors import InvalidInputError
from incnet.simulate import (
    ConstantResponse,
    ExponentialResponse,
    LinearResponse,
    ThresholdResponse,
    as_response,
    chain_payment_table,
    recruitment_incentives,
    response_table,
)

DARPA = [2000.0 / 2**k for k in range(12)]


class EqualShare:
    """Test double: a chain of length L shares a fixed budget equally (depends on chain length)."""

    budget = 900.0

    def chain_payments(self, length):
        return np.full(length, self.budget / length)


def test_finder_only_pays_nothing_for_recruiting():
    res = recruitment_incentives([2000.0], mean_contacts=20, response=ExponentialResponse(0.05, 0.5, 10.0),
                                 find_probability=0.01, horizon=6)
    assert np.all(res.incentives == 0)
    assert np.allclose(res.probabilities[:-1], 0.05) and res.probabilities[-1] == 0


def test_recursive_split_pays_for_recruiting_and_decreases_with_depth():
    res = recruitment_incentives(DARPA, mean_contacts=20, response=ExponentialResponse(0.05, 0.5, 10.0),
                                 find_probability=0.01, horizon=6)
    w = res.incentives
    assert np.all(w[:-1] > 0) and w[-1] == 0
    assert np.all(np.diff(w) < 0)
    assert np.all(res.probabilities[:-1] > 0.05)


def test_hand_computed_values_with_chain_length_dependent_mechanism():
    # H = 2, E[K] = 3, q = 0.1, p(w) = 0.2 + 0.001 w (linear, uncapped in range).
    # table[L-1, k] = 900 / L. w_1 = r^(1)_1 q = (900/3) * 0.1 = 30 ; p_1 = 0.23 ; m_1 = 0.69
    # w_0 = r^(0)_1 q + r^(0)_2 q m_1 = (900/2)*0.1 + (900/3)*0.1*0.69 = 45 + 20.7 = 65.7
    res = recruitment_incentives(EqualShare(), mean_contacts=3, response=LinearResponse(0.2, 0.001),
                                 find_probability=0.1, horizon=2)
    assert res.incentives == pytest.approx([65.7, 30.0, 0.0])
    assert res.probabilities == pytest.approx([0.2657, 0.23, 0.0])
    assert res.expected_recruits == pytest.approx([3 * 0.2657, 0.69, 0.0])


def test_report_probability_scales_each_find():
    # report(r0) = r0 / 4000 gives s = 0.5 for a 2000 finder reward: every term halves when p is flat
    flat = ConstantResponse(0.3)
    full = recruitment_incentives(DARPA, mean_contacts=5, response=flat, find_probability=0.02, horizon=4)
    half = recruitment_incentives(DARPA, mean_contacts=5, response=flat, find_probability=0.02, horizon=4,
                                  report=lambda r0: r0 / 4000.0)
    assert half.incentives == pytest.approx(full.incentives / 2)
    assert np.allclose(half.report_probabilities, 0.5)


def test_incentives_match_monte_carlo_of_the_branching_process():
    """Independent route: simulate Poisson branching below one recruit and average its payments."""
    H, EK, q = 4, 4.0, 0.05
    res = recruitment_incentives(DARPA, mean_contacts=EK, response=ExponentialResponse(0.1, 0.4, 20.0),
                                 find_probability=q, horizon=H)
    rng = np.random.default_rng(7)
    reps = 200_000
    for d in range(H):
        count = np.ones(reps, dtype=np.int64)  # the one recruit, at depth d + 1
        paid = np.zeros(reps)
        for k in range(1, H - d + 1):
            depth = d + k
            finds = rng.binomial(count, q)
            paid += finds * res.payments[depth, k]
            if depth < H:
                count = rng.poisson(count * EK * res.probabilities[depth])
        se = paid.std() / np.sqrt(reps)
        assert abs(paid.mean() - res.incentives[d]) < 5 * se + 1e-12


def test_schedule_and_table():
    t = chain_payment_table([3.0, 2.0], 3)
    assert t.tolist() == [[3, 0, 0, 0], [3, 2, 0, 0], [3, 2, 0, 0], [3, 2, 0, 0]]
    assert np.allclose(chain_payment_table(EqualShare(), 1), [[900, 0], [450, 450]])


@pytest.mark.parametrize("bad", [dict(mean_contacts=-1), dict(find_probability=1.5), dict(horizon=-1)])
def test_bad_inputs_raise(bad):
    kwargs = dict(mean_contacts=2, response=0.1, find_probability=0.1, horizon=2) | bad
    with pytest.raises(InvalidInputError):
        recruitment_incentives(DARPA, **kwargs)
    with pytest.raises(InvalidInputError):
        recruitment_incentives([-1.0], mean_contacts=2, response=0.1, find_probability=0.1, horizon=2)
    with pytest.raises(InvalidInputError):
        recruitment_incentives("nope", mean_contacts=2, response=0.1, find_probability=0.1, horizon=2)


def test_responses():
    w = np.array([0.0, 10.0, 1e6])
    assert np.allclose(ExponentialResponse(0.1, 0.5, 10.0)(w), [0.1, 0.1 + 0.4 * (1 - np.exp(-1)), 0.5])
    assert np.allclose(ThresholdResponse(0.1, 0.9, 10.0)(w), [0.1, 0.9, 0.9])
    assert np.allclose(LinearResponse(0.1, 0.01, 0.5)(w), [0.1, 0.2, 0.5])
    assert as_response("threshold", p0=0.1, p_high=0.2, threshold=1.0) == ThresholdResponse(0.1, 0.2, 1.0)
    assert np.allclose(response_table(lambda x: np.minimum(1, x / 20), w), [0, 0.5, 1])
    with pytest.raises(InvalidInputError):
        response_table(lambda x: x, w)  # not a probability
    with pytest.raises(InvalidInputError):
        as_response("sigmoid")
    with pytest.raises(InvalidInputError):
        ExponentialResponse(0.5, 0.1, 1.0)
    with pytest.raises(InvalidInputError):
        as_response(1.5)


def test_horizon_limits():
    from incnet.simulate.incentives import MAX_HORIZON

    with pytest.raises(InvalidInputError, match="smaller horizon"):
        recruitment_incentives(DARPA, mean_contacts=2, response=0.1, find_probability=0.1,
                               horizon=MAX_HORIZON + 1)
    # per-depth mean contacts: m_d = E[K_d] p_d
    res = recruitment_incentives(DARPA, mean_contacts=[1.0, 2.0, 3.0], response=0.5, find_probability=0.1,
                                 horizon=2)
    assert res.expected_recruits.tolist() == [0.5, 1.0, 0.0]
    # w_0 = r_1 q + r_2 q m_1 = 1000 * 0.1 + 500 * 0.1 * 1.0
    assert res.incentives[0] == pytest.approx(150.0)
    with pytest.raises(InvalidInputError):
        recruitment_incentives(DARPA, mean_contacts=[1.0, 2.0], response=0.5, find_probability=0.1, horizon=2)


def test_given_incentives_are_used_as_they_are():
    from incnet.simulate import ExponentialResponse, recruitment_incentives, simulate_recruitment

    f = ExponentialResponse(0.1, 0.6, scale=50.0)
    w = [30.0, 20.0, 10.0, 5.0]
    inc = recruitment_incentives([100.0, 50.0], mean_contacts=4.0, response=f,
                                 find_probability=0.01, horizon=3, values=w)
    assert inc.method == "given"
    np.testing.assert_allclose(inc.incentives, [30.0, 20.0, 10.0, 0.0])
    np.testing.assert_allclose(inc.probabilities[:3], f(np.array(w[:3])))
    assert inc.probabilities[3] == 0.0
    np.testing.assert_allclose(inc.expected_recruits, 4.0 * inc.probabilities)
    with pytest.raises(InvalidInputError, match="values"):
        recruitment_incentives([1.0], mean_contacts=4.0, response=f, find_probability=0.01,
                               horizon=3, values=[1.0, 2.0])
    with pytest.raises(InvalidInputError, match="values"):
        recruitment_incentives([1.0], mean_contacts=4.0, response=f, find_probability=0.01,
                               horizon=1, values=[-1.0, 0.0])
    # the simulation recruits with p(w_d) of the given w
    import networkx as nx

    res = simulate_recruitment(nx.path_graph(5), [1.0], initial=[0], targets=0, response=f,
                               horizon=3, n_runs=10, incentives=w, rng=1)
    np.testing.assert_allclose(res.incentives.probabilities, inc.probabilities)
