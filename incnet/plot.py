"""matplotlib views of incnet's networks and results (needs the optional extra ``plot``).

matplotlib is imported inside the functions, so ``import incnet.plot`` stays cheap and works
without it. Every function draws into ``ax`` when given (otherwise into a new figure) and
returns the axes, so views compose into larger figures.

The module is organised by topic: shared helpers, then networks, then payoffs; other topics add
their own section.
"""

import numpy as np

from ._compat import MISSING, renamed
from ._validate import as_rng, check_int, check_method
from .errors import InvalidInputError

__all__ = ["plot_network", "plot_payoffs", "plot_success_over_time"]


# ----------------------------------------------------------------------------- shared helpers
def _axes(ax, figsize=(6.0, 4.0)):
    """The axes to draw into: ``ax`` or a fresh figure's, importing matplotlib lazily."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "incnet.plot needs matplotlib; install it with `pip install incnet[plot]`"
        ) from err
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _per_node(values, n, name):
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InvalidInputError(
            f"{name} must hold one value per node ({n}), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError(f"{name} contains NaN or inf; pass finite values")
    return arr


def _result_column(result, n, column):
    """The per-node vector of a result (its ``u`` or first field), one column of a block."""
    values = getattr(result, "u", result)
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 2:
        column = check_int(column, "column", minimum=0)
        if column >= arr.shape[1]:
            raise InvalidInputError(
                f"column {column} is out of range: the result holds {arr.shape[1]} columns"
            )
        arr = arr[:, column]
    return _per_node(arr, n, "the result")


# ----------------------------------------------------------------------------- networks
#: Above this many nodes a drawing is slow and unreadable; pass max_nodes to override.
_DRAW_LIMIT = 2000


def plot_network(net, values=None, ax=None, *, pos=None, rng=0, cmap="viridis", node_size=None,
                 with_labels=None, max_nodes=_DRAW_LIMIT, seed=MISSING):
    """Draw a (small) network, optionally colouring the nodes by a value per node.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
    values : array_like, shape (n,), optional
        A value per node in the order of ``net.nodes`` (e.g. total payoffs); drawn as node
        colours with a colour bar.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    pos : dict, optional
        Node positions ``{label: (x, y)}``; by default a spring layout drawn with ``rng``.
    rng : None, int or numpy.random.Generator, default 0
        Random state of the spring layout; the default makes the picture reproducible.
    cmap : str or matplotlib colormap, default "viridis"
    node_size : float, optional
        Marker area; scaled down with the number of nodes by default.
    with_labels : bool, optional
        Print node labels; by default only for networks of at most 40 nodes.
    max_nodes : int, default 2000
        Refuse larger networks (a layout of tens of thousands of nodes takes minutes and shows
        a hairball); draw ``net.subnetwork(...)`` instead, or raise the limit.
    seed : int, optional
        Deprecated spelling of ``rng`` (a DeprecationWarning); removed in the next release.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidInputError
        If the network has more than ``max_nodes`` nodes or ``values`` has the wrong length.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import networkx as nx
    >>> from incnet.plot import plot_network
    >>> ax = plot_network(nx.karate_club_graph(), values=range(34))
    >>> len(ax.collections[-1].get_offsets())  # one marker per node
    34
    """
    import networkx as nx

    from .network import as_network

    rng = renamed(seed, "seed", rng, "rng", "plot_network", new_default=0)
    net = as_network(net)
    max_nodes = check_int(max_nodes, "max_nodes", minimum=1)
    if net.n > max_nodes:
        raise InvalidInputError(
            f"the network has {net.n} nodes, more than max_nodes = {max_nodes}; draw a "
            "subnetwork (net.subnetwork(nodes)) or pass a larger max_nodes"
        )
    colours = None if values is None else _per_node(values, net.n, "values")
    ax = _axes(ax, figsize=(6.0, 6.0))
    G = nx.DiGraph() if not net.is_symmetric else nx.Graph()
    G.add_nodes_from(range(net.n))
    coo = net.W.tocoo()
    G.add_edges_from(zip(coo.row.tolist(), coo.col.tolist()))
    if pos is None:
        # networkx's layouts take an int or a RandomState: a Generator gives one draw for it
        layout_seed = rng if rng is None or isinstance(rng, (int, np.integer)) else int(
            as_rng(rng).integers(2**32))
        positions = nx.spring_layout(G, seed=layout_seed)
    else:
        missing = [label for label in net.nodes if label not in pos]
        if missing:
            raise InvalidInputError(f"pos has no position for node {missing[0]!r}")
        positions = {i: pos[label] for i, label in enumerate(net.nodes)}
    if node_size is None:
        node_size = float(np.clip(3000.0 / np.sqrt(net.n), 5.0, 300.0))
    if with_labels is None:
        with_labels = net.n <= 40
    nx.draw_networkx_edges(G, positions, ax=ax, alpha=0.3, width=0.6,
                           arrows=G.is_directed(), node_size=node_size)
    drawn = nx.draw_networkx_nodes(
        G, positions, ax=ax, node_size=node_size,
        node_color=colours if colours is not None else "tab:blue",
        cmap=cmap if colours is not None else None,
    )
    if with_labels:
        nx.draw_networkx_labels(G, positions, labels=dict(enumerate(map(str, net.nodes))),
                                ax=ax, font_size=8)
    if colours is not None:
        ax.figure.colorbar(drawn, ax=ax, shrink=0.8)
    ax.set_axis_off()
    return ax


# ----------------------------------------------------------------------------- payoffs
def plot_payoffs(net, result, ax=None, *, kind="rank", label_top=5, column=0, log=True):
    """Plot total payoffs (a :class:`~incnet.PayoffResult` or a vector) over the people.

    Parameters
    ----------
    net : IncentiveNetwork or anything :func:`~incnet.as_network` accepts
        The network the payoffs were computed on (for labels and numbers of contacts).
    result : PayoffResult or array_like, shape (n,) or (n, k)
        Total payoffs, e.g. from :func:`~incnet.total_payoffs` or
        :func:`~incnet.payoff_influence`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    kind : {"rank", "degree"}, default "rank"
        ``"rank"``: payoffs sorted from largest to smallest against rank, which shows how
        concentrated the gains are. ``"degree"``: payoff of each person against their number of
        contacts (out-links), which shows who gains.
    label_top : int, default 5
        Annotate the people with the largest payoffs with their labels.
    column : int, default 0
        Which column to show when the result holds a block of payoff vectors.
    log : bool, default True
        Logarithmic axes where the values are positive (gains often span decades).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidInputError
        If the payoffs do not have one value per node, or ``kind`` is unknown.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import networkx as nx
    >>> import incnet
    >>> from incnet.plot import plot_payoffs
    >>> net = incnet.as_network(nx.karate_club_graph()).row_normalized(0.5)
    >>> result = incnet.payoff_influence(net, 0)
    >>> ax = plot_payoffs(net, result, label_top=3)
    >>> len(ax.texts)
    3
    """
    from .network import as_network

    net = as_network(net)
    check_method(kind, ("rank", "degree"), name="kind")
    label_top = check_int(label_top, "label_top", minimum=0)
    u = _result_column(result, net.n, column)
    ax = _axes(ax)
    order = np.argsort(-u, kind="stable")
    positive = bool(np.all(u > 0))
    if kind == "rank":
        x = np.arange(1, net.n + 1)
        ax.plot(x, u[order], marker=".", linestyle="-", linewidth=0.8, markersize=3)
        ax.set_xlabel("rank")
        spots = [(x[r], u[order[r]]) for r in range(min(label_top, net.n))]
        if log and positive:
            ax.set_xscale("log")
    else:
        degrees = net.degrees()
        ax.scatter(degrees, u, s=8, alpha=0.6)
        ax.set_xlabel("number of contacts")
        spots = [(degrees[i], u[i]) for i in order[:label_top]]
        if log and np.all(degrees > 0):
            ax.set_xscale("log")
    if log and positive:
        ax.set_yscale("log")
    for k, ((x_spot, y_spot), i) in enumerate(zip(spots, order)):
        # staggered, because the largest payoffs often tie and would print on top of each other
        ax.annotate(str(net.nodes[i]), (x_spot, y_spot), textcoords="offset points",
                    xytext=(4, 4 + 9 * (k % 3)), fontsize=8)
    ax.set_ylabel("total payoff")
    ax.set_title("total payoffs" if kind == "rank" else "total payoff by number of contacts")
    return ax


# ----------------------------------------------------------------------------- simulate
def plot_success_over_time(results, ax=None, *, times=None, deadline=None, interval=True):
    """Success probability over time of one or more simulated mechanisms (the DARPA view).

    Parameters
    ----------
    results : SimulationResult or dict of str -> SimulationResult
        From :func:`~incnet.simulate_recruitment`; a dict labels one curve per mechanism.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    times : array_like, optional
        Where to evaluate the curves (default: 200 points up to the deadline or the last success).
    deadline : float, optional
        Draw the deadline as a vertical line (default: the results' deadline when finite).
    interval : bool, default True
        Shade a pointwise 95% Wilson interval around each curve.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidInputError
        If ``results`` is empty or holds something other than simulation results.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import networkx as nx
    >>> from incnet.plot import plot_success_over_time
    >>> from incnet.simulate import simulate_recruitment
    >>> res = simulate_recruitment(nx.path_graph(5), [10.0], initial=[0], targets=[4], response=0.9,
    ...                            horizon=4, n_runs=50, deadline=10.0, rng=0)
    >>> ax = plot_success_over_time({"path": res})
    >>> len(ax.lines) >= 1
    True
    """
    if not isinstance(results, dict):
        results = {"": results}
    if not results or not all(hasattr(r, "success_by_time") for r in results.values()):
        raise InvalidInputError("results must be a SimulationResult or a non-empty dict of them")
    ax = _axes(ax)
    if deadline is None:
        finite = [r.deadline for r in results.values() if np.isfinite(r.deadline)]
        deadline = max(finite) if finite else None
    if times is None:
        if deadline is not None:
            end = deadline
        else:
            done = np.concatenate([r.completion_time[np.isfinite(r.completion_time)] for r in results.values()])
            end = float(done.max()) if done.size else 1.0
        times = np.linspace(0.0, end, 200)
    times = np.asarray(times, dtype=np.float64)
    z = 1.959963984540054
    # Curves often coincide (several rules that never succeed all lie on zero): each gets its own
    # dash pattern and a width that shrinks along the list, so a curve drawn over another still
    # shows the one beneath; a curve that stays at zero says so in the legend.
    styles = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1))]
    runs = sorted({r.n_runs for r in results.values()})
    for k, (label, res) in enumerate(results.items()):
        p = res.success_by_time(times)
        name = label or None
        if name is not None and not np.any(p > 0):
            name = f"{label} (no run succeeded)"
        (line,) = ax.step(times, p, where="post", label=name, linestyle=styles[k % len(styles)],
                          linewidth=max(3.0 - 0.5 * k, 1.0), zorder=3 + k)
        if interval:
            n = res.n_runs
            centre = (p + z * z / (2 * n)) / (1 + z * z / n)
            half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
            ax.fill_between(times, np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1),
                            step="post", alpha=0.15, color=line.get_color(), linewidth=0)
    if interval:
        run_text = f"{runs[0]:,}" if len(runs) == 1 else "–".join(f"{r:,}" for r in (runs[0], runs[-1]))
        ax.fill_between([], [], [], color="0.6", alpha=0.3,
                        label=f"95% Wilson interval ({run_text} runs per rule)")
    if deadline is not None:
        ax.axvline(deadline, color="0.3", linestyle=(0, (2, 2)), linewidth=1.0,
                   label=f"deadline ({deadline:g})")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("time")
    ax.set_ylabel("probability that every target is found")
    ax.set_title("success over time")
    if any(results) or interval or deadline is not None:
        ax.legend(loc="best", fontsize=8)
    return ax
