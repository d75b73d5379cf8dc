"""Datasets: loading a shipped network, and generating Barabási–Albert graphs.

Loading ego-Facebook as a networkx graph is compared with ``networkx.read_edgelist`` on the same
gzipped file (agreement: the same edge set). The Barabási–Albert generator (m = 5) is compared
with ``networkx.barabasi_albert_graph`` (the same model) and ``igraph.Graph.Barabasi`` (its
default psumtree variant); random graphs cannot be equal, so agreement means the same number of
edges within m(m + 1) and the same share of nodes with the minimum degree m within sampling
error plus 0.02 (the BA law gives 2/(m + 2)).
"""

import math
from importlib import resources

__all__ = ["run"]

M = 5


def _degrees(graph):
    import numpy as np
    import scipy.sparse as sp

    if sp.issparse(graph):
        return np.diff(graph.indptr)
    if hasattr(graph, "vcount"):  # igraph
        return np.asarray(graph.degree())
    return np.fromiter((d for _, d in graph.degree()), dtype=np.int64, count=graph.number_of_nodes())


def _same_ba_law(ours, theirs):
    import numpy as np

    a, b = _degrees(ours), _degrees(theirs)
    if len(a) != len(b) or abs(a.sum() - b.sum()) / 2 > M * (M + 1):
        return False
    p = 2 / (M + 2)
    noise = 4 * math.sqrt(2 * p * (1 - p) / len(a))
    return bool(abs(np.mean(a == M) - np.mean(b == M)) <= noise + 0.02)


def _same_edges(ours, theirs):
    def key(G):
        return {frozenset(e) for e in G.edges()}

    return set(ours) == set(theirs) and key(ours) == key(theirs)


def run(smoke=False):
    import networkx as nx

    from benchmarks._harness import compare
    from incnet import datasets

    rows = []
    path = resources.files("incnet.datasets").joinpath("data", "ego-facebook", "edges.txt.gz")
    with resources.as_file(path) as edge_file:
        rows += compare(
            "datasets", "load ego-facebook (4,039 nodes) as a networkx graph",
            lambda: datasets.load("ego-facebook"),
            {"networkx.read_edgelist": lambda: nx.read_edgelist(edge_file, nodetype=int)},
            agree=_same_edges, smoke=smoke, repeat=3,
        )

    try:
        import igraph
    except ImportError:
        igraph = None
    datasets.barabasi_albert_csr(100, M, rng=0)  # JIT compilation (or cache load) outside timing
    for n in ([500] if smoke else [10**4, 10**5, 10**6]):
        peers = {
            # networkx needs about a minute at a million nodes
            "networkx.barabasi_albert_graph":
                (lambda n=n: nx.barabasi_albert_graph(n, M, seed=1)) if n <= 10**5 else None,
            "igraph.Graph.Barabasi":
                (lambda n=n: igraph.Graph.Barabasi(n, M)) if igraph is not None else None,
        }
        rows += compare(
            "datasets", f"Barabási–Albert graph n={n:,}, m={M} (CSR)",
            lambda n=n: datasets.barabasi_albert_csr(n, M, rng=1),
            peers, agree=_same_ba_law, smoke=smoke, repeat=3,
        )
    return rows
