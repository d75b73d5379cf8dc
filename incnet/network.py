r"""The one data model of incnet: :class:`IncentiveNetwork`.

An incentive network over :math:`n` people is a sparse weighted matrix :math:`W` in CSR form
together with the people's labels. :math:`W_{ij}` is how much one unit of :math:`j`'s payoff is
worth to :math:`i` (altruism if positive, spite if negative); for network games the same matrix is
the interaction matrix :math:`G`. The diagonal is zero: nobody's payoff depends on itself.

Every public function of incnet calls :func:`as_network` once on its network argument, so a
networkx graph, a scipy sparse array or a dense array can be passed anywhere a network is expected.
"""

import gzip
import io
import math
import os
import re
import threading
import zlib
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp

from ._validate import describe
from .errors import InvalidInputError

__all__ = ["IncentiveNetwork", "as_network"]

#: Most nodes a network may have: the kernels index nodes with 32-bit integers.
MAX_NODES = 2**31 - 2
#: Above this many nodes no derived fact is computed through a dense matrix.
DENSE_LIMIT = 2000
#: Up to this many nodes eigenvalues are computed exactly from the dense matrix.
_EXACT_EIGEN_LIMIT = 600
#: Products of the Collatz-Wielandt iteration spent on a certificate before the spectral radius.
_CERTIFICATE_PRODUCTS = 40
#: From this many links on the certificate's products run on threads.
_PARALLEL_CERTIFICATE_NNZ = 200_000
#: Lanczos/Arnoldi basis size of ARPACK for the one extreme eigenvalue (scipy's default is 20):
#: its workspace is ncv vectors of n, the largest transient of a spectral radius at 10^6 nodes.
_ARPACK_NCV = 8


class _ReadOnlyCSR(sp.csr_array):
    """A ``csr_array`` whose arrays can be neither written nor replaced once frozen.

    Read-only flags stop ``W.data[0] = 1``; this class also stops ``W.data = ...`` (and the same
    for ``indices``, ``indptr`` and the shape), which would leave a network's cached facts
    (spectral radius, kernels' operators) describing another matrix. Everything scipy derives
    from it (``W.copy()``, ``2 * W``, slices) is an ordinary, writable matrix.
    """

    _frozen = False
    _GUARDED = frozenset({"data", "indices", "indptr", "_shape"})

    def __setattr__(self, name, value):
        if self._frozen and name in self._GUARDED:
            raise AttributeError(
                f"the matrix of an IncentiveNetwork is read-only (cannot set W.{name}); build a new "
                "network instead, e.g. net.scaled(c) or IncentiveNetwork(net.to_scipy() ...)"
            )
        super().__setattr__(name, value)

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self.__dict__.get("_frozen"):
            for arr in (self.data, self.indices, self.indptr):
                arr.flags.writeable = False


#: Cached facts that travel with a pickled network: numbers, flags and the node ordering, all pure
#: functions of W. Everything else in the cache is rebuilt on first use after unpickling.
_PICKLED_FACTS = frozenset({"spectral_radius", "row_sum_bound", "rho_upper_bound", "is_symmetric",
                            "is_nonnegative", "lambda_min", "ordering"})


#: The kernels of a solve split rows over threads only when at least this many cores are free of
#: other processes' work: a parallel region per step waits for its slowest thread, and on a
#: machine whose cores are busy with other work that thread is often descheduled. Measured on a
#: shared 2-core machine (load 2-6): one thread 3x faster at 10^6 nodes, 6x at 10^5.
_FREE_CORES_FOR_THREADS = 2


def _busy_elsewhere():
    """Tasks running now on this machine that are not this process's own threads, or None.

    Linux only (``/proc``). The instantaneous count of runnable tasks, not the load average:
    the load average of a busy process counts the process itself, so a program that calls the
    solver in a loop would soon talk itself out of its own threads. This process's running
    threads (its own thread pool spinning between parallel regions, say) are not others' work;
    they are counted only when the total leaves any doubt, which keeps the common case to one
    small read.
    """
    try:
        with open("/proc/loadavg", "rb") as f:
            running = int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return None
    others = running - 1  # this thread is running: it is reading the file
    if others <= 0:
        return 0
    own = 0
    try:
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/stat", "rb") as f:
                    stat = f.read()
            except OSError:  # the thread has ended
                continue
            own += stat[stat.rindex(b")") + 2:stat.rindex(b")") + 3] == b"R"
    except (OSError, ValueError):
        return others
    return max(running - max(own, 1), 0)


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        return os.cpu_count() or 1


def _threads_pay():
    """Whether the machine has free cores for a parallel kernel (results never depend on it).

    A count chosen with :func:`incnet.threads` is obeyed as it is. Otherwise threads pay when at
    least two of the cores this process may use are free of other processes' running tasks
    (:func:`_busy_elsewhere`); without ``/proc``, when the one-minute load average leaves 1.5
    cores idle.
    """
    from ._threads import chosen_threads

    chosen = chosen_threads()
    if chosen is not None:
        return chosen > 1
    cores = _usable_cores()
    if cores < _FREE_CORES_FOR_THREADS:
        return False
    others = _busy_elsewhere()
    if others is not None:
        return cores - others >= _FREE_CORES_FOR_THREADS
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return True
    return cores - load >= _FREE_CORES_FOR_THREADS - 0.5


def _freeze(W):
    """Make a canonical CSR array read-only in fact, so a shared network cannot change."""
    if not isinstance(W, _ReadOnlyCSR) or not W._frozen:
        W = _ReadOnlyCSR((W.data, W.indices, W.indptr), shape=W.shape, copy=False)
        W.has_sorted_indices = True
    for arr in (W.data, W.indices, W.indptr):
        arr.flags.writeable = False
    object.__setattr__(W, "_frozen", True)
    return W


def _check_index_array(arr, what, part):
    arr = np.asarray(arr)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise InvalidInputError(
            f"{what}: the sparse {part} array must be a 1-D integer array, got dtype {arr.dtype} "
            f"and shape {arr.shape}; rebuild the matrix with scipy's constructors"
        )
    return arr


def _check_sparse_structure(A, what):
    """Check the raw index arrays of a scipy sparse matrix before scipy or a kernel reads them.

    scipy trusts ``indptr``/``indices`` of a CSR/CSC/BSR matrix (and ``row``/``col`` of COO) built
    from raw arrays: an index out of range, a negative one or a decreasing ``indptr`` makes its
    C++ routines, and incnet's kernels, read and write outside the arrays. Raises
    InvalidInputError naming the first offending entry.
    """
    fmt = A.format
    if fmt in ("csr", "csc", "bsr"):
        indptr = _check_index_array(A.indptr, what, "indptr")
        indices = _check_index_array(A.indices, what, "indices")
        data = np.asarray(A.data)
        if fmt == "bsr":
            r, c = A.blocksize
            if r <= 0 or c <= 0 or A.shape[0] % r or A.shape[1] % c:
                raise InvalidInputError(f"{what}: block size {A.blocksize} does not divide shape {A.shape}")
            major, minor = A.shape[0] // r, A.shape[1] // c
            entries = data.shape[0] if data.ndim == 3 else -1
            if data.ndim != 3 or data.shape[1:] != (r, c):
                raise InvalidInputError(f"{what}: BSR data has shape {data.shape}, expected (nnz, {r}, {c})")
        else:
            major, minor = (A.shape[0], A.shape[1]) if fmt == "csr" else (A.shape[1], A.shape[0])
            if data.ndim != 1:
                raise InvalidInputError(f"{what}: the sparse data array must be 1-D, got shape {data.shape}")
            entries = data.shape[0]
        name = "row" if fmt != "csc" else "column"
        if indptr.shape[0] != major + 1:
            raise InvalidInputError(
                f"{what}: indptr has length {indptr.shape[0]} but a {A.shape} {fmt.upper()} matrix "
                f"needs {major + 1} (one more than its {name}s)"
            )
        if indptr[0] != 0:
            raise InvalidInputError(f"{what}: indptr must start at 0, got {int(indptr[0])}")
        steps = np.diff(indptr.astype(np.int64))
        if np.any(steps < 0):
            k = int(np.flatnonzero(steps < 0)[0])
            raise InvalidInputError(
                f"{what}: indptr must not decrease, but indptr[{k}] = {int(indptr[k])} > "
                f"indptr[{k + 1}] = {int(indptr[k + 1])}"
            )
        stored = int(indptr[-1])
        if stored > indices.shape[0] or stored > entries:
            raise InvalidInputError(
                f"{what}: indptr[-1] = {stored} but only {indices.shape[0]} indices and {entries} "
                "values are stored"
            )
        used = indices[:stored]
        if used.size:
            low, high = int(used.min()), int(used.max())
            if low < 0 or high >= minor:
                k = int(np.flatnonzero((used < 0) | (used >= minor))[0])
                other = "column" if fmt != "csc" else "row"
                raise InvalidInputError(
                    f"{what}: {other} index {int(used[k])} at position {k} is outside "
                    f"0..{minor - 1} for shape {A.shape}"
                )
    elif fmt == "coo":
        coords = getattr(A, "coords", None) or (A.row, A.col)
        if len(coords) != 2:
            raise InvalidInputError(f"{what}: a network matrix is 2-D, got {len(coords)} coordinates")
        for axis, (arr, size) in enumerate(zip(coords, A.shape)):
            arr = _check_index_array(arr, what, "row" if axis == 0 else "col")
            if arr.shape[0] != np.asarray(A.data).shape[0]:
                raise InvalidInputError(f"{what}: COO coordinates and data have different lengths")
            if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= size):
                k = int(np.flatnonzero((arr < 0) | (arr >= size))[0])
                raise InvalidInputError(
                    f"{what}: {'row' if axis == 0 else 'column'} index {int(arr[k])} of entry {k} "
                    f"is outside 0..{size - 1} for shape {A.shape}"
                )


def _check_weight_dtype(dtype, what):
    # Real numbers only; booleans (an unweighted adjacency matrix) read as 0/1 weights.
    if dtype.kind not in "biuf":
        raise InvalidInputError(
            f"{what} must hold real numbers (numeric weights), got dtype {dtype}; weights must be int, float or bool"
        )


def _canonical_csr(A, *, drop_diagonal, what):
    """Validated canonical CSR: float64, sorted indices, no duplicates, no explicit zeros."""
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise InvalidInputError(
            f"{what} must be a square matrix, got shape {A.shape}; W[i, j] relates node i to node j"
        )
    n = A.shape[0]
    if n == 0:
        raise InvalidInputError(f"{what} is empty (0 nodes); a network needs at least one node")
    if n > MAX_NODES:
        raise InvalidInputError(
            f"{what} has {n} nodes; incnet's kernels index nodes with 32-bit integers, so a network "
            f"has at most {MAX_NODES} nodes"
        )
    if np.iscomplexobj(A) if not sp.issparse(A) else np.issubdtype(A.dtype, np.complexfloating):
        raise InvalidInputError(f"{what} has complex entries ({A.dtype}); weights must be real numbers")
    _check_weight_dtype(A.dtype, what)
    if sp.issparse(A):
        _check_sparse_structure(A, what)
    try:
        W = sp.csr_array(A, dtype=np.float64, copy=True)
    except MemoryError:
        raise InvalidInputError(
            f"{what}: not enough memory for a copy of a {A.shape} matrix with {A.nnz if sp.issparse(A) else A.size} "
            "entries"
        ) from None
    except (TypeError, ValueError) as err:
        raise InvalidInputError(f"{what} must hold real numbers, got dtype {A.dtype} ({err})") from None
    W.sum_duplicates()
    if not np.all(np.isfinite(W.data)):
        bad = np.flatnonzero(~np.isfinite(W.data))[0]
        row = int(np.searchsorted(W.indptr, bad, side="right") - 1)
        raise InvalidInputError(
            f"{what} contains a non-finite weight {W.data[bad]} at ({row}, {int(W.indices[bad])}); "
            "every weight must be a finite number"
        )
    diagonal = W.diagonal()
    if np.any(diagonal != 0):
        if not drop_diagonal:
            i = int(np.flatnonzero(diagonal)[0])
            raise InvalidInputError(
                f"{what} has a non-zero diagonal entry W[{i}, {i}] = {diagonal[i]} "
                f"({int(np.count_nonzero(diagonal))} in all); nobody's payoff depends on itself. "
                "Pass drop_diagonal=True to drop self-loops"
            )
        W.setdiag(0)
    W.eliminate_zeros()
    W.sort_indices()
    W.has_sorted_indices = True
    if W.indices.dtype != np.int32 and max(n, W.nnz) < 2**31 - 1:
        # 32-bit indices whenever they fit: a third less memory for W and everything derived
        W.indices = W.indices.astype(np.int32)
        W.indptr = W.indptr.astype(np.int32)
    return W


def _as_labels(nodes, n):
    if nodes is None:
        return tuple(range(n))
    if isinstance(nodes, (str, bytes)) or not np.iterable(nodes):
        raise InvalidInputError(f"nodes must be a sequence of labels, got {describe(nodes)}")
    labels = tuple(nodes)
    if len(labels) != n:
        raise InvalidInputError(f"got {len(labels)} node labels for a network of {n} nodes")
    try:
        distinct = len(set(labels))
    except TypeError:
        raise InvalidInputError("node labels must be hashable (like networkx nodes), got "
                                f"{describe(next(l for l in labels if not _hashable(l)))}") from None
    if distinct != n:
        seen, duplicate = set(), None
        for label in labels:
            if label in seen:
                duplicate = label
                break
            seen.add(label)
        raise InvalidInputError(f"node labels must be unique; {describe(duplicate)} appears twice")
    return labels


def _finite(value, name):
    from ._validate import _as_real

    return _as_real(value, name)


def _as_dense(A, what):
    """A real float64 ndarray from array-like input, or InvalidInputError."""
    try:
        raw = np.asarray(A) if not isinstance(A, np.ndarray) else A
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} must be a square numeric matrix, got {describe(A)}") from None
    if np.iscomplexobj(raw):
        raise InvalidInputError(f"{what} has complex entries; weights must be real numbers")
    if raw.dtype.kind == "O":
        from ._validate import as_real_array

        return as_real_array(raw, what)
    _check_weight_dtype(raw.dtype, what)
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} must be a square numeric matrix, got {describe(A)}") from None


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True


@dataclass(frozen=True, eq=False, repr=False)
class IncentiveNetwork:
    r"""A sparse incentive network: a weighted matrix :math:`W` and node labels.

    Parameters
    ----------
    W : array_like or scipy sparse array, shape (n, n)
        ``W[i, j]`` is the weight node ``i`` puts on node ``j``'s payoff (or, in a network game,
        the strength of ``j``'s action in ``i``'s payoff). Converted to a ``scipy.sparse.csr_array``
        of float64 with sorted 32-bit indices (64-bit beyond 2**31 entries), duplicate entries
        summed and no explicit zeros; its arrays are read-only and cannot be replaced. A sparse
        matrix assembled from raw arrays is checked structurally before scipy or any kernel reads
        it: integer index arrays, ``indptr`` of length ``n + 1`` starting at 0 and never
        decreasing, every index in ``0 .. n - 1``. Booleans read as 0/1 weights (an unweighted
        adjacency matrix); strings, objects and complex numbers are refused.
    nodes : sequence, optional
        Labels of the nodes in index order (default ``0, ..., n - 1``). Must be unique.
    drop_diagonal : bool, default False
        A non-zero diagonal is an error unless this is True, in which case it is dropped.

    Raises
    ------
    InvalidInputError
        If ``W`` is not square, is empty, is structurally invalid (see above), contains NaN/inf
        or non-numeric entries, has a non-zero diagonal (without ``drop_diagonal``), or the
        labels are not unique or of the wrong length.

    See Also
    --------
    as_network : the conversion every public function applies to its network argument.

    Notes
    -----
    The network is immutable and cheap to share: derived facts (:attr:`spectral_radius`,
    :attr:`lambda_min`, symmetry, the label index) are computed once on first use and cached.
    Methods such as :meth:`scaled` return new networks.

    A network pickles as its three CSR arrays, its labels and the cached numbers (spectral radius,
    bounds, symmetry): it can be sent to worker processes (``multiprocessing``, joblib, Dask) and
    arrives with its well-posedness facts, so a worker does not recompute them.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet import IncentiveNetwork
    >>> net = IncentiveNetwork.from_networkx(nx.path_graph(["a", "b", "c"]), scale=0.5)
    >>> net
    IncentiveNetwork(n=3, nnz=4, symmetric=True)
    >>> net.nodes
    ('a', 'b', 'c')
    >>> round(net.spectral_radius, 4)
    0.7071
    """

    W: sp.csr_array
    nodes: tuple = None
    drop_diagonal: bool = field(default=False, kw_only=True)
    _cache: dict = field(default_factory=dict, init=False, compare=False)
    _lock: object = field(default_factory=threading.Lock, init=False, compare=False)

    def __post_init__(self):
        W = self.W
        validated = isinstance(W, _Validated)
        labels = None
        if validated:
            # the labels of an existing network, or a subset of them: already unique and hashable
            labels = W.nodes if W.nodes is self.nodes and isinstance(W.nodes, tuple) else None
            W = W.matrix
        elif sp.issparse(W):
            W = _canonical_csr(W, drop_diagonal=self.drop_diagonal, what="W")
        else:
            W = _canonical_csr(_as_dense(W, "W"), drop_diagonal=self.drop_diagonal, what="W")
        object.__setattr__(self, "W", _freeze(W))
        if labels is None or len(labels) != W.shape[0]:
            labels = _as_labels(self.nodes, W.shape[0])
        object.__setattr__(self, "nodes", labels)

    # ----------------------------------------------------------------- pickling
    def __getstate__(self):
        # The CSR arrays, the labels and the cached facts that are plain numbers or a permutation:
        # no lock, and no cache that refers to other objects (operators, transposes, the origin
        # of a scaled network), which the receiving process rebuilds on first use.
        W = self.W
        facts = {key: value for key, value in self._cache.items() if key in _PICKLED_FACTS}
        indices, indptr = W.indices, W.indptr
        if W.nnz < 2**31 - 1 and W.shape[0] < 2**31 - 1:  # 32-bit indices: 12 bytes per link
            indices, indptr = indices.astype(np.int32, copy=False), indptr.astype(np.int32, copy=False)
        return {"shape": W.shape, "data": W.data, "indices": indices, "indptr": indptr,
                "nodes": self.nodes, "facts": facts}

    def __setstate__(self, state):
        W = sp.csr_array((state["data"], state["indices"], state["indptr"]), shape=state["shape"],
                         copy=False)
        W.has_sorted_indices = True  # it was canonical when pickled
        object.__setattr__(self, "W", _freeze(W))
        object.__setattr__(self, "nodes", tuple(state["nodes"]))
        object.__setattr__(self, "drop_diagonal", False)
        object.__setattr__(self, "_cache", dict(state["facts"]))
        object.__setattr__(self, "_lock", threading.Lock())

    @classmethod
    def _trusted(cls, W, nodes):
        """Wrap an already canonical CSR array and the labels of a network (or a subset of them)
        without re-validating either (internal fast path)."""
        return cls(_Validated(W, nodes), nodes)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_scipy(cls, A, nodes=None, *, drop_diagonal=False):
        """Build from a scipy sparse array or matrix.

        Parameters
        ----------
        A : scipy.sparse array or matrix, shape (n, n)
        nodes : sequence, optional
            Node labels in index order.
        drop_diagonal : bool, default False
            Drop a non-zero diagonal instead of raising.

        Returns
        -------
        IncentiveNetwork

        Examples
        --------
        >>> import scipy.sparse as sp
        >>> IncentiveNetwork.from_scipy(sp.csr_array([[0, 0.5], [0.25, 0]])).nnz
        2
        """
        if not sp.issparse(A):
            raise InvalidInputError(f"from_scipy expects a scipy sparse array, got {type(A).__name__}")
        return cls(A, nodes, drop_diagonal=drop_diagonal)

    @classmethod
    def from_dense(cls, A, nodes=None, *, drop_diagonal=False):
        """Build from a dense square array.

        Examples
        --------
        >>> IncentiveNetwork.from_dense([[0, 1], [1, 0]]).is_symmetric
        True
        """
        dense = _as_dense(A, "from_dense: A")
        if dense.ndim != 2:
            raise InvalidInputError(f"W must be a square matrix, got shape {dense.shape}")
        return cls(sp.csr_array(dense), nodes, drop_diagonal=drop_diagonal)

    @classmethod
    def from_networkx(cls, G, weight=None, *, scale=1.0, nodelist=None, drop_diagonal=False):
        """Build from a networkx graph (directed or undirected).

        Parameters
        ----------
        G : networkx.Graph or networkx.DiGraph
            An edge ``u -> v`` sets ``W[u, v]``; an undirected edge sets both directions.
            Parallel edges of a multigraph are summed.
        weight : str, optional
            Edge attribute holding the weight. ``None`` gives every edge weight 1. If given, every
            edge must carry it: a missing attribute is an error, not a silent 1.
        scale : float, default 1.0
            Factor applied to every weight (e.g. the decay ``delta`` of a network game).
        nodelist : sequence, optional
            Node order; defaults to ``G``'s own node order. A subset of the nodes gives the
            network induced on it (as in networkx); unknown or repeated nodes are an error.
        drop_diagonal : bool, default False
            Drop self-loops instead of raising.

        Returns
        -------
        IncentiveNetwork
            Its ``nodes`` are the graph's node labels in ``nodelist`` order.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.DiGraph([("u", "v", {"w": 0.3})])
        >>> IncentiveNetwork.from_networkx(G, weight="w").to_scipy().toarray()
        array([[0. , 0.3],
               [0. , 0. ]])
        """
        import networkx as nx

        if not isinstance(G, nx.Graph):
            raise InvalidInputError(f"from_networkx expects a networkx graph, got {type(G).__name__}")
        if G.number_of_nodes() == 0:
            raise InvalidInputError("the graph has no nodes; a network needs at least one node")
        nodes = list(G.nodes) if nodelist is None else list(nodelist)
        if weight is not None and not _hashable(weight):
            raise InvalidInputError(
                f"weight must be the name of an edge attribute (a string) or None, got {describe(weight)}"
            )
        if weight is not None:
            for u, v, data in G.edges(data=True):
                if weight not in data:
                    raise InvalidInputError(
                        f"edge ({describe(u)}, {describe(v)}) has no {weight!r} attribute; "
                        "give every edge a weight or pass weight=None for unit weights"
                    )
        scale = _finite(scale, "scale")
        try:
            A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=weight, format="csr")
        except nx.NetworkXError as err:
            raise InvalidInputError(f"bad nodelist: {err}") from None
        except (TypeError, ValueError) as err:
            raise InvalidInputError(
                f"edge attribute {weight!r} must hold real numbers ({err})"
            ) from None
        if scale != 1.0:
            A = A * scale
        return cls(A, nodes, drop_diagonal=drop_diagonal)

    @classmethod
    def from_edgelist(
        cls,
        path_or_file,
        *,
        directed=False,
        weighted=False,
        delimiter=None,
        comments="#",
        nodetype=int,
        skip_header=False,
        drop_diagonal=False,
    ):
        """Read an edge list: one ``u v`` (or ``u v w``) per line.

        Parameters
        ----------
        path_or_file : str, os.PathLike or file object
            A path (``.gz`` files are decompressed) or an open text/binary file.
        directed : bool, default False
            If False each line sets both ``W[u, v]`` and ``W[v, u]``.
        weighted : bool, default False
            If True a third column holds the weight; otherwise every edge weighs 1 and repeated
            edges collapse to one. Weights of repeated weighted edges are summed.
        delimiter : str, optional
            Column separator; default any run of whitespace and/or commas (whitespace or CSV).
        comments : str, default "#"
            Text from this marker to the end of a line is ignored; blank lines are skipped.
            ``None`` disables comments.
        nodetype : callable, default int
            Converts a label token; ``str`` keeps labels as text.
        skip_header : bool, default False
            Skip the first non-comment line (e.g. a CSV header ``id_1,id_2``).
        drop_diagonal : bool, default False
            Drop self-loops instead of raising.

        Returns
        -------
        IncentiveNetwork
            Nodes are labelled as in the file, in order of first appearance.

        Raises
        ------
        InvalidInputError
            On a malformed line (wrong number of columns, unreadable label or weight, non-finite
            weight, undecodable text) or a self-loop without ``drop_diagonal``, naming the line
            number; if the file does not exist or holds no edge.

        Examples
        --------
        >>> import io
        >>> net = IncentiveNetwork.from_edgelist(io.StringIO("# friends\\n1 2\\n2 3\\n"))
        >>> net.nodes, net.nnz
        ((1, 2, 3), 4)
        """
        with _open_text(path_or_file) as handle:
            try:
                src, dst, wts, labels, first_loop = _parse_edges(
                    handle, weighted=weighted, delimiter=delimiter, comments=comments,
                    nodetype=nodetype, skip_header=skip_header,
                )
            except InvalidInputError as err:
                raise InvalidInputError(f"{_source_name(path_or_file)}, {err}") from None
        if first_loop is not None and not drop_diagonal:
            lineno, label = first_loop
            raise InvalidInputError(
                f"line {lineno}: self-loop on node {describe(label)}; nobody's payoff depends on "
                "itself. Pass drop_diagonal=True to drop self-loops"
            )
        n = len(labels)
        if n == 0:
            raise InvalidInputError("the edge list has no edges; a network needs at least one node")
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        wts = np.asarray(wts, dtype=np.float64)
        if not directed:
            mirror = src != dst  # a self-loop is its own mirror image
            src, dst = np.concatenate([src, dst[mirror]]), np.concatenate([dst, src[mirror]])
            wts = np.concatenate([wts, wts[mirror]])
        A = sp.coo_array((wts, (src, dst)), shape=(n, n)).tocsr()
        A.sum_duplicates()
        if not weighted:
            A.data[:] = 1.0
        return cls(A, labels, drop_diagonal=drop_diagonal)

    # ----------------------------------------------------------------- basic facts
    @property
    def n(self):
        """Number of nodes."""
        return self.W.shape[0]

    @property
    def nnz(self):
        """Number of stored non-zero weights (directed links)."""
        return self.W.nnz

    def __len__(self):
        return self.n

    def __repr__(self):
        return f"IncentiveNetwork(n={self.n}, nnz={self.nnz}, symmetric={self.is_symmetric})"

    def _cached(self, key, compute):
        # Derived facts are pure functions of the frozen W, so a race only computes one twice.
        try:
            return self._cache[key]
        except KeyError:
            value = compute()
            with self._lock:
                self._cache.setdefault(key, value)
            return self._cache[key]

    @property
    def node_index(self):
        """Read-only mapping from node label to index (cached).

        A ``types.MappingProxyType``: the cache behind it cannot be edited through it, so every
        later lookup still answers for the right node. ``dict(net.node_index)`` is a private copy.
        """
        return self._cached(
            "node_index",
            lambda: MappingProxyType({label: i for i, label in enumerate(self.nodes)}),
        )

    @property
    def is_symmetric(self):
        """Whether ``W`` equals its transpose exactly (cached)."""

        return self._cached("is_symmetric", lambda: _is_symmetric(self.W))

    @property
    def _symmetry_hint(self):
        """Whether ``W`` is symmetric, for choosing a method; False is a proof, True is not quite.

        The exact answer when it is known or cheap (below ``_SYMMETRY_KERNEL_NNZ`` weights).
        Otherwise a fingerprint of one streaming pass (about a tenth of the exact check's time):
        a non-zero fingerprint proves asymmetry and is cached as ``is_symmetric``; a zero one
        means symmetric up to a 64-bit hash collision. Use it only where a wrong True costs
        time, not correctness: conjugate gradients whose answer is checked by its true
        residual, or a shortcut skipped.
        """
        known = self._cache.get("is_symmetric")
        if known is not None:
            return known
        if self.nnz < _SYMMETRY_KERNEL_NNZ:
            return self.is_symmetric

        def compute():
            from ._kernels.network import symmetry_fingerprint_kernel

            W = self.W
            indptr, indices = self._unsigned_csr
            weight_bits = (np.empty(0, dtype=np.uint64) if self._uniform_weight is not None
                           else np.ascontiguousarray(W.data, dtype=np.float64).view(np.uint64))
            # read-only either way (the weights are): one compiled specialisation serves both
            weight_bits.flags.writeable = False
            chunks = max(1, min(1024, W.nnz // 50_000))
            fingerprint = symmetry_fingerprint_kernel(indptr, indices, weight_bits, chunks,
                                                      W.nnz >= _PARALLEL_CERTIFICATE_NNZ
                                                      and _threads_pay())
            if fingerprint != 0:
                with self._lock:
                    self._cache["is_symmetric"] = False
                return False
            return True

        return self._cached("symmetry_hint", compute)

    @property
    def is_nonnegative(self):
        """Whether every weight is >= 0 (cached)."""
        return self._cached("is_nonnegative", lambda: bool(np.all(self.W.data >= 0)))

    @property
    def abs_W(self):
        """The entrywise absolute value :math:`|W|` as a read-only CSR array (cached)."""

        def compute():
            if self.is_nonnegative:
                return self.W
            A = self.W.copy()
            A.data = np.abs(A.data)
            return _freeze(A)

        return self._cached("abs_W", compute)

    @property
    def row_sum_bound(self):
        r"""Cheap bound :math:`\min(\max_i \sum_j |W_{ij}|, \max_j \sum_i |W_{ij}|) \ge \rho(|W|)`."""

        def compute():
            A = self.abs_W
            with np.errstate(over="ignore"):  # an overflowing sum is a valid (infinite) bound
                rows = float(A.sum(axis=1).max()) if A.nnz else 0.0
                cols = float(A.sum(axis=0).max()) if A.nnz else 0.0
            return min(rows, cols)

        return self._cached("row_sum_bound", compute)

    @property
    def _uniform_weight(self):
        """The weight every stored entry shares, or None (cached; 0.0 for no links)."""

        def compute():
            data = self.W.data
            if data.size == 0:
                return 0.0
            first = data[0]
            return float(first) if bool(np.all(data == first)) else None

        return self._cached("uniform_weight", compute)

    @property
    def _abs_weight_range(self):
        """``(min |w|, max |w|)`` over the stored weights (cached; ``(0.0, 0.0)`` for no links)."""

        def compute():
            data = self.W.data
            if data.size == 0:
                return (0.0, 0.0)
            uniform = self._cache.get("uniform_weight")
            if uniform is not None:
                return (abs(uniform), abs(uniform))
            magnitude = np.abs(data)
            return (float(magnitude.min()), float(magnitude.max()))

        return self._cached("abs_weight_range", compute)

    @property
    def _unsigned_csr(self):
        """``(indptr as uint64, indices as uint32)`` of ``W``, the kernels' index arrays (cached;
        shared by scaled copies). Unsigned indices spare numba's negative-index checks."""
        return self._cached("unsigned_csr", lambda: (np.asarray(self.W.indptr, dtype=np.uint64),
                                                     np.asarray(self.W.indices, dtype=np.uint32)))

    def _rho_certificate(self, limit=1.0, *, tight=False):
        r"""A proven upper bound on :math:`\rho(|W|)` below ``limit``, or None (cached).

        As cheap as possible: a spectral radius already known; a bound proved before; for a
        directed network the largest absolute row or column sum; then the Collatz-Wielandt
        bound :math:`\rho(A) \le \max_i (Av)_i / v_i` (any positive :math:`v`) of a few steps of
        the geometric-mean iteration :math:`v \leftarrow \sqrt{v \circ Av}` on
        :math:`A = |W|` from :math:`v = 1` (whose first bound is the largest row sum). It stops at
        the first bound below ``limit`` unless ``tight``, in which case it continues until the
        bound improves by less than 1% per product (an iteration whose speed depends on the
        bound, such as Chebyshev's, wants it close to the radius). Each product is one pass
        over the CSR arrays. None when 40 products find no bound below ``limit``: then only the
        spectral radius itself can decide (the caller computes it).

        The bound is rounded up by a relative ``1e-12`` (the rounding of the products), so an
        ill-posed network is never certified. The best bound found is cached as
        ``rho_upper_bound`` and kept by :meth:`scaled` (scaled by the factor).
        """
        if self.nnz == 0:
            return 0.0
        rho = self._cache.get("spectral_radius")
        if rho is not None:
            return rho if rho < limit else None
        best = self._cache.get("rho_upper_bound", math.inf)
        if best < limit and (not tight or self._cache.get("rho_bound_tight")):
            return best
        if not self._symmetry_hint:  # for a symmetric W the column sums are the row sums
            sums = self.row_sum_bound
            if sums < limit:
                return sums
        from ._threads import parallel_allowed

        if not parallel_allowed():
            return None  # the kernel is compiled parallel: a forked child uses ARPACK (scipy)
        from ._kernels.payoffs import collatz_wielandt_kernel, row_chunks

        W = self.W
        weight = self._uniform_weight
        if weight is not None:
            data, weight = np.empty(0), abs(weight)
        else:
            data, weight = (W.data if self.is_nonnegative else self.abs_W.data), 0.0
        indptr, indices = self._unsigned_csr
        chunks = max(1, min(1024, W.nnz // 50_000))
        bound, _ = collatz_wielandt_kernel(indptr, indices, data, weight,
                                           row_chunks(indptr, chunks), _CERTIFICATE_PRODUCTS,
                                           limit, 0.01 if tight else np.inf,
                                           W.nnz >= _PARALLEL_CERTIFICATE_NNZ and _threads_pay())
        bound = float(bound) * (1.0 + 1e-12)
        if not bound < limit:  # also NaN and inf
            return None
        with self._lock:
            if bound < self._cache.get("rho_upper_bound", math.inf):
                self._cache["rho_upper_bound"] = bound
            if tight:
                self._cache["rho_bound_tight"] = True
        return self._cache["rho_upper_bound"]

    @property
    def spectral_radius(self):
        r"""The spectral radius :math:`\rho(|W|)` of the entrywise absolute matrix (cached).

        :math:`\rho(|W|) \ge \rho(W)`, with equality when :math:`W \ge 0`. It decides whether
        :math:`u = x + W u` is well posed (:math:`\rho(|W|) < 1`) and bounds the decay of network
        games (:math:`\delta \rho(G) < 1`).

        Notes
        -----
        For a directed network only the strongly connected components with a cycle matter
        (links between components add nilpotent parts): an acyclic network, such as a
        recruitment forest, has :math:`\rho = 0` exactly, with no eigensolver involved. Up to
        600 nodes (of those components) the eigenvalues of the dense matrix are computed exactly
        (LAPACK). Above, ARPACK
        (``scipy.sparse.linalg.eigsh`` for symmetric, ``eigs`` otherwise) finds the eigenvalue of
        largest modulus. If ARPACK fails to converge the fallback is the Collatz-Wielandt bracket
        of a power iteration: for a non-negative matrix and any positive vector :math:`x`,
        :math:`\min_i (Ax)_i/x_i \le \rho(A) \le \max_i (Ax)_i/x_i`; the upper end is returned,
        so the check errs on the safe side.
        """
        return self._cached("spectral_radius", lambda: _spectral_radius(self.abs_W, self.is_symmetric))

    @property
    def lambda_min(self):
        r"""Smallest eigenvalue of a symmetric ``W`` (cached).

        It decides uniqueness in games of strategic substitutes: the equilibrium of
        :math:`x_i = \max(0, \bar x_i - \delta \sum_j g_{ij} x_j)` is unique for every
        :math:`\bar x` iff :math:`\delta |\lambda_{\min}(G)| < 1`.

        Raises
        ------
        InvalidInputError
            If ``W`` is not symmetric.
        """
        if not self.is_symmetric:
            raise InvalidInputError(
                "lambda_min is defined here for symmetric W only; this network is directed or "
                "asymmetric (use spectral_radius for a bound instead)"
            )
        return self._cached("lambda_min", lambda: _lambda_min(self.W))

    # ----------------------------------------------------------------- new networks
    def scaled(self, factor):
        """A new network with every weight multiplied by ``factor``.

        Examples
        --------
        >>> import networkx as nx
        >>> round(IncentiveNetwork.from_networkx(nx.cycle_graph(5)).scaled(0.2).spectral_radius, 6)
        0.4
        """
        factor = _finite(factor, "factor")
        if factor == 0.0:
            W = sp.csr_array((self.n, self.n), dtype=np.float64)
            return type(self)._trusted(W, self.nodes)
        # Rounding is monotone, so the largest and smallest |weight| times |factor| are the
        # largest and smallest new weights: two products check all of them.
        smallest, largest = self._abs_weight_range
        with np.errstate(over="ignore", under="ignore"):
            new_range = (smallest * abs(factor), largest * abs(factor))
        if not math.isfinite(new_range[1]):
            raise InvalidInputError(
                f"scaled({factor:g}) overflows: the largest weight {largest:g} times {factor:g} is "
                "not a finite float64; scale by a smaller factor"
            )
        if self.nnz and new_range[0] == 0.0:
            raise InvalidInputError(
                f"scaled({factor:g}) underflows: some weights become exactly 0 and the network would "
                "lose links; scale by a larger factor"
            )
        data = self.W.data * factor
        # The pattern is shared with this network (its arrays are read-only): only the weights
        # are new, so a loop over decays (net.scaled(delta) per call) copies no index array.
        W = sp.csr_array((data, self.W.indices, self.W.indptr), shape=self.W.shape, copy=False)
        W.has_sorted_indices = True
        new = type(self)._trusted(W, self.nodes)
        new._cache["abs_weight_range"] = new_range
        uniform = self._cache.get("uniform_weight")
        if uniform is not None:
            new._cache["uniform_weight"] = float(uniform * factor)
        # Solvers that cache work on a network (a reordered copy of W, say) can derive it from the
        # unscaled origin, so a loop over decays (net.scaled(delta) per call) pays for it once.
        origin, base_factor = self._cache.get("scaled_from", (self, 1.0))
        new._cache["scaled_from"] = (origin, base_factor * factor)
        # Facts of the pattern survive scaling; spectral facts scale with it.
        for key in ("spectral_radius", "row_sum_bound", "rho_upper_bound"):
            if key in self._cache:
                new._cache[key] = self._cache[key] * abs(factor)
        for key in ("is_symmetric", "symmetry_hint", "node_index", "ordering", "rho_bound_tight",
                    "unsigned_csr"):
            if key in self._cache:
                new._cache[key] = self._cache[key]
        if factor > 0:
            for key in ("is_nonnegative",):
                if key in self._cache:
                    new._cache[key] = self._cache[key]
            if "lambda_min" in self._cache:
                new._cache["lambda_min"] = self._cache["lambda_min"] * factor
        return new

    def row_normalized(self, total=1.0):
        r"""A new network whose non-empty rows each sum to ``total`` (in absolute value).

        With ``total`` :math:`a < 1` each person values the average of their contacts' payoffs at
        :math:`a` times their own, which makes :math:`u = x + Wu` well posed on any graph
        (:math:`\rho(|W|) \le a`). Rows without links stay empty.

        Examples
        --------
        >>> import networkx as nx
        >>> net = IncentiveNetwork.from_networkx(nx.star_graph(3)).row_normalized(0.5)
        >>> net.to_scipy().sum(axis=1)
        array([0.5, 0.5, 0.5, 0.5])
        """
        total = _finite(total, "total")
        if total < 0:
            raise InvalidInputError(f"total must be >= 0, got {total}; it is the weight each "
                                    "person puts on their contacts' payoffs together")
        with np.errstate(over="ignore"):
            sums = np.asarray(abs(self.W).sum(axis=1)).ravel()
            factors = np.divide(total, sums, out=np.zeros_like(sums), where=sums > 0)
            W = self.W.copy()
            W.data = W.data * np.repeat(factors, np.diff(W.indptr))
        if not np.all(np.isfinite(W.data)) or (total > 0 and np.any(W.data == 0)):
            raise InvalidInputError(
                f"row_normalized({total:g}) leaves weights outside the float64 range (the row sums "
                f"span {float(sums[sums > 0].min()):g} to {float(sums.max()):g}); use a total closer to 1"
            )
        W.eliminate_zeros()
        return type(self)._trusted(W, self.nodes)

    def subnetwork(self, nodes):
        """The network induced on ``nodes`` (labels), in the given order.

        Examples
        --------
        >>> import networkx as nx
        >>> IncentiveNetwork.from_networkx(nx.path_graph(4)).subnetwork([2, 3]).nnz
        2
        """
        from ._validate import as_node_indices

        idx = as_node_indices(self, nodes)
        if len(idx) == 0:
            raise InvalidInputError("subnetwork needs at least one node")
        if len(np.unique(idx)) != len(idx):
            raise InvalidInputError("subnetwork: the node list contains duplicates")
        W = self.W[idx][:, idx]
        W = sp.csr_array(W)
        W.sort_indices()
        return type(self)._trusted(W, tuple(self.nodes[i] for i in idx))

    def to_scipy(self):
        """A writable copy of ``W`` as a ``scipy.sparse.csr_array``."""
        return self.W.copy()

    def to_networkx(self, *, weight="weight", directed=None):
        """A networkx graph with the same labels and weights.

        Parameters
        ----------
        weight : str, default "weight"
            Edge attribute that receives the weights.
        directed : bool, optional
            ``None`` (default) returns a ``networkx.Graph`` when ``W`` is symmetric and a
            ``networkx.DiGraph`` otherwise; True or False forces the type (False requires a
            symmetric ``W``).

        Returns
        -------
        networkx.Graph or networkx.DiGraph
            ``from_networkx(G, weight=weight)`` gives back the same network.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.karate_club_graph()
        >>> H = IncentiveNetwork.from_networkx(G).to_networkx()
        >>> nx.utils.graphs_equal(nx.Graph(G.edges), nx.Graph(H.edges))
        True
        """
        import networkx as nx

        if directed is None:
            directed = not self.is_symmetric
        if not directed and not self.is_symmetric:
            raise InvalidInputError("directed=False needs a symmetric W; an undirected graph would "
                                    "lose the weights of one direction")
        G = nx.DiGraph() if directed else nx.Graph()
        G.add_nodes_from(self.nodes)
        coo = self.W.tocoo()
        labels = self.nodes
        G.add_weighted_edges_from(
            ((labels[i], labels[j], w) for i, j, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist())),
            weight=weight,
        )
        return G

    def degrees(self):
        """Number of out-links of each node (row non-zeros), int64."""
        return np.diff(self.W.indptr).astype(np.int64)


#: From this many stored weights on, symmetry is checked by a kernel (a counting-sort transpose of
#: the pattern, compared in place: no scipy matrix, no sort).
_SYMMETRY_KERNEL_NNZ = 200_000


def _is_symmetric(W):
    """Exact symmetry of a canonical CSR array, without forming ``W - W.T``.

    Large matrices use a kernel that transposes the pattern by a counting sort and compares it
    with ``W``'s own index array (and the weights only when they are not all equal): about one
    sparse product's time, which matters on the first call on a fresh network. Small ones compare
    row with column counts, then their arrays with those of the transpose built in canonical form
    (a canonical CSR array equals another iff their three arrays do).
    """
    n = W.shape[0]
    if W.nnz == 0:
        return True
    if W.nnz >= _SYMMETRY_KERNEL_NNZ:
        from ._kernels.network import is_symmetric_kernel

        return bool(is_symmetric_kernel(W.indptr, W.indices, W.data))
    # (np.bincount copies a read-only input, so the large route above avoids it)
    if not np.array_equal(np.diff(W.indptr), np.bincount(W.indices, minlength=n)):
        return False
    T = W.T.tocsr()  # CSC -> CSR conversion writes sorted indices, no duplicates, no zeros
    if not T.has_sorted_indices:
        T.sort_indices()
    return bool(np.array_equal(T.indices, W.indices) and np.array_equal(T.data, W.data))


class _Validated:
    """Marker wrapping a CSR array that is already canonical (see ``_trusted``)."""

    __slots__ = ("matrix", "nodes")

    def __init__(self, matrix, nodes=None):
        self.matrix = matrix
        self.nodes = nodes


def as_network(obj, *, weight=None):
    """Convert anything incnet accepts as a network into an :class:`IncentiveNetwork`.

    Every public function of incnet calls this once at its boundary.

    Parameters
    ----------
    obj : IncentiveNetwork, networkx graph, scipy sparse array/matrix or 2-D array
        An IncentiveNetwork is returned unchanged.
    weight : str, optional
        Edge attribute to read from a networkx graph (default: unit weights).

    Returns
    -------
    IncentiveNetwork

    Raises
    ------
    InvalidInputError
        If ``obj`` is none of the accepted types, or is not a valid network.

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet import as_network
    >>> as_network(nx.karate_club_graph())
    IncentiveNetwork(n=34, nnz=156, symmetric=True)
    """
    if isinstance(obj, IncentiveNetwork):
        return obj
    if sp.issparse(obj):
        return IncentiveNetwork.from_scipy(obj)
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx is a core dependency
        nx = None
    if nx is not None and isinstance(obj, nx.Graph):
        return IncentiveNetwork.from_networkx(obj, weight=weight)
    if isinstance(obj, (np.ndarray, list, tuple)):
        return IncentiveNetwork.from_dense(obj)
    raise InvalidInputError(
        f"expected an IncentiveNetwork, a networkx graph, a scipy sparse array or a 2-D array, "
        f"got {type(obj).__name__}"
    )


# --------------------------------------------------------------------- edge-list parsing
def _source_name(path_or_file):
    """How an edge list's source is named in error messages."""
    if isinstance(path_or_file, (str, os.PathLike)):
        return f"edge list {os.fspath(path_or_file)!r}"
    name = getattr(path_or_file, "name", None)
    return f"edge list {name!r}" if isinstance(name, str) else "edge list"


class _open_text:
    """Context manager yielding a text handle for a path (gzip-aware) or an open file."""

    def __init__(self, path_or_file):
        self.source = path_or_file
        self.handle = None
        self.owned = False

    def __enter__(self):
        src = self.source
        if isinstance(src, (str, os.PathLike)):
            path = os.fspath(src)
            if not os.path.exists(path):
                raise InvalidInputError(f"edge list {path!r} does not exist")
            raw = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
            self.handle = io.TextIOWrapper(raw, encoding="utf-8")
            self.owned = True
        elif hasattr(src, "read"):
            sample = src.read(0)
            self.handle = io.TextIOWrapper(src, encoding="utf-8") if isinstance(sample, bytes) else src
        else:
            raise InvalidInputError(f"expected a path or a file object, got {type(src).__name__}")
        return self.handle

    def __exit__(self, *exc):
        if self.owned:
            self.handle.close()
        elif isinstance(self.handle, io.TextIOWrapper) and self.handle is not self.source:
            self.handle.detach()
        return False


_SPLIT = re.compile(r"[,\s]+")


def _parse_edges(handle, *, weighted, delimiter, comments, nodetype, skip_header):
    index, labels = {}, []
    src, dst, wts = [], [], []
    expected = 3 if weighted else 2
    header_pending = skip_header
    first_loop = None
    lines = enumerate(handle, start=1)
    lineno = 0
    while True:
        try:
            lineno, line = next(lines)
        except StopIteration:
            break
        except UnicodeDecodeError as err:
            raise InvalidInputError(
                f"line {lineno + 1}: not valid UTF-8 text ({err.reason}); is the file compressed "
                "without a .gz name, or binary?"
            ) from None
        except (EOFError, OSError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
            raise InvalidInputError(
                f"line {lineno + 1}: the compressed data is corrupt or truncated ({err}); "
                "download or decompress the file again"
            ) from None
        if comments:
            line = line.split(comments, 1)[0]
        text = line.strip()
        if not text:
            continue
        if header_pending:
            header_pending = False
            continue
        tokens = text.split(delimiter) if delimiter is not None else _SPLIT.split(text)
        tokens = [t.strip() for t in tokens if t.strip() != ""]
        if len(tokens) != expected:
            raise InvalidInputError(
                f"line {lineno}: expected {expected} columns ({'u v w' if weighted else 'u v'}), "
                f"got {len(tokens)}: {text[:60]!r}"
            )
        ends = []
        for token in tokens[:2]:
            try:
                label = nodetype(token)
            except (TypeError, ValueError):
                raise InvalidInputError(
                    f"line {lineno}: cannot read node label {token!r} with {getattr(nodetype, '__name__', nodetype)}; "
                    "pass nodetype=str for text labels"
                ) from None
            k = index.get(label)
            if k is None:
                k = index[label] = len(labels)
                labels.append(label)
            ends.append(k)
        if weighted:
            try:
                w = float(tokens[2])
            except ValueError:
                raise InvalidInputError(f"line {lineno}: weight {tokens[2]!r} is not a number") from None
            if not math.isfinite(w):
                raise InvalidInputError(f"line {lineno}: weight {tokens[2]!r} is not finite")
        else:
            w = 1.0
        if ends[0] == ends[1] and first_loop is None:
            first_loop = (lineno, labels[ends[0]])
        src.append(ends[0])
        dst.append(ends[1])
        wts.append(w)
    return src, dst, wts, labels, first_loop


# --------------------------------------------------------------------- spectra
def _collatz_wielandt_upper(A, iterations=50):
    """Upper bound on rho(A) for non-negative A: min over a power iteration of max_i (Ax)_i / x_i.

    The iteration runs on A + I (same Perron vector, but it also converges when A is periodic,
    e.g. bipartite); the floor keeps x strictly positive so every ratio is a valid bound.
    """
    n = A.shape[0]
    x = np.ones(n)
    upper = np.inf
    for _ in range(iterations):
        y = A @ x
        upper = min(upper, float(np.max(y / x)))
        x = y + x
        x = np.maximum(x / np.max(x), 1e-12)
    return upper


def _cyclic_part(A):
    """The part of A whose spectral radius is A's: None (no cycle), A itself, or an operator.

    Links between strongly connected components only add nilpotent parts, so rho(A) is the
    largest spectral radius of the diagonal blocks of the components with a cycle; a network
    without cycles (a recruitment forest) has rho = 0 exactly, which a dense eigensolver would
    blur into rounding noise of size eps**(1/depth). Up to ``_EXACT_EIGEN_LIMIT`` such nodes the
    blocks are extracted (a CSR array, by a kernel straight from A's arrays); beyond, a
    ``LinearOperator`` applies A with the links between components masked out, reading A's
    arrays in place, so no copy of A is made.
    """
    from scipy.sparse.csgraph import connected_components

    n = A.shape[0]
    count, labels = connected_components(A, directed=True, connection="strong")
    if count == n:
        return None
    if count == 1:
        return A
    from ._kernels import network as kernels

    sizes = np.bincount(labels)
    new_index = np.empty(n, dtype=np.int64)
    indptr = np.empty(n + 1, dtype=np.int64)
    kept = kernels.cyclic_block_count_kernel(A.indptr, A.indices, labels, sizes, new_index, indptr)
    if kept > _EXACT_EIGEN_LIMIT:
        from scipy.sparse.linalg import LinearOperator

        del new_index, indptr

        def matvec(x):
            x = np.ascontiguousarray(np.asarray(x, dtype=np.float64).ravel())
            y = np.empty(n)
            kernels.masked_matvec_kernel(A.indptr, A.indices, A.data, labels, x, y)
            return y

        return LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    indptr = indptr[: kept + 1].copy()
    nnz = int(indptr[-1])
    indices = np.empty(nnz, dtype=np.int64)
    data = np.empty(nnz)
    kernels.cyclic_block_fill_kernel(A.indptr, A.indices, A.data, labels, new_index, indices, data)
    return sp.csr_array((data, indices, indptr), shape=(kept, kept))


def _rescaled(A):
    """``(A / m, m)`` with ``m`` the largest absolute weight when weights are extreme.

    Eigensolvers square and sum the weights; near 1e308 (or 1e-308) that overflows (underflows)
    and they return NaN. ``rho(A) = m rho(A / m)`` then holds exactly, up to one rounding.
    """
    m = float(np.max(np.abs(A.data))) if A.nnz else 0.0
    if m == 0.0 or 1e-100 <= m <= 1e100:
        return A, 1.0
    B = A.copy()
    B.data = B.data / m
    return B, m


def _spectral_radius(A, symmetric):
    if A.nnz == 0:
        return 0.0
    A, m = _rescaled(A)
    if m != 1.0:
        with np.errstate(over="ignore"):
            return float(m * _spectral_radius(A, symmetric))
    if not symmetric:
        A = _cyclic_part(A)
        if A is None:
            return 0.0
    n = A.shape[0]
    if n <= _EXACT_EIGEN_LIMIT and sp.issparse(A):
        dense = A.toarray()
        eig = np.linalg.eigvalsh(dense) if symmetric else np.linalg.eigvals(dense)
        return float(np.max(np.abs(eig)))
    from scipy.sparse.linalg import ArpackNoConvergence, eigs, eigsh

    try:
        if symmetric:
            val = eigsh(A, k=1, which="LA", tol=1e-10, maxiter=max(1000, 20 * n),
                        ncv=_ARPACK_NCV, v0=np.ones(n), return_eigenvectors=False)
            return float(abs(val[0]))
        val = eigs(A, k=1, which="LM", tol=1e-10, maxiter=max(1000, 20 * n), ncv=_ARPACK_NCV,
                   v0=np.ones(n), return_eigenvectors=False)
        return float(abs(val[0]))
    except ArpackNoConvergence:
        return _collatz_wielandt_upper(A, iterations=200)


def _lambda_min(W):
    n = W.shape[0]
    if W.nnz == 0:
        return 0.0
    W, m = _rescaled(W)
    if m != 1.0:
        with np.errstate(over="ignore"):
            return float(m * _lambda_min(W))
    if n <= _EXACT_EIGEN_LIMIT:
        return float(np.linalg.eigvalsh(W.toarray())[0])
    from scipy.sparse.linalg import ArpackNoConvergence, eigsh

    try:
        val = eigsh(W, k=1, which="SA", tol=1e-10, maxiter=max(2000, 20 * n),
                    v0=np.ones(n), return_eigenvectors=False)
        return float(val[0])
    except ArpackNoConvergence:
        # Shift so the smallest eigenvalue becomes the largest: lambda_min = s - lambda_max(sI - W).
        shift = float(abs(W).sum(axis=1).max())
        S = sp.identity(n, format="csr") * shift - W
        val = eigsh(S, k=1, which="LA", tol=1e-8, maxiter=max(5000, 50 * n),
                    v0=np.ones(n), return_eigenvectors=False)
        return float(shift - val[0])
