"""Tidy results: to_frame and to_dict on every result, labels wherever a node is named."""

import json

import networkx as nx
import numpy as np
import pytest

import incnet
from incnet import IncentiveNetwork

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def lettered():
    G = nx.relabel_nodes(nx.karate_club_graph(), {i: f"p{i}" for i in range(34)})
    return IncentiveNetwork.from_networkx(G)


def test_per_node_results_frame_by_label(lettered):
    eq = incnet.linear_quadratic(lettered, 1.0, 0.05)
    frame = eq.to_frame()
    assert frame.index.name == "node" and list(frame.index) == list(lettered.nodes)
    np.testing.assert_array_equal(frame["x"].to_numpy(), eq.x)
    assert (frame["method"] == eq.method).all() and (frame["residual"] == eq.residual).all()
    assert eq.to_dict()["p33"] == pytest.approx(float(eq.x[33]))
    pay = incnet.total_payoffs(lettered.scaled(0.05), np.eye(34)[:, :2])
    wide = pay.to_frame()
    assert list(wide.columns[:2]) == ["u_0", "u_1"] and wide.loc["p0", "u_0"] == pytest.approx(pay.u[0, 0])


def test_key_player_result_to_dict_and_frame(lettered):
    res = incnet.key_player(lettered, delta=0.05, k=2)
    d = res.to_dict()
    assert d["players"] == res.players and d["intercentrality"] == res.intercentrality.tolist()
    json.dumps(d)  # plain Python values
    frame = res.to_frame()
    assert frame.index.name == "player" and tuple(frame.index) == res.players
    np.testing.assert_array_equal(frame["intercentrality"].to_numpy(), res.intercentrality)
    assert (frame["aggregate"] == res.aggregate).all()


def test_simulation_result_frame_by_run_and_labelled_forest(lettered):
    res = incnet.simulate_recruitment(lettered, [10.0, 5.0, 2.5], initial=["p0"], targets=["p33"],
                                      response=0.6, horizon=4, n_runs=30, rng=5, deadline=8.0,
                                      keep_trees=True)
    frame = res.to_frame()
    assert frame.index.name == "run" and len(frame) == 30
    np.testing.assert_array_equal(frame["success"].to_numpy(), res.success)
    np.testing.assert_array_equal(frame["found_time_0"].to_numpy(), res.found_time[:, 0])
    assert (frame["deadline"] == 8.0).all()
    d = res.to_dict()
    assert d["n_runs"] == 30 and d["success"] == res.success.tolist()
    forest = res.forest(0)
    assert forest["node"][0] == "p0" and forest["parent"][0] is None
    assert all(isinstance(v, str) for v in forest["node"])
    assert [lettered.nodes[i] for i in forest["node_index"]] == forest["node"]
    assert set(res.tree(0).nodes) == set(forest["node"])


def test_cascade_result_has_labels_and_frames(lettered):
    res = incnet.independent_cascade(lettered, ["p0"], 0.2, n_runs=25, rng=1)
    assert res.nodes == lettered.nodes
    frame = res.to_frame()
    assert frame.index.name == "run" and len(frame) == 25 and (frame["mean"] == res.mean).all()
    assert res.to_dict()["spread"] == res.spread.tolist()


def test_every_result_class_has_to_dict_and_to_frame(lettered):
    from incnet.mechanisms import RecursiveSplit, check_budget

    results = [
        incnet.threshold_equilibrium(lettered, 2.0),
        check_budget(RecursiveSplit(100.0, 0.5), rng=0),
        incnet.public_goods(lettered, 1.0, 0.05),
        incnet.recruitment_incentives(RecursiveSplit(100.0, 0.5), mean_contacts=2.0, response=0.5,
                                      find_probability=0.01, horizon=4),
        incnet.query_incentive_equilibrium(__import__("scipy").stats.poisson(2.5), 20, 0.5),
    ]
    for res in results:
        d = res.to_dict()
        assert isinstance(d, dict) and d
        frame = res.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) >= 1


def test_intercentrality_is_a_labelled_read_only_array(lettered):
    import pickle

    c = incnet.intercentrality(lettered, delta=0.05)
    assert isinstance(c, np.ndarray) and c.shape == (34,) and c.nodes == lettered.nodes
    with pytest.raises(ValueError):
        c[0] = 1.0
    assert c.key_player == incnet.key_player(lettered, delta=0.05).players[0]
    assert c.to_dict()["p0"] == pytest.approx(float(c[0]))
    assert c.to_frame().loc["p33", "intercentrality"] == pytest.approx(float(c[33]))
    assert int(np.argmax(c)) == lettered.node_index[c.key_player] and float(c.max()) == pytest.approx(c[33])
    back = pickle.loads(pickle.dumps(c))
    np.testing.assert_array_equal(back, c)
    assert back.nodes == c.nodes


def test_key_player_reports_progress(lettered):
    seen = []
    res = incnet.key_player(lettered, delta=0.05, k=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)] and len(res.players) == 3


def test_cascades_report_progress_without_changing_the_result(lettered):
    seen = []
    plain = incnet.independent_cascade(lettered, ["p0"], 0.3, n_runs=3000, rng=4)
    tracked = incnet.independent_cascade(lettered, ["p0"], 0.3, n_runs=3000, rng=4,
                                         progress=lambda done, total: seen.append(done))
    np.testing.assert_array_equal(plain.spread, tracked.spread)
    assert seen[-1] == 3000 and len(seen) > 1 and seen == sorted(seen)
    lt = []
    incnet.linear_threshold(lettered, ["p0"], n_runs=50, rng=1, progress=lambda d, t: lt.append(d))
    assert lt[-1] == 50


def test_progress_true_without_tqdm_warns_and_a_false_callback_cancels(lettered, monkeypatch):
    import sys
    import warnings

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.warns(RuntimeWarning, match="tqdm"):
        warnings.simplefilter("always")
        incnet.simulate_recruitment(lettered, [1.0], initial=["p0"], targets=0, response=0.5,
                                    horizon=2, n_runs=10, rng=0, progress=True)
    with pytest.raises(incnet.CancelledError):
        incnet.key_player(lettered, delta=0.05, k=3, progress=lambda done, total: done < 2)
