"""IncentiveNetwork: construction, validation, edge lists, spectra, derived networks."""

import gzip
import io

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import incnet
from incnet import IncentiveNetwork, InvalidInputError, as_network
from incnet.network import _EXACT_EIGEN_LIMIT
from tests.reference import dense_lambda_min, dense_spectral_radius, random_weights


# ------------------------------------------------------------------ the data model
def test_canonical_form():
    A = sp.coo_array(([2.0, 0.0, 1.0, 3.0], ([0, 0, 1, 0], [2, 1, 0, 2])), shape=(3, 3))
    net = IncentiveNetwork.from_scipy(A)
    W = net.W
    assert isinstance(W, sp.csr_array) and W.dtype == np.float64
    assert W.has_sorted_indices
    assert np.all(W.data != 0)  # explicit zero dropped
    assert W[0, 2] == 5.0  # duplicates summed
    assert net.n == 3 and net.nnz == 2 and len(net) == 3
    assert net.nodes == (0, 1, 2)
    with pytest.raises(ValueError):
        W.data[0] = 1.0  # frozen arrays
    with pytest.raises(AttributeError):
        net.W = W


def test_input_is_copied_not_shared():
    A = np.array([[0.0, 1.0], [2.0, 0.0]])
    net = IncentiveNetwork.from_dense(A)
    A[0, 1] = 7.0
    assert net.W[0, 1] == 1.0
    S = net.to_scipy()
    S.data[:] = 9.0
    assert net.W[0, 1] == 1.0


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.zeros((2, 3)), "square"),
        (np.zeros((0, 0)), "empty"),
        (np.array([[0.0, np.nan], [0, 0]]), "non-finite"),
        (np.array([[0.0, np.inf], [0, 0]]), "non-finite"),
        (np.array([[1.0, 0.5], [0, 0]]), "diagonal"),
        (np.array([[0, 1j], [0, 0]]), "complex"),
        (np.array([["a", "b"], ["c", "d"]]), "numeric"),
        (np.zeros(3), "square"),
    ],
)
def test_bad_matrices(bad, match):
    with pytest.raises(InvalidInputError, match=match):
        IncentiveNetwork.from_dense(bad)


def test_bad_sparse_and_labels():
    with pytest.raises(InvalidInputError, match="square"):
        IncentiveNetwork.from_scipy(sp.csr_array((2, 3)))
    with pytest.raises(InvalidInputError, match="non-finite"):
        IncentiveNetwork.from_scipy(sp.csr_array(np.array([[0, np.nan], [1, 0]])))
    with pytest.raises(InvalidInputError, match="complex"):
        IncentiveNetwork.from_scipy(sp.csr_array(np.array([[0, 1j], [1, 0]])))
    with pytest.raises(InvalidInputError, match="sparse"):
        IncentiveNetwork.from_scipy(np.zeros((2, 2)))
    with pytest.raises(InvalidInputError, match="unique"):
        IncentiveNetwork.from_dense(np.zeros((2, 2)), nodes=["a", "a"])
    with pytest.raises(InvalidInputError, match="2 node labels"):
        IncentiveNetwork.from_dense(np.zeros((3, 3)), nodes=["a", "b"])
    with pytest.raises(InvalidInputError, match="hashable"):
        IncentiveNetwork.from_dense(np.zeros((2, 2)), nodes=[[1], [2]])
    with pytest.raises(InvalidInputError, match="sequence"):
        IncentiveNetwork.from_dense(np.zeros((2, 2)), nodes="ab")


def test_drop_diagonal():
    net = IncentiveNetwork.from_dense([[1.0, 0.5], [0.25, 2.0]], drop_diagonal=True)
    assert np.all(net.W.diagonal() == 0) and net.nnz == 2


# ------------------------------------------------------------------ networkx
def test_from_networkx_directed_undirected_and_order():
    D = nx.DiGraph()
    D.add_nodes_from(["z", "a", "m"])
    D.add_edge("z", "a", w=0.5)
    D.add_edge("a", "m", w=-0.25)
    net = IncentiveNetwork.from_networkx(D, weight="w")
    assert net.nodes == ("z", "a", "m")
    np.testing.assert_array_equal(net.W.toarray(), [[0, 0.5, 0], [0, 0, -0.25], [0, 0, 0]])
    U = IncentiveNetwork.from_networkx(nx.Graph([(1, 2)]), scale=0.3)
    np.testing.assert_array_equal(U.W.toarray(), [[0, 0.3], [0.3, 0]])
    ordered = IncentiveNetwork.from_networkx(D, weight="w", nodelist=["m", "a", "z"])
    assert ordered.W[ordered.node_index["z"], ordered.node_index["a"]] == 0.5
    M = nx.MultiGraph([(0, 1), (0, 1)])
    assert IncentiveNetwork.from_networkx(M).W[0, 1] == 2.0


def test_from_networkx_errors():
    G = nx.Graph()
    G.add_edge(0, 1, weight=2.0)
    G.add_edge(1, 2)
    with pytest.raises(InvalidInputError, match=r"\(1, 2\) has no 'weight'"):
        IncentiveNetwork.from_networkx(G, weight="weight")
    with pytest.raises(InvalidInputError, match="no nodes"):
        IncentiveNetwork.from_networkx(nx.Graph())
    with pytest.raises(InvalidInputError, match="diagonal"):
        IncentiveNetwork.from_networkx(nx.Graph([(0, 0), (0, 1)]))
    assert IncentiveNetwork.from_networkx(nx.Graph([(0, 0), (0, 1)]), drop_diagonal=True).nnz == 2
    H = nx.Graph()
    H.add_edge(0, 1, weight="heavy")
    with pytest.raises(InvalidInputError, match="real numbers"):
        IncentiveNetwork.from_networkx(H, weight="weight")
    with pytest.raises(InvalidInputError, match="scale"):
        IncentiveNetwork.from_networkx(nx.path_graph(2), scale=float("nan"))
    with pytest.raises(InvalidInputError, match="networkx graph"):
        IncentiveNetwork.from_networkx(np.zeros((2, 2)))


@pytest.mark.parametrize("directed", [False, True])
def test_labels_and_weights_round_trip_through_networkx(directed):
    rng = np.random.default_rng(1)
    G = nx.gnp_random_graph(40, 0.1, seed=2, directed=directed)
    G = nx.relabel_nodes(G, {i: f"person-{i}" for i in G})
    G.add_node("loner")
    for u, v in G.edges:
        G.edges[u, v]["weight"] = float(rng.uniform(-1, 1))
    net = IncentiveNetwork.from_networkx(G, weight="weight")
    H = net.to_networkx()
    assert isinstance(H, nx.DiGraph) == directed
    assert list(H.nodes) == list(G.nodes)
    assert nx.utils.edges_equal(G.edges(data="weight"), H.edges(data="weight"))
    back = IncentiveNetwork.from_networkx(H, weight="weight")
    assert back.nodes == net.nodes
    assert (back.W != net.W).nnz == 0


def test_to_networkx_type_override():
    net = IncentiveNetwork.from_networkx(nx.path_graph(3))
    assert isinstance(net.to_networkx(directed=True), nx.DiGraph)
    lop = IncentiveNetwork.from_dense([[0, 1.0], [0, 0]])
    with pytest.raises(InvalidInputError, match="symmetric"):
        lop.to_networkx(directed=False)


def test_as_network_accepts_every_form():
    G = nx.karate_club_graph()
    net = as_network(G)
    assert as_network(net) is net
    assert as_network(G, weight="weight").W.max() > 1  # karate carries weights
    for form in (nx.to_scipy_sparse_array(G, weight=None), nx.to_numpy_array(G, weight=None),
                 nx.to_numpy_array(G, weight=None).tolist()):
        assert (as_network(form).W != net.W).nnz == 0
    with pytest.raises(InvalidInputError, match="expected an IncentiveNetwork"):
        as_network("karate")
    assert incnet.as_network is as_network


# ------------------------------------------------------------------ edge lists
def test_edgelist_whitespace_csv_comments_and_header(tmp_path):
    text = "# a comment\n\n1 2\n2\t3   # inline comment\n 3 , 1\n"
    net = IncentiveNetwork.from_edgelist(io.StringIO(text))
    assert net.nodes == (1, 2, 3) and net.nnz == 6 and net.is_symmetric
    csv = "source,target,weight\nann,bob,0.5\nbob,cat,-0.25\n"
    path = tmp_path / "edges.csv"
    path.write_text(csv)
    d = IncentiveNetwork.from_edgelist(path, directed=True, weighted=True, nodetype=str,
                                       delimiter=",", skip_header=True)
    assert d.nodes == ("ann", "bob", "cat")
    np.testing.assert_array_equal(d.W.toarray(), [[0, 0.5, 0], [0, 0, -0.25], [0, 0, 0]])
    binary = IncentiveNetwork.from_edgelist(io.BytesIO(text.encode()))
    assert (binary.W != net.W).nnz == 0


def test_edgelist_gzip_and_repeated_edges(tmp_path):
    path = tmp_path / "edges.txt.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("0 1\n1 0\n0 1\n1 2 \n")
    net = IncentiveNetwork.from_edgelist(str(path))
    np.testing.assert_array_equal(net.W.toarray(), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    weighted = IncentiveNetwork.from_edgelist(io.StringIO("0 1 0.5\n0 1 0.25\n"), weighted=True,
                                              directed=True)
    assert weighted.W[0, 1] == 0.75


@pytest.mark.parametrize(
    "text, kwargs, match",
    [
        ("1 2\n3\n", {}, "line 2: expected 2 columns"),
        ("# c\n1 2\n\n1 2 3 4\n", {}, "line 4"),
        ("1 2\nx 3\n", {}, "line 2: cannot read node label 'x'"),
        ("1 2 0.5\n2 3 heavy\n", {"weighted": True}, "line 2: weight 'heavy'"),
        ("1 2 nan\n", {"weighted": True}, "line 1: weight 'nan' is not finite"),
        ("1 2\n2 2\n", {}, "line 2: self-loop"),
        ("# only a comment\n", {}, "no edges"),
    ],
)
def test_edgelist_malformed_lines_name_the_line(text, kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        IncentiveNetwork.from_edgelist(io.StringIO(text), **kwargs)


def test_edgelist_missing_file_binary_junk_and_self_loop_drop(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        IncentiveNetwork.from_edgelist(tmp_path / "nope.txt")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"1 2\n\xff\xfe\x00 3\n")
    with pytest.raises(InvalidInputError, match="UTF-8"):
        IncentiveNetwork.from_edgelist(junk)
    with pytest.raises(InvalidInputError, match="path or a file"):
        IncentiveNetwork.from_edgelist(42)
    net = IncentiveNetwork.from_edgelist(io.StringIO("1 1\n1 2\n"), drop_diagonal=True)
    assert net.nodes == (1, 2) and net.nnz == 2


# ------------------------------------------------------------------ spectra
@pytest.mark.parametrize("seed", range(4))
def test_spectral_radius_exact_for_small_networks(seed):
    rng = np.random.default_rng(seed)
    W = random_weights(rng, 30, signed=seed % 2 == 1, symmetric=seed < 2, radius=0.8)
    W *= 1.7  # radius 1.36
    net = IncentiveNetwork.from_dense(W)
    assert net.spectral_radius == pytest.approx(dense_spectral_radius(W), rel=1e-10)
    assert net.spectral_radius == pytest.approx(1.36, rel=1e-10)
    assert net.row_sum_bound >= net.spectral_radius - 1e-12
    assert net.spectral_radius is net.spectral_radius  # cached


def test_spectral_radius_arpack_for_large_networks():
    n = _EXACT_EIGEN_LIMIT + 50  # just above the exact limit: ARPACK, checked against LAPACK
    G = nx.barabasi_albert_graph(n, 3, seed=3)
    net = IncentiveNetwork.from_networkx(G)
    dense = np.linalg.eigvalsh(nx.to_numpy_array(G))
    assert net.spectral_radius == pytest.approx(dense[-1], rel=1e-8)
    assert net.lambda_min == pytest.approx(dense[0], rel=1e-6)
    D = nx.gnp_random_graph(n, 4 / n, seed=4, directed=True)
    dnet = IncentiveNetwork.from_networkx(D)
    assert dnet.spectral_radius == pytest.approx(dense_spectral_radius(nx.to_numpy_array(D)), rel=1e-8)


def test_spectral_radius_of_acyclic_networks_is_zero():
    # A recruitment tree (directed, recruiter -> recruit) has no cycle: |W| is nilpotent.
    tree = nx.bfs_tree(nx.balanced_tree(3, 6), 0)  # 1093 nodes, above the exact limit
    assert IncentiveNetwork.from_networkx(tree).spectral_radius == 0.0
    chain = nx.path_graph(50, create_using=nx.DiGraph)
    chain = nx.relabel_nodes(chain, dict(zip(range(50), np.random.default_rng(5).permutation(50))))
    assert IncentiveNetwork.from_networkx(chain).spectral_radius == 0.0


def test_spectral_radius_of_directed_components():
    # Two cycles joined by a one-way link: rho is the larger cycle weight's, exactly.
    G = nx.DiGraph()
    nx.add_cycle(G, range(0, 700), weight=0.5)
    nx.add_cycle(G, range(700, 705), weight=0.9)
    G.add_edge(3, 702, weight=5.0)
    net = IncentiveNetwork.from_networkx(G, weight="weight")
    assert net.spectral_radius == pytest.approx(0.9, rel=1e-8)


def test_collatz_wielandt_fallback_is_an_upper_bound():
    from incnet.network import _collatz_wielandt_upper

    for seed in range(3):
        A = np.abs(random_weights(np.random.default_rng(seed), 40, radius=1.0))
        bound = _collatz_wielandt_upper(sp.csr_array(A), iterations=100)
        assert 1.0 - 1e-12 <= bound <= 1.0 + 1e-3
    bipartite = nx.to_scipy_sparse_array(nx.complete_bipartite_graph(3, 5), weight=None)
    assert _collatz_wielandt_upper(bipartite.astype(float), 200) == pytest.approx(np.sqrt(15), rel=1e-6)


def test_lambda_min():
    W = random_weights(np.random.default_rng(6), 25, signed=True, symmetric=True)
    net = IncentiveNetwork.from_dense(W)
    assert net.lambda_min == pytest.approx(dense_lambda_min(W), rel=1e-10)
    with pytest.raises(InvalidInputError, match="symmetric"):
        IncentiveNetwork.from_dense([[0, 1.0], [0, 0]]).lambda_min


# ------------------------------------------------------------------ derived networks
def test_scaled():
    W = random_weights(np.random.default_rng(7), 20, symmetric=True, radius=0.5)
    net = IncentiveNetwork.from_dense(W, nodes=list("abcdefghijklmnopqrst"))
    rho, lam = net.spectral_radius, net.lambda_min
    for factor in (2.0, -0.5):
        s = net.scaled(factor)
        np.testing.assert_allclose(s.W.toarray(), factor * W)
        assert s.nodes == net.nodes
        fresh = IncentiveNetwork.from_dense(factor * W)
        assert s.spectral_radius == pytest.approx(fresh.spectral_radius, rel=1e-10)
        assert s.spectral_radius == pytest.approx(abs(factor) * rho, rel=1e-10)
        assert s.lambda_min == pytest.approx(fresh.lambda_min, rel=1e-9)
    assert net.scaled(2.0).lambda_min == pytest.approx(2 * lam)
    assert net.scaled(0).nnz == 0
    with pytest.raises(InvalidInputError, match="factor"):
        net.scaled(float("inf"))
    with pytest.raises(InvalidInputError, match="factor"):
        net.scaled("big")


def test_row_normalized():
    G = nx.star_graph(4)
    G.add_node(99)
    net = IncentiveNetwork.from_networkx(G).scaled(-1.0).row_normalized(0.5)
    sums = np.asarray(abs(net.W).sum(axis=1)).ravel()
    np.testing.assert_allclose(sums, [0.5, 0.5, 0.5, 0.5, 0.5, 0.0])
    assert np.all(net.W.data < 0)  # signs kept
    assert net.spectral_radius <= 0.5 + 1e-12
    with pytest.raises(InvalidInputError, match="total"):
        net.row_normalized(-1.0)


def test_subnetwork():
    G = nx.path_graph(["a", "b", "c", "d"])
    net = IncentiveNetwork.from_networkx(G, scale=0.5)
    sub = net.subnetwork(["c", "b"])
    assert sub.nodes == ("c", "b")
    np.testing.assert_array_equal(sub.W.toarray(), [[0, 0.5], [0.5, 0]])
    assert net.subnetwork("a").nnz == 0
    with pytest.raises(InvalidInputError, match="not in the network"):
        net.subnetwork(["a", "z"])
    with pytest.raises(InvalidInputError, match="duplicates"):
        net.subnetwork(["a", "a"])
    with pytest.raises(InvalidInputError, match="at least one"):
        net.subnetwork([])


def test_symmetry_and_sign_facts():
    net = IncentiveNetwork.from_dense([[0, 1.0, -2.0], [1.0, 0, 0], [-2.0, 0, 0]])
    assert net.is_symmetric and not net.is_nonnegative
    np.testing.assert_array_equal(net.abs_W.toarray(), np.abs(net.W.toarray()))
    assert net.degrees().tolist() == [2, 1, 1]
    assert repr(net) == "IncentiveNetwork(n=3, nnz=4, symmetric=True)"


@pytest.mark.parametrize("damage", ["truncated", "not-gzip", "flipped"])
def test_edgelist_corrupt_gzip_names_the_file_and_line(tmp_path, damage):
    import gzip

    good = gzip.compress(("".join(f"{i} {i + 1}\n" for i in range(20000))).encode())
    path = tmp_path / "edges.txt.gz"
    if damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "not-gzip":
        path.write_bytes(b"this is not gzip data at all")
    else:
        data = bytearray(good)
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    with pytest.raises(InvalidInputError, match=r"edges\.txt\.gz'.*line \d+:") as info:
        IncentiveNetwork.from_edgelist(path)
    assert "corrupt or truncated" in str(info.value) or "UTF-8" in str(info.value)


def test_a_damaged_shipped_dataset_says_which_file(monkeypatch, tmp_path):
    from incnet.datasets import real

    bad = tmp_path / "edges.txt.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00junk")
    monkeypatch.setattr(real, "_data_file", lambda name, filename: bad)
    with pytest.raises(InvalidInputError, match=r"edges\.txt\.gz.*'ca-grqc'.*reinstall"):
        real.load("ca-grqc")
