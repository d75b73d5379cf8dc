"""Babaioff et al.'s (beta, H)-almost-uniform scheme against its definition and its sybil guarantees.

Reference: Babaioff, Dobzinski, Oren & Zohar, "On Bitcoin and red balloons", EC 2012
(arXiv:1111.2626). Every node of the chain except the authorizer receives beta, the authorizer at
level l (seed at level 1) receives 1 + (H - l + 1) beta, and the scheme distributes 1 + H beta.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incnet.errors import InvalidInputError
from incnet.mechanisms import (
    AlmostUniformScheme,
    FinderOnly,
    HybridScheme,
    Mechanism,
    as_forest,
    check_budget,
    check_individual_rationality,
    check_sybil_proof,
)


def paper_chain(beta, height, length, fee=1.0):
    """The scheme as the paper states it, position by position from the seed (level 1) down."""
    if length > height:
        return [0.0] * length
    by_level = [beta] * (length - 1) + [fee + (height - length + 1) * beta]
    return by_level[::-1]  # incnet's chain_payments start at the authorizer


def chain_walk(mech, parents, contributions):
    """Brute force: walk up from every contributor and pay its chain."""
    parents = np.asarray(parents)
    contributions = np.asarray(contributions, dtype=float)
    out = np.zeros_like(contributions)
    for v in range(len(parents)):
        chain = [v]
        while parents[chain[-1]] >= 0:
            chain.append(int(parents[chain[-1]]))
        pay = paper_chain(mech.beta, mech.height, len(chain), mech.fee)
        for k, u in enumerate(chain):
            out[u] += contributions[v] * pay[k]
    return out


def random_forest(n, rng, n_roots=2):
    parents = np.full(n, -1, dtype=np.int64)
    for v in range(n_roots, n):
        # a bias towards recent nodes makes chains deeper than the small horizons used here
        parents[v] = rng.integers(max(0, v - 3), v)
    perm = rng.permutation(n)
    inverse = np.argsort(perm)
    shuffled = np.where(parents[perm] >= 0, inverse[np.maximum(parents[perm], 0)], -1)
    return shuffled


def split_node(parents, contributions, u, k, slot_of, own_slot):
    """Independent construction of a sybil split: u -> u_1 -> ... -> u_{k-1}, appended at the end."""
    parents = list(parents)
    n = len(parents)
    identities = [u] + [n + j for j in range(k - 1)]
    for j in range(1, k):
        parents.append(identities[j - 1])
    for child, slot in slot_of.items():
        parents[child] = identities[slot]
    contributions = np.asarray(contributions, dtype=float)
    contributions = np.concatenate([contributions, np.zeros((k - 1,) + contributions.shape[1:])])
    own = contributions[u].copy()
    contributions[u] = 0.0
    contributions[identities[own_slot]] = own
    return np.array(parents), contributions, identities


def complete_tree(degree, height):
    """Parent array of a complete degree-ary tree with `height` levels (the root at level 1)."""
    parents = [-1]
    level = [0]
    for _ in range(height - 1):
        nxt = []
        for p in level:
            for _ in range(degree):
                parents.append(p)
                nxt.append(len(parents) - 1)
        level = nxt
    return np.array(parents)


# --------------------------------------------------------------------------- the definition


@pytest.mark.parametrize("beta, height, fee", [(0.25, 4, 1.0), (1.0, 5, 1.0), (0.1, 1, 1.0), (30.0, 6, 2000.0)])
def test_chain_payments_are_the_papers_definition(beta, height, fee):
    scheme = AlmostUniformScheme(beta, height, fee=fee)
    for length in range(0, height + 4):
        assert np.allclose(scheme.chain_payments(length), paper_chain(beta, height, length, fee))


@pytest.mark.parametrize("height", [1, 2, 5, 12])
def test_the_papers_two_variants_distribute_two_and_one_plus_h(height):
    # The paper: beta = 1/H distributes 2 in total; beta = 1 distributes 1 + H (section on the
    # almost-uniform scheme, arXiv:1111.2626).
    cheap = AlmostUniformScheme(1.0 / height, height)
    generous = AlmostUniformScheme(1.0, height)
    assert np.allclose(cheap.chain_totals(height), 2.0)
    assert np.allclose(generous.chain_totals(height), 1.0 + height)
    assert cheap.budget == pytest.approx(2.0)
    assert generous.budget == pytest.approx(1.0 + height)
    # chains lengthened past the horizon (only duplicates can do that) are not paid
    assert np.all(cheap.chain_payments(height + 1) == 0.0)


def test_forest_payments_match_the_chain_walk_and_the_generic_route():
    rng = np.random.default_rng(7)
    for trial in range(30):
        n = int(rng.integers(1, 40))
        parents = random_forest(n, rng)
        block = rng.integers(0, 3, size=(n, 3)).astype(float)
        scheme = AlmostUniformScheme(float(rng.uniform(0, 2)), int(rng.integers(1, 7)), fee=float(rng.uniform(0.5, 3)))
        fast = scheme.payments(parents, block)
        generic = Mechanism.forest_payments(scheme, as_forest(parents), block)
        for c in range(block.shape[1]):
            assert np.allclose(fast[:, c], chain_walk(scheme, parents, block[:, c]))
        assert np.allclose(fast, generic)


@settings(max_examples=40)
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 10**6), min_size=n, max_size=n),
    st.lists(st.floats(0, 5, allow_nan=False), min_size=n, max_size=n))),
    st.floats(0, 3, allow_nan=False), st.integers(1, 8))
def test_never_pays_more_than_its_budget_per_target(data, beta, height):
    raw, contributions = data
    parents = np.array([-1 if v == 0 or r % (v + 1) == v else r % (v + 1) for v, r in enumerate(raw)])
    scheme = AlmostUniformScheme(beta, height)
    per_target = scheme.payments(parents, np.eye(len(parents)))
    assert np.all(per_target >= 0)
    assert np.all(per_target.sum(axis=0) <= scheme.budget * (1 + 1e-12))
    # every target within the horizon is paid exactly the budget (1 + H beta)
    depth = as_forest(parents).depth
    assert np.allclose(per_target.sum(axis=0)[depth < height], scheme.budget)
    paid = scheme.payments(parents, np.array(contributions))
    assert paid.sum() <= scheme.budget * sum(contributions) * (1 + 1e-12) + 1e-9


def test_budget_and_individual_rationality_checkers_pass():
    scheme = AlmostUniformScheme(0.125, 8)
    assert check_budget(scheme, n_random=10).holds
    assert check_individual_rationality(scheme, n_random=10).holds


# --------------------------------------------------------------------------- sybil-proofness


def test_the_authorizer_never_gains_by_duplicating_on_chains():
    beta, height = 0.5, 9
    scheme = AlmostUniformScheme(beta, height)
    for length in range(1, 20):
        honest = scheme.chain_payments(length)[0]
        for m in range(1, 8):
            collected = scheme.chain_payments(length + m)[: m + 1].sum()
            assert collected <= honest + 1e-12
            if length + m <= height:
                # the authorizer's term is exactly what duplicating down the chain would collect
                assert collected == pytest.approx(honest)


def test_the_authorizer_never_gains_by_any_duplication_on_small_forests():
    # every forest with up to 5 nodes (parents[v] < v covers all shapes), every node as the sole
    # authorizer, split into 2 or 3 identities with its recruits and its authorization placed in
    # every way
    scheme = AlmostUniformScheme(0.75, 4)
    for n in range(1, 6):
        for parents in itertools.product(*[range(-1, v) for v in range(n)]):
            parents = np.array(parents)
            children = [[c for c in range(n) if parents[c] == u] for u in range(n)]
            for u in range(n):
                unit = np.zeros(n)
                unit[u] = 1.0
                before = scheme.payments(parents, unit)[u]
                for k in (2, 3):
                    for slots in itertools.product(range(k), repeat=len(children[u]) + 1):
                        slot_of = dict(zip(children[u], slots[1:]))
                        new_parents, new_unit, ids = split_node(parents, unit, u, k, slot_of, slots[0])
                        after = scheme.payments(new_parents, new_unit)[ids].sum()
                        assert after <= before + 1e-12


def test_the_checker_finds_the_intermediate_node_that_duplicates():
    beta = 0.125
    result = check_sybil_proof(AlmostUniformScheme(beta, 8), n_random=0)
    assert not result.holds
    ce = result.counterexample
    assert ce.gain == pytest.approx(beta)
    assert (ce.before, ce.after) == (pytest.approx(beta), pytest.approx(2 * beta))
    (attacker,) = ce.nodes
    assert ce.contributions[attacker] == 0.0  # not the authorizer: a node above it
    # recomputed independently from the counterexample's forests
    scheme = AlmostUniformScheme(beta, 8)
    honest = chain_walk(scheme, ce.forest, ce.contributions)[attacker]
    attacked = chain_walk(scheme, ce.manipulated_forest, ce.manipulated_contributions)
    identities = [attacker] + list(range(len(ce.forest), len(ce.manipulated_forest)))
    assert attacked[identities].sum() - honest == pytest.approx(ce.gain)


@pytest.mark.parametrize("degree, height", [(2, 3), (2, 4), (3, 3)])
@pytest.mark.parametrize("beta_of_height", [lambda h: 1.0 / h, lambda h: 1.0])
def test_no_duplication_pays_in_expectation_on_complete_trees(degree, height, beta_of_height):
    # The paper's setting: a complete d-ary tree of height H, the authorizer drawn uniformly among
    # the participants (duplicates add no computing power). For every node, every split into 2 or
    # 3 identities and every placement of its recruits and of its own authorization, the expected
    # payment of its identities never exceeds the honest one; it is strictly lower as soon as a
    # recruit hangs below the first identity (the deepest descendants fall past H).
    scheme = AlmostUniformScheme(beta_of_height(height), height)
    parents = complete_tree(degree, height)
    n = len(parents)
    winners = np.eye(n)  # column w: participant w authorizes
    honest = scheme.payments(parents, winners).mean(axis=1)
    for u in range(n):
        kids = [c for c in range(n) if parents[c] == u]
        for k in (2, 3):
            for slots in itertools.product(range(k), repeat=len(kids) + 1):
                slot_of = dict(zip(kids, slots[1:]))
                new_parents, new_winners, ids = split_node(parents, winners, u, k, slot_of, slots[0])
                expected = scheme.payments(new_parents, new_winners)[ids].sum(axis=0).mean()
                assert expected <= honest[u] + 1e-12
                if any(s > 0 for s in slots[1:]):
                    assert expected < honest[u] - 1e-12


def test_on_a_bare_chain_duplication_pays_even_in_expectation():
    # degree 1 (a chain) is outside the paper's d-ary trees: nothing lies deeper to lose
    scheme = AlmostUniformScheme(0.5, 6)
    parents = complete_tree(1, 4)
    winners = np.eye(4)
    honest = scheme.payments(parents, winners).mean(axis=1)
    new_parents, new_winners, ids = split_node(parents, winners, 1, 2, {2: 1}, 0)
    assert scheme.payments(new_parents, new_winners)[ids].sum(axis=0).mean() > honest[1]


# --------------------------------------------------------------------------- the hybrid scheme


def forest_of_trees(n_trees, degree, height):
    """n_trees complete degree-ary trees of the given height; returns parents and root indices."""
    tree = complete_tree(degree, height)
    parents, roots = [], []
    for _ in range(n_trees):
        offset = len(parents)
        roots.append(offset)
        parents.extend(p + offset if p >= 0 else -1 for p in tree)
    return np.array(parents), roots


def test_hybrid_pays_each_tree_by_its_seeds_scheme():
    rng = np.random.default_rng(11)
    base, boost = AlmostUniformScheme(0.2, 5), AlmostUniformScheme(1.0, 2, fee=1.5)
    for trial in range(20):
        n = int(rng.integers(1, 40))
        parents = random_forest(n, rng, n_roots=int(rng.integers(1, 4)))
        roots = np.flatnonzero(parents < 0)
        seeds = [int(r) for r in roots if rng.random() < 0.5] + [n + 3]  # a non-root index is ignored
        hybrid = HybridScheme(base, boost, seeds)
        contributions = rng.integers(0, 3, size=n).astype(float)
        paid = hybrid.payments(parents, contributions)
        by_base = chain_walk(base, parents, contributions)
        by_boost = chain_walk(boost, parents, contributions)
        for v in range(n):
            root = v
            while parents[root] >= 0:
                root = parents[root]
            assert paid[v] == pytest.approx(by_boost[v] if root in seeds else by_base[v])


@pytest.mark.parametrize("degree, height", [(3, 3), (3, 9), (4, 4)])
def test_hybrid_reproduces_the_papers_payment_bounds(degree, height):
    # The paper's hybrid theorem: t >= 15 seeds, 7 of them on the (1, 1 + log_d H) scheme, the
    # rest on the (1/H, H) scheme; expected total payment at most 3, worst case 2 + log_d H.
    t = 15
    parents, roots = forest_of_trees(t, degree, height)
    parents = as_forest(parents)  # validated once, reused by every call below
    hybrid = HybridScheme.for_trees(height, degree, roots[:7])
    worst = 2 + round(np.log(height) / np.log(degree))
    assert hybrid.budget == pytest.approx(worst)
    depth = parents.depth
    every = np.ones(parents.n)  # each participant authorizes once: totals / n = expectation
    paid = hybrid.payments(parents, every)
    assert paid.sum() / parents.n <= 3.0
    # the same with the authorizer drawn among the nodes a boosted tree actually pays for
    boosted_tree = np.repeat(np.arange(t) < 7, parents.n // t)
    reached = ~boosted_tree | (depth < hybrid.boost.height)
    assert hybrid.payments(parents, every * reached).sum() / reached.sum() <= 3.0
    # per authorizer: 2 in ordinary trees, 2 + log_d H near a boosted seed, never more
    def total_for(w):
        unit = np.zeros(parents.n)
        unit[w] = 1.0
        return hybrid.payments(parents, unit).sum()

    per_target = [total_for(w) for w in range(0, parents.n, max(1, parents.n // 60))]
    assert max(per_target) <= worst + 1e-12
    assert total_for(roots[0]) == pytest.approx(worst)
    assert total_for(roots[7]) == pytest.approx(2.0)


def test_hybrid_checkers():
    hybrid = HybridScheme.for_trees(4, 2, [0])
    assert check_budget(hybrid, n_random=10).holds
    assert check_individual_rationality(hybrid, n_random=10).holds
    # as for each of its parts, an intermediate node gains on a fixed forest
    assert not check_sybil_proof(hybrid, n_random=0).holds


@pytest.mark.parametrize("args", [(10, 3, [0]), (9, 1, [0]), (9, 3, [-2]), (9, 3, ["a"])])
def test_hybrid_bad_input_raises(args):
    with pytest.raises(InvalidInputError):
        HybridScheme.for_trees(*args)


def test_hybrid_needs_almost_uniform_parts():
    with pytest.raises(InvalidInputError):
        HybridScheme(FinderOnly(1.0), AlmostUniformScheme(1.0, 2), [0])


# --------------------------------------------------------------------------- input and docs


@pytest.mark.parametrize("kwargs", [dict(beta=-0.1, height=3), dict(beta=0.1, height=0),
                                    dict(beta=0.1, height=3, fee=0.0), dict(beta=float("nan"), height=3)])
def test_bad_parameters_raise(kwargs):
    with pytest.raises(InvalidInputError):
        AlmostUniformScheme(**kwargs)


def test_immutable_and_comparable():
    scheme = AlmostUniformScheme(0.25, 4)
    with pytest.raises(AttributeError):
        scheme.beta = 1.0
    assert scheme == AlmostUniformScheme(0.25, 4, fee=1.0)
    assert scheme != AlmostUniformScheme(0.25, 5)
    assert repr(scheme) == "AlmostUniformScheme(beta=0.25, height=4, fee=1.0)"
