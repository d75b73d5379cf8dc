"""Query incentive networks: best-response conditions, the O(R^2) reference, the b = 2 threshold,
the strategic root and the effort conventions."""

import math

import numpy as np
import pytest
import scipy.stats

from incnet.branching import as_offspring
from incnet.errors import ConvergenceError, InvalidInputError
from incnet.mechanisms import query_incentive_equilibrium, success_supremum

LAWS = [scipy.stats.poisson(1.5), scipy.stats.poisson(3.0), scipy.stats.binom(4, 0.45), [0.3, 0.1, 0.2, 0.4]]
LAW_IDS = ["poisson1.5", "poisson3", "binom4-0.45", "pmf"]


def reference_equilibrium(pmf, n, sigma, effort=0):
    """Direct transcription of the definitions, in plain Python: phi, f, S, and the strategic root.

    The root with utility r offers f(r) like any node and succeeds with probability S(f(r));
    returns the smallest such r reaching sigma, f and S up to it.
    """
    psi = np.polynomial.polynomial.Polynomial(pmf)
    keep = 1 - 1 / n
    phi = [1.0, keep]
    offers = [0, 0]
    success = [1 - psi(1.0), 1 - psi(keep)]
    while True:
        r = len(phi)
        # success[x] = 1 - psi(phi_x): a child offered x delivers
        values = np.array([(r - x - effort) * success[x] for x in range(1, r)])
        best = 1 + int(np.argmax(values))  # argmax: first (smallest) maximiser
        offers.append(best)
        phi.append(keep * psi(phi[best]))
        success.append(1 - psi(phi[-1]))
        if success[best] >= sigma:
            return r, np.array(offers), np.array(success)


@pytest.mark.parametrize("law", LAWS, ids=LAW_IDS)
@pytest.mark.parametrize("n", [20, 200])
def test_envelope_matches_scan_and_plain_reference(law, n):
    sup = success_supremum(law, n)
    sigma = 0.6 * sup
    fast = query_incentive_equilibrium(law, n, sigma)
    scan = query_incentive_equilibrium(law, n, sigma, method="scan")
    assert fast.reward == scan.reward and fast.offer == scan.offer
    np.testing.assert_array_equal(fast.offers, scan.offers)
    np.testing.assert_array_equal(fast.offer_success, scan.offer_success)
    pmf = as_offspring(law).pmf
    r, offers, success = reference_equilibrium(pmf, n, sigma)
    assert fast.reward == r and fast.offer == offers[r]
    np.testing.assert_array_equal(fast.offers, offers)
    np.testing.assert_allclose(fast.offer_success, success, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("law", LAWS[:3], ids=LAW_IDS[:3])
def test_best_response_conditions_at_every_reward(law):
    n = 1000
    res = query_incentive_equilibrium(law, n, 0.5 * success_supremum(law, n))
    psi = as_offspring(law).pgf
    q = res.offer_success  # q_x = 1 - psi(phi_x): a child offered x delivers
    assert res.reward >= 2
    for r in range(2, res.reward + 1):
        x = np.arange(1, r)
        values = (r - x) * q[1:r]
        f = res.offers[r]
        # the offer is a best response: no other offer earns the node more, and ties go to the smallest
        assert values[f - 1] >= values.max() - 1e-12 * values.max()
        assert not np.any(values[: f - 1] >= values[f - 1])
        assert math.isclose(res.failure[r], (1 - 1 / n) * psi(res.failure[f]), rel_tol=1e-12)
    # S(r) is the delivery probability of an offer r, and it never exceeds the supremum
    np.testing.assert_allclose(res.offer_success, 1 - psi(res.failure), rtol=1e-12, atol=1e-15)
    assert np.all(res.offer_success <= res.saturation + 1e-12)
    # the strategic root: utility r* is the first at which its own best offer reaches sigma
    sigma = 0.5 * res.saturation
    assert res.offer == res.offers[-1] and res.success[-1] == q[res.offer] >= sigma
    assert np.all(res.success[:-1] < sigma) and np.all(res.success[:2] == 0)
    np.testing.assert_array_equal(res.success[2:], q[res.offers[2:]])


def test_supremum_is_the_everybody_searches_fixed_point():
    law = as_offspring(scipy.stats.poisson(1.5))
    n = 1e4
    low = 0.0  # the monotone iteration from 0 increases to the smallest fixed point
    for _ in range(20000):
        low = (1 - 1 / n) * law.pgf(low)
    assert math.isclose(success_supremum(law, n), 1 - law.pgf(low), rel_tol=1e-10)
    # an infinite tree holds an answer almost surely, so the supremum is at least the survival
    # probability of the process, and it falls towards it as answers get rarer
    survival = 1 - law.extinction_probability()
    sups = [success_supremum(law, m) for m in (10, 1e3, 1e5)]
    assert sups[0] > sups[1] > sups[2] > survival
    assert sups[2] - survival < 1e-3


@pytest.mark.parametrize("effort", ["floor", "cost"])
def test_threshold_at_b_equal_two(effort):
    # Kleinberg & Raghavan (2005), Arcaute et al. (2007): at a constant failure probability, log n
    # growth above b = 2 and polynomial growth below, under either effort convention
    ns = [1e3, 1e4, 1e5, 1e6]
    above = [query_incentive_equilibrium(scipy.stats.poisson(3.0), n, 0.5, effort=effort).reward for n in ns]
    below = [query_incentive_equilibrium(scipy.stats.poisson(1.8), n, 0.3, effort=effort).reward for n in ns]
    # logarithmic: tripling log n at most triples r*
    assert above[-1] <= 3 * above[0]
    # polynomial: every decade multiplies r* by a factor bounded away from 1, ten in three decades
    ratios = np.array(below[1:]) / np.array(below[:-1])
    assert np.all(ratios > 1.5) and below[-1] > 10 * below[0]
    if effort == "cost":
        return
    # the full-propagation benchmark is linear in log n for both, and below every equilibrium
    bench = [query_incentive_equilibrium(scipy.stats.poisson(1.8), n, 0.3, contract="full_propagation").reward
             for n in ns]
    assert bench[-1] <= 3 * bench[0] and max(np.diff(bench)) <= 6
    assert all(s <= f for s, f in zip(bench, below))


def test_full_propagation_benchmark_reaches_depth_equal_to_reward():
    law = as_offspring(scipy.stats.poisson(1.5))
    res = query_incentive_equilibrium(law, 1e4, 0.3, contract="full_propagation")
    assert res.method == "benchmark" and res.contract == "full_propagation"
    phi = 1.0
    for r in range(1, res.reward + 1):
        phi = (1 - 1e-4) * law.pgf(phi)
        assert math.isclose(res.failure[r], phi, rel_tol=1e-12)
    assert np.all(res.offers[2:] == np.arange(2, res.reward + 1) - 1)
    # the root keeps its unit too: utility r* offers r* - 1
    assert res.offer == res.reward - 1
    assert res.success[-1] >= 0.3 > res.success[-2]


def test_large_reward_case_from_the_issue():
    # b = 1.5, n = 1e4: the root offers hundreds of thousands (about 2.5e5 at sigma = 0.3) and
    # keeps a markup on top
    res = query_incentive_equilibrium(scipy.stats.poisson(1.5), 1e4, 0.3)
    assert 1e5 < res.offer < res.reward < 1e7
    assert res.success[-1] >= 0.3 > res.success[-2]


def test_unreachable_sigma_and_bad_input():
    law = scipy.stats.poisson(1.5)
    sup = success_supremum(law, 1e4)
    with pytest.raises(InvalidInputError, match="unreachable"):
        query_incentive_equilibrium(law, 1e4, sup)
    with pytest.raises(InvalidInputError, match="unreachable"):
        query_incentive_equilibrium(scipy.stats.poisson(0.8), 100, 0.5)
    with pytest.raises(InvalidInputError, match="n must be > 1"):
        query_incentive_equilibrium(law, 1, 0.2)
    with pytest.raises(InvalidInputError, match="sigma"):
        query_incentive_equilibrium(law, 100, 1.5)
    with pytest.raises(InvalidInputError, match="method"):
        query_incentive_equilibrium(law, 100, 0.2, method="local")
    with pytest.raises(InvalidInputError, match="effort"):
        query_incentive_equilibrium(law, 100, 0.2, effort="none")
    with pytest.raises(InvalidInputError, match="split_contract_equilibrium"):
        query_incentive_equilibrium(law, 100, 0.2, contract="split")
    with pytest.raises(InvalidInputError):
        query_incentive_equilibrium(scipy.stats.norm(), 100, 0.2)
    with pytest.raises(ConvergenceError):
        query_incentive_equilibrium(law, 1e4, 0.3, max_reward=1000)


def test_local_search_for_the_offer_is_wrong():
    # the objective (r - x) q_x has several local maxima in x: a hill climb from the previous
    # offer gets stuck below the true best response at some rewards
    res = query_incentive_equilibrium(scipy.stats.poisson(1.5), 1e3, 0.3)
    q = res.offer_success
    stuck = 0
    for r in range(3, res.reward + 1):
        x = int(min(max(res.offers[r - 1], 1), r - 1))
        while True:
            step = max((y for y in (x - 1, x + 1) if 1 <= y <= r - 1), key=lambda y: (r - y) * q[y])
            if (r - step) * q[step] <= (r - x) * q[x]:
                break
            x = step
        best = res.offers[r]
        assert (r - best) * q[best] >= (r - x) * q[x]
        stuck += (r - best) * q[best] > (r - x) * q[x]
    assert stuck > 0


def test_reward_search_is_bounded_in_memory_and_time():
    import scipy.stats

    from incnet.errors import ConvergenceError, InvalidInputError
    from incnet.mechanisms import query_incentive_equilibrium

    law = scipy.stats.poisson(1.5)
    with pytest.raises(InvalidInputError, match="GiB"):
        query_incentive_equilibrium(law, 1e4, 0.3, max_reward=2**31 - 2)
    # the quadratic reference scan refuses long before hours of work, and says what to use
    with pytest.raises(ConvergenceError, match="method='envelope'"):
        query_incentive_equilibrium(law, 1e6, 0.3, method="scan")
