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
import time
from dataclasses import dataclass, field

import numpy as np

from .._chunked import TARGET_SECONDS
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
    from .._kernels.simulate import spread_moments

    mean, var = spread_moments(spread)
    se = math.sqrt(var / n_runs) if n_runs > 1 else math.nan
    return CascadeResult(spread, mean, se, visits, n_runs, method, nodes)


#: Work (edge visits plus activations) a call does on the calling thread before it hands the
#: remaining runs to the thread pool. Waking the pool costs from tens of microseconds to several
#: milliseconds on a busy machine, more than thousands of runs of a small cascade; a few
#: milliseconds of serial work are a negligible share of any call that does need the threads.
SERIAL_WORK = 1_000_000

#: Seconds of estimated serial work below which the runs left after the serial head finish on the
#: calling thread too: the pool would cost more than it saves.
SERIAL_REST_SECONDS = 0.005


def run_key(rng):
    """The call's key: one draw from the user's generator (run ``r``'s stream is derived in the
    kernel from the key and ``r``, so no per-run seeds are drawn in Python)."""
    return np.int64(rng.integers(0, np.iinfo(np.int64).max))


def _run_kernels(serial, parallel, head, n_runs, rng, serial_work, progress, what):
    """Runs 0.. on this thread until ``serial_work`` is spent, the rest over the threads.

    The serial head is a plain (not parallel) kernel: it needs no thread pool and takes a few
    milliseconds at most. Its pace tells what the rest costs: a rest of a few milliseconds
    finishes here too; a longer one goes to the pool in chunks that Ctrl-C and ``progress`` can
    stop, the first already sized to about a quarter second. A ``progress`` asked for explicitly
    (a callable or True) sees every run, so it skips the head. Run ``r`` draws from a stream
    derived from the call's key and ``r`` alone, so neither the split nor the thread count
    changes a result.
    """
    spread = np.empty(n_runs, dtype=np.int64)
    visits = np.empty(n_runs, dtype=np.int64)
    key = run_key(rng)
    watched = progress is not None and progress is not False
    done = 0
    pace = None  # seconds per run on this thread, measured by the head
    if not watched and serial_work != 0:  # a budget of 0: every run in the pool
        start = time.perf_counter()
        done = serial(*head, key, 0, spread, visits, serial_work)
        pace = (time.perf_counter() - start) / max(done, 1)
    if done < n_runs:
        rest = n_runs - done
        if pace is not None and done > 0 and pace * rest < SERIAL_REST_SECONDS:
            serial(*head, key, done, spread[done:], visits[done:], -1)
            return spread, visits
        threads = _common.n_chunks(rest)
        chunks = _pool_chunks(rest, threads, head[0].shape[0] - 1)
        first = chunks
        if pace is not None and done > 0:
            first = max(chunks, int(threads * TARGET_SECONDS / max(pace, 1e-9)))

        import numba

        def call(a, b):
            a += done
            b += done
            with numba.parallel_chunksize(1):
                parallel(*head, key, a, min(chunks, b - a), spread[a:b], visits[a:b])

        require_parallel(what)
        _common.run_batches(rest, chunks, call, progress, what, first=first)
    return spread, visits


#: Chunks of runs per thread in the pool, handed out one at a time: a thread that the machine
#: slows down (other processes on its core) takes fewer of them instead of holding the others
#: at the end of the parallel region.
CHUNKS_PER_THREAD = 4

#: Bytes of per-chunk buffers (about 16 per node and chunk) beyond which fewer chunks are used.
CHUNK_BUFFER_BYTES = 2**28


def _pool_chunks(rest, threads, n):
    """Chunks for ``rest`` runs over ``threads`` threads on an ``n``-node network."""
    most = max(threads, CHUNK_BUFFER_BYTES // (16 * max(n, 1)))
    return max(1, min(rest, threads * CHUNKS_PER_THREAD, most))


def _csr(net):
    """Writable copies of the CSR structure (int64 pointers, 32-bit indices), cached on the network.

    numba compiles one specialisation per dtype and per read-only flag; the kernels never write
    them, and the cache spares a copy of the whole structure per call.
    """

    def compute():
        return (np.array(net.W.indptr, dtype=np.int64),
                np.array(net.W.indices, dtype=_common.index_dtype(net.n)))

    return net._cached("simulate.csr", compute)


def _in_degree(net, indices):
    """In-degrees as int32, cached on the network."""
    return net._cached("simulate.in_degree",
                       lambda: np.bincount(indices, minlength=net.n).astype(np.int32))


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
        One number is drawn from it per call, and every run's stream derived from that number
        and the run's index; results do not depend on the thread count.
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
    ``p >= 1/32`` the successful edges of a well-connected node among 64 at a time come from a
    Bernoulli bit mask built from about log2(degree) + 2 random words; otherwise the attempts of
    the run, in queue order, form one Bernoulli process sampled by geometric skips (the gap to the
    next success is drawn directly and carried from node to node), so a run draws about once per
    success. A run's set-up and clean-up cost is proportional to its cascade (per-node marks are
    stamped with the run's number, never cleared); with fixed seeds sampled by skips, the seeds'
    contacts are gathered once per call, and a run whose first skip passes them all (most runs of
    a small cascade) costs a few random draws. Runs execute on the calling thread until about a
    million edge visits are spent (small cascades never wake the thread pool), the rest over the
    threads unless they would take only milliseconds. One number is drawn from ``rng`` per call;
    run ``r`` has its own SplitMix64 stream derived from it and from ``r``, so neither the split
    nor the thread count changes a result.

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
    return _independent_cascade(net, seeds, p, n_runs, rng, SERIAL_WORK, progress)


def _independent_cascade(net, seeds, p, n_runs, rng, serial_work, progress=None):
    from .._kernels.simulate import independent_cascade_kernel, independent_cascade_serial_kernel

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
    head = (indptr, indices, edge_prob, uniform, seed_nodes, n_random)
    spread, visits = _run_kernels(independent_cascade_serial_kernel, independent_cascade_kernel, head,
                                  n_runs, rng, serial_work, progress, "independent_cascade")
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
    With the default weights :math:`1/\deg^{in}(v)` the threshold is drawn as the number of active
    in-neighbours :math:`v` needs, uniform on :math:`1, \dots, \deg^{in}(v)` (the law of
    :math:`\lceil \theta_v \deg^{in}(v) \rceil`), and counted down in integers in the same
    per-node word that stamps the run. Runs are split between the calling thread and the thread
    pool as in :func:`independent_cascade`.

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
    return _linear_threshold(net, seeds, n_runs, weights, rng, SERIAL_WORK, progress)


def _linear_threshold(net, seeds, n_runs, weights, rng, serial_work, progress=None):
    from .._kernels.simulate import linear_threshold_kernel, linear_threshold_serial_kernel

    net = as_network(net)
    n_runs = _common.check_runs(n_runs)
    rng = as_rng(rng)
    seed_nodes, n_random = _common.seed_spec(net, seeds)
    indptr, indices = _csr(net)
    if weights is None:
        # b_uv = 1 / in-degree(v): the kernel counts active in-neighbours against a threshold
        # uniform on 1..in-degree(v), the law of ceil(theta_v in-degree(v))
        b = np.zeros(0)
        in_degree = _in_degree(net, indices)
    elif weights == "weight":
        b = np.array(net.W.data, dtype=np.float64)
        into = np.bincount(indices, weights=b, minlength=net.n)
        if np.any(b < 0) or np.any(into > 1 + 1e-12):
            worst = int(np.argmax(into))
            raise InvalidInputError(
                f"linear threshold weights must be >= 0 and sum to at most 1 into each node; node "
                f"{net.nodes[worst]!r} receives {into[worst]:.6g}. Normalise the columns of W"
            )
        in_degree = np.zeros(0, dtype=np.int32)
    else:
        raise InvalidInputError(f"weights must be None or 'weight', got {weights!r}")
    head = (indptr, indices, b, in_degree, seed_nodes, n_random)
    spread, visits = _run_kernels(linear_threshold_serial_kernel, linear_threshold_kernel, head,
                                  n_runs, rng, serial_work, progress, "linear_threshold")
    return _finish(spread, visits, n_runs, "linear threshold", net.nodes)
