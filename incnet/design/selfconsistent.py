r"""Self-consistent ("rational expectations") incentives to recruit on a network.

A participant at depth :math:`d` recruits because of the referral payments a recruit is expected
to bring: the payments :math:`r_k` it receives when someone :math:`k` levels below it, in the
recruit's subtree, finds and reports a target. The branching formula of
:func:`~incnet.simulate.recruitment_incentives` computes that expectation for a Galton-Watson tree
with the network's mean excess degree. On a finite, clustered network recruits share contacts,
saturate the network and run into the deadline, and on a dense one the branching value grows
without bound while the mechanism can never pay more than its budget per target.

The self-consistent incentive is the fixed point

.. math::

    w = F(w), \qquad
    F(w)_d = \frac{E_w\left[\sum_{\text{reported finds at depth } f > d} r^{(f)}_{f-d}\right]}
                  {E_w\left[N_{d+1}\right]},

the expected referral payments that flow to depth-:math:`d` recruiters per recruit they make
(:math:`N_{d+1}` the number of depth-:math:`(d+1)` participants, :math:`r^{(f)}_k` what a chain
whose finder sits at depth :math:`f` pays its :math:`k`-th recruiter), when everyone recruits
with :math:`p_d = p(w_d)`. :math:`F` is estimated on a fixed set of runs with common random
numbers, so it is a deterministic function of :math:`w`, and iterated with damping.
"""

import math

import numpy as np

from .._validate import as_rng, check_int, check_positive, describe
from ..errors import InvalidInputError

__all__ = ["self_consistent_incentives"]

def _tables(campaign, schedules):
    """Payment tables (C, H+1, H+1), report probabilities (C, H+1) and capped branching priors."""
    from ..simulate import chain_payment_table

    H = campaign.horizon
    C = len(schedules)
    T = np.zeros((C, H + 1, H + 1))
    S = np.zeros((C, H + 1))
    prior = np.zeros((C, H + 1))
    for c, mech in enumerate(schedules):
        T[c] = chain_payment_table(mech, H)
        inc = campaign.branching_incentives(mech)
        S[c] = inc.report_probabilities
        # a recruiter can never earn more per recruit than all targets paying it the most
        # a chain below it ever pays: the branching value is capped there
        cap = np.zeros(H + 1)
        for d in range(H):
            cap[d] = campaign.n_targets * max(T[c, d + k, k] for k in range(1, H - d + 1))
        prior[c] = np.minimum(np.nan_to_num(inc.incentives, posinf=np.inf), cap)
    return T, S, prior


def _measure(raw, T, prior):
    """F(w) from one batch of runs: referral payments per recruit, per depth."""
    fd = raw["finder_depth"]
    C, _, width = raw["profile"].shape
    H = width - 1
    F = np.zeros((C, width))
    recruits_made = raw["profile"].sum(axis=1)  # (C, H+1): participants per depth, all runs
    for c in range(C):
        depths = fd[c][fd[c] >= 0]
        hist = np.bincount(depths, minlength=width).astype(np.float64)
        for d in range(H):
            f = np.arange(d + 1, width)
            paid = float(hist[f] @ T[c, f, f - d])
            made = recruits_made[c, d + 1]
            F[c, d] = paid / made if made > 0 else prior[c, d]
    return F, recruits_made


def _fixed_points(campaign, schedules, run_seeds, *, tol, max_iter, damping, start=None):
    """Self-consistent incentives of several schedules at once, on the same runs.

    Returns ``(W, residual, iterations, converged, raw, recruits)`` with ``W`` (C, H+1) the last
    iterate, at which ``raw`` (the kernel's outcomes) and the residuals were measured.
    """
    from ..simulate import response_table

    T, S, prior = _tables(campaign, schedules)
    H = campaign.horizon
    W = prior.copy() if start is None else np.array(start, dtype=np.float64)
    W[:, H] = 0.0
    iterations = 0
    while True:
        P = np.array([response_table(campaign.response, w) for w in W])
        P[:, H] = 0.0
        raw = campaign._crn_runs(P, S, run_seeds)
        F, recruits = _measure(raw, T, prior)
        residual = np.abs(F - W).max(axis=1)
        iterations += 1
        # relative to the size of the incentives themselves (what people are actually paid)
        converged = residual <= tol * np.maximum(np.abs(F).max(axis=1), 1e-12)
        if np.all(converged) or iterations >= max_iter:
            return W, residual, iterations, converged, raw, recruits
        # damped update; a converged row stays where it is (its runs are final)
        W = np.where(converged[:, None], W, (1.0 - damping) * W + damping * F)


def self_consistent_incentives(campaign, mechanism, *, n_runs=2000, rng=None, tol=1e-3,
                               max_iter=60, damping=0.5):
    r"""Incentives that equal the referral payments one recruit actually brings on the network.

    .. math::

        w_d = F(w)_d = \frac{E_w\left[\sum_{\text{reported finds at depth } f > d}
        r^{(f)}_{f-d}\right]}{E_w[N_{d+1}]}, \qquad p_d = p(w_d),

    iterated as :math:`w \leftarrow (1 - \alpha) w + \alpha F(w)` from the branching formula
    (capped at what the mechanism can pay), with :math:`F` measured on ``n_runs`` runs of the
    campaign on common random numbers.

    Parameters
    ----------
    campaign : Campaign
        The network and scenario (saturation, finite size and the deadline are all in the runs).
    mechanism : mechanism or array_like
        A referral mechanism or a schedule :math:`r_0, r_1, \dots`.
    n_runs : int, default 2000
        Runs per evaluation of :math:`F` (the same runs at every iteration).
    rng : None, int or numpy.random.Generator
    tol : float, default 1e-3
        Stop when :math:`\max_d |F(w)_d - w_d| \le` ``tol`` :math:`\max_d |F(w)_d|`.
    max_iter : int, default 60
    damping : float, default 0.5
        :math:`\alpha \in (0, 1]`.

    Returns
    -------
    RecruitmentIncentives
        ``incentives`` (:math:`w`, the last iterate), ``probabilities``, ``expected_recruits``
        (measured recruits per participant at each depth), ``converged``, ``iterations``,
        ``residual`` (:math:`\max_d |F(w)_d - w_d|` at the returned :math:`w`, in payment units)
        and ``method="self-consistent"``.

    Raises
    ------
    InvalidInputError
        For a campaign that is not a :class:`~incnet.design.Campaign` or bad options.

    See Also
    --------
    incnet.simulate.recruitment_incentives : the branching formula, exact on Galton-Watson trees.
    Campaign : ``incentives="self-consistent"`` makes a campaign's simulations use these.

    Notes
    -----
    *When each is right.* The branching formula is exact for a Galton-Watson process and a good
    approximation on a large, sparse, locally tree-like network far from saturation (few of a
    recruit's contacts already taken, few finds cut short by the deadline). The self-consistent
    incentive is the one a participant who knows the network and the scenario would hold: use it
    on finite, clustered or dense networks, near saturation, and whenever the branching value
    exceeds what the mechanism can ever pay (its products of :math:`E[K]\,p_j` grow without
    bound when :math:`E[K]\,p > 1`). A depth below which the runs recruit nobody keeps the
    branching value, capped at what the mechanism can pay there (its recruiters never act). With common random numbers :math:`F` is a
    deterministic step function of :math:`w`; the damped iteration converges to a point where
    :math:`F` is flat, or reports a residual of the size of one step when two values alternate.
    Cost: ``iterations`` simulations of ``n_runs`` runs.

    Examples
    --------
    On a path 0 - 1 - 2 with the target at node 2, node 1's recruit always finds it, so
    :math:`w_1 = r_1` exactly (the branching formula, with :math:`q = 1/3`, says :math:`r_1/3`):

    >>> import networkx as nx
    >>> from incnet.design import Campaign, self_consistent_incentives
    >>> c = Campaign(nx.path_graph(3), initial=[0], targets=[2], response=0.5, horizon=2)
    >>> inc = self_consistent_incentives(c, [100.0, 60.0, 30.0], n_runs=4000, rng=1)
    >>> round(float(inc.incentives[1]), 1), bool(inc.converged)
    (60.0, True)
    >>> round(float(c.branching_incentives([100.0, 60.0, 30.0]).incentives[1]), 1)
    20.0
    """
    from ..simulate import RecruitmentIncentives, response_table
    from .campaign import Campaign

    if not isinstance(campaign, Campaign):
        raise InvalidInputError(f"campaign must be a Campaign, got {describe(campaign)}")
    n_runs = check_int(n_runs, "n_runs", minimum=1)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    tol = check_positive(tol, "tol")
    damping = float(damping)
    if not 0.0 < damping <= 1.0:
        raise InvalidInputError(f"damping must lie in (0, 1], got {damping}")
    rng = as_rng(rng)
    seeds = rng.integers(0, np.iinfo(np.int64).max, size=n_runs, dtype=np.int64)
    W, residual, iterations, converged, raw, recruits = _fixed_points(
        campaign, [mechanism], seeds, tol=tol, max_iter=max_iter, damping=damping)
    base = campaign.branching_incentives(mechanism)
    H = campaign.horizon
    w = W[0]
    p = response_table(campaign.response, w)
    p[H] = 0.0
    per_depth = recruits[0]
    m = np.zeros(H + 1)
    m[:H] = np.where(per_depth[:H] > 0, per_depth[1:] / np.maximum(per_depth[:H], 1), 0.0)
    return RecruitmentIncentives(
        incentives=w, probabilities=p, expected_recruits=m,
        report_probabilities=base.report_probabilities, payments=base.payments, horizon=H,
        mean_contacts=campaign.mean_contacts, find_probability=campaign.find_probability,
        converged=bool(converged[0]), iterations=int(iterations), residual=float(residual[0]),
        method="self-consistent",
    )
