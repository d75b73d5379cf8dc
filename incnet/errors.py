"""The exception hierarchy of incnet.

Every error that incnet raises on purpose derives from :class:`IncnetError`, so a caller can catch
the library's own failures in one place. Diagnostic values travel as attributes; the message is one
clean sentence that names the offending value and says what to do.
"""

__all__ = [
    "IncnetError",
    "InvalidInputError",
    "IllPosedNetworkError",
    "ConvergenceError",
    "InfeasibleDesignError",
    "CancelledError",
    "ForkedThreadPoolError",
]


class IncnetError(Exception):
    """Base class of every exception raised by incnet."""


class InvalidInputError(IncnetError, ValueError):
    """An argument has the wrong shape, type or value (NaN, inf, negative budget, ...).

    Also a :class:`ValueError`, so code written against numpy/scipy conventions keeps working.
    """


class IllPosedNetworkError(IncnetError):
    """The model is not well posed on this network (e.g. a spectral radius >= 1).

    Parameters
    ----------
    message : str
        The full message.
    spectral_radius : float, optional
        The spectral radius (or bound) that made the model ill-posed.
    """

    def __init__(self, message, *, spectral_radius=None):
        super().__init__(message)
        self.spectral_radius = spectral_radius


class ConvergenceError(IncnetError):
    """An iterative solver stopped before reaching its tolerance.

    Parameters
    ----------
    message : str
        The full message.
    last_iterate : numpy.ndarray, optional
        The iterate the solver stopped at, so the caller can inspect or warm-start from it.
    residual : float, optional
        The (relative) residual of ``last_iterate``.
    iterations : int, optional
        Iterations performed.
    """

    def __init__(self, message, *, last_iterate=None, residual=None, iterations=None):
        super().__init__(message)
        self.last_iterate = last_iterate
        self.residual = residual
        self.iterations = iterations


class InfeasibleDesignError(IncnetError):
    """A design problem has no feasible solution (or the solver could not find one).

    Parameters
    ----------
    message : str
        The full message.
    status : str, optional
        The solver status that was reported (e.g. ``"infeasible"``).
    """

    def __init__(self, message, *, status=None):
        super().__init__(message)
        self.status = status


class CancelledError(IncnetError):
    """A long computation was cancelled by its progress callback (which returned False).

    The partial work is discarded: nothing is returned. (Ctrl-C stops the same computations
    between two chunks of work, within about a second, with a plain KeyboardInterrupt.)

    Parameters
    ----------
    message : str
        The full message.
    done : int, optional
        Units of work (runs, iterations) completed before the cancellation.
    total : int, optional
        Units of work requested.
    """

    def __init__(self, message, *, done=None, total=None):
        super().__init__(message)
        self.done = done
        self.total = total
class ForkedThreadPoolError(IncnetError):
    """A parallel kernel was called in a process forked after numba's GNU OpenMP pool had run.

    GNU OpenMP does not survive ``fork()``; the message says how to start workers instead
    (``forkserver``/``spawn``, or a fork-safe numba threading layer).
    """
