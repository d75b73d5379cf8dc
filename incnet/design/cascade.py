r"""The cheapest cascade of action in a threshold game: :func:`seed_rewards`.

In the threshold game of :mod:`incnet.equilibria`, player :math:`i` acts iff
:math:`\sum_j w_{ij} a_j + r_i \ge \theta_i` (weights :math:`w_{ij} \ge 0`). With rewards
:math:`r \ge 0`, best-response dynamics from nobody acting,

.. math:: a^{(0)} = 0, \qquad a^{(k)}_i = \big[\, (W a^{(k-1)})_i + r_i \ge \theta_i \,\big],

increase monotonically to the *least* equilibrium: the cascade that actually happens. The design
problem chooses :math:`r` with :math:`\sum r \le B` to make that cascade as large as possible.
Any self-sustaining set (an equilibrium reached from elsewhere) does not count, which is why the
exact formulation is indexed by best-response rounds.
"""

import heapq
import math

import numpy as np
import scipy.sparse as sp

from .._validate import as_vector, check_int, check_method
from ..errors import InfeasibleDesignError, InvalidInputError
from ..network import as_network
from ._solve import solve
from .activation import _budget
from .result import DesignResult

__all__ = ["seed_rewards"]

#: ``method="auto"`` solves the round-indexed MILP up to this many nodes.
_EXACT_LIMIT = 20


def _least_equilibrium(net, theta, rewards):
    """The cascade from nobody acting, by the equilibrium solver of incnet.equilibria."""
    from ..equilibria import threshold_equilibrium

    return threshold_equilibrium(net, theta, reward=rewards, start="none")


def _milp(net, theta, budget, rounds, solver):
    """Round-indexed MILP: a[:, k] may be 1 only if round k-1's actions plus r reach theta."""
    import cvxpy as cp

    n = net.n
    T = rounds
    need = np.maximum(theta, 0.0)
    a = cp.Variable((n, T), boolean=True, name="acts")
    r = cp.Variable(n, nonneg=True, name="reward")
    W = net.W
    constraints = [r <= need, r >= cp.multiply(need, a[:, 0])]  # round 1: rewards alone
    if T > 1:
        # round k >= 1: justified by the previous round's actions and the reward
        constraints += [W @ a[:, :-1] + cp.reshape(r, (n, 1), order="F") @ np.ones((1, T - 1))
                        >= cp.multiply(need[:, None], a[:, 1:]),
                        a[:, 1:] >= a[:, :-1]]
    budget_constraint = cp.sum(r) <= budget
    constraints.append(budget_constraint)
    # No tie-break on cost: it would make the solver prove the cheapest of many optimal cascades.
    # The rewards are recomputed afterwards as each player's exact shortfall in its round.
    problem = cp.Problem(cp.Maximize(cp.sum(a[:, T - 1])), constraints)
    status, _ = solve(problem, solver=solver, what="the cascade MILP")
    acts = np.asarray(a.value) > 0.5
    return acts, np.maximum(np.asarray(r.value).ravel(), 0.0), status


def _repair_rewards(net, theta, acts):
    """Smallest rewards that reproduce the MILP's round-by-round activation exactly."""
    n, T = acts.shape
    first = np.full(n, -1)
    for k in range(T - 1, -1, -1):
        first[acts[:, k]] = k
    rewards = np.zeros(n)
    previous = np.zeros(n)
    for k in range(T):
        joining = np.flatnonzero(first == k)
        if joining.size:
            support = net.W[joining] @ previous if k > 0 else np.zeros(joining.size)
            rewards[joining] = np.maximum(theta[joining] - support, 0.0)
        previous = acts[:, k].astype(np.float64)
    return rewards


def _greedy(net, theta, budget):
    """Cost-effective lazy greedy: pay the node whose cascade gain per unit of reward is largest.

    A candidate's cost is what it still lacks, max(0, theta_i - acc_i); its gain is the size of the
    cascade that paying it triggers (numba kernel, state restored exactly). Scores are kept in a
    heap and recomputed only when a stale one reaches the top (lazy evaluation).
    """
    from .._kernels.design import cascade_kernel

    n = net.n
    Wt = sp.csr_array(net.W.T)
    Wt.sort_indices()
    t_indptr = np.ascontiguousarray(Wt.indptr, dtype=np.int64)
    t_indices = np.ascontiguousarray(Wt.indices, dtype=np.int64)
    t_data = np.ascontiguousarray(Wt.data, dtype=np.float64)
    need = theta.copy()
    acc = np.zeros(n)
    active = np.zeros(n, dtype=np.uint8)
    queue = np.empty(n, dtype=np.int64)
    mark = np.full(n, -1, dtype=np.int64)
    saved_idx = np.empty(n, dtype=np.int64)
    saved_val = np.empty(n, dtype=np.float64)
    rewards = np.zeros(n)
    trial = 0
    # players with theta <= 0 act unpaid: they start the cascade that happens anyway
    for i in np.flatnonzero(need <= 0):
        if active[i] == 0:
            trial += 1
            cascade_kernel(t_indptr, t_indices, t_data, need, acc, active, int(i), queue, mark,
                           saved_idx, saved_val, trial, True)
    spent = 0.0
    version = 0
    evaluations = 0

    def score(i):
        nonlocal trial, evaluations
        cost = max(theta[i] - acc[i], 0.0)
        trial += 1
        evaluations += 1
        gain = cascade_kernel(t_indptr, t_indices, t_data, need, acc, active, int(i), queue, mark,
                              saved_idx, saved_val, trial, False)
        return gain, cost

    heap = []
    for i in range(n):
        if active[i] == 0:
            gain, cost = score(i)
            heapq.heappush(heap, (-gain / max(cost, 1e-300), i, version, cost))
    parked = []
    while heap:
        neg, i, stamp, cost = heapq.heappop(heap)
        if active[i]:
            continue
        if stamp != version:
            gain, cost = score(i)
            heapq.heappush(heap, (-gain / max(cost, 1e-300), i, version, cost))
            continue
        if spent + cost > budget * (1 + 1e-12):
            parked.append(i)
            continue
        rewards[i] = cost
        spent += cost
        need[i] = theta[i] - cost
        trial += 1
        cascade_kernel(t_indptr, t_indices, t_data, need, acc, active, int(i), queue, mark,
                       saved_idx, saved_val, trial, True)
        version += 1
        # costs only fall as the cascade grows, so parked players may become affordable again
        for j in parked:
            if not active[j]:
                heapq.heappush(heap, (0.0, j, version - 1, 0.0))
        parked = []
    return rewards, evaluations


def seed_rewards(net, theta, budget, *, method="auto", rounds=None, solver="HIGHS"):
    r"""Rewards within a budget that make the cascade of action from nobody as large as possible.

    .. math::

        \max_{r \ge 0,\ \sum_i r_i \le B} \ \big|\{ i : a^{(\infty)}_i(r) = 1 \}\big|, \qquad
        a^{(k)}_i = \big[(W a^{(k-1)})_i + r_i \ge \theta_i\big],\ a^{(0)} = 0 .

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        Weights :math:`w_{ij} \ge 0`: how much :math:`j`'s action counts towards :math:`i`'s.
    theta : float or array_like, shape (n,)
        Thresholds :math:`\theta_i` (players with :math:`\theta_i \le 0` act unpaid).
    budget : float
        :math:`B \ge 0`.
    method : {"auto", "milp", "greedy"}, default "auto"
        ``"milp"``: exact, indexed by best-response rounds (HiGHS through cvxpy); ``"greedy"``:
        cost-effective greedy with lazy evaluation; ``"auto"``: MILP up to 20 nodes (the MILP has
        :math:`n \times` ``rounds`` binaries and grows hard beyond).
    rounds : int, optional
        Rounds indexed by the MILP (default ``n``, always enough: each round of a growing cascade
        adds a player). Fewer rounds give the best cascade completed within that many rounds
        (``status="level_cap"``, unless it reaches everyone).
    solver : str, default "HIGHS"

    Returns
    -------
    DesignResult
        ``rewards`` per player, ``objective`` = size of the least equilibrium under them
        (re-evaluated with :func:`~incnet.equilibria.threshold_equilibrium`), ``active`` the
        cascade, ``budget_used``; ``bound``/``gap`` certified (0) for the MILP, unknown for the
        greedy.

    Raises
    ------
    InvalidInputError
        Negative weights, negative budget, NaN thresholds, too few rounds.
    InfeasibleDesignError
        If the solver fails.

    See Also
    --------
    incnet.equilibria.threshold_equilibrium

    Notes
    -----
    **MILP.** Binary :math:`a_{ik}` (player :math:`i` acts after round :math:`k`), continuous
    :math:`0 \le r_i \le \theta_i^+`: :math:`(W a_{\cdot,k-1})_i + r_i \ge \theta_i^+ a_{ik}`,
    :math:`a_{\cdot,0}` justified by rewards alone, :math:`a_{ik} \ge a_{i,k-1}`,
    :math:`\sum r \le B`; maximise :math:`\sum_i a_{iT}`. The rewards are then recomputed as
    each player's exact shortfall in the round it joins (never more than the solver's).
    Every activation must be justified by the previous round, so the variables describe a subset of
    the actual cascade; the maximum is attained by the cascade itself. :math:`O(nT)` binaries.

    **Greedy.** No approximation guarantee holds: with fixed thresholds the cascade size is not
    submodular in the set of paid players (a player with threshold 2 and two unit-weight
    neighbours joins only when both act, so the second neighbour's marginal gain exceeds the
    first's), and Kempe, Kleinberg & Tardos's :math:`1 - 1/e` guarantee needs thresholds drawn
    uniformly at random. For the same reason lazy evaluation is itself a heuristic here: a stale
    score is not an upper bound on the fresh one. Players that cannot be afforded are re-examined
    after every purchase, since what they lack only falls as the cascade grows.

    References
    ----------
    .. [1] Kempe, D., Kleinberg, J., Tardos, É. (2003). Maximizing the spread of influence
       through a social network. *KDD 2003*, 137-146.
    .. [2] Jackson, M. O., Zenou, Y. (2015). Games on networks. *Handbook of Game Theory with
       Economic Applications*, vol. 4, 95-163.

    Examples
    --------
    A path of five people who each act once a neighbour does: one unit buys everyone.

    >>> import networkx as nx
    >>> res = seed_rewards(nx.path_graph(5), 1.0, 1.0)
    >>> int(res.objective), float(res.budget_used)
    (5, 1.0)
    """
    net = as_network(net)
    if not net.is_nonnegative:
        raise InvalidInputError(
            "threshold games need weights w_ij >= 0 (negative weights break the monotone cascade); "
            f"the smallest weight is {float(net.W.data.min()):.4g}"
        )
    theta = as_vector(theta, net.n, "theta")
    budget = _budget(budget)
    check_method(method, ("auto", "milp", "greedy"))
    if method == "auto":
        method = "milp" if net.n <= _EXACT_LIMIT else "greedy"
    details = {}
    if method == "milp":
        # a cascade on n nodes settles within n rounds: more rounds add only idle copies
        T = net.n if rounds is None else min(check_int(rounds, "rounds", minimum=1), net.n)
        acts, _, status = _milp(net, theta, budget, T, solver)
        rewards = _repair_rewards(net, theta, acts)
        solver_name = solver
        planned = int(acts[:, -1].sum())
        details["planned_cascade"] = planned
    else:
        rewards, evaluations = _greedy(net, theta, budget)
        status = "heuristic"
        solver_name = "numba"
        details["cascade_evaluations"] = evaluations
    used = float(rewards.sum())
    if used > budget * (1 + 1e-6) + 1e-9:
        raise InfeasibleDesignError(
            f"the rewards found cost {used:.6g} > budget {budget:.6g} after re-evaluation",
            status="inaccurate",
        )
    eq = _least_equilibrium(net, theta, rewards)
    objective = float(eq.n_active)
    if method == "milp":
        if objective < details["planned_cascade"]:
            raise InfeasibleDesignError(
                f"the MILP planned a cascade of {details['planned_cascade']} but the rewards found "
                f"reach {int(objective)}; solver tolerance too loose", status="inaccurate")
        certified = rounds is None or rounds >= net.n or objective == net.n
        bound, gap = (objective, 0.0) if certified else (math.nan, math.nan)
        if not certified:
            status = "level_cap"
    else:
        bound, gap = math.nan, math.nan
    details["rounds"] = eq.rounds
    return DesignResult(
        rewards=rewards, objective=objective, status=status, method=method, solver=solver_name,
        budget=budget, budget_used=used, shadow_price=math.nan, bound=bound, gap=gap,
        active=np.asarray(eq.active, dtype=bool), details=details, nodes=net.nodes,
    )
