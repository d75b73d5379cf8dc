r"""Referral rules designed to resist sybil attacks (fake identities).

A **sybil attack** replaces one node by a chain of :math:`k` identities it controls, distributing
its recruits and its own contribution among them. On a single referral chain of length :math:`L`
the node at position :math:`i` (0 = the finder) that inserts :math:`m` fake identities directly
below or above itself collects positions :math:`i, \dots, i + m` of a chain of length
:math:`L + m`; a chain-additive rule is sybil-proof exactly when

.. math:: \sum_{k=i}^{i+m} p_{L+m}[k] \;\le\; p_L[i]
          \qquad \text{for all } L \ge 1,\; 0 \le i < L,\; m \ge 1 .

The recursive split violates this at :math:`i = 0, m = 1` (:math:`r + r\rho > r`); finder-only
satisfies it trivially. The rules here satisfy it while still paying recruiters;
:func:`~incnet.mechanisms.check_sybil_proof` confirms it by exhaustive search.
"""

import numpy as np

from .._validate import CHAIN_LIMIT, check_int, check_nonnegative, check_positive, check_probability
from ..errors import InvalidInputError
from ._base import Mechanism

__all__ = ["DirectReferral", "LengthDiscountedSplit"]


class DirectReferral(Mechanism):
    r"""A direct-referral (DR) rule after Chen, Wang, Yu & Zhang (EC 2013).

    Chen et al. define the *direct referral* (DR) family for query incentive networks, which
    allocates most of the reward to the answer holder and to its direct parent (its direct
    referral). The rule below is incnet's reconstruction of that idea, not a transcription of the
    paper's formulas: the holder's reward falls with its depth by exactly what a direct referrer
    earns, so posing as one's own referrer never pays, and farther ancestors (to whom Chen et al.
    give the small remainder) get nothing. For a chain of length :math:`L` (holder at position 0,
    direct referrer at position 1):

    .. math::

        p_L[0] = A - \beta (L - 1), \qquad p_L[1] = \beta, \qquad p_L[k] = 0 \ (k \ge 2),

    for :math:`L \le H`, and nothing at all for chains longer than the horizon :math:`H`. The
    condition :math:`A \ge \beta (H - 1)` keeps every payment non-negative. Sybil-proofness: a
    holder who inserts :math:`m` identities collects
    :math:`A - \beta(L + m - 1) + \beta \le p_L[0]`; the direct referrer still collects
    :math:`\beta`; farther ancestors get nothing either way. The budget is :math:`A` (paid in full
    on chains of length 1 and 2).

    Chen et al.'s other claims — an expected cost of :math:`O(h^2)` to propagate the query
    :math:`h` levels for every :math:`b > 1`, and optimality on a deterministic chain — are
    statements about their mechanisms; incnet neither claims nor tests them for this one.

    Parameters
    ----------
    holder_reward : float
        :math:`A > 0`, the holder's reward at depth 0.
    referral_reward : float
        :math:`\beta \ge 0`, paid to the direct referrer; also the holder's loss per level.
    max_depth : int
        :math:`H \ge 1`: chains longer than this are not paid.

    Raises
    ------
    InvalidInputError
        If :math:`A < \beta (H - 1)` (the deepest holder would be charged).

    References
    ----------
    Chen, W., Wang, Y., Yu, D., Zhang, L. (2013). Sybil-proof mechanisms in query incentive
    networks. *EC 2013*, 197–214. arXiv:1304.7432.

    Examples
    --------
    >>> from incnet.mechanisms import DirectReferral
    >>> dr = DirectReferral(100, 10, max_depth=6)
    >>> dr.chain_payments(4).tolist(), dr.budget
    ([70.0, 10.0, 0.0, 0.0], 100.0)
    """

    _repr_fields = ("holder_reward", "referral_reward", "max_depth")

    def __init__(self, holder_reward, referral_reward, max_depth):
        self.holder_reward = check_positive(holder_reward, "holder_reward")
        self.referral_reward = check_nonnegative(referral_reward, "referral_reward")
        self.max_depth = check_int(max_depth, "max_depth", minimum=1)
        deepest = self.holder_reward - self.referral_reward * (self.max_depth - 1)
        if deepest < 0:
            raise InvalidInputError(
                f"holder_reward {self.holder_reward} is below referral_reward * (max_depth - 1) = "
                f"{self.referral_reward * (self.max_depth - 1)}; the holder at depth {self.max_depth} "
                "would be charged. Raise holder_reward or lower max_depth"
            )
        self._freeze()

    @property
    def budget(self):
        return self.holder_reward

    def chain_payments(self, length):
        length = check_int(length, "length", minimum=0, maximum=CHAIN_LIMIT)
        out = np.zeros(length)
        if 0 < length <= self.max_depth:
            out[0] = self.holder_reward - self.referral_reward * (length - 1)
            if length >= 2:
                out[1] = self.referral_reward
        return out


class LengthDiscountedSplit(Mechanism):
    r"""The recursive split, discounted by the chain length so that fake identities never pay.

    incnet's own construction (not from a paper): the DARPA rule's geometric shares, scaled down by
    a factor :math:`\delta` per level of the whole chain,

    .. math:: p_L[k] = r\,\rho^{k}\,\delta^{L-1}, \qquad \delta = \frac{1}{1+\rho} .

    A node at position :math:`i` that inserts :math:`m` identities collects
    :math:`r\rho^i\delta^{L-1}\cdot\delta^{m}(1 + \rho + \dots + \rho^{m})`, and
    :math:`(1 + \rho)^m \ge 1 + \rho + \dots + \rho^m` (binomial expansion) makes that at most
    :math:`p_L[i]`: the rule is sybil-proof, with equality at :math:`m = 1`. Unlike
    :class:`DirectReferral` every recruiter up the chain is paid, but deep chains pay
    geometrically less in total. The budget is :math:`r` (paid in full on chains of length 1
    and 2).

    Equivalently :math:`p_L[i] = r\,x^i (1 - x)^{L-1-i}` with :math:`x = \rho/(1+\rho)`: the
    payments obey Pascal's rule :math:`p_{L+1}[i] + p_{L+1}[i+1] = p_L[i]`, so a pair of
    consecutive recruiters that merges gains nothing either — but a coalition of three or more
    does (:func:`~incnet.mechanisms.check_collusion_proof` finds it).

    Parameters
    ----------
    finder_reward : float
        :math:`r \ge 0`.
    ratio : float
        :math:`\rho \in (0, 1)`.

    Examples
    --------
    >>> from incnet.mechanisms import LengthDiscountedSplit
    >>> LengthDiscountedSplit(2000, 0.5).chain_payments(2).round(2).tolist()
    [1333.33, 666.67]
    """

    _repr_fields = ("finder_reward", "ratio")

    def __init__(self, finder_reward, ratio):
        self.finder_reward = check_nonnegative(finder_reward, "finder_reward")
        self.ratio = check_probability(ratio, "ratio", open_left=True, open_right=True)
        self._freeze()

    @property
    def budget(self):
        return self.finder_reward

    def chain_payments(self, length):
        length = check_int(length, "length", minimum=0, maximum=CHAIN_LIMIT)
        rho = self.ratio
        scale = self.finder_reward * (1.0 + rho) ** (-(length - 1.0)) if length else 0.0
        return scale * rho ** np.arange(length, dtype=np.float64)
