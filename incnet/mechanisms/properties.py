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
* **costed sybil attacks** (Drucker & Fleischer 2012): each fake identity must buy the product,
  at a price ``identity_cost``; an attack with :math:`k - 1` fake identities pays only when the
  identities together collect more than :math:`(k - 1)` times that price on top of what the
  node collected alone.
* **contribution incentives** (the incentive-tree vocabulary of Lv & Moscibroda 2013):
  *continuing contribution* — a node's payment
  strictly increases when its own contribution grows; *continuing solicitation* — it strictly
  increases when the node recruits a new participant who contributes.
* **unbounded reward** (multi-level marketing: Emek et al. 2011; Lv & Moscibroda 2013): every
  node can earn as much as it likes by growing its subtree (every new participant contributing
  one unit).
* **subtree locality** (multi-level marketing, Emek et al. 2011): a node's payment depends only
  on its own subtree and the contributions in it, not on where the subtree hangs in the forest
  or on anything outside.

The last two are incnet's statements of the properties; the papers' exact axiom lists could not
be checked against their text.

References
----------
Emek, Y., Karidi, R., Tennenholtz, M., Zohar, A. (2011). Mechanisms for multi-level marketing.
*EC 2011*, 209–218.

Drucker, F. A., Fleischer, L. K. (2012). Simpler sybil-proof mechanisms for multi-level
marketing. *EC 2012*, 441–458.

Lv, Y., Moscibroda, T. (2013). Fair and resilient incentive tree mechanisms. *PODC 2013*;
*Distributed Computing* (2016), doi:10.1007/s00446-015-0250-y.

Babaioff, M., Dobzinski, S., Oren, S., Zohar, A. (2012). On Bitcoin and red balloons. *EC 2012*,
56–73. arXiv:1111.2626.
"""

import itertools
import math
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
    "check_unbounded_reward",
    "check_subtree_locality",
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
    cost : float
        What the manipulation cost the manipulators (a costed sybil attack: the price of the fake
        identities' purchases); ``gain = after - before - cost``.
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
    cost: float = 0.0


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


#: Largest search a property check accepts, in payment entries evaluated (about 10^7 per second).
WORK_LIMIT = 2 * 10**8


def _search_work(max_nodes, max_chain, n_random, random_nodes):
    """Payment entries a search evaluates: sum over n of n! forests x (2^n - 1) vectors x n nodes,
    plus the chains and the random forests (4 scenarios of ``random_nodes`` each); a forest
    searched one at a time also costs some 4000 entries' worth of Python overhead."""
    work = 0
    for n in range(1, max_nodes + 1):
        work += math.factorial(n) * (2**n - 1) * n
        if work > WORK_LIMIT:
            break
    chains = max(0, max_chain - max_nodes)
    work += max(0, max_chain * (max_chain + 1) // 2 - max_nodes * (max_nodes + 1) // 2) + 1000 * chains
    return work + n_random * (4000 + 4 * random_nodes)


def _common(max_nodes, max_chain, n_random, random_nodes, tol):
    values = (check_int(max_nodes, "max_nodes", minimum=1), check_int(max_chain, "max_chain", minimum=1),
              check_int(n_random, "n_random", minimum=0), check_int(random_nodes, "random_nodes", minimum=1),
              check_nonnegative(tol, "tol"))
    max_nodes, max_chain, n_random, random_nodes = values[:4]
    work = _search_work(max_nodes, max_chain, n_random, random_nodes)
    if work > WORK_LIMIT:
        hint = ("forests of up to 8 nodes are the most an exhaustive search accepts; "
                if _search_work(max_nodes, 1, 0, 1) > WORK_LIMIT else "")
        raise InvalidInputError(
            f"this search would evaluate about {work:.3g} payments (max_nodes={max_nodes}, "
            f"max_chain={max_chain}, n_random={n_random} x random_nodes={random_nodes}), beyond the "
            f"limit of {WORK_LIMIT:.0e} (about 20 s); {hint}lower max_nodes, max_chain or n_random, "
            "or pass the forests that matter with forests="
        )
    return values


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


def check_budget(mech, *, budget=None, max_nodes=4, max_chain=64, n_random=100, random_nodes=30,
                 forests=None, rng=0, tol=1e-9):
    r"""Check that the mechanism never pays more than its budget per target.

    For every forest and contribution vector searched, :math:`\sum_u P(u) \le B \sum_v C(v)`
    (``tol`` relative to the budget).

    Parameters
    ----------
    mech : Mechanism
    budget : float, optional
        :math:`B`; the mechanism's own ``budget`` by default. Pass the seller's fraction
        :math:`\Pi` of revenue to check Emek et al.'s multi-level-marketing constraint (total
        rewards at most :math:`\Pi` times total contribution).
    max_nodes : int, default 4
        Forests of up to this many nodes are searched exhaustively, with every 0/1 contribution
        vector. The search grows like :math:`n!\,2^n`: a work estimate refuses a search of more
        than ``WORK_LIMIT`` (2e8) payments, which allows forests of up to 8 nodes.
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

    A geometric MLM rule that spends 40% of revenue violates a seller's limit of 30%:

    >>> from incnet.mechanisms import GeometricMLM
    >>> check_budget(GeometricMLM(0.2, 0.5), budget=0.3, n_random=0).holds
    False
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    budget = float(mech.budget) if budget is None else check_nonnegative(budget, "budget")
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


def _sybil_on(mech, parents, block, phase, tracker, max_identities, cost, rng=None, samples=None):
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
                spent = cost * (k - 1)
                gains = after - base[u] - spent
                c = int(np.argmax(gains))
                tracker.offer(float(gains[c]), lambda c=c: Counterexample(
                    forest=parents.tolist(), contributions=_as_list(block[:, c]),
                    manipulation=_describe_sybil(u, k, own_slot, child_slot, ids),
                    gain=float(gains[c]), before=float(base[u, c]), after=float(after[c]),
                    manipulated_forest=new_parents.tolist(),
                    manipulated_contributions=_as_list(new_block[:, c]), nodes=(u,), found_by=where,
                    cost=spent))


def _sybil_chains(mech, tracker, max_chain, max_identities, cost):
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
                gain = after - float(honest[i]) - cost * m

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
                        manipulated_contributions=_as_list(new_block[:, 0]), nodes=(u,), found_by="chain",
                        cost=cost * m)

                tracker.offer(gain, make)


def check_sybil_proof(mech, *, identity_cost=0.0, max_nodes=4, max_identities=3, max_chain=24, n_random=30,
                      random_nodes=12, forests=None, rng=0, tol=1e-9):
    """Search for a profitable sybil attack (a node posing as a chain of identities).

    A node is replaced by a chain of ``k = 2..max_identities`` identities, the first attached to
    its recruiter, each next one recruited by the previous; its recruits and its own contribution
    are distributed among the identities in every way (exhaustive phase) or at random (random
    phase). On single-finder chains up to ``max_chain`` every position and every number of
    inserted identities is tried. The attack is profitable when the identities together collect
    more than the node did plus what the fake identities cost, ``identity_cost * (k - 1)``.

    Parameters
    ----------
    mech : Mechanism
    identity_cost : float, default 0
        What each fake identity costs the attacker. ``0`` is the free split of Emek et al.'s
        false-name model (identities cost nothing), the strictest test. In Drucker & Fleischer's
        multi-level-marketing model every identity must buy the product, so pass its price: an
        attack then pays only when the extra reward exceeds the price per fake identity. The fake
        identities' purchases are counted as a cost only, not as extra contribution.
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

    References
    ----------
    Emek, Y., Karidi, R., Tennenholtz, M., Zohar, A. (2011). Mechanisms for multi-level
    marketing. *EC 2011*, 209–218.

    Drucker, F. A., Fleischer, L. K. (2012). Simpler sybil-proof mechanisms for multi-level
    marketing. *EC 2012*, 441–458.

    Examples
    --------
    The DARPA rule: a finder who reports a fake identity as its own recruiter collects 3000.

    >>> from incnet.mechanisms import RecursiveSplit, check_sybil_proof
    >>> res = check_sybil_proof(RecursiveSplit(2000, 0.5))
    >>> res.holds, res.counterexample.before, res.counterexample.after
    (False, 2000.0, 3000.0)

    If every identity costs 1000, the lone finder's attack no longer pays, but one whose recruit
    also delivers still gains (the fake identity collects half of everything below it):

    >>> cx = check_sybil_proof(RecursiveSplit(2000, 0.5), identity_cost=1000).counterexample
    >>> cx.forest, cx.contributions, cx.gain, cx.cost
    ([-1, 0], [1.0, 1.0], 500.0, 1000.0)
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    max_identities = check_int(max_identities, "max_identities", minimum=2, maximum=64)
    identity_cost = check_nonnegative(identity_cost, "identity_cost")
    rng = as_rng(rng)
    tracker = _Tracker(tol)
    for n in range(1, max_nodes + 1):
        block = _binary_contributions(n)
        for parents in _recursive_forests(n):
            _sybil_on(mech, parents, block, "exhaustive", tracker, max_identities, identity_cost)
    _sybil_chains(mech, tracker, max_chain, max_identities, identity_cost)
    for parents, block in _user_forests(forests):
        _sybil_on(mech, parents, block, "exhaustive", tracker, max_identities, identity_cost)
    for _ in range(n_random):
        parents = _random_forest(random_nodes, rng)
        block = _random_contributions(random_nodes, rng, 4)
        _sybil_on(mech, parents, block, "random", tracker, max_identities, identity_cost, rng=rng, samples=4)
    extra = f", up to {max_identities} identities"
    if identity_cost:
        extra += f" at a cost of {identity_cost:g} each"
    search = _search_text(max_nodes, max_chain, n_random, random_nodes, extra)
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
    max_coalition = check_int(max_coalition, "max_coalition", minimum=2, maximum=64)
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
    r"""Check the continuing contribution and continuing solicitation incentives.

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

    The names are those of the incentive-tree literature (Lv & Moscibroda 2013 and the lottree
    papers after it).

    References
    ----------
    Lv, Y., Moscibroda, T. (2013). Fair and resilient incentive tree mechanisms. *PODC 2013*;
    *Distributed Computing* (2016), doi:10.1007/s00446-015-0250-y.

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


# --------------------------------------------------------------------------- Emek et al.'s structural properties


def _extension(parents, block, u, levels, width):
    """u's subtree grown by a path of ``levels - 1`` new nodes below u ending in ``width`` leaves.

    Every new node contributes one unit in every scenario. Returns the new parents and block.
    """
    n = len(parents)
    extra = levels - 1 + width
    new_parents = np.empty(n + extra, dtype=np.int64)
    new_parents[:n] = parents
    top = u
    for j in range(levels - 1):
        new_parents[n + j] = top
        top = n + j
    new_parents[n + levels - 1:] = top
    new_block = np.concatenate([block, np.ones((extra, block.shape[1]))])
    return new_parents, new_block


def check_unbounded_reward(mech, *, max_nodes=3, max_levels=3, width=32, max_chain=16, n_random=10,
                           random_nodes=10, forests=None, rng=0, tol=1e-9):
    r"""Check *unbounded reward*: every node can earn arbitrarily much by recruiting.

    For every node :math:`u` of every forest searched, :math:`u`'s subtree is grown by families of
    extensions in which every new participant contributes one unit: for :math:`\ell = 1, \dots,`
    ``max_levels``, a path of :math:`\ell - 1` new recruits below :math:`u` ending in :math:`w`
    new leaves (:math:`\ell = 1` is :math:`w` direct recruits). :math:`u`'s reward is unbounded
    along a family when it grows with :math:`w` at a positive rate,
    :math:`P_u(2w) - P_u(w) > w \cdot` ``tol``. The property holds when every node has such a
    family; a node with none is a counterexample (its ``gain`` is the shortfall: minus the best
    rate found, ``>= 0``). The property is the multi-level-marketing literature's (Emek et al.
    2011; Lv & Moscibroda 2013, whose second family gives up the "unbounded reward
    opportunity"); the statement here is incnet's.

    Parameters
    ----------
    mech : Mechanism
    max_nodes : int, default 3
        Forests up to this size are searched exhaustively (every 0/1 contribution vector).
    max_levels : int, default 3
        Deepest level below :math:`u` at which the extension adds its leaves.
    width : int, default 32
        :math:`w`: the rate is measured between :math:`w` and :math:`2w` leaves.
    max_chain : int, default 16
        The deepest node of every single-finder chain up to this length is also tried (deep
        nodes are the ones a depth cap or a horizon leaves without reward).
    n_random, random_nodes, forests, rng, tol
        As in :func:`check_budget`.

    Returns
    -------
    PropertyResult
        ``details["rate"]``: the smallest over nodes of the best growth rate per added leaf.

    Notes
    -----
    Unboundedness is a limit; a finite search finds the rate at which a reward grows. For a
    chain-additive rule the reward is affine in the number of leaves of each family, so the rate
    is exact: :math:`p_{d+\ell+1}[\ell]` for :math:`u` at depth :math:`d`. A rule whose
    rewards grow along no family here but along a bushier one is reported as bounded.

    References
    ----------
    Emek, Y., Karidi, R., Tennenholtz, M., Zohar, A. (2011). Mechanisms for multi-level
    marketing. *EC 2011*, 209–218.

    Examples
    --------
    >>> from incnet.mechanisms import FinderOnly, GeometricMLM, check_unbounded_reward
    >>> check_unbounded_reward(GeometricMLM(0.5, 0.5)).holds
    True
    >>> res = check_unbounded_reward(FinderOnly(1.0))
    >>> res.holds, res.counterexample.forest
    (False, [-1])
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    max_levels = check_int(max_levels, "max_levels", minimum=1)
    width = check_int(width, "width", minimum=1)
    rng = as_rng(rng)
    tracker = _Tracker(-tol)  # offered value: minus the best rate; a violation is a rate <= tol
    for phase, parents, block in _scenarios(max_nodes, 0, n_random, random_nodes, rng, forests, chains=False):
        nodes = range(len(parents)) if phase != "random" else rng.permutation(len(parents))[:3]
        for u in nodes:
            _unbounded_on(mech, parents, block, int(u), phase, tracker, max_levels, width)
    for length in range(max_nodes + 1, max_chain + 1):
        parents = np.arange(-1, length - 1, dtype=np.int64)
        block = np.zeros((length, 1))
        block[-1, 0] = 1.0
        _unbounded_on(mech, parents, block, length - 1, "chain", tracker, max_levels, width)
    search = _search_text(max_nodes, max_chain, n_random, random_nodes,
                          f", extensions to depth {max_levels} with {width} and {2 * width} leaves")
    result = _finish(tracker, "unbounded reward", search, n_random > 0)
    return _with_details(result, {"rate": -float(tracker.worst) if tracker.count else 0.0})


def _with_details(result, details):
    return PropertyResult(**{**{f: getattr(result, f) for f in result.__dataclass_fields__}, "details": details})


def _unbounded_on(mech, parents, block, u, phase, tracker, max_levels, width):
    honest = mech.payments(parents, block)[u]
    best = np.full(block.shape[1], -np.inf)
    big = None
    for levels in range(1, max_levels + 1):
        small_p, small_b = _extension(parents, block, u, levels, width)
        big_p, big_b = _extension(parents, block, u, levels, 2 * width)
        rate = (mech.payments(big_p, big_b)[u] - mech.payments(small_p, small_b)[u]) / width
        better = rate > best
        best = np.where(better, rate, best)
        if big is None or np.any(better):
            big = (big_p, big_b)
    c = int(np.argmin(best))
    big_p, big_b = big
    after = float(mech.payments(big_p, big_b)[u, c])
    tracker.offer(-float(best[c]), lambda: Counterexample(
        forest=parents.tolist(), contributions=_as_list(block[:, c]),
        manipulation=(f"node {u} grows its subtree (up to {max_levels} levels deep, every new participant "
                      f"contributing one unit): its reward grows by at most {max(float(best[c]), 0.0):.6g} "
                      "per new participant"),
        gain=-float(best[c]), before=float(honest[c]), after=after,
        manipulated_forest=big_p.tolist(), manipulated_contributions=_as_list(big_b[:, c]),
        nodes=(u,), found_by=phase))


def _subtree_of(parents, u):
    children = _children_lists(parents)
    members = [u]
    for v in members:
        members.extend(children[v])
    return sorted(members)


def check_subtree_locality(mech, *, max_nodes=4, max_chain=16, n_random=30, random_nodes=12, forests=None,
                           rng=0, tol=1e-9):
    r"""Check *subtree locality*: a node's reward depends only on its own subtree.

    For every node :math:`u` of every forest searched, :math:`u`'s payment is compared with its
    payment when its subtree :math:`T_u` (with the same contributions) stands alone, :math:`u` a
    root. Subtree locality requires them to be equal: nothing outside :math:`T_u` — the depth at
    which :math:`u` was recruited, its recruiters, other branches, their contributions — may change
    :math:`u`'s reward. On single-finder chains up to ``max_chain`` every node is compared. The
    property is one of Emek et al.'s (2011) for multi-level marketing; the statement here is
    incnet's.

    Parameters
    ----------
    mech : Mechanism
    max_nodes, max_chain, n_random, random_nodes, forests, rng, tol
        As in :func:`check_budget`.

    Returns
    -------
    PropertyResult
        ``counterexample.before`` is :math:`u`'s payment in the forest, ``after`` its payment in
        :math:`T_u` alone, ``gain`` the absolute difference.

    References
    ----------
    Emek, Y., Karidi, R., Tennenholtz, M., Zohar, A. (2011). Mechanisms for multi-level
    marketing. *EC 2011*, 209–218.

    Examples
    --------
    The geometric rule is subtree-local; a rule that pays less on longer chains cannot be:

    >>> from incnet.mechanisms import GeometricMLM, LengthDiscountedSplit, check_subtree_locality
    >>> check_subtree_locality(GeometricMLM(0.5, 0.5)).holds
    True
    >>> check_subtree_locality(LengthDiscountedSplit(2000, 0.5)).counterexample.forest
    [-1, 0]
    """
    _check_mechanism(mech)
    max_nodes, max_chain, n_random, random_nodes, tol = _common(max_nodes, max_chain, n_random, random_nodes, tol)
    rng = as_rng(rng)
    tracker = _Tracker(tol)
    for phase, parents, block in _scenarios(max_nodes, max_chain, n_random, random_nodes, rng, forests):
        paid = mech.payments(parents, block)
        nodes = range(len(parents)) if phase != "random" else rng.permutation(len(parents))[:4]
        for u in nodes:
            u = int(u)
            members = _subtree_of(parents, u)
            if len(members) == len(parents):
                continue  # u's subtree is the whole forest: nothing outside it to vary
            index = {v: i for i, v in enumerate(members)}
            sub_parents = np.array([-1 if v == u else index[int(parents[v])] for v in members], dtype=np.int64)
            sub_block = block[members]
            alone = mech.payments(sub_parents, sub_block)[index[u]]
            diff = np.abs(alone - paid[u])
            c = int(np.argmax(diff))
            tracker.offer(float(diff[c]), lambda c=c, u=u, sub_parents=sub_parents, sub_block=sub_block,
                          alone=alone: Counterexample(
                forest=parents.tolist(), contributions=_as_list(block[:, c]),
                manipulation=(f"node {u}'s subtree stands alone (node {u} a root, nothing outside its "
                              "subtree): its payment changes"),
                gain=float(diff[c]), before=float(paid[u, c]), after=float(alone[c]),
                manipulated_forest=sub_parents.tolist(), manipulated_contributions=_as_list(sub_block[:, c]),
                nodes=(u,), found_by=phase))
    return _finish(tracker, "subtree locality", _search_text(max_nodes, max_chain, n_random, random_nodes),
                   n_random > 0)


# --------------------------------------------------------------------------- report


@dataclass(frozen=True, repr=False)
class MechanismReport:
    """Property table of one or more mechanisms (``str()`` or ``print`` shows it).

    Attributes
    ----------
    mechanisms : tuple of Mechanism
    results : tuple of dict
        Per mechanism, property name -> :class:`PropertyResult`. With identity costs the dict
        also holds ``"costed sybil-proof"``.
    identity_costs : tuple of float or None
        The price of a fake identity per mechanism (``None`` when costed attacks were not
        checked).
    """

    mechanisms: tuple
    results: tuple
    identity_costs: tuple = None

    def table(self, fmt="text"):
        """The table as plain text (``"text"``) or reStructuredText list-table (``"rst"``)."""
        costed = self.identity_costs is not None
        names = ["budget", "individual rationality", "sybil-proof"]
        names += ["sybil-proof at identity cost"] if costed else []
        names += ["collusion-proof", "contribution incentive", "solicitation incentive", "unbounded reward",
                  "subtree locality"]
        rows = []
        for j, (mech, res) in enumerate(zip(self.mechanisms, self.results)):
            incentive = res["contribution incentive"]
            cells = [_mark(res["budget"].holds), _mark(res["individual rationality"].holds),
                     _mark(res["sybil-proof"].holds)]
            if costed:
                cells.append(f"{_mark(res['costed sybil-proof'].holds)} ({self.identity_costs[j]:g})")
            cells += [_mark(res["collusion-proof"].holds), _mark(incentive.details["contribution"]),
                      _mark(incentive.details["solicitation"]), _mark(res["unbounded reward"].holds),
                      _mark(res["subtree locality"].holds)]
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


def mechanism_report(mech, *, identity_cost=None, print_table=False, **search):
    """Check every property of one mechanism (or a list) and tabulate them.

    Parameters
    ----------
    mech : Mechanism or sequence of Mechanism
    identity_cost : float or sequence of float, optional
        Also check costed sybil attacks (:func:`check_sybil_proof` with this ``identity_cost``),
        one price for all mechanisms or one per mechanism; the table gets a column
        "sybil-proof at identity cost" showing the verdict and the price. Without it only the
        free attacks of the "sybil-proof" column are checked.
    print_table : bool, default False
        Also print the table.
    **search
        ``rng``, ``n_random``, ``random_nodes``, ``max_chain`` and ``forests`` are passed to every
        checker.

    Returns
    -------
    MechanismReport
        ``print(report)`` shows one row per mechanism: budget, individual rationality,
        sybil-proofness (free, and at the identity cost when given), collusion-proofness, the
        contribution and solicitation incentives, unbounded reward and subtree locality.

    Examples
    --------
    >>> from incnet.mechanisms import FinderOnly, RecursiveSplit, mechanism_report
    >>> report = mechanism_report([FinderOnly(2000), RecursiveSplit(2000, 0.5)], n_random=0,
    ...                           identity_cost=1000)
    >>> print(report)  # doctest: +NORMALIZE_WHITESPACE, +ELLIPSIS
    mechanism ...
    FinderOnly(reward=2000.0) yes yes yes yes (1000) yes yes no no yes
    RecursiveSplit(finder_reward=2000.0, ratio=0.5, max_depth=None) yes yes no no (1000) yes yes yes yes yes
    """
    mechanisms = (mech,) if isinstance(mech, Mechanism) else tuple(mech)
    allowed = {"rng", "n_random", "random_nodes", "max_chain", "forests"}
    unknown = set(search) - allowed
    if unknown:
        raise InvalidInputError(f"unknown search options {sorted(unknown)}; use {sorted(allowed)}")
    costs = None
    if identity_cost is not None:
        raw = np.atleast_1d(np.asarray(identity_cost, dtype=object)).ravel().tolist()
        if len(raw) == 1:
            raw = raw * len(mechanisms)
        if len(raw) != len(mechanisms):
            raise InvalidInputError(
                f"identity_cost has {len(raw)} entries for {len(mechanisms)} mechanisms; give one price "
                "for all or one per mechanism"
            )
        costs = tuple(check_nonnegative(c, "identity_cost") for c in raw)
    results = []
    for j, m in enumerate(mechanisms):
        _check_mechanism(m)
        res = {
            "budget": check_budget(m, **search),
            "individual rationality": check_individual_rationality(m, **search),
            "sybil-proof": check_sybil_proof(m, **search),
            "collusion-proof": check_collusion_proof(m, **search),
            "contribution incentive": check_contribution_incentive(m, **search),
            "unbounded reward": check_unbounded_reward(m, **search),
            "subtree locality": check_subtree_locality(m, **search),
        }
        if costs is not None:
            res["costed sybil-proof"] = check_sybil_proof(m, identity_cost=costs[j], **search)
        results.append(res)
    report = MechanismReport(mechanisms, tuple(results), costs)
    if print_table:
        print(report.table())
    return report
