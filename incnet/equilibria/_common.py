"""Shared pieces of the network-game solvers (private): result class and argument checks."""

from dataclasses import dataclass

import numpy as np

from .._results import ResultMixin
from .._validate import as_real_array, describe
from ..errors import InvalidInputError

__all__ = [
    "EquilibriumResult",
    "interaction_sign",
    "require_nonnegative_weights",
    "influence_matrix",
    "as_box_upper",
    "as_finite",
]

INTERACTIONS = ("substitutes", "complements")


@dataclass(frozen=True, repr=False)
class EquilibriumResult(ResultMixin):
    """A Nash equilibrium of a network game with continuous actions, and how it was found.

    Attributes
    ----------
    x : numpy.ndarray
        Equilibrium actions, shape (n,), in the order of ``nodes``.
    unique : bool or None
        Whether the equilibrium is known to be the only one: ``True`` when a sufficient
        condition holds, ``False`` when the game is known to admit several equilibria for some
        parameters (see the solver's Notes), ``None`` when it could not be decided.
    converged : bool
        Whether the solver met its tolerance.
    iterations : int
        Iterations (sweeps, pivots) of the solver; 0 for direct solves.
    residual : float
        Fixed-point residual :math:`\\max_i |x_i - \\mathrm{BR}_i(x)|`, recomputed from ``x``
        with one sparse product independently of the solver.
    method : str
        The method actually used.
    nodes : tuple
        Node labels in index order.
    """

    x: np.ndarray
    unique: object
    converged: bool
    iterations: int
    residual: float
    method: str
    nodes: tuple = ()

    _per_node_field = "x"


def interaction_sign(interaction):
    """+1 for strategic substitutes, -1 for complements."""
    if interaction not in INTERACTIONS:
        raise InvalidInputError(
            f"unknown interaction {interaction!r}; choose 'substitutes' (best reply falls with "
            "the neighbours' actions) or 'complements' (it rises)"
        )
    return 1.0 if interaction == "substitutes" else -1.0


def require_nonnegative_weights(net, what):
    """Raise unless every weight of ``net`` is >= 0, naming the first negative one."""
    if net.is_nonnegative:
        return
    W = net.W
    p = int(np.flatnonzero(W.data < 0)[0])
    row = int(np.searchsorted(W.indptr, p, side="right") - 1)
    raise InvalidInputError(
        f"{what} needs non-negative weights, but W[{describe(net.nodes[row])}, "
        f"{describe(net.nodes[int(W.indices[p])])}] = {W.data[p]:g}; negative weights break the "
        "monotonicity the dynamics rely on. Drop or clip them (e.g. W.data.clip(0))"
    )


def influence_matrix(net):
    """CSR of :math:`W^\\top`: row ``j`` lists who listens to ``j`` (cached on the network)."""
    if net.is_symmetric:
        return net.W

    def compute():
        import scipy.sparse as sp

        T = sp.csr_array(net.W.T)
        T.sort_indices()
        for arr in (T.data, T.indices, T.indptr):
            arr.flags.writeable = False
        return T

    # The transpose is a pure function of the frozen W, so it is cached like the network's own facts.
    return net._cached("equilibria.transpose", compute)


def as_box_upper(upper, n):
    """Upper action bounds as a float64 (n,) array; ``None`` or ``inf`` entries mean no cap."""
    if upper is None:
        return np.full(n, np.inf)
    try:
        caps = as_real_array(upper, "upper")
    except (TypeError, ValueError):
        raise InvalidInputError(f"upper must be numeric, got {describe(upper)}") from None
    if caps.ndim == 0:
        caps = np.full(n, float(caps))
    if caps.shape != (n,):
        raise InvalidInputError(
            f"upper must be a scalar or have shape ({n},) (one cap per node), got shape {caps.shape}"
        )
    bad = np.flatnonzero(np.isnan(caps) | (caps < 0))
    if bad.size:
        raise InvalidInputError(
            f"upper must be >= 0 (inf for no cap), but entry {int(bad[0])} is {caps[bad[0]]}"
        )
    return np.array(caps, dtype=np.float64, order="C")


def as_finite(value, name):
    """A finite real number (of either sign), as float; bools and strings are refused."""
    from .._validate import _as_real

    return _as_real(value, name)
