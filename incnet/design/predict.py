r"""A fast network-faithful prediction of a campaign: depth-resolved message passing.

For screening schedules in milliseconds, :func:`predict_campaign` replaces the simulation by
dynamic message passing on the network itself (Karrer & Newman 2010; Lokhov et al. 2014, for SIR
epidemics). For every directed contact :math:`i \to j` and depth :math:`d`, :math:`P^{i\to j}_d`
is the probability that :math:`i` joins at depth :math:`d` in the cavity graph without :math:`j`:

.. math::

    U^{i \to j}_d = (1 - \sigma_i) \prod_{k \to i,\, k \ne j}
        \Bigl(1 - \sum_{d' < d} \tilde p_{d'} P^{k \to i}_{d'}\Bigr), \qquad
    P^{i \to j}_d = U^{i \to j}_{d-1} - U^{i \to j}_d,

with :math:`\sigma_i` the probability that :math:`i` is an initial participant and
:math:`\tilde p_{d} = p_d\, G_{d+1}(T) / G_d(T)` the recruitment probability thinned by the
deadline (:math:`G_d` the law of the sum of :math:`d` delays). The node marginals
:math:`U^i_d` (the same product over all in-neighbours) give the expected reach, the expected
participants per depth and the probability :math:`a_i` that node :math:`i` joins and reports.

Finding *all* of :math:`k` hidden targets is not a function of the marginals: a campaign either
takes off or dies out. The prediction splits the mean found fraction
:math:`\bar a = \frac1n \sum_i a_i` into a take-off probability :math:`\pi` (survival of the
depth-limited branching process on the network's degree law to the depth at which the expected
cascade exceeds a few dozen people) and a reach given take-off :math:`\rho = \bar a / \pi`:
:math:`P(\text{success}) = \pi \rho^k`.

The recursion is exact on trees for recruitment in generations; it ignores the ordering of
arrivals by time (a contact may join deeper than its shortest path) and, like every
message-passing method, it double counts on short cycles: on clustered networks (co-authorship
cliques, ego networks) it overestimates the reach.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .._results import ResultMixin

__all__ = ["CampaignPrediction", "predict_campaign"]

#: Expected cascade size (people) from which a surviving campaign counts as taken off.
_TAKEOFF_SIZE = 30.0


@dataclass(frozen=True, repr=False)
class CampaignPrediction(ResultMixin):
    r"""The message-passing prediction of a campaign under one schedule.

    Attributes
    ----------
    success : float
        Predicted probability of success (all targets found and reported in time; the first
        reported find for a find probability).
    reach : float
        Expected participants, initial ones included.
    depth : float
        Expected deepest depth, :math:`\sum_{d \ge 1} P(\text{depth } d \text{ reached})`.
    take_off : float
        :math:`\pi`, the probability that the campaign takes off.
    found_fraction : float
        :math:`\bar a`, the mean probability that a node joins in time and reports.
    participants_per_depth : numpy.ndarray
        Expected participants at each depth :math:`0, \dots, H`.
    join_probability : numpy.ndarray
        Per node, the probability of joining within the horizon and the deadline.
    probabilities : numpy.ndarray
        The recruitment probabilities :math:`p_d` used (the campaign's branching incentives, or
        the given ones).
    method : str
    """

    success: float
    reach: float
    depth: float
    take_off: float
    found_fraction: float
    participants_per_depth: np.ndarray
    join_probability: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)
    method: str = "message passing"


def _delay_cdf(campaign, depths):
    """:math:`G_d(T)` for d = 0 .. depths: probability that d delays sum to at most the deadline."""
    from ..simulate.recruitment import parse_delay

    T = campaign.deadline
    G = np.ones(depths + 1)
    if not math.isfinite(T):
        return G
    kind, a, b = parse_delay(campaign.delay)
    d = np.arange(1, depths + 1)
    if kind == 2:  # fixed
        G[1:] = (d * a <= T).astype(float)
    elif kind == 0:  # exponential: Erlang(d, 1/a)
        from scipy.stats import gamma

        G[1:] = gamma.cdf(T, d, scale=a)
    else:  # lognormal: sums by Monte Carlo on a fixed stream (deterministic)
        sample = np.random.default_rng(20261127).lognormal(math.log(a) - 0.5 * b * b, b,
                                                             size=(4000, depths))
        G[1:] = (np.cumsum(sample, axis=1) <= T).mean(axis=0)
    return G


def _reverse_edges(indptr, indices, n):
    """Position of the edge j -> i for every CSR entry i -> j (-1 when absent)."""
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    cols = indices.astype(np.int64)
    keys = rows * n + cols
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    wanted = cols * n + rows
    pos = np.searchsorted(sorted_keys, wanted)
    pos = np.minimum(pos, keys.size - 1)
    found = sorted_keys[pos] == wanted if keys.size else np.zeros(0, bool)
    return np.where(found, order[pos], -1), rows, cols


def _seed_factor(degree, p, horizon):
    r"""Per depth L, :math:`h_L = 1 - p_0 + p_0 \eta_1`: a seed with :math:`k` contacts fails to
    reach depth L with probability :math:`h_L^k` on the configuration model (:math:`\eta_1`: a
    depth-1 recruit's subtree does not reach L, through the excess degree law)."""
    k = degree.astype(np.int64)
    total = k.sum()
    out = np.ones(horizon + 1)
    if total == 0:
        return out
    counts = np.bincount(k)
    excess = (np.arange(1, counts.size) * counts[1:]) / total if counts.size > 1 else np.ones(1)
    out[0] = 0.0
    for L in range(1, horizon + 1):
        h = 0.0  # a depth-L node has reached L
        for d in range(L - 1, 0, -1):
            h = float(np.polynomial.polynomial.polyval(1.0 - p[d] + p[d] * h, excess))
        out[L] = 1.0 - p[0] + p[0] * h
    return out


def predict_campaign(campaign, mechanism, *, incentives=None):
    r"""Predict a campaign's success, reach and depth under a schedule, by message passing.

    Parameters
    ----------
    campaign : Campaign
    mechanism : mechanism or array_like
        A referral mechanism or a schedule :math:`r_0, r_1, \dots`.
    incentives : array_like of shape (H + 1,), optional
        The incentives :math:`w_d` participants act on (default: the campaign's branching
        incentives; pass ``self_consistent_incentives(...).incentives`` for the other route).

    Returns
    -------
    CampaignPrediction

    Notes
    -----
    Cost :math:`O(H \cdot \text{nnz})` array operations and no random numbers (the lognormal
    delay law's partial sums come from a fixed sample), so it is deterministic and about three
    orders of magnitude cheaper than a simulation of a few thousand runs. Its error against the
    simulation is measured on the theory page (:doc:`/theory/design`) and in the benchmark suite:
    it is good on sparse, locally tree-like networks and overestimates the reach on clustered
    ones, where short cycles make the messages double count.

    References
    ----------
    .. [1] Karrer, B., Newman, M. E. J. (2010). Message passing approach for general epidemic
       models. *Physical Review E* 82, 016101.
    .. [2] Lokhov, A. Y., Mézard, M., Ohta, H., Zdeborová, L. (2014). Inferring the origin of an
       epidemic with a dynamic message-passing algorithm. *Physical Review E* 90, 012801.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.design import Campaign, predict_campaign
    >>> c = Campaign(nx.path_graph(3), initial=[0], targets=[2], response=0.5, horizon=2,
    ...              delay=("fixed", 1.0))
    >>> pred = predict_campaign(c, [1.0])
    >>> pred.participants_per_depth.tolist(), pred.reach
    ([1.0, 0.5, 0.25], 1.75)
    """
    from ..errors import InvalidInputError
    from ..simulate import response_table
    from .campaign import Campaign

    if not isinstance(campaign, Campaign):
        raise InvalidInputError(f"campaign must be a Campaign, got {type(campaign).__name__}")
    H = campaign.horizon
    inc = campaign.branching_incentives(mechanism)
    if incentives is None:
        p = inc.probabilities.copy()
    else:
        p = response_table(campaign.response, np.asarray(incentives, dtype=np.float64))
        p[H] = 0.0
    s = inc.report_probabilities
    G = _delay_cdf(campaign, H + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        thin = np.where(G[:-1] > 0, G[1:] / G[:-1], 0.0)
    pt = p * thin  # deadline-thinned recruitment probabilities, pt[H] = 0
    pt[H] = 0.0
    net = campaign.net
    n = net.n
    indptr = np.asarray(net.W.indptr, dtype=np.int64)
    indices = np.asarray(net.W.indices, dtype=np.int64)
    rev, rows, cols = _reverse_edges(indptr, indices, n)
    sigma = np.zeros(n)
    if isinstance(campaign.initial, int):
        sigma[:] = campaign.initial / n
        seeds_degree = None
    else:
        from .._validate import as_node_indices

        idx = as_node_indices(net, list(campaign.initial), "initial")
        sigma[idx] = 1.0
        seeds_degree = np.diff(indptr)[idx]
    # q[e]: probability that i = rows[e] has recruited j = cols[e] by the current generation
    # (in the cavity without j); P_edge: i joins at the current depth (cavity without j)
    q = np.zeros(indices.size)
    P_edge = np.zeros(indices.size)
    U_edge_prev = np.ones(indices.size)
    U_node_prev = np.ones(n)
    per_depth = np.zeros(H + 1)
    found = np.zeros(n)
    tiny = 1e-300
    for d in range(H + 1):
        # log prod over in-edges k -> i of (1 - q[k -> i]): accumulate by target node cols
        log_term = np.log(np.maximum(1.0 - q, tiny))
        L = np.bincount(cols, weights=log_term, minlength=n)
        U_node = (1.0 - sigma) * np.exp(L)
        # cavity: remove the in-edge j -> i for the message i -> j
        back = np.where(rev >= 0, log_term[np.maximum(rev, 0)], 0.0)
        U_edge = (1.0 - sigma[rows]) * np.exp(L[rows] - back)
        P_edge = np.maximum(U_edge_prev - U_edge, 0.0)
        P_node = np.maximum(U_node_prev - U_node, 0.0)
        per_depth[d] = P_node.sum()
        found += P_node * s[d]
        q = np.minimum(q + pt[d] * P_edge, 1.0)
        U_edge_prev, U_node_prev = U_edge, U_node
    join = 1.0 - U_node_prev
    reach = float(join.sum())
    # take-off: survival of the branching process on the degree law to the depth at which the
    # expected cascade exceeds _TAKEOFF_SIZE people
    degree = np.diff(indptr)
    h = _seed_factor(degree, pt, H)
    if seeds_degree is None:
        # random seeds: the degree law of a seed is the network's, E[h^D] per seed
        law = np.bincount(degree) / n
        fail_one = np.polynomial.polynomial.polyval(h, law)
        survive = 1.0 - fail_one ** campaign.initial
    else:
        survive = 1.0 - np.prod(np.power(h[:, None], seeds_degree[None, :]), axis=1)
    cumulative = np.cumsum(per_depth)
    big = np.flatnonzero(cumulative >= _TAKEOFF_SIZE)
    level = int(big[0]) if big.size else H
    take_off = float(survive[max(level, 1)]) if H > 0 else 0.0
    depth = float(np.minimum(survive[1:], 1.0 - np.exp(-per_depth[1:])).sum()) if H > 0 else 0.0
    a = float(found.mean())
    t = campaign.targets
    if isinstance(t, float):
        success = float(1.0 - np.exp(-t * found.sum()))
    else:
        k = campaign.n_targets
        if k == 0:
            success = 0.0
        elif isinstance(t, tuple):
            from .._validate import as_node_indices

            idx = as_node_indices(net, list(t), "targets")
            pi = max(take_off, float(found[idx].max()), 1e-300)
            success = float(pi * np.prod(np.minimum(found[idx] / pi, 1.0)))
        else:
            pi = max(take_off, a, 1e-300)
            success = float(pi * min(a / pi, 1.0) ** k)
    return CampaignPrediction(success=success, reach=reach, depth=depth, take_off=take_off,
                              found_fraction=a, participants_per_depth=per_depth,
                              join_probability=join, probabilities=p)
