"""Start-up: import time and the first call of total_payoffs in fresh processes.

Each measurement runs in a new interpreter, as a user's script would. ``import incnet`` must
compile nothing; the numba kernels compile on first use and are cached on disk (``cache=True``),
so only the very first process on a machine pays the JIT cost: the second fresh process loads the
compiled kernels. ``import networkx`` and ``import scipy.sparse.linalg`` are shown for reference.

The first call is measured on a 3-node network and on the shipped 1,005-node email network, each
with the kernels cached and with an empty cache; with an empty cache, ``incnet compile``'s groups
of entry points (:mod:`incnet._compile`) are timed one by one, so the slowest compilations show.
"""

import json
import math
import subprocess
import sys

from ._harness import Row

__all__ = ["run"]

BENCH = "start-up (fresh process)"

_IMPORT = """
import json, time
start = time.perf_counter()
import {module}
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""

_FIRST_CALL = """
import json, time
start = time.perf_counter()
import numpy as np
import incnet
net = incnet.IncentiveNetwork.from_dense(np.array([[0, 0.5, 0], [0.5, 0, 0.25], [0, 0.25, 0]]))
imported = time.perf_counter()
incnet.total_payoffs(net, np.ones(3))
done = time.perf_counter()
print(json.dumps({{"seconds": done - imported}}))
"""


_FIRST_CALL_EMAIL = """
import json, time
import incnet
from incnet import datasets
net = datasets.load("email-eu-core", as_network=True).row_normalized(0.5)
start = time.perf_counter()
incnet.total_payoffs(net, 1.0)
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""

_COMPILE_GROUPS = """
import json
from incnet._compile import compile_kernels
print(json.dumps({{"seconds": dict(compile_kernels())}}))
"""


def _fresh(code, env=None):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def _median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])


def run(smoke=False):
    """Rows: median import times over fresh processes and the first-call costs."""
    import os
    import tempfile

    repeat = 1 if smoke else 5
    rows = []
    base = None
    for module in ("incnet", "networkx", "scipy.sparse.linalg"):
        seconds = _median([_fresh(_IMPORT.format(module=module)) for _ in range(repeat)])
        if module == "incnet":
            base = seconds
        name = "incnet" if module == "incnet" else f"import {module} (reference)"
        rows.append(Row(BENCH, "import", name, seconds, repeat,
                        1.0 if module == "incnet" else seconds / base,
                        note="`import incnet`" if module == "incnet" else ""))
    cases = [("first total_payoffs call (import excluded)", _FIRST_CALL),
             ("first total_payoffs call, email-eu-core (1,005 nodes, load excluded)",
              _FIRST_CALL_EMAIL)]
    warm = {}
    for case, code in cases:
        # Kernels as a user finds them after one earlier run: compiled and cached on disk.
        _fresh(code.format())
        warm[case] = _median([_fresh(code.format()) for _ in range(repeat)])
        rows.append(Row(BENCH, case, "incnet", warm[case], repeat, 1.0, None,
                        "fresh process, kernels loaded from the on-disk cache"))
    if smoke:
        # Compiling from scratch takes tens of seconds on a loaded machine: full runs only.
        rows.append(Row(BENCH, cases[0][0], "incnet, empty JIT cache", math.nan, 0, math.nan, None,
                        "skipped at smoke size"))
        return rows
    for case, code in cases:
        with tempfile.TemporaryDirectory() as cache:
            # The JIT cost is real only with an empty cache: point numba at a fresh directory.
            cold = _fresh(code.format(), env=dict(os.environ, NUMBA_CACHE_DIR=cache))
        rows.append(Row(BENCH, case, "incnet, empty JIT cache", cold, 1, cold / warm[case], None,
                        "the very first process on a machine compiles the kernels once"))
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        groups = json.loads(subprocess.run(
            [sys.executable, "-c", _COMPILE_GROUPS.format()], capture_output=True, text=True,
            check=True, env=env).stdout.strip().splitlines()[-1])["seconds"]
        loaded = json.loads(subprocess.run(
            [sys.executable, "-c", _COMPILE_GROUPS.format()], capture_output=True, text=True,
            check=True, env=env).stdout.strip().splitlines()[-1])["seconds"]
    total = sum(groups.values())
    for name, seconds in groups.items():
        rows.append(Row(BENCH, "incnet compile, empty cache (per group of entry points)", name,
                        seconds, 1, math.nan, None,
                        f"{seconds / total:.0%} of {total:.1f} s; then {loaded[name] * 1e3:.0f} ms "
                        "to load from the cache"))
    return rows
