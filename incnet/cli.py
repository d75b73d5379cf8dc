"""The ``incnet`` command: ``incnet demo``, ``datasets``, ``info``, ``payoffs`` and ``compile``.

Also reachable as ``python -m incnet``. Every subcommand prints plain text; errors of incnet are
reported as one line on stderr with exit status 2, phrased in the command's own options. Output
piped into a command that stops reading early (``| head``) ends quietly.

``incnet demo`` runs the sections listed in :data:`DEMO_SECTIONS` in order; each is a function
``section(args, out)`` that prints to ``out``. A new part of the demonstration is one more entry
there (and, if it needs options, one more argument in :func:`build_parser`).
"""

import argparse
import importlib.util
import os
import sys
import time

import numpy as np

__all__ = ["main", "build_parser", "run_demo", "DEMO_SECTIONS"]


# ----------------------------------------------------------------------------- helpers
def _count(text):
    """argparse type: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _positive_count(text):
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _amount(text):
    """argparse type: a finite number > 0."""
    value = float(text)
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def _rule(title, out):
    print(f"\n{title}\n{'=' * len(title)}", file=out)


def _parse_node(net, text):
    """The node label meant by a command-line string (integer ids or text labels)."""
    from .errors import InvalidInputError

    index = net.node_index
    if text in index:
        return text
    try:
        label = int(text)
    except ValueError:
        label = None
    if label is not None and label in index:
        return label
    raise InvalidInputError(
        f"node {text!r} is not in the network; labels look like {list(net.nodes[:5])}"
    )


def _altruism_network(net, altruism, *, plain=False):
    """Each person values the average contact's payoff at ``altruism`` (or each contact's, if plain).

    An ill-posed choice is reported in terms of the command's options (``--altruism``,
    ``--plain``), with the largest value that works.
    """
    from ._validate import check_nonnegative
    from .errors import IllPosedNetworkError

    altruism = check_nonnegative(altruism, "--altruism")
    W = net.scaled(altruism) if plain else net.row_normalized(altruism)
    if W.row_sum_bound >= 1.0 and W.spectral_radius >= 1.0:
        rho = W.spectral_radius
        if plain:
            limit = 1.0 / net.spectral_radius
            hint = (f"with --plain every contact is weighted a, so a must be below "
                    f"1/rho(A) = {limit:.4g}: pass --altruism below {limit:.4g}, or drop --plain "
                    f"to weight the average contact instead")
        else:
            hint = "the average contact is weighted a, so pass --altruism below 1"
        raise IllPosedNetworkError(
            f"--altruism {altruism:g} makes u = x + W u ill-posed (spectral radius of W = "
            f"{rho:.4g} >= 1); {hint}.",
            spectral_radius=rho,
        )
    return W


def _payoff_report(net, W, node, reward, top, out):
    """Pay ``reward`` to ``node`` on altruism network ``W`` (built on ``net``) and print who gains."""
    from .payoffs import payoff_influence

    result = payoff_influence(W, node)
    gain = reward * result.u
    j = W.node_index[node]
    degrees = net.degrees()
    print(
        f"A reward of {reward:,.0f} paid to person {node} ({degrees[j]:,} contacts): total payoffs "
        f"u = (I - W)^-1 x\n  by method {result.method!r} ({result.iterations} iterations, "
        f"relative residual {result.residual:.1e}).",
        file=out,
    )
    print(f"  the recipient's own total payoff: {gain[j]:,.1f} "
          f"(the reward plus what their friends' gladness is worth to them)", file=out)
    others = np.delete(np.arange(W.n), j)
    order = others[np.argsort(-gain[others], kind="stable")][:top]
    print(f"  who else gains most:", file=out)
    print(f"    {'person':>10}  {'contacts':>8}  {'gain':>10}", file=out)
    for i in order:
        print(f"    {W.nodes[i]!s:>10}  {degrees[i]:>8,}  {gain[i]:>10,.1f}", file=out)
    total = float(gain.sum())
    neighbours = net.W.indices[net.W.indptr[j]:net.W.indptr[j + 1]]
    spill = total - gain[j]
    near = float(gain[neighbours].sum()) / spill if spill > 0 else 0.0
    print(f"  total value created: {total:,.1f} = {total / reward:.2f} x the reward; "
          f"{near:.0%} of what others gain goes to the recipient's own contacts", file=out)
    return result


def _value_of_paying_each(W):
    """Total value created by a unit paid to each person: the column sums of (I - W)^-1.

    One solve of the transposed system, 1^T (I - W)^-1 = ((I - W^T)^-1 1)^T, instead of n.
    """
    import scipy.sparse as sp

    from .network import IncentiveNetwork
    from .payoffs import total_payoffs

    transposed = IncentiveNetwork.from_scipy(sp.csr_array(W.W.T), W.nodes)
    return total_payoffs(transposed, np.ones(W.n)).u


# ----------------------------------------------------------------------------- demo
def _demo_payoffs(args, out):
    """ego-Facebook: who gains when one person is paid, under row-normalised altruism."""
    from .datasets import load

    start = time.perf_counter()
    net = load("ego-facebook", as_network=True)
    loaded = time.perf_counter() - start
    print(f"SNAP ego-Facebook (McAuley & Leskovec 2012): {net.n:,} people, {net.nnz // 2:,} "
          f"friendships, loaded from the package in {loaded * 1e3:.0f} ms.", file=out)
    a = args.altruism
    rho = net.spectral_radius
    print(
        f"Altruism network: everyone values the average friend's payoff at a = {a:g} times their "
        f"own,\n  W = a D^-1 A, so rho(W) <= a < 1 and u = x + W u is well posed. (With a plain "
        f"W = a A\n  the hubs would need a < 1/rho(A) = 1/{rho:.1f}.)",
        file=out,
    )
    W = _altruism_network(net, a)
    degrees = net.degrees()
    node = args.node if args.node is not None else W.nodes[int(np.argmax(degrees))]
    node = _parse_node(W, str(node))
    print(file=out)
    _payoff_report(net, W, node, args.reward, args.top, out)
    j = W.node_index[node]
    friends = net.W.indices[net.W.indptr[j]:net.W.indptr[j + 1]]
    lonely = int(np.count_nonzero(degrees[friends] == 1))
    if lonely:
        print(f"  {lonely} of the recipient's friends have no other friend: each of them values "
              f"the recipient's\n  payoff at the full a = {a:g}, so they gain most.", file=out)

    value = _value_of_paying_each(W)
    median_person = W.nodes[int(np.argsort(degrees, kind="stable")[W.n // 2])]
    m = W.node_index[median_person]
    best = np.argsort(-value, kind="stable")[:args.top]
    print(
        f"\nWhere should the reward go? One solve of (I - W^T) v = 1 gives, for every person j, "
        f"the total\nvalue v_j created by a unit paid to j. A typical person (median contacts, "
        f"person {median_person},\n{degrees[m]} contacts) turns a unit into {value[m]:.2f}; "
        f"the best recipients:",
        file=out,
    )
    print(f"    {'person':>10}  {'contacts':>8}  {'value per unit':>14}", file=out)
    for i in best:
        print(f"    {W.nodes[i]!s:>10}  {degrees[i]:>8,}  {value[i]:>14.2f}", file=out)
    corr = float(np.corrcoef(degrees, value)[0, 1])
    print(
        f"Correlation of value with the number of contacts: {corr:.2f}. Under row-normalised "
        f"altruism a\nperson matters most to friends who have few other friends, so hubs with "
        f"many dependent\nfriends create the most value.",
        file=out,
    )


def darpa_mechanisms():
    """The referral rules compared in the DARPA section of the demo, as (label, mechanism) pairs.

    Every rule spends at most $4000 per target, as the MIT team's did. To show another rule in the
    table and the plot (e.g. one designed by :mod:`incnet.design`), append it here.
    """
    from .mechanisms import FinderOnly, FixedSchedule, RecursiveSplit

    return [
        ("finder only ($4000)", FinderOnly(4000.0)),
        ("recursive halving (MIT)", RecursiveSplit(2000.0, 0.5)),
        ("finder + recruiter (3000/1000)", FixedSchedule([3000.0, 1000.0])),
        ("halving, 3 levels", RecursiveSplit(2000.0, 0.5, max_depth=3)),
    ]


def _design_options():
    """The search settings of the demo's design (:data:`incnet.design.DARPA_DESIGN_OPTIONS`)."""
    from .design import DARPA_DESIGN_OPTIONS

    return dict(DARPA_DESIGN_OPTIONS)


def _points(value):
    """A difference of two probabilities in percentage points, with its sign."""
    return f"{100 * value:+.1f} pts"


def _demo_darpa(args, out):
    """The DARPA Network Challenge on ego-Facebook: referral rules, and one designed on the network."""
    from .datasets import load
    from .design import darpa_campaign, optimal_split
    from .mechanisms import RecursiveSplit

    n_runs = getattr(args, "runs", 400)
    net = load("ego-facebook", as_network=True)
    campaign = darpa_campaign(net)
    print(
        f"Ten targets hidden at random people, {campaign.initial} random initial participants, a "
        f"{campaign.deadline:g}-hour deadline,\nforwarding delays log-normal with mean 2 h. A "
        f"participant passes the word to each friend with probability p(w) =\n0.02 + 0.38 "
        f"(1 - exp(-w / 200)), w the expected payment one recruit brings "
        f"(incnet.simulate.recruitment_incentives).\nBudget: at most $4000 per target under every "
        f"rule.",
        file=out,
    )
    design_start = time.perf_counter()
    options = _design_options()
    design = optimal_split(campaign, 4000.0, rng=args.seed, progress=None, **options)
    schedule = ", ".join(f"{r:,.0f}" for r in design.schedule[:8])
    gain = design.details["vs_recursive_halving"]
    low, high = gain["interval"]
    verdict = ("better than" if low > 0 else "worse than" if high < 0
               else "not distinguishable from")
    halving = RecursiveSplit(2000.0, 0.5).chain_payments(len(design.schedule))
    if np.allclose(design.schedule, halving, rtol=0, atol=0.5):
        verdict += (" halving:\nthe search found no schedule that beats recursive halving on "
                    "this campaign and kept halving itself,\nso the two rows below agree")
    else:
        verdict += " halving"
    held_out = design.details["held_out"]
    held_runs = held_out["designed"].n_runs
    print(
        f"\nThe designed rule: incnet.design.optimal_split searched reward schedules on this "
        f"campaign's own\nsimulation (common random numbers, {options.get('n_runs', 300)} runs per "
        f"candidate) and chose [{schedule}, ...]\nfor finder, recruiter, ... in "
        f"{time.perf_counter() - design_start:.0f} s. On {held_runs:,} fresh runs per rule, with "
        f"the same random\nstreams for each: success {design.objective:.1%} for the design against "
        f"{design.details['recursive_halving']:.1%} for recursive halving\n(difference "
        f"{_points(gain['difference'])}, 95% interval [{_points(low)}, {_points(high)}]): "
        f"{verdict}.",
        file=out,
    )
    rng = np.random.default_rng(args.seed)
    results = {}
    start = time.perf_counter()
    for label, mechanism in darpa_mechanisms():
        if label == "finder only ($4000)":
            results[label] = held_out["finder_only"]
        elif label == "recursive halving (MIT)":
            results[label] = held_out["recursive_halving"]
        else:
            results[label] = campaign.simulate(mechanism, n_runs=n_runs, rng=rng, progress=False)
    results["designed split (incnet.design)"] = held_out["designed"]
    elapsed = time.perf_counter() - start
    width = max(len(label) for label in results)
    print(f"\n    {'rule':<{width}}  {'runs':>5}  {'success (95% CI)':>19}  {'median time':>11}  "
          f"{'participants':>12}  {'mean depth':>10}  {'total paid':>10}", file=out)
    for label, res in results.items():
        s = res.summary()
        median = f"{s['median_time']:.1f} h" if np.isfinite(s["median_time"]) else "not reached"
        success = f"{s['success']:.2f} [{s['success_low']:.2f}, {s['success_high']:.2f}]"
        print(f"    {label:<{width}}  {res.n_runs:>5,}  {success:>19}  {median:>11}  "
              f"{s['participants']:>12,.0f}  {s['mean_depth']:>10.2f}  {s['paid']:>10,.0f}", file=out)
    print(f"(finder only, recursive halving and the design: the validation runs above; the other "
          f"rules simulated in {elapsed:.1f} s.)", file=out)
    finder = results[darpa_mechanisms()[0][0]].summary()
    halving = results[darpa_mechanisms()[1][0]].summary()
    print(
        f"Paying only the finder gives nobody a reason to recruit (w = 0): the word spreads only "
        f"by plain\ndiffusion (2% per friend), reaching {finder['participants']:,.0f} people on "
        f"average and all ten targets in {finder['success']:.0%} of the\nruns. The recursive rule "
        f"pays for recruiting at every depth: {halving['participants']:,.0f} people take part and "
        f"all ten\ntargets are found in {halving['success']:.0%} of the runs.",
        file=out,
    )
    path = getattr(args, "plot", None)
    if path and importlib.util.find_spec("matplotlib") is None:
        print("The success-over-time plot needs matplotlib, which is not installed: "
              "pip install 'incnet[plot]' (or pass --plot '' to skip it).", file=out)
    elif path:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from .plot import plot_success_over_time

        ax = plot_success_over_time(results)
        ax.set_xlabel("hours since the start")
        ax.set_title("DARPA Network Challenge on ego-Facebook: all 10 targets found\n"
                     "(budget $4000 per target, 36-hour deadline)", fontsize=10)
        ax.figure.tight_layout()
        ax.figure.savefig(path, dpi=120)
        plt.close(ax.figure)
        print(f"Success over time saved to {path}.", file=out)


#: The sections of ``incnet demo``, in order: (title, function(args, out)).
DEMO_SECTIONS = (
    ("Interdependent payoffs on a real friendship network", _demo_payoffs),
    ("The DARPA Network Challenge, simulated on ego-Facebook", _demo_darpa),
)


def run_demo(args, out=None):
    """Print every section of the demonstration.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``incnet demo`` (see :func:`build_parser`).
    out : file object, optional
        Where to print (default: standard output).
    """
    out = sys.stdout if out is None else out
    print("incnet demo: incentive networks on real data", file=out)
    for title, section in DEMO_SECTIONS:
        _rule(title, out)
        section(args, out)
    return 0


# ----------------------------------------------------------------------------- commands
def _cmd_datasets(args, out):
    from .datasets import available

    names = available()
    width = max(map(len, names))
    for name, description in names.items():
        print(f"{name:<{width}}  {description}", file=out)
    return 0


def _cmd_info(args, out):
    import networkx as nx

    from .datasets import available, load

    G = load(args.dataset)
    net = load(args.dataset, as_network=True)
    directed = G.is_directed()
    components = (nx.number_weakly_connected_components(G) if directed
                  else nx.number_connected_components(G))
    degrees = net.degrees()
    rho = net.spectral_radius
    rows = [
        ("dataset", args.dataset),
        ("about", available()[args.dataset]),
        ("directed", str(directed)),
        ("nodes", f"{G.number_of_nodes():,}"),
        ("edges", f"{G.number_of_edges():,} (as published)"),
        ("self-loops", f"{nx.number_of_selfloops(G):,} (dropped in the IncentiveNetwork)"),
        ("links in W", f"{net.nnz:,}"),
        ("components", f"{components:,}" + (" (weak)" if directed else "")),
        ("out-degree", f"min {degrees.min()}, mean {degrees.mean():.2f}, max {degrees.max()}"),
        ("spectral radius", f"{rho:.4f} (W = a A is well posed for a < {1 / rho:.4g})"
         if rho > 0 else "0 (no cycles: every a is well posed)"),
    ]
    attrs = sorted({key for _, data in G.nodes(data=True) for key in data})
    if attrs:
        rows.append(("node attributes", ", ".join(attrs)))
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}", file=out)
    return 0


def _cmd_payoffs(args, out):
    from .datasets import load

    net = load(args.dataset, as_network=True)
    W = _altruism_network(net, args.altruism, plain=args.plain)
    node = args.node if args.node is not None else W.nodes[int(np.argmax(net.degrees()))]
    node = _parse_node(W, str(node))
    kind = "each contact's payoff" if args.plain else "the average contact's payoff"
    print(f"{args.dataset}: {net.n:,} nodes, {net.nnz:,} links; everyone values {kind} at "
          f"a = {args.altruism:g} times their own.", file=out)
    _payoff_report(net, W, node, args.reward, args.top, out)
    return 0


def _cmd_compile(args, out):
    from ._compile import compile_kernels
    from ._kernels._jit import cache_directory
    from ._kernels.payoffs import iterate_kernel

    print("Compiling incnet's numba kernels (or loading them from the cache) by calling each "
          "entry point once ...", file=out, flush=True)
    start = time.perf_counter()

    def report(name, seconds):
        print(f"  {name:<48} {seconds:6.1f} s", file=out, flush=True)

    compile_kernels(report)
    where = cache_directory(iterate_kernel) or "memory only (no writable cache directory)"
    print(f"Done in {time.perf_counter() - start:.1f} s; kernels are cached in {where}.", file=out)
    return 0


_DEMO_HELP = """\
Two worked examples on the shipped SNAP ego-Facebook network (4,039 people):
who gains when one person is paid, if people care about their friends' payoffs;
and the DARPA Network Challenge simulated on it, comparing referral rules, with
a plot of success over time (needs matplotlib: pip install 'incnet[plot]')."""

_PAYOFFS_HELP = """\
Pay --reward to one person and print everyone's total payoff u = (I - W)^-1 x,
where W[i, j] is how much i values j's payoff. By default W = a D^-1 A (each person
values the average contact's payoff at a); --plain uses W = a A. The reward is in
arbitrary units; the Python API's payoff_influence pays one unit (divide by --reward
to compare)."""


def build_parser():
    """The argument parser of the ``incnet`` command."""
    from ._version import __version__

    parser = argparse.ArgumentParser(
        prog="incnet",
        description="Game-theoretic incentive networks: payoffs, equilibria, referral "
                    "mechanisms, recruitment simulation and design.",
        epilog="Run `incnet <command> --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"incnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="command")
    sub.required = True
    raw = argparse.RawDescriptionHelpFormatter

    demo = sub.add_parser("demo", help="run the demonstration on the shipped ego-Facebook network",
                          description=_DEMO_HELP, formatter_class=raw)
    demo.add_argument("--altruism", type=float, default=0.5,
                      help="weight a < 1 on the average friend's payoff (default 0.5)")
    demo.add_argument("--node", default=None,
                      help="who receives the reward (default: the best-connected person)")
    demo.add_argument("--reward", type=_amount, default=1000.0, help="reward paid (default 1000)")
    demo.add_argument("--top", type=_count, default=5, help="rows in each ranking (default 5)")
    demo.add_argument("--seed", type=int, default=2009,
                      help="random seed of the simulated parts (default 2009)")
    demo.add_argument("--runs", type=_positive_count, default=400,
                      help="simulated searches per referral rule (default 400)")
    demo.add_argument("--plot", default="incnet-darpa.png", metavar="PNG",
                      help="where to save the success-over-time plot (default incnet-darpa.png; "
                           "'' to skip)")
    demo.set_defaults(handler=run_demo)

    datasets = sub.add_parser(
        "datasets", help="list the shipped real networks",
        description="List the real networks shipped inside the package (nothing is downloaded), "
                    "one per line: the name to pass to `incnet info` / `incnet payoffs` or "
                    "incnet.datasets.load(), and what it is. Sources and licences are in each "
                    "dataset's PROVENANCE.md.",
    )
    datasets.set_defaults(handler=_cmd_datasets)

    info = sub.add_parser(
        "info", help="sizes and spectral radius of a shipped network",
        description="Sizes, degrees, components and the spectral radius of a shipped network, "
                    "with the largest altruism weight a for which W = a A is well posed.",
    )
    info.add_argument("dataset", help="a name from `incnet datasets`")
    info.set_defaults(handler=_cmd_info)

    payoffs = sub.add_parser(
        "payoffs", help="total payoffs u = (I - W)^-1 x of a reward paid to one person",
        description=_PAYOFFS_HELP, formatter_class=raw,
    )
    payoffs.add_argument("dataset", help="a name from `incnet datasets`")
    payoffs.add_argument("--node", default=None,
                         help="who receives the reward (default: the best-connected person)")
    payoffs.add_argument("--altruism", type=float, default=0.5,
                         help="weight a on the average contact's payoff, or on each contact's with "
                              "--plain (default 0.5; a < 1, or a < 1/rho(A) with --plain, keeps "
                              "the model well posed)")
    payoffs.add_argument("--plain", action="store_true",
                         help="use W = a A (each contact weighted a) instead of row-normalising")
    payoffs.add_argument("--reward", type=_amount, default=1000.0,
                         help="reward paid, in arbitrary units (default 1000)")
    payoffs.add_argument("--top", type=_count, default=10, help="rows in the ranking (default 10)")
    payoffs.set_defaults(handler=_cmd_payoffs)

    compile_ = sub.add_parser(
        "compile", help="compile the numba kernels ahead of time (for images and clusters)",
        description="Compile every numba kernel incnet uses and store it in the disk cache, so "
                    "that later processes start without compiling. The cache is next to the "
                    "package when it is writable, else in the user's cache directory, else in "
                    "a private directory under the system's temporary directory; set "
                    "NUMBA_CACHE_DIR to choose it (e.g. when building a container image with a "
                    "read-only install).",
    )
    compile_.set_defaults(handler=_cmd_compile)
    return parser


def main(argv=None, out=None):
    """Run the ``incnet`` command; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    out : file object, optional
        Where to print (default: standard output).

    Returns
    -------
    int
        0 on success, 2 when incnet rejected the input (the message goes to stderr), 1 when the
        reader of standard output went away (e.g. ``| head``).
    """
    from .errors import IncnetError

    out = sys.stdout if out is None else out
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args, out)
    except IncnetError as err:
        print(f"incnet {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped early. Point stdout at devnull so that the interpreter's final flush
        # does not raise a second time, as the Python documentation recommends.
        if out is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
