"""Property checkers: they fail where the literature says and pass where it proves they hold."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incnet.errors import InvalidInputError
from incnet.mechanisms import (
    DirectReferral,
    FinderOnly,
    FixedSchedule,
    GeometricMLM,
    LengthDiscountedSplit,
    Mechanism,
    RecursiveSplit,
    SplitContract,
    TopDownSplit,
    check_budget,
    check_collusion_proof,
    check_contribution_incentive,
    check_individual_rationality,
    check_sybil_proof,
    mechanism_report,
)

QUICK = dict(n_random=8, random_nodes=10)

ALL = [
    FinderOnly(2000), RecursiveSplit(2000, 0.5), RecursiveSplit(10, 0.8, max_depth=4), FixedSchedule([5, 3, 1]),
    GeometricMLM(0.3, 0.6), SplitContract(4000, 0.5), TopDownSplit(4000, 0.5), DirectReferral(100, 10, 6),
    LengthDiscountedSplit(2000, 0.5),
]


def identity_payment(mech, parents, contributions, nodes):
    return float(np.sum(mech.payments(parents, contributions)[list(nodes)]))


def verify_sybil_counterexample(mech, cx):
    """Recompute the attacker's payment honestly and after the split, from the forests alone."""
    n = len(cx.forest)
    (u,) = cx.nodes
    before = identity_payment(mech, cx.forest, cx.contributions, [u])
    after = identity_payment(mech, cx.manipulated_forest, cx.manipulated_contributions,
                             [u] + list(range(n, len(cx.manipulated_forest))))
    assert np.isclose(before, cx.before) and np.isclose(after, cx.after)
    assert after - before > 0 and np.isclose(after - before, cx.gain)
    assert np.isclose(sum(cx.contributions), sum(cx.manipulated_contributions))


def test_darpa_sybil_counterexample_found_automatically():
    res = check_sybil_proof(RecursiveSplit(2000, 0.5), **QUICK)
    assert not res.holds and res.status == "violated" and res.exhaustive
    cx = res.counterexample
    # the smallest attack: a lone finder reports a fake identity as its own recruiter
    assert cx.forest == [-1] and cx.manipulated_forest == [-1, 0]
    assert (cx.before, cx.after, cx.gain) == (2000.0, 3000.0, 1000.0)
    verify_sybil_counterexample(RecursiveSplit(2000, 0.5), cx)


@pytest.mark.parametrize("mech", [GeometricMLM(0.3, 0.6), FixedSchedule([5, 3, 1]), SplitContract(4000, 0.5),
                                  TopDownSplit(4000, 0.5), RecursiveSplit(10, 0.8, max_depth=4)], ids=repr)
def test_positional_and_split_rules_are_not_sybil_proof(mech):
    res = check_sybil_proof(mech, **QUICK)
    assert not res.holds
    verify_sybil_counterexample(mech, res.counterexample)


@pytest.mark.parametrize("mech", [FinderOnly(2000), DirectReferral(100, 10, 6), DirectReferral(50, 7, 8),
                                  LengthDiscountedSplit(2000, 0.5), LengthDiscountedSplit(3, 0.9)], ids=repr)
def test_sybil_proof_rules_pass(mech):
    res = check_sybil_proof(mech, max_chain=14, **QUICK)
    assert res.holds and res.counterexample is None and res.worst_gain <= 1e-9
    assert not res.exhaustive  # a random phase ran and found nothing


@pytest.mark.parametrize("mech", [FinderOnly(2000), DirectReferral(100, 10, 6), LengthDiscountedSplit(2000, 0.5),
                                  RecursiveSplit(2000, 0.5), SplitContract(4000, 0.5)], ids=repr)
def test_chain_sybil_inequality_by_direct_enumeration(mech):
    # independent route: the chain inequality sum_{k=i}^{i+m} p_{L+m}[k] <= p_L[i], written out
    worst = -np.inf
    for length in range(1, 30):
        honest = mech.chain_payments(length)
        for m in range(1, 6):
            longer = mech.chain_payments(length + m)
            for i in range(length):
                worst = max(worst, longer[i:i + m + 1].sum() - honest[i])
    claimed = check_sybil_proof(mech, max_chain=29, max_identities=6, n_random=0, max_nodes=3).holds
    assert claimed == (worst <= 1e-9)


def test_finder_only_has_no_recruitment_incentive():
    res = check_contribution_incentive(FinderOnly(2000), **QUICK)
    assert not res.holds and res.details == {**res.details, "contribution": True, "solicitation": False}
    cx = res.counterexample
    assert "recruits" in cx.manipulation and cx.after == cx.before


@pytest.mark.parametrize("mech", [GeometricMLM(0.3, 0.6), RecursiveSplit(2000, 0.5)], ids=repr)
def test_geometric_rules_give_both_incentives(mech):
    # Emek et al. (2011): geometric mechanisms satisfy continuing contribution and solicitation
    res = check_contribution_incentive(mech, **QUICK)
    assert res.holds and res.details["contribution"] and res.details["solicitation"]
    assert res.details["smallest_rise"] > 0


def test_capped_schedule_loses_solicitation_beyond_its_depth():
    res = check_contribution_incentive(FixedSchedule([1.0]), **QUICK)
    assert not res.details["solicitation"] and res.details["contribution"]


@pytest.mark.parametrize("mech", ALL, ids=repr)
def test_every_mechanism_respects_its_budget_and_ir(mech):
    assert check_budget(mech, **QUICK).holds
    assert check_individual_rationality(mech, **QUICK).holds


def test_budget_violation_is_found_with_its_counterexample():
    class Overpays(Mechanism):
        budget = 3.0

        def chain_payments(self, length):
            return np.ones(length)  # a chain of four pays 4 > 3

    res = check_budget(Overpays(), **QUICK)
    assert not res.holds
    cx = res.counterexample
    paid = Overpays().payments(cx.forest, cx.contributions).sum()
    assert np.isclose(paid, cx.after) and np.isclose(cx.before, 3.0 * sum(cx.contributions))
    assert paid > cx.before


def test_individual_rationality_violation():
    class Fee(Mechanism):
        budget = 1.0

        def forest_payments(self, forest, contributions):
            return contributions - 0.1  # every participant pays an entry fee

    res = check_individual_rationality(Fee(), **QUICK)
    assert not res.holds and np.isclose(res.counterexample.after, -0.1)


def test_collusion():
    assert check_collusion_proof(RecursiveSplit(2000, 0.5), **QUICK).holds
    assert check_collusion_proof(FinderOnly(2000), **QUICK).holds
    # rules that pay less on long chains reward merging: shorter chains pay more
    for mech in (LengthDiscountedSplit(2000, 0.5), DirectReferral(100, 10, 6)):
        res = check_collusion_proof(mech, **QUICK)
        assert not res.holds
        cx = res.counterexample
        before = identity_payment(mech, cx.forest, cx.contributions, cx.nodes)
        merged = cx.manipulated_forest
        top = cx.nodes[-1]
        new_index = sorted(set(range(len(cx.forest))) - set(cx.nodes[:-1])).index(top)
        after = identity_payment(mech, merged, cx.manipulated_contributions, [new_index])
        assert np.isclose(before, cx.before) and np.isclose(after, cx.after) and after > before


def test_user_defined_forest_rule_works_with_every_checker():
    class ParentBonus(Mechanism):
        """Contributor gets C, its recruiter gets 0.5 C: a chain rule written over the forest."""

        budget = 1.5

        def forest_payments(self, forest, contributions):
            out = contributions.copy()
            has_parent = forest.parents >= 0
            np.add.at(out, forest.parents[has_parent], 0.5 * contributions[has_parent])
            return out

    mech = ParentBonus()
    assert mech.chain_payments(3).tolist() == [1.0, 0.5, 0.0]
    report = mechanism_report(mech, **QUICK)
    text = str(report)
    assert "ParentBonus" in text
    results = report.results[0]
    assert results["budget"].holds and not results["sybil-proof"].holds
    verify_sybil_counterexample(mech, results["sybil-proof"].counterexample)


def test_user_forests_are_checked_and_validated():
    res = check_budget(RecursiveSplit(1, 0.5), forests=[[-1, 0, 1, 2, 3, 4], ([-1, 0], [1.0, 1.0])], n_random=0)
    assert res.holds and res.exhaustive
    with pytest.raises(InvalidInputError):
        check_budget(RecursiveSplit(1, 0.5), forests=[[1, 0]])
    with pytest.raises(InvalidInputError):
        check_sybil_proof("not a mechanism")


def test_report_table_matches_the_literature():
    report = mechanism_report([FinderOnly(2000), RecursiveSplit(2000, 0.5)], **QUICK)
    rows = {repr(m): r for m, r in zip(report.mechanisms, report.results)}
    assert rows["FinderOnly(reward=2000.0)"]["sybil-proof"].holds
    assert not rows["RecursiveSplit(finder_reward=2000.0, ratio=0.5, max_depth=None)"]["sybil-proof"].holds
    assert "list-table" in report.table("rst")


forests = st.integers(1, 25).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 10**6), min_size=n, max_size=n),
        st.lists(st.floats(0, 5, allow_nan=False), min_size=n, max_size=n),
    )
)


@settings(max_examples=40)
@given(forests, st.sampled_from(ALL))
def test_no_mechanism_pays_more_than_its_budget_per_target(data, mech):
    raw, contributions = data
    # parents[v] < v or -1, from the raw draws: every forest shape can appear
    parents = np.array([-1 if v == 0 or r % (v + 1) == v else r % (v + 1) for v, r in enumerate(raw)])
    contributions = np.array(contributions)
    paid = mech.payments(parents, contributions)
    assert paid.sum() <= mech.budget * contributions.sum() * (1 + 1e-12) + 1e-9
    # per target: one finder at a time
    per_target = mech.payments(parents, np.eye(len(parents)))
    assert np.all(per_target.sum(axis=0) <= mech.budget * (1 + 1e-12))
    assert np.all(per_target >= 0)


def test_violation_only_on_long_chains_is_found_by_the_chain_phase():
    class LateLeak(Mechanism):
        """Finder-only, except that chains of eight or more also pay the recruiter."""

        budget = 2.0

        def chain_payments(self, length):
            out = np.zeros(length)
            if length:
                out[0] = 1.0
            if length >= 8:
                out[1] = 1.0
            return out

    res = check_sybil_proof(LateLeak(), n_random=0)
    assert not res.holds and res.counterexample.found_by == "chain"
    verify_sybil_counterexample(LateLeak(), res.counterexample)
    assert len(res.counterexample.manipulated_forest) >= 8


def test_forest_payments_with_wrong_shape_is_reported():
    class Broken(Mechanism):
        def forest_payments(self, forest, contributions):
            return contributions[:-1]

    with pytest.raises(InvalidInputError, match="shape"):
        Broken().payments([-1, 0], [1.0, 1.0])


def test_star_forest_with_many_recruits_is_sampled_not_enumerated():
    star = [-1] + [0] * 12  # 3^13 distributions of the recruits: sampled
    res = check_sybil_proof(FinderOnly(1.0), forests=[star], n_random=0, max_nodes=2, max_chain=4)
    assert res.holds and not res.exhaustive
    res = check_sybil_proof(RecursiveSplit(1.0, 0.5), forests=[star], n_random=0, max_nodes=1, max_chain=1)
    assert not res.holds


class FinderAndRoot(Mechanism):
    """Pays the finder and the top of its chain (a root) only."""

    budget = 1500.0

    def chain_payments(self, length):
        out = np.zeros(length)
        if length:
            out[0] += 1000.0
            out[length - 1] += 500.0
        return out


def test_sybil_and_collusion_proof_rules_pay_only_finder_and_root():
    # SP + CP for chain-additive rules force p_{L+2}[i+1] = 0 (theory page): the finder-and-root
    # rule satisfies both, and it gives nobody below the roots a reason to recruit
    mech = FinderAndRoot()
    assert check_sybil_proof(mech, **QUICK).holds
    assert check_collusion_proof(mech, **QUICK).holds
    incentives = check_contribution_incentive(mech, **QUICK)
    assert incentives.details["contribution"] and not incentives.details["solicitation"]
    # the length-discounted split obeys Pascal's rule: pairs gain nothing, triples gain
    lds = LengthDiscountedSplit(1000, 0.5)
    assert check_collusion_proof(lds, max_coalition=2, **QUICK).holds
    triple = check_collusion_proof(lds, max_coalition=3, **QUICK)
    assert not triple.holds and len(triple.counterexample.nodes) == 3
    for length in range(1, 12):
        assert np.allclose(lds.chain_payments(length),
                           lds.chain_payments(length + 1)[:-1] + lds.chain_payments(length + 1)[1:])


def split_node(parents, contributions, u, k, slot_of, own_slot):
    """Independent construction of a sybil split (for the hypothesis test below)."""
    parents = list(parents)
    n = len(parents)
    identities = [u] + [n + j for j in range(k - 1)]
    for j in range(1, k):
        parents.append(identities[j - 1])
    for child, slot in slot_of.items():
        parents[child] = identities[slot]
    contributions = list(contributions) + [0.0] * (k - 1)
    own = contributions[u]
    contributions[u] = 0.0
    contributions[identities[own_slot]] = own
    return parents, contributions, identities


@settings(max_examples=40)
@given(forests, st.integers(0, 10**6), st.integers(2, 4), st.lists(st.integers(0, 3), min_size=30, max_size=30),
       st.sampled_from([FinderOnly(2000), DirectReferral(100, 10, 6), LengthDiscountedSplit(2000, 0.5)]))
def test_sybil_proof_rules_never_gain_on_random_attacks(data, pick, k, slots, mech):
    raw, contributions = data
    parents = [-1 if v == 0 or r % (v + 1) == v else r % (v + 1) for v, r in enumerate(raw)]
    n = len(parents)
    u = pick % n
    children = [v for v in range(n) if parents[v] == u]
    slot_of = {c: slots[i] % k for i, c in enumerate(children)}
    own = slots[-1] % k
    before = mech.payments(parents, contributions)[u]
    new_parents, new_contributions, identities = split_node(parents, contributions, u, k, slot_of, own)
    assert np.isclose(sum(new_contributions), sum(contributions))
    after = mech.payments(new_parents, new_contributions)[identities].sum()
    assert after <= before + 1e-9 * max(1.0, before)
