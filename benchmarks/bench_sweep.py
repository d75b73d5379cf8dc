"""incnet.sweep: the 64-cell ego-Facebook recruitment sweep, serial against processes and Dask.

Four rules (finder-only, recursive halving, a steeper and a flatter geometric split, all at $4000
per target) by four response scales by four deadlines; each cell simulates 100 runs of a search
for ten targets from four random initial participants on ego-Facebook (4,039 people). The
network is bound with :func:`functools.partial`, so it travels once per worker. Every backend
must return the same table (per-cell SeedSequence streams); the ratio is backend time / serial
time (above 1: the serial sweep is faster). The pool rows include starting and closing the
workers (a Dask LocalCluster for the Dask row).

The last row sweeps the same grid with a function that takes ``checkpoints``: the four deadlines
of a rule and scale are then one simulation to 48 hours read at 12, 24 and 36 (exactly what each
deadline's own call would give with that stream), 16 calls instead of 64. Its streams differ
from the per-cell ones, so its table is compared with the serial one statistically: every cell's
success rate within five standard errors.
"""

import functools
import os

from ._harness import Row, time_call

__all__ = ["run", "cell", "cell_checkpointed"]

BENCH = "sweep: 64 cells of simulate_recruitment on ego-Facebook"


def cell(net, rule, scale, deadline, n_runs, rng):
    """One cell: success rate and mean participants of a recruitment campaign."""
    import incnet
    from incnet.mechanisms import FinderOnly, RecursiveSplit
    from incnet.simulate import ExponentialResponse

    mechanism = {"finder-only": FinderOnly(4000.0), "halving": RecursiveSplit(2000.0, 0.5),
                 "steep": RecursiveSplit(3000.0, 0.25), "flat": RecursiveSplit(1000.0, 0.75)}[rule]
    res = incnet.simulate_recruitment(
        net, mechanism, initial=4, targets=10, horizon=20, deadline=deadline, n_runs=n_runs, rng=rng,
        response=ExponentialResponse(0.02, 0.4, scale=scale), delay=("lognormal", 2.0, 1.0))
    return {"success": res.success_rate, "participants": float(res.participants.mean())}


def cell_checkpointed(net, rule, scale, deadline, n_runs, rng, checkpoints=None):
    """The same cell as a simulation result that can be read at earlier deadlines."""
    import incnet
    from incnet.mechanisms import FinderOnly, RecursiveSplit
    from incnet.simulate import ExponentialResponse

    mechanism = {"finder-only": FinderOnly(4000.0), "halving": RecursiveSplit(2000.0, 0.5),
                 "steep": RecursiveSplit(3000.0, 0.25), "flat": RecursiveSplit(1000.0, 0.75)}[rule]
    return incnet.simulate_recruitment(
        net, mechanism, initial=4, targets=10, horizon=20, deadline=deadline, n_runs=n_runs, rng=rng,
        response=ExponentialResponse(0.02, 0.4, scale=scale), delay=("lognormal", 2.0, 1.0),
        checkpoints=checkpoints)


def _agrees_statistically(per_run, serial, n_runs):
    """Every cell's success rate within five binomial standard errors of the serial table's."""
    import numpy as np

    rates = per_run.groupby("cell")["success"].mean().to_numpy()
    other = serial["success"].to_numpy()
    pooled = np.clip((rates + other) / 2, 1.0 / n_runs, 1 - 1.0 / n_runs)
    se = np.sqrt(2 * pooled * (1 - pooled) / n_runs)
    return bool(np.all(np.abs(rates - other) <= 5 * se))


def run(smoke=False):
    """Rows for the results table; ``smoke`` sweeps 4 small cells serially and on 2 processes."""
    import incnet
    from incnet.datasets import load

    net = load("ego-facebook", as_network=True)
    if smoke:
        grid = {"rule": ["halving", "finder-only"], "scale": [200.0], "deadline": [12.0, 36.0]}
        n_runs = 10
    else:
        grid = {"rule": ["finder-only", "halving", "steep", "flat"], "scale": [100.0, 200.0, 400.0, 800.0],
                "deadline": [12.0, 24.0, 36.0, 48.0]}
        n_runs = 100
    func = functools.partial(cell, net, n_runs=n_runs)
    from incnet.sweep import grid_cells

    cells = len(grid_cells(grid))
    workers = min(2, os.cpu_count() or 1)
    case = f"{cells} cells x {n_runs} runs, {workers} workers"
    repeat = 1 if smoke else 3
    serial_t, serial_n, serial = time_call(lambda: incnet.sweep(func, grid, rng=2009), repeat=repeat,
                                           warmup=1)
    rows = [Row(BENCH, case, "incnet.sweep serial", serial_t, serial_n, 1.0, None,
                "kernels on all threads")]
    backends = {"incnet.sweep processes": dict(backend="processes", n_workers=workers)}
    if not smoke:
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            backends["incnet.sweep dask (LocalCluster)"] = None
        else:
            backends["incnet.sweep dask (LocalCluster)"] = dict(backend="dask", n_workers=workers)
    for name, kwargs in backends.items():
        if kwargs is None:
            rows.append(Row(BENCH, case, name, float("nan"), 0, float("nan"), None, "dask not installed"))
            continue
        t, reps, table = time_call(lambda: incnet.sweep(func, grid, rng=2009, **kwargs), repeat=repeat,
                                   warmup=0)
        rows.append(Row(BENCH, case, name, t, reps, t / serial_t, bool(table.equals(serial)),
                        "one thread per worker; pool start-up included"))
    func_cp = functools.partial(cell_checkpointed, net, n_runs=n_runs)
    t, reps, table = time_call(lambda: incnet.sweep(func_cp, grid, rng=2009), repeat=repeat, warmup=0)
    calls = len({(c["rule"], c["scale"]) for c in grid_cells(grid)})
    rows.append(Row(BENCH, case, "incnet.sweep serial, deadlines read from one simulation", t, reps,
                    t / serial_t, _agrees_statistically(table, serial, n_runs),
                    f"{calls} simulations instead of {cells} (checkpoints=); agreement: success rates "
                    "within 5 standard errors"))
    rows[0].implementation = "incnet"  # the reference row of the table
    rows[0].note = "incnet.sweep serial, kernels on all threads"
    return rows
