"""Each kernel compiles one specialisation for the calls incnet makes (a second one, for a parfor's
unsigned index or an array that is writable on one path and read-only on another, doubles its
compile time on a cold start), and ``incnet compile`` compiles the one that real calls use.

Runs in a fresh interpreter with an empty ``NUMBA_CACHE_DIR``: a kernel loaded from the cache
does not load the functions it calls, so only compiling shows their specialisations.
"""

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

CODE = """
import networkx as nx
import numpy as np
import scipy.sparse as sp

import incnet.network
from incnet import IncentiveNetwork
from incnet._compile import _structure
from incnet._kernels import equilibria as ke, network as kn
from incnet.equilibria import intercentrality_bounds

_structure()  # incnet compile's calls first: real calls must find their specialisations
G = nx.barabasi_albert_graph(300, 2, seed=1)
G.add_edges_from((300, v) for v in range(0, 300, 3))  # a hub: the block solve of its column
for method in ("local", "probing"):
    intercentrality_bounds(G, delta=0.02, method=method, rtol=1e-8)
# the fingerprint, which networks reach from 200,000 weights on, on small ones
incnet.network._SYMMETRY_KERNEL_NNZ = 0
A = sp.csr_array(nx.to_scipy_sparse_array(G))
weighted = A.copy()
weighted.data = np.arange(1.0, weighted.nnz + 1.0)
for M in (A, weighted, sp.csr_array(sp.triu(A)), sp.csr_array(sp.triu(weighted))):
    IncentiveNetwork.from_scipy(M)._symmetry_hint
for kernel in (ke._local_solves, ke.local_diagonal_kernel, ke.block_cg_kernel,
               ke.probing_bounds_kernel, kn.symmetry_fingerprint_kernel, kn._fingerprint_rows):
    print(kernel.__name__, len(kernel.signatures))
"""


@pytest.mark.slow
def test_intercentrality_and_fingerprint_kernels_compile_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env.update(NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT), INCNET_COMPILE_NOTICE="0")
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(CODE)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    counts = dict(line.split() for line in proc.stdout.splitlines())
    assert counts == {name: "1" for name in (
        "_local_solves", "local_diagonal_kernel", "block_cg_kernel", "probing_bounds_kernel",
        "symmetry_fingerprint_kernel", "_fingerprint_rows")}
