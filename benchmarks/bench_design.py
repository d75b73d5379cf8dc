"""Budget-constrained design: a 50-budget sweep on a 10^3-node network, optimal_split at depth 20,
and designs and predictions on a campaign's own network.

**Budget sweep.** The LP bound of :func:`incnet.design.max_reach` on a Barabási–Albert network
(``m = 2``, altruism ``W = 0.05 A``, costs uniform on [0.5, 2], three seeds) for 50 budgets.
incnet solves the relaxation by column generation in one HiGHS master that keeps its columns,
rows and basis from one budget to the next (:func:`incnet.design.budget_sweep` with
``relax=True``). Peers: the same LP assembled by hand
for ``scipy.optimize.linprog`` (HiGHS) per budget, and the cvxpy problem rebuilt and recompiled
for every budget. Agreement: the same optimal values (relative 1e-6).

**Reach and depth bounds at network scale.** :func:`incnet.design.max_reach` and
:func:`incnet.design.max_depth` on SNAP ca-HepTh (9,877 nodes; ``W = 0.5 A / rho(A)``, costs
uniform on [0.5, 2], the three best-connected authors as seeds, budget 20): the design (greedy
or the relaxation rounded) with its proven bound by column generation, against HiGHS on the
whole relaxation as one LP (built by cvxpy, with a time limit). The 12,008-node ca-HepPh of
the same family is not shipped with incnet. Agreement: incnet's bound is at least the LP
optimum HiGHS reports (relative 1e-6) when HiGHS finishes.

**optimal_split at depth 20.** The worst-case-budget schedule maximising the success probability
of two recruitment models with saturating responses at horizon 20: Poisson(2) contacts, whose
optimum pays the finder's recruiter everything, and Poisson(12) contacts, whose optimum spreads
the budget over many positions. incnet runs a spectral projected gradient method from 8 starts
with the exact gradient of the generating-function recursion (reverse passes in
numba) and proves the optimum with its upper bound where the bound is attained (the note gives
status, bound and gap). Peer: scipy's ``differential_evolution`` on the same exact objective over
the simplex of schedules (what a user without incnet would reach for). Agreement: incnet's
optimum is at least as good as the peer's (within 1e-6). ``python -m benchmarks.bench_design
--split-only`` re-measures these rows alone.

**optimal_split on a campaign.** The co-authorship campaign of the design tutorial (ca-HepTh, 10
random initial participants, 3 hidden targets, a 48-hour deadline, log-normal delays, a budget of
3000 per target, finders who report with probability :math:`1 - e^{-r_0/1000}`): incnet's
common-random-number search against scipy's ``differential_evolution`` and Nelder–Mead on the
*same* objective (the mean success over the same fixed runs, schedules on the simplex) with the
same number of simulated runs. Value: the in-sample success each reaches; the note adds the
held-out success of each schedule in 2,000 fresh runs of the simulation engine. Agreement: incnet's
in-sample value is at least the peer's minus 0.02.

**predict_campaign against the simulation.** Message passing against 2,000 simulated runs, on
three shipped networks of different density, for finder-only, recursive halving and a designed
schedule; the note gives the prediction error of the success probability, the reach and the depth.
No agreement flag: these rows measure an approximation's error, they do not check a solver.
"""

import numpy as np
import scipy.sparse as sp

from ._harness import compare

__all__ = ["run"]


def _network(n, seed):
    import networkx as nx

    G = nx.barabasi_albert_graph(n, 2, seed=seed)
    W = nx.to_scipy_sparse_array(G, format="csr") * 0.05
    costs = np.random.default_rng(seed).uniform(0.5, 2.0, n)
    return sp.csr_array(W), costs


def _linprog_sweep(W, costs, seeds, budgets):
    """The relaxation of budget_sweep(relax=True) written out for scipy.optimize.linprog."""
    from scipy.optimize import linprog

    n = W.shape[0]
    others = np.setdiff1d(np.arange(n), seeds)
    N = others.size
    M_diag = np.diag(np.linalg.inv(np.eye(n) - W.toarray()))[others]
    # variables: s (N), t (N), v (n)
    E = sp.csr_array((np.ones(N), (others, np.arange(N))), shape=(n, N))
    A_eq = sp.hstack([sp.csr_array((n, N)), -E, sp.identity(n) - W]).tocsr()
    b_eq = np.zeros(n)
    pick = sp.csr_array((np.ones(N), (np.arange(N), others)), shape=(N, n))
    cut = sp.hstack([sp.diags(costs[others] * M_diag), sp.csr_array((N, N)), -pick])
    values = []
    for B in budgets:
        total = sp.hstack([sp.csr_array((1, N)), sp.csr_array(np.ones((1, N))), sp.csr_array((1, n))])
        A_ub = sp.vstack([cut, total]).tocsr()
        b_ub = np.concatenate([np.zeros(N), [B]])
        bounds = [(0, 1)] * N + [(0, None)] * N + [(None, None)] * n
        c = np.concatenate([-np.ones(N), np.zeros(N + n)])
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
        values.append(-res.fun)
    return np.array(values)


def _rebuilt_sweep(W, costs, seeds, budgets):
    from incnet.design.activation import _ActivationProgram
    from incnet.network import as_network

    net = as_network(W)
    values = []
    for B in budgets:
        program = _ActivationProgram(net, costs, np.asarray(seeds), None, "reach", 1, True, B)
        values.append(program.solve(B, "HIGHS")[4])
    return np.array(values)


def _sweep_rows(n, n_budgets, smoke):
    from incnet.design import budget_sweep

    W, costs = _network(n, seed=1)
    seeds = [0, 1, 2]
    budgets = np.linspace(1.0, 50.0, n_budgets)

    def incnet_fn():
        return np.array([r.objective for r in budget_sweep(W, costs, budgets, seeds, relax=True)])

    def agree(a, b):
        return bool(np.allclose(a, b, rtol=1e-6, atol=1e-6))

    return compare(
        "design: budget sweep (LP bound of max_reach)", f"BA n={n}, {n_budgets} budgets",
        incnet_fn,
        {"scipy linprog per budget": lambda: _linprog_sweep(W, costs, seeds, budgets),
         "cvxpy rebuilt per budget": lambda: _rebuilt_sweep(W, costs, seeds, budgets)},
        agree=agree, repeat=1, warmup=0, smoke=smoke,
        note="column generation, one warm HiGHS master for every budget",
    )


def _split_rows(horizon, smoke):
    import scipy.stats

    from incnet.design import RecruitmentModel, optimal_split
    from incnet.simulate import ExponentialResponse

    optimal_split(RecruitmentModel(scipy.stats.poisson(2.0), 0.3, find_probability=0.01,
                                   horizon=2), 10.0, rng=0)  # JIT warm-up
    cases = [
        (f"Poisson(2), horizon {horizon}",
         RecruitmentModel(scipy.stats.poisson(2.0), ExponentialResponse(0.2, 0.6, 50.0),
                          find_probability=0.002, horizon=horizon, initial=3)),
        (f"Poisson(12), horizon {horizon}, optimum inside the simplex",
         RecruitmentModel(scipy.stats.poisson(12.0), ExponentialResponse(0.02, 0.15, 5.0),
                          find_probability=1e-3, horizon=horizon, initial=5)),
    ]
    rows = []
    for case, model in cases[: 1 if smoke else 2]:
        rows += _split_case(case, model, 4000.0, horizon, smoke)
    return rows


def _split_case(case, model, budget, horizon, smoke):
    from scipy.optimize import differential_evolution

    from incnet.design import optimal_split

    design = optimal_split(model, budget, rng=0)

    def incnet_fn():
        return optimal_split(model, budget, rng=0).objective

    def de_fn():
        def negative(z):
            z = np.maximum(z, 0.0)
            total = z.sum()
            r = z / total * budget if total > 0 else np.zeros_like(z)
            return -model.success_probability(r)

        res = differential_evolution(negative, [(0.0, 1.0)] * (horizon + 1), seed=0,
                                     maxiter=15 if not smoke else 5, popsize=5, tol=1e-8,
                                     polish=False)
        return -res.fun

    return compare(
        "design: optimal_split (success, worst-case budget)", case,
        incnet_fn, {"scipy differential_evolution": de_fn},
        agree=lambda a, b: a >= b - 1e-6, repeat=1 if smoke else 5, warmup=1, smoke=smoke,
        note=(f"exact gradients (adjoint passes, numba), projected gradient from "
              f"{design.details['starts']} starts; success {design.objective:.4f}, status "
              f"{design.status}, proven bound {design.bound:.4f}"),
    )


def coauthor_campaign(net=None):
    """The co-authorship campaign of the design tutorial (ca-HepTh unless ``net`` is given)."""
    from incnet.design import Campaign
    from incnet.simulate import ExponentialResponse

    if net is None:
        from incnet.datasets import load

        net = load("ca-hepth", as_network=True)
    return Campaign(net, initial=10, targets=3, response=ExponentialResponse(0.02, 0.6, 0.5),
                    horizon=20, deadline=48.0, delay=("lognormal", 2.0, 1.0),
                    report=ExponentialResponse(0.0, 1.0, scale=1000.0))


def _crn_peer(campaign, budget, seeds, evaluations, method):
    """A scipy optimiser on the common-random-number objective, ``evaluations`` schedules at most."""
    from scipy.optimize import differential_evolution, minimize

    from incnet.design.network_split import schedule_outcomes

    H = campaign.horizon
    best = {"value": -np.inf, "schedule": None}
    count = {"n": 0}

    def schedule(z):
        z = np.abs(np.asarray(z, dtype=float))
        total = z.sum()
        return z / total * budget if total > 0 else np.eye(H + 1)[0] * budget

    def negative(z):
        if count["n"] >= evaluations:
            return 0.0
        count["n"] += 1
        r = schedule(z)
        v = float(schedule_outcomes(campaign, [r], seeds)["success"].mean())
        if v > best["value"]:
            best.update(value=v, schedule=r)
        return -v

    halving = budget / 2.0 ** np.arange(1, H + 2)
    if method == "de":
        dim = H + 1
        popsize = 2
        maxiter = evaluations // (popsize * dim) + 1  # the counter stops at the budget
        # atol < 0: no early stop on a flat population, so it spends the whole budget
        differential_evolution(negative, [(0.0, 1.0)] * dim, seed=0, popsize=popsize,
                               maxiter=maxiter, polish=False, tol=0.0, atol=-1.0, init="sobol")
    else:
        minimize(negative, halving / budget, method="Nelder-Mead",
                 options={"maxfev": evaluations, "xatol": 1e-6, "fatol": 0.0})
    return best["value"], best["schedule"], count["n"]


def _campaign_split_rows(smoke):
    import time

    import networkx as nx

    from incnet.design import optimal_split

    if smoke:
        campaign = coauthor_campaign(nx.barabasi_albert_graph(300, 2, seed=3))
        options = dict(n_runs=40, n_validation=100, max_rounds=1, polish_rounds=0)
        n_fresh = 100
    else:
        campaign = coauthor_campaign()
        options = dict(n_runs=300, n_validation=2000)
        n_fresh = 2000
    budget = 3000.0
    optimal_split(coauthor_campaign(nx.path_graph(20)), 10.0, n_runs=4, n_validation=4,
                  max_rounds=0, polish_rounds=0, rng=0, progress=False)  # JIT warm-up
    state = {}

    def incnet_fn():
        design = optimal_split(campaign, budget, rng=1, progress=False, **options)
        state["design"] = design
        return design.details["in_sample"], design.rewards

    start = time.perf_counter()
    incnet_fn()
    incnet_time = time.perf_counter() - start
    design = state["design"]
    seeds = np.random.default_rng(1).integers(0, np.iinfo(np.int64).max, size=options["n_runs"],
                                              dtype=np.int64)
    evaluations = max(design.details["runs_simulated"] // options["n_runs"], 10)
    rows = []
    values = {"incnet": (design.details["in_sample"], design.rewards, incnet_time)}
    spent = {"incnet": evaluations}
    for name, method in (("scipy differential_evolution", "de"), ("scipy Nelder-Mead", "nm")):
        start = time.perf_counter()
        v, r, used = _crn_peer(campaign, budget, seeds, evaluations, method)
        values[name] = (v, r, time.perf_counter() - start)
        spent[name] = used
    fresh = {name: campaign.simulate(r, n_runs=n_fresh, rng=2026).success_rate
             for name, (_, r, _) in values.items()}
    from ._harness import Row

    case = ("ca-HepTh, 10 seeds, 3 targets, 48 h" if not smoke else "BA n=300 (smoke)")
    base = values["incnet"][2]
    halving = design.details["recursive_halving"]
    for name, (v, r, t) in values.items():
        note = f"in-sample {v:.3f}, fresh {fresh[name]:.3f}, {spent[name]} schedules"
        if name == "incnet":
            gain = design.details["vs_recursive_halving"]
            note += (f"; halving {halving:.3f} (design - halving {gain['difference']:+.3f}, 95% "
                     f"[{gain['interval'][0]:+.3f}, {gain['interval'][1]:+.3f}]); "
                     f"{options['n_runs']} runs per schedule")
        agrees = None if name == "incnet" else bool(values["incnet"][0] >= v - 0.02)
        rows.append(Row("design: optimal_split on a campaign (success)", case, name, t, 1,
                        1.0 if name == "incnet" else t / base, agrees, note))
    return rows


def _predictor_rows(smoke):
    import time

    import networkx as nx

    from incnet.design import Campaign, darpa_campaign, optimal_split, predict_campaign
    from incnet.mechanisms import FinderOnly, RecursiveSplit
    from incnet.simulate import ExponentialResponse

    from ._harness import Row

    if smoke:
        cases = [("BA n=300 (smoke)", coauthor_campaign(nx.barabasi_albert_graph(300, 2, seed=3)),
                  3000.0)]
        n_sim = 200
    else:
        from incnet.datasets import load

        email = Campaign(load("email-eu-core", as_network=True), initial=4, targets=3,
                         response=ExponentialResponse(0.02, 0.4, 20.0), horizon=20, deadline=24.0,
                         delay=("lognormal", 2.0, 1.0))
        cases = [("ca-GrQc (sparse, clustered)", coauthor_campaign(load("ca-grqc", as_network=True)), 3000.0),
                 ("email-Eu-core (directed, denser)", email, 3000.0),
                 ("ego-Facebook (dense, clustered)", darpa_campaign(load("ego-facebook", as_network=True)), 4000.0)]
        n_sim = 2000
    rows = []
    for case, campaign, budget in cases:
        design = optimal_split(campaign, budget, n_runs=60 if smoke else 150,
                               n_validation=50 if smoke else 200, max_rounds=1 if smoke else 3,
                               polish_rounds=0, rng=3, progress=False)
        for label, mech in (("finder-only", FinderOnly(budget)),
                            ("recursive halving", RecursiveSplit(budget / 2, 0.5)),
                            ("designed", design.rewards)):
            start = time.perf_counter()
            pred = predict_campaign(campaign, mech)
            t_pred = time.perf_counter() - start
            start = time.perf_counter()
            sim = campaign.simulate(mech, n_runs=n_sim, rng=11)
            t_sim = time.perf_counter() - start
            reach = sim.participants.mean()
            depth = sim.max_depth.mean()
            note = (f"success {pred.success:.3f} vs {sim.success_rate:.3f} "
                    f"(error {pred.success - sim.success_rate:+.3f}); reach {pred.reach:.0f} vs "
                    f"{reach:.0f} ({(pred.reach - reach) / max(reach, 1):+.0%}); depth "
                    f"{pred.depth:.1f} vs {depth:.1f}")
            name = f"predict_campaign vs simulation ({n_sim} runs)"
            rows.append(Row(name, f"{case}: {label}", "incnet", t_pred, 1, 1.0, None, note))
            rows.append(Row(name, f"{case}: {label}", "simulation", t_sim, 1, t_sim / t_pred, None, ""))
    return rows


def _hepth_instance():
    from incnet.datasets import load_ca_hepth

    net = load_ca_hepth(as_network=True)
    net = net.scaled(0.5 / net.spectral_radius)
    costs = np.random.default_rng(0).uniform(0.5, 2.0, net.n)
    seeds = np.argsort(-np.diff(net.W.indptr), kind="stable")[:3]  # indices, not labels
    return net, costs, seeds


def _full_lp_highs(net, costs, seeds, budget, time_limit):
    """The whole relaxation as one cvxpy problem for HiGHS: (status, value or nan)."""
    import warnings

    import cvxpy as cp

    from incnet.design.activation import _ActivationProgram

    program = _ActivationProgram(net, costs, seeds, None, "reach", 1, True, budget)
    program.budget.value, program.tie.value = budget, 0.0
    try:
        with warnings.catch_warnings():  # cvxpy warns that a time-limited solve is inaccurate
            warnings.simplefilter("ignore", UserWarning)
            program.problem.solve(solver="HIGHS", time_limit=time_limit)
    except cp.error.SolverError:
        return "solver_error", float("nan")
    value = program.problem.value
    return program.problem.status, float(value) if value is not None else float("nan")


def _reach_bound_rows(smoke):
    """max_reach / max_depth with their bound on ca-HepTh against HiGHS on the whole LP."""
    from incnet.design import max_depth, max_reach

    from ._harness import Row, time_call

    net, costs, seeds = _hepth_instance()
    labels = [net.nodes[i] for i in seeds]
    budget = 20.0
    time_limit = 120.0
    case = f"ca-HepTh n={net.n:,}, budget {budget:g}"
    rows = []
    max_reach(net, costs, 2.0, labels)  # JIT warm-up of the payoff kernels
    if smoke:  # building the whole LP alone takes seconds: not at smoke size
        lp_time, status, lp_value = float("nan"), "skipped", float("nan")
    else:
        lp_time, _, (status, lp_value) = time_call(
            lambda: _full_lp_highs(net, costs, seeds, budget, time_limit), repeat=1, warmup=0)
    for fn in (max_reach, max_depth):
        name = f"design: {fn.__name__} with a proven bound"
        t, reps, res = time_call(lambda: fn(net, costs, budget, labels), repeat=1 if smoke else 3,
                                 warmup=0)
        rows.append(Row(name, case, "incnet", t, reps, 1.0, None,
                        f"{fn.__name__[4:]} {res.objective:g}, bound {res.bound:g} "
                        f"(LP {res.details['bound_value']:.3f}), gap {res.gap:g}"))
        # a value is only the LP optimum when HiGHS says so (a stopped simplex reports any point)
        solved = status in ("optimal", "optimal_inaccurate") and np.isfinite(lp_value)
        agrees = bool(res.details["bound_value"] >= lp_value * (1 - 1e-6) - 1e-6) if solved else None
        lp_note = (f"status {status} (limit {time_limit:g} s, cvxpy build included), "
                   + (f"LP {lp_value:.3f}; no design" if solved else "no bound"))
        if smoke:
            lp_note = "skipped at smoke size"
        rows.append(Row(name, case, "HiGHS on the whole LP (cvxpy)", lp_time, 0 if smoke else 1,
                        lp_time / t if t > 0 else float("inf"), agrees, lp_note))
    return rows + _large_reach_rows(smoke)


def _large_reach_rows(smoke):
    """max_reach with its bound on a 10^5-node Barabási–Albert network (no peer at this size)."""
    from incnet.datasets.generators import barabasi_albert_network
    from incnet.design import max_reach

    from ._harness import Row, time_call

    n = 5_000 if smoke else 100_000
    net = barabasi_albert_network(n, 3, rng=1)
    net = net.scaled(0.5 / net.spectral_radius)
    costs = np.random.default_rng(0).uniform(0.5, 2.0, n)
    budget = 20.0
    t, reps, res = time_call(lambda: max_reach(net, costs, budget, [0, 1, 2]), repeat=1, warmup=0)
    return [Row("design: max_reach with a proven bound", f"BA m=3 n={n:,}, budget {budget:g}",
                "incnet", t, reps, 1.0, None,
                f"reach {res.objective:g}, bound {res.bound:g}, gap {res.gap:g}; "
                "HiGHS on the whole LP not run at this size")]


def run(smoke=False):
    """Rows for the results table; ``smoke=True`` runs one small case of each in a few seconds."""
    if smoke:
        return (_sweep_rows(500, 3, True) + _split_rows(4, True) + _campaign_split_rows(True)
                + _predictor_rows(True) + _reach_bound_rows(True))
    return (_sweep_rows(1000, 50, False) + _split_rows(20, False) + _campaign_split_rows(False)
            + _predictor_rows(False) + _reach_bound_rows(False))


def _refresh_split_rows():
    """Re-measure only the branching-process optimal_split rows (seconds, not the module's
    minutes) and put them in place in ``results/bench_design.md`` and ``RESULTS.md``."""
    import datetime
    import pathlib

    from ._harness import format_table, machine_description
    from .__main__ import HERE, assemble

    rows = _split_rows(20, False)
    table = format_table(rows).splitlines()[2:]
    print("\n".join(table))
    path = HERE / "results" / "bench_design.md"
    lines = path.read_text().splitlines()
    marker = f"| {rows[0].benchmark} |"
    at = [i for i, line in enumerate(lines) if line.startswith(marker)]
    if not at:
        raise SystemExit(f"{path} has no rows for {rows[0].benchmark}; run the whole module")
    lines[at[0]:at[-1] + 1] = table
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    note = f"The optimal_split rows at depth 20 were re-measured {stamp} on: {machine_description()}."
    kept = []
    for line in lines:
        if line.startswith("The optimal_split rows at depth 20"):
            if kept and not kept[-1]:
                kept.pop()  # the blank line before the previous note
            continue
        kept.append(line)
    header = next(i for i, line in enumerate(kept) if line.startswith("`bench_design`, measured"))
    lines = kept[:header + 1] + ["", note] + kept[header + 1:]
    path.write_text("\n".join(lines) + "\n")
    assemble(HERE / "RESULTS.md")


if __name__ == "__main__":  # python -m benchmarks.bench_design --split-only
    import sys

    if sys.argv[1:] != ["--split-only"]:
        raise SystemExit("usage: python -m benchmarks.bench_design --split-only "
                         "(the whole module: python -m benchmarks --only bench_design)")
    _refresh_split_rows()
