"""Referral mechanisms: payments over large referral forests, and query-incentive equilibria.

Payments: random recursive forests (node ``v`` recruited by a uniform earlier node, 10 roots), with
1% of the nodes finding a target (one unit each) or every node contributing (multi-level
marketing). Peers are what a user would write with scipy/numpy: the geometric rule as a sparse
triangular solve ``(I - rho P) R = r C`` (``P[p, v] = 1`` when ``p`` recruited ``v``), a finite
schedule as repeated sparse products ``sum_k s_k P^k C``, and the top-down split (payments that
depend on the chain length) as a vectorised walk up from all contributors at once.

Query incentive networks (Kleinberg & Raghavan 2005): Poisson offspring with b = 1.5 and b = 3,
rarity n up to 1e4. incnet's Li Chao envelope (O(R log R)) against incnet's own O(R^2) scan and a
numpy-vectorised O(R^2) scan, skipped where they would take minutes. Both get the offspring pmf
tabulated once (an :class:`~incnet.branching.OffspringLaw`); the last row of each case passes the
``scipy.stats`` law instead, which tabulates it (a tail quantile and the pmf) on every call. The strategic split-contract
game (Cebrian et al. 2012): the whole search for the investment, incnet only (no peer solves it).
"""

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ._harness import compare

__all__ = ["run", "random_forest"]


def random_forest(n, seed=1, n_roots=10):
    """Parent array of a random recursive forest (parents[v] < v, -1 for the first roots)."""
    rng = np.random.default_rng(seed)
    parents = np.floor(rng.random(n) * np.arange(n)).astype(np.int64)
    parents[: min(n_roots, n)] = -1
    return parents


def _recruiter_matrix(parents):
    n = parents.size
    child = np.flatnonzero(parents >= 0)
    return sp.csr_array((np.ones(child.size), (parents[child], child)), shape=(n, n))


def _geometric_peer(P, contributions, r, rho):
    n = P.shape[0]
    A = (sp.identity(n, format="csr") - rho * P).tocsr()
    return spla.spsolve_triangular(A, r * contributions, lower=False)


def _schedule_peer(P, contributions, schedule):
    y = contributions.copy()
    out = schedule[0] * y
    for s in schedule[1:]:
        y = P @ y
        out += s * y
    return out


def _top_down_peer(parents, depth, contributions, root_reward, split):
    out = np.zeros(parents.size)
    node = np.flatnonzero(contributions)
    amount = contributions[node]
    length = depth[node] + 1
    level = np.zeros(node.size, dtype=np.int64)
    while node.size:
        d = length - 1 - level  # depth of the current ancestor
        promised = root_reward * split ** d.astype(float)
        share = np.where(level == 0, promised, promised * (1 - split))
        np.add.at(out, node, amount * share)
        up = parents[node]
        keep = up >= 0
        node, amount, length, level = up[keep], amount[keep], length[keep], level[keep] + 1
    return out


def _scan_peer(pmf, n, sigma, limit):
    """O(R^2) equilibrium, vectorised over x with numpy: what one writes from the definition.

    Returns the root's utility r*: the first r whose best offer x reaches sigma.
    """
    psi = np.polynomial.polynomial.Polynomial(pmf)
    keep = 1 - 1 / n
    q = np.empty(limit + 1)  # q_r = 1 - psi(phi_r)
    phi = np.empty(limit + 1)
    phi[0], phi[1] = 1.0, keep
    q[0], q[1] = 1 - psi(1.0), 1 - psi(keep)
    for r in range(2, limit + 1):
        x = int(np.argmax((r - np.arange(1, r)) * q[1:r])) + 1
        phi[r] = keep * psi(phi[x])
        q[r] = 1 - psi(phi[r])
        if q[x] >= sigma:
            return r
    return -1


def _close(a, b):
    return np.allclose(a, b, rtol=1e-8, atol=1e-8 * max(1.0, float(np.max(np.abs(a)))))


def run(smoke=False):
    import scipy.stats

    from incnet.branching import as_offspring
    from incnet.mechanisms import (
        FixedSchedule,
        RecursiveSplit,
        TopDownSplit,
        as_forest,
        query_incentive_equilibrium,
        split_contract_equilibrium,
    )

    rows = []
    sizes = [500] if smoke else [10_000, 1_000_000]
    darpa = RecursiveSplit(2000, 0.5)
    schedule = FixedSchedule([100.0, 50.0, 25.0, 10.0, 5.0])
    split = TopDownSplit(4000, 0.5)
    for n in sizes:
        parents = random_forest(n)
        forest = as_forest(parents)
        P = _recruiter_matrix(parents)
        rng = np.random.default_rng(2)
        finders = (rng.random(n) < 0.01).astype(float)
        finders[-1] = 1.0
        mlm = rng.random(n)
        darpa.payments(forest, finders)  # JIT warm-up
        schedule.payments(forest, finders)
        split.payments(forest, finders)
        case = f"n={n:,}, depth {forest.max_depth}"
        rows += compare(
            "payments: RecursiveSplit(2000, 0.5), 1% finders", case,
            lambda: darpa.payments(forest, finders),
            {"scipy spsolve_triangular": lambda: _geometric_peer(P, finders, 2000.0, 0.5)},
            agree=_close, repeat=9, smoke=smoke)
        rows += compare(
            "payments: FixedSchedule (5 levels), MLM contributions", case,
            lambda: schedule.payments(forest, mlm),
            {"scipy sparse products": lambda: _schedule_peer(P, mlm, schedule.rewards)},
            agree=_close, repeat=9, smoke=smoke)
        rows += compare(
            "payments: TopDownSplit(4000, 0.5), 1% finders", case,
            lambda: split.payments(forest, finders),
            {"numpy vectorised walk": lambda: _top_down_peer(parents, forest.depth, finders, 4000.0, 0.5)},
            agree=_close, repeat=9, smoke=smoke)
        rows += compare(
            "parent-array validation (as_forest)", case, lambda: as_forest(parents), {}, repeat=9, smoke=smoke)

    cases = [(1.5, 100, 0.3)] if smoke else [(1.5, 100, 0.3), (1.5, 1000, 0.3), (1.5, 10_000, 0.3),
                                             (3.0, 100, 0.5), (3.0, 10_000, 0.5)]
    for b, n, sigma in cases:
        dist = scipy.stats.poisson(b)
        law = as_offspring(dist)  # the tabulated pmf, built once: the same input the numpy scan gets
        pmf = np.asarray(law.pmf)
        res = query_incentive_equilibrium(law, n, sigma)  # JIT warm-up
        R = res.reward
        if R <= 20_000:
            query_incentive_equilibrium(law, n, sigma, method="scan")
        peers = {
            "incnet scan O(R^2)": (lambda: query_incentive_equilibrium(law, n, sigma, method="scan").reward)
            if R <= 20_000 else None,
            "numpy scan O(R^2)": (lambda: _scan_peer(pmf, n, sigma, max(R, 2) + 1)) if R <= 5_000 else None,
        } if R <= 20_000 else {"incnet scan O(R^2)": None, "numpy scan O(R^2)": None}
        # what a call that passes the scipy.stats law itself costs (it tabulates the pmf each time)
        peers["incnet given the scipy.stats law"] = lambda: query_incentive_equilibrium(dist, n, sigma).reward
        rows += compare(
            "query incentive equilibrium (Li Chao envelope)", f"Poisson({b:g}), n={n:,}, sigma={sigma}, R={R:,}",
            lambda: query_incentive_equilibrium(law, n, sigma).reward, peers,
            agree=lambda a, b_: a == b_, smoke=smoke)

    split_cases = [(1.5, 100)] if smoke else [(1.5, 1000), (1.5, 100_000)]
    for b, n in split_cases:
        law = scipy.stats.poisson(b)
        res = split_contract_equilibrium(law, n, 0.3)  # JIT warm-up
        rows += compare(
            "split-contract equilibrium (backward induction, K = 32)",
            f"Poisson({b:g}), n={n:,}, sigma=0.3, R={res.reward}",
            lambda: split_contract_equilibrium(law, n, 0.3).reward, {}, smoke=smoke)
    return rows
