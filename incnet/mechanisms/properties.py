r"""Properties of referral mechanisms, checked by adversarial search rather than assumed.

Every checker takes any :class:`~incnet.mechanisms.Mechanism` and searches

1. **exhaustively** over every referral forest with at most ``max_nodes`` nodes (all parent arrays
   with ``parents[v] < v``, which covers every forest up to relabelling) and every 0/1
   contribution vector, and over every single-finder chain of length at most ``max_chain``;
2. **at random** over ``n_random`` larger forests (``random_nodes`` nodes, random contributions),
   plus any forests the caller gives.

The manipulations (sybil splits, coalition merges, extra contribution, a new recruit) are
enumerated in every way on each forest of the exhaustive phase and sampled in the random phase.
The result says whether the property held, the worst violation found and, when it fails, the
smallest counterexample: the first violation in order of forest size (so the manipulation it shows
is as simple as the search allows).

Definitions (per target, i.e. per unit of contribution; :math:`P` the payments):

* **budget**: :math:`\sum_u P(u) \le B \sum_v C(v)` on every forest.
* **individual rationality**: :math:`P(u) \ge 0` for every node: taking part never costs.
* **sybil-proofness**: a node replaced by a chain of :math:`k \le` ``max_identities`` identities
  (the first one attached to its recruiter, each next one recruited by the previous), with its
  recruits and its contribution distributed among the identities in every way, never collects more
  in total than it did alone.
* **collusion-proofness**: a coalition of consecutive nodes on a referral path (a node and its
  :math:`j \ge 1` nearest recruiters, up to ``max_coalition`` members) that reports as one identity
  (in the place of its top member, with all members' recruits and contributions) never collects
  more than its members did separately.
* **contribution incentives** (Emek et al. 2011): *continuing contribution* — a node's payment
  strictly increases when its own contribution grows; *continuing solicitation* — it strictly
  increases when the node recruits a new participant who contributes.

References
----------
Emek, Y., Karidi, R., Tennenholtz, M., Zohar, A. (2011). Mechanisms for multi-level marketing.
*EC 2011*, 209–218.

Babaioff, M., Dobzinski, S., Oren, S., Zohar, A. (2012). On Bitcoin and red balloons. *EC 2012*,
56–73. arXiv:1111.2626.
"""

import itertools
from dataclasses import dataclass, field

import numpy as np

from .._results import ResultMixin
from .._validate import as_rng, check_int, check_nonnegative
from ..errors import InvalidInputError
from ._base import Mechanism, as_forest

__all__ = [
    "Counterexample",
    "PropertyResult",
    "MechanismReport",
    "check_budget",
    "check_individual_rationality",
    "check_sybil_proof",
    "check_collusion_proof",
    "check_contribution_incentive",
    "mechanism_report",
]


@dataclass(frozen=True, repr=False)
class Counterexample(ResultMixin):
    """A forest on which a property fails, the manipulation that breaks it, and the gain.

    Attributes
    ----------
    forest : list of int
        The honest referral forest (parent array).
    contributions : list of float
        The honest contributions.
    manipulation : str
        What the manipulating node(s) did, in words ("honest" for budget/IR violations).
    gain : float
        How much the manipulators gain (or the budget is exceeded, or the payment falls short).
    before, after : float
        The manipulators' total payment honestly and after the manipulation (for the budget: the
        budget and the total paid).
    manipulated_forest, manipulated_contributions : list
        The forest and contributions after the manipulation (``None`` when nothing was changed).
    nodes : tuple of int
        The manipulating nodes in ``forest`` (for a sybil split: the original node).
    found_by : str
        ``"exhaustive"``, ``"chain"`` or ``"random"``: which phase found it.
    """

    forest: list
    contributions: list
    manipulation: str
    gain: float
    before: float
    after: float
    manipulated_forest: list = None
    manipulated_contributions: list = None
    nodes: tuple = ()
    found_by: str = "exhaustive"


@dataclass(frozen=True, repr=False)
class PropertyResult(ResultMixin):
    """Outcome of one property check.

    Attributes
    ----------
    holds : bool
        True when no violation was found.
    counterexample : Counterexample or None
        The smallest violation found.
    worst_gain : float
        The largest gain (violation) over everything checked; ``<= tol`` when the property holds.
    status : str
        ``"holds"`` or ``"violated"``.
    n_checked : int
        Manipulations (or forests) evaluated.
    exhaustive : bool
        True when the verdict rests on an exhaustive search only: a violation found by the
        exhaustive or chain phase, or no random phase was run. False when random forests were
        part of the search that found nothing (or found the counterexample).
    search : str
        Description of the search: exhaustive sizes and the randomised part.
    method : str
        The property checked.
    details : dict
        Extra facts (sub-properties of the contribution incentives).
    """

    holds: bool
    counterexample: Counterexample = None
    worst_gain: float = 0.0
    status: str = "holds"
    n_checked: int = 0
    exhaustive: bool = True
    search: str = ""
    method: str = ""
    details: dict = field(default_factory=dict)

    def __bool__(self):
        return bool(self.holds)

    def __repr__(self):
        # indent the nested counterexample so the whole result reads as one block
        text = super().__repr__()
        if self.counterexample is not None:
            inner = repr(self.counterexample)
            text = text.replace(inner, inner.replace("\n", "\n    "))
        return text


# --------------------------------------------------------------------------- search spaces


def _recursive_forests(n):
    """Every parent array with parents[v] in {-1, 0, ..., v - 1}: all forests up to relabelling."""
    for choice in itertools.product(*[range(-1, v) for v in range(n)]):
        yield np.array(choice, dtype=np.int64)


def _binary_contributions(n):
    """Every non-zero 0/1 contribution vector of length n, as the columns of an (n, 2^n - 1) block."""
    if n == 0:
        return np.zeros((0, 0))
    codes = np.arange(1, 2**n)
    return ((codes[None, :] >> np.arange(n)[:, None]) & 1).astype(np.float64)


def _random_forest(n, rng):
    n_roots = int(rng.integers(1, max(2, n // 4) + 1))
    parents = np.full(n, -1, dtype=np.int64)
    for v in range(n_roots, n):
        parents[v] = rng.integers(0, v)
    return parents


def _random_contributions(n, rng, columns):
    block = (rng.random((n, columns)) < 0.3).astype(np.float64)
    block[rng.integers(0, n, size=columns), np.arange(columns)] = 1.0
    return block


def _as_list(arr):
    return [float(x) for x in np.asarray(arr).ravel()]


def _user_forests(forests):
    out = []
    for item in forests or ():
        if isinstance(item, tuple) and len(item) == 2:
            parents, contributions = item
        else:
            parents, contributions = item, None
        forest = as_forest(parents)
        if contributions is None:
            block = np.eye(forest.n)
        else:
            block = np.asarray(contributions, dtype=np.float64)
            if block.ndim == 1:
                block = block[:, None]
            if block.shape[0] != forest.n or np.any(block < 0) or not np.all(np.isfinite(block)):
                raise InvalidInputError(
                    f"contributions for a user forest must be finite, >= 0, with {forest.n} rows; "
                    f"got shape {block.shape}"
                )
        out.append((forest.parents.copy(), np.ascontiguousarray(block)))
    return out


class _Tracker:
    """Keeps the first violation (smallest search order) and the worst gain."""

    def __init__(self, tol):
        self.tol = tol
        self.first = None
        self.worst = -np.inf
        self.count = 0
        self.sampled = False  # some manipulations were sampled rather than enumerated

    def offer(self, gain, make):
        self.count += 1
        if gain > self.worst:
            self.worst = gain
        if gain > self.tol and self.first is None:
            self.first = make()


def _finish(tracker, name, search, random_used):
    found = tracker.first
    holds = found is None
    worst = float(tracker.worst) if tracker.count else 0.0
    if holds:
        exhaustive = not (random_used or tracker.sampled)
    else:
        exhaustive = found.found_by != "random"
    return PropertyResult(
        holds=holds, counterexample=found, worst_gain=worst,
        status="holds" if holds else "violated", n_checked=tracker.count,
        exhaustive=exhaustive, search=search, method=name,
    )


def _check_mechanism(mech):
    if not isinstance(mech, Mechanism):
        raise InvalidInputError(
            f"expected an incnet.mechanisms.Mechanism, got {type(mech).__name__}; subclass Mechanism "
            "and implement chain_payments or forest_payments"
        )


def _common(max_nodes, max_chain, n_random, random_nodes, tol):
    return (check_int(max_nodes, "max_nodes", minimum=1), check_int(max_chain, "max_chain", minimum=1),
            check_int(n_random, "n_random", minimum=0), check_int(random_nodes, "random_nodes", minimum=1),
            check_nonnegative(tol, "tol"))


def _search_text(max_nodes, max_chain, n_random, random_nodes, extra=""):
    text = f"exhaustive: forests <= {max_nodes} nodes, chains <= {max_chain}{extra}"
    if n_random:
        text += f"; randomised: {n_random} forests of {random_nodes} nodes"
    return text


def _scenarios(max_nodes, max_chain, n_random, random_nodes, rng, forests, *, chains=True):
    """Yield (phase, parents, contribution block) over the whole search space, smallest first."""
    for n in range(1, max_nodes + 1):
        block = _binary_contributions(n)
        for parents in _recursive_forests(n):
            yield "exhaustive", parents, block
    if chains:
        for length in range(max_nodes + 1, max_chain + 1):
            parents = np.arange(-1, length - 1, dtype=np.int64)
            block = np.zeros((length, 1))
            block[-1, 0] = 1.0
            yield "chain", parents, block
    for parents, block in _user_forests(forests):
        yield "exhaustive", parents, block
    for _ in range(n_random):
        parents = _random_forest(random_nodes, rng)
        yield "random", parents, _random_contributions(random_nodes, rng, 4)


# --------------------------------------------------------------------------- budget and IR


def check_budget(mech, *, max_nodes=4, max_chain=64, n_random=100, random_nodes=30, forests=None,
                 rng=0, tol=1e-9):
    r"""Check that the mechanism never pays more than its budget per target.

    For every forest and contribution vector searched, :math:`\sum_u P(u) \le B \sum_v C(v)`
    (``tol`` relative to the budget).

    Parameters
    ----------
    mech : Mechanism
    max_nodes : int, default 4
        Forests of up to this many nodes are searched exhaustively, with every 0/1 contribution
        vector.
    max_chain : int, default 64
        Single-finder chains up to this length are searched.
    n_random, random_nodes : int
        Random forests checked after the exhaustive phase, and their size.
    forests : sequence, optional
        Extra forests to check: parent arrays or ``(parents, contributions)`` pairs.
    rng : None, int or numpy.random.Generator, default 0
        Seed of the random phase (the default makes the check reproducible).
    tol : float
        Violations at most ``tol * max(1, budget)`` are ignored (rounding).

    Returns
    -------
    PropertyResult
        ``counterexample.gain`` is the excess over the budget; ``before`` the budget and
        ``after`` the total paid.

    See Also
    --------
    mechanism_report : every property at once.

    Examples
    --------
    >>> from incnet.mechanisms import RecursiveSplit, check_budget
    >>> check_budget(RecursiveSplit(2000, 0.5)).holds
    True
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    budget = float(mech.budget)
    rng = as_rng(rng)
    tracker = _Tracker(tol * max(1.0, abs(budget) if np.isfinite(budget) else 1.0))
    for phase, parents, block in _scenarios(max_nodes, max_chain, n_random, random_nodes, rng, forests):
        paid = mech.payments(parents, block)
        totals = paid.sum(axis=0)
        allowed = budget * block.sum(axis=0)
        excess = totals - allowed
        for c in range(block.shape[1]):
            gain = float(excess[c]) if np.isfinite(budget) else -np.inf
            tracker.offer(gain, lambda c=c: Counterexample(
                forest=parents.tolist(), contributions=_as_list(block[:, c]),
                manipulation="honest reports: total payment exceeds budget * total contribution",
                gain=float(excess[c]), before=float(allowed[c]), after=float(totals[c]), found_by=phase))
    return _finish(tracker, "budget", _search_text(max_nodes, max_chain, n_random, random_nodes), n_random > 0)


def check_individual_rationality(mech, *, max_nodes=4, max_chain=64, n_random=100, random_nodes=30,
                                 forests=None, rng=0, tol=1e-9):
    """Check that no participant is ever paid a negative amount.

    Parameters and search are those of :func:`check_budget`.

    Returns
    -------
    PropertyResult
        ``counterexample.gain`` is how far the worst payment lies below zero.

    Examples
    --------
    >>> from incnet.mechanisms import FinderOnly, check_individual_rationality
    >>> check_individual_rationality(FinderOnly(1.0)).holds
    True
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    rng = as_rng(rng)
    tracker = _Tracker(tol)
    for phase, parents, block in _scenarios(max_nodes, max_chain, n_random, random_nodes, rng, forests):
        paid = mech.payments(parents, block)
        for c in range(block.shape[1]):
            u = int(np.argmin(paid[:, c]))
            tracker.offer(-float(paid[u, c]), lambda c=c, u=u: Counterexample(
                forest=parents.tolist(), contributions=_as_list(block[:, c]),
                manipulation=f"honest reports: node {u} is charged",
                gain=-float(paid[u, c]), before=0.0, after=float(paid[u, c]), nodes=(u,), found_by=phase))
    return _finish(tracker, "individual rationality",
                   _search_text(max_nodes, max_chain, n_random, random_nodes), n_random > 0)


# --------------------------------------------------------------------------- sybil attacks


# largest number of ways to distribute one node's recruits that is enumerated rather than sampled
_MAX_ASSIGNMENTS = 1024


def _children_lists(parents):
    children = [[] for _ in range(len(parents))]
    for v, p in enumerate(parents):
        if p >= 0:
            children[p].append(v)
    return children


def _sybil_split(parents, block, u, k, child_slot, own_slot):
    """Replace u by identities u_0 (= u) -> u_1 -> ... -> u_{k-1}; new identities get ids n..n+k-2.

    ``child_slot[c]`` is the identity each recruit of u attaches to; u's contribution (all
    columns) moves to identity ``own_slot``.
    """
    n = len(parents)
    ids = [u] + list(range(n, n + k - 1))
    new_parents = np.concatenate([parents, np.array(ids[:-1], dtype=np.int64)])
    for c, slot in child_slot.items():
        new_parents[c] = ids[slot]
    new_block = np.concatenate([block, np.zeros((k - 1, block.shape[1]))])
    if own_slot:
        new_block[ids[own_slot]] = block[u]
        new_block[u] = 0.0
    return new_parents, new_block, ids


def _describe_sybil(u, k, own_slot, child_slot, ids):
    chain = " -> ".join(f"{i}" for i in ids)
    text = f"node {u} splits into {k} identities {chain} (each recruited by the previous)"
    if child_slot:
        moved = ", ".join(f"recruit {c} under {ids[s]}" for c, s in sorted(child_slot.items()))
        text += f"; {moved}"
    text += f"; its contribution under identity {ids[own_slot]}"
    return text


def _sybil_on(mech, parents, block, phase, tracker, max_identities, rng=None, samples=None):
    base = mech.payments(parents, block)
    children = _children_lists(parents)
    n = len(parents)
    nodes = range(n) if rng is None else rng.permutation(n)[: max(1, min(n, 3))]
    for u in nodes:
        u = int(u)
        kids = children[u]
        for k in range(2, max_identities + 1):
            where = phase
            if rng is None and k ** (len(kids) + 1) <= _MAX_ASSIGNMENTS:
                assignments = itertools.product(range(k), repeat=len(kids) + 1)
            else:
                # too many recruits to try every distribution: sample them (seeded per node, so
                # the search stays reproducible) and say so in the counterexample
                draw = rng if rng is not None else np.random.default_rng([u, k, len(parents)])
                count = samples if rng is not None else _MAX_ASSIGNMENTS
                assignments = [tuple(draw.integers(0, k, size=len(kids) + 1)) for _ in range(count)]
                where = "random"
                tracker.sampled = True
            for assign in assignments:
                own_slot = int(assign[0])
                child_slot = {c: int(s) for c, s in zip(kids, assign[1:])}
                new_parents, new_block, ids = _sybil_split(parents, block, u, k, child_slot, own_slot)
                after = mech.payments(new_parents, new_block)[ids].sum(axis=0)
                gains = after - base[u]
                c = int(np.argmax(gains))
                tracker.offer(float(gains[c]), lambda c=c: Counterexample(
                    forest=parents.tolist(), contributions=_as_list(block[:, c]),
                    manipulation=_describe_sybil(u, k, own_slot, child_slot, ids),
                    gain=float(gains[c]), before=float(base[u, c]), after=float(after[c]),
                    manipulated_forest=new_parents.tolist(),
                    manipulated_contributions=_as_list(new_block[:, c]), nodes=(u,), found_by=where))


def _sybil_chains(mech, tracker, max_chain, max_identities):
    # On one chain a node at position i that inserts m identities collects positions i..i+m of the
    # longer chain: a cheap, exhaustive search over long chains through chain_payments alone.
    cache = {}

    def chain(length):
        if length not in cache:
            cache[length] = np.asarray(mech.chain_payments(length), dtype=np.float64)
        return cache[length]

    for length in range(1, max_chain + 1):
        honest = chain(length)
        for m in range(1, max_identities):
            longer = chain(length + m)
            for i in range(length):
                after = float(longer[i:i + m + 1].sum())
                gain = after - float(honest[i])

                def make(length=length, i=i, m=m, after=after, gain=gain):
                    parents = np.arange(-1, length - 1, dtype=np.int64)
                    block = np.zeros((length, 1))
                    block[-1, 0] = 1.0
                    u = length - 1 - i
                    child_slot = {u + 1: m} if i > 0 else {}
                    new_parents, new_block, ids = _sybil_split(parents, block, u, m + 1, child_slot,
                                                               m if i == 0 else 0)
                    return Counterexample(
                        forest=parents.tolist(), contributions=_as_list(block[:, 0]),
                        manipulation=_describe_sybil(u, m + 1, m if i == 0 else 0, child_slot, ids),
                        gain=gain, before=float(honest[i]), after=after,
                        manipulated_forest=new_parents.tolist(),
                        manipulated_contributions=_as_list(new_block[:, 0]), nodes=(u,), found_by="chain")

                tracker.offer(gain, make)


def check_sybil_proof(mech, *, max_nodes=4, max_identities=3, max_chain=24, n_random=30, random_nodes=12,
                      forests=None, rng=0, tol=1e-9):
    """Search for a profitable sybil attack (a node posing as a chain of identities).

    A node is replaced by a chain of ``k = 2..max_identities`` identities, the first attached to
    its recruiter, each next one recruited by the previous; its recruits and its own contribution
    are distributed among the identities in every way (exhaustive phase) or at random (random
    phase). On single-finder chains up to ``max_chain`` every position and every number of
    inserted identities is tried. The attack is profitable when the identities together collect
    more than the node did.

    Parameters
    ----------
    mech : Mechanism
    max_nodes : int, default 4
        Forests up to this size are searched exhaustively (with every 0/1 contribution vector).
    max_identities : int, default 3
        Largest number of identities per attacker.
    max_chain : int, default 24
        Longest single-finder chain searched.
    n_random, random_nodes : int
        Random forests (and sampled attacks on them) after the exhaustive phase.
    forests : sequence, optional
        Extra forests (parent arrays or ``(parents, contributions)`` pairs), attacked exhaustively.
    rng : None, int or Generator, default 0
    tol : float
        Gains up to ``tol`` count as ties.

    Returns
    -------
    PropertyResult
        ``counterexample`` holds the smallest profitable attack found: the honest forest, the
        manipulation, the manipulated forest, and the attacker's payment before and after.

    Notes
    -----
    Contribution is moved whole (one identity receives the node's whole contribution per
    scenario); for chain-additive rules, payments are linear in each contribution, so splitting it
    fractionally never beats the best whole placement.

    Examples
    --------
    The DARPA rule: a finder who reports a fake identity as its own recruiter collects 3000.

    >>> from incnet.mechanisms import RecursiveSplit, check_sybil_proof
    >>> res = check_sybil_proof(RecursiveSplit(2000, 0.5))
    >>> res.holds, res.counterexample.before, res.counterexample.after
    (False, 2000.0, 3000.0)
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    max_identities = check_int(max_identities, "max_identities", minimum=2)
    rng = as_rng(rng)
    tracker = _Tracker(tol)
    for n in range(1, max_nodes + 1):
        block = _binary_contributions(n)
        for parents in _recursive_forests(n):
            _sybil_on(mech, parents, block, "exhaustive", tracker, max_identities)
    _sybil_chains(mech, tracker, max_chain, max_identities)
    for parents, block in _user_forests(forests):
        _sybil_on(mech, parents, block, "exhaustive", tracker, max_identities)
    for _ in range(n_random):
        parents = _random_forest(random_nodes, rng)
        block = _random_contributions(random_nodes, rng, 4)
        _sybil_on(mech, parents, block, "random", tracker, max_identities, rng=rng, samples=4)
    search = _search_text(max_nodes, max_chain, n_random, random_nodes, f", up to {max_identities} identities")
    return _finish(tracker, "sybil-proofness", search, n_random > 0)


# --------------------------------------------------------------------------- collusion


def _merge_path(parents, block, path):
    """Merge the path ``path`` (a node, its recruiter, ...; top member last) into its top member.

    The merged identity keeps the top member's index and recruiter; the other members are removed
    and every recruit of a member is re-attached to it. Returns the new parents, block, the index
    of the merged node in the new forest, and the old -> new index map.
    """
    top = path[-1]
    members = set(path)
    keep = [v for v in range(len(parents)) if v not in members or v == top]
    new_index = {v: i for i, v in enumerate(keep)}
    new_parents = np.empty(len(keep), dtype=np.int64)
    for v in keep:
        p = parents[v]
        if v == top:
            new_parents[new_index[v]] = -1 if p < 0 else new_index[p]
        elif p in members:
            new_parents[new_index[v]] = new_index[top]
        else:
            new_parents[new_index[v]] = -1 if p < 0 else new_index[p]
    new_block = block[keep].copy()
    new_block[new_index[top]] = block[list(path)].sum(axis=0)
    return new_parents, new_block, new_index[top], new_index


def _collusion_on(mech, parents, block, phase, tracker, max_coalition, rng=None):
    base = mech.payments(parents, block)
    n = len(parents)
    nodes = range(n) if rng is None else rng.permutation(n)[: max(1, min(n, 4))]
    for u in nodes:
        path = [int(u)]
        while len(path) < max_coalition and parents[path[-1]] >= 0:
            path.append(int(parents[path[-1]]))
            new_parents, new_block, merged, _ = _merge_path(parents, block, path)
            after = mech.payments(new_parents, new_block)[merged]
            before = base[path].sum(axis=0)
            gains = after - before
            c = int(np.argmax(gains))
            members = tuple(path)
            tracker.offer(float(gains[c]), lambda c=c, members=members, new_parents=new_parents,
                          new_block=new_block, after=after, before=before, gains=gains: Counterexample(
                forest=parents.tolist(), contributions=_as_list(block[:, c]),
                manipulation=(f"nodes {', '.join(map(str, members))} (a node and its recruiters) report as "
                              f"one identity in place of node {members[-1]}"),
                gain=float(gains[c]), before=float(before[c]), after=float(after[c]),
                manipulated_forest=new_parents.tolist(), manipulated_contributions=_as_list(new_block[:, c]),
                nodes=members, found_by=phase))


def check_collusion_proof(mech, *, max_nodes=5, max_coalition=3, max_chain=24, n_random=30, random_nodes=12,
                          forests=None, rng=0, tol=1e-9):
    """Search for a coalition of consecutive recruiters that gains by merging into one identity.

    A node and its ``1..max_coalition - 1`` nearest recruiters report as one identity (in place
    of the top member, with all members' recruits and contributions): the coalition gains when
    the merged identity is paid more than its members were together. Merging shortens every
    referral chain through the coalition, which is exactly what rules that pay less on longer
    chains (to stop sybils) reward.

    Parameters
    ----------
    mech : Mechanism
    max_nodes : int, default 5
    max_coalition : int, default 3
        Largest coalition size.
    max_chain, n_random, random_nodes, forests, rng, tol
        As in :func:`check_sybil_proof`.

    Returns
    -------
    PropertyResult

    Examples
    --------
    >>> from incnet.mechanisms import RecursiveSplit, check_collusion_proof
    >>> check_collusion_proof(RecursiveSplit(2000, 0.5)).holds
    True
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    max_coalition = check_int(max_coalition, "max_coalition", minimum=2)
    rng = as_rng(rng)
    tracker = _Tracker(tol)
    for phase, parents, block in _scenarios(max_nodes, max_chain, 0, random_nodes, rng, forests):
        _collusion_on(mech, parents, block, phase, tracker, max_coalition)
    for _ in range(n_random):
        parents = _random_forest(random_nodes, rng)
        _collusion_on(mech, parents, _random_contributions(random_nodes, rng, 4), "random", tracker,
                      max_coalition, rng=rng)
    search = _search_text(max_nodes, max_chain, n_random, random_nodes, f", coalitions up to {max_coalition}")
    return _finish(tracker, "collusion-proofness", search, n_random > 0)


# --------------------------------------------------------------------------- contribution incentives


def check_contribution_incentive(mech, *, max_nodes=4, max_chain=16, n_random=30, random_nodes=12,
                                 forests=None, rng=0, tol=1e-9):
    r"""Check Emek et al.'s continuing contribution and continuing solicitation incentives.

    *Continuing contribution*: raising any node's own contribution by one unit strictly raises its
    payment. *Continuing solicitation*: any node that recruits one new participant contributing
    one unit is strictly better off. Both must hold on every forest searched; ``details`` reports
    each separately (``"contribution"``, ``"solicitation"``). The counterexample's ``gain`` is the
    shortfall: how much the node's payment failed to increase (``>= 0``, a tie counts).

    Parameters
    ----------
    mech : Mechanism
    max_nodes, max_chain, n_random, random_nodes, forests, rng, tol
        As in :func:`check_budget`; a payment must rise by more than ``tol``.

    Returns
    -------
    PropertyResult

    References
    ----------
    Emek, Y., Karidi, R., Tennenholtz, M., Zohar, A. (2011). Mechanisms for multi-level
    marketing. *EC 2011*, 209–218.

    Examples
    --------
    Finder-only pays for one's own contribution but gives no reason to recruit:

    >>> from incnet.mechanisms import FinderOnly, check_contribution_incentive
    >>> res = check_contribution_incentive(FinderOnly(1.0))
    >>> res.holds, res.details["contribution"], res.details["solicitation"]
    (False, True, False)
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    rng = as_rng(rng)
    # offered value: minus the rise; a violation is a rise below tol (a tie included)
    contrib = _Tracker(-tol)
    solicit = _Tracker(-tol)
    for phase, parents, block in _scenarios(max_nodes, max_chain, n_random, random_nodes, rng, forests):
        base = mech.payments(parents, block)
        n = len(parents)
        nodes = range(n) if phase != "random" else rng.permutation(n)[:3]
        for u in nodes:
            u = int(u)
            more = block.copy()
            more[u] += 1.0
            rise = mech.payments(parents, more)[u] - base[u]
            c = int(np.argmin(rise))
            contrib.offer(-float(rise[c]), lambda c=c, u=u, rise=rise, more=more: Counterexample(
                forest=parents.tolist(), contributions=_as_list(block[:, c]),
                manipulation=f"node {u} contributes one more unit",
                gain=-float(rise[c]), before=float(base[u, c]), after=float(base[u, c] + rise[c]),
                manipulated_forest=parents.tolist(), manipulated_contributions=_as_list(more[:, c]),
                nodes=(u,), found_by=phase))
            new_parents = np.append(parents, u)
            new_block = np.vstack([block, np.ones((1, block.shape[1]))])
            rise = mech.payments(new_parents, new_block)[u] - base[u]
            c = int(np.argmin(rise))
            solicit.offer(-float(rise[c]), lambda c=c, u=u, rise=rise, new_parents=new_parents, new_block=new_block: Counterexample(
                forest=parents.tolist(), contributions=_as_list(block[:, c]),
                manipulation=f"node {u} recruits a new participant {n} who contributes one unit",
                gain=-float(rise[c]), before=float(base[u, c]), after=float(base[u, c] + rise[c]),
                manipulated_forest=new_parents.tolist(), manipulated_contributions=_as_list(new_block[:, c]),
                nodes=(u,), found_by=phase))
    random_used = n_random > 0
    search = _search_text(max_nodes, max_chain, n_random, random_nodes)
    first = contrib.first if contrib.first is not None else solicit.first
    holds = first is None
    worst = float(max(contrib.worst, solicit.worst)) if contrib.count else 0.0
    return PropertyResult(
        holds=holds, counterexample=first, worst_gain=worst,
        status="holds" if holds else "violated", n_checked=contrib.count + solicit.count,
        exhaustive=(not random_used) if holds else first.found_by != "random", search=search,
        method="contribution incentive",
        details={"contribution": contrib.first is None, "solicitation": solicit.first is None,
                 "smallest_rise": -worst},
    )


# --------------------------------------------------------------------------- report


@dataclass(frozen=True, repr=False)
class MechanismReport:
    """Property table of one or more mechanisms (``str()`` or ``print`` shows it).

    Attributes
    ----------
    mechanisms : tuple of Mechanism
    results : tuple of dict
        Per mechanism, property name -> :class:`PropertyResult`.
    """

    mechanisms: tuple
    results: tuple

    def table(self, fmt="text"):
        """The table as plain text (``"text"``) or reStructuredText list-table (``"rst"``)."""
        names = ["budget", "individual rationality", "sybil-proof", "collusion-proof",
                 "contribution incentive", "solicitation incentive"]
        rows = []
        for mech, res in zip(self.mechanisms, self.results):
            incentive = res["contribution incentive"]
            cells = [
                _mark(res["budget"].holds), _mark(res["individual rationality"].holds),
                _mark(res["sybil-proof"].holds), _mark(res["collusion-proof"].holds),
                _mark(incentive.details["contribution"]), _mark(incentive.details["solicitation"]),
            ]
            rows.append([repr(mech)] + cells)
        header = ["mechanism"] + names
        if fmt == "rst":
            lines = [".. list-table::", "   :header-rows: 1", ""]
            for row in [header] + rows:
                lines.append("   * - " + row[0])
                lines.extend("     - " + cell for cell in row[1:])
            return "\n".join(lines)
        widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
        out = ["  ".join(cell.ljust(w) for cell, w in zip(header, widths)).rstrip()]
        out.append("  ".join("-" * w for w in widths))
        out.extend("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)
        return "\n".join(out)

    def __str__(self):
        return self.table()

    def __repr__(self):
        return self.table()


def _mark(flag):
    return "yes" if flag else "no"


def mechanism_report(mech, *, print_table=False, **search):
    """Check every property of one mechanism (or a list) and tabulate them.

    Parameters
    ----------
    mech : Mechanism or sequence of Mechanism
    print_table : bool, default False
        Also print the table.
    **search
        ``rng``, ``n_random``, ``random_nodes`` and ``max_chain`` are passed to every checker.

    Returns
    -------
    MechanismReport
        ``print(report)`` shows one row per mechanism: budget, individual rationality,
        sybil-proofness, collusion-proofness, and Emek et al.'s contribution and solicitation
        incentives.

    Examples
    --------
    >>> from incnet.mechanisms import FinderOnly, RecursiveSplit, mechanism_report
    >>> report = mechanism_report([FinderOnly(2000), RecursiveSplit(2000, 0.5)], n_random=0)
    >>> print(report)  # doctest: +NORMALIZE_WHITESPACE, +ELLIPSIS
    mechanism ...
    FinderOnly(reward=2000.0) yes yes yes yes yes no
    RecursiveSplit(finder_reward=2000.0, ratio=0.5, max_depth=None) yes yes no yes yes yes
    """
    mechanisms = (mech,) if isinstance(mech, Mechanism) else tuple(mech)
    allowed = {"rng", "n_random", "random_nodes", "max_chain"}
    unknown = set(search) - allowed
    if unknown:
        raise InvalidInputError(f"unknown search options {sorted(unknown)}; use {sorted(allowed)}")
    results = []
    for m in mechanisms:
        _check_mechanism(m)
        results.append({
            "budget": check_budget(m, **search),
            "individual rationality": check_individual_rationality(m, **search),
            "sybil-proof": check_sybil_proof(m, **search),
            "collusion-proof": check_collusion_proof(m, **search),
            "contribution incentive": check_contribution_incentive(m, **search),
        })
    report = MechanismReport(mechanisms, tuple(results))
    if print_table:
        print(report.table())
    return report
