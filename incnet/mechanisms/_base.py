r"""The :class:`Mechanism` interface and validated referral forests.

A referral mechanism maps a **referral forest** and the value each node delivered to a payment per
node. The forest is a parent array: ``parents[v]`` is the node that recruited ``v``, ``-1`` for the
campaign's own initial participants (roots). Most rules in the literature are **chain additive**:
each unit of contribution delivered by a node ``v`` at depth :math:`d` pays its chain of
:math:`L = d + 1` nodes (``v`` itself, its recruiter, ..., the root) according to
``chain_payments(L)``,

.. math:: P(u) = \sum_{v \in \mathrm{subtree}(u)} C(v)\, p_{d(v) + 1}\bigl[d(v) - d(u)\bigr],

where :math:`p_L[k]` is the payment to the :math:`k`-th recruiter up the chain of length
:math:`L` (:math:`k = 0` is the contributor). A mechanism defined by ``chain_payments`` alone gets
``payments`` for free; a rule that looks at the whole forest overrides :meth:`Mechanism.forest_payments`
instead and gets ``chain_payments`` for free.
"""

import math
from abc import ABC
from dataclasses import dataclass

import numpy as np

from .._kernels.mechanisms import (
    _forest_order_kernel,
    _scan_contributions_kernel,
    _walk_up_kernel,
)
from .._validate import CHAIN_LIMIT, CHAIN_TOTALS_LIMIT, as_vector, check_int, describe
from ..errors import InvalidInputError

__all__ = ["Mechanism", "ReferralForest", "as_forest"]


@dataclass(frozen=True, eq=False)
class ReferralForest:
    """A validated referral forest (parent array), with its traversal order and depths.

    Build it with :func:`as_forest`; mechanisms and checkers accept either this or a raw parent
    array. Everything a payment needs besides the contributions is computed once here, so a
    forest that is paid many times (one call per scenario, per mechanism or per checker) is
    validated and traversed only once: pass the forest, not its parent array, to repeated calls.

    Attributes
    ----------
    parents : numpy.ndarray
        int64, ``-1`` for roots (read-only).
    order : numpy.ndarray
        int64 breadth-first order, every node after its parent (read it reversed for
        children-before-parents).
    depth : numpy.ndarray
        int64 depth of each node, roots 0.
    bfs_parents : numpy.ndarray
        int64; ``bfs_parents[j]`` is the position in ``order`` of the parent of ``order[j]``
        (``-1`` for roots), always smaller than ``j``.
    max_depth : int
        Largest depth (``-1`` for an empty forest).
    identity_order : bool
        Whether ``order`` is ``0, 1, ..., n - 1`` (every recruiter has a smaller label than its
        recruits, as when nodes are numbered in the order they joined).
    """

    parents: np.ndarray
    order: np.ndarray
    depth: np.ndarray
    bfs_parents: np.ndarray
    max_depth: int = -1
    identity_order: bool = False

    def __post_init__(self):
        if self.max_depth < 0 and self.depth.size:  # built by hand rather than by as_forest
            object.__setattr__(self, "max_depth", int(self.depth.max()))

    @property
    def n(self):
        """Number of nodes."""
        return int(self.parents.shape[0])

    def _walk_steps(self, levels=None):
        # steps of walks up from every node (at most ``levels`` long), computed on first use and
        # kept: the forest is immutable, so two threads that both compute one store the same value
        cache = self.__dict__.get("_walk_step_cache")
        if cache is None:
            counts = np.bincount(self.depth, minlength=self.max_depth + 1)
            cache = {"counts": counts}
            object.__setattr__(self, "_walk_step_cache", cache)
        steps = cache.get(levels)
        if steps is None:
            lengths = np.arange(1, cache["counts"].size + 1)
            if levels is not None:
                lengths = np.minimum(lengths, levels)
            steps = cache[levels] = float(np.dot(cache["counts"], lengths))
        return steps

    def __repr__(self):
        if self.n <= 12:
            return f"ReferralForest({self.parents.tolist()})"
        return f"ReferralForest(n={self.n}, max_depth={self.max_depth})"


def as_forest(parents, name="parents"):
    """Validate a parent array once and compute its breadth-first order and depths.

    Parameters
    ----------
    parents : array_like of int or ReferralForest
        ``parents[v]`` is the recruiter of ``v``; ``-1`` marks a root.
    name : str
        Argument name for error messages.

    Returns
    -------
    ReferralForest

    Raises
    ------
    InvalidInputError
        If an entry is not an integer, lies outside ``[-1, n)``, or the array contains a cycle.

    Examples
    --------
    >>> from incnet.mechanisms import as_forest
    >>> f = as_forest([-1, 0, 1, 0])
    >>> f.depth.tolist()
    [0, 1, 2, 1]
    """
    if isinstance(parents, ReferralForest):
        return parents
    try:
        raw = np.asarray(parents)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be an array of integers, got {describe(parents)}") from None
    if raw.ndim != 1:
        raise InvalidInputError(f"{name} must be one-dimensional, got shape {raw.shape}")
    if raw.size and not np.issubdtype(raw.dtype, np.integer):
        if not (np.issubdtype(raw.dtype, np.floating) and np.all(np.isfinite(raw))
                and np.all(raw == np.round(raw)) and np.all(np.abs(raw) < 2**62)):
            raise InvalidInputError(f"{name} must hold integer node indices, got {describe(raw.tolist())}")
    arr = np.array(raw, dtype=np.int64, copy=True)
    n = arr.shape[0]
    order = np.empty(n, dtype=np.int64)
    depth = np.empty(n, dtype=np.int64)
    bfs_parents = np.empty(n, dtype=np.int64)
    reached, max_depth, identity = _forest_order_kernel(arr, order, depth, bfs_parents)
    if reached < 0:
        v = -1 - int(reached)
        p = int(arr[v])
        if p == v:
            raise InvalidInputError(f"{name}[{v}] = {v}: a node cannot recruit itself (a cycle); use -1 for a root")
        raise InvalidInputError(
            f"{name}[{v}] = {p} is out of range for {n} nodes; use -1 for a root "
            f"and 0..{n - 1} for a recruiter"
        )
    if reached < n:
        v = int(np.flatnonzero(depth < 0)[0])
        cycle = [v]
        seen = {v}
        u = int(arr[v])
        while u not in seen:
            seen.add(u)
            cycle.append(u)
            u = int(arr[u])
        start = cycle.index(u)
        loop = cycle[start:] + [u]
        raise InvalidInputError(
            f"{name} contains a cycle {' -> '.join(map(str, loop))} (each node pointing to its "
            f"recruiter); every chain of recruiters must end at a root marked -1"
        )
    for a in (arr, order, depth, bfs_parents):
        a.flags.writeable = False
    return ReferralForest(arr, order, depth, bfs_parents, int(max_depth), bool(identity))


def _read_only(values):
    """A read-only view: kernels see one array type, and nothing downstream can write through it."""
    view = values.view()
    view.flags.writeable = False
    return view


def _kernel_block(values):
    """The float64 C-contiguous read-only (n, k) block the payment kernels are compiled for."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    return values if not values.flags.writeable else _read_only(values)


def _all_finite(values):
    """Whether every entry is finite: two vectorised reductions, no temporaries."""
    if values.size == 0:
        return True
    lo, hi = float(values.min()), float(values.max())  # NaN anywhere makes both NaN
    return lo > -np.inf and hi < np.inf


#: bits of +inf: a float64 whose bits (as an unsigned integer) lie below it is finite and >= 0
_INF_BITS = 0x7FF0000000000000


class _Scan:
    """What one pass over the contributions learns: the contributors and the largest entry."""

    __slots__ = ("forest", "active", "count", "largest")

    def __init__(self, forest, active, count, largest):
        self.forest, self.active, self.count, self.largest = forest, active, count, largest

    def depth_counts(self):
        """How many contributors lie at each depth (0 .. the forest's max depth)."""
        forest = self.forest
        return np.bincount(forest.depth[self.active[:self.count]], minlength=forest.max_depth + 1)

    def walk_steps(self, levels=None):
        """Steps of walks up from every contributor, each at most ``levels`` long (or to its root).

        Exact when contributors are few; when most nodes contribute, estimated from the depths of
        the whole forest (only the choice of a route depends on it).
        """
        forest = self.forest
        if 8 * self.count >= forest.n:
            return forest._walk_steps(levels) * (self.count / max(forest.n, 1))
        lengths = np.arange(1, forest.max_depth + 2)
        if levels is not None:
            lengths = np.minimum(lengths, levels)
        return float(np.dot(self.depth_counts(), lengths))


def _scan(forest, contributions):
    """Scan a float64 (n, k) block: ``(scan, ok)``, ``ok`` False when an entry may be NaN, inf or < 0."""
    block = _kernel_block(contributions)
    active = np.empty(block.shape[0], dtype=np.int64)
    count, top = _scan_contributions_kernel(block, active)
    if int(top) < _INF_BITS:
        largest = float(np.uint64(top).view(np.float64))
        return _Scan(forest, active, int(count), largest), True
    # NaN, inf, a negative entry, or only -0.0: measured exactly (the caller validates first)
    largest = float(np.max(block, initial=0.0))
    return _Scan(forest, active, int(count), largest), False


def _contribution_block(contributions, forest):
    """Validated read-only float64 (n, k) block of the contributions, whether they were 1-D, and its scan.

    A C-contiguous float64 array of the right shape is checked by the same single pass that finds
    the contributors, and used without a copy (through a read-only view); anything else goes
    through the general validator (scalars, lists, other dtypes, and the error messages).
    """
    n = forest.n
    if (isinstance(contributions, np.ndarray) and contributions.dtype == np.float64
            and contributions.ndim in (1, 2) and contributions.shape[0] == n
            and contributions.flags.c_contiguous):
        block = _read_only(contributions.reshape(n, -1))
        scan, ok = _scan(forest, block)
        if ok:
            return contributions.ndim == 1, block, scan
    block = as_vector(contributions, n, "contributions", allow_block=True, nonnegative=True)
    one_d = block.ndim == 1
    block = _read_only(np.ascontiguousarray(block[:, None] if one_d else block))
    return one_d, block, _scan(forest, block)[0]


def _uses_scan(forest_payments):
    """Mark a built-in ``forest_payments`` as computed by ``_scanned_payments`` from one scan.

    :meth:`Mechanism.payments` then hands it the scan it made while validating instead of
    scanning again; a subclass that overrides ``forest_payments`` loses the mark, so its own
    method is called.
    """
    forest_payments._uses_scan = True
    return forest_payments


#: A walk step (scattered reads and writes) costs about this many element steps of a sequential
#: pass (measured on random recursive forests of 10^4 to 10^6 nodes).
WALK_COST = 6.0


def _sweep(forest, kernel, contributions, *args):
    """Run a parents-first sweep ``kernel(parents, contributions, *args, out)`` over the forest.

    When the labels already are a parents-first order (``identity_order``) the kernel runs on
    them directly; otherwise the contributions are permuted into breadth-first positions, the
    kernel runs with ``bfs_parents``, and the payments are permuted back.
    """
    out = np.empty(contributions.shape)
    if forest.identity_order:
        kernel(forest.parents, _kernel_block(contributions), *args, out)
        return out
    at_positions = _kernel_block(contributions[forest.order])
    paid = np.empty(contributions.shape)
    kernel(forest.bfs_parents, at_positions, *args, paid)
    out[forest.order] = paid
    return out


def _chain_forest(length):
    parents = np.arange(-1, length - 1, dtype=np.int64)
    return as_forest(parents)


class Mechanism(ABC):
    r"""A referral reward mechanism: who is paid what when nodes of a referral forest deliver.

    Subclass and implement **one** of

    * :meth:`chain_payments` — for chain-additive rules, where each unit delivered by a node pays
      the chain from that node up to its root (``payments`` follows by summing over contributors);
    * :meth:`forest_payments` — for rules that look at the whole forest (``chain_payments``
      follows by applying it to a path with one unit at the bottom).

    and set ``budget`` (a class attribute or property): the most the rule may pay per target, or
    per unit of contribution. Every checker in :mod:`incnet.mechanisms` works on any subclass.

    Examples
    --------
    >>> import numpy as np
    >>> from incnet.mechanisms import Mechanism
    >>> class HalfToRecruiter(Mechanism):
    ...     budget = 1.5
    ...     def chain_payments(self, length):
    ...         return np.array([1.0, 0.5][:length] + [0.0] * max(0, length - 2))
    >>> HalfToRecruiter().payments([-1, 0, 1], [0, 0, 1]).tolist()
    [0.0, 0.5, 1.0]
    """

    #: what the rule may spend per target (per unit of contribution); override
    budget = math.inf

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if (cls.chain_payments is Mechanism.chain_payments
                and cls.forest_payments is Mechanism.forest_payments
                and not cls.__dict__.get("_abstract", False)):
            raise TypeError(
                f"{cls.__name__} must implement chain_payments(length) or "
                "forest_payments(forest, contributions)"
            )

    def chain_payments(self, length):
        """Payments along one chain of ``length`` nodes with one unit delivered at its bottom.

        Parameters
        ----------
        length : int
            Chain length, >= 0 (the finder plus its recruiters up to the root).

        Returns
        -------
        numpy.ndarray
            float64 of shape ``(length,)``: index 0 the finder, index k the finder's k-th
            recruiter up the chain.
        """
        length = check_int(length, "length", minimum=0, maximum=CHAIN_LIMIT)
        if length == 0:
            return np.zeros(0)
        contributions = np.zeros((length, 1))
        contributions[length - 1, 0] = 1.0
        paid = self.forest_payments(_chain_forest(length), contributions)
        return np.ascontiguousarray(paid[::-1, 0], dtype=np.float64)

    @_uses_scan
    def forest_payments(self, forest, contributions):
        """Payments on a validated forest (the hook behind :meth:`payments`).

        Parameters
        ----------
        forest : ReferralForest
            Validated by :func:`as_forest`.
        contributions : numpy.ndarray
            float64 of shape ``(n, k)``, one column per independent scenario (e.g. per target).
            Read-only when it comes from :meth:`payments` (it may be the caller's own array):
            compute into new arrays.

        Returns
        -------
        numpy.ndarray
            float64 of shape ``(n, k)``.

        Notes
        -----
        The default walks up from every contributor, applying :meth:`chain_payments` of its chain
        length, one level of all walks at a time (the scattered reads of one level overlap in
        memory): O(sum over the contributors v of d(v) + 1).
        """
        return self._scanned_payments(forest, contributions, _scan(forest, contributions)[0])

    #: whether every payment is at most ``budget`` times the total contribution (built-in rules)
    _within_budget = False

    def _scanned_payments(self, forest, contributions, scan):
        # the hook behind payments for rules whose forest_payments is marked by _uses_scan
        return self._walk_chains(forest, contributions, scan)

    def _walk_chains(self, forest, contributions, scan):
        # walk up from every contributor with the chain payments of its chain length
        out = np.zeros(contributions.shape)
        if scan.count == 0:
            return out
        if self._vectorised_table and forest.max_depth < 256:
            lengths = np.arange(1, forest.max_depth + 2)  # every length: a small table, no counting
        else:
            lengths = np.flatnonzero(scan.depth_counts()) + 1
        row_of_length = np.full(forest.max_depth + 2, -1, dtype=np.int64)
        row_of_length[lengths] = np.arange(lengths.size)
        table_ptr = np.zeros(lengths.size + 1, dtype=np.int64)
        table_ptr[1:] = np.cumsum(lengths)
        table = self._chain_table(lengths, table_ptr)
        _walk_up_kernel(forest.parents, forest.depth, _kernel_block(contributions), scan.active, scan.count,
                        row_of_length, table_ptr, table, out)
        return out

    #: whether _chain_table builds all rows at once (then every chain length is tabulated)
    _vectorised_table = False

    def _chain_table(self, lengths, table_ptr):
        # the chains of the given lengths, one after the other (row r at table_ptr[r]:table_ptr[r + 1])
        table = np.empty(int(table_ptr[-1]))
        for row, length in enumerate(lengths.tolist()):
            table[table_ptr[row]:table_ptr[row + 1]] = self._checked_chain(length)
        return table

    def _checked_chain(self, length):
        p = np.asarray(self.chain_payments(length), dtype=np.float64)
        if p.shape != (length,):
            raise InvalidInputError(
                f"{type(self).__name__}.chain_payments({length}) returned shape {p.shape}; "
                f"it must return {length} payments"
            )
        return p

    def payments(self, parents, contributions):
        """Payment to every node of a referral forest.

        Parameters
        ----------
        parents : array_like of int or ReferralForest
            Parent array, ``-1`` for roots.
        contributions : array_like
            Value delivered by each node, shape ``(n,)`` or ``(n, k)`` for k independent scenarios
            (e.g. one column per target: 1 at its finder, 0 elsewhere). Non-negative; a scalar is
            broadcast.

        Returns
        -------
        numpy.ndarray
            float64 payments, same shape as ``contributions``.

        Raises
        ------
        InvalidInputError
            For a malformed parent array (cycle, out-of-range parent) or bad contributions.
        """
        forest = as_forest(parents)
        one_d, block, scan = _contribution_block(contributions, forest)
        scanned = getattr(type(self).forest_payments, "_uses_scan", False)
        if scanned:
            out = self._scanned_payments(forest, block, scan)
        else:
            out = np.asarray(self.forest_payments(forest, block), dtype=np.float64)
        # rules known to pay at most budget * contribution cannot overflow when that bound is finite
        bounded = (scanned and self._within_budget
                   and math.isfinite(float(self.budget) * scan.largest * 2.0 * max(block.size, 1)))
        if out.shape == block.shape and not bounded and not _all_finite(out):
            raise InvalidInputError(
                f"the payments of {type(self).__name__} overflow float64 for contributions up to "
                f"{float(np.max(block, initial=0.0)):g}; measure contributions in a larger unit"
            )
        if out.shape != block.shape:
            raise InvalidInputError(
                f"{type(self).__name__}.forest_payments returned shape {out.shape} for contributions "
                f"of shape {block.shape}; it must return one payment per node and column"
            )
        if not out.flags.writeable or np.may_share_memory(out, block):
            out = out.copy()  # a hook that hands back (a view of) its input: the caller's data stays its own
        return out[:, 0] if one_d else out

    def chain_totals(self, max_length):
        """Total paid per target for chains of length 1..``max_length`` (float64 array).

        It computes every chain, about ``max_length**2 / 2`` payments, so ``max_length`` is at
        most ``CHAIN_TOTALS_LIMIT`` (20,000: some 2e8 payments).
        """
        max_length = check_int(max_length, "max_length", minimum=1, maximum=CHAIN_TOTALS_LIMIT)
        return np.array([float(np.sum(self.chain_payments(L))) for L in range(1, max_length + 1)])

    def __repr__(self):
        fields = getattr(self, "_repr_fields", ())
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other):
        fields = getattr(self, "_repr_fields", None)
        if fields is None or type(other) is not type(self):
            return NotImplemented if fields is None else False
        return all(np.array_equal(np.asarray(getattr(self, f)), np.asarray(getattr(other, f))) for f in fields)

    def __hash__(self):
        fields = getattr(self, "_repr_fields", None)
        if fields is None:
            return id(self)
        return hash((type(self).__name__, *(repr(getattr(self, f)) for f in fields)))

    def __setattr__(self, name, value):
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} is immutable; build a new one instead")
        object.__setattr__(self, name, value)

    def _freeze(self):
        object.__setattr__(self, "_frozen", True)

