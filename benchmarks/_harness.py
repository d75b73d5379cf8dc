"""Timing helpers shared by the benchmark modules.

Data and JIT warm-up happen in the caller's setup, never at import. Each case times incnet and its
peers in the same run, checks that they agree, and reports medians and the ratio
``peer time / incnet time`` (above 1: incnet is faster).
"""

import gc
import math
import platform
import statistics
import time
from dataclasses import dataclass, field

__all__ = ["Row", "compare", "time_call", "alternate_first_calls", "machine_description",
           "format_table"]

#: Idle time before each timed first call in ``alternate_first_calls``. A peer's BLAS calls (the
#: dot products of scipy's cg) wake OpenBLAS's worker threads, which then spin for about 0.1 s
#: on the cores incnet's threads need: measured at 10^5 nodes, incnet's first call took a median
#: 20 ms (12-77 ms) right after scipy's cg, 17 ms with OPENBLAS_NUM_THREADS=1, and 17 ms after
#: this pause, while scipy's own time did not change.
QUIET_SECONDS = 0.25


@dataclass
class Row:
    """One timed implementation of one benchmark case."""

    benchmark: str
    case: str
    implementation: str
    median_s: float
    repeats: int
    ratio: float = float("nan")  # peer time / incnet time; 1.0 for incnet itself
    agrees: object = None  # True/False when checked against incnet, None when not applicable
    note: str = ""
    extra: dict = field(default_factory=dict)


def time_call(fn, *, repeat=5, warmup=1, max_seconds=60.0, settle=0.0):
    """Median wall time of ``fn()`` over ``repeat`` calls after ``warmup`` untimed calls.

    Stops early once ``max_seconds`` have been spent, so a slow peer cannot stall the suite.
    ``settle`` seconds of idle come first, so that no thread of what ran before (OpenBLAS's
    spinning workers, see ``QUIET_SECONDS``) still holds a core.
    Returns ``(median_seconds, repeats_done, last_return_value)``.
    """
    time.sleep(settle)
    value = None
    for _ in range(warmup):
        value = fn()
    times = []
    spent = 0.0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
        if spent > max_seconds:
            break
    return statistics.median(times), len(times), value


def alternate_first_calls(make, first_call, peer, *, repeat, pause=QUIET_SECONDS):
    """Time ``first_call(make())`` and ``peer()`` alternately, so both see the same machine.

    ``make`` builds a fresh object (untimed) for each first call. Every timed call starts after
    ``gc.collect()`` and ``pause`` seconds of idle, as a one-shot call in a quiet process would.
    Returns ``(median first call, median peer, last value, last fresh object)``.
    """
    ours, theirs = [], []
    value = fresh = None
    for _ in range(repeat):
        fresh = make()
        gc.collect()
        time.sleep(pause)
        start = time.perf_counter()
        value = first_call(fresh)
        ours.append(time.perf_counter() - start)
        gc.collect()
        time.sleep(pause)
        start = time.perf_counter()
        peer()
        theirs.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(theirs), value, fresh


def compare(benchmark, case, incnet_fn, peers, *, agree=None, repeat=5, warmup=1, smoke=False,
            note=""):
    """Time ``incnet_fn`` and each peer; return one Row per implementation.

    Parameters
    ----------
    benchmark, case : str
        Names for the table.
    incnet_fn : callable
        The incnet call, no arguments.
    peers : dict of str -> callable or None
        Peer calls; ``None`` marks a peer that is unavailable or skipped at this size (its row
        says so instead of a time).
    agree : callable, optional
        ``agree(incnet_value, peer_value) -> bool``.
    """
    if smoke:
        repeat, warmup = 1, 1
    settle = 0.0 if smoke else QUIET_SECONDS
    base, n_base, base_value = time_call(incnet_fn, repeat=repeat, warmup=warmup, settle=settle)
    rows = [Row(benchmark, case, "incnet", base, n_base, 1.0, None, note)]
    for name, fn in peers.items():
        if fn is None:
            rows.append(Row(benchmark, case, name, math.nan, 0, math.nan, None, "skipped"))
            continue
        t, reps, value = time_call(fn, repeat=repeat, warmup=0, settle=settle)
        ok = None if agree is None else bool(agree(base_value, value))
        rows.append(Row(benchmark, case, name, t, reps, t / base if base > 0 else math.inf, ok))
    return rows


def machine_description():
    import os

    import numba
    import numpy
    import scipy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"numpy {numpy.__version__}; scipy {scipy.__version__}; numba {numba.__version__}; "
        f"{platform.system()} {platform.release()}"
    )


def _fmt_time(seconds):
    if seconds != seconds:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def format_table(rows):
    """Markdown table of rows, grouped by benchmark and case."""
    lines = [
        "| benchmark | case | implementation | median | peer / incnet | agrees | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "—" if r.ratio != r.ratio else f"{r.ratio:.2f}×"
        agrees = "" if r.agrees is None else ("yes" if r.agrees else "**NO**")
        lines.append(
            f"| {r.benchmark} | {r.case} | {r.implementation} | {_fmt_time(r.median_s)} | {ratio} | {agrees} | {r.note} |"
        )
    return "\n".join(lines)
