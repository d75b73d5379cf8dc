"""Argument handling shared by the simulation front ends (private)."""

import math
import numbers
import sys

import numpy as np

from .._validate import as_node_indices, check_int, describe
from ..errors import InvalidInputError

__all__ = ["run_seeds", "n_chunks", "seed_spec", "progress_callback", "run_batches", "wilson_interval"]

#: Runs at or above which an interactive session shows a progress bar by default.
PROGRESS_MIN_RUNS = 2000


def index_dtype(n):
    """Node indices as int32 when they fit (half the memory traffic), else int64."""
    return np.int32 if n < 2**31 - 1 else np.int64


#: Most runs one simulation call accepts (its per-run outputs take some 24 bytes a run or more);
#: split larger studies into several calls with seeds from one generator.
MAX_RUNS = 10**8


def check_runs(n_runs):
    """``n_runs`` as an int in ``[1, MAX_RUNS]``."""
    return check_int(n_runs, "n_runs", minimum=1, maximum=MAX_RUNS)


def run_seeds(rng, n_runs):
    """One int64 seed per run, drawn from the user's generator."""
    return rng.integers(0, np.iinfo(np.int64).max, size=n_runs, dtype=np.int64)


def n_chunks(n_runs):
    """Number of parallel chunks: the thread count (results never depend on it)."""
    import numba

    return max(1, min(int(numba.get_num_threads()), int(n_runs)))


def seed_spec(net, seeds, name="seeds"):
    """``(seed_nodes, n_random)``: a list of nodes, or a count of random distinct nodes per run."""
    if seeds is None or isinstance(seeds, (bool, np.bool_)):
        raise InvalidInputError(
            f"{name}={seeds!r} is ambiguous; pass the initial participants (node labels) or a "
            "number of random nodes"
        )
    if isinstance(seeds, numbers.Integral):
        count = check_int(seeds, name, minimum=1)
        if count > net.n:
            raise InvalidInputError(f"{name}={count} random nodes requested but the network has {net.n}")
        return np.zeros(0, dtype=np.int64), count
    nodes = as_node_indices(net, seeds, name)
    if nodes.size == 0:
        raise InvalidInputError(f"{name} is empty; give at least one node or a count of random nodes")
    if nodes.size <= 64:  # a handful of seeds: a dict keeps first occurrences faster than np.unique
        return np.array(list(dict.fromkeys(nodes.tolist())), dtype=np.int64), 0
    _, first = np.unique(nodes, return_index=True)
    return np.ascontiguousarray(nodes[np.sort(first)]), 0


def progress_callback(n_runs, progress):
    """``(callback, close)`` for :func:`incnet._chunked.run_chunked` from a ``progress`` argument.

    ``progress`` is None (a tqdm bar only in an interactive terminal for long simulations, and
    only when tqdm is installed), a bool (bar or no bar), or a callable ``progress(done, total)``
    called between chunks of runs, which returns False to cancel.
    """
    if callable(progress) and not isinstance(progress, bool):
        return progress, None
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise InvalidInputError(
            f"progress must be None, a bool or a callable (done, total), got {describe(progress)}"
        )
    show = progress
    if show is None:
        show = n_runs >= PROGRESS_MIN_RUNS and sys.stderr is not None and sys.stderr.isatty()
    if not show:
        return None, None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress is not None:  # asked for explicitly: say why there is no bar
            from .._progress import warn_missing_tqdm

            warn_missing_tqdm()
        return None, None
    bar = tqdm(total=n_runs, unit="run", leave=False)

    def advance(done, total):
        bar.update(done - bar.n)

    return advance, bar.close


def run_batches(n_runs, chunks, call, progress, what, first=None):
    """Run ``call(a, b)`` over consecutive run ranges of about a quarter second each.

    The first range has ``first`` runs (default ``chunks``: one per thread), the next ones adapt
    to the measured pace. Ctrl-C stops between two ranges (a KeyboardInterrupt; the runs done
    are discarded) and a callable ``progress`` can cancel (CancelledError). Results never depend
    on the ranges: every run has its own seed.
    """
    from .._chunked import run_chunked

    callback, close = progress_callback(n_runs, progress)
    try:
        run_chunked(n_runs, lambda a, b: call(a, b) and False,
                    first=chunks if first is None else first, callback=callback, what=what)
    finally:
        if close is not None:
            close()


def wilson_interval(successes, n, z=1.959963984540054):
    """Wilson score interval for a binomial proportion (95% by default)."""
    if n == 0:
        return (0.0, 1.0)
    phat = successes / n
    denom = 1.0 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def check_deadline(deadline):
    if isinstance(deadline, (bool, np.bool_, str, bytes)):
        raise InvalidInputError(f"deadline must be a number or inf, got {describe(deadline)}")
    try:
        value = float(deadline)
    except (TypeError, ValueError):
        raise InvalidInputError(f"deadline must be a number or inf, got {describe(deadline)}") from None
    if math.isnan(value) or value < 0:
        raise InvalidInputError(f"deadline must be >= 0 (or inf), got {value}")
    return value
