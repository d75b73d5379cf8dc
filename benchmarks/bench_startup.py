"""Start-up: import time and the first call of total_payoffs in fresh processes.

Each measurement runs in a new interpreter, as a user's script would. ``import incnet`` must
compile nothing; the numba kernels compile on first use and are cached on disk (``cache=True``),
so only the very first process on a machine pays the JIT cost: the second fresh process loads the
compiled kernels. ``import networkx`` and ``import scipy.sparse.linalg`` are shown for reference.

The first call is measured on a 3-node network and on the shipped 1,005-node email network, each
with the kernels cached and with an empty cache; with an empty cache, ``incnet compile``'s groups
of entry points (:mod:`incnet._compile`) are timed one by one, so the slowest compilations show,
and numba's compile events give every kernel's own compile time (the functions it calls
excluded): the slowest are listed with the group that first reaches them.
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
import json, time
from numba.core import event
from incnet._compile import ENTRY_POINTS

# numba announces each compilation (or cache load) of a function as a start and an end event;
# nested events are the functions a kernel calls, so a kernel's own time excludes them
recorder = event.RecordingListener()
event.register("numba:compile", recorder)
groups, kernels, stack = {{}}, {{}}, []
for name, run in ENTRY_POINTS:
    start = time.perf_counter()
    run()
    groups[name] = time.perf_counter() - start
    for stamp, ev in recorder.buffer:
        func = ev.data["dispatcher"].py_func
        label = func.__module__.replace("incnet._kernels.", "") + "." + func.__qualname__
        if ev.is_start:
            stack.append([label, stamp, 0.0])
            continue
        label, began, inner = stack.pop()
        if stack:
            stack[-1][2] += stamp - began
        if label.startswith(("numba.", "<")):
            continue  # numba's own overloads (np.empty, min, ...): compiled once, shared by all
        entry = kernels.setdefault(label, [0.0, name])
        entry[0] += stamp - began - inner
    recorder.buffer.clear()
print(json.dumps({{"seconds": groups, "kernels": kernels}}))
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
        compiled = _run_json(_COMPILE_GROUPS.format(), env)
        loaded = _run_json(_COMPILE_GROUPS.format(), env)
    groups, kernels = compiled["seconds"], compiled["kernels"]
    total = sum(groups.values())
    for name, seconds in groups.items():
        own = sorted(((t, k) for k, (t, g) in kernels.items() if g == name), reverse=True)
        slowest = ", ".join(f"{k.split('.')[-1]} {t:.1f} s" for t, k in own[:3])
        rows.append(Row(BENCH, "incnet compile, empty cache (per group of entry points)", name,
                        seconds, 1, math.nan, None,
                        f"{seconds / total:.0%} of {total:.1f} s; {len(own)} kernels, slowest: {slowest}; "
                        f"the group takes {loaded['seconds'][name] * 1e3:.0f} ms once its kernels are cached"))
    compile_total = sum(t for t, _ in kernels.values())
    for label, (seconds, group) in sorted(kernels.items(), key=lambda kv: -kv[1][0])[:_SLOWEST]:
        rows.append(Row(BENCH, f"incnet compile, empty cache: the {_SLOWEST} slowest kernels (own time, "
                        "callees excluded)", label, seconds, 1, math.nan, None,
                        f"{seconds / compile_total:.0%} of {compile_total:.1f} s of kernel compilation; "
                        f"first reached by {group.split(' (')[0]}"))
    return rows


#: How many of the slowest kernels the table lists one by one.
_SLOWEST = 15


def _run_json(code, env):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])
