"""Threads of the numba kernels, and what happens across ``fork`` (private; see :func:`threads`).

numba runs the ``prange`` loops of incnet's parallel kernels on a thread pool, its *threading
layer*. On Linux the default layer is GNU OpenMP, which does not survive ``fork``: a child forked
after the pool has started dies with "fork() called from a process already using GNU OpenMP" the
moment it enters a parallel region, and a ``multiprocessing`` pool waits for it forever. incnet
registers an :func:`os.register_at_fork` hook that records this in the child; there every call
that needs a numba kernel raises a clear :class:`~incnet.errors.ForkedThreadPoolError` instead of
killing the process (the scipy routes, such as the direct solves of
:class:`~incnet.PayoffSolver`, keep working). :func:`incnet.sweep <incnet.sweep.sweep>` starts
its worker processes with ``forkserver``/``spawn`` so it never meets the problem.

The thread count is numba's, which is thread-local: :func:`threads` sets it for the calls made
inside the ``with`` block on the current thread only. Results never depend on it (work is
chunked by the data, and every Monte Carlo run draws from its own stream).
"""

import contextlib
import os
import threading

from ._validate import check_int
from .errors import ForkedThreadPoolError, InvalidInputError

__all__ = ["threads", "parallel_allowed", "require_parallel", "chosen_threads"]

# The count set by the innermost ``with threads(n)`` block of the current thread (thread-local,
# restored when the block ends, like numba's own count).
_chosen = threading.local()


def chosen_threads():
    """The thread count a ``with threads(n)`` block chose on this thread, else None."""
    return getattr(_chosen, "count", None)


# Set in a forked child whose parent had started numba's GNU OpenMP pool. This is per-process
# state about the process itself (not a setting), and only the fork hook writes it.
_forked_after_gnu_omp = False


def _gnu_omp_running():
    """Whether numba's thread pool has started on the GNU OpenMP layer in this process."""
    try:
        from numba.np.ufunc import parallel
    except ImportError:  # pragma: no cover - numba is a core dependency
        return False
    if not getattr(parallel, "_is_initialized", False):
        return False
    if getattr(parallel, "_threading_layer", None) != "omp":
        return False
    try:
        from numba.np.ufunc import omppool
    except ImportError:  # pragma: no cover
        return False
    return getattr(omppool, "openmp_vendor", "GNU") == "GNU"


def _after_fork_in_child():
    global _forked_after_gnu_omp
    if _forked_after_gnu_omp or _gnu_omp_running():
        _forked_after_gnu_omp = True


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def parallel_allowed():
    """False in a process forked after GNU OpenMP started (its parallel regions would abort)."""
    return not _forked_after_gnu_omp


def require_parallel(what):
    """Raise :class:`ForkedThreadPoolError` where a parallel kernel cannot run (see module notes)."""
    if _forked_after_gnu_omp:
        raise ForkedThreadPoolError(
            f"{what} runs numba's parallel kernels, but this process was forked from one in which "
            "numba's GNU OpenMP thread pool had already run, and GNU OpenMP does not survive fork(). "
            "Start worker processes with multiprocessing.get_context('forkserver') or 'spawn' "
            "(incnet.sweep does), or choose a fork-safe threading layer before numba starts, e.g. "
            "NUMBA_THREADING_LAYER=workqueue (or 'tbb' with the tbb package installed)"
        )


@contextlib.contextmanager
def threads(n):
    """Run incnet's numba kernels on ``n`` threads inside a ``with`` block (this thread only).

    Parameters
    ----------
    n : int or None
        Threads for the kernels, between 1 and the number numba started with
        (``numba.config.NUMBA_NUM_THREADS``, by default the number of cores). ``None`` leaves the
        current setting.

    Yields
    ------
    int
        The thread count in force inside the block.

    Notes
    -----
    numba's thread count is thread-local, so two Python threads can run kernels with different
    counts at once, and the previous count comes back when the block ends, even on an error.
    Results never depend on the count: parallel work is chunked by the data and every Monte Carlo
    run has its own random stream. Worker processes of :func:`incnet.sweep <incnet.sweep.sweep>` run with one thread
    each unless told otherwise, so a pool of workers does not oversubscribe the machine.

    Examples
    --------
    >>> import incnet
    >>> with incnet.threads(1) as n:
    ...     n
    1
    """
    import numba

    if n is None:
        yield int(numba.get_num_threads())
        return
    limit = int(numba.config.NUMBA_NUM_THREADS)
    n = check_int(n, "n_threads", minimum=1)
    if n > limit:
        raise InvalidInputError(
            f"n_threads={n} exceeds the {limit} threads numba started with; set NUMBA_NUM_THREADS "
            "before the first parallel call to allow more"
        )
    previous = int(numba.get_num_threads())
    previous_choice = chosen_threads()
    numba.set_num_threads(n)
    _chosen.count = n
    try:
        yield n
    finally:
        numba.set_num_threads(previous)
        _chosen.count = previous_choice
