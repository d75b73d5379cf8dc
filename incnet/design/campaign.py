r"""One recruitment campaign on one network: :class:`Campaign`.

A campaign is everything that defines a time-critical search on a network except the reward rule:
the contact network, the initial participants, the hidden targets, how people respond to an
incentive, how deep chains count, the deadline, the forwarding delays and the finders' reporting.
:meth:`Campaign.simulate` runs :func:`~incnet.simulate.simulate_recruitment` on it, and
:func:`~incnet.design.optimal_split` designs a reward schedule for it, so that what is designed
and what is evaluated are the same model.
"""

import dataclasses
import math
import numbers
import warnings
from dataclasses import KW_ONLY, InitVar, dataclass, field

import numpy as np

from .._compat import MISSING
from .._validate import as_node_indices, as_rng, check_int, check_method, check_probability, describe
from ..errors import InvalidInputError
from ..network import as_network

__all__ = ["Campaign"]

_INCENTIVES = ("branching", "self-consistent")
_DELAY_KINDS = {"exponential": 0, "lognormal": 1, "fixed": 2}


def _seed_from(rng):
    return int(rng.integers(0, np.iinfo(np.int64).max))


@dataclass(frozen=True, eq=False)
class Campaign:
    r"""A recruitment campaign on a network: everything but the reward rule.

    Parameters
    ----------
    net : IncentiveNetwork, networkx graph, sparse or dense matrix
        The contact network (the contacts of ``u`` are the non-zeros of row ``u``).
    initial : int or sequence of nodes
        Initial participants: node labels, or a number of random distinct nodes per run.
    targets : int, sequence of nodes, or float
        ``k`` targets hidden at random nodes in each run, the target nodes, or the probability in
        (0, 1) that a participant finds a target (then the first reported find is a success).
    response : Response, float, str or callable
        Recruitment probability :math:`p(w)` given the incentive :math:`w`.
    horizon : int
        :math:`H`: the deepest depth that counts; nobody at depth :math:`H` recruits.
    deadline : float, default inf
    delay : float or tuple, default 1.0
        As in :func:`~incnet.simulate.simulate_recruitment`.
    report : None, float or callable, optional
        Probability that a finder reports, as a function of the finder's reward.
    incentives : {"branching", "self-consistent"}, default "branching"
        How participants value a recruit. ``"branching"``: the branching-process formula of
        :func:`~incnet.simulate.recruitment_incentives` with the mean excess degree of the network
        (what :func:`~incnet.simulate.simulate_recruitment` uses by default). ``"self-consistent"``:
        the expected referral payments one recruit actually brings on this network, under the
        mechanism and scenario at hand (:func:`~incnet.design.self_consistent_incentives`).
    max_participants : int, default 10**6
        A run stops at this many participants.
    seeds : int or sequence of nodes, optional
        Deprecated spelling of ``initial`` (kept for one release): across incnet, *seeds* are the
        seed nodes of a diffusion or a design, *initial* participants start a recruitment.

    Notes
    -----
    A campaign holds plain data (the network, numbers, the response object), so it pickles and
    can be sent to worker processes. The horizon is clipped to :math:`n - 1` as in the simulation.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.design import Campaign
    >>> from incnet.mechanisms import RecursiveSplit
    >>> from incnet.simulate import ExponentialResponse
    >>> G = nx.barabasi_albert_graph(500, 2, seed=1)
    >>> campaign = Campaign(G, initial=3, targets=2, response=ExponentialResponse(0.05, 0.5, 5.0),
    ...                     horizon=6, deadline=24.0, delay=("lognormal", 2.0, 1.0))
    >>> res = campaign.simulate(RecursiveSplit(1000.0, 0.5), n_runs=200, rng=1)
    >>> res.n_runs, 0.0 <= res.success_rate <= 1.0
    (200, True)
    """

    net: object
    _: KW_ONLY
    initial: object = None
    targets: object = None
    response: object = None
    horizon: int = None
    deadline: float = math.inf
    delay: object = 1.0
    report: object = None
    incentives: str = "branching"
    max_participants: int = 10**6
    seeds: InitVar[object] = MISSING

    def __post_init__(self, seeds):
        from ..simulate import as_response
        from ..simulate.recruitment import parse_delay

        net = as_network(self.net)
        object.__setattr__(self, "net", net)
        if net.n == 0:
            raise InvalidInputError("the network has no nodes; a campaign needs people")
        name = "initial"
        if seeds is not MISSING:
            if self.initial is not None:
                raise TypeError("Campaign() got both initial= and its old name seeds=; pass initial= only")
            warnings.warn("Campaign(): seeds= is deprecated and will be removed in the next release; "
                          "use initial= (the initial participants)", DeprecationWarning, stacklevel=3)
            object.__setattr__(self, "initial", seeds)
            name = "seeds"
        for required in ("initial", "targets", "response", "horizon"):
            if getattr(self, required) is None:
                raise InvalidInputError(f"Campaign() needs {required}=; see help(incnet.design.Campaign)")
        initial = self.initial
        if isinstance(initial, numbers.Integral) and not isinstance(initial, bool):
            initial = check_int(initial, name, minimum=1)
            if initial > net.n:
                raise InvalidInputError(f"{name}={initial} random nodes requested but the network has {net.n}")
        else:
            idx = as_node_indices(net, initial, name)
            if idx.size == 0:
                raise InvalidInputError(f"{name} is empty; give nodes or a number of random nodes")
            initial = tuple(net.nodes[i] for i in dict.fromkeys(idx.tolist()))
        object.__setattr__(self, "initial", initial)
        targets = self.targets
        if isinstance(targets, numbers.Integral) and not isinstance(targets, bool):
            targets = check_int(targets, "targets", minimum=0)
            if targets > net.n:
                raise InvalidInputError(f"targets={targets} exceeds the {net.n} nodes of the network")
        elif isinstance(targets, numbers.Real) and not isinstance(targets, bool):
            targets = check_probability(targets, "targets", open_left=True, open_right=True)
        else:
            idx = as_node_indices(net, targets, "targets")
            if np.unique(idx).size != idx.size:
                raise InvalidInputError(f"targets contains repeated nodes: {describe(list(targets))}")
            targets = tuple(net.nodes[i] for i in idx.tolist())
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "response", as_response(self.response))
        horizon = check_int(self.horizon, "horizon", minimum=0)
        object.__setattr__(self, "horizon", min(horizon, net.n - 1))
        try:
            deadline = float(self.deadline)
        except (TypeError, ValueError):
            raise InvalidInputError(f"deadline must be a number or inf, got {describe(self.deadline)}") from None
        if math.isnan(deadline) or deadline < 0:
            raise InvalidInputError(f"deadline must be >= 0 (or inf), got {deadline}")
        object.__setattr__(self, "deadline", deadline)
        parse_delay(self.delay)  # validates
        report = self.report
        if report is not None and not callable(report):
            if isinstance(report, bool) or not isinstance(report, numbers.Real):
                raise InvalidInputError(f"report must be None, a probability or a callable, got {describe(report)}")
            report = check_probability(report, "report")
        object.__setattr__(self, "report", report)
        check_method(self.incentives, _INCENTIVES, name="incentives")
        cap = check_int(self.max_participants, "max_participants", minimum=1)
        if cap >= 2**31 - 1:
            raise InvalidInputError(f"max_participants must be below 2**31 - 1, got {cap}")
        object.__setattr__(self, "max_participants", cap)

    def __reduce__(self):
        # plain data: the network travels as its CSR matrix and labels (a network's caches and
        # lock stay behind), the rest as the validated fields
        state = {f: getattr(self, f) for f in ("initial", "targets", "response", "horizon",
                                               "deadline", "delay", "report", "incentives",
                                               "max_participants")}
        W = self.net.W
        matrix = (np.array(W.data), np.array(W.indices), np.array(W.indptr), W.shape)
        return (_campaign_from_state, (matrix, self.net.nodes, state))

    # ------------------------------------------------------------------ facts
    @property
    def n(self):
        """Number of people in the network."""
        return self.net.n

    @property
    def n_targets(self):
        """Targets per run (1 for a find probability: the first reported find)."""
        t = self.targets
        if isinstance(t, tuple):
            return len(t)
        return 1 if isinstance(t, float) else int(t)

    @property
    def mean_contacts(self):
        r"""Mean excess degree :math:`E[D^2]/E[D] - 1`: the :math:`E[K]` of the branching formula."""
        degree = np.diff(self.net.W.indptr).astype(np.float64)
        total = degree.sum()
        return max(float(degree @ degree / total - 1.0), 0.0) if total > 0 else 0.0

    @property
    def find_probability(self):
        """:math:`q`: ``k / n`` for ``k`` hidden targets, or the given find probability."""
        t = self.targets
        if isinstance(t, float):
            return t
        return self.n_targets / self.n

    def schedule(self, mechanism):
        r"""The payments :math:`r_0, \dots, r_H` of a mechanism or schedule (finder first).

        For a positional mechanism these are the payments to a chain of :math:`H + 1` people.
        """
        from ..simulate import chain_payment_table

        return chain_payment_table(mechanism, self.horizon)[-1].copy()

    def branching_incentives(self, mechanism):
        """:func:`~incnet.simulate.recruitment_incentives` with the network's mean excess degree."""
        from ..simulate import recruitment_incentives

        return recruitment_incentives(mechanism, mean_contacts=self.mean_contacts,
                                      response=self.response,
                                      find_probability=self.find_probability,
                                      horizon=self.horizon, report=self.report)

    def perceived_incentives(self, mechanism, *, rng=None, **options):
        """The incentives participants act on under this campaign's ``incentives`` choice.

        ``"branching"``: :meth:`branching_incentives`; ``"self-consistent"``:
        :func:`~incnet.design.self_consistent_incentives` (``options`` go to it).
        """
        if self.incentives == "branching":
            return self.branching_incentives(mechanism)
        from .selfconsistent import self_consistent_incentives

        return self_consistent_incentives(self, mechanism, rng=rng, **options)

    # ------------------------------------------------------------------ simulation
    def simulate(self, mechanism, *, n_runs, rng=None, keep_trees=False, progress=None,
                 incentive_options=None, checkpoints=None):
        """Run :func:`~incnet.simulate.simulate_recruitment` on this campaign.

        Parameters
        ----------
        mechanism : mechanism or array_like
            A referral mechanism or a schedule :math:`r_0, r_1, \\dots`.
        n_runs : int
        rng : None, int or numpy.random.Generator
            Runs with the same seed share their run seeds (their target and seed placements),
            which is what paired comparisons of two rules use. With branching incentives the
            result is exactly ``simulate_recruitment(net, mechanism, rng=rng, ...)``.
        keep_trees, progress, checkpoints
            As in :func:`~incnet.simulate.simulate_recruitment` (``checkpoints``: deadlines
            earlier than the campaign's at which the result can also be read).
        incentive_options : dict, optional
            Options of :func:`~incnet.design.self_consistent_incentives` for a self-consistent
            campaign (its randomness is drawn from ``rng`` after the runs' seeds).

        Returns
        -------
        SimulationResult
        """
        from ..simulate import simulate_recruitment

        rng = as_rng(rng)
        kwargs = dict(initial=self._initial_arg(), targets=self._targets_arg(), response=self.response,
                      horizon=self.horizon, n_runs=n_runs, deadline=self.deadline,
                      report=self.report, delay=self.delay,
                      max_participants=self.max_participants, keep_trees=keep_trees,
                      progress=progress, checkpoints=checkpoints)
        if self.incentives == "self-consistent":
            # the runs' seeds come first from rng, so a paired comparison stays paired
            run_rng = np.random.default_rng(_seed_from(rng))
            inc = self.perceived_incentives(mechanism, rng=rng, **(incentive_options or {}))
            res = simulate_recruitment(self.net, mechanism, incentives=inc.incentives,
                                       rng=run_rng, **kwargs)
            # keep the fixed point's diagnostics (residual, iterations) with the result
            return dataclasses.replace(res, incentives=inc)
        return simulate_recruitment(self.net, mechanism, rng=rng, **kwargs)

    def _initial_arg(self):
        return self.initial if isinstance(self.initial, int) else list(self.initial)

    def _targets_arg(self):
        return self.targets if not isinstance(self.targets, tuple) else list(self.targets)

    # ------------------------------------------------------------------ common random numbers
    def _kernel_inputs(self):
        """CSR arrays, seed/target specification and delay parameters for the CRN kernel."""
        from ..simulate.recruitment import parse_delay

        indptr = np.ascontiguousarray(self.net.W.indptr, dtype=np.int64)
        indices = np.ascontiguousarray(self.net.W.indices, dtype=np.int64)
        if isinstance(self.initial, int):
            seed_nodes, n_random_seeds = np.zeros(0, np.int64), self.initial
        else:
            seed_nodes, n_random_seeds = as_node_indices(self.net, list(self.initial), "initial"), 0
        t = self.targets
        if isinstance(t, tuple):
            target_nodes, n_random_targets, find_prob = as_node_indices(self.net, list(t), "targets"), 0, 0.0
        elif isinstance(t, float):
            target_nodes, n_random_targets, find_prob = np.zeros(0, np.int64), 0, t
        else:
            target_nodes, n_random_targets, find_prob = np.zeros(0, np.int64), t, 0.0
        kind, a, b = parse_delay(self.delay)
        return (indptr, indices, np.ascontiguousarray(seed_nodes), n_random_seeds,
                np.ascontiguousarray(target_nodes), n_random_targets, find_prob, kind, a, b)

    def _crn_runs(self, recruit_prob, report_prob, run_seeds):
        """Outcomes of candidates (rows of per-depth probabilities) on common random numbers.

        Returns a dict of arrays indexed (candidate, run, ...): ``finder_depth`` (-1 not found),
        ``found_time``, ``participants``, ``profile`` (participants per depth).
        """
        import numba

        from .._kernels.design import campaign_crn_kernel
        from .._threads import require_parallel

        require_parallel("Campaign")  # a parallel kernel: refuse clearly in a fork after OpenMP ran
        P = np.ascontiguousarray(np.atleast_2d(recruit_prob), dtype=np.float64)
        S = np.ascontiguousarray(np.atleast_2d(report_prob), dtype=np.float64)
        C, width = P.shape
        runs = np.ascontiguousarray(run_seeds, dtype=np.int64)
        R = runs.size
        k = self.n_targets
        out = dict(finder_depth=np.full((C, R, k), -1, dtype=np.int64),
                   found_time=np.full((C, R, k), np.inf),
                   participants=np.zeros((C, R), dtype=np.int64),
                   profile=np.zeros((C, R, width), dtype=np.int64))
        (indptr, indices, seed_nodes, n_random_seeds, target_nodes, n_random_targets, find_prob,
         kind, a, b) = self._kernel_inputs()
        chunks = max(1, min(int(numba.get_num_threads()), R))
        campaign_crn_kernel(indptr, indices, seed_nodes, n_random_seeds, target_nodes,
                            n_random_targets, find_prob, P, S, kind, a, b, self.deadline,
                            self.max_participants, runs, chunks, out["finder_depth"],
                            out["found_time"], out["participants"], out["profile"])
        return out


def _campaign_from_state(matrix, nodes, state):
    """Rebuild a pickled :class:`Campaign`."""
    import scipy.sparse as sp

    from ..network import IncentiveNetwork

    data, indices, indptr, shape = matrix
    net = IncentiveNetwork.from_scipy(sp.csr_array((data, indices, indptr), shape=shape), nodes)
    return Campaign(net, **state)


def _deprecated_seeds(self):
    warnings.warn("Campaign.seeds is deprecated and will be removed in the next release; use "
                  "Campaign.initial (the initial participants)", DeprecationWarning, stacklevel=2)
    return self.initial


# after @dataclass has read the InitVar's default: reading ``campaign.seeds`` still works, with a warning
Campaign.seeds = property(_deprecated_seeds, doc="Deprecated: :attr:`initial`.")
