r"""Reward splits designed on the campaign's own simulation (the :class:`Campaign` route of
:func:`~incnet.design.optimal_split`).

The objective :math:`F(r)` of a schedule is an expectation over the campaign's random runs.
Sample-average approximation replaces it by the mean over ``n_runs`` fixed runs, simulated on
*common random numbers*: every candidate schedule sees the same target and seed placements, the
same attempt uniforms on every edge and the same delays, so the difference between two candidates
is estimated with far less noise than either value (and a schedule that recruits more recruits a
superset of the other's contacts). The search, over the finder's share :math:`a`, the ratio
:math:`\rho` and the last paid depth :math:`L` of truncated geometric schedules

.. math::

    r_0 = aB, \qquad r_k = (1 - a) B \, \frac{(1 - \rho)\rho^{k-1}}{1 - \rho^L} \quad (1 \le k \le L),

starts from a grid that contains recursive halving and finder-only, refines the best point by a
pattern search that evaluates all its neighbours in one batch, and polishes the result by moving
budget between adjacent positions of the full schedule. The five best schedules seen, recursive
halving and finder-only are then simulated on a second, independent set of ``n_runs`` runs, and
the one with the best mean over both sets is chosen (this tempers the winner's curse of a search
over many candidates). The choice is finally re-simulated on fresh, independent runs of
:func:`~incnet.simulate.simulate_recruitment` together with finder-only and recursive halving on
the same random streams.
"""

import math
import sys

import numpy as np

from .._validate import as_rng, check_int, check_method, describe
from ..errors import InvalidInputError
from .result import DesignResult

__all__ = ["campaign_split", "geometric_schedule", "schedule_outcomes"]

_Z = 1.959963984540054


def geometric_schedule(budget, horizon, finder_share, ratio, last=None):
    r"""The truncated geometric schedule :math:`r_0 = aB`, :math:`r_k \propto \rho^{k-1}` up to ``last``.

    The recruiters' part :math:`(1 - a)B` is split over positions :math:`1, \dots, L` in ratio
    :math:`\rho` (``ratio=1``: equally); the whole schedule sums to ``budget``.

    Examples
    --------
    >>> geometric_schedule(1000.0, 3, 0.5, 0.5).round(1).tolist()
    [500.0, 285.7, 142.9, 71.4]
    """
    H = int(horizon)
    L = H if last is None else int(min(max(last, 0), H))
    r = np.zeros(H + 1)
    a = float(np.clip(finder_share, 0.0, 1.0))
    if L == 0:
        r[0] = budget
        return r
    r[0] = a * budget
    k = np.arange(L)
    weights = np.power(float(ratio), k) if ratio > 0 else (k == 0).astype(float)
    r[1:L + 1] = (1.0 - a) * budget * weights / weights.sum()
    return r


def _halving(budget, horizon):
    return budget / 2.0 ** np.arange(1, horizon + 2)


def _finder_only(budget, horizon):
    r = np.zeros(horizon + 1)
    r[0] = budget
    return r


def schedule_outcomes(campaign, schedules, run_seeds, incentives=None):
    """Per-run outcomes of schedules on common random numbers (rows of ``schedules``).

    Returns a dict of arrays indexed (schedule, run): ``success`` (bool), ``reach``
    (participants), ``depth`` (deepest depth reached), ``paid`` (total paid), ``finds`` (reported
    finds) and ``finder_depth`` (schedule, run, target), plus ``probabilities`` (schedule, depth).
    ``incentives`` (one array of :math:`w_d` per schedule) overrides the campaign's branching
    incentives.
    """
    from ..simulate import chain_payment_table, recruitment_incentives

    schedules = np.atleast_2d(np.asarray(schedules, dtype=np.float64))
    H = campaign.horizon
    P = np.zeros((schedules.shape[0], H + 1))
    S = np.zeros_like(P)
    totals = np.zeros_like(P)
    for i, r in enumerate(schedules):
        if incentives is None:
            inc = campaign.branching_incentives(r)
        else:
            from ..simulate import response_table

            inc = recruitment_incentives(r, mean_contacts=campaign.mean_contacts,
                                         response=campaign.response,
                                         find_probability=campaign.find_probability, horizon=H,
                                         report=campaign.report)
            w = np.asarray(incentives[i], dtype=np.float64)
            P[i] = response_table(campaign.response, w)
            P[i, H] = 0.0
            S[i] = inc.report_probabilities
            totals[i] = inc.payments.sum(axis=1)
            continue
        P[i] = inc.probabilities
        S[i] = inc.report_probabilities
        totals[i] = chain_payment_table(r, H).sum(axis=1)
    raw = campaign._crn_runs(P, S, run_seeds)
    fd = raw["finder_depth"]
    found = fd >= 0
    if isinstance(campaign.targets, float):
        success = found[:, :, 0]
    else:
        success = found.all(axis=2) if fd.shape[2] else np.zeros(fd.shape[:2], dtype=bool)
    profile = raw["profile"]
    occupied = profile > 0
    depth = np.where(occupied.any(axis=2),
                     profile.shape[2] - 1 - np.argmax(occupied[:, :, ::-1], axis=2), 0)
    # a finder at depth f heads a chain of f + 1 people, paid totals[f] in all
    pay = totals[np.arange(fd.shape[0])[:, None, None], np.maximum(fd, 0)]
    paid = np.where(found, pay, 0.0).sum(axis=2)
    return dict(success=success, reach=raw["participants"].astype(np.float64),
                depth=depth.astype(np.float64), paid=paid, finds=found.sum(axis=2),
                finder_depth=fd, probabilities=P)


def _values(outcomes, objective):
    return np.asarray(outcomes[objective], dtype=np.float64)


class _Search:
    """Candidate evaluation on one fixed set of runs, with the budget rule applied."""

    def __init__(self, campaign, budget, objective, budget_kind, run_seeds, bar):
        self.campaign = campaign
        self.budget = budget
        self.objective = objective
        self.budget_kind = budget_kind
        self.run_seeds = run_seeds
        self.bar = bar
        self.evaluated = 0
        self.seen = []

    def outcomes(self, schedules):
        """Outcomes on the design's runs; a self-consistent campaign solves each candidate's
        fixed point on those same runs first (all candidates in one batch per iteration)."""
        if self.campaign.incentives != "self-consistent":
            return schedule_outcomes(self.campaign, schedules, self.run_seeds)
        from .selfconsistent import _fixed_points

        W, _, iterations, _, _, _ = _fixed_points(self.campaign, list(schedules), self.run_seeds,
                                                  tol=1e-2, max_iter=30, damping=0.5)
        self.evaluated += iterations * len(schedules) * self.run_seeds.size
        return schedule_outcomes(self.campaign, schedules, self.run_seeds, incentives=W)

    def scaled(self, shapes):
        """Schedules meeting the budget: worst case sum = B; expected payment per find = B."""
        shapes = np.atleast_2d(shapes)
        # a shape summing to less than 1 (recursive halving to a finite horizon) keeps its total
        total = np.maximum(shapes.sum(axis=1, keepdims=True), 1.0)
        base = shapes / total * self.budget
        if self.budget_kind == "worst-case":
            # rounding must not push a chain's payments past the budget
            over = base.sum(axis=1) > self.budget
            while np.any(over):
                base[over] *= (1.0 - 1e-15)
                over = base.sum(axis=1) > self.budget
            return base, None
        # expected payment per find: the scale c solves c * E_c[Z_f] = B (fixed point on the runs)
        scale = np.ones(base.shape[0])
        for _ in range(3):
            out = self.outcomes(base * scale[:, None])
            self.evaluated += base.shape[0] * self.run_seeds.size
            finds = out["finds"].sum(axis=1)
            per_find = np.where(finds > 0, out["paid"].sum(axis=1) / np.maximum(finds, 1), 0.0)
            ratio = np.where(per_find > 0, self.budget / np.maximum(per_find, 1e-300), 1.0)
            scale = scale * np.clip(ratio, 0.25, 4.0)
        return base * scale[:, None], scale

    def evaluate(self, shapes):
        """``(schedules, per-run values)`` of candidate shapes."""
        schedules, _ = self.scaled(shapes)
        out = self.outcomes(schedules)
        values = _values(out, self.objective)
        if self.budget_kind == "expected":
            # keep only candidates whose in-sample payment per find meets the budget
            finds = out["finds"].sum(axis=1)
            per_find = np.where(finds > 0, out["paid"].sum(axis=1) / np.maximum(finds, 1), 0.0)
            over = per_find > self.budget * 1.02
            values[over] = -np.inf
        self.evaluated += schedules.shape[0] * self.run_seeds.size
        if self.bar is not None:
            self.bar.update(schedules.shape[0])
        for r, v in zip(schedules, values):
            self.seen.append((float(v.mean()), r))
        return schedules, values

    def finalists(self, count):
        """The ``count`` best distinct schedules seen so far, best first."""
        out = []
        for value, r in sorted(self.seen, key=lambda item: -item[0]):
            if not np.isfinite(value):
                break
            if all(not np.allclose(r, other, rtol=1e-9, atol=1e-9 * self.budget) for other in out):
                out.append(r)
            if len(out) == count:
                break
        return out


def _best(values):
    means = values.mean(axis=1)
    return int(np.argmax(means)), means


def campaign_split(campaign, budget, *, objective="success", budget_kind="worst-case",
                   n_runs=300, n_validation=2000, max_rounds=8, polish_rounds=2, polish_depth=8,
                   rng=None, progress=None):
    """Design the schedule of a :class:`~incnet.design.Campaign`; see :func:`optimal_split`."""
    from .activation import _budget

    budget = _budget(budget)
    check_method(objective, ("success", "depth", "reach"), name="objective")
    check_method(budget_kind, ("worst-case", "expected"), name="budget_kind")
    n_runs = check_int(n_runs, "n_runs", minimum=2)
    n_validation = check_int(n_validation, "n_validation", minimum=2)
    max_rounds = check_int(max_rounds, "max_rounds", minimum=0)
    polish_rounds = check_int(polish_rounds, "polish_rounds", minimum=0)
    polish_depth = check_int(polish_depth, "polish_depth", minimum=1)
    rng = as_rng(rng)
    H = campaign.horizon
    if objective == "success" and campaign.n_targets == 0:
        raise InvalidInputError("the campaign has no targets (targets=0): success is impossible; "
                                "design for objective='reach' or 'depth' instead")
    if budget <= 0:
        raise InvalidInputError(f"budget must be > 0 to design a split, got {budget}")
    design_seeds = rng.integers(0, np.iinfo(np.int64).max, size=n_runs, dtype=np.int64)
    selection_seeds = rng.integers(0, np.iinfo(np.int64).max, size=n_runs, dtype=np.int64)
    finalist_count = 5
    validation_seed = int(rng.integers(0, np.iinfo(np.int64).max))

    bar = _progress_bar(progress, total=32 + 6 * max_rounds + 4 * polish_rounds * min(H, polish_depth) + 10)
    try:
        search = _Search(campaign, budget, objective, budget_kind, design_seeds, bar)
        # 1. the grid: finder share x ratio (recruiters' part geometric to the horizon), and the
        #    two rules every design must beat
        shares = np.array([0.05, 0.2, 0.35, 0.5, 0.65, 0.8])
        ratios = np.array([0.25, 0.5, 0.75, 0.9, 1.0])
        # the two rules come first, so that ties (a flat objective) keep recursive halving
        params = [None, None] + [(a, rho, H) for a in shares for rho in ratios]
        shapes = [_halving(1.0, H), _finder_only(1.0, H)]
        shapes += [geometric_schedule(1.0, H, a, rho, L) for a, rho, L in params[2:]]
        schedules, values = search.evaluate(np.array(shapes))
        halving_value = values[0].mean()
        finder_value = values[1].mean()
        i, means = _best(values)
        best_schedule, best_values = schedules[i], values[i]
        # 2. pattern search around the best geometric point (logit share, logit ratio, last depth)
        point = params[i] if params[i] is not None else (0.5, 0.5, H)
        x = np.array([_logit(point[0]), _logit(min(point[1], 0.999)), float(point[2])])
        steps = np.array([0.8, 0.8, max(1.0, H / 4)])
        rounds = 0
        for _ in range(max_rounds if H > 0 else 0):
            rounds += 1
            trial = []
            for dim in range(3):
                for sign in (-1.0, 1.0):
                    y = x.copy()
                    y[dim] += sign * steps[dim]
                    if dim == 2:
                        y[2] = float(np.clip(np.round(y[2]), 1, H)) if H > 0 else 0.0
                    trial.append(y)
            cand = np.array([geometric_schedule(1.0, H, _expit(y[0]), _expit(y[1]), y[2])
                             for y in trial])
            sched, vals = search.evaluate(cand)
            j, m = _best(vals)
            if m[j] > best_values.mean():
                x, best_schedule, best_values = trial[j], sched[j], vals[j]
            else:
                steps = steps * 0.5
                steps[2] = max(steps[2], 1.0) if steps[0] > 0.1 else steps[2]
                if steps[0] < 0.1:
                    break
        # 3. polish the full schedule: move budget between neighbouring positions
        if H > 0:
            for fraction in (0.25, 0.08):
                for _ in range(polish_rounds):
                    cand = []
                    shape = best_schedule / best_schedule.sum()
                    for k in range(min(H, polish_depth)):
                        for src, dst in ((k, k + 1), (k + 1, k)):
                            moved = fraction * shape[src]
                            if moved <= 0:
                                continue
                            z = shape.copy()
                            z[src] -= moved
                            z[dst] += moved
                            cand.append(z)
                    if not cand:
                        break
                    sched, vals = search.evaluate(np.array(cand))
                    j, m = _best(vals)
                    if m[j] <= best_values.mean() + 1e-12:
                        break
                    best_schedule, best_values = sched[j], vals[j]
        # 4. selection: the best few schedules and the two rules on a second, independent set of
        #    runs; the pick maximises the mean over both sets, which tempers the winner's curse of
        #    a search over many candidates and keeps both rules as candidates
        finalists = [schedules[0], schedules[1]]  # halving and finder-only first: ties keep them
        for r in search.finalists(finalist_count):
            if all(not np.allclose(r, other, rtol=1e-9, atol=1e-9 * budget) for other in finalists):
                finalists.append(r)
        first = {}
        for value, r in search.seen:
            for i, other in enumerate(finalists):
                if i not in first and np.allclose(r, other, rtol=1e-9, atol=1e-9 * budget):
                    first[i] = value
        search.run_seeds = selection_seeds
        # as shapes (fractions of the budget): the budget rule is applied again on the new runs
        rescaled, second = search.evaluate(np.array(finalists) / budget)
        pooled = np.array([(first.get(i, -np.inf) + second[i].mean()) / 2.0
                           for i in range(len(finalists))])
        pick = int(np.argmax(pooled))
        best_schedule = rescaled[pick]
        in_sample = float(pooled[pick])
        halving_value = float(pooled[0])
        finder_value = float(pooled[1])
        # 5. validation on fresh runs of the simulation engine, paired on the same streams
        from ..mechanisms import FinderOnly, RecursiveSplit

        rules = {"designed": best_schedule,
                 "recursive_halving": RecursiveSplit(budget / 2, 0.5),
                 "finder_only": FinderOnly(budget)}
        if budget_kind == "expected":
            rules["recursive_halving"] = search.scaled(_halving(1.0, H))[0][0]
            rules["finder_only"] = search.scaled(_finder_only(1.0, H))[0][0]
        held = {}
        for name, rule in rules.items():
            held[name] = campaign.simulate(rule, n_runs=n_validation, rng=validation_seed,
                                           progress=False)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    per_run = {name: _per_run(res, objective) for name, res in held.items()}
    value, interval, stderr = _mean_interval(per_run["designed"], objective)
    details = dict(objective=objective, budget_kind=budget_kind, objective_interval=interval,
                   objective_stderr=stderr, in_sample=float(in_sample),
                   in_sample_recursive_halving=float(halving_value),
                   in_sample_finder_only=float(finder_value), n_runs=n_runs,
                   n_validation=n_validation, runs_simulated=int(search.evaluated),
                   pattern_rounds=rounds)
    for name in ("recursive_halving", "finder_only"):
        v, iv, _ = _mean_interval(per_run[name], objective)
        diff = per_run["designed"] - per_run[name]
        se = float(diff.std(ddof=1) / math.sqrt(diff.size))
        details[name] = v
        details[f"{name}_interval"] = iv
        details[f"vs_{name}"] = dict(difference=float(diff.mean()), stderr=se,
                                     interval=(float(diff.mean() - _Z * se),
                                               float(diff.mean() + _Z * se)))
    details["improvement"] = value - max(details["recursive_halving"], details["finder_only"])
    inc = held["designed"].incentives
    details.update(incentives=inc.incentives, probabilities=inc.probabilities)
    if budget_kind == "expected":
        res = held["designed"]
        finds = int(np.isfinite(res.found_time).sum())
        used = float(res.paid.sum() / finds) if finds else 0.0
    else:
        used = float(best_schedule.sum())
    details["held_out"] = held
    return DesignResult(rewards=best_schedule, objective=value, status="local",
                        method="crn-search", solver="numba", budget=budget, budget_used=used,
                        details=details)


def _per_run(result, objective):
    if objective == "success":
        return result.success.astype(np.float64)
    if objective == "reach":
        return result.participants.astype(np.float64)
    return result.max_depth.astype(np.float64)


def _mean_interval(values, objective):
    n = values.size
    mean = float(values.mean())
    if objective == "success":
        k = int(values.sum())
        phat = k / n
        denom = 1.0 + _Z * _Z / n
        centre = (phat + _Z * _Z / (2 * n)) / denom
        half = _Z * math.sqrt(phat * (1 - phat) / n + _Z * _Z / (4 * n * n)) / denom
        interval = (max(0.0, centre - half), min(1.0, centre + half))
        return mean, interval, math.sqrt(phat * (1 - phat) / n)
    se = float(values.std(ddof=1) / math.sqrt(n))
    return mean, (mean - _Z * se, mean + _Z * se), se


def _logit(p):
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _expit(x):
    return 1.0 / (1.0 + math.exp(-x))


def _progress_bar(progress, total):
    show = progress
    if show is None:
        show = sys.stderr is not None and sys.stderr.isatty()
    if not show:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="schedule", desc="designing split", leave=False)
