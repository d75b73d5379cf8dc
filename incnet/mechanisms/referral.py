r"""Classic referral reward rules: finder-only, recursive split, fixed schedules, geometric MLM, split contracts.

All of these are chain additive (see :class:`~incnet.mechanisms.Mechanism`). All but
:class:`TopDownSplit` are also **positional**: the payment to the :math:`k`-th recruiter above a
contributor depends only on :math:`k`, so payments over a forest are computed by one
children-before-parents pass (geometric rules, :math:`O(n)`) or by walking a bounded number of
levels up (finite schedules, :math:`O(n\,m)`).
"""

import numpy as np

from .._kernels.mechanisms import (
    _geometric_sweep_kernel,
    _schedule_horner_kernel,
    _walk_up_kernel,
)
from .._validate import CHAIN_LIMIT, as_real_array, check_int, check_nonnegative, check_probability, describe
from ..errors import InvalidInputError
from ._base import WALK_COST, Mechanism, _kernel_block, _scan, _sweep, _uses_scan

__all__ = ["FinderOnly", "RecursiveSplit", "FixedSchedule", "GeometricMLM", "SplitContract", "TopDownSplit"]


def _check_ratio(value, name):
    try:
        return check_probability(value, name, open_left=True, open_right=True)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{exc} (a ratio of 0 pays only the finder: use FinderOnly)") from None


def _check_depth(max_depth):
    if max_depth is None:
        return None
    return check_int(max_depth, "max_depth", minimum=1)


class _Positional(Mechanism):
    """Chain-additive rule whose payment to the k-th recruiter depends on k alone."""

    _abstract = True

    def _schedule(self, length):
        raise NotImplementedError

    def chain_payments(self, length):
        length = check_int(length, "length", minimum=0, maximum=CHAIN_LIMIT)
        return self._schedule(length)

    _within_budget = True

    @_uses_scan
    def forest_payments(self, forest, contributions):
        return self._scanned_payments(forest, contributions, _scan(forest, contributions)[0])

    def _scanned_payments(self, forest, contributions, scan):
        return _positional_payments(forest, contributions, scan, self._schedule(max(forest.max_depth + 1, 0)))


def _positional_payments(forest, contributions, scan, schedule):
    """Positional payments with the cheaper of two traversals.

    A walk up from each contributor touches only the contributors' ancestors, in scattered
    order; Horner's rule makes a pass over all nodes per level, in memory order. The walk wins
    when contributors are few (one finder per target), the passes when most nodes contribute
    (multi-level marketing).
    """
    if scan.count == 0:
        return np.zeros(contributions.shape)
    schedule = np.asarray(schedule, dtype=np.float64)[: max(forest.max_depth + 1, 0)]
    m = schedule.size
    while m and schedule[m - 1] == 0.0:  # trailing zeros cost passes
        m -= 1
    if m == 0:
        return np.zeros(contributions.shape)
    schedule = np.array(schedule[:m])  # a private writable copy: one kernel specialisation
    if WALK_COST * scan.walk_steps(m) < forest.n * (2 * m - 1):  # Horner: two passes per level
        return _walk_positional(forest, contributions, scan, schedule)
    return _sweep(forest, _schedule_horner_kernel, contributions, schedule)


def _walk_positional(forest, contributions, scan, schedule):
    out = np.zeros(contributions.shape)
    one_row = np.zeros(forest.max_depth + 2, dtype=np.int64)
    table_ptr = np.array([0, schedule.size], dtype=np.int64)
    _walk_up_kernel(forest.parents, forest.depth, _kernel_block(contributions), scan.active, scan.count,
                    one_row, table_ptr, schedule, out)
    return out


class _Geometric(_Positional):
    """Chain payments ``first * ratio**k``, optionally cut after ``max_depth`` positions.

    Subclasses name the two parameters (``_first``, ``_ratio``) in their own paper's terms.
    """

    _abstract = True

    @property
    def budget(self):
        first, ratio = self._first, self._ratio
        if self.max_depth is None:
            return first / (1.0 - ratio)
        return first * (1.0 - ratio**self.max_depth) / (1.0 - ratio)

    def _schedule(self, length):
        out = self._first * self._ratio ** np.arange(length, dtype=np.float64)
        if self.max_depth is not None:
            out[self.max_depth:] = 0.0
        return out

    def _scanned_payments(self, forest, contributions, scan):
        if self.max_depth is not None:
            return super()._scanned_payments(forest, contributions, scan)
        if scan.count == 0:
            return np.zeros(contributions.shape)
        # sparse contributions: walking up from the few contributors beats a sweep over all nodes
        if WALK_COST * scan.walk_steps() < 2 * forest.n:
            return _walk_positional(forest, contributions, scan, self._schedule(forest.max_depth + 1))
        return _sweep(forest, _geometric_sweep_kernel, contributions, float(self._first), float(self._ratio))


class FinderOnly(_Positional):
    r"""Pay the finder (contributor) ``reward`` per unit delivered, and nobody else.

    The rule most teams of the DARPA Network Challenge used. It is sybil-proof (fake identities
    above the finder are paid nothing) but gives nobody a reason to recruit: a recruiter is never
    paid, so recruiting only creates competitors (Pickard et al. 2011).

    Parameters
    ----------
    reward : float
        Payment to the finder, >= 0. Also the budget per target.

    References
    ----------
    Pickard, G., Pan, W., Rahwan, I., Cebrian, M., Crane, R., Madan, A., Pentland, A. (2011).
    Time-critical social mobilization. *Science* 334(6055), 509–512.

    Examples
    --------
    >>> from incnet.mechanisms import FinderOnly
    >>> FinderOnly(2000).chain_payments(3).tolist()
    [2000.0, 0.0, 0.0]
    """

    _repr_fields = ("reward",)

    def __init__(self, reward):
        self.reward = check_nonnegative(reward, "reward")
        self._freeze()

    @property
    def budget(self):
        return self.reward

    def _schedule(self, length):
        out = np.zeros(length)
        if length:
            out[0] = self.reward
        return out


class RecursiveSplit(_Geometric):
    r"""The recursive (geometric) incentive of the DARPA Network Challenge winner.

    The finder is paid :math:`r`, its recruiter :math:`r\rho`, that node's recruiter
    :math:`r\rho^2`, and so on up to the root:

    .. math:: p_L[k] = r\,\rho^{k}, \qquad k = 0, \dots, L - 1,

    so a chain of length :math:`L` costs :math:`r(1 - \rho^L)/(1 - \rho) < r/(1 - \rho)`, the
    budget. The MIT team's rule is ``RecursiveSplit(2000, 0.5)``: 2000, 1000, 500, ... with budget
    4000 per balloon (Pickard et al. 2011). It is budget-bounded and rewards recruitment, but not
    sybil-proof: a finder who reports a fake identity as its own recruiter also collects
    :math:`r\rho`.

    Parameters
    ----------
    finder_reward : float
        :math:`r \ge 0`.
    ratio : float
        :math:`\rho \in (0, 1)`.
    max_depth : int, optional
        Pay only the first ``max_depth`` positions (finder and ``max_depth - 1`` recruiters): the
        capped-depth variant.

    References
    ----------
    Pickard, G., Pan, W., Rahwan, I., Cebrian, M., Crane, R., Madan, A., Pentland, A. (2011).
    Time-critical social mobilization. *Science* 334(6055), 509–512.

    Examples
    --------
    >>> from incnet.mechanisms import RecursiveSplit
    >>> darpa = RecursiveSplit(2000, 0.5)
    >>> darpa.chain_payments(4).tolist(), darpa.budget
    ([2000.0, 1000.0, 500.0, 250.0], 4000.0)
    """

    _repr_fields = ("finder_reward", "ratio", "max_depth")

    def __init__(self, finder_reward, ratio, *, max_depth=None):
        self.finder_reward = check_nonnegative(finder_reward, "finder_reward")
        self.ratio = _check_ratio(ratio, "ratio")
        self.max_depth = _check_depth(max_depth)
        self._freeze()

    @classmethod
    def from_budget(cls, budget, ratio, *, max_depth=None):
        r"""The recursive split that spends at most ``budget`` per target.

        The finder gets :math:`B (1 - \rho)` (or :math:`B (1 - \rho)/(1 - \rho^{D})` when only
        ``max_depth`` :math:`= D` positions are paid), so that the longest chain costs ``budget``.

        Parameters
        ----------
        budget : float
            The most a target may cost, >= 0.
        ratio : float
            :math:`\rho \in (0, 1)`: what each recruiter gets relative to the position below.
        max_depth : int, optional
            As in the constructor.

        Examples
        --------
        >>> from incnet.mechanisms import RecursiveSplit
        >>> RecursiveSplit.from_budget(4000, 0.5)
        RecursiveSplit(finder_reward=2000.0, ratio=0.5, max_depth=None)
        """
        budget = check_nonnegative(budget, "budget")
        unit = cls(1.0, ratio, max_depth=max_depth)
        return cls(budget / unit.budget, ratio, max_depth=max_depth)

    @property
    def _first(self):
        return self.finder_reward

    @property
    def _ratio(self):
        return self.ratio


class GeometricMLM(_Geometric):
    r"""Emek et al.'s geometric multi-level-marketing mechanism.

    Each node is paid a geometrically discounted share of every contribution in its subtree:

    .. math:: R(u) = \sum_{v \in \mathrm{subtree}(u)} a\, b^{d(u, v)}\, C(v)
              = a\,C(u) + b \sum_{c \text{ child of } u} R(c),

    with :math:`d(u, v)` the depth of :math:`v` below :math:`u`. Per unit of contribution the
    mechanism spends at most :math:`a/(1 - b)`, the ``budget``. In Emek et al.'s model the seller
    spends at most a fraction :math:`\Pi` of its revenue on rewards, so the parameters must satisfy
    :math:`a/(1 - b) \le \Pi`; :meth:`for_fraction` builds the rule that spends exactly
    :math:`\Pi`, and ``check_budget(mech, budget=Pi)`` checks the constraint on forests. The
    mechanism gives continuing contribution and solicitation incentives, unbounded reward and
    subtree locality, but is not sybil-proof (Emek et al. 2011): a contributor who poses as its
    own recruiter collects :math:`a + ab` instead of :math:`a`.

    Parameters
    ----------
    a : float
        Share of one's own contribution, :math:`a \ge 0`.
    b : float
        Discount per level, :math:`b \in (0, 1)`.
    max_depth : int, optional
        Only the first ``max_depth`` levels are paid. This capped variant is incnet's, **not** a
        member of Emek et al.'s geometric family. By the paper's uniqueness result a rule outside
        the family loses one of its desired properties; the ones incnet checks all survive the
        cap (a node still earns from every direct recruit), so the loss lies elsewhere — for
        instance, a node earns nothing from contributions ``max_depth`` or more levels below it.

    References
    ----------
    Emek, Y., Karidi, R., Tennenholtz, M., Zohar, A. (2011). Mechanisms for multi-level
    marketing. *EC 2011*, 209–218.

    Examples
    --------
    >>> from incnet.mechanisms import GeometricMLM
    >>> GeometricMLM(0.5, 0.5).payments([-1, 0, 0], [2.0, 1.0, 1.0]).tolist()
    [1.5, 0.5, 0.5]
    >>> GeometricMLM.for_fraction(0.4, 0.5)
    GeometricMLM(a=0.2, b=0.5, max_depth=None)
    """

    _repr_fields = ("a", "b", "max_depth")

    def __init__(self, a, b, *, max_depth=None):
        self.a = check_nonnegative(a, "a")
        self.b = _check_ratio(b, "b")
        self.max_depth = _check_depth(max_depth)
        self._freeze()

    @classmethod
    def for_fraction(cls, fraction, b):
        r"""The geometric mechanism that spends exactly the fraction :math:`\Pi` of revenue.

        :math:`a = \Pi (1 - b)`, so :math:`a/(1 - b) = \Pi` (Emek et al.'s budget constraint
        with equality).

        Parameters
        ----------
        fraction : float
            :math:`\Pi \in (0, 1]`, the seller's fraction of revenue spent on rewards.
        b : float
            Discount per level, :math:`b \in (0, 1)`.

        Returns
        -------
        GeometricMLM
        """
        fraction = check_probability(fraction, "fraction", open_left=True)
        b = _check_ratio(b, "b")
        return cls(fraction * (1.0 - b), b)

    @property
    def _first(self):
        return self.a

    @property
    def _ratio(self):
        return self.b


class FixedSchedule(_Positional):
    r"""Any per-position schedule: the k-th recruiter above the finder is paid ``rewards[k]``.

    Positions beyond ``len(rewards)`` are paid nothing, so this is also the general capped-depth
    rule. The budget is ``sum(rewards)``.

    Parameters
    ----------
    rewards : array_like of float
        Non-negative payments, index 0 the finder.

    Examples
    --------
    >>> from incnet.mechanisms import FixedSchedule
    >>> FixedSchedule([100, 50, 10]).chain_payments(5).tolist()
    [100.0, 50.0, 10.0, 0.0, 0.0]
    """

    _repr_fields = ("rewards",)

    def __init__(self, rewards):
        try:
            arr = np.array(as_real_array(rewards, "rewards"), dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise InvalidInputError(f"rewards must be numeric, got {describe(rewards)}") from None
        if arr.size == 0:
            raise InvalidInputError("rewards is empty; give at least the finder's payment")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise InvalidInputError(f"rewards must be finite and >= 0, got {describe(arr.tolist())}")
        arr.flags.writeable = False
        self.rewards = arr
        self._freeze()

    def __repr__(self):
        return f"FixedSchedule({self.rewards.tolist()!r})"

    @property
    def budget(self):
        return float(self.rewards.sum())

    def _schedule(self, length):
        out = np.zeros(length)
        m = min(length, self.rewards.size)
        out[:m] = self.rewards[:m]
        return out

    def _scanned_payments(self, forest, contributions, scan):
        return _positional_payments(forest, contributions, scan, self.rewards)




class SplitContract(_Geometric):
    r"""Split contracts (Cebrian, Coviello, Vattani & Voulgaris, STOC 2012) with a fixed split.

    The contract of the MIT team in the DARPA Network Challenge, as Cebrian et al. describe it: a
    node :math:`u` recruits :math:`v` under a contract stipulating that if the target is found in
    the subtree of :math:`v`, then :math:`v` gives a fraction :math:`s` of **her own reward** back
    to :math:`u`. Money flows **up** from the holder: the holder (finder) receives the bounty
    :math:`R`, keeps :math:`(1 - s)R` and hands :math:`sR` to its recruiter, who keeps
    :math:`(1 - s)sR` and hands :math:`s^2R` up, and so on. On a chain of :math:`L` participants
    (the finder at position 0, the root at position :math:`L - 1`)

    .. math::

        p_L[k] = R\,(1 - s)\,s^{k} \quad (k = 0, \dots, L - 1), \qquad
        \text{refund to the asker} = R\,s^{L},

    so the participants share :math:`R(1 - s^L)` and the asker (the campaign, above the roots)
    gets :math:`R s^L` back. With :math:`R = 4000, s = 1/2` this is the DARPA rule 2000, 1000,
    500, ... (the MIT team gave the leftover to charity): the same payments as
    ``RecursiveSplit(2000, 0.5)``, plus the refund. The budget is :math:`R` per target.

    With a **fixed** split the rule is positional and, like the recursive split, not sybil-proof: a
    finder posing as its own recruiter also collects the recruiter's share. Cebrian et al.'s
    results are about **strategic** splits, each node choosing the split it demands from its
    recruits: :func:`split_contract_equilibrium` solves that game. The top-down reading (a root is
    promised :math:`R` and passes a share down) is :class:`TopDownSplit`.

    Parameters
    ----------
    reward : float
        :math:`R \ge 0`, the bounty the holder of the target receives.
    split : float
        :math:`s \in (0, 1)`, the fraction of her reward each participant hands up to her recruiter.

    References
    ----------
    Cebrian, M., Coviello, L., Vattani, A., Voulgaris, P. (2012). Finding red balloons with split
    contracts: robustness to individuals' selfishness. *STOC 2012*, 775–788.

    Pickard, G., Pan, W., Rahwan, I., Cebrian, M., Crane, R., Madan, A., Pentland, A. (2011).
    Time-critical social mobilization. *Science* 334(6055), 509–512.

    Examples
    --------
    >>> from incnet.mechanisms import SplitContract
    >>> mit = SplitContract(4000, 0.5)
    >>> mit.chain_payments(3).tolist(), mit.refund(3)
    ([2000.0, 1000.0, 500.0], 500.0)
    """

    _repr_fields = ("reward", "split")

    def __init__(self, reward, split):
        self.reward = check_nonnegative(reward, "reward")
        self.split = _check_ratio(split, "split")
        self.max_depth = None
        self._freeze()

    @property
    def budget(self):
        return self.reward

    @property
    def _first(self):
        return self.reward * (1.0 - self.split)

    @property
    def _ratio(self):
        return self.split

    def refund(self, length):
        r"""What the asker gets back when the target is found at the end of a chain.

        Parameters
        ----------
        length : int
            Chain length :math:`L \ge 0` (the holder and its recruiters up to the root).

        Returns
        -------
        float
            :math:`R s^L`; with :math:`L = 0` (nobody found it) the whole bounty :math:`R`.
        """
        length = check_int(length, "length", minimum=0)
        return float(self.reward * self.split**length)


class TopDownSplit(Mechanism):
    r"""A top-down promise split: each node passes a fixed share of what it was promised down.

    incnet's rule, the mirror image of :class:`SplitContract`: every root is promised
    ``root_reward`` for a target found in its subtree. A node promised :math:`\pi` that finds the
    target keeps :math:`\pi`; otherwise it promises its recruits :math:`s\pi` and keeps
    :math:`(1 - s)\pi` when the finder is below it. On a chain of length :math:`L` (finder at
    depth :math:`L - 1`)

    .. math:: p_L[0] = R\,s^{L-1}, \qquad p_L[k] = R\,s^{L-1-k}(1 - s)\quad (k \ge 1),

    which always totals exactly :math:`R`, the budget. The payments depend on the chain length
    (a deep finder gets little), so the rule is not positional. With a fixed split an intermediate
    node gains by inserting fake identities (it keeps :math:`1 - s` of its promise at each).

    Parameters
    ----------
    root_reward : float
        :math:`R \ge 0`.
    split : float
        Fraction :math:`s \in (0, 1)` passed down.

    Examples
    --------
    >>> from incnet.mechanisms import TopDownSplit
    >>> TopDownSplit(4000, 0.5).chain_payments(3).tolist()
    [1000.0, 1000.0, 2000.0]
    """

    _repr_fields = ("root_reward", "split")

    def __init__(self, root_reward, split):
        self.root_reward = check_nonnegative(root_reward, "root_reward")
        self.split = _check_ratio(split, "split")
        self._freeze()

    @property
    def budget(self):
        return self.root_reward

    def chain_payments(self, length):
        length = check_int(length, "length", minimum=0, maximum=CHAIN_LIMIT)
        if length == 0:
            return np.zeros(0)
        depth_of = (length - 1) - np.arange(length)
        promised = self.root_reward * self.split ** depth_of.astype(np.float64)
        out = promised * (1.0 - self.split)
        out[0] = promised[0]
        return out

    _within_budget = True
    _vectorised_table = True

    def _chain_table(self, lengths, table_ptr):
        # every chain at once, with the same operations as chain_payments (so the same bits)
        if type(self).chain_payments is not TopDownSplit.chain_payments:
            return super()._chain_table(lengths, table_ptr)  # a subclass with its own chains
        level = np.arange(int(table_ptr[-1])) - np.repeat(table_ptr[:-1], lengths)
        depth_of = np.repeat(lengths - 1, lengths) - level
        promised = self.root_reward * self.split ** depth_of.astype(np.float64)
        table = promised * (1.0 - self.split)
        finder = level == 0
        table[finder] = promised[finder]
        return table

    def _scanned_payments(self, forest, contributions, scan):
        # P(u) = R s^d(u) (s C(u) + (1 - s) S(u)) with S(u) the contribution of u's subtree: the
        # finder keeps its whole promise, every ancestor 1 - s of its own. Few contributors: walk
        # up from them (the generic route); many: one subtree-sum sweep over all nodes.
        if (scan.count == 0 or WALK_COST * scan.walk_steps() < 4 * forest.n
                or type(self).chain_payments is not TopDownSplit.chain_payments):
            return self._walk_chains(forest, contributions, scan)
        subtree = _sweep(forest, _geometric_sweep_kernel, contributions, 1.0, 1.0)
        s = self.split
        promised = self.root_reward * s ** np.arange(forest.max_depth + 1, dtype=np.float64)
        with np.errstate(over="ignore"):  # an overflow is refused by payments, not warned about
            return promised[forest.depth][:, None] * (s * contributions + (1.0 - s) * subtree)
