r"""The plain diffusion baselines: independent cascade and linear threshold (Kempe et al. 2003).

**Independent cascade.** Seeds are active at step 0; a node activated at step :math:`t` gets one
chance to activate each inactive out-neighbour :math:`v`, succeeding with probability :math:`p`
(or the edge's own probability). **Linear threshold.** Node :math:`v` draws a threshold
:math:`\theta_v \sim U(0, 1)` and becomes active once
:math:`\sum_{u \in N^{in}(v)\ \text{active}} b_{uv} \ge \theta_v`, with
:math:`\sum_u b_{uv} \le 1` (by default :math:`b_{uv} = 1/\deg^{in}(v)`).

Both report per-run spreads (active nodes at the end, seeds included) so that incnet can be
compared with the diffusion libraries on their own ground.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .._results import ResultMixin
from .._threads import require_parallel
from .._validate import as_rng, check_int, check_probability
from ..errors import InvalidInputError
from ..network import as_network
from . import _common

__all__ = ["CascadeResult", "independent_cascade", "linear_threshold"]


@dataclass(frozen=True, repr=False)
class CascadeResult(ResultMixin):
    """Per-run spreads of a diffusion model.

    Attributes
    ----------
    spread : numpy.ndarray of int64, shape (runs,)
        Active nodes at the end of each run, seeds included.
    mean : float
        Mean spread.
    stderr : float
        Standard error of ``mean``.
    edge_visits : numpy.ndarray of int64, shape (runs,)
        Sum of the out-degrees of the active nodes.
    n_runs : int
    method : str
    nodes : tuple
        Labels of the network's nodes in index order.
    """

    spread: np.ndarray
    mean: float
    stderr: float
    edge_visits: np.ndarray
    n_runs: int
    method: str
    nodes: tuple = field(default=None, repr=False)

    _frame_index = ("run", None, "n_runs")


def _finish(spread, visits, n_runs, method, nodes):
    se = float(spread.std(ddof=1) / math.sqrt(n_runs)) if n_runs > 1 else math.nan
    return CascadeResult(spread, float(spread.mean()), se, visits, n_runs, method, nodes)


def _csr(net):
    # writable int64 copies: numba compiles one specialisation per dtype and per read-only flag
    return np.array(net.W.indptr, dtype=np.int64), np.array(net.W.indices, dtype=_common.index_dtype(net.n))


def independent_cascade(net, seeds, p, *, n_runs, rng=None, progress=None):
    r"""Monte Carlo spread of the independent cascade model.

    Parameters
    ----------
    net : IncentiveNetwork, networkx graph, sparse or dense matrix
        Activation travels along the non-zeros of each row (``u -> v`` for ``W[u, v] != 0``).
    seeds : int or sequence of nodes
        Seed nodes, or a number of random distinct seeds drawn anew in each run.
    p : float or "weight"
        Activation probability of every edge, or ``"weight"`` to use the network's weights
        (each in [0, 1]) as per-edge probabilities.
    n_runs : int
        Number of independent runs, at most ``10**8`` per call.
    rng : None, int or numpy.random.Generator
        One seed per run is drawn from it; results do not depend on the thread count.
    progress : bool, callable or None, default None
        As in :func:`~incnet.simulate.simulate_recruitment`: a tqdm bar (None: only for long
        runs in a terminal), or a callable ``progress(done, total)`` called between chunks of
        runs that cancels by returning False. Ctrl-C stops between chunks (about a quarter
        second each); the runs done are then discarded.

    Returns
    -------
    CascadeResult
        ``.spread`` per run, ``.mean`` and ``.stderr``.

    Raises
    ------
    InvalidInputError
        For a probability outside [0, 1], weights outside [0, 1], or bad seeds.

    See Also
    --------
    linear_threshold, simulate_recruitment

    Notes
    -----
    A breadth-first cascade in numba that never draws one random number per edge: for
    ``p >= 1/32`` the successful edges among 64 at a time come from a Bernoulli bit mask built
    from about log2(degree) + 2 random words, and below that from geometric skip-sampling (the
    gap to the next successful edge is drawn directly). Runs are spread over threads, one
    SplitMix64 stream per run.

    References
    ----------
    .. [1] Kempe, D., Kleinberg, J., Tardos, É. (2003). Maximizing the spread of influence through
       a social network. *KDD 2003*, 137-146.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.simulate import independent_cascade
    >>> res = independent_cascade(nx.path_graph(3), [0], 1.0, n_runs=10, rng=0)
    >>> res.mean
    3.0
    """
    from .._kernels.simulate import independent_cascade_kernel

    net = as_network(net)
    n_runs = _common.check_runs(n_runs)
    rng = as_rng(rng)
    seed_nodes, n_random = _common.seed_spec(net, seeds)
    indptr, indices = _csr(net)
    if isinstance(p, str):
        if p != "weight":
            raise InvalidInputError(f"p must be a probability or 'weight', got {p!r}")
        edge_prob = np.array(net.W.data, dtype=np.float64)
        if np.any(edge_prob < 0) or np.any(edge_prob > 1):
            raise InvalidInputError(
                f"p='weight' needs every weight in [0, 1]; found range [{edge_prob.min()}, {edge_prob.max()}]"
            )
        uniform = 0.0
        method = "independent cascade (edge probabilities)"
    else:
        uniform = check_probability(p, "p")
        edge_prob = np.zeros(0)
        method = "independent cascade (skip-sampling)"
    spread = np.zeros(n_runs, dtype=np.int64)
    visits = np.zeros(n_runs, dtype=np.int64)
    seeds_per_run = _common.run_seeds(rng, n_runs)
    chunks = _common.n_chunks(n_runs)

    def call(a, b):
        independent_cascade_kernel(indptr, indices, edge_prob, uniform, seed_nodes, n_random,
                                   seeds_per_run[a:b], min(chunks, b - a), spread[a:b], visits[a:b])

    require_parallel("independent_cascade")
    _common.run_batches(n_runs, chunks, call, progress, "independent_cascade")
    return _finish(spread, visits, n_runs, method, net.nodes)


def linear_threshold(net, seeds, *, n_runs, weights=None, rng=None, progress=None):
    r"""Monte Carlo spread of the linear threshold model.

    Parameters
    ----------
    net : IncentiveNetwork, networkx graph, sparse or dense matrix
        Influence travels along the non-zeros of each row (``u -> v`` for ``W[u, v] != 0``).
    seeds : int or sequence of nodes
        Seed nodes, or a number of random distinct seeds drawn anew in each run.
    n_runs : int
        Number of independent runs, at most ``10**8`` per call.
    weights : None or "weight"
        None: :math:`b_{uv} = 1/\deg^{in}(v)` (the usual convention); ``"weight"``: the network's
        weights, whose sum into every node must be at most 1.
    rng : None, int or numpy.random.Generator
    progress : bool, callable or None, default None
        As in :func:`~incnet.simulate.simulate_recruitment`: a tqdm bar (None: only for long
        runs in a terminal), or a callable ``progress(done, total)`` called between chunks of
        runs that cancels by returning False. Ctrl-C stops between chunks (about a quarter
        second each); the runs done are then discarded.

    Returns
    -------
    CascadeResult

    Raises
    ------
    InvalidInputError
        For negative weights or weights into a node summing above 1.

    See Also
    --------
    independent_cascade

    Notes
    -----
    Thresholds are drawn uniformly per run and node (lazily, when first influenced); the final
    active set does not depend on the activation order, so a queue replaces synchronous rounds.

    References
    ----------
    .. [1] Kempe, D., Kleinberg, J., Tardos, É. (2003). Maximizing the spread of influence through
       a social network. *KDD 2003*, 137-146.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.simulate import linear_threshold
    >>> linear_threshold(nx.path_graph(2), [0], n_runs=5, rng=0).mean  # b = 1 >= any threshold
    2.0
    """
    from .._kernels.simulate import linear_threshold_kernel

    net = as_network(net)
    n_runs = _common.check_runs(n_runs)
    rng = as_rng(rng)
    seed_nodes, n_random = _common.seed_spec(net, seeds)
    indptr, indices = _csr(net)
    if weights is None:
        in_degree = np.bincount(indices, minlength=net.n).astype(np.float64)
        b = 1.0 / in_degree[indices]
    elif weights == "weight":
        b = np.array(net.W.data, dtype=np.float64)
        into = np.bincount(indices, weights=b, minlength=net.n)
        if np.any(b < 0) or np.any(into > 1 + 1e-12):
            worst = int(np.argmax(into))
            raise InvalidInputError(
                f"linear threshold weights must be >= 0 and sum to at most 1 into each node; node "
                f"{net.nodes[worst]!r} receives {into[worst]:.6g}. Normalise the columns of W"
            )
    else:
        raise InvalidInputError(f"weights must be None or 'weight', got {weights!r}")
    spread = np.zeros(n_runs, dtype=np.int64)
    visits = np.zeros(n_runs, dtype=np.int64)
    seeds_per_run = _common.run_seeds(rng, n_runs)
    chunks = _common.n_chunks(n_runs)
    b = np.ascontiguousarray(b)

    def call(lo, hi):
        linear_threshold_kernel(indptr, indices, b, seed_nodes, n_random, seeds_per_run[lo:hi],
                                min(chunks, hi - lo), spread[lo:hi], visits[lo:hi])

    require_parallel("linear_threshold")
    _common.run_batches(n_runs, chunks, call, progress, "linear_threshold")
    return _finish(spread, visits, n_runs, "linear threshold", net.nodes)
