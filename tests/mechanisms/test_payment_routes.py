"""Every payment route (walk up from the contributors, or sweep over all nodes) against brute force.

The payments of a forest are computed by whichever of two traversals is cheaper: walking up from
the contributors (one finder per target) or sweeping every node in a parents-first order (multi-level
marketing). Both routes, on index-sorted and on shuffled labels, must agree with an independent
per-node walk that applies ``chain_payments`` of each contributor's chain length, and no rule may
pay more than its budget per unit contributed.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import incnet.mechanisms.referral as referral
from incnet.mechanisms import (
    AlmostUniformScheme,
    DirectReferral,
    FinderOnly,
    FixedSchedule,
    GeometricMLM,
    LengthDiscountedSplit,
    Mechanism,
    RecursiveSplit,
    SplitContract,
    TopDownSplit,
    as_forest,
)

RULES = [
    FinderOnly(7.0),
    RecursiveSplit(2000, 0.5),
    RecursiveSplit(10, 0.3, max_depth=3),
    FixedSchedule([100.0, 50.0, 25.0, 10.0, 5.0]),
    FixedSchedule([0.0, 4.0, 0.0]),
    GeometricMLM(0.3, 0.6),
    GeometricMLM(0.3, 0.6, max_depth=2),
    SplitContract(90, 0.2),
    TopDownSplit(4000, 0.5),
    TopDownSplit(10, 0.9),
    LengthDiscountedSplit(2000, 0.5),
    DirectReferral(3.0, 1.0, 4),
    AlmostUniformScheme(0.2, 4),
]


def per_node_walk(mech, parents, contributions):
    """For every node u, sum over the contributors v below it (u included) of C(v) p_L[d(v) - d(u)].

    Independent of the library's traversals: it climbs from each contributor to its root by
    following the parent array in Python and asks the rule for the chain of that length.
    """
    parents = np.asarray(parents, dtype=np.int64)
    contributions = np.asarray(contributions, dtype=np.float64).reshape(len(parents), -1)
    out = np.zeros(contributions.shape)
    for v in range(len(parents)):
        if not np.any(contributions[v]):
            continue
        chain = [v]
        while parents[chain[-1]] >= 0:
            chain.append(int(parents[chain[-1]]))
        pay = np.asarray(mech.chain_payments(len(chain)))
        for level, u in enumerate(chain):
            out[u] += pay[level] * contributions[v]
    return out


@st.composite
def forests(draw, max_nodes=40):
    n = draw(st.integers(1, max_nodes))
    n_roots = draw(st.integers(1, n))
    parents = [-1] * n_roots + [draw(st.integers(0, v - 1)) for v in range(n_roots, n)]
    parents = np.array(parents, dtype=np.int64)
    if draw(st.booleans()):  # shuffled labels: recruiters need not come first
        perm = np.array(draw(st.permutations(range(n))), dtype=np.int64)
        relabelled = np.full(n, -1, dtype=np.int64)
        relabelled[perm] = np.where(parents >= 0, perm[np.maximum(parents, 0)], -1)
        parents = relabelled
    return parents


@st.composite
def scenarios(draw):
    parents = draw(forests())
    n = parents.size
    k = draw(st.integers(1, 3))
    density = draw(st.sampled_from([0.0, 0.05, 0.3, 1.0]))
    values = draw(st.lists(st.floats(0.0, 5.0), min_size=n * k, max_size=n * k))
    keep = draw(st.lists(st.floats(0.0, 1.0), min_size=n * k, max_size=n * k))
    block = np.where(np.array(keep) < density, np.array(values), 0.0).reshape(n, k)
    return parents, block


@pytest.fixture(params=["walk", "sweep"])
def route(request, monkeypatch):
    # the cost model picks a route per call; pin it to test both on the same inputs
    monkeypatch.setattr(referral, "WALK_COST", 0.0 if request.param == "walk" else 1e12)
    return request.param


@pytest.mark.parametrize("mech", RULES, ids=repr)
@given(case=scenarios())
def test_every_route_matches_the_per_node_walk_and_the_budget(mech, case):
    parents, block = case
    for cost in (0.0, 1e12):  # walk, sweep (hypothesis and function-scoped fixtures do not mix)
        saved = referral.WALK_COST
        referral.WALK_COST = cost
        try:
            got = mech.payments(parents, block)
        finally:
            referral.WALK_COST = saved
        want = per_node_walk(mech, parents, block)
        scale = max(1.0, float(np.abs(want).max(initial=0.0)))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * scale)
        totals, allowed = got.sum(axis=0), mech.budget * block.sum(axis=0)
        assert np.all(totals <= allowed + 1e-9 * np.maximum(1.0, allowed))
        assert np.all(got >= 0.0)


@pytest.mark.parametrize("mech", [m for m in RULES if m.budget < np.inf], ids=repr)
@pytest.mark.parametrize("labels", ["sorted", "shuffled"])
def test_routes_agree_on_a_larger_forest(mech, labels, route, rng):
    n = 3000
    parents = np.floor(rng.random(n) * np.arange(n)).astype(np.int64)
    parents[:5] = -1
    if labels == "shuffled":
        perm = rng.permutation(n)
        shuffled = np.full(n, -1, dtype=np.int64)
        shuffled[perm] = np.where(parents >= 0, perm[np.maximum(parents, 0)], -1)
        parents = shuffled
    forest = as_forest(parents)
    assert forest.identity_order == (labels == "sorted")
    finders = np.zeros((n, 2))
    finders[rng.integers(0, n, size=30), 0] = 1.0
    finders[:, 1] = rng.random(n)
    got = mech.payments(forest, finders)
    np.testing.assert_allclose(got, per_node_walk(mech, parents, finders), rtol=1e-10, atol=1e-9)


def test_forest_caches_what_payments_reuse():
    forest = as_forest([3, -1, 1, 1, 2])
    assert forest.max_depth == 2 and not forest.identity_order
    assert forest.depth.tolist() == [2, 0, 1, 1, 2]
    assert as_forest(forest) is forest
    ordered = as_forest([-1, 0, 0, 1])
    assert ordered.identity_order and ordered.max_depth == 2
    assert ordered.order.tolist() == [0, 1, 2, 3]
    # breadth-first labels in a different array are still recognised as index order
    assert as_forest(np.array([-1, -1, 0, 1, 2])).identity_order
    empty = as_forest([])
    assert empty.max_depth == -1 and empty.n == 0
    assert as_forest([-1, -1]).max_depth == 0


def test_contributions_stay_untouched_and_results_are_private():
    parents = np.array([-1, 0, 1, 1])
    contributions = np.array([0.0, 1.0, 2.0, 0.0])
    before = contributions.copy()
    for mech in RULES:
        paid = mech.payments(parents, contributions)
        assert paid.flags.writeable and not np.shares_memory(paid, contributions)
        paid[:] = -1.0
    np.testing.assert_array_equal(contributions, before)

    class Mutating(Mechanism):
        def forest_payments(self, forest, contributions):
            contributions[0] = 99.0  # a hook may not write into the caller's data
            return contributions

    with pytest.raises(ValueError, match="read-only"):
        Mutating().payments(parents, contributions)
    np.testing.assert_array_equal(contributions, before)

    class Echo(Mechanism):
        budget = 1.0

        def forest_payments(self, forest, contributions):
            return contributions  # returned as is: the caller still gets its own copy

    echoed = Echo().payments(parents, contributions)
    assert echoed.flags.writeable and not np.shares_memory(echoed, contributions)


def test_non_contiguous_and_integer_contributions():
    parents = [-1, 0, 1, 1]
    wide = np.arange(8.0).reshape(4, 2)
    mech = RecursiveSplit(2.0, 0.5)
    np.testing.assert_allclose(mech.payments(parents, wide[:, 1]), mech.payments(parents, [1.0, 3.0, 5.0, 7.0]))
    np.testing.assert_allclose(mech.payments(parents, np.asfortranarray(wide)), mech.payments(parents, wide))
    np.testing.assert_allclose(mech.payments(parents, [0, 1, 0, 2]), mech.payments(parents, [0.0, 1.0, 0.0, 2.0]))
    with pytest.raises(ValueError, match="NaN"):
        mech.payments(parents, np.array([0.0, np.nan, 0.0, 0.0]))
    with pytest.raises(ValueError, match=">= 0"):
        mech.payments(parents, np.array([0.0, -1.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="NaN or inf"):
        mech.payments(parents, np.array([[0.0, np.inf]] * 4))


@pytest.mark.parametrize("mech", [RecursiveSplit(1e300, 0.5), FixedSchedule([1e300, 1e300]), TopDownSplit(1e300, 0.5),
                                  LengthDiscountedSplit(1e300, 0.5)], ids=repr)
def test_payments_that_overflow_are_refused(mech):
    parents = [-1, 0, 1]
    # one contributor of 1e10: every payment is finite when the budget bound is, and refused when not
    assert np.all(np.isfinite(mech.payments(parents, [0.0, 0.0, 1.0])))
    with pytest.raises(ValueError, match="overflow"):
        mech.payments(parents, [0.0, 1e10, 1e10])


def test_negative_zero_contributions_count_as_zero():
    parents = [-1, 0, 1]
    mech = RecursiveSplit(2.0, 0.5)
    np.testing.assert_array_equal(mech.payments(parents, np.array([-0.0, 0.0, 1.0])),
                                  mech.payments(parents, np.array([0.0, 0.0, 1.0])))


@pytest.mark.parametrize("mech", [TopDownSplit(4000, 0.5), TopDownSplit(7.0, 0.3)], ids=repr)
def test_vectorised_chain_table_is_chain_payments_bit_for_bit(mech):
    lengths = np.array([1, 2, 5, 9, 40], dtype=np.int64)
    table_ptr = np.concatenate([[0], np.cumsum(lengths)])
    table = mech._chain_table(lengths, table_ptr)
    for row, length in enumerate(lengths):
        np.testing.assert_array_equal(table[table_ptr[row]:table_ptr[row + 1]], mech.chain_payments(int(length)))


def test_a_subclass_with_its_own_chains_is_paid_by_them(rng):
    class Halved(TopDownSplit):
        def chain_payments(self, length):
            return 0.5 * super().chain_payments(length)

    mech = Halved(4000, 0.5)
    parents = np.floor(rng.random(300) * np.arange(300)).astype(np.int64)
    parents[0] = -1
    for contributions in (rng.random(300), np.eye(300)[299]):  # the dense and the sparse route
        np.testing.assert_allclose(mech.payments(parents, contributions),
                                   0.5 * TopDownSplit(4000, 0.5).payments(parents, contributions), rtol=1e-12)


def test_a_forest_built_from_its_arrays_knows_its_depth():
    from incnet.mechanisms import ReferralForest

    full = as_forest([3, -1, 1, 1, 2])
    rebuilt = ReferralForest(full.parents, full.order, full.depth, full.bfs_parents)
    assert rebuilt.max_depth == 2 and not rebuilt.identity_order
    np.testing.assert_allclose(TopDownSplit(8, 0.5).payments(rebuilt, [1.0, 0, 0, 0, 1.0]),
                               TopDownSplit(8, 0.5).payments(full, [1.0, 0, 0, 0, 1.0]))
