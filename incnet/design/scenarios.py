"""Ready-made campaigns: the DARPA Network Challenge scenario of ``incnet demo``."""

from .._compat import MISSING, renamed
from .campaign import Campaign

__all__ = ["darpa_campaign", "DARPA_DESIGN_OPTIONS"]

#: Search settings with which ``incnet demo`` designs its split: a few hundred common-random-number
#: runs per candidate, a short pattern search and one polishing pass (about half a minute on two
#: cores for ego-Facebook), validated on 2,000 fresh runs per rule.
DARPA_DESIGN_OPTIONS = dict(n_runs=120, n_validation=2000, max_rounds=4, polish_rounds=1,
                            polish_depth=8)


def darpa_campaign(net, *, initial=4, targets=10, deadline=36.0, horizon=20,
                   delay=("lognormal", 2.0, 1.0), response=None, report=None,
                   incentives="branching", seeds=MISSING):
    """The DARPA Network Challenge as a :class:`Campaign` on ``net``.

    Ten targets hidden at random people, four random initial participants, a 36-hour deadline,
    log-normal forwarding delays of mean 2 hours (log-sd 1), chains counted to depth 20, and people
    who pass the word on with probability 2% for nothing and up to 40% when a recruit is worth a
    few hundred dollars (``ExponentialResponse(0.02, 0.4, scale=200)``).

    Parameters
    ----------
    net : IncentiveNetwork, networkx graph or sparse matrix
        The contact network (``incnet demo`` uses ego-Facebook, ``incnet.datasets.load("ego-facebook")``).
    initial, targets, deadline, horizon, delay, response, report, incentives
        As in :class:`Campaign`; ``response=None`` is the demo's response.
    seeds : int or sequence of nodes, optional
        Deprecated spelling of ``initial`` (kept for one release).

    Returns
    -------
    Campaign

    Examples
    --------
    Design the demo's split and compare it with recursive halving on fresh runs::

        from incnet.datasets import load
        from incnet.design import darpa_campaign, optimal_split, DARPA_DESIGN_OPTIONS

        campaign = darpa_campaign(load("ego-facebook", as_network=True))
        design = optimal_split(campaign, 4000.0, rng=2009, progress=True, **DARPA_DESIGN_OPTIONS)
        gain = design.details["vs_recursive_halving"]   # difference, stderr, 95% interval

    >>> import networkx as nx
    >>> c = darpa_campaign(nx.barabasi_albert_graph(300, 3, seed=1))
    >>> c.n_targets, c.deadline, c.horizon
    (10, 36.0, 20)
    """
    if response is None:
        from ..simulate import ExponentialResponse

        response = ExponentialResponse(0.02, 0.4, scale=200.0)
    initial = renamed(seeds, "seeds", initial, "initial", "darpa_campaign", new_default=4)
    return Campaign(net, initial=initial, targets=targets, response=response, horizon=horizon,
                    deadline=deadline, delay=delay, report=report, incentives=incentives)
