r"""Checking a strategy profile: the largest gain any player could make by deviating.

For every game of :mod:`incnet.equilibria` the payoff of player :math:`i` is written down in
closed form and the best reply is computed from it directly with one sparse product, independently
of the solvers, so these functions serve as the referee in the tests of every solver.

The games and the payoffs used (``G`` is the network's ``W``; row ``i`` holds whom ``i`` responds to):

* ``"linear_quadratic"`` (Ballester, Calvó-Armengol & Zenou 2006), actions :math:`x_i \in \mathbb R`:

  .. math:: u_i = \alpha_i x_i - \tfrac12 x_i^2 + \delta \sum_j g_{ij} x_i x_j,
     \qquad \mathrm{BR}_i = \alpha_i + \delta (Gx)_i .

* ``"public_goods"`` (Bramoullé, Kranton & D'Amours 2014), actions :math:`x_i \in [0, \bar u_i]`,
  with :math:`s = +1` for substitutes and :math:`s = -1` for complements:

  .. math:: u_i = z_i x_i - \tfrac12 x_i^2,\quad z_i = \bar x_i - s\,\delta (Gx)_i,
     \qquad \mathrm{BR}_i = \min(\bar u_i, \max(0, z_i)).

* ``"threshold"``, actions :math:`a_i \in \{0, 1\}`: acting pays
  :math:`\sum_j w_{ij} a_j + r_i - \theta_i`, not acting pays 0 (ties favour acting).

In the two quadratic games the gain from deviating to the best reply is
:math:`\tfrac12 (x_i - z_i)^2 - \tfrac12(\mathrm{BR}_i - z_i)^2`.

References
----------
.. [1] Ballester, C., Calvó-Armengol, A., Zenou, Y. (2006). Who's who in networks. Wanted: the key
   player. *Econometrica* 74(5), 1403-1417.
.. [2] Bramoullé, Y., Kranton, R., D'Amours, M. (2014). Strategic interaction and networks.
   *American Economic Review* 104(3), 898-930.
"""

import numpy as np

from .._validate import as_vector, check_method, check_nonnegative, describe
from ..errors import InvalidInputError
from ..network import as_network
from ._common import as_box_upper, as_finite, interaction_sign

__all__ = ["best_response_gap", "is_equilibrium", "best_response"]

GAMES = ("linear_quadratic", "public_goods", "threshold")


def _take(params, allowed, game):
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise InvalidInputError(
            f"unexpected parameter(s) {', '.join(unknown)} for game {game!r}; "
            f"it takes {', '.join(allowed)}"
        )


def _require(params, name, game):
    if name not in params:
        raise InvalidInputError(f"game {game!r} needs the parameter {name}=...")
    return params[name]


def _profile(net, x, game):
    if game == "threshold":
        arr = np.asarray(x)
        if arr.dtype == bool:
            arr = arr.astype(np.float64)
        arr = as_vector(arr, net.n, "x")
        if not np.all((arr == 0) | (arr == 1)):
            bad = int(np.flatnonzero((arr != 0) & (arr != 1))[0])
            raise InvalidInputError(
                f"a threshold-game profile is 0/1 (or bool) per player; entry {bad} is {arr[bad]}"
            )
        return arr
    return as_vector(x, net.n, "x")


def _quadratic_parts(net, x, game, params):
    """Return (z, best reply) of the two quadratic games."""
    W = net.W
    if game == "linear_quadratic":
        _take(params, ("alpha", "delta"), game)
        delta = as_finite(_require(params, "delta", game), "delta")
        alpha = as_vector(params.get("alpha", 1.0), net.n, "alpha")
        z = alpha + delta * (W @ x)
        return z, z
    _take(params, ("xbar", "delta", "interaction", "upper"), game)
    delta = check_nonnegative(_require(params, "delta", game), "delta")
    xbar = as_vector(_require(params, "xbar", game), net.n, "xbar")
    sign = interaction_sign(params.get("interaction", "substitutes"))
    upper = as_box_upper(params.get("upper"), net.n)
    outside = np.flatnonzero((x < 0) | (x > upper))
    if outside.size:
        i = int(outside[0])
        raise InvalidInputError(
            f"x[{i}] = {x[i]:g} lies outside the action set [0, {upper[i]:g}] of player "
            f"{describe(net.nodes[i])}; a public-goods profile must be feasible"
        )
    z = xbar - sign * delta * (W @ x)
    return z, np.minimum(upper, np.maximum(0.0, z))


def best_response(net, x, *, game="linear_quadratic", **params):
    """Every player's best reply to the others' actions in ``x``.

    Parameters are those of :func:`best_response_gap`.

    Returns
    -------
    numpy.ndarray
        Shape (n,): best replies (0/1 floats in the threshold game).

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import best_response
    >>> best_response(nx.path_graph(3), [1, 0, 1], game="public_goods", xbar=1.0, delta=1.0)
    array([1., 0., 1.])
    """
    net = as_network(net)
    check_method(game, GAMES, name="game")
    x = _profile(net, x, game)
    if game == "threshold":
        payoff = _threshold_payoff(net, x, params)
        return (payoff >= 0).astype(np.float64)
    return _quadratic_parts(net, x, game, params)[1]


def _threshold_payoff(net, a, params):
    _take(params, ("theta", "reward"), "threshold")
    if net.nnz and not net.is_nonnegative:
        raise InvalidInputError("the threshold game needs non-negative weights")
    theta = as_vector(_require(params, "theta", "threshold"), net.n, "theta")
    reward = params.get("reward")
    reward = np.zeros(net.n) if reward is None else as_vector(reward, net.n, "reward")
    return net.W @ a + reward - theta


def best_response_gap(net, x, *, game="linear_quadratic", **params):
    r"""The largest payoff gain any single player can get by deviating from ``x``.

    Zero exactly at a Nash equilibrium. Computed from the payoffs in closed form with one sparse
    product, independently of every solver in :mod:`incnet.equilibria`.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        Row ``i`` of ``W`` holds the weights ``g_ij`` of the players ``i`` responds to.
    x : array_like, shape (n,)
        The strategy profile, in the order of ``net.nodes`` (0/1 or bool for ``"threshold"``).
    game : {"linear_quadratic", "public_goods", "threshold"}
        The game (payoffs in the module docstring).
    **params
        ``"linear_quadratic"``: ``delta`` and ``alpha`` (default 1).
        ``"public_goods"``: ``xbar``, ``delta`` (>= 0), ``interaction`` (``"substitutes"`` or
        ``"complements"``), ``upper`` (cap on actions, default none).
        ``"threshold"``: ``theta`` and ``reward`` (default 0).

    Returns
    -------
    float
        :math:`\max_i \max_{y} [u_i(y, x_{-i}) - u_i(x)] \ge 0`, in payoff units.

    Raises
    ------
    InvalidInputError
        For an unknown game, missing or unexpected parameters, a profile of the wrong shape, or
        actions outside the action set.

    See Also
    --------
    is_equilibrium, best_response

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import best_response_gap
    >>> G = nx.path_graph(3)
    >>> best_response_gap(G, [1, 0, 1], game="public_goods", xbar=1.0, delta=1.0)
    0.0
    >>> best_response_gap(G, [1, 1, 0], game="public_goods", xbar=1.0, delta=1.0)
    0.5
    """
    net = as_network(net)
    check_method(game, GAMES, name="game")
    x = _profile(net, x, game)
    if game == "threshold":
        payoff = _threshold_payoff(net, x, params)
        gain = np.where(x > 0, np.maximum(0.0, -payoff), np.maximum(0.0, payoff))
        return float(gain.max()) + 0.0  # + 0.0 turns a -0.0 into 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        z, reply = _quadratic_parts(net, x, game, params)
        # (x - z)^2 - (reply - z)^2, factored so that large actions overflow as late as possible
        gain = np.where(x == reply, 0.0, 0.5 * (x - reply) * ((x - z) + (reply - z)))
    if not np.all(np.isfinite(gain)):
        return float("inf")  # a gain beyond the float64 range: certainly not an equilibrium
    return float(max(0.0, gain.max()))


def is_equilibrium(net, x, *, game="linear_quadratic", tol=1e-9, **params):
    """Whether no player can gain more than ``tol`` by deviating from ``x``.

    Parameters
    ----------
    net, x, game, **params
        As for :func:`best_response_gap`.
    tol : float, default 1e-9
        Largest tolerated payoff gain. In the quadratic games the gain is half the squared
        distance to the best reply, so ``tol = 1e-9`` accepts actions within about ``4.5e-5`` of
        their best replies.

    Returns
    -------
    bool

    Examples
    --------
    >>> import networkx as nx
    >>> from incnet.equilibria import is_equilibrium
    >>> is_equilibrium(nx.path_graph(3), [0, 1, 0], game="threshold", theta=1.0)
    False
    >>> is_equilibrium(nx.path_graph(3), [1, 1, 1], game="threshold", theta=1.0)
    True
    """
    tol = check_nonnegative(tol, "tol")
    return best_response_gap(net, x, game=game, **params) <= tol
