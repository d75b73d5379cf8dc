"""Linear-quadratic games and the key player, against dense inverses and brute-force removal."""

import itertools

import networkx as nx
import numpy as np
import pytest

from incnet import IllPosedNetworkError, IncentiveNetwork, InvalidInputError
from incnet.equilibria import (
    best_response_gap,
    intercentrality,
    is_equilibrium,
    key_player,
    linear_quadratic,
)


def dense_total(A, delta, alpha):
    n = A.shape[0]
    return float(np.linalg.solve(np.eye(n) - delta * A, alpha).sum())


def brute_force_reductions(A, delta, alpha):
    """Fall in aggregate effort when each player is removed, by re-solving without it."""
    n = A.shape[0]
    total = dense_total(A, delta, alpha)
    out = np.empty(n)
    for i in range(n):
        keep = np.delete(np.arange(n), i)
        out[i] = total - dense_total(A[np.ix_(keep, keep)], delta, alpha[keep])
    return out


def ballester_graph():
    """The 11-player network of Ballester, Calvó-Armengol & Zenou (2006), Fig. 1 / Table I.

    Player 1 is linked to 2, 6, 7 and 11; {2, ..., 6} and {7, ..., 11} are cliques.
    """
    G = nx.Graph()
    G.add_edges_from(itertools.combinations(range(2, 7), 2))
    G.add_edges_from(itertools.combinations(range(7, 12), 2))
    G.add_edges_from((1, j) for j in (2, 6, 7, 11))
    return G


@pytest.mark.parametrize("decay", [0.1, 0.2])
def test_ballester_table_one_by_independent_dense_route(decay):
    G = ballester_graph()
    nodes = sorted(G)
    net = IncentiveNetwork.from_networkx(G, nodelist=nodes)
    A = nx.to_numpy_array(G, nodelist=nodes)
    M = np.linalg.inv(np.eye(11) - decay * A)
    bonacich = M @ np.ones(11)
    inter = bonacich**2 / np.diag(M)
    eq = linear_quadratic(net, 1.0, decay)
    np.testing.assert_allclose(eq.x, bonacich, rtol=1e-10)
    np.testing.assert_allclose(intercentrality(net, delta=decay), inter, rtol=1e-10)
    # Removing player i lowers aggregate effort by exactly c_i.
    np.testing.assert_allclose(inter, brute_force_reductions(A, decay, np.ones(11)), rtol=1e-10)
    # The symmetries of the figure: the bridge ends 2, 6, 7, 11 alike, the clique cores alike.
    for group in ([2, 6, 7, 11], [3, 4, 5, 8, 9, 10]):
        idx = [nodes.index(v) for v in group]
        assert np.ptp(bonacich[idx]) < 1e-12 and np.ptp(inter[idx]) < 1e-12
    # The key player is the dense argmax (the first of a symmetric tie, reproducibly).
    top = np.flatnonzero(inter >= inter.max() - 1e-9)
    assert key_player(net, delta=decay).players == (nodes[top[0]],)
    assert key_player(net, delta=decay, method="pruned").players == (nodes[top[0]],)


# Ballester, Calvó-Armengol & Zenou (2006), Table I, as printed (two decimals): Bonacich
# centrality b_i and intercentrality c_i of players 1, 2 (a bridge end; 6, 7, 11 alike) and 3
# (a clique core; 4, 5, 8, 9, 10 alike).
BALLESTER_TABLE_ONE = {
    0.1: {1: (1.75, 2.92), 2: (1.88, 3.28), 3: (1.72, 2.79)},
    0.2: {1: (8.33, 41.67), 2: (9.17, 40.33), 3: (7.78, 32.67)},
}


@pytest.mark.parametrize("decay", sorted(BALLESTER_TABLE_ONE))
def test_ballester_table_one_published_values(decay):
    G = ballester_graph()
    nodes = sorted(G)
    net = IncentiveNetwork.from_networkx(G, nodelist=nodes)
    b = linear_quadratic(net, 1.0, decay).x
    c = intercentrality(net, delta=decay)
    for player, (b_printed, c_printed) in BALLESTER_TABLE_ONE[decay].items():
        i = nodes.index(player)
        assert round(float(b[i]), 2) == b_printed
        assert round(float(c[i]), 2) == c_printed


def test_ballester_headline_key_player_is_not_the_most_central():
    # Ballester et al. (2006), Section 4 / Table I at a = 0.2: player 1 is the key player
    # although players 2, 6, 7 and 11 have a higher Bonacich centrality.
    G = ballester_graph()
    nodes = sorted(G)
    net = IncentiveNetwork.from_networkx(G, nodelist=nodes)
    b = linear_quadratic(net, 1.0, 0.2).x
    most_central = {nodes[i] for i in np.flatnonzero(b == b.max())}
    assert 1 not in most_central
    assert most_central == {2, 6, 7, 11}
    assert key_player(net, delta=0.2).players == (1,)
    c = intercentrality(net, delta=0.2)
    assert int(np.argmax(c)) == nodes.index(1) and np.sum(c == c.max()) == 1


@pytest.mark.parametrize("seed", range(6))
def test_random_directed_heterogeneous_alpha(seed):
    rng = np.random.default_rng(seed)
    n = 25
    A = (rng.random((n, n)) < 0.15) * rng.random((n, n))
    np.fill_diagonal(A, 0.0)
    alpha = rng.uniform(0.2, 2.0, n)
    rho = np.max(np.abs(np.linalg.eigvals(A)))
    delta = 0.8 / rho
    res = linear_quadratic(A, alpha, delta)
    np.testing.assert_allclose(res.x, np.linalg.solve(np.eye(n) - delta * A, alpha), rtol=1e-9)
    assert res.residual < 1e-8 and res.unique
    assert is_equilibrium(A, res.x, game="linear_quadratic", alpha=alpha, delta=delta, tol=1e-14)
    # Intercentrality = brute-force removal, for asymmetric G and heterogeneous alpha too.
    np.testing.assert_allclose(
        intercentrality(A, delta=delta, alpha=alpha), brute_force_reductions(A, delta, alpha), rtol=1e-9
    )


@pytest.mark.parametrize("method", ["direct", "krylov", "neumann"])
def test_methods_agree_and_satisfy_best_responses(method, karate):
    res = linear_quadratic(karate, 1.0, 0.1, method=method)
    dense = np.linalg.solve(np.eye(34) - 0.1 * nx.to_numpy_array(karate, weight=None), np.ones(34))
    np.testing.assert_allclose(res.x, dense, rtol=1e-8)
    assert best_response_gap(karate, res.x, game="linear_quadratic", delta=0.1) < 1e-16


def test_ill_posed_decay_states_rho_and_the_admissible_delta():
    G = nx.complete_graph(5)  # rho = 4
    with pytest.raises(IllPosedNetworkError, match=r"1 / rho\(G\) = 0\.25") as err:
        linear_quadratic(G, 1.0, 0.25)
    assert err.value.spectral_radius == pytest.approx(4.0)
    with pytest.raises(IllPosedNetworkError):
        key_player(G, delta=-0.3)
    with pytest.raises(IllPosedNetworkError):
        intercentrality(G, delta=0.3)
    with pytest.raises(InvalidInputError):
        linear_quadratic(G, [1.0, 2.0], 0.1)
    with pytest.raises(InvalidInputError):
        linear_quadratic(G, 1.0, float("nan"))
    with pytest.raises(InvalidInputError, match="k = 6"):
        key_player(G, delta=0.1, k=6)


def test_key_player_agrees_with_brute_force_on_a_real_network(karate):
    A = nx.to_numpy_array(karate, weight=None)
    delta = 0.5 / np.max(np.linalg.eigvalsh(A))
    reductions = brute_force_reductions(A, delta, np.ones(34))
    for method in ("lu", "pruned"):
        res = key_player(karate, delta=delta, method=method)
        assert res.players == (int(np.argmax(reductions)),)
        assert res.intercentrality[0] == pytest.approx(reductions.max(), rel=1e-8)
        assert res.aggregate == pytest.approx(dense_total(A, delta, np.ones(34)), rel=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_pruned_search_is_exact_on_random_graphs(seed):
    G = nx.gnm_random_graph(300, 900, seed=seed)
    net = IncentiveNetwork.from_networkx(G)
    delta = 0.9 / net.spectral_radius
    alpha = np.random.default_rng(seed).uniform(0.5, 1.5, net.n)
    exact = intercentrality(net, delta=delta, alpha=alpha)
    res = key_player(net, delta=delta, alpha=alpha, method="pruned")
    assert res.players == (int(np.argmax(exact)),)
    assert res.intercentrality[0] == pytest.approx(exact.max(), rel=1e-7)
    assert res.solves < net.n


@pytest.mark.parametrize("seed", range(4))
def test_greedy_key_group_reductions_and_guarantee(seed):
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(12, 0.3, seed=seed)
    A = nx.to_numpy_array(G)
    alpha = rng.uniform(0.5, 1.5, 12)
    delta = 0.7 / max(np.max(np.linalg.eigvalsh(A)), 1e-9)
    res = key_player(G, delta=delta, alpha=alpha, k=3)
    # Removing the group really lowers aggregate effort by the sum of the marginal reductions.
    group = list(res.players)
    keep = [i for i in range(12) if i not in group]
    after = dense_total(A[np.ix_(keep, keep)], delta, alpha[keep])
    assert res.remaining_aggregate == pytest.approx(after, rel=1e-9)
    # Each step is the exact best marginal choice.
    removed = []
    for step, player in enumerate(group):
        left = [i for i in range(12) if i not in removed]
        marginal = brute_force_reductions(A[np.ix_(left, left)], delta, alpha[left])
        assert left[int(np.argmax(marginal))] == player
        assert res.intercentrality[step] == pytest.approx(marginal.max(), rel=1e-9)
        removed.append(player)
    # Submodular coverage: greedy is within 1 - (1 - 1/k)^k of the best group (brute force).
    total = dense_total(A, delta, alpha)
    best = max(
        total - dense_total(A[np.ix_(rest, rest)], delta, alpha[rest])
        for trio in itertools.combinations(range(12), 3)
        for rest in [[i for i in range(12) if i not in trio]]
    )
    achieved = total - after
    assert res.approximation == pytest.approx(1 - (2 / 3) ** 3)
    assert achieved >= res.approximation * best - 1e-12
    assert achieved <= best + 1e-9


def test_no_guarantee_reported_for_substitutes():
    res = key_player(nx.cycle_graph(6), delta=-0.2, k=2)
    assert res.approximation is None and res.method == "lu"
    with pytest.raises(InvalidInputError, match="pruned"):
        key_player(nx.cycle_graph(6), delta=-0.2, method="pruned")


def test_no_interaction_and_labels():
    G = nx.path_graph(["a", "b", "c"])
    res = linear_quadratic(G, [1.0, 2.0, 3.0], 0.0)
    assert res.x.tolist() == [1.0, 2.0, 3.0]
    assert res.to_dict() == {"a": 1.0, "b": 2.0, "c": 3.0}
    empty = IncentiveNetwork.from_dense(np.zeros((3, 3)))
    np.testing.assert_allclose(linear_quadratic(empty, 2.0, 0.4).x, 2.0)
    np.testing.assert_allclose(intercentrality(empty, delta=0.4, alpha=2.0), 2.0)  # only alpha_i is lost
    assert key_player(G, delta=0.3, k=3).remaining_aggregate == pytest.approx(0.0, abs=1e-12)
