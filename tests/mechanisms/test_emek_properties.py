"""Unbounded reward, subtree locality, costed sybil attacks and budgets in the seller's fraction."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incnet.errors import InvalidInputError
from incnet.mechanisms import (
    AlmostUniformScheme,
    DirectReferral,
    FinderOnly,
    FixedSchedule,
    GeometricMLM,
    HybridScheme,
    LengthDiscountedSplit,
    Mechanism,
    RecursiveSplit,
    SplitContract,
    TopDownSplit,
    check_budget,
    check_individual_rationality,
    check_subtree_locality,
    check_sybil_proof,
    check_unbounded_reward,
    mechanism_report,
)

QUICK = dict(n_random=4, random_nodes=8)


def subtree_alone(parents, u):
    """u's subtree as its own forest (plain Python), with the map old -> new index."""
    parents = list(parents)
    members = [u]
    for v in members:
        members.extend(c for c, p in enumerate(parents) if p == v)
    members.sort()
    index = {v: i for i, v in enumerate(members)}
    return [-1 if v == u else index[parents[v]] for v in members], members, index


# ---------------------------------------------------------------- unbounded reward


@pytest.mark.parametrize("mech", [GeometricMLM(0.5, 0.5), RecursiveSplit(2000, 0.5), SplitContract(4000, 0.5),
                                  FixedSchedule([5, 3, 1]), TopDownSplit(4000, 0.5), LengthDiscountedSplit(2000, 0.5),
                                  GeometricMLM(0.25, 0.5, max_depth=3)], ids=repr)
def test_rules_that_pay_every_recruiter_give_unbounded_reward(mech):
    assert check_unbounded_reward(mech, **QUICK).holds


def test_unbounded_rate_is_the_recruiter_share_for_positional_rules():
    # a node earns p[1] per new direct recruit that contributes one unit, whatever its depth
    res = check_unbounded_reward(RecursiveSplit(2000, 0.5), n_random=0)
    assert res.details["rate"] == pytest.approx(1000.0)
    res = check_unbounded_reward(GeometricMLM(0.2, 0.6), n_random=0)
    assert res.details["rate"] == pytest.approx(0.2 * 0.6)


@pytest.mark.parametrize("mech, deepest_paid", [(DirectReferral(100, 10, 6), 4), (AlmostUniformScheme(0.25, 5), 3)],
                         ids=repr)
def test_a_horizon_leaves_deep_nodes_with_bounded_reward(mech, deepest_paid):
    res = check_unbounded_reward(mech, n_random=0, max_levels=2)
    assert not res.holds and res.counterexample.found_by == "chain"
    cx = res.counterexample
    (u,) = cx.nodes
    depth = len(cx.forest) - 1  # the chain's bottom node
    assert u == depth and depth == deepest_paid + 1
    # recompute: the extended forest pays the node what the counterexample says
    assert mech.payments(cx.manipulated_forest, cx.manipulated_contributions)[u] == pytest.approx(cx.after)
    # one level higher, a direct recruit is still paid: the rate is positive
    shallow = check_unbounded_reward(mech, n_random=0, max_levels=2, max_chain=deepest_paid + 1)
    assert shallow.holds


def test_finder_only_reward_is_bounded():
    res = check_unbounded_reward(FinderOnly(1.0), n_random=0)
    assert not res.holds and res.counterexample.forest == [-1]
    assert res.counterexample.gain == 0.0 and res.details["rate"] == 0.0


# ---------------------------------------------------------------- subtree locality


@pytest.mark.parametrize("mech", [GeometricMLM(0.5, 0.5), RecursiveSplit(2000, 0.5), SplitContract(4000, 0.5),
                                  FixedSchedule([5, 3, 1]), FinderOnly(3.0),
                                  RecursiveSplit(10, 0.5, max_depth=2)], ids=repr)
def test_positional_rules_are_subtree_local(mech):
    assert check_subtree_locality(mech, **QUICK).holds


@pytest.mark.parametrize("mech", [TopDownSplit(4000, 0.5), LengthDiscountedSplit(2000, 0.5),
                                  DirectReferral(100, 10, 3), AlmostUniformScheme(0.25, 3)], ids=repr)
def test_rules_that_depend_on_the_chain_length_are_not(mech):
    res = check_subtree_locality(mech, **QUICK)
    assert not res.holds
    cx = res.counterexample
    (u,) = cx.nodes
    alone, members, index = subtree_alone(cx.forest, u)
    assert cx.manipulated_forest == alone
    in_forest = mech.payments(cx.forest, cx.contributions)[u]
    standalone = mech.payments(alone, [cx.contributions[v] for v in members])[index[u]]
    assert (in_forest, standalone) == pytest.approx((cx.before, cx.after))
    assert abs(in_forest - standalone) == pytest.approx(cx.gain) and cx.gain > 0


@settings(max_examples=25)
@given(st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=5),
       st.lists(st.integers(0, 10**6), min_size=2, max_size=14))
def test_any_positional_schedule_is_local_on_random_forests(schedule, raw):
    mech = FixedSchedule(schedule)
    parents = np.array([-1 if v == 0 or r % (v + 1) == v else r % (v + 1) for v, r in enumerate(raw)])
    contributions = np.array([r % 3 for r in raw], dtype=float)
    paid = mech.payments(parents, contributions)
    for u in range(len(parents)):
        alone, members, index = subtree_alone(parents, u)
        assert mech.payments(alone, contributions[members])[index[u]] == pytest.approx(paid[u])


# ---------------------------------------------------------------- costed sybil attacks


@pytest.mark.parametrize("mech", [RecursiveSplit(2000, 0.5), GeometricMLM(0.3, 0.6), SplitContract(100, 0.4),
                                  TopDownSplit(50, 0.5)], ids=repr)
def test_a_cost_per_identity_shifts_the_verdict_by_exactly_that_cost(mech):
    # with two identities (one fake) the net gain is the free gain minus the price, so the
    # attack pays exactly when the price is below the largest free gain
    search = dict(max_identities=2, n_random=0, max_chain=8)
    free = check_sybil_proof(mech, **search)
    assert not free.holds
    gain = free.worst_gain
    below = check_sybil_proof(mech, identity_cost=0.99 * gain, **search)
    above = check_sybil_proof(mech, identity_cost=1.01 * gain, **search)
    assert not below.holds and below.worst_gain == pytest.approx(0.01 * gain)
    assert below.counterexample.cost == pytest.approx(0.99 * gain)
    cx = below.counterexample
    assert cx.after - cx.before - cx.cost == pytest.approx(cx.gain)
    assert above.holds and above.worst_gain == pytest.approx(-0.01 * gain)
    assert "cost" in above.search


def test_costed_attacks_count_every_fake_identity():
    # three identities: two fakes, so the price is paid twice
    darpa = RecursiveSplit(2000, 0.5)
    res = check_sybil_proof(darpa, identity_cost=400.0, max_identities=3, n_random=0, max_nodes=1, max_chain=1)
    # a lone finder: 2 identities gain 1000 - 400, 3 identities gain 1500 - 800
    assert res.worst_gain == pytest.approx(700.0)


def test_sybil_proof_rules_stay_so_at_any_price():
    for mech in (LengthDiscountedSplit(2000, 0.5), DirectReferral(100, 10, 6)):
        assert check_sybil_proof(mech, identity_cost=5.0, **QUICK).holds


def test_identity_cost_must_be_non_negative():
    with pytest.raises(InvalidInputError, match="identity_cost"):
        check_sybil_proof(FinderOnly(1.0), identity_cost=-1.0)
    with pytest.raises(InvalidInputError, match="identity_cost"):
        mechanism_report([FinderOnly(1.0), RecursiveSplit(1, 0.5)], identity_cost=[1.0, 2.0, 3.0], n_random=0)


# ---------------------------------------------------------------- budgets in the seller's fraction


@pytest.mark.parametrize("fraction, b", [(0.5, 0.5), (0.3, 0.8), (1.0, 0.25)])
def test_geometric_for_fraction_spends_exactly_the_fraction(fraction, b):
    # Emek et al.: a / (1 - b) <= Pi; the rule for_fraction builds meets it with equality
    mech = GeometricMLM.for_fraction(fraction, b)
    assert mech.budget == pytest.approx(fraction)
    assert check_budget(mech, budget=fraction, n_random=10).holds
    tight = check_budget(mech, budget=0.9 * fraction, n_random=0)
    assert not tight.holds and tight.counterexample.before == pytest.approx(0.9 * fraction * sum(
        tight.counterexample.contributions))


def test_budget_override_is_validated():
    with pytest.raises(InvalidInputError, match="budget"):
        check_budget(FinderOnly(1.0), budget=-1.0)


# ---------------------------------------------------------------- the report


def test_report_has_the_new_columns_and_per_mechanism_costs():
    mechs = [FinderOnly(2000), RecursiveSplit(2000, 0.5)]
    report = mechanism_report(mechs, identity_cost=[10.0, 3000.0], n_random=0)
    assert report.identity_costs == (10.0, 3000.0)
    finder, darpa = report.results
    assert not finder["unbounded reward"].holds and finder["subtree locality"].holds
    assert darpa["unbounded reward"].holds and darpa["costed sybil-proof"].holds and not darpa["sybil-proof"].holds
    text = report.table()
    assert "sybil-proof at identity cost" in text and "yes (3000)" in text and "subtree locality" in text
    plain = mechanism_report(mechs, n_random=0)
    assert plain.identity_costs is None and "identity cost" not in plain.table()


def test_new_checkers_work_on_user_defined_rules():
    class ForestRule(Mechanism):
        """Pays each node its subtree's contribution divided by its depth + 1."""

        budget = np.inf

        def forest_payments(self, forest, contributions):
            out = contributions.copy()
            for j in range(forest.n - 1, -1, -1):
                p = forest.bfs_parents[j]
                if p >= 0:
                    out[forest.order[p]] += out[forest.order[j]]
            return out / (forest.depth[:, None] + 1.0)

    rule = ForestRule()
    assert check_unbounded_reward(rule, **QUICK).holds
    assert not check_subtree_locality(rule, **QUICK).holds
    assert check_individual_rationality(rule, **QUICK).holds


# ---------------------------------------------------------------- Babaioff et al.'s chains beyond H


def test_beyond_height_fee_pays_the_authorizer_only():
    scheme = AlmostUniformScheme(0.25, 3, beyond_height="fee", fee=2.0)
    assert scheme.chain_payments(3).tolist() == [2.25, 0.25, 0.25]
    assert scheme.chain_payments(5).tolist() == [2.0, 0.0, 0.0, 0.0, 0.0]
    assert AlmostUniformScheme(0.25, 3).chain_payments(5).tolist() == [0.0] * 5
    assert repr(scheme) == "AlmostUniformScheme(beta=0.25, height=3, fee=2.0, beyond_height='fee')"
    assert scheme != AlmostUniformScheme(0.25, 3, fee=2.0)


def test_beyond_height_fee_forest_payments_match_the_chain_walk(rng):
    scheme = AlmostUniformScheme(0.5, 2, beyond_height="fee")
    for _ in range(5):
        n = 30
        parents = np.array([-1, -1] + [int(rng.integers(max(0, v - 3), v)) for v in range(2, n)])
        contributions = rng.integers(0, 3, size=n).astype(float)
        expected = np.zeros(n)
        for v in range(n):
            chain = [v]
            while parents[chain[-1]] >= 0:
                chain.append(int(parents[chain[-1]]))
            for k, u in enumerate(chain):
                expected[u] += contributions[v] * scheme.chain_payments(len(chain))[k]
        np.testing.assert_allclose(scheme.payments(parents, contributions), expected, rtol=1e-12)
    assert check_budget(scheme, **QUICK).holds and check_individual_rationality(scheme, **QUICK).holds


def test_beyond_height_option_reaches_the_hybrid_and_is_validated():
    hybrid = HybridScheme.for_trees(height=4, degree=2, boost_seeds=[0], beyond_height="fee")
    assert hybrid.base.beyond_height == "fee" and hybrid.boost.beyond_height == "fee"
    with pytest.raises(InvalidInputError, match="beyond_height"):
        AlmostUniformScheme(0.25, 3, beyond_height="half")
