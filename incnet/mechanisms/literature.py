r"""Sybil-resistant reward schemes implemented from their papers' definitions.

Babaioff, Dobzinski, Oren & Zohar (EC 2012) reward the propagation of a transaction through a
peer-to-peer network: the transaction reaches a set of seeds, every node that learns it may pass it
on to its children (and may first duplicate itself), and the node that finally authorizes it (the
*finder* here) collects the fee. Their :math:`(\beta, H)`-**almost-uniform scheme** pays every
node on the chain from the seed down to the authorizer; a chain of :math:`\ell` nodes (the seed at
level 1, the authorizer at level :math:`\ell`) pays

.. math::

    \underbrace{\beta}_{\text{each of the } \ell - 1 \text{ nodes above}}
    \quad\text{and}\quad
    \underbrace{1 + (H - \ell + 1)\,\beta}_{\text{the authorizer}},
    \qquad\text{in total } 1 + H\beta .

The authorizer's term is what it would collect by duplicating itself down to level :math:`H`, so
duplicating before authorizing never pays; the guarantee for everybody else is an equilibrium
statement of the paper, not a per-forest inequality (see :class:`AlmostUniformScheme`).
"""

import math

import numpy as np

from .._kernels.mechanisms import _geometric_sweep_kernel
from .._validate import CHAIN_LIMIT, check_int, check_method, check_nonnegative, check_positive, describe
from ..errors import InvalidInputError
from ._base import Mechanism, _sweep

__all__ = ["AlmostUniformScheme", "HybridScheme"]


class AlmostUniformScheme(Mechanism):
    r"""The :math:`(\beta, H)`-almost-uniform reward scheme of Babaioff, Dobzinski, Oren & Zohar.

    **Definition** (Babaioff et al. 2012, the scheme proposed for Bitcoin's transaction
    propagation, with the fee normalized to 1). For a chain of :math:`\ell` nodes from a seed
    (level 1) down to the node that authorizes the transaction (level :math:`\ell`), each node of
    the chain except the authorizer receives :math:`\beta`, and the authorizer receives
    :math:`1 + (H - \ell + 1)\beta`; the scheme distributes :math:`1 + H\beta` in total. In
    incnet's terms the seeds are the roots, the authorizer is the contributor (the finder), the
    chain length is :math:`L = \ell`, and with a fee :math:`f` (the paper's unit):

    .. math::

        p_L[0] = f + (H - L + 1)\,\beta, \qquad p_L[k] = \beta \quad (1 \le k \le L - 1),
        \qquad L \le H .

    **Chains longer than H.** The paper's network is a forest of trees of height :math:`H`, so
    honest chains never exceed :math:`H` nodes, and the formula would charge the authorizer once
    :math:`L > H + 1 + f/\beta`; how the paper treats an authorizer below level :math:`H` was not
    verified, so the treatment is an explicit option, ``beyond_height``:

    * ``"unpaid"`` (default): nobody is paid on a chain of more than :math:`H` nodes. The hybrid
      scheme's bounds rely on this reading: it runs a scheme with horizon :math:`1 + \log_d H` on
      trees of height :math:`H`, and its worst-case total :math:`2 + \log_d H` and the part of
      the network it informs only make sense if the deeper chains are not paid (see
      :class:`HybridScheme`).
    * ``"fee"``: the authorizer of a longer chain still receives the fee :math:`f` and nobody else
      is paid (the fee is the transaction's, the :math:`\beta` terms are the scheme's).

    ``fee`` generalizes the paper's unit fee; every payment scales with it and :math:`\beta`.

    **Sybil-proofness: what holds, and in which sense.**

    * *The authorizer never gains by duplicating.* An authorizer at level :math:`\ell` that poses
      as a chain of :math:`m + 1` identities (authorizing from the last) collects
      :math:`m\beta + f + (H - \ell - m + 1)\beta = f + (H - \ell + 1)\beta` while
      :math:`\ell + m \le H`, and nothing beyond — a per-forest inequality, with equality.
    * *A node between the seed and the authorizer does gain on a given forest:* inserting
      :math:`m` identities above the chain below it collects :math:`(m + 1)\beta` instead of
      :math:`\beta` while the chain stays within :math:`H`, so
      :func:`~incnet.mechanisms.check_sybil_proof` (which fixes the forest and the finder) reports
      a violation with gain :math:`\beta`. The paper's claim is of another kind: on a forest of
      complete :math:`d`-ary trees of height :math:`H` (:math:`d \ge 3`), with the authorizer
      drawn uniformly among the real participants (fake identities do not raise the chance to
      authorize) and enough seeds (:math:`2H + 13` for :math:`\beta = 1/H`, 15 for
      :math:`\beta = 1`), every order of iterated removal of weakly dominated strategies leaves
      only the profiles in which every node of depth at most :math:`H` propagates and never
      duplicates. It also shows that for :math:`H \ge 3` no sybil-proof scheme makes that a
      *dominant* strategy. Duplicating pushes the node's deepest descendants past :math:`H`,
      where nothing is paid; on a complete :math:`d`-ary tree of height :math:`H`
      (:math:`d \ge 2`) with a uniform authorizer and everyone else honest, that loss outweighs
      the gain for every node and every duplication, which the tests confirm by exhaustive
      enumeration.

    The budget is :math:`f + H\beta`, paid in full on every chain of at most :math:`H` nodes. The
    paper's two variants are :math:`\beta = 1/H` (total 2, many seeds) and :math:`\beta = 1`
    (total :math:`1 + H`, few seeds); its hybrid scheme runs one almost-uniform scheme on some
    seeds and another on the rest (:class:`HybridScheme`).

    Parameters
    ----------
    beta : float
        :math:`\beta \ge 0`, paid to every non-authorizing node of the chain.
    height : int
        :math:`H \ge 1`, the longest chain that is paid.
    fee : float, default 1.0
        The authorization reward (the paper's unit), :math:`f > 0`.
    beyond_height : {"unpaid", "fee"}, default "unpaid"
        What a chain of more than :math:`H` nodes pays: nothing, or the fee to its authorizer.

    Notes
    -----
    ``payments`` runs in :math:`O(n k)` for :math:`k` scenarios: every node collects :math:`\beta`
    per unit delivered strictly below it within the first :math:`H` levels, one
    children-before-parents pass.

    References
    ----------
    Babaioff, M., Dobzinski, S., Oren, S., Zohar, A. (2012). On Bitcoin and red balloons.
    *EC 2012*, 56–73. arXiv:1111.2626.

    Examples
    --------
    The paper's constant-overhead variant, :math:`\beta = 1/H`, always pays 2 in total:

    >>> from incnet.mechanisms import AlmostUniformScheme
    >>> scheme = AlmostUniformScheme(0.25, height=4)
    >>> scheme.chain_payments(3).tolist(), scheme.budget
    ([1.5, 0.25, 0.25], 2.0)
    >>> scheme.chain_totals(6).tolist()
    [2.0, 2.0, 2.0, 2.0, 0.0, 0.0]
    >>> AlmostUniformScheme(0.25, height=4, beyond_height="fee").chain_totals(6).tolist()
    [2.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    """

    _repr_fields = ("beta", "height", "fee", "beyond_height")

    def __init__(self, beta, height, *, fee=1.0, beyond_height="unpaid"):
        self.beta = check_nonnegative(beta, "beta")
        self.height = check_int(height, "height", minimum=1)
        self.fee = check_positive(fee, "fee")
        self.beyond_height = check_method(beyond_height, ("unpaid", "fee"), name="beyond_height")
        self._freeze()

    def __repr__(self):
        # the default reading is left out, so reprs (and the theory page's table) stay short
        extra = "" if self.beyond_height == "unpaid" else f", beyond_height={self.beyond_height!r}"
        return f"AlmostUniformScheme(beta={self.beta!r}, height={self.height!r}, fee={self.fee!r}{extra})"

    @property
    def budget(self):
        return self.fee + self.height * self.beta

    def chain_payments(self, length):
        length = check_int(length, "length", minimum=0, maximum=CHAIN_LIMIT)
        out = np.zeros(length)
        if 0 < length <= self.height:
            out[:] = self.beta
            out[0] = self.fee + (self.height - length + 1) * self.beta
        elif length > self.height and self.beyond_height == "fee":
            out[0] = self.fee
        return out

    def forest_payments(self, forest, contributions):
        # Only contributors at depth < H (chains of at most H nodes) pay anyone; each of their
        # strict ancestors collects beta per unit, i.e. beta times the subtree sum without itself.
        paid = np.ascontiguousarray(contributions * (forest.depth < self.height)[:, None])
        subtree = _sweep(forest, _geometric_sweep_kernel, paid, 1.0, 1.0)
        own = self.fee + (self.height - forest.depth) * self.beta
        out = self.beta * (subtree - paid) + paid * own[:, None]
        if self.beyond_height == "fee":
            deep = forest.depth >= self.height
            out[deep] += self.fee * contributions[deep]
        return out


def _roots(forest):
    """Root of every node's tree, by pointer jumping (O(n log depth))."""
    parents = forest.parents
    root = np.where(parents < 0, np.arange(forest.n), parents)
    while True:
        jumped = root[root]
        if np.array_equal(jumped, root):
            return root
        root = jumped


class HybridScheme(Mechanism):
    r"""Babaioff et al.'s hybrid scheme: two almost-uniform schemes on disjoint sets of seeds.

    **Definition** (Babaioff, Dobzinski, Oren & Zohar 2012). On a network of :math:`d`-ary trees
    of height :math:`H`, run the :math:`(1/H, H)`-almost-uniform scheme on the trees of all seeds
    but a few, and the :math:`(1, 1 + \log_d H)`-almost-uniform scheme on the trees of the
    remaining seeds (seven in the paper, out of :math:`t \ge 15`). The first keeps the total
    payment at 2, the second needs only a constant number of seeds; together the paper obtains a
    constant number of seeds, an expected total payment of at most 3 and a worst case of
    :math:`2 + \log_d H`, with at least a fraction :math:`(t - 7)/t` of the network informed, in
    the same iterated-dominance sense as :class:`AlmostUniformScheme` (for :math:`d \ge 3`).

    Here each tree of the referral forest is paid by ``boost`` if its root's index is in
    ``boost_seeds`` and by ``base`` otherwise; :meth:`for_trees` builds the paper's pair.
    Indices in ``boost_seeds`` that are not roots of a given forest are ignored, and
    ``chain_payments`` describes a chain under the seed labelled 0 (as ``payments`` on the
    parent array ``[-1, 0, 1, ...]`` does).

    Parameters
    ----------
    base, boost : AlmostUniformScheme
        The schemes run on ordinary seeds and on the ``boost_seeds``.
    boost_seeds : iterable of int
        Indices of the roots whose trees ``boost`` pays.

    Raises
    ------
    InvalidInputError
        If ``base`` or ``boost`` is not an :class:`AlmostUniformScheme` or a seed index is not a
        non-negative integer.

    References
    ----------
    Babaioff, M., Dobzinski, S., Oren, S., Zohar, A. (2012). On Bitcoin and red balloons.
    *EC 2012*, 56–73. arXiv:1111.2626.

    Examples
    --------
    Ternary trees of height 9: ordinary seeds pay 2 per transaction, boosted seeds at most
    :math:`2 + \log_3 9 = 4`, and only on chains of at most 3 nodes.

    >>> from incnet.mechanisms import HybridScheme
    >>> hybrid = HybridScheme.for_trees(height=9, degree=3, boost_seeds=[0])
    >>> hybrid.boost, hybrid.budget
    (AlmostUniformScheme(beta=1.0, height=3, fee=1.0), 4.0)
    >>> hybrid.payments([-1, 0, -1, 2], [0, 1, 0, 1]).round(3).tolist()
    [1.0, 3.0, 0.111, 1.889]
    """

    _repr_fields = ("base", "boost", "boost_seeds")

    def __init__(self, base, boost, boost_seeds):
        for name, scheme in (("base", base), ("boost", boost)):
            if not isinstance(scheme, AlmostUniformScheme):
                raise InvalidInputError(
                    f"{name} must be an AlmostUniformScheme, got {describe(scheme)}; build one with "
                    "AlmostUniformScheme(beta, height) or use HybridScheme.for_trees(height, degree, seeds)"
                )
        try:
            seeds = list(np.atleast_1d(np.asarray(boost_seeds, dtype=object)).ravel())
        except (TypeError, ValueError):
            raise InvalidInputError(f"boost_seeds must be root indices, got {describe(boost_seeds)}") from None
        self.base = base
        self.boost = boost
        self.boost_seeds = tuple(sorted({check_int(v, "boost_seeds", minimum=0) for v in seeds}))
        self._freeze()

    @classmethod
    def for_trees(cls, height, degree, boost_seeds, *, beyond_height="unpaid"):
        r"""The paper's pair for :math:`d`-ary trees of height :math:`H`.

        ``base`` is the :math:`(1/H, H)`-almost-uniform scheme and ``boost`` the
        :math:`(1, 1 + \log_d H)` one, both with the given ``beyond_height`` treatment of longer
        chains (see :class:`AlmostUniformScheme`). :math:`H` must be a power of :math:`d` so
        that the boost horizon is an integer (the paper writes :math:`\log_d H`; build the
        schemes yourself to round it another way).

        Raises
        ------
        InvalidInputError
            If ``degree < 2`` or ``height`` is not a power of ``degree``.
        """
        height = check_int(height, "height", minimum=1)
        degree = check_int(degree, "degree", minimum=2)
        levels = round(math.log(height, degree))
        if degree**levels != height:
            raise InvalidInputError(
                f"height {height} is not a power of degree {degree}, so 1 + log_d H is not an "
                "integer; build HybridScheme(AlmostUniformScheme(1 / H, H), "
                "AlmostUniformScheme(1, h), seeds) with the boost horizon h you want"
            )
        return cls(AlmostUniformScheme(1.0 / height, height, beyond_height=beyond_height),
                   AlmostUniformScheme(1.0, 1 + levels, beyond_height=beyond_height), boost_seeds)

    @property
    def budget(self):
        return max(self.base.budget, self.boost.budget)

    def forest_payments(self, forest, contributions):
        # every payment stays inside its contributor's tree, so each scheme may run on the whole
        # forest and each tree keep the payments of its own scheme
        out = self.base.forest_payments(forest, contributions)
        if not self.boost_seeds or forest.n == 0:
            return out
        root = _roots(forest)
        boosted = np.isin(root, np.array(self.boost_seeds, dtype=np.int64))
        if boosted.any():
            out[boosted] = self.boost.forest_payments(forest, contributions)[boosted]
        return out
