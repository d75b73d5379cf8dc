"""Start-up: import time and the first call of total_payoffs in fresh processes.

Each measurement runs in a new interpreter, as a user's script would. ``import incnet`` must
compile nothing; the numba kernels compile on first use and are cached on disk (``cache=True``),
so only the very first process on a machine pays the JIT cost: the second fresh process loads the
compiled kernels. ``import networkx`` and ``import scipy.sparse.linalg`` are shown for reference.
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
    case = "first total_payoffs call (import excluded)"
    # Kernels as a user finds them after one earlier run: compiled and cached on disk.
    _fresh(_FIRST_CALL.format())
    warm = _median([_fresh(_FIRST_CALL.format()) for _ in range(repeat)])
    rows.append(Row(BENCH, case, "incnet", warm, repeat, 1.0, None,
                    "fresh process, kernels loaded from the on-disk cache"))
    if smoke:
        # Compiling from scratch takes tens of seconds on a loaded machine: full runs only.
        rows.append(Row(BENCH, case, "incnet, empty JIT cache", math.nan, 0, math.nan, None,
                        "skipped at smoke size"))
        return rows
    with tempfile.TemporaryDirectory() as cache:
        # The JIT cost is real only with an empty cache: point numba at a fresh directory.
        cold = _fresh(_FIRST_CALL.format(), env=dict(os.environ, NUMBA_CACHE_DIR=cache))
    rows.append(Row(BENCH, case, "incnet, empty JIT cache", cold, 1, cold / warm, None,
                    "the very first process on a machine compiles the kernels once"))
    return rows
