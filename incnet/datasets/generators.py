r"""Fast random networks for tests, benchmarks and experiments, built straight into CSR form.

The generators return a ``scipy.sparse.csr_array`` (``*_csr``) of unit weights with sorted
indices and no self-loops, ready for :class:`~incnet.IncentiveNetwork` or a numba kernel, without
ever building a networkx graph: a Barabási-Albert graph with :math:`10^6` nodes takes about a
second. Randomness follows ``rng=None | int | numpy.random.Generator``; one integer seed is drawn
from it per call and drives the kernel's own stream, so a seed always gives the same graph.
"""

import numpy as np
import scipy.sparse as sp

from .._validate import as_rng, check_int, check_probability
from ..errors import InvalidInputError

__all__ = ["barabasi_albert_csr", "barabasi_albert_network", "erdos_renyi_csr"]


#: Most stored links a generator writes (its CSR arrays take some 16 bytes a link).
MAX_LINKS = 10**9


def _check_links(links, what):
    if links > MAX_LINKS:
        raise InvalidInputError(
            f"{what} would store about {links:.3g} links (some {16 * links / 2**30:.0f} GiB); "
            f"the limit is {MAX_LINKS:.0e}. Generate a smaller graph"
        )


def _index_dtype(size):
    return np.int32 if size < np.iinfo(np.int32).max else np.int64


def _draw_seed(rng):
    return np.uint64(as_rng(rng).integers(0, 2**63, dtype=np.int64))


def barabasi_albert_csr(n, m, rng=None):
    r"""Adjacency matrix of a Barabási-Albert preferential-attachment graph, as CSR.

    Starting from a star on nodes :math:`0, \dots, m`, each new node links to :math:`m`
    distinct earlier nodes chosen with probability proportional to their degree, the model of
    :func:`networkx.barabasi_albert_graph`. The degree distribution has a power-law tail,
    :math:`P(k) = \frac{2m(m+1)}{k(k+1)(k+2)}` for :math:`k \ge m` as :math:`n \to \infty`.

    Parameters
    ----------
    n : int
        Number of nodes, ``n > m``.
    m : int
        Links added by each new node, ``m >= 1``.
    rng : None, int or numpy.random.Generator, optional
        Source of the seed.

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric ``n x n`` float64 adjacency matrix with :math:`2m(n - m)` stored ones (the
        graph has :math:`m(n - m)` edges), sorted indices, zero diagonal.

    Raises
    ------
    InvalidInputError
        If ``m < 1`` or ``n <= m``.

    See Also
    --------
    barabasi_albert_network : the same graph as an :class:`~incnet.IncentiveNetwork`.

    Notes
    -----
    A numba kernel samples the targets from the list of link ends (a uniform draw from it is a
    degree-proportional draw), then writes the CSR arrays directly: a node's row holds its own
    :math:`m` choices, which are sorted, followed by the later nodes that chose it, which arrive
    in increasing order. Time and memory are :math:`O(nm)`.

    References
    ----------
    .. [1] Barabási, A.-L., Albert, R. (1999). Emergence of scaling in random networks.
       *Science* 286(5439), 509-512.
    .. [2] Batagelj, V., Brandes, U. (2005). Efficient generation of large random networks.
       *Physical Review E* 71, 036113.

    Examples
    --------
    >>> from incnet.datasets import barabasi_albert_csr
    >>> A = barabasi_albert_csr(1000, 3, rng=7)
    >>> A.shape, A.nnz, int(A.sum(axis=1).min())
    ((1000, 1000), 5982, 3)
    """
    from .._kernels.generators import barabasi_albert_kernel

    m = check_int(m, "m", minimum=1)
    n = check_int(n, "n", minimum=1)
    if n <= m:
        raise InvalidInputError(
            f"a Barabási-Albert graph needs n > m, got n = {n} and m = {m}; "
            "every new node links to m distinct earlier nodes"
        )
    _check_links(2 * m * (n - m), f"a Barabási-Albert graph with n = {n}, m = {m}")
    seed = _draw_seed(rng)
    nnz = 2 * m * (n - m)
    dtype = _index_dtype(max(nnz, n))
    indptr = np.empty(n + 1, dtype=np.int64)
    indices = np.empty(nnz, dtype=dtype)
    barabasi_albert_kernel(n, m, seed, indptr, indices)
    A = sp.csr_array((np.ones(nnz), indices, indptr.astype(dtype, copy=False)), shape=(n, n))
    A.has_sorted_indices = True
    return A


def barabasi_albert_network(n, m, rng=None, *, scale=1.0):
    """A Barabási-Albert graph as an :class:`~incnet.IncentiveNetwork` with weights ``scale``.

    Parameters
    ----------
    n, m, rng
        As in :func:`barabasi_albert_csr`.
    scale : float, default 1.0
        Every link's weight, e.g. an altruism level or a game's decay :math:`\\delta`.

    Returns
    -------
    IncentiveNetwork
        Nodes labelled ``0 .. n - 1``.

    Examples
    --------
    >>> from incnet.datasets import barabasi_albert_network
    >>> barabasi_albert_network(500, 2, rng=1, scale=0.01)
    IncentiveNetwork(n=500, nnz=1992, symmetric=True)
    """
    from ..network import IncentiveNetwork

    A = barabasi_albert_csr(n, m, rng)
    net = IncentiveNetwork.from_scipy(A)
    return net if scale == 1.0 else net.scaled(scale)


def erdos_renyi_csr(n, p, rng=None, *, directed=False):
    r"""Adjacency matrix of an Erdős-Rényi random graph :math:`G(n, p)`, as CSR.

    Every pair of distinct nodes (every ordered pair if ``directed``) is linked independently
    with probability ``p``.

    Parameters
    ----------
    n : int
        Number of nodes, ``n >= 1``.
    p : float
        Link probability in :math:`[0, 1]`.
    rng : None, int or numpy.random.Generator, optional
        Source of the seed.
    directed : bool, default False
        If False the matrix is symmetric.

    Returns
    -------
    scipy.sparse.csr_array
        ``n x n`` float64 adjacency matrix with sorted indices and zero diagonal.

    Notes
    -----
    Geometric skipping over the candidate pairs (Batagelj and Brandes 2005) costs
    :math:`O(n + |E|)` instead of :math:`O(n^2)`, like :func:`networkx.fast_gnp_random_graph`.

    References
    ----------
    .. [1] Batagelj, V., Brandes, U. (2005). Efficient generation of large random networks.
       *Physical Review E* 71, 036113.

    Examples
    --------
    >>> from incnet.datasets import erdos_renyi_csr
    >>> A = erdos_renyi_csr(2000, 0.005, rng=3)
    >>> A.shape, bool(abs(A - A.T).sum() == 0), round(A.nnz / 2000, 1)
    ((2000, 2000), True, 10.2)
    """
    from .._kernels.generators import erdos_renyi_kernel

    n = check_int(n, "n", minimum=1)
    p = check_probability(p, "p")
    directed = bool(directed)
    pairs = n * (n - 1) if directed else n * (n - 1) // 2
    _check_links(pairs * p * (1 if directed else 2), f"an Erdős-Rényi graph with n = {n}, p = {p:g}")
    if p == 1.0:
        _check_links(n * n, f"a complete graph on n = {n} nodes (built densely)")
    seed = _draw_seed(rng)
    if p == 0.0 or n == 1:
        rows = cols = np.empty(0, dtype=np.int64)
    elif p == 1.0:
        rows, cols = np.nonzero(~np.eye(n, dtype=bool) if directed else np.triu(np.ones((n, n), bool), 1))
    else:
        pairs = n * (n - 1) if directed else n * (n - 1) // 2
        mean = pairs * p
        capacity = int(mean + 6.0 * np.sqrt(mean) + 16)
        while True:
            rows = np.empty(capacity, dtype=np.int64)
            cols = np.empty(capacity, dtype=np.int64)
            count = erdos_renyi_kernel(n, p, seed, directed, capacity, rows, cols)
            if count <= capacity:
                break
            capacity = count  # rare: the same seed replays the same pairs into more room
        rows, cols = rows[:count], cols[:count]
    if not directed:
        rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
    A = sp.coo_array((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    A.sort_indices()
    return A
