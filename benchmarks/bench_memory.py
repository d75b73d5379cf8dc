"""Memory: the peak transient of the first calls on a large network, against the size of its CSR.

Each case runs in a fresh process on a random network (10^6 nodes and 10^7 stored weights in a
full run; directed, or symmetric with unit weights). The kernels are loaded on a tiny network first
(numba's compiled code is a fixed cost of some 100 MiB, the same for every size), then for each
step the peak resident set size is reset (Linux ``/proc/self/clear_refs``) and read back
(``VmHWM``) after it: the transient is the peak minus the resident size before the step, and the
ratio compares it with the bytes of the network's CSR arrays. The steps:

* ``IncentiveNetwork(A)``: validation and the canonical CSR (against the input's CSR);
* ``is_symmetric``: no ``W - W.T`` (a counting-sort transpose over column ranges of at most
  2**22 entries, compared with the rows: the memory of one range);
* ``spectral_radius``: ARPACK with a basis of 8 vectors; for a directed network the links
  between strongly connected components are masked out by the operator, not copied out;
* the first ``total_payoffs``: the well-posedness certificate (row sums, then a few
  Collatz-Wielandt steps), the operator built straight from the CSR arrays, then the solve (no
  reordering on this one-shot path; the operator stays cached on the network: ``kept``).

Linux only (other systems: the rows say so).
"""

import json
import math
import subprocess
import sys

from ._harness import Row

__all__ = ["run"]

BENCH = "memory: peak transient of first calls (x CSR)"

_SCRIPT = r"""
import gc, json, sys, time
import numpy as np, scipy.sparse as sp
import networkx as nx
import incnet
from incnet._kernels.network import masked_matvec_kernel

n, nnz, directed = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "directed"


def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) * 1024


def reset():
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


rng = np.random.default_rng(0)
pairs = nnz if directed else nnz // 2
src, dst = rng.integers(0, n, pairs), rng.integers(0, n, pairs)
keep = src != dst
A = sp.csr_array((np.ones(int(keep.sum())), (src[keep], dst[keep])), shape=(n, n))
if not directed:
    A = (A + A.T).tocsr()
A.sum_duplicates()
A.data[:] = 1.0
A.indices, A.indptr = A.indices.astype(np.int32), A.indptr.astype(np.int32)
del src, dst, keep
# load every kernel the steps use on a tiny network: a fixed cost, not a transient
tiny = incnet.IncentiveNetwork.from_networkx(nx.DiGraph([(0, 1), (1, 0), (1, 2)]), scale=0.5)
incnet.total_payoffs(tiny, 1.0)
incnet.total_payoffs(incnet.IncentiveNetwork.from_networkx(nx.path_graph(3), scale=0.3), 1.0)
masked_matvec_kernel(tiny.W.indptr, tiny.W.indices, tiny.W.data, np.zeros(3, np.int32),
                     np.ones(3), np.ones(3))
from incnet._kernels.network import is_symmetric_kernel
is_symmetric_kernel(tiny.W.indptr, tiny.W.indices, tiny.W.data)
rows = []


def measure(step, fn, csr_bytes):
    gc.collect()
    base = status("VmRSS")
    reset()
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    peak, after = status("VmHWM"), status("VmRSS")
    rows.append(dict(step=step, seconds=seconds, transient=peak - base, kept=max(after - base, 0),
                     csr=csr_bytes))
    return out


def csr_bytes(M):
    return M.data.nbytes + M.indices.nbytes + M.indptr.nbytes


input_bytes = csr_bytes(A)
net = measure("IncentiveNetwork(A)", lambda: incnet.IncentiveNetwork(A), input_bytes)
del A
size = csr_bytes(net.W)
measure("is_symmetric", lambda: net.is_symmetric, size)
measure("spectral_radius", lambda: net.spectral_radius, size)
fresh = incnet.IncentiveNetwork(net.W.copy() * (0.5 / net.row_sum_bound))
size = csr_bytes(fresh.W)
measure("first total_payoffs", lambda: incnet.total_payoffs(fresh, 1.0), size)
print(json.dumps(dict(n=net.n, nnz=net.nnz, rows=rows)))
"""


def _case(n, nnz, kind):
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(n), str(nnz), kind],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(smoke=False):
    """Rows: time of each step, with its peak transient and the ratio to the CSR in the note."""
    n, nnz = (20_000, 200_000) if smoke else (1_000_000, 10_000_000)
    rows = []
    if not sys.platform.startswith("linux"):
        return [Row(BENCH, "all steps", "incnet", math.nan, 0, 1.0, None,
                    "needs Linux /proc to reset and read the peak RSS")]
    for kind in ("directed", "symmetric"):
        result = _case(n, nnz, kind)
        for r in result["rows"]:
            ratio = r["transient"] / r["csr"]
            case = f"{r['step']}, {kind}, n={result['n']:,}, nnz={result['nnz']:,}"
            note = (f"peak transient {r['transient'] / 2**20:.0f} MiB = {ratio:.2f}x the CSR "
                    f"({r['csr'] / 2**20:.0f} MiB); kept {r['kept'] / 2**20:.0f} MiB")
            rows.append(Row(BENCH, case, "incnet", r["seconds"], 1, 1.0, None, note,
                            extra={"transient_ratio": ratio}))
    return rows
