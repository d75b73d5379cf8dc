"""incnet's benchmark suite: each kernel timed beside the peer a user would otherwise use.

Every ``benchmarks/bench_*.py`` module defines ``run(smoke=False) -> list[Row]``. ``smoke=True``
runs each case once at a small size (the test suite does this so the suite cannot rot);
``python -m benchmarks`` (``make bench``) runs the full sizes and writes ``benchmarks/RESULTS.md``.
"""
