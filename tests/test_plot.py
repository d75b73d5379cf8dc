"""incnet.plot draws what it is given (Agg backend, no display) and imports matplotlib lazily."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import incnet  # noqa: E402
from incnet import InvalidInputError  # noqa: E402
from incnet.plot import plot_network, plot_payoffs  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def karate_payoffs():
    net = incnet.as_network(nx.karate_club_graph()).row_normalized(0.5)
    # a dense solve, independent of the library's solvers
    u = np.linalg.solve(np.eye(net.n) - net.W.toarray(), np.eye(net.n)[:, 0])
    return net, u


def test_import_does_not_load_matplotlib():
    code = "import sys, incnet.plot; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_plot_payoffs_rank_plots_sorted_values(karate_payoffs):
    net, u = karate_payoffs
    ax = plot_payoffs(net, u, label_top=3)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), np.sort(u)[::-1])
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 35))
    top = np.argsort(-u, kind="stable")[:3]
    assert [t.get_text() for t in ax.texts] == [str(net.nodes[i]) for i in top]
    assert ax.get_yscale() == "log"


def test_plot_payoffs_degree_view_and_result_object(karate_payoffs):
    net, u = karate_payoffs

    class Result:  # anything with a per-node ``u``, like PayoffResult
        pass

    result = Result()
    result.u = np.column_stack([np.ones(net.n), u])
    fig, ax = plt.subplots()
    assert plot_payoffs(net, result, ax=ax, kind="degree", column=1, log=False) is ax
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], net.degrees())
    np.testing.assert_allclose(offsets[:, 1], u)
    assert ax.get_xscale() == "linear"


def test_plot_payoffs_rejects_bad_input(karate_payoffs):
    net, u = karate_payoffs
    with pytest.raises(InvalidInputError, match="one value per node"):
        plot_payoffs(net, u[:-1])
    with pytest.raises(InvalidInputError, match="unknown kind"):
        plot_payoffs(net, u, kind="pie")
    with pytest.raises(InvalidInputError, match="column 2"):
        plot_payoffs(net, np.column_stack([u, u]), column=2)


def test_plot_network_colours_nodes_by_value(karate_payoffs):
    net, u = karate_payoffs
    ax = plot_network(net, values=u, rng=1)
    nodes = [c for c in ax.collections if len(c.get_offsets()) == net.n][0]
    np.testing.assert_allclose(nodes.get_array(), u)
    assert len(ax.texts) == 34  # labels shown on small networks
    assert len(ax.figure.axes) == 2  # the colour bar


def test_plot_network_uses_given_positions_and_limits_size():
    G = nx.path_graph(["a", "b", "c"])
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (2.0, 1.0)}
    ax = plot_network(G, pos=pos, with_labels=False)
    offsets = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(offsets, [pos["a"], pos["b"], pos["c"]])
    with pytest.raises(InvalidInputError, match="no position for node 'c'"):
        plot_network(G, pos={"a": (0, 0), "b": (1, 1)})
    with pytest.raises(InvalidInputError, match="max_nodes"):
        plot_network(nx.path_graph(50), max_nodes=10)


def test_plot_network_seed_is_a_deprecated_alias_of_rng():
    import numpy as np

    G = nx.path_graph(5)
    new = plot_network(G, rng=3)
    with pytest.warns(DeprecationWarning, match="rng="):
        old = plot_network(G, seed=3)
    np.testing.assert_allclose(new.collections[0].get_offsets(), old.collections[0].get_offsets())
    with pytest.raises(TypeError, match="both"):
        plot_network(G, rng=2, seed=3)
    plot_network(G, rng=np.random.default_rng(0))
