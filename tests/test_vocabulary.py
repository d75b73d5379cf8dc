"""One vocabulary across modules: keyword-only decays, initial participants apart from seed nodes.

Old spellings keep working for one release with a DeprecationWarning, and give the same answer.
"""

import pickle
import warnings

import networkx as nx
import numpy as np
import pytest

import incnet
from incnet.design import Campaign, darpa_campaign, targeting
from incnet.equilibria import (LinearQuadraticSolver, intercentrality, intercentrality_bounds, key_player,
                               linear_quadratic)


@pytest.fixture(scope="module")
def karate():
    return incnet.as_network(nx.karate_club_graph())


@pytest.mark.parametrize("old, new", [
    (lambda net: intercentrality(net, 0.05), lambda net: intercentrality(net, delta=0.05)),
    (lambda net: intercentrality_bounds(net, 0.05).values,
     lambda net: intercentrality_bounds(net, delta=0.05).values),
    (lambda net: key_player(net, 0.05, k=2).intercentrality, lambda net: key_player(net, delta=0.05, k=2).intercentrality),
    (lambda net: LinearQuadraticSolver(net, 0.05).solve(1.0).x,
     lambda net: LinearQuadraticSolver(net, delta=0.05).solve(1.0).x),
])
def test_positional_decay_is_deprecated_and_means_delta(karate, old, new):
    with pytest.warns(DeprecationWarning, match=r"delta=\.\.\."):
        before = old(karate)
    np.testing.assert_array_equal(np.asarray(before), np.asarray(new(karate)))


def test_keyword_calls_are_silent_and_agree(karate):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = intercentrality(karate, delta=0.05)
        kp = key_player(karate, delta=0.05)
        x = LinearQuadraticSolver(karate, delta=0.05).solve(1.0).x
    np.testing.assert_allclose(x, linear_quadratic(karate, 1.0, 0.05).x, rtol=1e-8)
    assert kp.players[0] == c.key_player


def test_targeting_keywords_replace_the_old_order():
    G = nx.to_numpy_array(nx.star_graph(3))
    new = targeting(G, delta=0.3, budget=1.0, alpha_hat=1.0)
    with pytest.warns(DeprecationWarning, match=r"targeting\(net, delta=\.\.\., budget=\.\.\., alpha_hat=\.\.\.\)"):
        old = targeting(G, 0.3, 1.0, 1.0)
    np.testing.assert_array_equal(old.alpha, new.alpha)
    # a half-positional call still maps in the old order
    with pytest.warns(DeprecationWarning):
        half = targeting(G, 0.3, budget=1.0, alpha_hat=1.0)
    np.testing.assert_array_equal(half.alpha, new.alpha)


def test_a_value_given_twice_or_too_many_positionals_is_a_type_error(karate):
    with pytest.raises(TypeError, match="both by position and by keyword"):
        intercentrality(karate, 0.05, delta=0.05)
    with pytest.raises(TypeError, match="positional"):
        key_player(karate, 0.05, 1.0)


def test_signatures_show_the_keyword_only_form():
    import inspect

    for func in (intercentrality, intercentrality_bounds, key_player, targeting):
        param = inspect.signature(func).parameters["delta"]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, func.__name__
    assert inspect.signature(LinearQuadraticSolver).parameters["delta"].kind is inspect.Parameter.KEYWORD_ONLY


def test_decorated_functions_still_pickle_by_name():
    assert pickle.loads(pickle.dumps(intercentrality)) is intercentrality


def _campaign(**kwargs):
    return Campaign(nx.path_graph(5), targets=[4], response=0.5, horizon=4, **kwargs)


def test_campaign_initial_participants_and_the_old_seeds_spelling():
    new = _campaign(initial=[0])
    assert new.initial == (0,)
    with pytest.warns(DeprecationWarning, match="initial="):
        old = _campaign(seeds=[0])
    assert old.initial == (0,)
    with pytest.warns(DeprecationWarning, match="Campaign.initial"):
        assert old.seeds == (0,)
    a = new.simulate(incnet.mechanisms.RecursiveSplit(100.0, 0.5), n_runs=50, rng=3)
    b = old.simulate(incnet.mechanisms.RecursiveSplit(100.0, 0.5), n_runs=50, rng=3)
    np.testing.assert_array_equal(a.found_time, b.found_time)
    with pytest.raises(TypeError, match="both"):
        _campaign(initial=[0], seeds=[0])
    with pytest.raises(incnet.InvalidInputError, match="initial="):
        _campaign()
    with pytest.raises(incnet.InvalidInputError, match="seeds"):  # errors speak the spelling used
        with pytest.warns(DeprecationWarning):
            _campaign(seeds=[99])


def test_campaign_pickles_with_its_initial_participants():
    c = _campaign(initial=[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = pickle.loads(pickle.dumps(c))
    assert back.initial == (0, 1)


def test_darpa_campaign_initial_and_deprecated_seeds():
    G = nx.barabasi_albert_graph(100, 2, seed=1)
    assert darpa_campaign(G, initial=6).initial == 6
    with pytest.warns(DeprecationWarning, match="initial="):
        assert darpa_campaign(G, seeds=6).initial == 6


def test_recruitment_model_initial_and_deprecated_seeds():
    from incnet.design import RecruitmentModel

    new = RecruitmentModel([0.2, 0.3, 0.5], 0.5, find_probability=0.05, horizon=2, initial=3)
    with pytest.warns(DeprecationWarning, match="initial="):
        old = RecruitmentModel([0.2, 0.3, 0.5], 0.5, find_probability=0.05, horizon=2, seeds=3)
    assert old.initial == new.initial == 3
    assert old.success_probability([2.0, 1.0]) == new.success_probability([2.0, 1.0])
    with pytest.warns(DeprecationWarning, match="RecruitmentModel.initial"):
        assert new.seeds == 3
    with pytest.raises(TypeError, match="both"):
        RecruitmentModel([0.5, 0.5], 0.5, find_probability=0.05, horizon=2, initial=2, seeds=2)
    with pytest.raises(incnet.InvalidInputError, match="seeds"), pytest.warns(DeprecationWarning):
        RecruitmentModel([0.5, 0.5], 0.5, find_probability=0.05, horizon=2, seeds=0)
