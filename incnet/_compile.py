"""Compile every numba kernel ahead of time, by calling each public entry point once on a tiny input.

``incnet compile`` (and :func:`compile_kernels`) is for images, clusters and CI: run it once where
incnet is installed (with ``NUMBA_CACHE_DIR`` pointing at a writable directory if the package is
read-only) and later processes load the kernels from the cache instead of compiling them on their
first call. The inputs have the dtypes real calls use (float64 values, the CSR index types scipy
picks, int64 seeds), so the cached specialisations are the ones that real calls look up.
"""

import time

import numpy as np

__all__ = ["ENTRY_POINTS", "compile_kernels"]


def _payoffs():
    import networkx as nx

    from .network import IncentiveNetwork
    from .payoffs import total_payoffs

    symmetric = IncentiveNetwork.from_networkx(nx.cycle_graph(8), scale=0.3)
    directed = IncentiveNetwork.from_networkx(nx.gnp_random_graph(8, 0.4, seed=1, directed=True))
    directed = directed.row_normalized(0.5)
    # A star's hub has a row sum above 1 while rho < 1: the Collatz-Wielandt certificate runs.
    star = IncentiveNetwork.from_networkx(nx.star_graph(8), scale=0.3)
    total_payoffs(star, np.ones(star.n))
    # A ring with a star of 50 leaves: CG's hub preconditioner, on equal and on unequal weights.
    hub = nx.cycle_graph(120)
    hub.add_edges_from((0, leaf) for leaf in range(60, 110))
    for weights in (None, "weight"):
        nx.set_edge_attributes(hub, {e: 1.0 + (e[0] + e[1]) % 3 for e in hub.edges}, "weight")
        net = IncentiveNetwork.from_networkx(hub, weight=weights)
        total_payoffs(net.scaled(0.5 / net.row_sum_bound), np.ones(net.n), method="cg")
    for net in (symmetric, directed):
        for method in ("neumann", "chebyshev", "cg", "krylov", "direct", "auto"):
            if method in ("chebyshev", "cg") and net is directed:
                continue
            total_payoffs(net, np.ones(net.n), method=method)
            total_payoffs(net, np.ones((net.n, 2)), method=method)


def _equilibria():
    import networkx as nx

    from .equilibria import all_equilibria, key_player, linear_quadratic, public_goods
    from .equilibria import threshold_equilibrium

    G = nx.cycle_graph(8)
    linear_quadratic(G, alpha=1.0, delta=0.2)
    key_player(G, delta=0.2)
    from .equilibria import intercentrality_bounds

    intercentrality_bounds(nx.barabasi_albert_graph(40, 2, seed=1), delta=0.05, method="probing", rtol=1e-14)
    intercentrality_bounds(nx.star_graph(40), delta=0.05, method="local")  # with a hub eliminated
    for method in ("gauss_seidel", "lemke"):
        public_goods(G, 1.0, 0.3, method=method)
    all_equilibria(nx.path_graph(3), 1.0, 0.5)
    for start in ("none", "all"):
        threshold_equilibrium(G, theta=1.0, reward=np.eye(8)[0], start=start)


def _mechanisms():
    import scipy.stats

    from . import mechanisms as m

    parents, contributions = [-1, 0, 1, 0], [0.0, 0.0, 1.0, 1.0]
    rules = (m.FinderOnly(4000.0), m.RecursiveSplit(2000.0, 0.5), m.FixedSchedule([3.0, 1.0]),
             m.GeometricMLM(0.5, 0.5), m.LengthDiscountedSplit(2000.0, 0.5),
             m.HybridScheme.for_trees(height=9, degree=3, boost_seeds=[0]))
    # a long chain with one contributor takes the walk-up route, a busy forest the level route
    chain, finder = np.arange(-1, 39), np.eye(40)[39]
    for mechanism in rules:
        mechanism.payments(parents, contributions)
        mechanism.payments(chain, finder)
        mechanism.chain_totals(4)
    m.mechanism_report(m.RecursiveSplit(2000.0, 0.5))
    law = scipy.stats.poisson(1.5)
    for method in ("envelope", "scan"):
        m.query_incentive_equilibrium(law, 100, 0.3, method=method)
    m.split_contract_equilibrium(law, 100, 0.3)


def _simulate():
    import networkx as nx
    import scipy.stats

    from .simulate import fit_recruitment, independent_cascade, linear_threshold
    from .simulate import simulate_recruitment

    G = nx.cycle_graph(10)
    for delay in (("exponential", 1.0), ("lognormal", 1.0, 0.5), ("fixed", 1.0)):
        simulate_recruitment(G, [10.0, 5.0], initial=2, targets=2, response=0.5, horizon=4,
                             n_runs=4, deadline=10.0, delay=delay, rng=0)
    simulate_recruitment(None, [10.0, 5.0], offspring=scipy.stats.poisson(1.5), initial=2,
                         targets=0.1, response=0.5, horizon=4, n_runs=4, rng=0)
    from .simulate import cascade

    independent_cascade(G, [0], 0.5, n_runs=4, rng=0)
    independent_cascade(G, [0], 0.01, n_runs=4, rng=0)
    linear_threshold(G, [0], n_runs=4, rng=0)
    # small calls stay on the calling thread; no serial budget reaches the parallel kernels too
    cascade._independent_cascade(G, [0], 0.5, 4, 0, 0)
    cascade._linear_threshold(G, [0], 4, None, 0, 0)
    fit_recruitment([-1, 0, 0, 1, -1, 4], model="poisson")


def _design():
    import networkx as nx
    import scipy.stats

    from .design import Campaign, RecruitmentModel, optimal_split, seed_rewards
    from .simulate import ExponentialResponse, ThresholdResponse

    model = RecruitmentModel(scipy.stats.poisson(2.0), ExponentialResponse(0.1, 0.5, 100.0),
                             find_probability=0.05, horizon=3, initial=2)
    model.success_probability([100.0, 50.0, 25.0, 10.0])
    model.depth_profile([100.0, 50.0, 25.0, 10.0])
    optimal_split(model, 200.0, rng=0, starts=2)
    paid_report = RecruitmentModel(scipy.stats.poisson(2.0), ExponentialResponse(0.1, 0.5, 100.0),
                                   find_probability=0.05, horizon=3, initial=2,
                                   report=ExponentialResponse(0.2, 1.0, 100.0))
    optimal_split(paid_report, 200.0, budget_kind="expected", objective="depth", rng=0, starts=2)
    step = RecruitmentModel(scipy.stats.poisson(2.0), ThresholdResponse(0.1, 0.5, 10.0),
                            find_probability=0.05, horizon=2, initial=2)
    optimal_split(step, 200.0)
    seed_rewards(nx.path_graph(6), 1.0, 1.0, method="greedy")
    campaign = Campaign(nx.cycle_graph(10), initial=2, targets=2, response=0.5, horizon=4,
                        deadline=10.0, delay=("lognormal", 1.0, 0.5))
    optimal_split(campaign, 100.0, n_runs=4, n_validation=4, max_rounds=0, polish_rounds=0,
                  rng=0, progress=False)


def _datasets():
    from .datasets import barabasi_albert_csr, erdos_renyi_csr

    barabasi_albert_csr(50, 2, rng=0)
    erdos_renyi_csr(50, 0.1, rng=0)
    erdos_renyi_csr(50, 0.1, rng=0, directed=True)


def _structure():
    # Kernels that only large networks reach (symmetry and operators from 200,000 links, the
    # reordered payoff operator from 50,000 nodes, masked spectra beyond 600 cyclic nodes): called
    # directly, with the arrays real calls pass (read-only CSR arrays of a network, int32 labels).
    import networkx as nx

    from ._kernels import network as kernels
    from ._kernels.payoffs import permuted_csr_kernel
    from .network import IncentiveNetwork

    net = IncentiveNetwork.from_networkx(nx.DiGraph([(0, 1), (1, 0), (1, 2)]), scale=0.5)
    W = net.W
    kernels.is_symmetric_kernel(W.indptr, W.indices, W.data)
    indptr, indices = net._unsigned_csr
    for weight_bits in (np.empty(0, dtype=np.uint64), np.asarray(W.data).view(np.uint64)):
        weight_bits.flags.writeable = False  # as IncentiveNetwork passes them: one specialisation
        kernels.symmetry_fingerprint_kernel(indptr, indices, weight_bits, 1, False)
    labels = np.array([0, 0, 1], dtype=np.int32)
    sizes = np.bincount(labels)
    new_index, out_indptr = np.empty(3, dtype=np.int64), np.empty(4, dtype=np.int64)
    kept = kernels.cyclic_block_count_kernel(W.indptr, W.indices, labels, sizes, new_index, out_indptr)
    nnz = int(out_indptr[kept])
    kernels.cyclic_block_fill_kernel(W.indptr, W.indices, W.data, labels, new_index,
                                     np.empty(nnz, dtype=np.int64), np.empty(nnz))
    kernels.masked_matvec_kernel(W.indptr, W.indices, W.data, labels, np.ones(3), np.empty(3))
    perm = np.arange(3, dtype=np.int64)
    for data in (np.empty(W.nnz), np.empty(0)):
        permuted_csr_kernel(W.indptr, W.indices, W.data, perm, np.empty(4, dtype=np.uint64),
                            np.empty(W.nnz, dtype=np.uint32), data)


#: The groups of public entry points that :func:`compile_kernels` calls, in order.
ENTRY_POINTS = (
    ("payoffs (total_payoffs, spectral certificate)", _payoffs),
    ("equilibria", _equilibria),
    ("mechanisms", _mechanisms),
    ("simulate", _simulate),
    ("design", _design),
    ("network generators", _datasets),
    ("large-network structure (symmetry, spectra, reordering)", _structure),
)


def compile_kernels(report=None):
    """Compile (or load from the cache) every kernel incnet uses, by calling each entry point once.

    Parameters
    ----------
    report : callable, optional
        Called as ``report(name, seconds)`` after each group of entry points.

    Returns
    -------
    list of (str, float)
        Each group of entry points and the seconds it took (compile or cache load).
    """
    timings = []
    for name, run in ENTRY_POINTS:
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        timings.append((name, elapsed))
        if report is not None:
            report(name, elapsed)
    return timings
