r"""Real networks shipped with incnet, loaded from package data (nothing is downloaded).

Every loader returns the network **as published**: a networkx graph with the original node ids
(in increasing order), self-loops kept wherever the source has them (so the sizes match the
published counts), and node attributes where the source provides them. With
``as_network=True`` it returns an :class:`~incnet.IncentiveNetwork` instead: unit weights,
``W[u, v] = 1`` for every link ``u -> v`` (both directions for an undirected graph), and
**self-loops dropped**, because nobody's payoff depends on itself. Node attributes live on the
graph only.

The files sit in ``incnet/datasets/data/<name>/`` as gzipped edge lists next to a
``PROVENANCE.md`` that records the original source, the copy they were taken from, the licence
terms and the sizes measured; :func:`provenance` returns that text.
"""

import gzip
import io
import zlib
from importlib import resources
from types import MappingProxyType

import numpy as np

from .._validate import describe
from ..errors import InvalidInputError

__all__ = [
    "available",
    "load",
    "provenance",
    "load_ego_facebook",
    "load_email_eu_core",
    "load_ca_grqc",
    "load_ca_hepth",
    "load_lastfm_asia",
    "load_deezer_europe",
    "load_rds_nyjazz",
    "load_karate",
    "load_florentine",
]

_SNAP_LICENCE = (
    "SNAP states no formal licence and asks users to cite the dataset paper and Leskovec & Krevl, "
    "SNAP Datasets (2014); research-use data"
)


# ----------------------------------------------------------------------------- file access
def _data_file(name, filename):
    return resources.files("incnet.datasets").joinpath("data", name, filename)


def _read_table(name, filename, *, dtype=np.int64, missing=None):
    """The rows of a gzipped whitespace table as a 2-D array (``#`` lines are comments).

    numpy's C parser reads the whole file at once, which keeps even the largest dataset well
    under a second to load. ``missing`` replaces the token ``NA``.
    """
    path = _data_file(name, filename)
    try:
        text = gzip.decompress(path.read_bytes())
        if missing is not None:
            text = text.replace(b"NA", str(missing).encode())
        return np.loadtxt(io.BytesIO(text), dtype=dtype, comments="#", ndmin=2)
    except (OSError, EOFError, zlib.error, ValueError) as err:
        # a damaged installation: say which file, and how to get a good copy
        raise InvalidInputError(
            f"the shipped data file {str(path)!r} of dataset {name!r} cannot be read ({err}); "
            "the installation is damaged: reinstall incnet (pip install --force-reinstall incnet)"
        ) from None


def _edges(name):
    return _read_table(name, "edges.txt.gz")


def _node_ids(edges, extra=None):
    ids = edges.ravel() if extra is None else np.concatenate([edges.ravel(), extra])
    return np.unique(ids)


def _graph(nodes, edges, *, directed, name, node_attrs=None):
    import networkx as nx

    G = nx.DiGraph(name=name) if directed else nx.Graph(name=name)
    if node_attrs is None:
        G.add_nodes_from(nodes.tolist())
    else:
        G.add_nodes_from((node, node_attrs[node]) for node in nodes.tolist())
    G.add_edges_from(edges.tolist())
    return G


def _network(nodes, edges, *, directed):
    """Unit-weight IncentiveNetwork with self-loops dropped, built from the arrays directly."""
    import scipy.sparse as sp

    from ..network import IncentiveNetwork

    src = np.searchsorted(nodes, edges[:, 0])
    dst = np.searchsorted(nodes, edges[:, 1])
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if not directed:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    n = len(nodes)
    A = sp.coo_array((np.ones(len(src)), (src, dst)), shape=(n, n)).tocsr()
    A.sum_duplicates()
    A.data[:] = 1.0  # a pair listed twice is still one link
    return IncentiveNetwork.from_scipy(A, nodes.tolist())


def _load_edge_dataset(name, *, directed, as_network, title, labels=None):
    edges = _edges(name)
    if labels is None:
        nodes = _node_ids(edges)
        attrs = None
    else:
        filename, attribute = labels
        table = _read_table(name, filename)
        nodes = _node_ids(edges, table[:, 0])
        attrs = {int(node): {attribute: int(value)} for node, value in table.tolist()}
    if as_network:
        return _network(nodes, edges, directed=directed)
    return _graph(nodes, edges, directed=directed, name=title, node_attrs=attrs)


# ----------------------------------------------------------------------------- loaders
def load_ego_facebook(*, as_network=False):
    """SNAP ego-Facebook: friendships among 4,039 Facebook users (McAuley & Leskovec 2012).

    The union of ten ego networks collected from survey participants through a Facebook app
    (SNAP's ``facebook_combined.txt``), anonymised node ids ``0 .. 4038``.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` (unit weights, both directions) instead of a
        networkx graph.

    Returns
    -------
    networkx.Graph or IncentiveNetwork
        Undirected, unweighted: 4,039 nodes, 88,234 edges, no self-loops, one connected
        component, average clustering 0.6055 (as SNAP reports).

    Notes
    -----
    Licence: SNAP states no formal licence and asks users to cite the dataset paper and the SNAP
    collection; treat as research-use data. The copy was taken from GitHub
    ``Padam-0/facebook_viral_advertising`` (commit ``a7580d4``), which is the SNAP file with one
    comment line added; the edge set was cross-checked against a second copy. The maximum
    degree is 1,045, so a plain altruism matrix :math:`aA` is well posed only for
    :math:`a < 1/\\rho(A) \\approx 1/162.4`; use :meth:`~incnet.IncentiveNetwork.row_normalized`.

    References
    ----------
    .. [1] McAuley, J., Leskovec, J. (2012). Learning to discover social circles in ego networks.
       *NIPS 2012*.
    .. [2] Leskovec, J., Krevl, A. (2014). SNAP Datasets: Stanford Large Network Dataset
       Collection. http://snap.stanford.edu/data

    Examples
    --------
    >>> from incnet.datasets import load_ego_facebook
    >>> G = load_ego_facebook()
    >>> G.number_of_nodes(), G.number_of_edges()
    (4039, 88234)
    """
    return _load_edge_dataset("ego-facebook", directed=False, as_network=as_network,
                              title="SNAP ego-Facebook")


def load_email_eu_core(*, as_network=False):
    """SNAP email-Eu-core: who e-mailed whom in a European research institution.

    Directed: an edge ``u -> v`` means ``u`` sent at least one e-mail to ``v``. Every node
    carries its ``department`` (0 .. 41), the ground-truth communities published with the data.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` (self-loops dropped: 24,929 links) instead of
        a networkx graph.

    Returns
    -------
    networkx.DiGraph or IncentiveNetwork
        1,005 nodes, 25,571 directed edges including 642 self-loops (as SNAP counts them),
        20 weakly connected components, the largest with 986 nodes; 16,706 edges when read as
        undirected. Node attribute ``department``: 42 departments.

    Notes
    -----
    Licence: SNAP states no formal licence and asks users to cite the papers below and the SNAP
    collection; treat as research-use data. Taken from GitHub
    ``paragk-10/Social-Network-Analysis`` (commit ``ebbdf23``), rewritten from tab-separated to
    space-separated with the content unchanged.

    References
    ----------
    .. [1] Yin, H., Benson, A. R., Leskovec, J., Gleich, D. F. (2017). Local higher-order graph
       clustering. *KDD 2017*.
    .. [2] Leskovec, J., Kleinberg, J., Faloutsos, C. (2007). Graph evolution: densification and
       shrinking diameters. *ACM TKDD* 1(1).
    .. [3] Leskovec, J., Krevl, A. (2014). SNAP Datasets: Stanford Large Network Dataset
       Collection. http://snap.stanford.edu/data

    Examples
    --------
    >>> from incnet.datasets import load_email_eu_core
    >>> G = load_email_eu_core()
    >>> G.number_of_nodes(), G.number_of_edges(), G.is_directed()
    (1005, 25571, True)
    >>> G.nodes[0]["department"]
    1
    """
    return _load_edge_dataset(
        "email-eu-core", directed=True, as_network=as_network, title="SNAP email-Eu-core",
        labels=("department-labels.txt.gz", "department"),
    )


def load_ca_grqc(*, as_network=False):
    """SNAP ca-GrQc: co-authorships in arXiv General Relativity and Quantum Cosmology.

    An edge joins two authors who wrote at least one paper together (1993-2003); node ids are
    SNAP's.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` (self-loops dropped) instead of a networkx
        graph.

    Returns
    -------
    networkx.Graph or IncentiveNetwork
        Undirected: 5,242 nodes, 14,496 edges including 12 self-loops (SNAP counts them as
        edges), 355 connected components, the largest with 4,158 nodes.

    Notes
    -----
    Licence: SNAP states no formal licence and asks users to cite the paper below and the SNAP
    collection; treat as research-use data. Taken from GitHub ``RKG-kumar/interest-maximization``
    (commit ``3d50b5d``), a copy listing each unordered pair once; its extra per-node weights were
    discarded.

    References
    ----------
    .. [1] Leskovec, J., Kleinberg, J., Faloutsos, C. (2007). Graph evolution: densification and
       shrinking diameters. *ACM TKDD* 1(1).
    .. [2] Leskovec, J., Krevl, A. (2014). SNAP Datasets: Stanford Large Network Dataset
       Collection. http://snap.stanford.edu/data

    Examples
    --------
    >>> from incnet.datasets import load_ca_grqc
    >>> G = load_ca_grqc()
    >>> G.number_of_nodes(), G.number_of_edges()
    (5242, 14496)
    """
    return _load_edge_dataset("ca-grqc", directed=False, as_network=as_network,
                              title="SNAP ca-GrQc")


def load_ca_hepth(*, as_network=False):
    """SNAP ca-HepTh: co-authorships in arXiv High Energy Physics - Theory.

    An edge joins two authors who wrote at least one paper together (1993-2003); node ids are
    SNAP's.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` (self-loops dropped) instead of a networkx
        graph.

    Returns
    -------
    networkx.Graph or IncentiveNetwork
        Undirected: 9,877 nodes, 25,998 edges including 25 self-loops (SNAP counts them as
        edges), 429 connected components, the largest with 8,638 nodes.

    Notes
    -----
    Licence: SNAP states no formal licence and asks users to cite the paper below and the SNAP
    collection; treat as research-use data. Taken from GitHub ``RKG-kumar/interest-maximization``
    (commit ``3d50b5d``), a copy listing each unordered pair once; its extra per-node weights were
    discarded.

    References
    ----------
    .. [1] Leskovec, J., Kleinberg, J., Faloutsos, C. (2007). Graph evolution: densification and
       shrinking diameters. *ACM TKDD* 1(1).
    .. [2] Leskovec, J., Krevl, A. (2014). SNAP Datasets: Stanford Large Network Dataset
       Collection. http://snap.stanford.edu/data

    Examples
    --------
    >>> from incnet.datasets import load_ca_hepth
    >>> G = load_ca_hepth()
    >>> G.number_of_nodes(), G.number_of_edges()
    (9877, 25998)
    """
    return _load_edge_dataset("ca-hepth", directed=False, as_network=as_network,
                              title="SNAP ca-HepTh")


def load_lastfm_asia(*, as_network=False):
    """LastFM Asia: mutual-follower relations among LastFM users from Asian countries (2020).

    Every node carries its ``country`` (an index 0 .. 17), the classification target published
    with the data.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` instead of a networkx graph.

    Returns
    -------
    networkx.Graph or IncentiveNetwork
        Undirected: 7,624 nodes, 27,806 edges, no self-loops, connected. Node attribute
        ``country``: 18 classes.

    Notes
    -----
    Licence: MIT (Copyright (c) 2019 Benedek Rozemberczki), the licence of the repository
    ``benedekrozemberczki/datasets`` it was taken from (commit ``cc0c850``); the data was
    collected from public APIs, cite the paper. Also distributed by SNAP as
    ``feather-lastfm-social``. A social network of real users; it holds no recruitment data.

    References
    ----------
    .. [1] Rozemberczki, B., Sarkar, R. (2020). Characteristic functions on graphs: birds of a
       feather, from statistical descriptors to parametric models. *CIKM 2020*.
       arXiv:2005.07959.

    Examples
    --------
    >>> from incnet.datasets import load_lastfm_asia
    >>> G = load_lastfm_asia()
    >>> G.number_of_nodes(), G.number_of_edges()
    (7624, 27806)
    """
    return _load_edge_dataset(
        "lastfm-asia", directed=False, as_network=as_network, title="LastFM Asia",
        labels=("labels.txt.gz", "country"),
    )


def load_deezer_europe(*, as_network=False):
    """Deezer Europe: mutual-follower relations among Deezer users from European countries (2020).

    Every node carries a binary ``gender`` label (0 or 1, derived from the name field), the
    classification target published with the data.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` instead of a networkx graph.

    Returns
    -------
    networkx.Graph or IncentiveNetwork
        Undirected: 28,281 nodes, 92,752 edges, no self-loops, connected. Node attribute
        ``gender``: 2 classes.

    Notes
    -----
    Licence: MIT (Copyright (c) 2019 Benedek Rozemberczki), the licence of the repository
    ``benedekrozemberczki/datasets`` it was taken from (commit ``cc0c850``); the data was
    collected from public APIs, cite the paper. Also distributed by SNAP as
    ``feather-deezer-social``. A social network of real users; it holds no recruitment data.

    References
    ----------
    .. [1] Rozemberczki, B., Sarkar, R. (2020). Characteristic functions on graphs: birds of a
       feather, from statistical descriptors to parametric models. *CIKM 2020*.
       arXiv:2005.07959.

    Examples
    --------
    >>> from incnet.datasets import load_deezer_europe
    >>> G = load_deezer_europe()
    >>> G.number_of_nodes(), G.number_of_edges()
    (28281, 92752)
    """
    return _load_edge_dataset(
        "deezer-europe", directed=False, as_network=as_network, title="Deezer Europe",
        labels=("labels.txt.gz", "gender"),
    )


#: Columns of rds-nyjazz's nodes.tsv after the id, as node attribute names.
_NYJAZZ_ATTRIBUTES = ("is_root", "wave", "network_size", "gender", "race", "age", "airplay", "union")


def load_rds_nyjazz(*, as_network=False):
    """A real incentivised recruitment forest: respondent-driven sampling of New York jazz musicians.

    In respondent-driven sampling every respondent is paid for taking part and paid again for
    each peer they recruit with one of their few numbered coupons, so the coupons record exactly
    who recruited whom under a recruitment reward. An edge ``u -> v`` means ``u`` recruited
    ``v``.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` (``W[u, v] = 1`` for recruiter ``u`` of
        ``v``) instead of a networkx graph.

    Returns
    -------
    networkx.DiGraph or IncentiveNetwork
        A directed forest of all 264 respondents (the source's ids, 1 .. 266 without 183
        and 265) and 251 recruitments: 13 roots
        (the 10 seeds and 3 respondents whose coupon matches no recruiter), recruitment depth
        (wave) up to 11, tree sizes 125, 54, 27, 19, 12, 10, 7, 5 and five single-person trees.
        Number of recruits per person: 146 recruited nobody, 54 one, 26 two, 19 three, 12 four,
        4 five, 2 six and 1 eight. Node attributes, with codes as in the source and ``None``
        where missing: ``is_root`` (bool), ``wave`` (depth in the forest), ``network_size``
        (self-reported number of jazz musicians known), ``gender``, ``race``, ``age``,
        ``airplay``, ``union``.

    Notes
    -----
    Data: the example data set ``nyjazz.csv`` of the R package RDS 0.9-10 (Handcock, Gile,
    Fellows), taken from its CRAN mirror ``cran/RDS`` (commit ``6c76a46``). The recruiter of a
    respondent is the respondent whose handed-out coupons contain their own coupon, as in
    ``RDS::rid.from.coupons``; the raw file is shipped as ``nyjazz_raw.csv.gz``. Licence: the
    RDS package is LGPL-2.1, with no separate data licence; cite the package and the study.
    This is the one public record shipped here of who recruited whom under a recruitment
    reward: use it to fit and check recruitment models.

    References
    ----------
    .. [1] Heckathorn, D. D., Jeffri, J. (2001). Finding the beat: using respondent-driven
       sampling to study jazz musicians. *Poetics* 28, 307-329.
    .. [2] Handcock, M. S., Gile, K. J., Fellows, I. E. RDS: Respondent-Driven Sampling.
       R package version 0.9-10.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.datasets import load_rds_nyjazz
    >>> G = load_rds_nyjazz()
    >>> G.number_of_nodes(), G.number_of_edges(), nx.is_forest(G)
    (264, 251, True)
    >>> sum(1 for v in G if G.in_degree(v) == 0)
    13
    """
    edges = _edges("rds-nyjazz")
    # NA becomes -1 while parsing; every coded attribute is non-negative.
    table = _read_table("rds-nyjazz", "nodes.tsv.gz", missing=-1)
    nodes = _node_ids(edges, table[:, 0])
    if as_network:
        return _network(nodes, edges, directed=True)
    attrs = {}
    for row in table.tolist():
        values = [None if value < 0 else value for value in row[1:]]
        record = dict(zip(_NYJAZZ_ATTRIBUTES, values))
        record["is_root"] = bool(record["is_root"])
        attrs[row[0]] = record
    return _graph(nodes, edges, directed=True, name="RDS New York jazz musicians", node_attrs=attrs)


def load_karate(*, as_network=False):
    """Zachary's karate club: friendships among 34 members of a university karate club.

    The club split into two after a dispute; node attribute ``club`` (``"Mr. Hi"`` or
    ``"Officer"``) records the side each member joined. The graph comes from networkx
    (:func:`networkx.karate_club_graph`); its edge attribute ``weight`` counts the contexts in
    which two members interacted.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` with unit weights instead of a networkx
        graph (use ``incnet.as_network(G, weight="weight")`` for the interaction counts).

    Returns
    -------
    networkx.Graph or IncentiveNetwork
        Undirected: 34 nodes, 78 edges, connected.

    Notes
    -----
    Published in the 1977 paper below; distributed with networkx (BSD-3-Clause).

    References
    ----------
    .. [1] Zachary, W. W. (1977). An information flow model for conflict and fission in small
       groups. *Journal of Anthropological Research* 33(4), 452-473.

    Examples
    --------
    >>> from incnet.datasets import load_karate
    >>> load_karate(as_network=True)
    IncentiveNetwork(n=34, nnz=156, symmetric=True)
    """
    import networkx as nx

    G = nx.karate_club_graph()
    if as_network:
        from ..network import IncentiveNetwork

        return IncentiveNetwork.from_networkx(G, weight=None)
    return G


def load_florentine(*, as_network=False):
    """Padgett's Florentine families: marriage ties among 15 elite families of Renaissance Florence.

    The graph comes from networkx (:func:`networkx.florentine_families_graph`), which omits the
    isolated Pucci family; nodes are family names.

    Parameters
    ----------
    as_network : bool, default False
        Return an :class:`~incnet.IncentiveNetwork` instead of a networkx graph.

    Returns
    -------
    networkx.Graph or IncentiveNetwork
        Undirected: 15 nodes, 20 edges, connected.

    Notes
    -----
    Collected by J. F. Padgett from historical records; distributed with networkx
    (BSD-3-Clause).

    References
    ----------
    .. [1] Padgett, J. F., Ansell, C. K. (1993). Robust action and the rise of the Medici,
       1400-1434. *American Journal of Sociology* 98(6), 1259-1319.

    Examples
    --------
    >>> from incnet.datasets import load_florentine
    >>> G = load_florentine()
    >>> G.number_of_nodes(), G.number_of_edges(), G.degree("Medici")
    (15, 20, 6)
    """
    import networkx as nx

    G = nx.florentine_families_graph()
    if as_network:
        from ..network import IncentiveNetwork

        return IncentiveNetwork.from_networkx(G, weight=None)
    return G


# ----------------------------------------------------------------------------- registry
# name -> (loader, one-line description); read-only
_DATASETS = MappingProxyType({
    "ego-facebook": (load_ego_facebook,
                     "SNAP ego-Facebook friendships, 4,039 nodes / 88,234 edges, undirected "
                     "(McAuley & Leskovec 2012)"),
    "email-eu-core": (load_email_eu_core,
                      "SNAP e-mails in a European research institution, 1,005 nodes / 25,571 "
                      "edges, directed, 42 departments (Yin et al. 2017)"),
    "ca-grqc": (load_ca_grqc,
                "SNAP arXiv GR-QC co-authorship, 5,242 nodes / 14,496 edges, undirected "
                "(Leskovec et al. 2007)"),
    "ca-hepth": (load_ca_hepth,
                 "SNAP arXiv HEP-TH co-authorship, 9,877 nodes / 25,998 edges, undirected "
                 "(Leskovec et al. 2007)"),
    "lastfm-asia": (load_lastfm_asia,
                    "LastFM Asia mutual followers, 7,624 nodes / 27,806 edges, undirected, "
                    "country labels (Rozemberczki & Sarkar 2020)"),
    "deezer-europe": (load_deezer_europe,
                      "Deezer Europe mutual followers, 28,281 nodes / 92,752 edges, undirected, "
                      "gender labels (Rozemberczki & Sarkar 2020)"),
    "rds-nyjazz": (load_rds_nyjazz,
                   "a real incentivised recruitment forest: 264 jazz musicians, 251 "
                   "recruitments, 13 roots (Heckathorn & Jeffri 2001)"),
    "karate": (load_karate,
               "Zachary's karate club, 34 nodes / 78 edges, undirected (Zachary 1977)"),
    "florentine": (load_florentine,
                   "Padgett's Florentine families' marriages, 15 nodes / 20 edges, undirected "
                   "(Padgett & Ansell 1993)"),
})

#: Datasets stored as files in the package (the others come from networkx).
_SHIPPED = ("ego-facebook", "email-eu-core", "ca-grqc", "ca-hepth", "lastfm-asia",
            "deezer-europe", "rds-nyjazz")


def available():
    """The names of the shipped datasets, each with a one-line description.

    Returns
    -------
    dict
        ``{name: description}`` in a fixed order; pass a name to :func:`load`.

    Examples
    --------
    >>> from incnet import datasets
    >>> list(datasets.available())[:3]
    ['ego-facebook', 'email-eu-core', 'ca-grqc']
    """
    return {name: description for name, (_, description) in _DATASETS.items()}


def _check_name(name):
    if name not in _DATASETS:
        known = ", ".join(repr(k) for k in _DATASETS)
        raise InvalidInputError(f"unknown dataset {describe(name)}; choose one of {known}")
    return name


def load(name, *, as_network=False):
    """Load a shipped real network by name.

    Parameters
    ----------
    name : str
        One of the names of :func:`available`: ``"ego-facebook"``, ``"email-eu-core"``,
        ``"ca-grqc"``, ``"ca-hepth"``, ``"lastfm-asia"``, ``"deezer-europe"``, ``"rds-nyjazz"``,
        ``"karate"``, ``"florentine"``.
    as_network : bool, default False
        If False, the networkx graph as published: original node ids in increasing order,
        self-loops kept where the source has them (so the sizes match the published counts),
        node attributes where the source has them. If True, an
        :class:`~incnet.IncentiveNetwork` with unit weights (both directions for undirected
        graphs) and self-loops dropped, because nobody's payoff depends on itself.

    Returns
    -------
    networkx.Graph, networkx.DiGraph or IncentiveNetwork

    Raises
    ------
    InvalidInputError
        If ``name`` is not a known dataset.

    See Also
    --------
    available, provenance, load_ego_facebook, load_email_eu_core, load_ca_grqc, load_ca_hepth,
    load_lastfm_asia, load_deezer_europe, load_rds_nyjazz, load_karate, load_florentine

    Examples
    --------
    >>> from incnet import datasets
    >>> datasets.load("email-eu-core", as_network=True)
    IncentiveNetwork(n=1005, nnz=24929, symmetric=False)
    """
    loader, _ = _DATASETS[_check_name(name)]
    return loader(as_network=bool(as_network))


def provenance(name):
    """The ``PROVENANCE.md`` shipped with a dataset: source, copy, licence and measured sizes.

    Parameters
    ----------
    name : str
        A dataset stored in the package (every name of :func:`available` except ``"karate"``
        and ``"florentine"``, which come from networkx).

    Returns
    -------
    str
        The Markdown text.

    Raises
    ------
    InvalidInputError
        If ``name`` is unknown or has no provenance file.

    Examples
    --------
    >>> from incnet import datasets
    >>> "nodes: 4039" in datasets.provenance("ego-facebook")
    True
    """
    _check_name(name)
    if name not in _SHIPPED:
        raise InvalidInputError(
            f"{name!r} comes from networkx and has no PROVENANCE.md; see the docstring of its "
            "loader for the citation"
        )
    return _data_file(name, "PROVENANCE.md").read_text(encoding="utf-8")
