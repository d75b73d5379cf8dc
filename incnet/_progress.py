"""One progress reporter for every long call of incnet (private).

Every function that takes ``progress=`` hands it to :func:`reporter`:

- ``False``: nothing;
- ``True``: a tqdm bar on stderr, or, when tqdm is not installed, a warning (shown once per
  process by Python's warning filter) and nothing else;
- ``None``: the function's default, normally a bar only for long work in an interactive terminal
  (and only when tqdm is installed, silently otherwise);
- a callable: called as ``progress(done, total)`` after each step, from the calling thread
  (e.g. to feed a GUI, a log or a web page); returning False cancels the computation with
  :class:`~incnet.CancelledError` (the partial work is discarded), as in the chunked kernels
  (:mod:`incnet._chunked`).
"""

import sys
import warnings

__all__ = ["reporter", "Reporter", "check_progress", "warn_missing_tqdm"]


def warn_missing_tqdm():
    """The one warning for ``progress=True`` without tqdm (Python's filter shows it once)."""
    warnings.warn("progress=True needs tqdm (pip install tqdm); continuing without a progress bar",
                  RuntimeWarning, stacklevel=1)


def check_progress(progress):
    """``progress`` itself if it is None, a bool or a callable; otherwise InvalidInputError."""
    if progress is None or isinstance(progress, bool) or callable(progress):
        return progress
    from .errors import InvalidInputError

    raise InvalidInputError(
        f"progress must be True, False, None or a callable progress(done, total), got {progress!r}"
    )


class Reporter:
    """Advance with :meth:`update`; :meth:`close` (or the ``with`` block) ends it."""

    def __init__(self, total, bar=None, callback=None, what="the computation"):
        self.total = total
        self.done = 0
        self._bar = bar
        self._callback = callback
        self._what = what

    @property
    def active(self):
        """Whether anybody listens (callers may then report in finer steps)."""
        return self._bar is not None or self._callback is not None

    def update(self, steps=1):
        self.done += steps
        if self._bar is not None:
            self._bar.update(steps)
        if self._callback is not None and self._callback(self.done, self.total) is False:
            from .errors import CancelledError

            raise CancelledError(
                f"{self._what} was cancelled by the progress callback after {self.done} of "
                f"{self.total}; the partial work is discarded",
                done=self.done, total=self.total,
            )

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def reporter(progress, total, *, unit="step", desc=None, default=False):
    """A :class:`Reporter` for ``total`` steps as ``progress`` asks (see the module notes).

    ``default`` decides ``progress=None``: True shows a bar when stderr is a terminal and tqdm is
    installed.
    """
    progress = check_progress(progress)
    if callable(progress) and not isinstance(progress, bool):
        return Reporter(total, callback=progress, what=desc or "the computation")
    show = progress
    quiet = False
    if show is None:
        show = bool(default) and sys.stderr is not None and sys.stderr.isatty()
        quiet = True
    if not show:
        return Reporter(total)
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if not quiet:
            warn_missing_tqdm()
        return Reporter(total)
    return Reporter(total, bar=tqdm(total=total, unit=unit, desc=desc, leave=False))
