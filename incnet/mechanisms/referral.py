r"""Classic referral reward rules: finder-only, recursive split, fixed schedules, geometric MLM, split contracts.

All of these are chain additive (see :class:`~incnet.mechanisms.Mechanism`). The first four are
also **positional**: the payment to the :math:`k`-th recruiter above a contributor depends only on
:math:`k`, so payments over a forest are computed by one children-before-parents pass (geometric
rules, :math:`O(n)`) or by walking a bounded number of levels up (finite schedules,
:math:`O(n\,m)`).
"""

import numpy as np

from .._kernels.mechanisms import (
    _geometric_payments_kernel,
    _schedule_levels_kernel,
    _schedule_payments_kernel,
)
from .._validate import check_int, check_nonnegative, check_probability, describe
from ..errors import InvalidInputError
from ._base import Mechanism

__all__ = ["FinderOnly", "RecursiveSplit", "FixedSchedule", "GeometricMLM", "SplitContract"]


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
        length = check_int(length, "length", minimum=0)
        return self._schedule(length)

    def forest_payments(self, forest, contributions):
        return _positional_payments(forest, contributions, self._schedule(max(forest.max_depth + 1, 0)))


def _positional_payments(forest, contributions, schedule):
    """Positional payments with the cheaper of two traversals."""
    schedule = np.ascontiguousarray(schedule[: max(forest.max_depth + 1, 0)], dtype=np.float64)
    out = np.empty_like(contributions)
    if schedule.size == 0:
        out[:] = 0.0
        return out
    n_active = int(np.count_nonzero(np.any(contributions != 0.0, axis=1)))
    # walking up from each contributor reads scattered memory; a pass per level reads it in order
    if 8 * n_active < forest.n:
        _schedule_payments_kernel(forest.parents, contributions, schedule, out)
    else:
        _schedule_levels_kernel(forest.order, forest.bfs_parents, contributions, schedule, out)
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

    def forest_payments(self, forest, contributions):
        if self.max_depth is not None:
            return super().forest_payments(forest, contributions)
        # sparse contributions: walking up from the few contributors beats a pass over all nodes
        n_active = int(np.count_nonzero(np.any(contributions != 0.0, axis=1)))
        if n_active * (forest.max_depth + 1) < forest.n:
            return super().forest_payments(forest, contributions)
        out = np.empty_like(contributions)
        _geometric_payments_kernel(forest.order, forest.bfs_parents, contributions,
                                   self._first, self._ratio, out)
        return out


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

    @property
    def _first(self):
        return self.finder_reward

    @property
    def _ratio(self):
        return self.ratio


class GeometricMLM(_Geometric):
    r"""Emek et al.'s geometric multi-level-marketing mechanism.

    Each node is paid a geometrically discounted share of every contribution in its subtree:

    .. math:: R(u) = \sum_{v \in \mathrm{subtree}(u)} a\, b^{d(u, v)}\, C(v),

    with :math:`d(u, v)` the depth of :math:`v` below :math:`u`. Per unit of contribution the
    mechanism spends at most :math:`a/(1 - b)` (the budget; Emek et al. take
    :math:`a/(1 - b) \le 1`, i.e. never more than the revenue). It gives continuing contribution
    and solicitation incentives but is not sybil-proof (Emek et al. 2011): a contributor who
    poses as its own recruiter collects :math:`a + ab` instead of :math:`a`.

    Parameters
    ----------
    a : float
        Share of one's own contribution, :math:`a \ge 0`.
    b : float
        Discount per level, :math:`b \in (0, 1)`.
    max_depth : int, optional
        Only the first ``max_depth`` levels are paid (capped variant).

    References
    ----------
    Emek, Y., Karidi, R., Tennenholtz, M., Zohar, A. (2011). Mechanisms for multi-level
    marketing. *EC 2011*, 209–218.

    Examples
    --------
    >>> from incnet.mechanisms import GeometricMLM
    >>> GeometricMLM(0.5, 0.5).payments([-1, 0, 0], [2.0, 1.0, 1.0]).tolist()
    [1.5, 0.5, 0.5]
    """

    _repr_fields = ("a", "b", "max_depth")

    def __init__(self, a, b, *, max_depth=None):
        self.a = check_nonnegative(a, "a")
        self.b = _check_ratio(b, "b")
        self.max_depth = _check_depth(max_depth)
        self._freeze()

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
            arr = np.array(rewards, dtype=np.float64).ravel()
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

    def forest_payments(self, forest, contributions):
        return _positional_payments(forest, contributions, self.rewards)


class SplitContract(Mechanism):
    r"""Split contracts (Cebrian, Coviello, Vattani & Voulgaris, STOC 2012) with a fixed split.

    Every root is promised ``root_reward`` for a target found in its subtree. A node promised
    :math:`r` that finds the target keeps :math:`r`; otherwise it promises its recruits
    :math:`s\,r` and keeps :math:`(1 - s)\,r` when the finder is below it. On a chain of length
    :math:`L` (finder at depth :math:`L - 1`)

    .. math:: p_L[0] = R\,s^{L-1}, \qquad p_L[k] = R\,s^{L-1-k}(1 - s)\quad (k \ge 1),

    which always totals exactly :math:`R`, the budget. Unlike the recursive split, the payments
    depend on the chain length: a deep finder gets little. With a fixed split an intermediate node
    gains by inserting fake identities (it keeps :math:`1 - s` at each); with *strategic* splits
    that is no better than choosing a smaller split, and
    ``query_incentive_equilibrium(..., contract="split")`` computes the reward such contracts need
    in a query incentive network.

    Parameters
    ----------
    root_reward : float
        :math:`R \ge 0`.
    split : float
        Fraction :math:`s \in (0, 1)` passed down.

    References
    ----------
    Cebrian, M., Coviello, L., Vattani, A., Voulgaris, P. (2012). Finding red balloons with split
    contracts: robustness to individuals' selfishness. *STOC 2012*, 775–788.

    Examples
    --------
    >>> from incnet.mechanisms import SplitContract
    >>> SplitContract(4000, 0.5).chain_payments(3).tolist()
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
        length = check_int(length, "length", minimum=0)
        if length == 0:
            return np.zeros(0)
        depth_of = (length - 1) - np.arange(length)
        promised = self.root_reward * self.split ** depth_of.astype(np.float64)
        out = promised * (1.0 - self.split)
        out[0] = promised[0]
        return out

