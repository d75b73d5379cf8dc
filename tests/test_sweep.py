"""incnet.sweep: one tidy table, identical for every backend and worker count."""

import functools
import os
import warnings

import networkx as nx
import numpy as np
import pytest

import incnet
from incnet.sweep import grid_cells

pd = pytest.importorskip("pandas")

KARATE = nx.karate_club_graph()


def draw(scale, shift, rng):
    """A cell whose output depends on its stream only through rng."""
    import numba

    return {"value": scale * float(rng.normal()) + shift, "threads": numba.get_num_threads()}


def recruit(graph, budget, deadline, rng):
    mech = incnet.RecursiveSplit(budget / 2, 0.5)
    return incnet.simulate_recruitment(graph, mech, initial=[0], targets=[33], response=0.5, horizon=4,
                                       n_runs=20, deadline=deadline, rng=rng)


def test_grid_cells_and_errors():
    assert grid_cells([{"a": 1}, {"a": 2, "b": 3}]) == [{"a": 1}, {"a": 2, "b": 3}]
    assert len(grid_cells({"a": range(3), "b": [0, 1]})) == 6
    with pytest.raises(incnet.InvalidInputError, match="list of values"):
        grid_cells({"a": 3})
    with pytest.raises(incnet.InvalidInputError):
        incnet.sweep(draw, {"scale": [1]}, backend="threads")
    with pytest.raises(incnet.InvalidInputError, match="returned"):
        incnet.sweep(lambda x: "text", {"x": [1]})
    with pytest.raises(incnet.InvalidInputError, match="does not pickle"):
        incnet.sweep(lambda x: x, {"x": [1, 2]}, backend="processes")


def test_serial_table_is_tidy_and_reproducible():
    grid = {"scale": [1.0, 2.0], "shift": [0.0, 10.0, 20.0]}
    table = incnet.sweep(draw, grid, rng=5)
    assert list(table.columns[:3]) == ["cell", "scale", "shift"] and len(table) == 6
    assert table["cell"].tolist() == list(range(6))
    # cell k draws from SeedSequence(5, spawn_key=(k,)), whatever ran before it
    expected = [c["scale"] * np.random.default_rng(np.random.SeedSequence(5, spawn_key=(k,))).normal() + c["shift"]
                for k, c in enumerate(grid_cells(grid))]
    np.testing.assert_allclose(table["value"], expected)
    assert table.equals(incnet.sweep(draw, grid, rng=np.random.SeedSequence(5)))
    assert not table.equals(incnet.sweep(draw, grid, rng=6))


def test_results_expand_to_their_rows_with_the_parameters():
    table = incnet.sweep(functools.partial(recruit, KARATE), {"budget": [100.0, 400.0], "deadline": [2.0, 6.0]},
                         rng=1)
    assert len(table) == 4 * 20 and {"cell", "budget", "deadline", "run", "success"} <= set(table.columns)
    one = recruit(KARATE, 400.0, 6.0, np.random.default_rng(np.random.SeedSequence(1, spawn_key=(3,))))
    np.testing.assert_array_equal(table[table["cell"] == 3]["success"].to_numpy(), one.success)


def test_progress_callback_and_missing_tqdm_warning(monkeypatch):
    seen = []
    incnet.sweep(draw, {"scale": [1.0, 2.0, 3.0], "shift": [0.0]}, rng=0,
                 progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    import sys

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.warns(RuntimeWarning, match="tqdm"):
        warnings.simplefilter("always")
        incnet.sweep(draw, {"scale": [1.0], "shift": [0.0]}, rng=0, progress=True)
    with pytest.raises(incnet.InvalidInputError, match="progress"):
        incnet.sweep(draw, {"scale": [1.0], "shift": [0.0]}, progress="yes")


def test_processes_backend_gives_the_same_table_without_oversubscribing():
    grid = {"scale": [1.0, 2.0], "shift": [0.0, 10.0]}
    serial = incnet.sweep(draw, grid, rng=9)
    pooled = incnet.sweep(draw, grid, backend="processes", n_workers=2, rng=9)
    pd.testing.assert_frame_equal(serial.drop(columns="threads"), pooled.drop(columns="threads"))
    assert (pooled["threads"] <= max(1, (os.cpu_count() or 1) // 2)).all()


def test_dask_local_cluster_gives_the_same_table():
    pytest.importorskip("dask.distributed")
    grid = {"budget": [100.0, 400.0], "deadline": [3.0]}
    func = functools.partial(recruit, KARATE)
    serial = incnet.sweep(func, grid, rng=4)
    on_dask = incnet.sweep(func, grid, backend="dask", n_workers=2, rng=4)
    pd.testing.assert_frame_equal(serial, on_dask)


def recruit_checkpointed(graph, budget, deadline, rng, checkpoints=None):
    mech = incnet.RecursiveSplit(budget / 2, 0.5)
    return incnet.simulate_recruitment(graph, mech, initial=[0], targets=[33], response=0.5, horizon=4,
                                       n_runs=30, deadline=deadline, rng=rng, checkpoints=checkpoints,
                                       delay=("fixed", 1.0))


def counted(calls, budget, deadline, rng, checkpoints=None):
    calls.append((budget, deadline, tuple(checkpoints or ())))
    return recruit_checkpointed(KARATE, budget, deadline, rng, checkpoints)


def test_deadlines_of_one_cell_family_are_read_from_one_simulation():
    calls = []
    counting = functools.partial(counted, calls)
    grid = {"budget": [100.0, 400.0], "deadline": [1.0, 3.0, 2.0]}
    table = incnet.sweep(counting, grid, rng=8)
    # one call per budget, at the latest deadline, the others as checkpoints
    assert calls == [(100.0, 3.0, (1.0, 2.0)), (400.0, 3.0, (1.0, 2.0))]
    assert table["cell"].tolist() == sorted(table["cell"].tolist()) and len(table) == 6 * 30
    # every row is exactly its own direct call with the group's stream (that of its first cell)
    for k, cell in enumerate(grid_cells(grid)):
        first = 0 if cell["budget"] == 100.0 else 3
        direct = recruit_checkpointed(KARATE, cell["budget"], cell["deadline"],
                                      np.random.default_rng(np.random.SeedSequence(8, spawn_key=(first,))))
        rows = table[table["cell"] == k]
        np.testing.assert_array_equal(rows["success"].to_numpy(), direct.success)
        np.testing.assert_array_equal(rows["participants"].to_numpy(), direct.participants)
        assert (rows["deadline"] == cell["deadline"]).all()


def test_deadline_reuse_is_the_same_on_processes():
    grid = {"budget": [100.0], "deadline": [1.0, 2.0, 4.0]}
    func = functools.partial(recruit_checkpointed, KARATE)
    serial = incnet.sweep(func, grid, rng=2)
    pooled = incnet.sweep(func, grid, backend="processes", n_workers=2, rng=2)
    pd.testing.assert_frame_equal(serial, pooled)


def test_a_function_without_checkpoints_runs_every_deadline_on_its_own():
    grid = {"budget": [100.0], "deadline": [1.0, 2.0]}
    table = incnet.sweep(functools.partial(recruit, KARATE), grid, rng=2)
    own = recruit(KARATE, 100.0, 2.0, np.random.default_rng(np.random.SeedSequence(2, spawn_key=(1,))))
    np.testing.assert_array_equal(table[table["cell"] == 1]["success"].to_numpy(), own.success)


def test_checkpointed_function_must_return_a_result_it_can_cut():
    def summary(deadline, rng, checkpoints=None):
        return {"deadline": deadline}

    with pytest.raises(incnet.InvalidInputError, match="at_deadline"):
        incnet.sweep(summary, {"deadline": [1.0, 2.0]}, rng=0)
    # a repeated deadline, or a non-numeric one, is its own call
    table = incnet.sweep(summary, [{"deadline": 1.0}, {"deadline": 1.0}, {"deadline": None}], rng=0)
    assert len(table) == 3
