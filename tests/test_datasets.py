"""Shipped datasets match their provenance; the generators sample the models they claim.

Sizes are read from each dataset's PROVENANCE.md (the record of what was measured when the file
was copied) and, for the best-known ones, also checked against the numbers their publishers
document (SNAP's pages, Zachary 1977, Padgett & Ansell 1993).
"""

import ast
import re
from collections import Counter

import networkx as nx
import numpy as np
import pytest

from incnet import IncentiveNetwork, InvalidInputError
from incnet import datasets

SHIPPED = ["ego-facebook", "email-eu-core", "ca-grqc", "ca-hepth", "lastfm-asia", "deezer-europe"]
LABELS = {"email-eu-core": "department", "lastfm-asia": "country", "deezer-europe": "gender"}


def measured(name):
    """The ``- key: value`` lines of a PROVENANCE.md's Measured section."""
    text = datasets.provenance(name)
    return {key: value.strip() for key, value in re.findall(r"^- (\w+): (.+)$", text, flags=re.M)}


@pytest.fixture(scope="module")
def graphs():
    return {name: datasets.load(name) for name in datasets.available()}


def test_available_lists_every_name_with_a_description():
    names = datasets.available()
    assert list(names) == [*SHIPPED, "rds-nyjazz", "karate", "florentine"]
    assert all(isinstance(text, str) and text and "\n" not in text for text in names.values())


@pytest.mark.parametrize("name", SHIPPED)
def test_sizes_match_provenance(graphs, name):
    G = graphs[name]
    facts = measured(name)
    assert G.number_of_nodes() == int(facts["nodes"])
    assert G.number_of_edges() == int(facts["edges"]) == int(facts["lines"])
    assert nx.number_of_selfloops(G) == int(facts["selfloops"])
    assert G.is_directed() == (facts["directed"] == "True")
    if G.is_directed():
        components = list(nx.weakly_connected_components(G))
        assert len(components) == int(facts["wcc"])
        assert max(map(len, components)) == int(facts["largest_wcc"])
        assert G.to_undirected().number_of_edges() == int(facts["undirected_edges"])
    else:
        components = list(nx.connected_components(G))
        assert len(components) == int(facts["components"])
        assert max(map(len, components)) == int(facts["largest_cc"])


@pytest.mark.parametrize("name", sorted(LABELS))
def test_labels_match_provenance(graphs, name):
    G = graphs[name]
    facts = measured(name)
    values = [G.nodes[v][LABELS[name]] for v in G]
    assert len(values) == int(facts["label_rows"])
    classes = int(facts.get("label_classes", facts.get("departments")))
    assert len(set(values)) == classes
    assert set(values) == set(range(classes))


def test_published_sizes(graphs):
    # SNAP's dataset pages: ego-Facebook 4,039 / 88,234 with average clustering 0.6055;
    # email-Eu-core 1,005 / 25,571 with a largest WCC of 986; ca-GrQc 5,242 / 14,496;
    # ca-HepTh 9,877 / 25,998. Rozemberczki & Sarkar (2020): LastFM Asia 7,624 / 27,806,
    # Deezer Europe 28,281 / 92,752.
    published = {
        "ego-facebook": (4039, 88234), "email-eu-core": (1005, 25571), "ca-grqc": (5242, 14496),
        "ca-hepth": (9877, 25998), "lastfm-asia": (7624, 27806), "deezer-europe": (28281, 92752),
        # Zachary (1977): 34 members, 78 ties; Padgett & Ansell (1993) marriage network: 16
        # families and 20 ties, of which networkx keeps the 15 families that have a tie.
        "karate": (34, 78), "florentine": (15, 20), "rds-nyjazz": (264, 251),
    }
    for name, (n_nodes, n_edges) in published.items():
        assert (graphs[name].number_of_nodes(), graphs[name].number_of_edges()) == (n_nodes, n_edges)
    assert round(nx.average_clustering(graphs["ego-facebook"]), 4) == 0.6055
    assert nx.is_connected(graphs["ego-facebook"])


def test_ego_facebook_spectral_facts_in_the_docs(graphs):
    # load_ego_facebook's docstring (and the demo) quote the maximum degree and 1/rho(A)
    import scipy.sparse.linalg as spla

    G = graphs["ego-facebook"]
    assert max(d for _, d in G.degree()) == 1045
    A = nx.to_scipy_sparse_array(G, weight=None, format="csr").astype(float)
    rho = spla.eigsh(A, k=1, which="LA", return_eigenvectors=False)[0]
    assert round(rho, 1) == 162.4


def test_rds_nyjazz_forest_matches_provenance(graphs):
    G = graphs["rds-nyjazz"]
    text = datasets.provenance("rds-nyjazz")
    header = re.search(r"nodes: (\d+), recruitment edges: (\d+), roots: (\d+), max depth \(wave\): (\d+)",
                       text)
    n_nodes, n_edges, n_roots, max_depth = map(int, header.groups())
    tree_sizes = ast.literal_eval(re.search(r"tree sizes: (\[.*?\])", text).group(1))
    out_degrees = ast.literal_eval(re.search(r"distribution: (\{.*?\})", text).group(1))

    assert G.is_directed() and nx.is_forest(G)
    assert (G.number_of_nodes(), G.number_of_edges()) == (n_nodes, n_edges) == (264, 251)
    assert all(G.in_degree(v) <= 1 for v in G)  # one recruiter at most
    roots = [v for v in G if G.in_degree(v) == 0]
    assert len(roots) == n_roots == 13
    depth = {}
    for root in roots:
        depth.update(nx.single_source_shortest_path_length(G, root))
    assert len(depth) == n_nodes
    assert max(depth.values()) == max_depth == 11
    sizes = sorted((len(nx.descendants(G, r)) + 1 for r in roots), reverse=True)
    assert sizes == tree_sizes
    assert sum(1 for s in sizes if s == 1) == 5
    assert Counter(d for _, d in G.out_degree()) == {int(k): v for k, v in out_degrees.items()}
    # The wave and is_root columns of nodes.tsv agree with the rebuilt forest.
    assert all(G.nodes[v]["wave"] == depth[v] for v in G)
    assert all(G.nodes[v]["is_root"] == (v in roots) for v in G)
    # respondent ids as in the source, where 183 and 265 are unused
    assert set(G) == set(range(1, 267)) - {183, 265}
    assert G.nodes[2]["network_size"] is None and G.nodes[1]["network_size"] == 350


@pytest.mark.parametrize("name", list(datasets.available()))
def test_as_network_drops_self_loops_and_keeps_node_order(graphs, name):
    G = graphs[name]
    net = datasets.load(name, as_network=True)
    assert isinstance(net, IncentiveNetwork)
    assert net.nodes == tuple(G.nodes)
    assert not np.any(net.W.diagonal())
    H = nx.DiGraph(G) if G.is_directed() else nx.Graph(G)
    H.remove_edges_from(list(nx.selfloop_edges(H)))
    expected = nx.to_scipy_sparse_array(H, nodelist=list(G.nodes), weight=None, format="csr")
    assert (net.W != expected).nnz == 0
    links = H.number_of_edges() * (1 if G.is_directed() else 2)
    assert net.nnz == links


def test_shipped_node_ids_are_sorted(graphs):
    for name in [*SHIPPED, "rds-nyjazz"]:
        nodes = list(graphs[name].nodes)
        assert nodes == sorted(nodes)


def test_loaders_return_fresh_graphs():
    G = datasets.load("karate")
    G.remove_node(0)
    assert datasets.load("karate").number_of_nodes() == 34
    H = datasets.load("rds-nyjazz")
    H.add_edge(1, 2)
    assert datasets.load("rds-nyjazz").number_of_edges() == 251


def test_unknown_names_raise():
    with pytest.raises(InvalidInputError, match="unknown dataset 'facebook'.*ego-facebook"):
        datasets.load("facebook")
    with pytest.raises(ValueError):
        datasets.load("")
    with pytest.raises(InvalidInputError, match="networkx"):
        datasets.provenance("karate")


# ------------------------------------------------------------------------------ generators
def _check_simple_symmetric(A, n):
    assert A.shape == (n, n)
    assert A.has_canonical_format
    for i in range(0, n, max(1, n // 50)):
        row = A.indices[A.indptr[i]:A.indptr[i + 1]]
        assert np.all(np.diff(row) > 0)  # sorted, no duplicates
    assert not np.any(A.diagonal())
    assert abs(A - A.T).sum() == 0
    assert np.all(A.data == 1.0)


@pytest.mark.parametrize("n, m", [(2, 1), (5, 4), (300, 1), (2000, 3), (1000, 7)])
def test_barabasi_albert_structure(n, m):
    A = datasets.barabasi_albert_csr(n, m, rng=11)
    _check_simple_symmetric(A, n)
    assert A.nnz == 2 * m * (n - m)
    G = nx.from_scipy_sparse_array(A)
    assert nx.is_connected(G)
    # every node after the initial star linked to exactly m earlier nodes
    for v in range(m + 1, n):
        row = A.indices[A.indptr[v]:A.indptr[v + 1]]
        assert np.count_nonzero(row < v) == m
    assert set(G[0]) >= set(range(1, m + 1))


def test_barabasi_albert_is_reproducible_and_seeded():
    a = datasets.barabasi_albert_csr(500, 2, rng=5)
    b = datasets.barabasi_albert_csr(500, 2, rng=np.random.default_rng(5))
    c = datasets.barabasi_albert_csr(500, 2, rng=6)
    assert (a != b).nnz == 0
    assert (a != c).nnz > 0


def test_barabasi_albert_first_choice_probabilities():
    # n = 4, m = 2: after the star 0-1, 0-2 the link ends are [0, 0, 1, 2]; node 3 draws
    # degree-proportionally until it holds two distinct nodes. P({1, 2}) = 2 * (1/4)(1/3) = 1/6,
    # P({0, 1}) = P({0, 2}) = (1/2)(1/2) + (1/4)(2/3) = 5/12.
    runs = 3000
    counts = Counter()
    rng = np.random.default_rng(2026)
    for _ in range(runs):
        A = datasets.barabasi_albert_csr(4, 2, rng=rng)
        counts[tuple(A.indices[A.indptr[3]:A.indptr[4]].tolist())] += 1
    for pair, p in {(1, 2): 1 / 6, (0, 1): 5 / 12, (0, 2): 5 / 12}.items():
        se = np.sqrt(p * (1 - p) / runs)
        assert abs(counts[pair] / runs - p) < 4 * se


def test_barabasi_albert_degree_distribution():
    # Asymptotic BA law P(k) = 2m(m+1) / (k(k+1)(k+2)) (Bollobas et al. 2001); finite-size bias
    # at n = 20000 is far below the sampling error of the first few degrees.
    n, m = 20_000, 3
    A = datasets.barabasi_albert_csr(n, m, rng=3)
    degrees = np.diff(A.indptr)
    assert degrees.min() == m
    for k in range(m, m + 4):
        p = 2 * m * (m + 1) / (k * (k + 1) * (k + 2))
        se = np.sqrt(p * (1 - p) / n)
        assert abs(np.mean(degrees == k) - p) < 5 * se + 0.005
    assert degrees.max() > 20 * m  # hubs: a power-law tail, not a Poisson one


def test_barabasi_albert_network_scale():
    net = datasets.barabasi_albert_network(200, 2, rng=1, scale=0.25)
    assert np.all(net.W.data == 0.25) and net.nodes == tuple(range(200))


@pytest.mark.parametrize("n, m", [(3, 3), (1, 1), (10, 0)])
def test_barabasi_albert_rejects_bad_sizes(n, m):
    with pytest.raises(InvalidInputError):
        datasets.barabasi_albert_csr(n, m)


@pytest.mark.parametrize("directed", [False, True])
def test_erdos_renyi_pair_frequencies(directed):
    n, p, runs = 4, 0.3, 2000
    rng = np.random.default_rng(99)
    counts = np.zeros((n, n))
    sizes = []
    for _ in range(runs):
        A = datasets.erdos_renyi_csr(n, p, rng=rng, directed=directed)
        assert not np.any(A.diagonal())
        if not directed:
            assert abs(A - A.T).sum() == 0
        counts += A.toarray()
        sizes.append(A.nnz)
    off = ~np.eye(n, dtype=bool)
    se = np.sqrt(p * (1 - p) / runs)
    assert np.all(np.abs(counts[off] / runs - p) < 4 * se)
    # the number of links is binomial: pairs independent, not merely right on average
    pairs = n * (n - 1) if directed else n * (n - 1) // 2
    links = np.array(sizes) / (1 if directed else 2)
    assert abs(links.var() - pairs * p * (1 - p)) < 0.15 * pairs * p * (1 - p)


def test_erdos_renyi_large_and_edge_cases():
    n, p = 20_000, 5e-4
    A = datasets.erdos_renyi_csr(n, p, rng=4)
    _check_simple_symmetric(A, n)
    pairs = n * (n - 1) / 2
    assert abs(A.nnz / 2 - pairs * p) < 5 * np.sqrt(pairs * p * (1 - p))
    assert datasets.erdos_renyi_csr(5, 0.0, rng=1).nnz == 0
    assert datasets.erdos_renyi_csr(5, 1.0, rng=1).nnz == 20
    assert datasets.erdos_renyi_csr(5, 1.0, rng=1, directed=True).nnz == 20
    with pytest.raises(InvalidInputError):
        datasets.erdos_renyi_csr(5, 1.5)
