"""Draw docs/_static/split_contracts.png: the investment a root needs, fixed versus split contracts.

Run from the repository root (``python docs/_scripts/split_contracts.py``); the figure is committed,
so the documentation build does not recompute it. The numbers are those of
``query_incentive_equilibrium`` (Kleinberg & Raghavan's fixed contracts, strategic root) and
``split_contract_equilibrium`` (strategic split contracts), and the full-propagation benchmark.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import scipy.stats  # noqa: E402

from incnet.mechanisms import query_incentive_equilibrium, split_contract_equilibrium  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "_static" / "split_contracts.png"
SIGMA = 0.3


def main():
    fig, ax = plt.subplots(figsize=(7.0, 4.2), dpi=110)
    for b, colour, fixed_top in ((1.5, "tab:red", 4.0), (1.8, "tab:blue", 5.0)):
        law = scipy.stats.poisson(b)
        exps = np.arange(1.0, 6.01, 0.5)
        ns = 10.0**exps
        fixed_ns = ns[exps <= fixed_top]
        fixed = [query_incentive_equilibrium(law, n, SIGMA).reward for n in fixed_ns]
        split = [split_contract_equilibrium(law, n, SIGMA).reward for n in ns]
        bench = [query_incentive_equilibrium(law, n, SIGMA, contract="full_propagation").reward for n in ns]
        ax.plot(fixed_ns, fixed, "o-", color=colour, label=f"fixed contracts, b = {b:g}")
        ax.plot(ns, split, "s--", color=colour, label=f"strategic split contracts, b = {b:g}")
        ax.plot(ns, bench, ":", color=colour, alpha=0.6, label=f"full-propagation benchmark, b = {b:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rarity n (each node holds the answer with probability 1/n)")
    ax.set_ylabel(f"investment for success {SIGMA:g}")
    ax.set_title("Poisson(b) trees: fixed contracts need exponentially more below b = 2")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
