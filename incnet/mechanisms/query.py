r"""Query incentive networks: the reward a root needs to get a rare answer through a tree.

The model of Kleinberg & Raghavan (FOCS 2005), on any Galton–Watson tree (Arcaute et al.,
EC 2007). Each node holds the answer independently with probability :math:`1/n`; the tree has
offspring generating function :math:`\psi`. Rewards are integers. A node offered :math:`r` that
holds the answer returns it and is paid :math:`r`; otherwise it offers :math:`f(r) \in \{1, \dots,
r-1\}` to each of its children and keeps :math:`r - f(r)` if an answer comes back through it. With
:math:`\varphi_r` the probability that a node offered :math:`r` fails to deliver and
:math:`c \in \{0, 1\}` the effort convention (below),

.. math::

    \varphi_0 = 1, \qquad \varphi_1 = 1 - \tfrac1n, \qquad
    f(r) = \operatorname*{arg\,max}_{1 \le x \le r-1} (r - x - c)\,\bigl(1 - \psi(\varphi_x)\bigr),
    \qquad \varphi_r = \bigl(1 - \tfrac1n\bigr)\,\psi(\varphi_{f(r)}),

with ties going to the smallest :math:`x`. The **root** is a strategic player too: it values the
answer at :math:`r^*` (its utility), offers :math:`f(r^*)` to its children and succeeds with
probability :math:`1 - \psi(\varphi_{f(r^*)})`. The question is the smallest :math:`r^*` that
succeeds with probability :math:`\sigma`. As :math:`r` grows the success saturates at
:math:`1 - \psi(\varphi^*)` with :math:`\varphi^*` the smallest fixed point of
:math:`\varphi = (1 - 1/n)\psi(\varphi)`: the success of a search in which everybody takes part.

**Effort.** Every node on the answer path must receive at least one unit ("value on effort"). With
``effort="floor"`` (:math:`c = 0`, the default) the unit is a floor on what a forwarding node
keeps, :math:`f(r) \le r - 1`, and the node maximises its expected kept amount; with
``effort="cost"`` (:math:`c = 1`) the unit is also a cost deducted from the node's payoff.

**Threshold at b = 2** (mean offspring :math:`b`, constant failure probability): the smallest
reward grows like :math:`\log n` for :math:`b > 2` and polynomially in :math:`n` for
:math:`1 < b < 2` (Kleinberg & Raghavan 2005, Arcaute et al. 2007).

**Split contracts** (Cebrian et al., STOC 2012): the holder receives the bounty and each node hands
a share of its own reward up to its recruiter; with strategic splits the threshold vanishes
(:func:`split_contract_equilibrium`).
"""

from dataclasses import dataclass

import numpy as np

import math

from .._kernels.mechanisms import (
    _query_incentive_envelope_kernel,
    _query_incentive_scan_kernel,
    _smallest_fixed_point_kernel,
    _split_contract_kernel,
)
from .._results import ResultMixin
from .._validate import check_int, check_method, check_probability, check_positive
from ..branching import as_offspring
from ..errors import ConvergenceError, InvalidInputError

__all__ = [
    "QueryIncentiveResult",
    "SplitContractResult",
    "query_incentive_equilibrium",
    "split_contract_equilibrium",
    "success_supremum",
]

_EFFORT = {"floor": 0, "cost": 1}


@dataclass(frozen=True, repr=False)
class QueryIncentiveResult(ResultMixin):
    r"""Equilibrium of a query incentive network with a strategic root.

    Attributes
    ----------
    reward : int
        :math:`r^*`: the smallest utility the root must have for the answer so that, offering
        :math:`f(r^*)` to its children, it succeeds with probability at least :math:`\sigma`.
    offer : int
        :math:`f(r^*)`, what the root offers its children (the root keeps
        :math:`r^* - f(r^*)`).
    offers : numpy.ndarray
        int64 :math:`f(r)` for :math:`r = 0..r^*` (0 where no offer is possible, :math:`r \le 1`).
    success : numpy.ndarray
        The root's success probability when its utility is :math:`r`, :math:`1 - \psi(\varphi_{f(r)})`,
        for :math:`r = 0..r^*` (0 for :math:`r \le 1`).
    offer_success : numpy.ndarray
        :math:`S(r) = 1 - \psi(\varphi_r)`: the success of an offer of :math:`r` to the root's
        children, :math:`r = 0..r^*`.
    failure : numpy.ndarray
        :math:`\varphi_r` for :math:`r = 0..r^*`.
    saturation : float
        :math:`\sup_r S(r) = 1 - \psi(\varphi^*)`.
    status : str
        ``"reached"``.
    iterations : int
        Rewards evaluated (:math:`r^* + 1`).
    method : str
        ``"envelope"`` (Li Chao tree, :math:`O(R \log R)`), ``"scan"`` (:math:`O(R^2)`) or
        ``"benchmark"`` (the full-propagation benchmark).
    contract : str
        ``"fixed"`` or ``"full_propagation"``.
    effort : str
        ``"floor"`` or ``"cost"``.
    """

    reward: int
    offer: int
    offers: np.ndarray
    success: np.ndarray
    offer_success: np.ndarray
    failure: np.ndarray
    saturation: float
    status: str
    iterations: int
    method: str
    contract: str
    effort: str


@dataclass(frozen=True, repr=False)
class SplitContractResult(ResultMixin):
    r"""Equilibrium of the strategic split-contract game and the investment it needs.

    Attributes
    ----------
    reward : int
        The smallest bounty :math:`R` (the asker's investment) at which the equilibrium finds the
        answer with probability at least :math:`\sigma`.
    split : float
        The split the asker demands from its recruits at :math:`R` (its best for success).
    success : float
        The probability of success at :math:`R`.
    refund : float
        The expected amount handed back up to the asker at :math:`R` (0 when nothing is found);
        its expected net cost is ``success * reward - refund``.
    splits : numpy.ndarray
        The splits demanded along the equilibrium chain: ``splits[0]`` by the asker, ``splits[d]``
        by every participant at depth :math:`d` (all of them are in the same state). Its length
        is the deepest level from which an answer can still reach the asker.
    success_curve : numpy.ndarray
        Success probability at every bounty from ``lower_bound`` to :math:`R`.
    lower_bound : int
        The full-propagation bound where the scan started: no bounty below it can succeed.
    saturation : float
        :func:`success_supremum`: no rule does better.
    status : str
        ``"reached"``.
    iterations : int
        Bounties solved (from ``lower_bound`` to :math:`R`).
    method : str
        ``"backward_induction"``.
    effort : str
        ``"floor"`` or ``"cost"``.
    resolution : int
        :math:`K`, grid points per factor :math:`e` of the split.
    """

    reward: int
    split: float
    success: float
    refund: float
    splits: np.ndarray
    success_curve: np.ndarray
    lower_bound: int
    saturation: float
    status: str
    iterations: int
    method: str
    effort: str
    resolution: int


def success_supremum(offspring, n):
    r"""The supremum :math:`1 - \psi(\varphi^*)` of the root's success probability.

    :math:`\varphi^*` is the smallest fixed point of :math:`\varphi = (1 - 1/n)\psi(\varphi)`:
    the probability that no node of the whole tree both holds the answer and is reached.

    Parameters
    ----------
    offspring : frozen scipy.stats discrete distribution, OffspringLaw or pmf array
    n : float
        Rarity: each node holds the answer with probability ``1/n``, ``n > 1``.

    Returns
    -------
    float

    Examples
    --------
    >>> import scipy.stats
    >>> from incnet.mechanisms import success_supremum
    >>> round(success_supremum(scipy.stats.poisson(1.5), 1e4), 4)
    0.5829
    """
    law = as_offspring(offspring)
    n = _check_rarity(n)
    return _success_supremum(law, n)


def _success_supremum(law, n):
    phi_star, psi_star = _smallest_fixed_point(law, 1.0 - 1.0 / n)
    return float(1.0 - psi_star)


def _smallest_fixed_point(law, keep, tol=1e-15, max_iter=200):
    """Smallest root of g(s) = keep * psi(s) - s in [0, 1], and psi there.

    Newton's method from s = 0 (one compiled loop): g is convex with g(0) = keep * p_0 >= 0 and
    g'(0) = keep * p_1 - 1 < 0, so the iterates increase monotonically to the smallest root
    (quadratically near a simple one); the monotone fixed-point iteration finishes the rare
    double-root case.
    """
    values = np.empty(2)
    s = _smallest_fixed_point_kernel(_pmf_array(law), float(keep), float(tol), int(max_iter), values)
    g, psi = values
    if g > 1e-12:
        s = law.extinction_probability(scale=keep)
        psi = float(law.pgf(s))
    return float(s), float(psi)


def _pmf_array(law):
    # the read-only C-contiguous float64 pmf every query kernel is compiled for
    return law.pmf if law.pmf.flags.c_contiguous else np.ascontiguousarray(law.pmf)


def _check_rarity(n):
    n = check_positive(n, "n")
    if n <= 1:
        raise InvalidInputError(f"n must be > 1 (each node holds the answer with probability 1/n), got {n}")
    return n


#: Largest ``max_reward`` of :func:`query_incentive_equilibrium`: three arrays of that length
#: (about 2.2 GiB); the quadratic scan stops earlier, at :data:`_MAX_SCAN_REWARD`.
_MAX_REWARD = 10**8
_MAX_SCAN_REWARD = 2**17


def _full_propagation(law, answer_prob, sigma, max_reward):
    """The benchmark f(r) = r - 1: every node on the answer path keeps exactly one unit."""
    keep = 1.0 - answer_prob
    failure = [1.0]
    offer_success = [float(1.0 - law.pgf(1.0))]
    r = 0
    while r < 2 or offer_success[r - 1] < sigma:
        r += 1
        if r > max_reward:
            return None
        failure.append(keep * float(law.pgf(failure[-1])))
        offer_success.append(float(1.0 - law.pgf(failure[-1])))
    offers = np.maximum(np.arange(r + 1, dtype=np.int64) - 1, 0)
    offers[:2] = 0
    return r, offers, np.array(offer_success), np.array(failure)


def query_incentive_equilibrium(offspring, n, sigma, *, contract="fixed", effort="floor", method="envelope",
                                max_reward=10_000_000):
    r"""Smallest root utility that finds a rare answer with probability ``sigma``, and the offers.

    Kleinberg & Raghavan's fixed-payment game on a Galton–Watson tree with a strategic root
    (module docstring :mod:`incnet.mechanisms.query` for the recursion): the root values the
    answer at :math:`r^*`, offers :math:`f(r^*)` to its children like every other node, and
    succeeds with probability :math:`1 - \psi(\varphi_{f(r^*)})`.

    Parameters
    ----------
    offspring : frozen scipy.stats discrete distribution, OffspringLaw or pmf array
        Offspring law of the Galton–Watson tree, e.g. ``scipy.stats.poisson(1.5)``.
    n : float
        Rarity: each node holds the answer with probability ``1/n`` (``n > 1``).
    sigma : float
        Target success probability, in ``(0, 1)`` and below :func:`success_supremum`.
    contract : {"fixed", "full_propagation"}
        ``"fixed"``: Kleinberg & Raghavan's fixed-payment contracts, every node (the root
        included) choosing its offer :math:`f(r)` strategically. ``"full_propagation"``: a
        **benchmark**, not an equilibrium: every node on the answer path keeps exactly one unit,
        :math:`f(r) = r - 1`, so a reward of :math:`r` reaches depth :math:`r`. No rule in which
        each node on the path keeps a unit needs less; it is the lower bound the equilibria are
        compared with. (For the split-contract game use :func:`split_contract_equilibrium`.)
    effort : {"floor", "cost"}
        How the unit of effort every node on the answer path must receive enters the payoff.
        ``"floor"`` (default, :math:`c = 0`): it is a floor on what a forwarding node keeps
        (:math:`f(r) \le r - 1`) and the node maximises :math:`(r - x)\,q_x`. ``"cost"``
        (:math:`c = 1`): it is also a cost deducted from the node's payoff,
        :math:`(r - x - 1)\,q_x`. Which reading Kleinberg & Raghavan use could not be checked
        against their text; the default is the floor because it is the one under which
        forwarding is strictly better than abstaining for every node that can forward at all
        (under the cost reading a node offered 2 earns exactly 0 either way, so whether it takes
        part hangs on a tie the model does not break). The two give different offers (see the
        Examples); the threshold at :math:`b = 2` appears under both. The benchmark ignores it.
    method : {"envelope", "scan"}
        For fixed contracts: ``"envelope"`` maximises over all earlier offers with a Li Chao tree
        (upper envelope of the lines :math:`r \mapsto (r - x - c)\,q_x`), :math:`O(R \log R)`;
        ``"scan"`` tries every :math:`x`, :math:`O(R^2)` (the reference; it gives up beyond
        :math:`R = 2^{17}` and points to ``"envelope"``).
    max_reward : int, default 10_000_000
        Give up beyond this reward (memory grows by about 24 bytes per unit of reward); at most
        :math:`10^8`.

    Returns
    -------
    QueryIncentiveResult
        ``reward`` (:math:`r^*`), ``offer`` (:math:`f(r^*)`), ``offers`` (:math:`f`), ``success``
        (the root's success at each utility) and ``offer_success`` (:math:`S(r)`).

    Raises
    ------
    InvalidInputError
        For ``sigma`` at or above the supremum of the success probability (unreachable whatever
        the reward), ``n <= 1``, a bad offspring law or an unknown ``contract``/``effort``.
    ConvergenceError
        When no reward up to ``max_reward`` reaches ``sigma``, or the scan would pass
        :math:`R = 2^{17}`.

    Notes
    -----
    The argmax defining :math:`f(r)` is taken over every :math:`x` — the objective is not
    unimodal in :math:`x`, so a local search is wrong. Both methods break ties towards the
    smallest :math:`x` and evaluate :math:`(r - x - c)\,q_x` in the same floating-point order,
    so they return identical schedules. The reward bound is found by quadrupling a trial horizon,
    so the total work is a constant times that of the final horizon.

    References
    ----------
    Kleinberg, J., Raghavan, P. (2005). Query incentive networks. *FOCS 2005*, 132–141.

    Arcaute, E., Kirsch, A., Kumar, R., Liben-Nowell, D., Vassilvitskii, S. (2007). On threshold
    behavior in query incentive networks. *EC 2007*, 66–74.

    Examples
    --------
    >>> import scipy.stats
    >>> from incnet.mechanisms import query_incentive_equilibrium

    Below the threshold (b = 1.5) the root needs a utility polynomial in n; the full-propagation
    benchmark only one linear in the depth of the nearest answer:

    >>> law = scipy.stats.poisson(1.5)
    >>> fixed = query_incentive_equilibrium(law, 1e4, 0.3)
    >>> bench = query_incentive_equilibrium(law, 1e4, 0.3, contract="full_propagation")
    >>> fixed.reward, fixed.offer, bench.reward
    (948501, 245994, 20)

    The two effort conventions on a binary tree with n = 10 (offers for r = 2..8):

    >>> tree = [0.0, 0.0, 1.0]
    >>> query_incentive_equilibrium(tree, 10, 0.95).offers[2:9].tolist()
    [1, 2, 2, 3, 3, 3, 3]
    >>> query_incentive_equilibrium(tree, 10, 0.95, effort="cost").offers[2:9].tolist()
    [1, 1, 2, 2, 2, 2, 2]
    """
    law = as_offspring(offspring)
    n = _check_rarity(n)
    sigma = check_probability(sigma, "sigma", open_left=True, open_right=True)
    if contract == "split":
        raise InvalidInputError(
            "contract='split' is gone: the game with strategic split contracts is solved by "
            "split_contract_equilibrium(offspring, n, sigma), and the old numbers (every node keeps one "
            "unit) are the benchmark contract='full_propagation'"
        )
    contract = check_method(contract, ("fixed", "full_propagation"), name="contract")
    effort = check_method(effort, tuple(_EFFORT), name="effort")
    method = check_method(method, ("envelope", "scan"))
    max_reward = check_int(max_reward, "max_reward", minimum=2)
    if max_reward > _MAX_REWARD:
        raise InvalidInputError(
            f"max_reward = {max_reward} would need up to {24 * (max_reward + 1) / 2**30:.1f} GiB of "
            f"work arrays; the limit is {_MAX_REWARD:.0e} ({24 * (_MAX_REWARD + 1) / 2**30:.1f} GiB). "
            "A reward that large means the answer is too rare for this branching process: lower n or "
            "sigma"
        )
    saturation = _check_reachable(law, n, sigma)
    answer_prob = 1.0 / n
    if contract == "full_propagation":
        found = _full_propagation(law, answer_prob, sigma, max_reward)
        if found is None:
            raise ConvergenceError(f"no reward up to max_reward = {max_reward} reaches sigma = {sigma}",
                                   iterations=max_reward)
        reward, offers, offer_success, failure = found
        return _query_result(reward, offers, offer_success, failure, saturation, "benchmark",
                             "full_propagation", effort)
    kernel = _query_incentive_envelope_kernel if method == "envelope" else _query_incentive_scan_kernel
    coef = _pmf_array(law)
    horizon = min(1024, max_reward)
    while True:
        offers = np.zeros(horizon + 1, dtype=np.int64)
        failure = np.zeros(horizon + 1)
        offer_success = np.zeros(horizon + 1)
        reward = int(kernel(coef, answer_prob, horizon, sigma, _EFFORT[effort], offers, failure, offer_success))
        if reward >= 0:
            stop = reward + 1
            return _query_result(reward, offers[:stop].copy(), offer_success[:stop].copy(),
                                 failure[:stop].copy(), saturation, method, "fixed", effort)
        if horizon >= max_reward:
            reached = float(offer_success[offers[-1]])
            raise ConvergenceError(
                f"no reward up to max_reward = {max_reward} reaches sigma = {sigma} "
                f"(success {reached:.6g} at utility {horizon}, supremum {saturation:.6g}); raise "
                "max_reward or lower sigma",
                last_iterate=offer_success, iterations=horizon,
            )
        horizon = min(4 * horizon, max_reward)
        if method == "scan" and horizon > _MAX_SCAN_REWARD:
            raise ConvergenceError(
                f"no reward up to {horizon // 4} reaches sigma = {sigma}, and the scan costs "
                f"O(R^2) steps (about {horizon ** 2:.1e} at R = {horizon}); use "
                "method='envelope', which finds the same reward in O(R log R)",
                last_iterate=offer_success, iterations=horizon // 4,
            )


def _check_reachable(law, n, sigma):
    saturation = _success_supremum(law, n)
    # the supremum is approached but never reached; leave room for rounding in phi*
    if sigma >= saturation - 1e-12:
        raise InvalidInputError(
            f"sigma = {sigma} is unreachable: the success probability saturates at "
            f"{saturation:.6g} = 1 - psi(phi*) (everybody searching) for {law!r} and n = {n:g}; "
            f"choose sigma below it"
        )
    return saturation


def _query_result(reward, offers, offer_success, failure, saturation, method, contract, effort):
    success = np.zeros(reward + 1)
    success[2:] = offer_success[offers[2:]]
    return QueryIncentiveResult(reward, int(offers[reward]), offers, success, offer_success, failure, saturation,
                                "reached", reward + 1, method, contract, effort)


def _split_game(coef, answer_prob, reward, resolution, effort):
    """Solve the split-contract game at one bounty.

    Returns (success, asker's split index, expected refund, split indices along the equilibrium
    chain from the asker down).
    """
    rho = math.exp(-1.0 / resolution)
    top = int(math.floor(resolution * math.log(reward) + 1e-9)) if reward >= 1 else 0
    if top < 1:
        return 0.0, 0, 0.0, []
    a = np.arange(top + 1, dtype=np.float64)
    with np.errstate(divide="ignore"):
        kept = np.log((1.0 - rho**a) * reward)
    caps = np.where(np.isfinite(kept), np.floor(resolution * kept + 1e-9), -1).astype(np.int64)
    caps = np.minimum(np.maximum(caps, -1), top)
    caps[0] = -1
    policy = np.zeros((top + 1, top + 1), dtype=np.int64)
    cand = np.zeros((top + 1, top + 1))
    deliver = np.zeros((top + 1, top + 1, top + 1))
    _split_contract_kernel(coef, answer_prob, float(reward), rho, float(effort), caps, policy, cand, deliver)
    # the asker accepts any answer: its recruits given split b are in state (b, caps[b]); it picks
    # the split that maximises success, ties to the highest split (the largest refund)
    best, best_b, refund = 0.0, 0, 0.0
    for b in range(1, top + 1):
        cc = int(caps[b])
        if cc < 0:
            continue
        cum = np.cumsum(deliver[b, cc, :cc + 1])
        got = 1.0 - float(np.polynomial.polynomial.polyval(1.0 - cum[-1], coef))
        if got > best:
            mins = 1.0 - np.polynomial.polynomial.polyval(1.0 - cum, coef)
            pmf = np.diff(np.concatenate([[0.0], mins]))
            best, best_b = got, b
            refund = float(reward * np.sum(pmf * rho ** (b + np.arange(cc + 1))))
    chain = []
    if best_b:
        chain.append(best_b)
        state, bound = best_b, int(caps[best_b])
        while bound >= 1 and policy[state, bound] > 0:
            nxt = int(policy[state, bound])
            chain.append(nxt)
            state, bound = nxt, min(int(caps[nxt]), bound - nxt)
    return best, best_b, refund, chain


def split_contract_equilibrium(offspring, n, sigma, *, effort="floor", resolution=32, max_reward=2_000):
    r"""Investment the asker needs under strategic split contracts, and the equilibrium splits.

    The split-contract game of Cebrian, Coviello, Vattani & Voulgaris (2012) on a Galton–Watson
    tree, solved by backward induction. The asker posts a bounty :math:`R` (an integer, its
    investment). A node recruited under a contract with split :math:`s` must hand the fraction
    :math:`s` of its own reward up to its recruiter: the holder of the answer receives :math:`R`,
    keeps :math:`(1 - s)R` and hands :math:`sR` up, and a node whose recruit hands up :math:`I`
    keeps :math:`(1 - s)I` of it and hands :math:`sI` up, the asker receiving the rest. Each node
    chooses the split it demands from its own recruits (the asker too), knowing the contracts on
    its chain up to the asker. The bounty is paid only when the answer reaches the asker, and a
    node forwards an answer only if it keeps at least one unit of it (the unit of effort of
    :func:`query_incentive_equilibrium`), so an answer reaches the asker only if every node on
    its path keeps a unit. With ``effort="floor"`` a node maximises its expected kept amount,
    with ``effort="cost"`` that amount net of the unit. The asker picks the split that maximises
    its success (ties: the highest split, i.e. the largest refund).

    Splits lie on the grid :math:`s_a = e^{-a/K}` (:math:`K` = ``resolution``), which makes every
    amount that flows :math:`R e^{-J/K}` for an integer :math:`J` (the sum of the split indices
    between the holder and the node). A node's state is the split it was given and the largest
    :math:`J` it can forward such that it and everybody above it keeps a unit; its recruits'
    bound is smaller by at least the split index it demands, so one pass of backward induction
    over the bound solves the game exactly, :math:`O(C^3)` with :math:`C = K \ln R`. Every
    participant keeps a unit, so an answer deeper than :math:`R` is never delivered: the bounty
    is scanned upwards from the full-propagation bound (the smallest :math:`R` whose tree holds
    an answer within depth :math:`R` with probability :math:`\sigma`; see
    ``query_incentive_equilibrium(..., contract="full_propagation")``). The success is not
    monotone in :math:`R`; the answer is the first bounty that reaches :math:`\sigma`.

    Parameters
    ----------
    offspring : frozen scipy.stats discrete distribution, OffspringLaw or pmf array
    n : float
        Rarity: each node holds the answer with probability ``1/n`` (``n > 1``).
    sigma : float
        Target success probability, below :func:`success_supremum`.
    effort : {"floor", "cost"}
        As in :func:`query_incentive_equilibrium`.
    resolution : int, default 32
        :math:`K \ge 1`: grid points per factor :math:`e` of the split; the highest split on
        the grid is :math:`e^{-1/K}`. A chain of :math:`d` nodes that all demand it hands the
        asker only :math:`e^{-d/K}` of the bounty, so the grid must be fine compared with the
        depth of the nearest answer (:math:`K \gtrsim \ln n / \ln b`); beyond that depth a
        fixed grid itself makes the investment grow exponentially. Finer grids lower the
        investment by a few units (see the tests) at a cost growing like :math:`K^3`.
    max_reward : int, default 2000
        Give up beyond this bounty.

    Returns
    -------
    SplitContractResult

    Raises
    ------
    InvalidInputError
        For an unreachable ``sigma``, ``n <= 1``, a bad offspring law or resolution.
    ConvergenceError
        When no bounty up to ``max_reward`` reaches ``sigma`` (the grid may saturate below the
        supremum; a finer ``resolution`` helps).

    Notes
    -----
    Cebrian et al. prove that with strategic splits an investment **linear** in the expected
    distance to the nearest answer suffices for every Galton–Watson process with :math:`b > 1`,
    where fixed-payment contracts need one exponential in it for :math:`1 < b < 2`. The paper's
    equilibrium strategies were not available to incnet; this function computes the equilibrium
    of the game as stated above (incnet's formalisation of the paper's contract, with the effort
    unit of Kleinberg & Raghavan), and the tests check the linear-versus-exponential growth.
    Cost: :math:`O(C^3)` per bounty, for every bounty from the lower bound to the answer.

    References
    ----------
    Cebrian, M., Coviello, L., Vattani, A., Voulgaris, P. (2012). Finding red balloons with split
    contracts: robustness to individuals' selfishness. *STOC 2012*, 775–788.

    Kleinberg, J., Raghavan, P. (2005). Query incentive networks. *FOCS 2005*, 132–141.

    Examples
    --------
    >>> import scipy.stats
    >>> from incnet.mechanisms import split_contract_equilibrium
    >>> law = scipy.stats.poisson(1.5)
    >>> [split_contract_equilibrium(law, n, 0.3).reward for n in (1e2, 1e3, 1e4)]
    [11, 17, 26]
    """
    law = as_offspring(offspring)
    n = _check_rarity(n)
    sigma = check_probability(sigma, "sigma", open_left=True, open_right=True)
    effort = check_method(effort, tuple(_EFFORT), name="effort")
    resolution = check_int(resolution, "resolution", minimum=1)
    max_reward = check_int(max_reward, "max_reward", minimum=2)
    saturation = _check_reachable(law, n, sigma)
    coef = _pmf_array(law)
    keep, phi, lower = 1.0 - 1.0 / n, 1.0, 0
    while 1.0 - float(law.pgf(phi)) < sigma:  # the full-propagation bound: S(R) >= sigma
        phi = keep * float(law.pgf(phi))
        lower += 1
        if lower > max_reward:
            break
    lower = max(lower, 2)
    curve = []
    for reward in range(lower, max_reward + 1):
        success, root, refund, chain = _split_game(coef, 1.0 / n, reward, resolution, _EFFORT[effort])
        curve.append(success)
        if success >= sigma:
            splits = np.exp(-np.array(chain, dtype=np.float64) / resolution)
            return SplitContractResult(reward, float(splits[0]), float(success), refund, splits, np.array(curve),
                                       lower, saturation, "reached", reward - lower + 1, "backward_induction",
                                       effort, resolution)
    raise ConvergenceError(
        f"no bounty up to max_reward = {max_reward} reaches sigma = {sigma} under split contracts "
        f"(success {curve[-1] if curve else 0.0:.6g}; supremum {saturation:.6g}); raise max_reward or "
        "resolution, or lower sigma",
        last_iterate=np.array(curve), iterations=max_reward,
    )
