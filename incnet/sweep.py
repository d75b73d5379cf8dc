r"""Parameter sweeps over any computation, serially, on local processes or on a Dask cluster.

:func:`sweep` runs ``func(**cell, rng=generator)`` for every cell of a parameter grid and returns
one tidy :class:`pandas.DataFrame`. Each cell draws from its own random stream, derived from the
user's seed and the cell's position in the grid (``SeedSequence(seed, spawn_key=(k,))``, as
``SeedSequence(seed).spawn(n)[k]``), so the table is the same whatever the backend, the number of
workers or the order in which cells finish. See :doc:`/scale` for running at scale.
"""

import inspect
import itertools
import numbers
import os

import numpy as np

from ._progress import check_progress, reporter
from ._results import require_pandas
from ._validate import check_int, check_method, describe
from .errors import InvalidInputError

__all__ = ["sweep", "grid_cells"]

BACKENDS = ("serial", "processes", "dask")


def grid_cells(grid):
    """The cells of a grid: a dict of lists (their product, in key order) or a list of dicts.

    Examples
    --------
    >>> grid_cells({"a": [1, 2], "b": ["x", "y"]})
    [{'a': 1, 'b': 'x'}, {'a': 1, 'b': 'y'}, {'a': 2, 'b': 'x'}, {'a': 2, 'b': 'y'}]
    """
    if isinstance(grid, dict):
        keys = list(grid)
        values = []
        for key in keys:
            if not isinstance(key, str):
                raise InvalidInputError(f"grid keys are argument names (str), got {describe(key)}")
            options = grid[key]
            if isinstance(options, (str, bytes)) or not np.iterable(options):
                raise InvalidInputError(
                    f"grid[{key!r}] must be a list of values to try, got {describe(options)}; "
                    f"wrap a single value in a list: [{describe(options)}]"
                )
            values.append(list(options))
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    if isinstance(grid, (list, tuple)):
        cells = []
        for k, cell in enumerate(grid):
            if not isinstance(cell, dict) or not all(isinstance(key, str) for key in cell):
                raise InvalidInputError(f"grid entry {k} must be a dict of arguments, got {describe(cell)}")
            cells.append(dict(cell))
        return cells
    raise InvalidInputError(f"grid must be a dict of lists or a list of dicts, got {describe(grid)}")


def _entropy(rng):
    """The root entropy of the sweep's streams from ``rng`` (None | int | SeedSequence | Generator)."""
    if rng is None:
        return np.random.SeedSequence().entropy
    if isinstance(rng, np.random.SeedSequence):
        return rng.entropy
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise InvalidInputError(f"rng seed must be non-negative, got {rng}")
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63))
    raise InvalidInputError(
        f"rng must be None, a non-negative int, a SeedSequence or a numpy.random.Generator, got {describe(rng)}"
    )


def _label(value):
    """A cell parameter as a table entry: scalars as they are, anything else by its repr."""
    if value is None or isinstance(value, (numbers.Number, str, bool, np.generic)):
        return value
    return repr(value)


def _rows(output, cell, index):
    """The rows of one cell's output as a DataFrame (parameters first)."""
    pd = require_pandas("sweep")
    if isinstance(output, pd.DataFrame):
        frame = output.reset_index() if _named_index(output) else output.reset_index(drop=True)
    elif hasattr(output, "to_frame") and callable(output.to_frame) and not isinstance(output, pd.Series):
        frame = output.to_frame()
        frame = frame.reset_index() if _named_index(frame) else frame.reset_index(drop=True)
    elif isinstance(output, dict):
        frame = pd.DataFrame([{k: v for k, v in output.items()}])
    elif isinstance(output, (numbers.Number, np.generic)):
        frame = pd.DataFrame({"value": [output]})
    else:
        raise InvalidInputError(
            f"func returned {type(output).__name__} for cell {index} ({cell}); return an incnet "
            "result, a dict of numbers, a number or a DataFrame"
        )
    params = {"cell": index, **{k: _label(v) for k, v in cell.items()}}
    for key in [k for k in params if k in frame.columns]:
        # a result that reports its own parameter (deadline, say): keep one column when they agree
        same = bool((frame[key] == params[key]).all()) if len(frame) else True
        frame = frame.drop(columns=key) if same else frame.rename(columns={key: f"{key}_out"})
    for position, (key, value) in enumerate(params.items()):
        frame.insert(position, key, [value] * len(frame))
    return frame


def _named_index(frame):
    return any(name is not None for name in frame.index.names)


def _deadline_groups(cells):
    """Tasks ``(indices, cells)``: cells equal but for a numeric ``deadline`` share one task.

    The other values are compared by identity (a grid's product reuses its objects), so nothing
    that merely looks alike is merged; a deadline repeated within a group starts a new group.
    """
    tasks, open_groups = [], {}
    for k, cell in enumerate(cells):
        deadline = cell.get("deadline")
        if not isinstance(deadline, numbers.Real) or isinstance(deadline, bool) or deadline != deadline:
            tasks.append(([k], [cell]))
            continue
        key = tuple((name, id(value)) for name, value in cell.items() if name != "deadline")
        group = open_groups.get(key)
        if group is None or any(c["deadline"] == deadline for c in group[1]):
            group = ([], [])
            open_groups[key] = group
            tasks.append(group)
        group[0].append(k)
        group[1].append(cell)
    return tasks


def _run_task(func, task, entropy, pass_rng, n_threads):
    """Run one task in whichever process it lands (module-level, so it pickles).

    A task of several cells (equal but for the deadline) is one call at the latest deadline with
    the others as ``checkpoints``, read at each with the result's ``at_deadline``; it draws from
    the stream of its first cell.
    """
    from ._threads import threads

    indices, cells = task
    kwargs = dict(cells[0])
    if len(cells) > 1:
        deadlines = [cell["deadline"] for cell in cells]
        kwargs["deadline"] = max(deadlines)
        kwargs["checkpoints"] = sorted(d for d in deadlines if d != kwargs["deadline"])
    if pass_rng:
        kwargs["rng"] = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(indices[0],)))
    with threads(n_threads):
        output = func(**kwargs)
    if len(cells) == 1:
        return [_rows(output, cells[0], indices[0])]
    if not callable(getattr(output, "at_deadline", None)):
        raise InvalidInputError(
            f"func takes checkpoints=, so sweep ran cells {indices} (deadlines {deadlines}) as one call, "
            f"but it returned {type(output).__name__}, which has no at_deadline(); return the "
            "simulation result itself, or drop the checkpoints parameter to run every cell on its own"
        )
    return [_rows(output.at_deadline(cell["deadline"]), cell, k) for k, cell in zip(indices, cells)]


#: In a worker process of the "processes" backend: the sweep's function, installed once per
#: worker by the pool's initializer so that a large bound argument travels once, not per cell.
_worker_func = None


def _install(func):
    global _worker_func
    _worker_func = func


def _run_installed(task, entropy, pass_rng, n_threads):
    return _run_task(_worker_func, task, entropy, pass_rng, n_threads)


def _parameters(func):
    try:
        return inspect.signature(func).parameters
    except (TypeError, ValueError):
        return None


def _takes_rng(func):
    params = _parameters(func)
    if params is None:
        return True
    return "rng" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _takes_checkpoints(func):
    """Only an explicit ``checkpoints`` parameter says a function can read one run at many deadlines."""
    params = _parameters(func)
    return params is not None and "checkpoints" in params


def _worker_threads(n_threads, workers):
    """Threads per worker: as asked, else an even share of the cores (one by default)."""
    import numba

    limit = int(numba.config.NUMBA_NUM_THREADS)
    if n_threads is None:
        return max(1, min(limit, (os.cpu_count() or 1) // max(1, workers)))
    n_threads = check_int(n_threads, "n_threads", minimum=1)
    return min(n_threads, limit)


def sweep(func, grid, *, backend="serial", client=None, n_workers=None, n_threads=None, rng=None,
          progress=None):
    r"""Run ``func`` over a parameter grid and gather one tidy table.

    Parameters
    ----------
    func : callable
        Called as ``func(**cell, rng=generator)`` (``rng`` only if it takes one). It returns an
        incnet result (its :meth:`to_frame` rows are used: one per node, run ...), a dict (one
        row), a number (one row, column ``value``) or a DataFrame. For the ``"processes"`` and
        ``"dask"`` backends it must pickle: a module-level function or a
        :func:`functools.partial` of one (a lambda defined in ``__main__`` does not).
    grid : dict of lists or list of dicts
        ``{"budget": [1000, 4000], "deadline": [6, 12]}`` (every combination, in key order) or
        an explicit list of cells. Values may be anything ``func`` accepts: mechanisms,
        networks, arrays.
    backend : {"serial", "processes", "dask"}, default "serial"
        ``"processes"``: a pool of local worker processes started with ``forkserver`` (``spawn``
        where that is missing), never ``fork``, which numba's OpenMP threads do not survive.
        ``"dask"``: a ``dask.distributed`` cluster (the ``dask`` extra): ``client`` if given,
        otherwise a ``LocalCluster`` of ``n_workers`` single-threaded worker processes started for
        the sweep and closed after it.
    client : dask.distributed.Client or str, optional
        A client of an existing cluster, or a scheduler address such as ``"tcp://host:8786"``.
    n_workers : int, optional
        Worker processes of ``"processes"`` and of the ``LocalCluster`` (default: the cores).
    n_threads : int, optional
        numba threads per cell. Default: all of them in ``"serial"``; the cores divided among the
        workers in ``"processes"``; one in ``"dask"`` (every worker thread runs a cell), so a pool
        never oversubscribes its machine.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Root of the per-cell streams: cell ``k`` gets
        ``default_rng(SeedSequence(seed, spawn_key=(k,)))`` (cells read from one simulation share
        the stream of the first of them; see Notes). A Generator gives one draw for the
        seed. The table does not depend on the backend, the number of workers or the completion
        order.
    progress : bool, callable or None, default None
        A progress bar over cells (True), none (False), or ``progress(done, total)`` after each
        cell; None shows a bar for sweeps of more than one cell in an interactive terminal.

    Returns
    -------
    pandas.DataFrame
        One block of rows per cell, in grid order: a ``cell`` column (the cell's position), one
        column per grid key (scalars as given, other objects by their ``repr``), then the output's
        columns (an incnet result's row labels, such as ``node`` or ``run``, become a column). An
        output column named like a grid key is dropped when it repeats the cell's value (a
        result's ``deadline``, say) and renamed ``<key>_out`` otherwise.

    Raises
    ------
    InvalidInputError
        For a malformed grid, an unknown backend or an output of an unsupported type.
    ImportError
        If pandas (or, for ``"dask"``, dask.distributed) is not installed.

    See Also
    --------
    incnet.threads : the thread count of the kernels in the current context.

    Notes
    -----
    A cell is the unit of work. To spread one large simulation over workers, give the grid a key
    of run ranges and let ``func`` compute its share with one fixed seed,
    ``simulate_recruitment(..., n_runs=N, runs=(start, stop), rng=seed)`` (not the cell's
    ``rng``): every run then has its stream of the whole simulation, the ``run`` column of the
    table numbers the runs globally, and :meth:`~incnet.simulate.SimulationResult.concat` merges
    the batches' results exactly.

    Deadlines: when ``func`` takes a ``checkpoints`` parameter (as
    :func:`~incnet.simulate.simulate_recruitment` does, and a function can pass it on to it or to
    :meth:`~incnet.design.Campaign.simulate`) and the grid varies ``deadline``, the cells that differ only in their deadline are one
    call: ``func(..., deadline=latest, checkpoints=[the others])``, read at every deadline with
    the result's ``at_deadline``. Each row is exactly what its own call with the group's stream
    would give, because a run's events up to a time do not depend on the deadline; the cells of
    a group share that stream (the one of their first cell), which also makes the deadlines a
    paired comparison. A function without a ``checkpoints`` parameter runs every cell on its own.

    Large fixed arguments (a network of millions of links) should not travel with every cell:
    bind them with :func:`functools.partial`; the Dask backend then sends ``func`` to every
    worker once (``Client.scatter(..., broadcast=True)``) and the process pool once per worker.

    Examples
    --------
    >>> import incnet
    >>> def noisy_square(x, rng):
    ...     return {"square": x * x, "noise": float(rng.normal())}
    >>> table = incnet.sweep(noisy_square, {"x": [1, 2, 3]}, rng=7)
    >>> table[["cell", "x", "square"]]
       cell  x  square
    0     0  1       1
    1     1  2       4
    2     2  3       9
    >>> table.equals(incnet.sweep(noisy_square, {"x": [1, 2, 3]}, rng=7))
    True
    """
    pd = require_pandas("sweep")
    if not callable(func):
        raise InvalidInputError(f"func must be callable, got {describe(func)}")
    check_method(backend, BACKENDS, name="backend")
    progress = check_progress(progress)
    cells = grid_cells(grid)
    entropy = _entropy(rng)
    pass_rng = _takes_rng(func)
    total = len(cells)
    if total == 0:
        return pd.DataFrame({"cell": []})
    if _takes_checkpoints(func):
        tasks = _deadline_groups(cells)
    else:
        tasks = [([k], [cell]) for k, cell in enumerate(cells)]
    frames = [None] * total

    def gather(task, parts):
        for k, frame in zip(task[0], parts):
            frames[k] = frame
        bar.update(len(parts))

    with reporter(progress, total, unit="cell", desc="sweep", default=total > 1) as bar:
        if backend == "serial":
            threads = None if n_threads is None else _worker_threads(n_threads, 1)
            for task in tasks:
                gather(task, _run_task(func, task, entropy, pass_rng, threads))
        elif backend == "processes":
            _run_processes(func, tasks, entropy, pass_rng, n_workers, n_threads, gather)
        else:
            _run_dask(func, tasks, entropy, pass_rng, client, n_workers, n_threads, gather)
    return pd.concat(frames, ignore_index=True)


def _run_processes(func, tasks, entropy, pass_rng, n_workers, n_threads, gather):
    import concurrent.futures
    import multiprocessing

    import pickle

    try:
        pickle.dumps(func)
    except (pickle.PicklingError, AttributeError, TypeError) as err:
        raise InvalidInputError(
            f"backend='processes' sends func to worker processes, but it does not pickle ({err}); "
            "use a module-level function (or functools.partial of one), or backend='dask', which "
            "pickles lambdas and local functions"
        ) from None
    workers = check_int(n_workers, "n_workers", minimum=1) if n_workers is not None else (os.cpu_count() or 1)
    workers = min(workers, len(tasks))
    threads = _worker_threads(n_threads, workers)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=_install, initargs=(func,)) as pool:
        futures = {pool.submit(_run_installed, task, entropy, pass_rng, threads): task for task in tasks}
        for future in concurrent.futures.as_completed(futures):
            gather(futures[future], future.result())


def _run_dask(func, tasks, entropy, pass_rng, client, n_workers, n_threads, gather):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ImportError(
            "backend='dask' needs dask.distributed; install it with `pip install incnet[dask]`"
        ) from None
    own = client is None or isinstance(client, str)
    cluster = None
    if client is None:
        workers = check_int(n_workers, "n_workers", minimum=1) if n_workers is not None else (os.cpu_count() or 1)
        workers = min(workers, len(tasks))
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    elif isinstance(client, str):
        client = Client(client)
    elif not isinstance(client, Client):
        raise InvalidInputError(f"client must be a dask.distributed.Client or an address, got {describe(client)}")
    try:
        # Each thread of a Dask worker runs a cell: one numba thread per cell unless told otherwise
        # (the client cannot know the cores of a remote worker).
        threads = 1 if n_threads is None else _worker_threads(n_threads, 1)
        remote = client.scatter(func, broadcast=True)
        futures = [client.submit(_run_task, remote, task, entropy, pass_rng, threads, pure=False,
                                 key=f"incnet-sweep-{task[0][0]}-{entropy}-{os.getpid()}-{id(tasks)}")
                   for task in tasks]
        position = {f.key: task for f, task in zip(futures, tasks)}
        for future in as_completed(futures):
            gather(position[future.key], future.result())
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
