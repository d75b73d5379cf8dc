"""Run a long kernel in chunks, so that Ctrl-C and a progress callback can stop it (private).

A numba kernel holds the interpreter until it returns: a KeyboardInterrupt raised by Ctrl-C
waits for it. Long computations therefore call their kernel on consecutive ranges of the work
(runs of a simulation, steps of an iteration), each sized to take about ``TARGET_SECONDS``;
between two calls Python delivers a pending KeyboardInterrupt and asks the progress callback.

Chunking never changes a result: the kernels draw one random stream per run and carry an
iteration's whole state across calls.

The callback protocol is deliberately plain, so any progress display can plug in: a callable
``callback(done, total)`` invoked after every chunk, where ``done`` units of ``total`` are
complete. It returns ``False`` to cancel (then :class:`~incnet.errors.CancelledError`); any
other value continues. An exception it raises propagates. On a cancellation or an interrupt the
partial work is discarded.
"""

import time

from .errors import CancelledError, InvalidInputError

__all__ = ["TARGET_SECONDS", "check_callback", "run_chunked"]

#: Wall time aimed at per chunk: Ctrl-C waits at most about this long (plus one chunk's jitter).
TARGET_SECONDS = 0.25


def check_callback(callback, name="progress"):
    """``callback`` if it is None or callable, else InvalidInputError."""
    if callback is not None and not callable(callback):
        raise InvalidInputError(f"{name} must be a callable (done, total) or None, got {callback!r}")
    return callback


def run_chunked(total, call, *, first=1, callback=None, what="the computation", target=None):
    """Call ``call(a, b)`` on consecutive ranges covering ``0..total``; return units done.

    ``call`` returns True to stop early (e.g. an iteration that converged); the return value
    is then the end of that chunk. Chunk sizes start at ``first`` and adapt so that each call
    takes about ``target`` seconds (growing at most eightfold per chunk, never below 1 unit).
    """
    target = TARGET_SECONDS if target is None else target
    done = 0
    size = max(1, int(first))
    while done < total:
        stop_at = min(total, done + size)
        start = time.perf_counter()
        try:
            finished = call(done, stop_at)
        except SystemError as err:
            # A Ctrl-C that lands while numba's dispatcher runs Python code (typing the
            # arguments) leaves the KeyboardInterrupt pending as the dispatcher returns, and
            # CPython reports "returned a result with an exception set" with it as the cause.
            if isinstance(err.__cause__, KeyboardInterrupt):
                raise KeyboardInterrupt from None
            raise
        elapsed = time.perf_counter() - start
        done = stop_at
        if callback is not None and callback(done, total) is False:
            raise CancelledError(
                f"{what} was cancelled by the progress callback after {done} of {total}; "
                "the partial work is discarded",
                done=done, total=total,
            )
        if finished:
            return done
        if elapsed <= 0.0:
            size = size * 8 if target > 0 else 1
        else:
            size = max(1, min(size * 8, int(size * target / elapsed)))
    return done
