"""Every benchmark runs once at smoke size, so the suite cannot rot; peers must agree."""

import importlib
import pathlib

import pytest

BENCH = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"
NAMES = sorted(p.stem for p in BENCH.glob("bench_*.py"))


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_smoke(name):
    module = importlib.import_module(f"benchmarks.{name}")
    rows = module.run(smoke=True)
    assert rows, f"{name} produced no rows"
    assert any(r.implementation == "incnet" for r in rows)
    disagreeing = [r for r in rows if r.agrees is False]
    assert not disagreeing, disagreeing
