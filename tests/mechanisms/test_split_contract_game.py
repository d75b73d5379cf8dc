"""The strategic split-contract game: a plain-Python backward induction, a Monte Carlo play of the
equilibrium, and the linear-versus-exponential investment of Cebrian et al. (STOC 2012)."""

import math

import numpy as np
import pytest
import scipy.stats

from incnet.branching import as_offspring
from incnet.errors import ConvergenceError, InvalidInputError
from incnet.mechanisms import query_incentive_equilibrium, split_contract_equilibrium, success_supremum


def caps_of(reward, resolution):
    """cap[a]: the largest J a node given split exp(-a/K) forwards ((1 - s) R e^{-J/K} >= 1)."""
    top = int(math.floor(resolution * math.log(reward) + 1e-9))
    caps = {}
    for a in range(1, top + 1):
        kept = (1 - math.exp(-a / resolution)) * reward
        caps[a] = min(top, math.floor(resolution * math.log(kept) + 1e-9)) if kept >= 1 else -1
    return top, caps


def reference_game(pmf, n, reward, resolution, effort=0):
    """The game solved from its definition, by recursion on a node's state, in plain Python.

    A node in state (a, bound) was given split index a and can forward reward indices up to
    ``bound`` (so that it and everybody above it keeps a unit). ``outcome(a, bound)`` returns the
    distribution {J: probability} of the index it forwards and the split index it demands (its
    best response; ties to the smallest). The best of k recruits is computed by enumerating k
    with the offspring pmf. Returns the asker's best success, its split index, the solved states
    {(a, bound): (distribution, best response)} and the caps.
    """
    top, caps = caps_of(reward, resolution)
    h = 1.0 / n
    memo = {}

    def candidate(b, bound):
        # J distribution of a node with this bound that demands split index b from its recruits
        out = {0: h}
        child_bound = min(caps[b], bound - b)
        if child_bound < 0:
            return out
        child = outcome(b, child_bound)[0]
        below, none_prev = 0.0, 1.0
        for j in sorted(child):
            below += child[j]
            none = sum(pk * (1 - below) ** k for k, pk in enumerate(pmf))  # no recruit forwards <= j
            out[b + j] = (1 - h) * (none_prev - none)
            none_prev = none
        return out

    def outcome(a, bound):
        if (a, bound) not in memo:
            if bound < 0:
                memo[(a, bound)] = ({}, 0)
            else:
                kept = (1 - math.exp(-a / resolution)) * reward
                best, best_b, best_dist = -math.inf, 0, {0: h}
                for b in range(1, bound + 1):
                    dist = candidate(b, bound)
                    value = sum((kept * math.exp(-j / resolution) - effort) * p for j, p in dist.items())
                    if value > best:
                        best, best_b, best_dist = value, b, dist
                memo[(a, bound)] = (best_dist, best_b)
        return memo[(a, bound)]

    success, split = 0.0, 0
    for b in range(1, top + 1):
        if caps[b] < 0:
            continue
        p_deliver = sum(outcome(b, caps[b])[0].values())
        got = 1 - sum(pk * (1 - p_deliver) ** k for k, pk in enumerate(pmf))
        if got > success:
            success, split = got, b
    return success, split, memo, caps


@pytest.mark.parametrize("pmf, n", [([0.2, 0.3, 0.5], 40.0), ([0.1, 0.4, 0.3, 0.2], 80.0)])
@pytest.mark.parametrize("effort", ["floor", "cost"])
def test_backward_induction_matches_a_plain_recursion(pmf, n, effort):
    resolution = 5
    cost = 1 if effort == "cost" else 0
    sup = success_supremum(as_offspring(pmf), n)
    for target in (0.3 * sup, 0.6 * sup):
        res = split_contract_equilibrium(pmf, n, target, resolution=resolution, effort=effort, max_reward=60)
        assert res.reward >= 6
        success, split, memo, caps = reference_game(pmf, n, res.reward, resolution, effort=cost)
        assert res.success == pytest.approx(success, rel=1e-9)
        assert res.split == pytest.approx(math.exp(-split / resolution))
        # the chain of splits on the equilibrium path
        chain, state, bound = [split], split, caps[split]
        while bound >= 1 and memo[(state, bound)][1]:
            nxt = memo[(state, bound)][1]
            chain.append(nxt)
            state, bound = nxt, min(caps[nxt], bound - nxt)
        np.testing.assert_allclose(res.splits, np.exp(-np.array(chain) / resolution), rtol=1e-12)
        # the bounty before fails, as the reference says too
        if res.reward - 1 >= max(res.lower_bound, 2):
            before = reference_game(pmf, n, res.reward - 1, resolution, effort=cost)[0]
            assert before == pytest.approx(res.success_curve[-2], rel=1e-9) and before < target


def play(pmf, n, reward, resolution, root_split, rng, n_trees, effort=0):
    """Monte Carlo: grow Galton-Watson trees lazily; every node best-responds by brute force.

    Each node's choice comes from the plain reference (its state's best response); the answer's
    journey up is simulated: a node forwards the best index among its recruits' if it (and so
    everybody above it) keeps a unit. Returns the success rate and the refund of every tree.
    """
    _, _, memo, caps = reference_game(pmf, n, reward, resolution, effort=effort)
    pmf = np.asarray(pmf) / np.sum(pmf)
    h = 1.0 / n

    def forwarded(a, bound):
        if bound < 0:
            return None
        if rng.random() < h:
            return 0
        b = memo.get((a, bound), ({}, 0))[1]
        if b == 0:
            return None
        child_bound = min(caps[b], bound - b)
        best = None
        for _ in range(rng.choice(pmf.size, p=pmf)):
            j = forwarded(b, child_bound)
            if j is not None and (best is None or j < best):
                best = j
        return None if best is None else b + best

    wins, refunds = 0, np.zeros(n_trees)
    for t in range(n_trees):
        best = None
        for _ in range(rng.choice(pmf.size, p=pmf)):
            j = forwarded(root_split, caps[root_split])
            if j is not None and (best is None or j < best):
                best = j
        if best is not None:
            wins += 1
            # the asker receives s_root times what its recruit received
            refunds[t] = reward * math.exp(-(root_split + best) / resolution)
    return wins / n_trees, refunds


def test_equilibrium_success_matches_monte_carlo_play():
    pmf = as_offspring(scipy.stats.poisson(1.5)).pmf
    resolution = 6
    res = split_contract_equilibrium(pmf, 20, 0.35, resolution=resolution)
    root = round(-resolution * math.log(res.split))
    rng = np.random.default_rng(13)
    trials = 4000
    got, refunds = play(pmf, 20, res.reward, resolution, root, rng, trials)
    se = math.sqrt(res.success * (1 - res.success) / trials)
    assert abs(got - res.success) < 4 * se
    assert abs(refunds.mean() - res.refund) < 4 * refunds.std() / math.sqrt(trials)


def test_investment_is_linear_for_split_contracts_and_exponential_for_fixed_ones():
    # Cebrian et al. (2012) [P]: with strategic splits an investment linear in the expected
    # distance to the nearest answer (about ln n / ln b levels) suffices for every b > 1; fixed
    # contracts need one exponential in it for 1 < b < 2 (Kleinberg & Raghavan 2005)
    for law in (scipy.stats.poisson(1.5), scipy.stats.binom(3, 0.5)):
        ns = [1e2, 1e3, 1e4, 1e5]
        split = [split_contract_equilibrium(law, n, 0.3).reward for n in ns]
        bench = [query_incentive_equilibrium(law, n, 0.3, contract="full_propagation").reward for n in ns]
        fixed = [query_incentive_equilibrium(law, n, 0.3).reward for n in ns[:3]]
        depth_per_decade = math.log(10) / math.log(1.5)
        # linear: each decade of n adds at most a few units per extra level of depth, and the
        # investment stays within twice the full-propagation benchmark (which no rule beats)
        assert max(np.diff(split)) <= 2.5 * depth_per_decade
        assert all(b <= s <= 2 * b for s, b in zip(split, bench))
        # exponential: every decade of n multiplies the fixed-contract investment by more than 10
        assert all(later > 10 * earlier for earlier, later in zip(fixed, fixed[1:]))
        assert fixed[-1] > 1000 * split[2]


def test_result_fields_and_the_lower_bound():
    law = scipy.stats.poisson(1.5)
    res = split_contract_equilibrium(law, 1e3, 0.3)
    bench = query_incentive_equilibrium(law, 1e3, 0.3, contract="full_propagation")
    assert res.lower_bound == bench.offer  # the smallest R whose tree holds an answer within depth R
    assert res.success >= 0.3 and np.all(res.success_curve[:-1] < 0.3)
    assert res.success_curve.size == res.reward - res.lower_bound + 1
    # no bounty beats the full-propagation success S(R) at the same bounty
    assert np.all(res.success_curve <= bench.offer_success[res.lower_bound:res.reward + 1] + 1e-12) \
        if res.reward <= bench.reward else True
    assert 0 < res.split < 1 and 0 <= res.refund <= res.success * res.reward
    assert res.splits[0] == res.split and np.all((res.splits > 0) & (res.splits < 1))
    assert res.method == "backward_induction" and res.iterations == res.success_curve.size
    assert res.saturation == pytest.approx(success_supremum(law, 1e3))
    assert "reward=" in repr(res)


def test_bad_input():
    law = scipy.stats.poisson(1.5)
    with pytest.raises(InvalidInputError, match="unreachable"):
        split_contract_equilibrium(law, 1e3, 0.9)
    with pytest.raises(InvalidInputError, match="resolution"):
        split_contract_equilibrium(law, 1e3, 0.3, resolution=0)
    with pytest.raises(InvalidInputError, match="effort"):
        split_contract_equilibrium(law, 1e3, 0.3, effort="free")
    with pytest.raises(ConvergenceError, match="max_reward"):
        split_contract_equilibrium(law, 1e3, 0.3, max_reward=14)


def test_finer_grids_change_the_investment_by_a_few_units():
    # the grid of splits is a discretisation: halving its step moves the answer a little, and
    # never by more than the full-propagation benchmark's own size
    law = scipy.stats.poisson(1.5)
    rewards = [split_contract_equilibrium(law, 1e3, 0.3, resolution=k).reward for k in (16, 32, 64)]
    bench = query_incentive_equilibrium(law, 1e3, 0.3, contract="full_propagation").reward
    assert max(rewards) - min(rewards) <= 5
    assert all(bench <= r <= 2 * bench for r in rewards)
