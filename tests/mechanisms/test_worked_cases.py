"""The papers' worked cases, one test each.

Every case here is one that the project's source notes (``MECHANISMS.md``) tag [P] (read in the
paper's own text), [S] (a third party's summary) or [D] (derived from those by algebra); the
section of the notes is named in each test. Nothing tagged [R] (recollection) is used as an
oracle.
"""

import numpy as np
import pytest

from incnet.mechanisms import (
    AlmostUniformScheme,
    GeometricMLM,
    HybridScheme,
    RecursiveSplit,
    SplitContract,
    check_sybil_proof,
    query_incentive_equilibrium,
)

# ---------------------------------------------------------------- Cebrian et al. (STOC 2012), section 7


@pytest.mark.parametrize("length, paid, refund", [
    (1, [2000], 2000), (2, [2000, 1000], 1000), (3, [2000, 1000, 500], 500), (4, [2000, 1000, 500, 250], 250),
])
def test_split_contract_4000_half_pays_up_and_refunds(length, paid, refund):
    # [P] a recruit gives half of her own reward back to her recruiter; [D] with R = 4000, s = 1/2:
    # the k-th node up keeps R (1 - s) s^k and the asker gets R s^L back
    mit = SplitContract(4000, 0.5)
    assert mit.chain_payments(length).tolist() == paid
    assert mit.refund(length) == refund
    assert sum(paid) + refund == 4000


def test_split_contract_over_a_forest_hands_money_up_per_target():
    # the same contract on a forest: node 3 finds a target, node 4 (recruited by 3) another
    mit = SplitContract(4000, 0.5)
    paid = mit.payments([-1, 0, 1, 1, 3], np.eye(5)[:, [3, 4]])
    assert paid[:, 0].tolist() == [500.0, 1000.0, 0.0, 2000.0, 0.0]
    assert paid[:, 1].tolist() == [250.0, 500.0, 0.0, 1000.0, 2000.0]
    assert mit.refund(3) + paid[:, 0].sum() == 4000 and mit.refund(4) + paid[:, 1].sum() == 4000


def test_darpa_chain_totals_and_the_fake_identity_gain():
    # [D] (section 7): the 1/2-split with R = 4000 is the DARPA rule, so chains of 1..4 cost
    # R (1 - s^L) = 2000, 3000, 3500, 3750 (< 4000); section 9 / Babaioff et al. [S]: a finder
    # who poses as its own inviter collects 3000 instead of 2000
    darpa = RecursiveSplit(2000, 0.5)
    assert darpa.chain_totals(4).tolist() == [2000, 3000, 3500, 3750]
    np.testing.assert_array_equal(darpa.chain_totals(12), SplitContract(4000, 0.5).chain_totals(12))
    res = check_sybil_proof(darpa, n_random=0)
    cx = res.counterexample
    assert (cx.forest, cx.manipulated_forest, cx.before, cx.after) == ([-1], [-1, 0], 2000.0, 3000.0)


# ---------------------------------------------------------------- Emek et al. (EC 2011), section 2


def test_geometric_half_half_on_a_chain_and_a_star():
    # [D] a = b = 1/2: a chain of 3 with one unit at the bottom pays (0.5, 0.25, 0.125) from the
    # bottom up; parents [-1, 0, 0] with C = (2, 1, 1) pay (1.5, 0.5, 0.5)
    mlm = GeometricMLM(0.5, 0.5)
    assert mlm.payments([-1, 0, 1], [0.0, 0.0, 1.0]).tolist() == [0.125, 0.25, 0.5]
    assert mlm.payments([-1, 0, 0], [2.0, 1.0, 1.0]).tolist() == [1.5, 0.5, 0.5]


def test_geometric_sybil_gain_and_the_harm_to_the_recruiter():
    # [D] forest [-1, 0], C = (0, 1) pays (0.25, 0.5); the contributor posing as 1 -> 1' with the
    # unit under 1' collects 0.25 + 0.5 = 0.75 (gain a b C = 0.25) and its recruiter drops from
    # 0.25 to 0.125 (the ancestor harm of Drucker & Fleischer's [P] attack model)
    mlm = GeometricMLM(0.5, 0.5)
    honest = mlm.payments([-1, 0], [0.0, 1.0])
    assert honest.tolist() == [0.25, 0.5]
    attacked = mlm.payments([-1, 0, 1], [0.0, 0.0, 1.0])
    assert attacked[1] + attacked[2] == 0.75 and attacked[0] == 0.125
    res = check_sybil_proof(mlm, forests=[([-1, 0], [0.0, 1.0])], max_nodes=1, max_chain=1, n_random=0,
                            max_identities=2)
    assert res.worst_gain == pytest.approx(0.25)
    # [P] Drucker & Fleischer: the attack pays only when the extra reward exceeds the price of the
    # extra identity
    assert not check_sybil_proof(mlm, identity_cost=0.24, forests=[([-1, 0], [0.0, 1.0])], max_nodes=1,
                                 max_chain=1, n_random=0, max_identities=2).holds
    assert check_sybil_proof(mlm, identity_cost=0.25, forests=[([-1, 0], [0.0, 1.0])], max_nodes=1,
                             max_chain=1, n_random=0, max_identities=2).holds


# ---------------------------------------------------------------- Babaioff et al. (EC 2012), section 4


@pytest.mark.parametrize("beta, expected, total", [
    (0.25, [[2.0], [1.75, 0.25], [1.5, 0.25, 0.25], [1.25, 0.25, 0.25, 0.25]], 2.0),
    (1.0, [[5.0], [4.0, 1.0], [3.0, 1.0, 1.0], [2.0, 1.0, 1.0, 1.0]], 5.0),
])
def test_almost_uniform_h4(beta, expected, total):
    # [D] from the [S] definition: H = 4, beta = 1/4 totals 2 = 1 + H beta; beta = 1 totals H + 1
    scheme = AlmostUniformScheme(beta, 4)
    for length, paid in enumerate(expected, start=1):
        assert scheme.chain_payments(length).tolist() == paid
        assert sum(paid) == total
    assert scheme.budget == total


@pytest.mark.parametrize("beta", [0.25, 1.0])
def test_almost_uniform_authorizer_cloning_gains_nothing(beta):
    # [D] an authorizer at level l cloning itself m times (l + m <= H) collects
    # m beta + 1 + (H - l - m + 1) beta = 1 + (H - l + 1) beta: equality
    scheme = AlmostUniformScheme(beta, 4)
    for level in range(1, 5):
        alone = scheme.chain_payments(level)[0]
        for m in range(0, 4 - level + 1):
            cloned = scheme.chain_payments(level + m)[: m + 1].sum()
            assert cloned == pytest.approx(alone)


def _complete_trees(n_trees, degree, height):
    """Parent array of n_trees complete degree-ary trees with `height` levels (roots first)."""
    parents = []
    for _ in range(n_trees):
        start = len(parents)
        parents.append(-1)
        level = [start]
        for _ in range(height - 1):
            nxt = []
            for p in level:
                for _ in range(degree):
                    nxt.append(len(parents))
                    parents.append(p)
            level = nxt
    return np.array(parents, dtype=np.int64)


def test_hybrid_h9_d3_worst_case_and_informed_fraction():
    # [D] H = 9, d = 3: the boost scheme is (1, 1 + log_3 9) = (1, 3), its worst case
    # 4 = 2 + log_3 9; with t = 15 seeds, 7 of them boosted, at least (t - 7)/t = 8/15 of the
    # network lies where chains are paid
    hybrid = HybridScheme.for_trees(height=9, degree=3, boost_seeds=[])
    assert hybrid.boost == AlmostUniformScheme(1.0, 3) and hybrid.boost.budget == 4.0 == 2 + 2
    parents = _complete_trees(15, 3, 9)
    roots = np.flatnonzero(parents < 0)
    hybrid = HybridScheme.for_trees(height=9, degree=3, boost_seeds=roots[:7])
    paid = hybrid.payments(parents, np.ones(parents.size))
    informed = float(np.mean(paid > 0))
    assert informed >= 8 / 15
    per_tree = (3**9 - 1) // 2
    assert informed == pytest.approx((8 * per_tree + 7 * (1 + 3 + 9)) / (15 * per_tree))
    # one target per tree: at depth 2 of a boosted tree (a chain of 3, the boost horizon), at the
    # bottom of an ordinary one (a chain of 9)
    finders = [t * per_tree + 4 for t in range(7)] + [(t + 1) * per_tree - 1 for t in range(7, 15)]
    block = np.zeros((parents.size, len(finders)))
    block[finders, np.arange(len(finders))] = 1.0
    totals = hybrid.payments(parents, block).sum(axis=0)
    np.testing.assert_allclose(totals, [4.0] * 7 + [2.0] * 8)


# ---------------------------------------------------------------- Kleinberg & Raghavan, section 8


def test_binary_tree_n10_offers_and_success_floor_reading():
    # [D] psi(s) = s^2, n = 10, effort as a floor (c = 0): f(2..8) = 1, 2, 2, 3, 3, 3, 3 and
    # S(r) = 1 - psi(phi_r) for r = 0..5 = 0, 0.19, 0.468559, 0.771232, 0.771232, 0.957609 with
    # phi = 1, .9, .729, .4782969, .4782969, .2058911
    res = query_incentive_equilibrium([0.0, 0.0, 1.0], 10, 0.99, method="scan")
    assert res.offers[2:9].tolist() == [1, 2, 2, 3, 3, 3, 3]
    np.testing.assert_allclose(res.offer_success[:6], [0, 0.19, 0.468559, 0.771232, 0.771232, 0.957609],
                               atol=5e-7)
    np.testing.assert_allclose(res.failure[:6], [1, 0.9, 0.729, 0.4782969, 0.4782969, 0.2058911], atol=5e-8)
    assert res.effort == "floor"


def test_binary_tree_n10_offers_cost_reading():
    # [D] the same tree with the unit of effort deducted from the payoff (c = 1):
    # f(2..8) = 1, 1, 2, 2, 2, 2, 2
    for method in ("scan", "envelope"):
        res = query_incentive_equilibrium([0.0, 0.0, 1.0], 10, 0.99, effort="cost", method=method)
        assert res.offers[2:9].tolist() == [1, 1, 2, 2, 2, 2, 2]
