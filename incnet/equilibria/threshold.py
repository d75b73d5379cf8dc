r"""Threshold (coordination) games: who acts when acting pays only if enough others act.

Each player :math:`i` chooses :math:`a_i \in \{0, 1\}` and acts iff

.. math:: \sum_j w_{ij} a_j + r_i \ge \theta_i ,

with weights :math:`w_{ij} \ge 0` (row :math:`i` of :math:`W` holds whom :math:`i` listens to),
a threshold :math:`\theta_i` and a reward :math:`r_i` paid for acting. With non-negative weights
the best reply is monotone in the others' actions, so the game is supermodular: its equilibria
form a lattice with a least and a greatest element (Tarski), reached by best-response dynamics
from "nobody acts" and from "everybody acts" respectively.
"""

from dataclasses import dataclass

import numpy as np

from .._results import ResultMixin
from .._validate import as_vector, check_method
from ..errors import InvalidInputError
from ..network import as_network
from ._common import influence_matrix, require_nonnegative_weights

__all__ = ["ThresholdResult", "threshold_equilibrium"]

STARTS = ("none", "all")
#: A round pulls (scans the inactive players' rows) instead of pushing when this many times the
#: links of the newly active players reach the links of the inactive ones; a forward scan of a
#: row costs several times less per link than a scattered update (measured on BA graphs).
_PULL_FACTOR = 5.0


@dataclass(frozen=True, repr=False)
class ThresholdResult(ResultMixin):
    """An equilibrium of a threshold game and the dynamics that reached it.

    Attributes
    ----------
    active : numpy.ndarray of bool
        Who acts in the equilibrium, shape (n,), in the order of ``nodes``.
    rounds : int
        Synchronous best-response rounds in which somebody changed action (the two phases added
        up for an explicit start profile).
    activation_round : numpy.ndarray of int64
        For each player the synchronous round of the upward dynamics in which it became active:
        0 for players active at the start of that phase, -1 for players who end inactive.
    n_active : int
        Number of active players.
    converged : bool
        Always True: monotone dynamics stop after at most n changes.
    edge_visits : int
        Links scanned by the dynamics (each change of action scans its player's followers once).
    residual : float
        :func:`~incnet.equilibria.best_response_gap` of ``active``, recomputed with one sparse
        product (``nan`` when ``check=False``).
    method : str
        ``"worklist"``.
    start : str
        ``"none"``, ``"all"`` or ``"profile"``.
    nodes : tuple
        Node labels in index order.
    """

    active: np.ndarray
    rounds: int
    activation_round: np.ndarray
    n_active: int
    converged: bool
    edge_visits: int
    residual: float
    method: str
    start: str
    nodes: tuple = ()

    _per_node_field = "active"


def _unsigned(index_array):
    return index_array.view(np.uint32 if index_array.dtype == np.int32 else np.uint64)


def _start_profile(start, n):
    if isinstance(start, str):
        check_method(start, STARTS, name="start")
        return None
    arr = np.asarray(start)
    if arr.dtype != bool:
        arr = as_vector(arr, n, "start")
        if not np.all((arr == 0) | (arr == 1)):
            bad = int(np.flatnonzero((arr != 0) & (arr != 1))[0])
            raise InvalidInputError(
                f"start must be 'none', 'all' or a 0/1 (bool) profile; entry {bad} is {arr[bad]}"
            )
    elif arr.shape != (n,):
        raise InvalidInputError(f"start has shape {arr.shape}; the network has {n} nodes")
    return np.ascontiguousarray(arr.astype(np.uint8))


def threshold_equilibrium(net, theta, *, reward=None, start="none", check=True):
    r"""An equilibrium of the threshold game by monotone best-response dynamics.

    Player :math:`i` acts iff :math:`\sum_j w_{ij} a_j + r_i \ge \theta_i`.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        ``W[i, j] >= 0`` is how much ``j``'s action counts towards ``i``'s threshold: row ``i``
        holds whom ``i`` listens to. (For a networkx ``DiGraph`` an edge ``u -> v`` therefore
        means that ``u`` listens to ``v``; pass ``G.reverse()`` if your edges point from
        influencer to follower.)
    theta : float or array_like, shape (n,)
        Thresholds :math:`\theta_i`.
    reward : float or array_like, shape (n,), optional
        Rewards :math:`r_i` for acting (default 0). A player with :math:`r_i \ge \theta_i` acts
        whatever the others do: a seed.
    start : {"none", "all"} or array_like of bool, default "none"
        ``"none"`` gives the least equilibrium (the cascade triggered by the seeds), ``"all"`` the
        greatest. A 0/1 profile first drops, by downward best-response dynamics, the players of
        the profile that would not act, down to the largest subset that sustains itself, then
        runs the upward dynamics from there: the result is the least equilibrium above that
        subset.
    check : bool, default True
        Recompute the best-response gap of the answer with one sparse product (``O(nnz)``);
        ``False`` skips it, for repeated calls whose cascades touch few links.

    Returns
    -------
    ThresholdResult
        ``active`` (bool array), ``rounds``, ``activation_round``, ``n_active``, ...

    Raises
    ------
    InvalidInputError
        On a negative weight (it breaks monotonicity, so the dynamics need not reach an
        equilibrium), NaN/inf or wrongly shaped ``theta``/``reward``, or a bad ``start``.

    See Also
    --------
    best_response_gap : with ``game="threshold"``, the check applied to the answer.

    Notes
    -----
    The dynamics run in a numba kernel over the CSR arrays of :math:`W^\top` with a worklist:
    a player who changes action scans the players who listen to it once, subtracting its weight
    from what they still lack (or adding it back, going down), and a player is queued the moment
    its threshold is met. Cost :math:`O(n + \sum_{\text{changed } j} \deg^+(j))` plus sorting
    each round's queue, at most :math:`O(\mathrm{nnz} + n \log n)`. The queue is processed round
    by round (in index order within a round, for a forward scan of the CSR arrays), which makes
    ``rounds`` and ``activation_round`` those of synchronous best-response dynamics. A round
    whose newly active players have many links compared with the inactive players *pulls*
    instead: it scans the inactive players' rows of :math:`W` for contacts activated in the
    previous round (direction-optimising search, Beamer, Asanović & Patterson 2012).

    Why the answers are the least and greatest equilibria: from "nobody acts" every activation
    is forced in every equilibrium (by induction, each activated player's threshold is met by
    players that act in every equilibrium), and the process stops at an equilibrium; the
    mirror argument applies from "everybody acts".

    Sums are accumulated in floating point in the order of the activations, so a player whose
    total equals its threshold only up to round-off may be decided either way; thresholds that
    are exact ties should be exactly representable (e.g. integer weights).

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import threshold_equilibrium
    >>> G = nx.path_graph(5)
    >>> res = threshold_equilibrium(G, theta=1.0, reward=[1, 0, 0, 0, 0])
    >>> res.active.astype(int), res.rounds
    (array([1, 1, 1, 1, 1]), 5)
    >>> C = nx.cycle_graph(6)
    >>> threshold_equilibrium(C, theta=2.0, start="all").n_active
    6
    >>> threshold_equilibrium(C, theta=2.0).n_active
    0
    """
    from .._kernels.equilibria import _threshold_down_kernel, _threshold_up_kernel
    from .checks import best_response_gap

    net = as_network(net)
    require_nonnegative_weights(net, "threshold_equilibrium")
    n = net.n
    theta = as_vector(theta, n, "theta")
    rewards = np.zeros(n) if reward is None else as_vector(reward, n, "reward")
    profile = _start_profile(start, n)
    need = theta - rewards
    T = influence_matrix(net)
    # Unsigned views of the (non-negative) index arrays spare numba's negative-index checks.
    indptr, indices, data = _unsigned(T.indptr), _unsigned(T.indices), T.data
    queue = np.empty(n, dtype=np.int64)
    rounds = 0
    visits = 0
    mode = start if profile is None else "profile"
    if mode == "none":
        active = np.zeros(n, dtype=np.uint8)
    else:
        active = np.ones(n, dtype=np.uint8) if mode == "all" else profile
        W = net.W
        acc = np.ascontiguousarray(W @ active.astype(np.float64))
        if mode == "all":
            counts = np.diff(W.indptr).astype(np.int64)
        else:
            links = W.astype(bool).astype(np.int64)
            counts = np.ascontiguousarray(links @ active.astype(np.int64), dtype=np.int64)
        dropped = np.zeros(n, dtype=np.int64)
        down_rounds, down_visits = _threshold_down_kernel(
            indptr, indices, data, need, active, acc, counts, dropped, queue
        )
        rounds += int(down_rounds)
        visits += int(down_visits)
    # After "all" the survivors already form the greatest equilibrium: nobody inactive wants in.
    round_of = np.where(active > 0, 0, -1).astype(np.int64)
    if mode == "all":
        up_rounds, up_visits = 0, 0
    else:
        W = net.W
        up_rounds, up_visits = _threshold_up_kernel(
            indptr, indices, data, _unsigned(W.indptr), _unsigned(W.indices), W.data,
            need.copy(), active, round_of, queue, np.zeros(n, dtype=np.uint8), _PULL_FACTOR,
        )
    rounds += int(up_rounds)
    visits += int(up_visits)
    is_active = active.astype(bool)
    residual = float("nan")
    if check:
        residual = best_response_gap(net, is_active, game="threshold", theta=theta, reward=rewards)
    return ThresholdResult(
        active=is_active, rounds=rounds, activation_round=round_of, n_active=int(is_active.sum()),
        converged=True, edge_visits=visits, residual=residual, method="worklist",
        start=mode, nodes=net.nodes,
    )
