r"""Paying people to take part when they care about each other: activation, depth and reach.

Participants have participation costs :math:`c_i \ge 0` and interdependent payoffs
(Bergstrom 1999): :math:`W_{ij}` is what a unit of :math:`j`'s payoff is worth to :math:`i`. For
an active set :math:`S` with transfers :math:`t \ge 0`, the material payoffs are

.. math:: x_i = t_i - c_i \ (i \in S), \qquad x_i = 0 \ (i \notin S),

the total payoffs are :math:`u = (I - W)^{-1} x`, and :math:`i \in S` takes part when
:math:`u_i \ge 0`. A person who cares about others can therefore need less pay than their cost,
and paying one person more can make others willing to take part for less.

- :func:`min_cost_activation`: the cheapest transfers that make a given :math:`S` take part
  (a linear program).
- :func:`max_reach` / :func:`max_depth`: choose :math:`S`, connected to the initial participants
  through edges inside :math:`S`, and transfers with :math:`\sum t \le B`, maximising
  :math:`|S|` or the largest distance from the initial participants within :math:`S` (mixed-integer
  linear programs, exact on small and medium networks; on large ones a greedy heuristic or the
  relaxation rounded, with a proven bound from the relaxation's dual by column generation).
- :func:`budget_sweep`: the same programs re-solved over many budgets through a cvxpy
  ``Parameter`` (built and compiled once); the relaxation in one warm column-generation master.
"""

import math

import numpy as np
import scipy.sparse as sp

from .._validate import as_node_indices, as_real_array, as_vector, check_int, check_method, check_nonnegative
from ..errors import InfeasibleDesignError, InvalidInputError
from ..network import DENSE_LIMIT, IncentiveNetwork, as_network
from ..payoffs import total_payoffs
from ._solve import solve
from .result import DesignResult

__all__ = ["min_cost_activation", "max_depth", "max_reach", "budget_sweep"]

#: ``method="auto"`` solves the exact MILP up to this many nodes, the greedy heuristic beyond.
_EXACT_LIMIT = 150
#: Slack allowed in re-evaluated participation constraints (solver tolerances are ~1e-9).
_FEASIBILITY_TOL = 1e-6


# ----------------------------------------------------------------------------- inputs
def _costs(costs, n):
    arr = as_real_array(costs, "costs")
    if np.any(np.isnan(arr)):
        first = int(np.flatnonzero(np.isnan(np.atleast_1d(arr)))[0])
        raise InvalidInputError(
            f"costs contain NaN (first at index {first}); give every participant a finite cost, "
            "e.g. impute missing costs from data before designing"
        )
    return as_vector(costs, n, "costs", nonnegative=True)


def _budget(budget):
    if budget is not None and not isinstance(budget, bool):
        try:
            value = float(budget)
        except (TypeError, ValueError):
            value = None
        if value is not None and value < 0:
            raise InvalidInputError(f"budget must be >= 0, got {value}; a budget is what may be spent")
    return check_nonnegative(budget, "budget")


def _contact_graph(net, contacts):
    """Symmetric 0/1 CSR adjacency of who can recruit whom (default: the pattern of W)."""
    if contacts is None:
        A = net.W
    else:
        other = as_network(contacts)
        if other.n != net.n:
            raise InvalidInputError(
                f"contacts has {other.n} nodes but the network has {net.n}; give one contact "
                "graph over the same nodes, in the same order"
            )
        A = other.W
    A = sp.csr_array(A, copy=True)
    A.data = np.ones_like(A.data)
    A = sp.csr_array(((A + A.T) > 0).astype(np.float64))
    A.setdiag(0)
    A.eliminate_zeros()
    return A


def _seed_indices(net, seeds):
    if seeds is None:
        raise InvalidInputError("give the initial participants (seeds): the campaign's own people")
    idx = as_node_indices(net, seeds, "seeds")
    if idx.size == 0:
        raise InvalidInputError("seeds is empty; recruitment needs at least one initial participant")
    return np.unique(idx)


# ----------------------------------------------------------------------------- min-cost activation
def _activation_lp_reduced(M_SS, c_S, solver):
    """min 1't s.t. M_SS (t - c_S) >= 0, t >= 0, with M_SS the S-block of (I - W)^{-1}."""
    import cvxpy as cp

    k = c_S.size
    t = cp.Variable(k, nonneg=True)
    participation = M_SS @ (t - c_S) >= 0
    problem = cp.Problem(cp.Minimize(cp.sum(t)), [participation])
    status, _ = solve(problem, solver=solver, what="the activation LP")
    prices = np.asarray(participation.dual_value, dtype=np.float64).ravel()
    return np.maximum(np.asarray(t.value, dtype=np.float64).ravel(), 0.0), status, prices


def _activation_lp_sparse(net, costs, S, solver):
    """Same LP with the payoffs as variables: (I - W) u = x, u_S >= 0 (memory O(nnz))."""
    import cvxpy as cp

    n, k = net.n, S.size
    E = sp.csr_array((np.ones(k), (S, np.arange(k))), shape=(n, k))
    A = sp.identity(n, format="csr") - net.W
    t = cp.Variable(k, nonneg=True)
    u = cp.Variable(n)
    participation = u[S] >= 0
    problem = cp.Problem(cp.Minimize(cp.sum(t)),
                         [A @ u == E @ (t - costs[S]), participation])
    status, _ = solve(problem, solver=solver, what="the activation LP")
    prices = np.asarray(participation.dual_value, dtype=np.float64).ravel()
    return np.maximum(np.asarray(t.value, dtype=np.float64).ravel(), 0.0), status, prices


def _payoff_columns(net, S):
    """The columns S of (I - W)^{-1}, one block solve (n x |S|)."""
    block = np.zeros((net.n, S.size))
    block[S, np.arange(S.size)] = 1.0
    cols = total_payoffs(net, block).u
    return cols.reshape(net.n, S.size)


def _activation(net, costs, S, solver, method):
    if method == "auto":
        method = "reduced" if S.size <= DENSE_LIMIT else "sparse"
    if method == "reduced":
        M_SS = _payoff_columns(net, S)[S, :]
        t_S, status, prices = _activation_lp_reduced(M_SS, costs[S], solver)
    else:
        t_S, status, prices = _activation_lp_sparse(net, costs, S, solver)
    return t_S, status, prices, method


def _participation_payoffs(net, costs, S, t_S):
    x = np.zeros(net.n)
    x[S] = t_S - costs[S]
    return total_payoffs(net, x).u


def min_cost_activation(net, costs, targets, *, budget=None, method="auto", solver="HIGHS"):
    r"""The cheapest transfers that make every person in ``targets`` take part.

    .. math::

        \min_{t \ge 0} \ \sum_{i \in S} t_i \quad \text{s.t.} \quad
        u_S = \big[(I - W)^{-1} x\big]_S \ge 0, \quad x_S = t_S - c_S, \ x_{V \setminus S} = 0.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        ``W[i, j]``: what a unit of ``j``'s payoff is worth to ``i``; :math:`\rho(|W|) < 1`.
    costs : array_like, shape (n,) or float
        Participation costs :math:`c_i \ge 0` (NaN is an error).
    targets : sequence of node labels
        The set :math:`S` that must take part.
    budget : float, optional
        If given, a design costing more raises :class:`~incnet.errors.InfeasibleDesignError`.
    method : {"auto", "reduced", "sparse"}, default "auto"
        ``"reduced"``: the LP over :math:`t` with the block :math:`M_{SS}` of
        :math:`M = (I - W)^{-1}` (one block solve of :math:`|S|` columns; memory
        :math:`O(n |S|)`). ``"sparse"``: the payoffs :math:`u` are LP variables tied by
        :math:`(I - W) u = x` (memory :math:`O(\text{nnz})`). ``"auto"``: reduced up to 2000
        targets.
    solver : str, default "HIGHS"
        cvxpy LP solver.

    Returns
    -------
    DesignResult
        ``rewards``/``transfers`` per node (zero outside :math:`S`), ``objective`` = total cost,
        ``active`` = :math:`S`; ``details`` holds ``standalone_cost`` :math:`\sum_{i\in S} c_i`,
        ``saving`` (standalone cost minus the optimum), ``participation_prices`` (the LP's dual
        values: what one more unit of required payoff for each member would cost) and
        ``payoffs`` (re-evaluated :math:`u`).

    Raises
    ------
    InvalidInputError
        NaN or negative costs, unknown targets, a negative budget.
    IllPosedNetworkError
        If :math:`\rho(|W|) \ge 1`.
    InfeasibleDesignError
        If the optimum exceeds ``budget`` (``status="over_budget"``) or the solver fails.

    See Also
    --------
    max_reach, max_depth, incnet.total_payoffs

    Notes
    -----
    Paying everyone their cost (:math:`x = 0`, hence :math:`u = 0`) is always feasible, so the
    optimum is at most :math:`\sum_{i \in S} c_i`. It is smaller when some member's payoff matters
    to the others by more than a unit in total: with :math:`y = t - c`, the LP is
    :math:`\min 1^\top y` s.t. :math:`M_{SS}\, y \ge 0`, :math:`y \ge -c_S`, and raising
    :math:`y_j` by one raises the others' payoffs by the column :math:`M_{Sj}`, which can cover
    several members' shortfalls at once. The result is re-evaluated with
    :func:`~incnet.total_payoffs` and every member's payoff checked.

    References
    ----------
    .. [1] Bergstrom, T. C. (1999). Systems of benevolent utility functions. *Journal of Public
       Economic Theory* 1(1), 71-100.

    Examples
    --------
    A hub that three people each value at 0.4: paying the hub above its cost makes them join for
    less than their own costs.

    >>> import numpy as np
    >>> W = np.zeros((4, 4)); W[1:, 0] = 0.4
    >>> res = min_cost_activation(W, [1.0, 1.0, 1.0, 1.0], [0, 1, 2, 3])
    >>> round(res.objective, 4), round(res.details["saving"], 4)
    (3.5, 0.5)
    >>> res.transfers.round(4)
    array([3.5, 0. , 0. , 0. ])
    """
    net = as_network(net)
    costs = _costs(costs, net.n)
    S = np.unique(as_node_indices(net, targets, "targets"))
    if budget is not None:
        budget = _budget(budget)
    check_method(method, ("auto", "reduced", "sparse"))
    if S.size == 0:
        raise InvalidInputError("targets is empty; give the set of people who must take part")
    t_S, status, prices, method = _activation(net, costs, S, solver, method)
    u = _participation_payoffs(net, costs, S, t_S)
    worst = float(np.min(u[S]))
    if worst < -_FEASIBILITY_TOL * max(1.0, float(costs[S].max())):
        raise InfeasibleDesignError(
            f"the activation LP returned transfers under which a member's payoff is {worst:.3g} < 0; "
            "the network is too badly conditioned for the solver",
            status="inaccurate",
        )
    transfers = np.zeros(net.n)
    transfers[S] = t_S
    total = float(t_S.sum())
    standalone = float(costs[S].sum())
    if budget is not None and total > budget * (1 + 1e-9) + 1e-9:
        raise InfeasibleDesignError(
            f"making these {S.size} people take part costs at least {total:.6g} > budget {budget:.6g}; "
            "raise the budget or shrink the target set",
            status="over_budget",
        )
    active = np.zeros(net.n, dtype=bool)
    active[S] = True
    per_node_prices = np.zeros(net.n)
    per_node_prices[S] = prices
    return DesignResult(
        rewards=transfers, objective=total, status=status, method=f"lp-{method}", solver=solver,
        budget=math.nan if budget is None else budget, budget_used=total,
        bound=total, gap=0.0, active=active,
        details={"standalone_cost": standalone, "saving": standalone - total,
                 "participation_prices": per_node_prices, "payoffs": u,
                 "min_member_payoff": worst},
        nodes=net.nodes,
    )


# ----------------------------------------------------------------------------- depth / reach programs
class _ActivationProgram:
    r"""The depth- or reach-maximising MILP (or its LP relaxation), built once, budget a Parameter.

    Formulations (all over the non-seed nodes, seeds have :math:`x = 0`):

    - common: :math:`s_i \\in \\{0, 1\\}` membership, :math:`0 \\le t_i \\le B s_i`,
      :math:`\\sum t \\le B`, :math:`(I - W) u = t - c \\circ s`, and
      :math:`u_i \\ge -L_i (1 - s_i)` with :math:`L = (I - |W|)^{-1}(c + B)`, a bound on
      :math:`|u_i|` for any transfers within the budget (so the constraint only binds members).
    - reach (single-commodity flow): flow :math:`f_a \\ge 0` on every arc :math:`j \\to i` into a
      non-seed, :math:`f_a \\le N s_i`, :math:`f_a \\le N s_j` for non-seed :math:`j`, and
      inflow minus outflow :math:`= s_i`: every member receives a unit from the seeds through
      members. Objective :math:`\\sum s`.
    - depth (depth-indexed): :math:`z_{i,d}` = "i is at distance d", :math:`s_i = \\sum_d z_{i,d}`;
      distance 1 only next to a seed, :math:`z_{i,d} \\le \\sum_{j \\in N(i)} z_{j,d-1}`, and
      :math:`\\deg_i z_{i,d} + \\sum_{j \\in N(i)} \\sum_{d' \\le d-2} z_{j,d'} \\le \\deg_i`
      (no member neighbour closer than :math:`d - 1`), which makes the labels exact breadth-first
      distances within :math:`S`. Objective :math:`\\sum_d y_d`, :math:`y_d \\le \\sum_i z_{i,d}`,
      :math:`y_d \\le y_{d-1}`, :math:`0 \\le y \\le 1`.

    The LP relaxation used for bounds (``relax=True``) keeps the budget and the transfer cut
    :math:`(M t)_i \ge M_{ii} c_i s_i` (valid when :math:`W \ge 0`, since then a member's payoff is
    at most :math:`(M t)_i - M_{ii} c_i`) and keeps members and transfers inside the seeds'
    contact components; it drops the flow and big-M payoff constraints, whose relaxations are
    nearly vacuous (a fractional member satisfies them for free) and make the LP badly degenerate,
    and the link :math:`t \le B s` (which only matters for people who cost more than the whole
    budget), so that the budget appears only on a right-hand side. Dropping constraints keeps it
    an upper bound on the reach, hence also on the depth (a depth-:math:`D` design has at least
    :math:`D` members). :class:`_ReachBound` solves the same LP by column generation.

    A tie-break term :math:`-\\varepsilon \\sum t` with :math:`\\varepsilon B < 1/2` picks the
    cheapest of the optimal sets without trading away a member or a level.
    """

    def __init__(self, net, costs, seeds, contacts, kind, levels, relax, max_budget):
        import cvxpy as cp

        self.net, self.costs, self.kind, self.relax = net, costs, kind, relax
        if relax:
            # depth <= reach, and the depth-indexed relaxation is weak and badly degenerate
            kind = "reach"
        n = net.n
        is_seed = np.zeros(n, dtype=bool)
        is_seed[seeds] = True
        self.seeds = seeds
        others = np.flatnonzero(~is_seed)
        self.others = others
        N = others.size
        if N == 0:
            raise InvalidInputError("every node is a seed; there is nobody left to recruit")
        A = _contact_graph(net, contacts)
        self.A = A
        self.budget = cp.Parameter(nonneg=True, name="budget")
        self.tie = cp.Parameter(nonneg=True, name="tie_break")
        c = costs[others]
        if not relax:
            absnet = IncentiveNetwork(net.abs_W, net.nodes)
            x_base = np.zeros(n)
            x_base[others] = c
            ones = np.zeros(n)
            ones[others] = 1.0
            bounds = total_payoffs(absnet, np.column_stack([x_base, ones])).u.reshape(n, 2)
            L_c, L_1 = bounds[others, 0], bounds[others, 1]

        s = cp.Variable(N, boolean=not relax, name="member") if kind == "reach" else None
        t = cp.Variable(N, nonneg=True, name="transfer")
        u = cp.Variable(n, name="payoff")
        cons = []
        if kind == "reach":
            if relax:
                cons += [s >= 0, s <= 1]
            member = s
            objective = cp.sum(s)
        if kind == "reach" and not relax:
            A_coo = sp.coo_array(A)
            heads, tails = A_coo.row, A_coo.col  # arc tail -> head means tail recruits head
            pos = np.full(n, -1)
            pos[others] = np.arange(N)
            into = pos[heads] >= 0
            heads, tails = heads[into], tails[into]
            n_arcs = heads.size
            if n_arcs == 0:
                raise InvalidInputError("no contact leads from the seeds to anyone else")
            f = cp.Variable(n_arcs, nonneg=True, name="flow")
            arc_rows = np.arange(n_arcs)
            H = sp.csr_array((np.ones(n_arcs), (arc_rows, pos[heads])), shape=(n_arcs, N))
            internal = pos[tails] >= 0
            T = sp.csr_array((np.ones(int(internal.sum())), (arc_rows[internal], pos[tails[internal]])),
                             shape=(n_arcs, N))
            cons += [f <= N * (H @ s), f[internal] <= N * (T @ s)[internal],
                     H.T @ f - T.T @ f == s]
        elif kind == "depth":
            L = levels
            z = cp.Variable((N, L), boolean=not relax, name="level")
            y = cp.Variable(L, name="depth_reached")
            if relax:
                cons += [z >= 0, z <= 1]
            member = cp.sum(z, axis=1)
            A_oo = A[others][:, others]
            near_seed = np.asarray(A[others][:, seeds].sum(axis=1)).ravel() > 0
            deg = np.asarray(A_oo.sum(axis=1)).ravel()
            cons += [member <= 1, y >= 0, y <= 1]
            cons += [z[~near_seed, 0] == 0] if np.any(~near_seed) else []
            if L > 1:
                cons += [z[:, 1:] <= A_oo @ z[:, :-1]]
                if np.any(near_seed):
                    cons += [z[near_seed, 1:] == 0]
                # cumulative levels 0..d-2 of the neighbours must be empty for a node at level d
                upper = np.triu(np.ones((L, L)))  # (Z @ upper)[:, d] = sum_{d' <= d} z[:, d']
                closer = A_oo @ (z @ upper)
                cons += [cp.multiply(deg[:, None], z[:, 2:]) + closer[:, :-2] <= deg[:, None]] if L > 2 else []
                cons += [y[1:] <= y[:-1]]
            cons += [y <= cp.sum(z, axis=0)]
            objective = cp.sum(y)
            self.z, self.y = z, y
        E = sp.csr_array((np.ones(N), (others, np.arange(N))), shape=(n, N))
        I_W = sp.identity(n, format="csr") - net.W
        if relax:
            # members only inside the seeds' contact components; transfers only to candidates
            outside = ~_seed_component(A, seeds)[others]
            if np.any(outside):
                cons += [member[outside] == 0, t[outside] == 0]
        else:
            cons.append(t <= self.budget * member)
        if not relax:
            cons += [I_W @ u == E @ (t - cp.multiply(c, member)),
                     u[others] >= -cp.multiply(L_c + self.budget * L_1, 1 - member)]
        if net.is_nonnegative:
            # Valid cut (M = (I - W)^-1 >= 0): a member's payoff u_i = (M x)_i is at most
            # (M t)_i - M_ii c_i, so (M t)_i >= M_ii c_i s_i. Redundant for the MILP, but it is what
            # keeps the LP relaxation from admitting members for free.
            v = cp.Variable(n, name="transfer_reach")
            cons += [I_W @ v == E @ t,
                     v[others] >= cp.multiply(c * _inverse_diagonal_lower(net)[others], member)]
        self.budget_constraint = cp.sum(t) <= self.budget
        cons.append(self.budget_constraint)
        self.problem = cp.Problem(cp.Maximize(objective - self.tie * cp.sum(t)), cons)
        self.member, self.t = member, t
        self.levels = levels

    def solve(self, budget, solver):
        self.budget.value = budget
        self.tie.value = 0.5 / (budget + 1.0) if not self.relax else 0.0
        what = f"the {self.kind} {'LP relaxation' if self.relax else 'MILP'}"
        status, dual = solve(self.problem, solver=solver, what=what,
                             budget_constraint=self.budget_constraint)
        member = np.asarray(self.member.value, dtype=np.float64).ravel()
        t = np.maximum(np.asarray(self.t.value, dtype=np.float64).ravel(), 0.0)
        return status, dual, member, t, float(self.problem.value)


def _inverse_diagonal_lower(net):
    """Lower bound on diag((I - W)^-1) for W >= 0: exact up to DENSE_LIMIT nodes, 1 + diag(W^2) beyond."""
    if net.n <= DENSE_LIMIT:
        return np.diag(np.linalg.inv(np.eye(net.n) - net.W.toarray())).copy()
    W = net.W
    return 1.0 + np.asarray((W.multiply(W.T)).sum(axis=1)).ravel()


# ----------------------------------------------------------------------------- scalable bound
def _seed_component(A, seeds):
    """Nodes in the contact graph's connected components that hold a seed (bool per node)."""
    from scipy.sparse.csgraph import connected_components

    _, labels = connected_components(A, directed=False)
    return np.isin(labels, np.unique(labels[seeds]))


def _factor(net):
    """Sparse LU of I - W up to 2000 nodes (None beyond: hubs can make the fill explode, and
    the iterative solves of :func:`~incnet.total_payoffs` cost a few sparse passes each)."""
    from scipy.sparse.linalg import splu

    n = net.n
    if n > DENSE_LIMIT:
        return None
    system = sp.csc_array(sp.identity(n, format="csc") - net.W)
    try:
        lu = splu(system, permc_spec="COLAMD")
    except RuntimeError:  # pragma: no cover - exactly singular I - W is rejected upstream
        return None
    if lu.L.nnz + lu.U.nnz > 40 * (net.nnz + n):
        return None
    return lu


class _ReachBound:
    r"""Proven upper bound on the reach by column-and-row generation on the relaxation's dual.

    The relaxation (see :class:`_ActivationProgram`, ``relax=True``) over the candidates
    :math:`C` (the non-seeds in the seeds' contact components), with :math:`a_i = c_i \ell_i`,
    :math:`\ell_i \le M_{ii}`, :math:`M = (I - W)^{-1} \ge 0`, is

    .. math:: \max_{t \ge 0,\ 1^\top t \le B} \ \sum_{i \in C} \min\{1, (M t)_i / a_i\}.

    Any :math:`\pi \ge 0` with :math:`a_i \pi_i \le 1` gives the bound

    .. math:: D(\pi) = \#\{i \in C: a_i = 0\} + \sum_{i \in C,\, a_i > 0} (1 - a_i \pi_i)
              + B \max_{j \in C} (M^\top \pi)_j \ \ge\ |S|

    for every feasible design :math:`S`: a member has :math:`(M t)_i \ge a_i`, so
    :math:`1 \le 1 - a_i\pi_i + \pi_i (M t)_i`, and :math:`\sum_i \pi_i (M t)_i =
    t^\top M^\top \pi \le B \max_j (M^\top \pi)_j`. The bound is evaluated with an upper bound on
    :math:`M^\top \pi` certified by a supersolution (so solver tolerances never make it invalid).

    :math:`\pi` comes from a restricted master LP: transfers only to the columns :math:`J`,
    explicit rows only for the nodes :math:`R` that some column could saturate within the
    budget (:math:`B \max_{j \in J} M_{ij} \ge a_i`); every other row can never reach 1, so its
    :math:`\min\{1, \cdot\}` is linear and folds into the columns' objective coefficients, and
    its multiplier is :math:`1/a_i`. Pricing adds the columns with :math:`(M^\top \pi)_j` above
    the budget's dual value; at convergence the master's value and :math:`D(\pi)` meet at the
    LP optimum. The master is a HiGHS model kept between rounds and budgets (warm dual simplex).
    """

    def __init__(self, net, costs, seeds, A, max_budget):
        n = net.n
        self.net, self.n = net, n
        self.max_budget = float(max_budget)
        is_seed = np.zeros(n, dtype=bool)
        is_seed[seeds] = True
        cand = _seed_component(A, seeds) & ~is_seed
        self.cand = cand
        self.valid_cut = bool(net.is_nonnegative)
        a = np.where(cand, costs, 0.0)
        if self.valid_cut and np.any(cand):
            a = a * _inverse_diagonal_lower(net)
        self.a = a
        self.pos = cand & (a > 0)
        self.n_free = int(np.count_nonzero(cand & ~self.pos))
        self.inv_a = np.zeros(n)
        self.inv_a[self.pos] = 1.0 / a[self.pos]
        self.model = None
        self.rounds = 0
        self.lu = None
        self.J = np.zeros(0, dtype=np.int64)
        self.R = np.zeros(0, dtype=np.int64)
        if not self.valid_cut or not np.any(self.pos):
            return
        Wt = sp.csr_array(net.W.T)
        Wt.sort_indices()
        self.Wt = Wt
        self.net_T = net if net.is_symmetric else IncentiveNetwork.from_scipy(Wt, net.nodes)
        self.lu = _factor(net)
        # h with (I - W^T) h >= 1: the supersolution that certifies every upper bound on M^T pi
        h = self._solve(np.ones(n), transpose=True)
        floor = float(np.min(h - Wt @ h))
        if not floor > 0.5:
            h = total_payoffs(self.net_T, np.ones(n), method="krylov", tol=1e-14).u
            floor = float(np.min(h - Wt @ h))
        self.h = h / floor if floor > 0 else None
        self._columns = []          # column j of M, truncated, per paid candidate
        self.in_J = np.zeros(n, dtype=bool)
        self.row_of = np.full(n, -1, dtype=np.int64)  # master row of an explicit node
        self.row_max = np.zeros(n)  # max over J of M_ij (decides the explicit rows)

    # -- linear algebra
    def _solve(self, x, transpose=False):
        """(I - W)^{-1} x or (I - W^T)^{-1} x (sparse LU when it factorises lean, else iterative)."""
        if self.lu is not None:
            return self.lu.solve(np.asarray(x, dtype=np.float64), trans="T" if transpose else "N")
        return total_payoffs(self.net_T if transpose else self.net, x).u

    def upper_MT(self, pi):
        """An upper bound g >= M^T pi (pi >= 0), certified by the supersolution h."""
        g = self._solve(pi, transpose=True)
        excess = pi - (g - self.Wt @ g)
        slack = 1e-13 * (float(np.max(np.abs(pi))) + float(np.max(np.abs(g))) + 1.0)
        kappa = max(float(np.max(excess)), 0.0) + slack
        if self.h is None:  # pragma: no cover - a ρ(W) < 1 network always has h
            return np.full(self.n, np.inf)
        return g + kappa * self.h

    def _add_columns(self, new):
        import highspy

        new = np.asarray(new, dtype=np.int64)
        parts = []
        for lo in range(0, new.size, 32):  # dense blocks of at most 32 columns at a time
            chunk = new[lo:lo + 32]
            block = np.zeros((self.n, chunk.size))
            block[chunk, np.arange(chunk.size)] = 1.0
            cols = self._solve(block).reshape(self.n, chunk.size)
            cols = np.where(np.abs(cols) < 1e-13, 0.0, cols)  # solver results are read-only
            parts.append(sp.csc_array(cols))
        cols = sp.hstack(parts, format="csc") if len(parts) > 1 else parts[0]
        cols.sort_indices()
        self._columns.append(cols)
        self.J = np.concatenate([self.J, new])
        self.in_J[new] = True
        self.row_max = np.maximum(self.row_max, cols.max(axis=1).toarray().ravel())
        # master columns for the new transfers: budget row + existing explicit rows
        starts, index, value = [], [], []
        for k in range(new.size):
            lo, hi = cols.indptr[k], cols.indptr[k + 1]
            rows = cols.indices[lo:hi]
            keep = self.row_of[rows] >= 0
            starts.append(len(index))
            index.extend([0] + list(self.row_of[rows[keep]] + 1))
            value.extend([1.0] + list(-cols.data[lo:hi][keep]))
        inf = highspy.kHighsInf
        self.model.addCols(new.size, np.zeros(new.size), np.zeros(new.size), np.full(new.size, inf),
                           len(index), np.array(starts, dtype=np.int32),
                           np.array(index, dtype=np.int32), np.array(value, dtype=np.float64))
        self.t_col = np.concatenate([self.t_col, self.n_cols + np.arange(new.size)])
        self.n_cols += new.size

    def _add_rows(self):
        """Make explicit every candidate some column could saturate within the largest budget."""
        import highspy

        need = self.pos & (self.row_of < 0) & (self.max_budget * self.row_max >= self.a * (1 - 1e-9))
        new = np.flatnonzero(need)
        if new.size == 0:
            return False
        inf = highspy.kHighsInf
        # one membership column s_i in [0, 1] (objective 1) per new row
        self.model.addCols(new.size, np.ones(new.size), np.zeros(new.size), np.ones(new.size), 0,
                           np.zeros(new.size, dtype=np.int32), np.zeros(0, dtype=np.int32),
                           np.zeros(0))
        s_cols = self.n_cols + np.arange(new.size)
        self.n_cols += new.size
        first_row = 1 + self.R.size
        self.row_of[new] = np.arange(new.size) + first_row - 1
        self.R = np.concatenate([self.R, new])
        M_rows = sp.hstack(self._columns).tocsr()[new] if self._columns else None
        starts, index, value = [], [], []
        for k, i in enumerate(new):
            starts.append(len(index))
            index.append(s_cols[k])
            value.append(self.a[i])
            if M_rows is not None:
                lo, hi = M_rows.indptr[k], M_rows.indptr[k + 1]
                index.extend(self.t_col[M_rows.indices[lo:hi]])
                value.extend(-M_rows.data[lo:hi])
        self.model.addRows(new.size, np.full(new.size, -inf), np.zeros(new.size), len(index),
                           np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32),
                           np.array(value, dtype=np.float64))
        return True

    def _refresh_costs(self):
        """Objective of each transfer column: its linear worth to the implicit (far) rows."""
        far = np.where(self.pos & (self.row_of < 0), self.inv_a, 0.0)
        worth = np.concatenate([c.T @ far for c in self._columns]) if self._columns else np.zeros(0)
        if worth.size:
            self.model.changeColsCost(worth.size, self.t_col.astype(np.int32), worth)

    def _start(self):
        import highspy

        from ._solve import _absorb_highs_banner

        _absorb_highs_banner()
        model = highspy.Highs()
        model.setOptionValue("output_flag", False)
        model.setOptionValue("presolve", "off")
        model.setOptionValue("solver", "simplex")
        model.changeObjectiveSense(highspy.ObjSense.kMaximize)
        model.addRow(-highspy.kHighsInf, self.max_budget, 0, np.zeros(0, dtype=np.int32),
                     np.zeros(0))
        self.model, self.n_cols, self.t_col = model, 0, np.zeros(0, dtype=np.int64)
        # first columns: the most worth per unit when every row is still short of its cost
        pi0 = self.inv_a.copy()
        g0 = self.upper_MT(pi0)
        score = np.where(self.cand, g0, -np.inf)
        k = int(min(np.count_nonzero(self.cand), 32))
        self._add_columns(np.argpartition(-score, k - 1)[:k])
        self._add_rows()
        self._refresh_costs()

    def solve(self, budget, *, target=None, max_rounds=200, tol=1e-9):
        """Bound for one budget. Returns (bound, lp_lower, budget_dual, transfers, rounds)."""
        trivial = float(np.count_nonzero(self.cand))
        if not self.valid_cut or not np.any(self.pos):
            value = trivial if not self.valid_cut else float(self.n_free)
            return value, value, 0.0, np.zeros(self.n), 0
        import highspy

        if self.model is None:
            self._start()
        self.model.changeRowBounds(0, -highspy.kHighsInf, float(budget))
        best = math.inf
        lower, dual, transfers = -math.inf, 0.0, np.zeros(self.n)
        rounds = 0
        for rounds in range(1, max_rounds + 1):
            self.model.run()
            if self.model.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                raise InfeasibleDesignError(
                    f"the master LP of the reach bound ended with {self.model.getModelStatus()}; "
                    "rescale costs and budget to order 1", status="solver_error")
            solution = self.model.getSolution()
            row_dual = np.asarray(solution.row_dual)
            col_value = np.asarray(solution.col_value)
            value = self.model.getInfo().objective_function_value + self.n_free
            if value > lower:
                lower = value
                transfers = np.zeros(self.n)
                transfers[self.J] = np.maximum(col_value[self.t_col], 0.0)
            lam = max(float(row_dual[0]), 0.0)
            pi = self.inv_a.copy()
            if self.R.size:
                pi[self.R] = np.clip(row_dual[1:1 + self.R.size], 0.0, self.inv_a[self.R])
            g = self.upper_MT(pi)
            g_max = float(np.max(g[self.cand]))
            D = self.n_free + float(np.sum(1.0 - self.a[self.R] * pi[self.R])) + budget * g_max
            D = min(D, trivial) if np.isfinite(D) else trivial  # nobody beyond the candidates
            if D < best:
                best, dual = D, lam
            if best - lower <= tol * max(1.0, best):
                break
            if target is not None and math.floor(best + 1e-9) <= target:
                break
            price = np.where(self.cand & ~self.in_J, g, -np.inf)
            violated = np.flatnonzero(price > lam * (1 + 1e-9) + 1e-12)
            if violated.size == 0:
                break
            k = int(min(violated.size, max(16, self.J.size // 2), 64))
            chosen = violated[np.argpartition(-price[violated], k - 1)[:k]]
            self._add_columns(chosen)
            self._add_rows()
            self._refresh_costs()
        self.rounds += rounds
        return best, lower, dual, transfers, rounds


# ----------------------------------------------------------------------------- re-evaluation
def _distances_within(A, seeds, members):
    """Breadth-first distances from the seeds inside seeds + members (-1: unreachable)."""
    from scipy.sparse.csgraph import dijkstra

    n = A.shape[0]
    keep = members.copy()
    keep[seeds] = True
    idx = np.flatnonzero(keep)
    pos = np.full(n, -1)
    pos[idx] = np.arange(idx.size)
    sub = A[idx][:, idx]
    d = dijkstra(sub, directed=False, unweighted=True, indices=pos[seeds], min_only=True)
    dist = np.full(n, -1, dtype=np.int64)
    finite = np.isfinite(d)
    dist[idx[finite]] = d[finite].astype(np.int64)
    return dist


def _evaluate_set(net, costs, seeds, A, members_bool, solver):
    """Exact cost of a member set (activation LP) and its reach and depth, all recomputed."""
    S = np.flatnonzero(members_bool)
    if S.size == 0:
        return np.zeros(net.n), 0.0, 0, 0, np.zeros(net.n)
    t_S, _, _, _ = _activation(net, costs, S, solver, "auto")
    u = _participation_payoffs(net, costs, S, t_S)
    dist = _distances_within(A, seeds, members_bool)
    transfers = np.zeros(net.n)
    transfers[S] = t_S
    reach = int(np.count_nonzero(dist[S] >= 0))
    depth = int(dist[S].max()) if S.size else 0
    return transfers, float(t_S.sum()), reach, depth, u


# ----------------------------------------------------------------------------- greedy heuristics
def _greedy_reach(net, costs, seeds, A, budget, solver, start=None):
    """Grow S from the seeds, cheapest frontier node first (Prim on node costs).

    Sum of standalone costs is an upper bound on the activation cost (pay everyone their cost),
    so the grown set is affordable; the activation LP then prices it exactly, and the saving is
    spent on further growth as long as the exact cost stays within the budget. ``start``: an
    affordable member set (connected to the seeds) to grow from instead of the seeds alone.
    """
    import heapq

    n = net.n
    member = np.zeros(n, dtype=bool) if start is None else start.copy()
    in_tree = member.copy()
    in_tree[seeds] = True
    heap = []
    indptr, indices = A.indptr, A.indices

    def push_neighbours(v):
        for w in indices[indptr[v]:indptr[v + 1]]:
            if not in_tree[w]:
                heapq.heappush(heap, (costs[w], int(w)))

    for v in np.flatnonzero(in_tree):
        push_neighbours(v)
    spent = 0.0
    if member.any():
        _, spent, _, _, _ = _evaluate_set(net, costs, seeds, A, member, solver)
    exact_cost = 0.0
    while heap:
        cost, v = heapq.heappop(heap)
        if in_tree[v]:
            continue
        if spent + cost > budget:
            # prices the current set exactly; its saving may pay for this node after all
            if member.any():
                _, exact_cost, _, _, _ = _evaluate_set(net, costs, seeds, A, member, solver)
                spent = exact_cost
            if spent + cost > budget:
                break
            trial = member.copy()
            trial[v] = True
            _, trial_cost, _, _, _ = _evaluate_set(net, costs, seeds, A, trial, solver)
            if trial_cost > budget:
                break
            spent = trial_cost
        else:
            spent += cost
        member[v] = True
        in_tree[v] = True
        push_neighbours(v)
    return member


def _greedy_depth(net, costs, seeds, A, budget, solver):
    """Cheapest shortest path to the deepest affordable layer (cost per unit depth).

    The nodes of a shortest path from the seeds sit at their graph distance inside the path, so
    a path to layer D gives depth D. A dynamic programme over the breadth-first layers finds the
    cheapest such path (sum of standalone costs) to every node; layers are tried from the deepest
    down, each priced exactly by the activation LP, until one fits the budget.
    """
    n = net.n
    dist = _distances_within(A, seeds, np.ones(n, dtype=bool))
    order = np.argsort(dist, kind="stable")
    best = np.full(n, np.inf)
    parent = np.full(n, -1)
    best[seeds] = 0.0
    indptr, indices = A.indptr, A.indices
    for v in order:
        if dist[v] <= 0:
            continue
        nb = indices[indptr[v]:indptr[v + 1]]
        prev = nb[dist[nb] == dist[v] - 1]
        j = prev[np.argmin(best[prev])]
        best[v] = best[j] + costs[v]
        parent[v] = j
    layers = sorted({int(d) for d in dist if d > 0}, reverse=True)
    is_seed = np.zeros(n, dtype=bool)
    is_seed[seeds] = True
    for D in layers:
        candidates = np.flatnonzero(dist == D)
        v = int(candidates[np.argmin(best[candidates])])
        member = np.zeros(n, dtype=bool)
        w = v
        while w >= 0 and not is_seed[w]:
            member[w] = True
            w = parent[w]
        if best[v] <= budget:
            return member
        _, cost, _, _, _ = _evaluate_set(net, costs, seeds, A, member, solver)
        if cost <= budget:
            return member
    return np.zeros(n, dtype=bool)


def _induced_path(costs, seeds, A, budget, width=16, branch=3):
    r"""A long induced path of cheap people from the seeds (beam search on standalone costs).

    Members that form an induced path :math:`v_1, \dots, v_D` (consecutive ones adjacent, no
    other edge among them, only :math:`v_1` next to a seed) sit at distances :math:`1, \dots, D`
    inside :math:`S`, so the path alone has depth :math:`D`; it is affordable when its standalone
    costs fit the budget (paying everyone their cost is feasible). The beam keeps, level by
    level, the ``width`` cheapest paths (one per end node), each extended by its ``branch``
    cheapest admissible neighbours. Unlike shortest paths, such a path may wander away from and
    back towards the seeds through cheap people.
    """
    n = costs.size
    indptr, indices = A.indptr, A.indices
    is_seed = np.zeros(n, dtype=bool)
    is_seed[seeds] = True
    near_seed = np.zeros(n, dtype=bool)
    for v in seeds:
        near_seed[indices[indptr[v]:indptr[v + 1]]] = True
    near_seed &= ~is_seed
    first = np.flatnonzero(near_seed & (costs <= budget))
    first = first[np.argsort(costs[first], kind="stable")[:width]]
    beam = [(float(costs[v]), (int(v),)) for v in first]
    best = ()
    while beam:
        best = beam[0][1]
        children = {}
        for cost, path in beam:
            inner = set(path[:-1])
            on_path = set(path)
            nbrs = indices[indptr[path[-1]]:indptr[path[-1] + 1]]
            found = 0
            for w in nbrs[np.argsort(costs[nbrs], kind="stable")]:
                w = int(w)
                total = cost + float(costs[w])
                if total > budget:
                    break
                if is_seed[w] or near_seed[w] or w in on_path:
                    continue
                if any(int(x) in inner for x in indices[indptr[w]:indptr[w + 1]]):
                    continue  # a chord would shorten the path inside S
                if w not in children or children[w][0] > total:
                    children[w] = (total, path + (w,))
                found += 1
                if found == branch:
                    break
        beam = sorted(children.values())[:width]
    member = np.zeros(n, dtype=bool)
    member[list(best)] = True
    return member


# ----------------------------------------------------------------------------- public API
def _design(kind, net, costs, budget, seeds, *, contacts, method, levels, solver):
    net = as_network(net)
    costs = _costs(costs, net.n)
    budget = _budget(budget)
    seeds = _seed_indices(net, seeds)
    check_method(method, ("auto", "milp", "greedy"))
    n_others = net.n - seeds.size
    if levels is None:
        levels = min(n_others, 30)
    # no recruitment path among the others is longer than their number: deeper levels are empty
    levels = min(check_int(levels, "levels", minimum=1), max(n_others, 1))
    if method == "auto":
        method = "milp" if net.n <= _EXACT_LIMIT else "greedy"
    A = _contact_graph(net, contacts)
    bound_details = {}
    if method == "milp":
        program = _ActivationProgram(net, costs, seeds, contacts, kind, levels, False, budget)
        status, _, member_frac, _, _ = program.solve(budget, solver)
        member_small = member_frac > 0.5
        bound = math.nan
    else:
        greedy = _greedy_reach if kind == "reach" else _greedy_depth
        member = greedy(net, costs, seeds, A, budget, solver)
        if kind == "depth":
            path = _induced_path(costs, seeds, A, budget)
            if int(path.sum()) > _greedy_value(net, costs, seeds, A, member, kind):
                member = path
        member_small = member[_others(net, seeds)]
        reach_bound = _ReachBound(net, costs, seeds, A, budget)
        greedy_value = _greedy_value(net, costs, seeds, A, member, kind)
        bound_value, lp_lower, _, transfers_lp, rounds = reach_bound.solve(budget,
                                                                           target=greedy_value)
        bound = math.floor(bound_value + 1e-7)
        if bound > greedy_value:
            rounded = _round_relaxation(net, costs, seeds, A, budget, transfers_lp, reach_bound,
                                        solver)
            if rounded is not None and kind == "reach":
                rounded = _greedy_reach(net, costs, seeds, A, budget, solver, start=rounded)
            if rounded is not None and _greedy_value(net, costs, seeds, A, rounded,
                                                     kind) > greedy_value:
                member_small = rounded[_others(net, seeds)]
        bound_details = {"bound_value": bound_value, "lp_lower": lp_lower, "bound_rounds": rounds,
                         "bound_columns": int(reach_bound.J.size),
                         "bound_rows": int(reach_bound.R.size)}
        status = "heuristic"
    others = _others(net, seeds)
    member = np.zeros(net.n, dtype=bool)
    member[others[member_small]] = True
    transfers, cost, reach, depth, u = _evaluate_set(net, costs, seeds, A, member, solver)
    if cost > budget * (1 + 1e-7) + 1e-7:
        raise InfeasibleDesignError(
            f"the {kind} design costs {cost:.6g} > budget {budget:.6g} when re-evaluated",
            status="inaccurate")
    objective = float(reach if kind == "reach" else depth)
    if method == "milp":
        bound = objective
        if kind == "depth" and depth >= levels and levels < n_others:
            status = "level_cap"
            bound = math.nan
    gap = bound - objective if np.isfinite(bound) else math.nan
    if method == "greedy" and gap == 0:
        status = "optimal"  # the proven bound certifies the heuristic's design
    return DesignResult(
        rewards=transfers, objective=objective, status=status, method=method, solver=solver,
        budget=budget, budget_used=cost, shadow_price=math.nan, bound=bound, gap=gap,
        active=member,
        details={"reach": reach, "depth": depth, "payoffs": u, "levels": levels,
                 "standalone_cost": float(costs[member].sum()), **bound_details},
        nodes=net.nodes,
    )


def _round_relaxation(net, costs, seeds, A, budget, transfers, bound, solver, steps=6):
    r"""A design from the relaxation's transfers: everyone they cover, connected to the seeds.

    With :math:`v = M t` for the relaxation's transfers :math:`t`, the candidates with
    :math:`v_i \ge a_i` (their cost is covered) and the paid ones, kept where they connect to
    the seeds, are priced exactly; if that exceeds the budget, :math:`t` is scaled down by
    bisection over ``steps`` halvings. Returns the member mask, or None when nothing affordable
    is found or the set is too large to price on this network (:math:`n |S| > 5 \cdot 10^6`).
    """
    if not np.any(transfers > 0):
        return None
    v = bound._solve(transfers) if bound.lu is not None else total_payoffs(net, transfers).u
    paid = (transfers > 1e-12) & bound.cand

    def members(scale):
        covered = (scale * v >= bound.a * (1 + 1e-9)) & bound.cand
        chosen = covered | (paid & (scale > 0))
        dist = _distances_within(A, seeds, chosen)
        return chosen & (dist >= 0)

    def affordable(member):
        if not member.any() or net.n * int(member.sum()) > 5e6:
            return False
        _, cost, _, _, _ = _evaluate_set(net, costs, seeds, A, member, solver)
        return cost <= budget * (1 + 1e-9)

    full = members(1.0)
    if affordable(full):
        return full
    lo, hi, best = 0.0, 1.0, None
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        trial = members(mid)
        if affordable(trial):
            lo, best = mid, trial
        else:
            hi = mid
    return best


def _greedy_value(net, costs, seeds, A, member, kind):
    """Reach or depth of a member set (breadth-first inside it), to stop the bound early."""
    dist = _distances_within(A, seeds, member)
    inside = dist[member]
    if kind == "reach":
        return int(np.count_nonzero(inside >= 0))
    return int(inside.max()) if inside.size else 0


def _others(net, seeds):
    """Indices of the nodes that are not seeds, in order."""
    is_seed = np.zeros(net.n, dtype=bool)
    is_seed[seeds] = True
    return np.flatnonzero(~is_seed)


def max_reach(net, costs, budget, seeds, *, contacts=None, method="auto", solver="HIGHS"):
    r"""The largest set of people a budget can make take part, recruited from the seeds.

    .. math::

        \max_{S, t} |S| \quad \text{s.t.} \quad \sum_i t_i \le B,\ t \ge 0,\
        u_S = [(I - W)^{-1} x]_S \ge 0,\ S \cup \text{seeds connected through } S.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        Interdependent payoffs :math:`W`; its non-zero pattern (both directions) is also the
        contact graph unless ``contacts`` is given.
    costs : array_like, shape (n,) or float
        Participation costs :math:`c_i \ge 0`.
    budget : float
        :math:`B \ge 0`.
    seeds : sequence of node labels
        The initial participants (paid nothing, material payoff 0).
    contacts : graph, optional
        Who can recruit whom (anything :func:`~incnet.as_network` accepts, same nodes).
    method : {"auto", "milp", "greedy"}, default "auto"
        ``"milp"``: the exact flow MILP (HiGHS through cvxpy). ``"greedy"``: cheapest-first growth
        from the seeds, priced exactly by the activation LP, or the relaxation's transfers rounded
        when that reaches more; the bound is the relaxation's optimum, computed by column
        generation on its dual and certified (seconds on :math:`10^4`-:math:`10^5` nodes).
        ``"auto"``: MILP up to 150 nodes.
    solver : str, default "HIGHS"

    Returns
    -------
    DesignResult
        ``transfers``, ``objective`` (the reach :math:`|S|`, re-evaluated), ``active`` (:math:`S`),
        ``budget_used`` (exact activation cost of :math:`S`), ``bound`` and ``gap`` (0 for the
        MILP). With ``"greedy"``, ``status`` is ``"heuristic"``, or ``"optimal"`` when the bound
        equals the design (gap 0); ``details`` also holds ``bound_value`` (the relaxation's value
        before rounding down), ``lp_lower`` (the master's value, a lower bound on the relaxation;
        equal to ``bound_value`` up to 1e-9 unless the bound stopped early because it already
        certified the design optimal), ``bound_rounds``, ``bound_columns`` and ``bound_rows``.

    Raises
    ------
    InvalidInputError
        NaN/negative costs, negative budget, no seeds, unknown nodes.
    InfeasibleDesignError
        If the solver fails.

    See Also
    --------
    max_depth, min_cost_activation, budget_sweep

    Notes
    -----
    The flow formulation is described in the module; every returned set is re-checked: its
    connectivity by a breadth-first search inside :math:`S`, its cost by
    :func:`min_cost_activation`, its participation by :func:`~incnet.total_payoffs`. The greedy
    heuristic carries no approximation guarantee (costs are interdependent); the gap to the
    bound is what it certifies. The bound (for :math:`W \ge 0`; otherwise the number of
    candidates) is :math:`\lfloor D(\pi) \rfloor` with

    .. math:: D(\pi) = \sum_{i \in C} (1 - a_i \pi_i) + B \max_{j \in C} (M^\top \pi)_j,
       \qquad a_i = c_i \ell_i \le c_i M_{ii},\ 0 \le a_i \pi_i \le 1,

    over the candidates :math:`C` (non-seeds in the seeds' contact components), valid for any
    such :math:`\pi` because every member has :math:`(M t)_i \ge a_i`; the multipliers come from a
    restricted master LP over a few paid candidates and the rows they can saturate, grown by
    pricing with one transposed solve per round (see the theory page, "Proven bounds at network
    scale").

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(5)
    >>> res = max_reach(nx.to_numpy_array(G) * 0.4, [0, 1, 1, 1, 1], 3.5, [0])
    >>> int(res.objective), res.status, round(res.budget_used, 3)
    (3, 'optimal', 3.0)

    On a larger network the heuristic comes with a proven bound (and its gap):

    >>> import numpy as np
    >>> W = nx.to_scipy_sparse_array(nx.barabasi_albert_graph(400, 2, seed=1)) * 0.05
    >>> costs = np.random.default_rng(1).uniform(0.5, 2.0, 400)
    >>> res = max_reach(W, costs, 10.0, [0, 1, 2])
    >>> res.status, res.objective <= res.bound, res.gap == res.bound - res.objective
    ('heuristic', True, True)
    """
    return _design("reach", net, costs, budget, seeds, contacts=contacts, method=method,
                   levels=1, solver=solver)


def max_depth(net, costs, budget, seeds, *, contacts=None, levels=None, method="auto",
              solver="HIGHS"):
    r"""The deepest recruitment a budget can buy: the largest distance from the seeds within S.

    .. math::

        \max_{S, t} \max_{i \in S} \operatorname{dist}_{S \cup \text{seeds}}(\text{seeds}, i)
        \quad \text{s.t.} \quad \sum_i t_i \le B,\ t \ge 0,\ u_S \ge 0 .

    Parameters
    ----------
    net, costs, budget, seeds, contacts, solver
        As in :func:`max_reach`.
    levels : int, optional
        Depths indexed by the MILP (default ``min(30, n - seeds)``). The answer is exact when it
        is below ``levels``; a design that reaches ``levels`` gets ``status="level_cap"``.
    method : {"auto", "milp", "greedy"}, default "auto"
        ``"milp"``: the depth-indexed MILP. ``"greedy"``: the deepest of the cheapest shortest
        path to the deepest affordable breadth-first layer (cost per unit depth), a long induced
        path of cheap people found by beam search (it may wind back towards the seeds: only its
        own members count for distances), and the relaxation rounded, each priced exactly;
        bounded by the proven bound on the reach of :func:`max_reach` (a depth-:math:`D` design
        has :math:`D` members).
        ``"auto"``: MILP up to 150 nodes.

    Returns
    -------
    DesignResult
        As :func:`max_reach`, ``objective`` the depth; ``details["reach"]`` the size of :math:`S`.

    See Also
    --------
    max_reach, min_cost_activation

    Notes
    -----
    Distances are breadth-first distances inside :math:`S` plus the seeds, so a shortcut between
    members shortens the depth; the depth-indexed MILP encodes exactly that.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.to_numpy_array(nx.cycle_graph(6)) * 0.1
    >>> res = max_depth(W, 1.0, 3.0, [0])
    >>> int(res.objective), int(res.details["reach"])
    (3, 3)
    """
    return _design("depth", net, costs, budget, seeds, contacts=contacts, method=method,
                   levels=levels, solver=solver)


def budget_sweep(net, costs, budgets, seeds, *, objective="reach", contacts=None, levels=None,
                 relax=False, solver="HIGHS"):
    r"""Best reach or depth for each of many budgets, re-solving one compiled cvxpy problem.

    The program of :func:`max_reach` / :func:`max_depth` is built once with the budget as a cvxpy
    ``Parameter`` (it is DPP, ``problem.is_dcp(dpp=True)``), so each budget only sets
    ``budget.value`` and re-solves.

    Parameters
    ----------
    net, costs, seeds, contacts, levels, solver
        As in :func:`max_depth`.
    budgets : array_like of float
        Budgets :math:`B \ge 0`.
    objective : {"reach", "depth"}, default "reach"
    relax : bool, default False
        Solve the LP relaxation (upper bounds on the reach, hence on the depth, with the shadow
        price of the budget) instead of the MILP. With ``solver="HIGHS"`` the relaxation is
        solved by column generation in one HiGHS master kept across the budgets (taken in
        increasing order, warm dual simplex); other solvers re-solve the compiled cvxpy
        problem.

    Returns
    -------
    list of DesignResult
        One per budget, in the order given. With ``relax=True`` ``objective`` is the
        relaxation's value (a bound, not a design), ``shadow_price`` the budget's dual value and
        ``transfers`` the relaxation's transfers.

    Examples
    --------
    >>> import networkx as nx
    >>> W = nx.to_numpy_array(nx.path_graph(5)) * 0.2
    >>> [int(r.objective) for r in budget_sweep(W, [0, 1, 1, 1, 1], [0.5, 1.0, 2.0, 4.0], [0])]
    [0, 1, 2, 4]
    """
    net = as_network(net)
    costs = _costs(costs, net.n)
    check_method(objective, ("reach", "depth"), name="objective")
    seeds = _seed_indices(net, seeds)
    values = np.atleast_1d(np.asarray(budgets, dtype=np.float64))
    budgets = [_budget(b) for b in values]
    n_others = net.n - seeds.size
    levels = min(check_int(min(n_others, 30) if levels is None else levels, "levels", minimum=1),
                 max(n_others, 1))
    if relax and str(solver).upper() == "HIGHS":
        return _relaxed_sweep(net, costs, seeds, contacts, budgets, levels)
    program = _ActivationProgram(net, costs, seeds, contacts, objective, levels, relax,
                                 max(budgets) if budgets else 0.0)
    A = program.A
    others = program.others
    results = []
    for B in budgets:
        status, dual, member_frac, t, value = program.solve(B, solver)
        if relax:
            transfers = np.zeros(net.n)
            transfers[others] = t
            results.append(DesignResult(
                rewards=transfers, objective=value, status=status, method="lp-relaxation",
                solver=solver, budget=B, budget_used=float(t.sum()), shadow_price=dual,
                bound=value, gap=math.nan, active=None, details={"levels": levels},
                nodes=net.nodes))
            continue
        member = np.zeros(net.n, dtype=bool)
        member[others[member_frac > 0.5]] = True
        transfers, cost, reach, depth, u = _evaluate_set(net, costs, seeds, A, member, solver)
        obj = float(reach if objective == "reach" else depth)
        results.append(DesignResult(
            rewards=transfers, objective=obj, status=status, method="milp", solver=solver,
            budget=B, budget_used=cost, bound=obj, gap=0.0, active=member,
            details={"reach": reach, "depth": depth, "payoffs": u, "levels": levels},
            nodes=net.nodes))
    return results


def _relaxed_sweep(net, costs, seeds, contacts, budgets, levels):
    """The relaxation for every budget by one column-generation master, budgets in increasing order.

    The master's columns, rows and simplex basis carry over from one budget to the next, so each
    budget costs a few warm dual simplex pivots and a pricing solve or two.
    """
    A = _contact_graph(net, contacts)
    bound = _ReachBound(net, costs, seeds, A, max(budgets) if budgets else 0.0)
    results = [None] * len(budgets)
    for k in np.argsort(budgets, kind="stable"):
        B = budgets[k]
        value, lower, dual, transfers, rounds = bound.solve(B)
        # pricing stopped before the master met the bound: ``objective`` is still a proven bound
        status = "optimal" if value - lower <= 1e-7 * max(1.0, value) else "optimal_inaccurate"
        results[k] = DesignResult(
            rewards=transfers, objective=value, status=status, method="lp-column-generation",
            solver="HIGHS", budget=B, budget_used=float(transfers.sum()), shadow_price=dual,
            bound=value, gap=math.nan, active=None,
            details={"levels": levels, "lp_lower": lower, "bound_rounds": rounds,
                     "bound_columns": int(bound.J.size), "bound_rows": int(bound.R.size)},
            nodes=net.nodes)
    return results
