"""The success-over-time view and the DARPA section of the demo."""

import io
import re

import matplotlib
import networkx as nx
import numpy as np
import pytest

matplotlib.use("Agg")

from incnet.cli import build_parser, darpa_mechanisms, _demo_darpa  # noqa: E402
from incnet.errors import InvalidInputError  # noqa: E402
from incnet.plot import plot_success_over_time  # noqa: E402
from incnet.simulate import simulate_recruitment  # noqa: E402


def test_success_curve_is_the_empirical_distribution_of_completion_times():
    res = simulate_recruitment(nx.path_graph(4), [1.0], seeds=[0], targets=[3], response=1.0, horizon=5,
                               n_runs=500, delay=1.0, deadline=8.0, rng=3)
    times = np.linspace(0, 8, 33)
    done = res.completion_time
    expected = [(done <= t).mean() for t in times]
    assert np.allclose(res.success_by_time(times), expected)
    ax = plot_success_over_time({"path": res}, times=times)
    ys = ax.lines[0].get_ydata()
    assert np.allclose(ys, expected)
    with pytest.raises(InvalidInputError):
        plot_success_over_time({})


def test_darpa_rules_respect_the_4000_budget():
    for label, mech in darpa_mechanisms():
        assert mech.budget <= 4000.0 + 1e-9, label


def test_darpa_demo_section_prints_a_row_per_rule_and_saves_the_plot(tmp_path):
    png = tmp_path / "darpa.png"
    args = build_parser().parse_args(["demo", "--runs", "40", "--plot", str(png)])
    out = io.StringIO()
    _demo_darpa(args, out)
    text = out.getvalue()
    for label, _ in darpa_mechanisms():
        row = re.search(re.escape(label) + r"\s+([\d.]+) \[([\d.]+), ([\d.]+)\]", text)
        assert row, label
        rate, low, high = map(float, row.groups())
        assert low <= rate <= high
    assert png.exists() and png.stat().st_size > 1000


def test_designed_demo_rule_is_the_optimal_split_and_within_budget():
    from incnet.cli import designed_darpa_rule
    from incnet.datasets import load
    from incnet.simulate import ExponentialResponse

    net = load("ego-facebook", as_network=True)
    (label, mechanism), design = designed_darpa_rule(net, ExponentialResponse(0.02, 0.4, scale=200.0))
    assert mechanism.budget <= 4000.0 + 1e-6
    np.testing.assert_allclose(mechanism.chain_payments(len(design.schedule)), design.schedule)
    # it is the optimum of its model: no worse there than the two classic rules
    assert design.objective >= design.details["recursive_halving"] - 1e-9
    assert design.objective >= design.details["finder_only"] - 1e-9
