r"""Monte Carlo recruitment and time-critical search (the DARPA Network Challenge, simulated).

Initial participants (depth 0) join at time 0. A participant at depth :math:`d < H` recruits each
not-yet-recruited contact independently with probability :math:`p_d = p(w_d)`, where
:math:`w_d` is the expected payment one recruit brings (:func:`recruitment_incentives`), after a
random delay; a contact joins at the earliest successful attempt and its recruiter is whoever made
that attempt. A participant sitting on a target finds it on joining and reports it with probability
:math:`s(r_0)`; the mechanism then pays the finder's chain. A run ends at the deadline, when every
target is found, when recruitment dies out or at the participant cap.
"""

import dataclasses
import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .._compat import MISSING, renamed
from .._results import ResultMixin
from .._threads import require_parallel
from .._validate import as_node_indices, as_rng, check_int, check_nonnegative, check_positive, describe
from ..branching import as_offspring
from ..errors import InvalidInputError
from ..network import as_network
from . import _common
from .incentives import RecruitmentIncentives, recruitment_incentives

__all__ = ["SimulationResult", "simulate_recruitment", "parse_delay"]

_STAT_COLUMNS = 5  # participants, max depth, capped, edge visits, targets found
_PROFILE_CELLS_LIMIT = 50_000_000

_DELAYS = {"exponential": 0, "lognormal": 1, "fixed": 2}
#: Largest delay mean (or fixed delay): times add up along a chain of up to 2**31 recruits and
#: a lognormal tail adds some 14 orders of magnitude, and every time must stay a finite float.
DELAY_LIMIT = 1e280
#: Largest lognormal sigma: beyond it the samples overflow float64 whatever the mean.
_SIGMA_LIMIT = 20.0


def _delay_value(value, name, *, positive=True):
    value = check_positive(value, name) if positive else check_nonnegative(value, name)
    if value > DELAY_LIMIT:
        raise InvalidInputError(
            f"{name} = {value:g} is too large: recruitment times would overflow float64 "
            f"(the limit is {DELAY_LIMIT:g}); measure time in a larger unit"
        )
    return value


def parse_delay(delay):
    """``(kind, a, b)`` for the kernels from a delay specification.

    ``delay`` is a positive float (exponential delays with that mean), ``("exponential", mean)``,
    ``("lognormal", mean, sigma)`` (sigma the standard deviation of the log-delay) or
    ``("fixed", value)`` (every recruitment takes exactly ``value``: time counts generations).
    """
    if isinstance(delay, numbers.Real) and not isinstance(delay, bool):
        return _DELAYS["exponential"], _delay_value(delay, "delay"), 0.0
    if isinstance(delay, tuple) and delay and isinstance(delay[0], str) and delay[0] in _DELAYS:
        kind = delay[0]
        if kind == "lognormal" and len(delay) == 3:
            sigma = check_positive(delay[2], "delay sigma")
            if sigma > _SIGMA_LIMIT:
                raise InvalidInputError(
                    f"delay sigma = {sigma:g} is too large (limit {_SIGMA_LIMIT:g}): lognormal "
                    "delays would overflow float64"
                )
            return 1, _delay_value(delay[1], "delay mean"), sigma
        if kind != "lognormal" and len(delay) == 2:
            if kind == "fixed":
                return 2, _delay_value(delay[1], "fixed delay", positive=False), 0.0
            return 0, _delay_value(delay[1], "delay mean"), 0.0
    raise InvalidInputError(
        f"delay must be a mean (float), ('exponential', mean), ('lognormal', mean, sigma) or "
        f"('fixed', value), got {describe(delay)}"
    )


@dataclass(frozen=True, repr=False)
class SimulationResult(ResultMixin):
    r"""Per-run outcomes of :func:`simulate_recruitment` and their summaries.

    Attributes
    ----------
    success : numpy.ndarray of bool, shape (runs,)
        All targets found in time (integer or array ``targets``); at least one reported find (float
        ``targets``); always False with no targets.
    found_time : numpy.ndarray, shape (runs, k)
        Time each target was found (``inf``: not found). One column, the first reported find, for a
        float ``targets``.
    participants : numpy.ndarray of int64, shape (runs,)
        Participants at the end of the run, initial participants included.
    max_depth : numpy.ndarray of int64, shape (runs,)
    paid : numpy.ndarray, shape (runs,)
        Total paid by the mechanism.
    paid_per_target : numpy.ndarray, shape (runs, k)
    depth_profile : numpy.ndarray of int64, shape (runs, max depth + 1)
        Participants at each depth.
    capped : numpy.ndarray of bool, shape (runs,)
        Runs stopped by ``max_participants``.
    edge_visits : numpy.ndarray of int64, shape (runs,)
        Sum of the contacts (out-degrees) of the participants.
    success_rate : float
    success_interval : tuple of float
        95% Wilson score interval of the success probability.
    incentives : RecruitmentIncentives
        The per-depth incentives and probabilities used.
    """

    success: np.ndarray
    found_time: np.ndarray
    participants: np.ndarray
    max_depth: np.ndarray
    paid: np.ndarray
    paid_per_target: np.ndarray
    depth_profile: np.ndarray
    capped: np.ndarray
    edge_visits: np.ndarray
    success_rate: float
    success_interval: tuple
    n_runs: int
    deadline: float
    incentives: RecruitmentIncentives = field(repr=False)
    method: str = ""
    nodes: tuple = field(default=None, repr=False)
    first_run: int = field(default=0, repr=False)
    _forests: tuple = field(default=None, repr=False)
    _checkpoints: tuple = field(default=None, repr=False)

    _frame_index = ("run", "run_numbers", "n_runs")

    @property
    def run_numbers(self):
        """The runs' numbers in the whole simulation (``first_run`` on; see ``runs=``)."""
        return np.arange(self.first_run, self.first_run + self.n_runs)

    @classmethod
    def concat(cls, parts):
        """One result from batches of the same simulation (``simulate_recruitment(..., runs=...)``).

        Parameters
        ----------
        parts : sequence of SimulationResult
            Batches of one simulation (same arguments and ``rng``, different ``runs``), in any
            order; together they must cover consecutive runs.

        Returns
        -------
        SimulationResult
            Equal to the result of computing all those runs in one call: every run has the stream
            it has in the whole simulation.

        Examples
        --------
        >>> import networkx as nx
        >>> from incnet.simulate import SimulationResult, simulate_recruitment
        >>> kw = dict(initial=[0], targets=[33], response=0.5, horizon=3, n_runs=40, rng=1)
        >>> G = nx.karate_club_graph()
        >>> parts = [simulate_recruitment(G, [10.0, 5.0], runs=(a, a + 10), **kw) for a in (0, 10, 20, 30)]
        >>> whole = simulate_recruitment(G, [10.0, 5.0], **kw)
        >>> merged = SimulationResult.concat(parts)
        >>> bool((merged.found_time == whole.found_time).all()), merged.success_rate == whole.success_rate
        (True, True)
        """
        parts = sorted(parts, key=lambda r: r.first_run)
        if not parts:
            raise InvalidInputError("concat needs at least one SimulationResult")
        first = parts[0]
        for prev, part in zip(parts, parts[1:]):
            if part.first_run != prev.first_run + prev.n_runs:
                raise InvalidInputError(
                    f"the batches do not cover consecutive runs: runs {prev.first_run}.."
                    f"{prev.first_run + prev.n_runs - 1} are followed by run {part.first_run}"
                )
            if (part.deadline, part.method, part.nodes) != (first.deadline, first.method, first.nodes) \
                    or part.found_time.shape[1] != first.found_time.shape[1]:
                raise InvalidInputError("the batches come from different simulations (deadline, "
                                        "network or targets differ)")
        width = max(p.depth_profile.shape[1] for p in parts)
        profile = np.zeros((sum(p.n_runs for p in parts), width), dtype=np.int64)
        row = 0
        for p in parts:
            profile[row:row + p.n_runs, :p.depth_profile.shape[1]] = p.depth_profile
            row += p.n_runs
        join = lambda name: np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
        success = join("success")
        n_runs = success.size
        forests = None
        if all(p._forests is not None for p in parts):
            offsets, shift = [np.zeros(1, dtype=np.int64)], 0
            for p in parts:
                offsets.append(p._forests[0][1:] + shift)
                shift += int(p._forests[0][-1])
            forests = (np.concatenate(offsets),
                       *(np.concatenate([p._forests[k] for p in parts]) for k in range(1, 5)))
        checkpoints = None
        if parts[0]._checkpoints is not None:
            if any(p.checkpoints != first.checkpoints for p in parts):
                raise InvalidInputError("the batches were simulated with different checkpoints")
            checkpoints = (first._checkpoints[0],
                           *(np.concatenate([p._checkpoints[k] for p in parts]) for k in range(1, 4)))
        elif any(p._checkpoints is not None for p in parts):
            raise InvalidInputError("the batches were simulated with different checkpoints")
        return cls(
            success=success, found_time=join("found_time"), participants=join("participants"),
            max_depth=join("max_depth"), paid=join("paid"), paid_per_target=join("paid_per_target"),
            depth_profile=profile, capped=join("capped"), edge_visits=join("edge_visits"),
            success_rate=float(success.mean()),
            success_interval=_common.wilson_interval(int(success.sum()), n_runs),
            n_runs=n_runs, deadline=first.deadline, incentives=first.incentives, method=first.method,
            nodes=first.nodes, first_run=first.first_run, _forests=forests, _checkpoints=checkpoints,
        )

    # ----------------------------------------------------------------- summaries
    @property
    def success_stderr(self):
        """Standard error of :attr:`success_rate`."""
        p = self.success_rate
        return math.sqrt(p * (1 - p) / self.n_runs)

    @property
    def completion_time(self):
        """Per run, the time the run succeeded (``inf`` when it did not)."""
        if self.found_time.shape[1] == 0:
            return np.full(self.n_runs, np.inf)
        done = self.found_time.max(axis=1)
        return np.where(self.success, done, np.inf)

    def success_by_time(self, times):
        """Fraction of runs that had succeeded by each of ``times`` (the success curve)."""
        times = np.asarray(times, dtype=np.float64)
        ordered = np.sort(self.completion_time)
        return np.searchsorted(ordered, times, side="right") / self.n_runs

    @property
    def checkpoints(self):
        """The earlier deadlines this result can be read at (:meth:`at_deadline`), ascending."""
        return () if self._checkpoints is None else tuple(self._checkpoints[0].tolist())

    def at_deadline(self, deadline):
        """This simulation as it ends at an earlier deadline, one of :attr:`checkpoints`.

        Exactly the result of the same :func:`simulate_recruitment` call with that ``deadline``
        (same ``rng``): a run's events up to a time do not depend on the deadline.

        Parameters
        ----------
        deadline : float
            :attr:`deadline` itself or one of :attr:`checkpoints`.

        Returns
        -------
        SimulationResult

        Examples
        --------
        >>> import networkx as nx
        >>> from incnet.simulate import simulate_recruitment
        >>> kw = dict(initial=[0], targets=[33], response=0.5, horizon=4, n_runs=200, rng=3)
        >>> G = nx.karate_club_graph()
        >>> once = simulate_recruitment(G, [10.0, 5.0], deadline=4.0, checkpoints=[1.0, 2.0], **kw)
        >>> direct = simulate_recruitment(G, [10.0, 5.0], deadline=2.0, **kw)
        >>> early = once.at_deadline(2.0)
        >>> early.success_rate == direct.success_rate, bool((early.participants == direct.participants).all())
        (True, True)
        """
        t = _common.check_deadline(deadline)
        if t == self.deadline:
            return self
        times = self.checkpoints
        if t not in times:
            raise InvalidInputError(
                f"deadline {t:g} is not one of this result's checkpoints {times}; simulate with "
                f"checkpoints=[..., {t:g}, ...] to read the result at it"
            )
        m = times.index(t)
        cp_times, cp_stats, cp_profile, cp_paid = self._checkpoints
        stats = cp_stats[:, m]
        found = self.found_time <= t
        columns = self.found_time.shape[1]
        # every target found (a find probability has one column: the first find)
        success = stats[:, 4] >= columns if columns else np.zeros(self.n_runs, dtype=bool)
        max_depth = stats[:, 1].copy()
        keep = int(max_depth.max()) + 1 if self.n_runs else 1
        forests = None
        if self._forests is not None:
            offsets, *records = self._forests
            mask = records[3] <= t  # joining times
            counts = stats[:, 0]
            new_offsets = np.zeros(self.n_runs + 1, dtype=np.int64)
            np.cumsum(counts, out=new_offsets[1:])
            forests = (new_offsets, *(r[mask] for r in records))
        earlier = (cp_times[:m], cp_stats[:, :m], cp_profile[:, :m], cp_paid[:, :m]) if m else None
        return dataclasses.replace(
            self, success=success, found_time=np.where(found, self.found_time, np.inf),
            participants=stats[:, 0].copy(), max_depth=max_depth, paid=cp_paid[:, m].copy(),
            paid_per_target=np.where(found, self.paid_per_target, 0.0),
            depth_profile=np.ascontiguousarray(cp_profile[:, m, :keep]),
            capped=stats[:, 2].astype(bool), edge_visits=stats[:, 3].copy(),
            success_rate=float(success.mean()),
            success_interval=_common.wilson_interval(int(success.sum()), self.n_runs),
            deadline=t, _forests=forests, _checkpoints=earlier,
        )

    @property
    def median_time(self):
        """Median completion time over all runs (``inf`` when fewer than half succeed)."""
        return float(np.median(self.completion_time))

    @property
    def mean_depth(self):
        """Mean depth of the participants, pooled over runs."""
        counts = self.depth_profile.sum(axis=0)
        total = counts.sum()
        return float(np.dot(np.arange(counts.size), counts) / total) if total else 0.0

    def mean(self, name):
        """``(mean, standard error)`` of a per-run array attribute, e.g. ``mean("participants")``."""
        values = np.asarray(getattr(self, name), dtype=np.float64)
        if values.ndim != 1:
            raise InvalidInputError(f"{name!r} is not a per-run scalar")
        se = values.std(ddof=1) / math.sqrt(values.size) if values.size > 1 else math.nan
        return float(values.mean()), float(se)

    def quantiles(self, name, q=(0.05, 0.25, 0.5, 0.75, 0.95)):
        """Quantiles of a per-run array attribute."""
        return np.quantile(np.asarray(getattr(self, name), dtype=np.float64), q)

    def summary(self):
        """A dict of the headline numbers (the demo's table row)."""
        lo, hi = self.success_interval
        return {
            "success": self.success_rate,
            "success_low": lo,
            "success_high": hi,
            "median_time": self.median_time,
            "participants": float(self.participants.mean()),
            "mean_depth": self.mean_depth,
            "paid": float(self.paid.mean()),
            "capped": int(self.capped.sum()),
        }

    # ----------------------------------------------------------------- forests
    def forest(self, run):
        """The recruitment forest of one run (needs ``keep_trees=True``).

        Returns
        -------
        dict
            ``node``, ``parent`` (recruiter, ``None`` for initial participants), ``depth`` and
            ``time``, one entry per participant in joining order. On a graph ``node`` and
            ``parent`` are lists of node labels (their indices are ``node_index`` and
            ``parent_index``, ``-1`` for no recruiter); on a branching process they are arrays of
            participant numbers (``-1`` for no recruiter).
        """
        if self._forests is None:
            raise InvalidInputError("the forests were not kept; run simulate_recruitment(..., keep_trees=True)")
        run = check_int(run, "run", minimum=0)
        if run >= self.n_runs:
            raise InvalidInputError(f"run must be < {self.n_runs}, got {run}")
        offsets, node, parent, depth, time = self._forests
        part = slice(offsets[run], offsets[run + 1])
        out = {"node": node[part], "parent": parent[part], "depth": depth[part], "time": time[part]}
        if self.nodes is not None:
            labels = self.nodes
            out["node_index"], out["parent_index"] = out["node"], out["parent"]
            out["node"] = [labels[i] for i in out["node_index"].tolist()]
            out["parent"] = [labels[i] if i >= 0 else None for i in out["parent_index"].tolist()]
        return out

    def tree(self, run):
        """The recruitment forest of one run as a networkx DiGraph (recruiter -> recruit).

        Nodes carry ``depth`` and ``time`` attributes; graph nodes keep their labels.
        """
        import networkx as nx

        f = self.forest(run)
        labels = self.nodes
        name = (lambda i: labels[i]) if labels is not None else (lambda i: int(i))
        node = f.get("node_index", f["node"])
        parent = f.get("parent_index", f["parent"])
        G = nx.DiGraph()
        for v, par, d, t in zip(node.tolist(), parent.tolist(), f["depth"].tolist(), f["time"].tolist()):
            G.add_node(name(v), depth=d, time=t)
            if par >= 0:
                G.add_edge(name(par), name(v))
        return G


def _targets_spec(targets, net, n):
    """``(target_nodes, n_random, find_prob, columns, q)`` from the ``targets`` argument."""
    empty = np.zeros(0, dtype=np.int64)
    if targets is None or isinstance(targets, (bool, np.bool_)):
        raise InvalidInputError(
            f"targets={targets!r} is ambiguous; pass 0 for nothing to find, a number of hidden "
            "targets, the target nodes, or a probability of finding one"
        )
    if isinstance(targets, numbers.Integral):
        k = check_int(targets, "targets", minimum=0)
        if k == 0:
            return empty, 0, 0.0, 0, 0.0
        if net is None:
            raise InvalidInputError(
                f"targets={k} hides targets at nodes, but a branching process has no nodes; "
                "pass targets as a probability in (0, 1) that a participant finds one"
            )
        if k > n:
            raise InvalidInputError(f"targets={k} exceeds the {n} nodes of the network")
        return empty, k, 0.0, k, k / n
    if isinstance(targets, numbers.Real) and not isinstance(targets, bool):
        q = float(targets)
        if not 0.0 < q < 1.0:
            raise InvalidInputError(
                f"a float targets is the probability that a participant finds a target and must lie "
                f"in (0, 1), got {q}; pass an int for a number of hidden targets"
            )
        return empty, 0, q, 1, q
    if net is None:
        raise InvalidInputError("target nodes need a network; on a branching process pass a probability")
    nodes = as_node_indices(net, targets, "targets")
    if np.unique(nodes).size != nodes.size:
        raise InvalidInputError(f"targets contains repeated nodes: {describe(list(targets))}")
    return np.ascontiguousarray(nodes), 0, 0.0, nodes.size, nodes.size / n


def _offspring_laws(offspring):
    """One OffspringLaw, or a list of them (one per depth, the last one for all deeper ones)."""
    if isinstance(offspring, (list, tuple)) and offspring and not all(
        isinstance(x, numbers.Real) for x in offspring
    ):
        return [as_offspring(x) for x in offspring]
    return [as_offspring(offspring)]


def simulate_recruitment(net, mechanism, *, initial=None, targets, response, horizon, n_runs,
                         offspring=None, deadline=np.inf, report=None, delay=1.0,
                         max_participants=10**6, rng=None, keep_trees=False, progress=None,
                         incentives=None, runs=None, checkpoints=None, seeds=MISSING):
    r"""Simulate incentive-driven recruitment and the search for hidden targets.

    The incentive to recruit at depth :math:`d` is

    .. math::

        w_d = \sum_{k=1}^{H-d} r^{(d)}_k \, q \, s \prod_{j=d+1}^{d+k-1} E[K]\,p(w_j),

    and a participant at depth :math:`d < H` recruits each free contact with probability
    :math:`p_d = p(w_d)` after a random delay (see :func:`recruitment_incentives` and the theory
    page for the whole model).

    Parameters
    ----------
    net : IncentiveNetwork, networkx graph, sparse or dense matrix, or None
        The contact network (the contacts of ``u`` are the non-zeros of row ``u``). ``None`` with
        ``offspring=`` simulates a branching process instead.
    mechanism : mechanism or array_like
        A referral mechanism of :mod:`incnet.mechanisms` or a payment schedule
        :math:`r_0, r_1, \dots`.
    initial : int or sequence of nodes
        The initial participants (required): node labels, or a number of random distinct nodes
        (drawn anew in each run). On a branching process, the number of initial participants.
        They all join at time 0, in increasing node order (ties in time are broken by node).
    targets : int, sequence of nodes, or float
        ``k`` targets hidden at random nodes in each run; the target nodes themselves; or the
        probability in (0, 1) that a participant finds a target (the branching-process case, in
        which the first reported find ends the run). ``0``: nothing to find.
    response : Response, float, str or callable
        The response function :math:`p(w)` (see :func:`~incnet.simulate.response.as_response`).
    horizon : int
        :math:`H`: the deepest depth that counts; nobody at depth ``H`` recruits. On a graph of
        ``n`` nodes, a horizon beyond ``n - 1`` is the same as ``n - 1``.
    n_runs : int
        Number of independent runs, at most ``10**8`` per call.
    offspring : frozen scipy.stats discrete distribution, OffspringLaw, pmf or list of them, optional
        The number of potential contacts of each participant on a branching process
        (required when ``net`` is None). A list gives one law per depth, the last one serving all
        deeper participants (e.g. ``[fit.law(d) for d in range(12)]`` from a fit with a trend).
    deadline : float, default inf
        Time after which nothing happens.
    report : None, float or callable, optional
        Probability that a finder reports, as a function of the finder's reward (None: always).
    delay : float or tuple, default 1.0
        Recruitment delay: a mean (exponential), ``("exponential", mean)``,
        ``("lognormal", mean, sigma)`` or ``("fixed", value)``.
    max_participants : int, default 10**6
        A run stops when it reaches this many participants and is flagged in ``.capped``.
    rng : None, int or numpy.random.Generator
        One integer seed per run is drawn from it; results do not depend on the thread count.
    keep_trees : bool, default False
        Keep every run's recruitment forest (:meth:`SimulationResult.forest`,
        :meth:`SimulationResult.tree`). The runs are replayed from their seeds to record them.
    progress : bool, callable or None, default None
        Show a tqdm progress bar (True; a warning if tqdm is missing); None shows one for long simulations in an interactive terminal.
        A callable ``progress(done, total)`` is called instead between chunks of runs (each
        about a quarter second) and cancels the simulation by returning False
        (:class:`~incnet.CancelledError`). Ctrl-C stops a simulation between two chunks
        (KeyboardInterrupt); in both cases the runs done are discarded.
    incentives : array_like of shape (H + 1,), optional
        The incentives :math:`w_0, \dots, w_H` participants act on, instead of the branching
        formula (e.g. the self-consistent ones of :func:`incnet.design.self_consistent_incentives`);
        passed to :func:`recruitment_incentives` as ``values``.
    runs : tuple (start, stop), optional
        Compute only runs ``start, ..., stop - 1`` of the ``n_runs``: each run draws the stream it
        has in the whole simulation, so batches computed anywhere (other processes, a cluster)
        merge exactly with :meth:`SimulationResult.concat`.
    checkpoints : sequence of float, optional
        Earlier deadlines (each below ``deadline``) at which every run's outcome is also kept:
        :meth:`SimulationResult.at_deadline` then returns, for each of them, exactly the result
        of this simulation with that deadline, at the cost of one simulation. A run's events up
        to a time do not depend on the deadline (ties are broken by node), so nothing is
        approximated. :func:`incnet.sweep` passes them itself to a function that takes
        ``checkpoints`` when its grid varies ``deadline``.
    seeds : int or sequence of nodes, optional
        Deprecated spelling of ``initial`` (a DeprecationWarning); removed in the next release.
        "Seeds" names seed nodes of a diffusion (:func:`independent_cascade`) and of a design,
        and ``rng`` the random state.

    Returns
    -------
    SimulationResult

    Raises
    ------
    InvalidInputError
        For invalid arguments (each message names the offending value).

    See Also
    --------
    recruitment_incentives, independent_cascade, fit_recruitment

    Notes
    -----
    An event-driven simulation over the CSR arrays, compiled with numba: a Dijkstra over random
    delays whose 4-ary heap holds each pending contact once, keyed by its earliest successful
    attempt so far (decrease-key). Runs are spread over the threads with one SplitMix64 stream per
    run, and each thread reuses O(n) buffers across its runs. Which attempts succeed is drawn per
    participant, not per edge: as 64-contact Bernoulli bit masks when :math:`p_d \ge 1/32` (about
    :math:`\log_2` degree + 2 random words), by geometric skips below (one draw per success);
    delays and skips come from ziggurat samplers. Cost per run: O(V + A log n) for V edge visits
    and A successful attempts. On a graph, :math:`E[K]` in the incentive formula is the mean excess
    degree; on a branching process, the mean of ``offspring``.

    References
    ----------
    .. [1] Pickard, G., Pan, W., Rahwan, I., Cebrian, M., Crane, R., Madan, A., Pentland, A.
       (2011). Time-critical social mobilization. *Science* 334(6055), 509-512.
    .. [2] Rutherford, A., Cebrian, M., Dsouza, S., Moro, E., Pentland, A., Rahwan, I. (2013).
       Limits of social mobilization. *PNAS* 110(16), 6281-6286.

    Examples
    --------
    >>> import networkx as nx
    >>> import numpy as np
    >>> from incnet.simulate import simulate_recruitment, ExponentialResponse
    >>> G = nx.barabasi_albert_graph(2000, 3, seed=1)
    >>> darpa = [2000.0 / 2**k for k in range(8)]
    >>> res = simulate_recruitment(G, darpa, initial=5, targets=3, horizon=7, n_runs=200,
    ...                            response=ExponentialResponse(0.05, 0.4, scale=20.0),
    ...                            deadline=24.0, rng=1)
    >>> 0 <= res.success_rate <= 1 and bool(np.all(res.paid_per_target <= 4000))
    True
    """
    # messages name the argument as the caller spelled it
    name = "initial" if seeds is MISSING else "seeds"
    initial = renamed(seeds, "seeds", initial, "initial", "simulate_recruitment")
    if initial is None:
        raise InvalidInputError(f"simulate_recruitment needs {name}= (the initial participants: node "
                                "labels, or how many random nodes)")
    rng = as_rng(rng)
    horizon = check_int(horizon, "horizon", minimum=0)
    n_runs = _common.check_runs(n_runs)
    cap = check_int(max_participants, "max_participants", minimum=1)
    if cap >= 2**31 - 1:
        raise InvalidInputError(f"max_participants must be below 2**31 - 1, got {cap}")
    deadline = _common.check_deadline(deadline)
    checkpoints = _checkpoint_times(checkpoints, deadline)
    delay_kind, delay_a, delay_b = parse_delay(delay)
    graph = net is not None
    if graph:
        if offspring is not None:
            raise InvalidInputError("pass either a network or offspring=, not both")
        net = as_network(net)
        n = net.n
        indptr = np.array(net.W.indptr, dtype=np.int64)  # writable copies: one numba specialisation
        indices = np.array(net.W.indices, dtype=_common.index_dtype(net.n))
        degree = np.diff(indptr).astype(np.float64)
        total = degree.sum()
        mean_contacts = float(np.dot(degree, degree) / total - 1.0) if total > 0 else 0.0
        mean_contacts = max(mean_contacts, 0.0)
        seed_nodes, n_random_seeds = _common.seed_spec(net, initial, name)
        depth_bound = n - 1
        # no chain on n nodes is longer than n: deeper levels neither happen nor pay
        horizon = min(horizon, depth_bound)
        method = "event-driven (graph)"
    else:
        if offspring is None:
            raise InvalidInputError("net is None: pass offspring= (the law of the number of contacts)")
        laws = _offspring_laws(offspring)
        # no chain among at most `cap` participants is deeper than cap - 1: clamp before
        # anything of length horizon is built
        horizon = min(horizon, cap - 1)
        if n_runs * (horizon + 1) > _PROFILE_CELLS_LIMIT:
            raise InvalidInputError(
                f"n_runs * (horizon + 1) = {n_runs * (horizon + 1)} depth-profile cells is too many "
                f"(limit {_PROFILE_CELLS_LIMIT}); lower the horizon or max_participants, or split the runs"
            )
        # contacts of a participant at depth d follow laws[min(d, last)]
        means = np.array([law.mean for law in laws], dtype=np.float64)
        mean_contacts = means[np.minimum(np.arange(horizon + 1), len(laws) - 1)]
        support = max(law.pmf.size for law in laws)
        offspring_cdf = np.ones((len(laws), support))
        for row, law in enumerate(laws):
            offspring_cdf[row, : law.cdf.size] = law.cdf
        n = None
        n_roots = check_int(initial, f"{name} (initial participants)", minimum=1)
        if n_roots > cap:
            raise InvalidInputError(
                f"{name} = {n_roots} initial participants exceed max_participants = {cap}; "
                "raise max_participants or start with fewer"
            )
        depth_bound = cap - 1
        method = "event-driven (branching process)"
    target_nodes, n_random_targets, find_prob, columns, q = _targets_spec(targets, net if graph else None, n)
    incentives = recruitment_incentives(
        mechanism, mean_contacts=mean_contacts, response=response, find_probability=q,
        horizon=horizon, report=report, values=incentives,
    )
    recruit_prob = np.ascontiguousarray(incentives.probabilities)
    report_prob = np.ascontiguousarray(incentives.report_probabilities)
    # a finder at depth d heads a chain of length d + 1
    pay_total = np.ascontiguousarray(incentives.payments.sum(axis=1))
    width = min(horizon, depth_bound) + 1
    if n_runs * width > _PROFILE_CELLS_LIMIT:
        raise InvalidInputError(
            f"n_runs * (horizon + 1) = {n_runs * width} depth-profile cells is too many; "
            "lower the horizon or max_participants, or split the runs"
        )
    seeds_per_run = _common.run_seeds(rng, n_runs)
    first_run = 0
    if runs is not None:
        try:
            first_run, stop = (check_int(v, "runs", minimum=0) for v in runs)
        except (TypeError, ValueError):
            raise InvalidInputError(f"runs must be a pair (start, stop), got {describe(runs)}") from None
        if not first_run < stop <= n_runs:
            raise InvalidInputError(f"runs=({first_run}, {stop}) must satisfy 0 <= start < stop <= "
                                    f"n_runs = {n_runs}")
        seeds_per_run = seeds_per_run[first_run:stop]
        n_runs = stop - first_run
    chunks = _common.n_chunks(n_runs)

    if n_runs * width * max(1, checkpoints.size) > _PROFILE_CELLS_LIMIT:
        raise InvalidInputError(
            f"{checkpoints.size} checkpoints of {n_runs} runs x {width} depths is too many "
            f"depth-profile cells (limit {_PROFILE_CELLS_LIMIT}); pass fewer checkpoints or split the runs"
        )

    def allocate():
        return (
            np.full((n_runs, columns), np.inf),
            np.zeros((n_runs, columns)),
            np.zeros(n_runs),
            np.zeros((n_runs, _STAT_COLUMNS), dtype=np.int64),
            np.zeros((n_runs, width), dtype=np.int64),
            np.zeros((n_runs, checkpoints.size, _STAT_COLUMNS), dtype=np.int64),
            np.zeros((n_runs, checkpoints.size, width), dtype=np.int64),
            np.zeros((n_runs, checkpoints.size)),
        )

    def execute(outputs, record, offsets, rec):
        from .._kernels import simulate as kernels

        found_time, paid_target, paid, stats, profile, cp_stats, cp_profile, cp_paid = outputs

        def call(a, b):
            args = (deadline, cap, seeds_per_run[a:b], min(chunks, b - a), found_time[a:b],
                    paid_target[a:b], paid[a:b], stats[a:b], profile[a:b], record, offsets[a:b], *rec,
                    checkpoints, cp_stats[a:b], cp_profile[a:b], cp_paid[a:b])
            if graph:
                kernels.recruitment_graph_kernel(
                    indptr, indices, seed_nodes, n_random_seeds, target_nodes, n_random_targets,
                    find_prob, recruit_prob, report_prob, pay_total, delay_kind, delay_a, delay_b,
                    *args,
                )
            else:
                kernels.recruitment_branching_kernel(
                    offspring_cdf, n_roots, find_prob if columns else 0.0,
                    recruit_prob, report_prob, pay_total, delay_kind, delay_a, delay_b, *args,
                )

        _common.run_batches(n_runs, chunks, call, progress if not record else False,
                            "simulate_recruitment")

    require_parallel("simulate_recruitment")
    outputs = allocate()
    no_record = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    execute(outputs, False, np.zeros(n_runs, dtype=np.int64), no_record)
    found_time, paid_target, paid, stats, profile, cp_stats, cp_profile, cp_paid = outputs
    forests = None
    if keep_trees:
        offsets = np.zeros(n_runs + 1, dtype=np.int64)
        np.cumsum(stats[:, 0], out=offsets[1:])
        total = int(offsets[-1])
        rec = (np.empty(total, np.int64), np.empty(total, np.int64), np.empty(total, np.int64), np.empty(total))
        replay = allocate()
        execute(replay, True, offsets[:-1].copy(), rec)
        forests = (offsets, *rec)
    if columns == 0:
        success = np.zeros(n_runs, dtype=bool)
    else:
        success = stats[:, 4] >= (1 if find_prob > 0 else columns)
    max_depth = stats[:, 1].copy()
    keep = int(max_depth.max()) + 1
    result = SimulationResult(
        success=success,
        found_time=found_time,
        participants=stats[:, 0].copy(),
        max_depth=max_depth,
        paid=paid,
        paid_per_target=paid_target,
        depth_profile=np.ascontiguousarray(profile[:, :keep]),
        capped=stats[:, 2].astype(bool),
        edge_visits=stats[:, 3].copy(),
        success_rate=float(success.mean()),
        success_interval=_common.wilson_interval(int(success.sum()), n_runs),
        n_runs=n_runs,
        deadline=deadline,
        incentives=incentives,
        method=method,
        nodes=net.nodes if graph else None,
        first_run=first_run,
        _forests=forests,
        _checkpoints=(checkpoints, cp_stats, cp_profile, cp_paid) if checkpoints.size else None,
    )
    return result


def _checkpoint_times(checkpoints, deadline):
    """Validated checkpoints: distinct, ascending, finite, ``0 <= t < deadline`` (float64 array)."""
    if checkpoints is None:
        return np.zeros(0)
    if isinstance(checkpoints, (str, bytes)) or not np.iterable(checkpoints):
        raise InvalidInputError(f"checkpoints must be a sequence of times, got {describe(checkpoints)}")
    times = np.unique([_common.check_deadline(t) for t in checkpoints]).astype(np.float64)
    if times.size and times[-1] >= deadline:
        raise InvalidInputError(
            f"checkpoints must be earlier than the deadline {deadline:g}, got {times[-1]:g}; the "
            "deadline itself is the simulation's own result"
        )
    return np.ascontiguousarray(times)
