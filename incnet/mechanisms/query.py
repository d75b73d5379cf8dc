r"""Query incentive networks: the reward a root must offer to get a rare answer through a tree.

The model of Kleinberg & Raghavan (FOCS 2005), on any Galton–Watson tree (Arcaute et al.,
EC 2007). Each node holds the answer independently with probability :math:`1/n`; the tree has
offspring generating function :math:`\psi`. Rewards are integers. A node offered :math:`r` that
holds the answer returns it and is paid :math:`r`; otherwise it offers :math:`f(r) \in \{1, \dots,
r-1\}` to each of its children and keeps :math:`r - f(r)` if an answer comes back through it. With
:math:`\varphi_r` the probability that a node offered :math:`r` fails to deliver,

.. math::

    \varphi_0 = 1, \qquad \varphi_1 = 1 - \tfrac1n, \qquad
    f(r) = \operatorname*{arg\,max}_{1 \le x \le r-1} (r - x)\,\bigl(1 - \psi(\varphi_x)\bigr), \qquad
    \varphi_r = \bigl(1 - \tfrac1n\bigr)\,\psi(\varphi_{f(r)}),

with ties going to the smallest :math:`x`, and the root that offers :math:`r` to its children
succeeds with probability :math:`S(r) = 1 - \psi(\varphi_r)`. As :math:`r` grows, :math:`S(r)`
saturates at :math:`1 - \psi(\varphi^*)` with :math:`\varphi^*` the smallest fixed point of
:math:`\varphi = (1 - 1/n)\psi(\varphi)`: the success of a search in which everybody takes part.

**Threshold at b = 2** (mean offspring :math:`b`): the smallest reward :math:`R` with
:math:`S(R) \ge \sigma` grows like :math:`\log n` for :math:`b > 2` and polynomially in :math:`n`
for :math:`1 < b < 2` (Kleinberg & Raghavan 2005, Arcaute et al. 2007).

**Split contracts** (Cebrian et al., STOC 2012): when each recruit passes a share of its reward
to its recruiter instead of being paid out of its recruiter's pocket, strategic splits in which
every node on the answer path keeps one unit are an equilibrium, so a reward of :math:`R` reaches
depth :math:`R`: :math:`\varphi_r = (1 - 1/n)\psi(\varphi_{r-1})`. The reward needed is then
linear in the expected depth of the nearest answer, :math:`O(\log n / \log b)`, for every
:math:`b > 1`: the threshold vanishes.
"""

from dataclasses import dataclass

import numpy as np

from .._kernels.mechanisms import _query_incentive_envelope_kernel, _query_incentive_scan_kernel
from .._results import ResultMixin
from .._validate import check_int, check_method, check_probability, check_positive
from ..branching import as_offspring
from ..errors import ConvergenceError, InvalidInputError

__all__ = ["QueryIncentiveResult", "query_incentive_equilibrium", "success_supremum"]


@dataclass(frozen=True, repr=False)
class QueryIncentiveResult(ResultMixin):
    """Equilibrium of a query incentive network.

    Attributes
    ----------
    reward : int
        The smallest root reward :math:`R` with :math:`S(R) \\ge \\sigma`.
    offers : numpy.ndarray
        int64 :math:`f(r)` for :math:`r = 0..R` (0 where no offer is possible, :math:`r \\le 1`).
    success : numpy.ndarray
        :math:`S(r)` for :math:`r = 0..R`.
    failure : numpy.ndarray
        :math:`\\varphi_r` for :math:`r = 0..R`.
    saturation : float
        :math:`\\sup_r S(r) = 1 - \\psi(\\varphi^*)`.
    status : str
        ``"reached"``.
    iterations : int
        Rewards evaluated (:math:`R + 1`).
    method : str
        ``"envelope"`` (Li Chao tree, :math:`O(R \\log R)`), ``"scan"`` (:math:`O(R^2)`) or
        ``"split"`` (split contracts).
    contract : str
        ``"fixed"`` or ``"split"``.
    """

    reward: int
    offers: np.ndarray
    success: np.ndarray
    failure: np.ndarray
    saturation: float
    status: str
    iterations: int
    method: str
    contract: str


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
    phi_star = _smallest_fixed_point(law, 1.0 - 1.0 / n)
    return float(1.0 - law.pgf(phi_star))


def _smallest_fixed_point(law, keep, tol=1e-15, max_iter=200):
    """Smallest root of g(s) = keep * psi(s) - s in [0, 1], by Newton's method from s = 0.

    g is convex with g(0) = keep * p_0 >= 0 and g'(0) = keep * p_1 - 1 < 0, so Newton's iterates
    from 0 increase monotonically to the smallest root (quadratically near a simple one); the
    monotone fixed-point iteration finishes the rare double-root case.
    """
    s = 0.0
    for _ in range(max_iter):
        g = keep * float(law.pgf(s)) - s
        slope = keep * float(law.pgf_derivative(s)) - 1.0
        if g <= tol or slope >= 0.0:
            break
        s = min(1.0, s - g / slope)
    return law.extinction_probability(scale=keep) if g > 1e-12 else s


def _check_rarity(n):
    n = check_positive(n, "n")
    if n <= 1:
        raise InvalidInputError(f"n must be > 1 (each node holds the answer with probability 1/n), got {n}")
    return n


def _split_contract(law, answer_prob, sigma, max_reward):
    keep = 1.0 - answer_prob
    failure = [1.0]
    success = [float(1.0 - law.pgf(1.0))]
    r = 0
    while success[-1] < sigma:
        r += 1
        if r > max_reward:
            return None
        failure.append(keep * float(law.pgf(failure[-1])))
        success.append(float(1.0 - law.pgf(failure[-1])))
    offers = np.maximum(np.arange(r + 1, dtype=np.int64) - 1, 0)
    offers[:2] = 0
    return r, offers, np.array(success), np.array(failure)


def query_incentive_equilibrium(offspring, n, sigma, *, contract="fixed", method="envelope",
                                max_reward=10_000_000):
    r"""Smallest root reward that finds a rare answer with probability ``sigma``, and the offers.

    Parameters
    ----------
    offspring : frozen scipy.stats discrete distribution, OffspringLaw or pmf array
        Offspring law of the Galton–Watson tree, e.g. ``scipy.stats.poisson(1.5)``.
    n : float
        Rarity: each node holds the answer with probability ``1/n`` (``n > 1``).
    sigma : float
        Target success probability, in ``(0, 1)`` and below :func:`success_supremum`.
    contract : {"fixed", "split"}
        ``"fixed"``: Kleinberg & Raghavan's fixed-payment contracts, each node choosing its offer
        :math:`f(r)` strategically. ``"split"``: split contracts (Cebrian et al. 2012) in the
        equilibrium where every node on the answer path keeps one unit (:math:`f(r) = r - 1`).
    method : {"envelope", "scan"}
        For fixed contracts: ``"envelope"`` maximises over all earlier offers with a Li Chao tree
        (upper envelope of the lines :math:`r \mapsto (r - x)(1 - \psi(\varphi_x))`),
        :math:`O(R \log R)`; ``"scan"`` tries every :math:`x`, :math:`O(R^2)` (the reference).
    max_reward : int, default 10_000_000
        Give up beyond this reward (memory grows by about 50 bytes per unit of reward).

    Returns
    -------
    QueryIncentiveResult
        ``reward`` (:math:`R`), ``offers`` (:math:`f`), ``success`` (:math:`S(r)`, r = 0..R).

    Raises
    ------
    InvalidInputError
        For ``sigma`` at or above the supremum of the success probability (unreachable whatever
        the reward), ``n <= 1`` or a bad offspring law.
    ConvergenceError
        When no reward up to ``max_reward`` reaches ``sigma``.

    Notes
    -----
    The argmax defining :math:`f(r)` is taken over every :math:`x` — the objective is not
    unimodal in :math:`x`, so a local search is wrong. Both methods break ties towards the
    smallest :math:`x` and evaluate :math:`(r - x) q_x` in the same floating-point order, so
    they return identical schedules. The reward bound is found by quadrupling a trial horizon,
    so the total work is a constant times that of the final horizon.

    References
    ----------
    Kleinberg, J., Raghavan, P. (2005). Query incentive networks. *FOCS 2005*, 132–141.

    Arcaute, E., Kirsch, A., Kumar, R., Liben-Nowell, D., Vassilvitskii, S. (2007). On threshold
    behavior in query incentive networks. *EC 2007*, 66–74.

    Cebrian, M., Coviello, L., Vattani, A., Voulgaris, P. (2012). Finding red balloons with split
    contracts: robustness to individuals' selfishness. *STOC 2012*, 775–788.

    Examples
    --------
    >>> import scipy.stats
    >>> from incnet.mechanisms import query_incentive_equilibrium

    Below the threshold (b = 1.5) fixed payments need a reward polynomial in n; split contracts
    need one linear in the depth of the nearest answer:

    >>> law = scipy.stats.poisson(1.5)
    >>> fixed = query_incentive_equilibrium(law, 1e4, 0.3)
    >>> split = query_incentive_equilibrium(law, 1e4, 0.3, contract="split")
    >>> fixed.reward, split.reward
    (245994, 19)
    >>> round(float(fixed.success[-1]), 4), int(fixed.offers[-1])
    (0.3263, 77694)
    """
    law = as_offspring(offspring)
    n = _check_rarity(n)
    sigma = check_probability(sigma, "sigma", open_left=True, open_right=True)
    contract = check_method(contract, ("fixed", "split"), name="contract")
    method = check_method(method, ("envelope", "scan"))
    max_reward = check_int(max_reward, "max_reward", minimum=1)
    if max_reward > 2**31 - 2:
        raise InvalidInputError(f"max_reward must be below 2**31 - 1, got {max_reward}")
    saturation = success_supremum(law, n)
    # the supremum is approached but never reached; leave room for rounding in phi*
    if sigma >= saturation - 1e-12:
        raise InvalidInputError(
            f"sigma = {sigma} is unreachable: the success probability saturates at "
            f"{saturation:.6g} = 1 - psi(phi*) (everybody searching) for {law!r} and n = {n:g}; "
            f"choose sigma below it"
        )
    answer_prob = 1.0 / n
    if contract == "split":
        found = _split_contract(law, answer_prob, sigma, max_reward)
        if found is None:
            raise ConvergenceError(f"no reward up to max_reward = {max_reward} reaches sigma = {sigma}",
                                   iterations=max_reward)
        reward, offers, success, failure = found
        return QueryIncentiveResult(reward, offers, success, failure, saturation, "reached", reward + 1,
                                    "split", "split")
    kernel = _query_incentive_envelope_kernel if method == "envelope" else _query_incentive_scan_kernel
    coef = np.ascontiguousarray(law.pmf, dtype=np.float64)
    horizon = min(1024, max_reward)
    while True:
        offers = np.zeros(horizon + 1, dtype=np.int64)
        failure = np.zeros(horizon + 1)
        success = np.zeros(horizon + 1)
        reward = int(kernel(coef, answer_prob, horizon, sigma, offers, failure, success))
        if reward >= 0:
            stop = reward + 1
            return QueryIncentiveResult(reward, offers[:stop].copy(), success[:stop].copy(),
                                        failure[:stop].copy(), saturation, "reached", stop, method, "fixed")
        if horizon >= max_reward:
            raise ConvergenceError(
                f"no reward up to max_reward = {max_reward} reaches sigma = {sigma} "
                f"(S({horizon}) = {success[-1]:.6g}, supremum {saturation:.6g}); raise max_reward or lower sigma",
                last_iterate=success, iterations=horizon,
            )
        horizon = min(4 * horizon, max_reward)
