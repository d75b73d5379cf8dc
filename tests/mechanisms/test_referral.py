"""Payments of the classic referral rules, checked against brute-force chain walks."""

import numpy as np
import pytest

from incnet.errors import InvalidInputError
from incnet.mechanisms import (
    FinderOnly,
    FixedSchedule,
    GeometricMLM,
    Mechanism,
    RecursiveSplit,
    SplitContract,
    TopDownSplit,
    as_forest,
)


def brute_payments(mech, parents, contributions):
    """Walk up from every contributor and apply chain_payments of its chain length."""
    parents = np.asarray(parents)
    n = len(parents)
    out = np.zeros(n)
    for v in range(n):
        if contributions[v] == 0:
            continue
        chain = [v]
        while parents[chain[-1]] >= 0:
            chain.append(int(parents[chain[-1]]))
        pay = mech.chain_payments(len(chain))
        for k, u in enumerate(chain):
            out[u] += contributions[v] * pay[k]
    return out


def random_forest(n, rng, n_roots=3):
    parents = np.full(n, -1, dtype=np.int64)
    for v in range(n_roots, n):
        parents[v] = rng.integers(0, v)
    perm = rng.permutation(n)  # labels need not be topologically sorted
    inverse = np.argsort(perm)
    relabelled = np.full(n, -1, dtype=np.int64)
    for v in range(n):
        p = parents[v]
        relabelled[inverse[v]] = -1 if p < 0 else inverse[p]
    return relabelled


MECHANISMS = [
    FinderOnly(2000),
    RecursiveSplit(2000, 0.5),
    RecursiveSplit(10, 0.3, max_depth=3),
    FixedSchedule([5, 3, 1]),
    GeometricMLM(0.3, 0.6),
    GeometricMLM(0.3, 0.6, max_depth=2),
    SplitContract(4000, 0.5),
    SplitContract(90, 0.2),
    TopDownSplit(4000, 0.5),
]


def test_darpa_chain_payments_and_totals():
    darpa = RecursiveSplit(2000, 0.5)
    assert darpa.budget == 4000
    assert darpa.chain_payments(4).tolist() == [2000, 1000, 500, 250]
    totals = darpa.chain_totals(30)
    # Pickard et al. (2011): 2000, 3000, 3500, ... always below 4000
    assert totals[:4].tolist() == [2000, 3000, 3500, 3750]
    assert np.all(totals < 4000) and np.all(np.diff(totals) > 0)
    assert darpa.chain_payments(0).shape == (0,)


@pytest.mark.parametrize("mech", MECHANISMS, ids=repr)
def test_forest_payments_match_chain_walks(mech, rng):
    for n in (1, 2, 7, 60):
        parents = random_forest(n, rng, n_roots=min(3, n))
        contributions = rng.integers(0, 3, size=n).astype(float)
        got = mech.payments(parents, contributions)
        np.testing.assert_allclose(got, brute_payments(mech, parents, contributions), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("mech", MECHANISMS, ids=repr)
def test_block_contributions_are_independent_columns(mech, rng):
    parents = random_forest(40, rng)
    block = rng.random((40, 3))
    got = mech.payments(parents, block)
    for c in range(3):
        np.testing.assert_allclose(got[:, c], mech.payments(parents, block[:, c]), rtol=1e-12)


def test_top_down_split_pays_exactly_the_root_reward():
    sc = TopDownSplit(4000, 0.25)
    for length in range(1, 12):
        assert np.isclose(sc.chain_payments(length).sum(), 4000)
    assert sc.chain_payments(3).tolist() == [250.0, 750.0, 3000.0]


def test_split_contract_money_flows_up_from_the_holder():
    # each participant hands the fraction s of what she received to her recruiter, and the asker
    # gets what leaves the top of the chain: walk the money up by hand
    sc = SplitContract(90, 0.2)
    for length in range(0, 9):
        received, kept = 90.0, []
        for _ in range(length):
            kept.append(received * (1 - 0.2))
            received *= 0.2
        np.testing.assert_allclose(sc.chain_payments(length), kept, rtol=1e-12)
        assert np.isclose(sc.refund(length), received)
        assert np.isclose(sc.chain_payments(length).sum() + sc.refund(length), 90.0)
    assert sc.budget == 90.0


def test_geometric_mlm_recursion():
    # R(u) = a C(u) + b * sum over children R(c)
    mlm = GeometricMLM(0.5, 0.5)
    assert mlm.payments([-1, 0, 0], [2.0, 1.0, 1.0]).tolist() == [1.5, 0.5, 0.5]
    assert mlm.budget == 1.0


def test_user_defined_mechanism_by_either_hook():
    class Half(Mechanism):
        budget = 1.5

        def chain_payments(self, length):
            return np.array([1.0, 0.5][:length] + [0.0] * max(0, length - 2))

    class Mirror(Mechanism):
        budget = 1.0

        def forest_payments(self, forest, contributions):
            return contributions.copy()

    assert Half().payments([-1, 0, 1], [0, 0, 1]).tolist() == [0.0, 0.5, 1.0]
    assert Mirror().chain_payments(3).tolist() == [1.0, 0.0, 0.0]
    with pytest.raises(TypeError, match="chain_payments"):
        class Nothing(Mechanism):
            pass


@pytest.mark.parametrize(
    "parents, match",
    [([1, 0], "cycle"), ([0], "cycle"), ([-1, 5], "out of range"), ([-1, -2], "out of range"),
     ([-1, 2, 3, 1], "cycle"), ([[0]], "one-dimensional"), ([-1, 0.5], "integer")],
)
def test_bad_parent_arrays(parents, match):
    with pytest.raises(InvalidInputError, match=match):
        RecursiveSplit(2000, 0.5).payments(parents, np.zeros(np.size(parents)))
    with pytest.raises(InvalidInputError, match=match):
        as_forest(parents)


@pytest.mark.parametrize(
    "make", [lambda: FinderOnly(-1), lambda: RecursiveSplit(-5, 0.5), lambda: RecursiveSplit(1, 0),
             lambda: RecursiveSplit(1, 1.0), lambda: RecursiveSplit(1, float("nan")),
             lambda: GeometricMLM(1, 1.5), lambda: FixedSchedule([1, -1]), lambda: FixedSchedule([]),
             lambda: SplitContract(-1, 0.5), lambda: SplitContract(1, 1.0), lambda: TopDownSplit(1, 0.0),
             lambda: RecursiveSplit(1, 0.5, max_depth=0), lambda: GeometricMLM.for_fraction(0.0, 0.5),
             lambda: GeometricMLM.for_fraction(1.5, 0.5)],
)
def test_bad_parameters(make):
    with pytest.raises(InvalidInputError):
        make()


def test_bad_contributions():
    with pytest.raises(InvalidInputError, match="rows"):
        FinderOnly(1).payments([-1, 0], [1.0])
    with pytest.raises(InvalidInputError, match=">= 0"):
        FinderOnly(1).payments([-1, 0], [1.0, -1.0])


def test_mechanisms_are_immutable_and_inputs_untouched():
    mech = RecursiveSplit(2000, 0.5)
    with pytest.raises(AttributeError):
        mech.ratio = 0.9
    parents = np.array([-1, 0, 1])
    contributions = np.array([0.0, 0.0, 1.0])
    mech.payments(parents, contributions)
    assert parents.tolist() == [-1, 0, 1] and contributions.tolist() == [0, 0, 1]
    assert mech == RecursiveSplit(2000, 0.5) and hash(mech) == hash(RecursiveSplit(2000, 0.5))


@pytest.mark.parametrize("mech", [RecursiveSplit(3.0, 0.7), GeometricMLM(0.2, 0.9), FixedSchedule([5, 3, 1, 0.5]),
                                  RecursiveSplit(3.0, 0.7, max_depth=6)], ids=repr)
@pytest.mark.parametrize("sorted_labels", [True, False])
def test_sparse_and_dense_paths_agree(mech, sorted_labels, rng):
    # few contributors take the walk-up path, many take the level passes / one-pass recursion;
    # index-sorted labels skip the breadth-first relabelling
    parents = random_forest(3000, rng)
    if sorted_labels:
        parents = np.array([-1, -1, -1] + [int(rng.integers(0, v)) for v in range(3, 3000)])
    sparse = np.zeros(3000)
    sparse[rng.integers(0, 3000, size=5)] = 1.0
    dense = rng.random(3000)
    for contributions in (sparse, dense):
        np.testing.assert_allclose(mech.payments(parents, contributions),
                                   brute_payments(mech, parents, contributions), rtol=1e-10)
    assert np.allclose(mech.payments(parents, np.column_stack([sparse, dense]))[:, 0],
                       mech.payments(parents, sparse))


@pytest.mark.parametrize("mech", MECHANISMS, ids=repr)
def test_edge_cases_empty_forest_lone_root_no_columns(mech):
    assert mech.payments([], []).shape == (0,)
    assert mech.payments([-1], [1.0])[0] == mech.chain_payments(1)[0]
    assert mech.payments([-1, 0], np.zeros((2, 0))).shape == (2, 0)
    assert mech.chain_payments(0).shape == (0,)


@pytest.mark.parametrize("mech", MECHANISMS, ids=repr)
def test_mechanisms_pickle_and_copy(mech):
    import copy
    import pickle

    for clone in (pickle.loads(pickle.dumps(mech)), copy.deepcopy(mech)):
        assert clone == mech
        np.testing.assert_array_equal(clone.chain_payments(5), mech.chain_payments(5))
