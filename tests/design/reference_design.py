"""Slow, obviously correct references for the design tests (brute force, dense algebra)."""

import itertools

import numpy as np
from scipy.optimize import linprog


def dense_inverse(W):
    W = np.asarray(W, dtype=float)
    return np.linalg.inv(np.eye(W.shape[0]) - W)


def activation_cost_linprog(W, costs, S):
    """min 1't s.t. M_SS (t - c_S) >= 0, t >= 0 by scipy's HiGHS on the dense block."""
    S = list(S)
    if not S:
        return 0.0
    M = dense_inverse(W)[np.ix_(S, S)]
    c = np.asarray(costs, dtype=float)[S]
    res = linprog(np.ones(len(S)), A_ub=-M, b_ub=-M @ c, bounds=[(0, None)] * len(S),
                  method="highs")
    assert res.status == 0
    return float(res.fun)


def activation_cost_vertices(W, costs, S):
    """The same LP by enumerating every basis (vertex) of {y >= -c, M y >= 0}: min 1'(y + c)."""
    S = list(S)
    M = dense_inverse(W)[np.ix_(S, S)]
    c = np.asarray(costs, dtype=float)[S]
    k = len(S)
    rows = np.vstack([np.eye(k), M])
    rhs = np.concatenate([-c, np.zeros(k)])
    best = np.inf
    for chosen in itertools.combinations(range(2 * k), k):
        A = rows[list(chosen)]
        if abs(np.linalg.det(A)) < 1e-12:
            continue
        y = np.linalg.solve(A, rhs[list(chosen)])
        if np.all(rows @ y >= rhs - 1e-9):
            best = min(best, float(np.sum(y + c)))
    return best


def distances_within(adj, seeds, members):
    """Breadth-first distances from the seeds inside seeds + members (dict node -> distance)."""
    allowed = set(members) | set(seeds)
    dist = {s: 0 for s in seeds}
    frontier = list(seeds)
    while frontier:
        nxt = []
        for v in frontier:
            for w in np.flatnonzero(adj[v]):
                w = int(w)
                if w in allowed and w not in dist:
                    dist[w] = dist[v] + 1
                    nxt.append(w)
        frontier = nxt
    return dist


def best_reach_and_depth(W, costs, budget, seeds, adj=None):
    """Exhaustive search over member sets: the largest reach and depth a budget affords."""
    W = np.asarray(W, dtype=float)
    n = W.shape[0]
    if adj is None:
        adj = (W != 0) | (W.T != 0)
    others = [i for i in range(n) if i not in seeds]
    best_reach, best_depth = 0, 0
    for k in range(1, len(others) + 1):
        for S in itertools.combinations(others, k):
            dist = distances_within(adj, seeds, S)
            if any(v not in dist for v in S):
                continue
            if activation_cost_linprog(W, costs, S) > budget + 1e-7:
                continue
            best_reach = max(best_reach, k)
            best_depth = max(best_depth, max(dist[v] for v in S))
    return best_reach, best_depth


def least_equilibrium(W, theta, rewards):
    """Synchronous best-response dynamics from nobody acting (dense)."""
    W = np.asarray(W, dtype=float)
    a = np.zeros(W.shape[0], dtype=bool)
    while True:
        nxt = (W @ a + rewards >= theta) | a
        if np.array_equal(nxt, a):
            return a
        a = nxt


def best_cascade(W, theta, budget):
    """Largest least equilibrium within budget, by dynamic programming over activation orders.

    The cheapest rewards that make a set A act are the cheapest activation order of A, each
    player paid what its predecessors leave missing: cost(A) = min_i cost(A - i) + deficit(i).
    """
    W = np.asarray(W, dtype=float)
    theta = np.asarray(theta, dtype=float)
    n = W.shape[0]
    cost = np.full(1 << n, np.inf)
    cost[0] = 0.0
    best = 0
    for mask in range(1, 1 << n):
        members = [i for i in range(n) if mask >> i & 1]
        for i in members:
            prev = mask & ~(1 << i)
            if cost[prev] == np.inf:
                continue
            support = sum(W[i, j] for j in range(n) if prev >> j & 1)
            c = cost[prev] + max(0.0, theta[i] - support)
            cost[mask] = min(cost[mask], c)
        if cost[mask] <= budget + 1e-9:
            best = max(best, len(members))
    return best
