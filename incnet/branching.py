r"""Offspring laws of Galton-Watson branching processes and their generating functions.

Shared by :mod:`incnet.mechanisms` (query incentive networks), :mod:`incnet.simulate` (recruitment
on a branching process) and :mod:`incnet.design` (exact success probabilities). An offspring law
:math:`K` is held as its probability mass function :math:`p_k = P(K = k)` on
:math:`k = 0, \dots, k_{\max}`; its probability generating function is

.. math:: \psi(s) = E[s^K] = \sum_{k=0}^{k_{\max}} p_k s^k .

A law with unbounded support (Poisson, negative binomial, ...) is truncated where its upper tail
falls below ``1e-15`` and renormalised; the dropped mass is kept in
:attr:`OffspringLaw.truncated_mass`.
"""

import numbers
from dataclasses import dataclass, field

import numpy as np

from ._validate import as_real_array, describe
from .errors import InvalidInputError

__all__ = ["OffspringLaw", "as_offspring"]

_TAIL = 1e-15
_MAX_SUPPORT = 1_000_000


@dataclass(frozen=True, eq=False, repr=False)
class OffspringLaw:
    r"""A discrete offspring distribution on ``0, 1, ..., len(pmf) - 1``.

    Parameters
    ----------
    pmf : array_like
        Non-negative probabilities summing to 1 (within 1e-9; renormalised exactly).
    name : str, optional
        A label for reprs and reports.
    truncated_mass : float, default 0.0
        Upper-tail mass dropped when an unbounded law was truncated.

    Examples
    --------
    >>> from incnet.branching import OffspringLaw
    >>> law = OffspringLaw([0.25, 0.5, 0.25])
    >>> law.mean, float(law.pgf(0.5))
    (1.0, 0.5625)
    >>> law.extinction_probability()
    1.0
    """

    pmf: np.ndarray
    name: str = "custom"
    truncated_mass: float = 0.0
    cdf: np.ndarray = field(init=False)

    def __post_init__(self):
        try:
            pmf = np.array(as_real_array(self.pmf, "offspring pmf"), dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise InvalidInputError(f"offspring pmf must be numeric, got {describe(self.pmf)}") from None
        if pmf.size == 0:
            raise InvalidInputError("offspring pmf is empty; give P(K = 0), P(K = 1), ...")
        if not np.all(np.isfinite(pmf)) or np.any(pmf < 0):
            raise InvalidInputError(f"offspring pmf must be finite and >= 0, got {describe(pmf.tolist())}")
        with np.errstate(over="ignore"):  # an overflowing total is refused below, not warned about
            total = pmf.sum()
        if abs(total - 1.0) > 1e-9:
            raise InvalidInputError(f"offspring pmf must sum to 1, sums to {total:.12g}")
        pmf = pmf / total
        last = np.flatnonzero(pmf)[-1]
        pmf = pmf[: last + 1]
        pmf.flags.writeable = False
        cdf = np.cumsum(pmf)
        cdf[-1] = 1.0
        cdf.flags.writeable = False
        object.__setattr__(self, "pmf", pmf)
        object.__setattr__(self, "cdf", cdf)

    def __repr__(self):
        return f"OffspringLaw({self.name}, mean={self.mean:.6g}, max={self.max_offspring})"

    @property
    def max_offspring(self):
        """Largest number of offspring with positive probability."""
        return len(self.pmf) - 1

    @property
    def mean(self):
        """:math:`E[K] = \\psi'(1)`."""
        return float(np.dot(np.arange(len(self.pmf)), self.pmf))

    @property
    def variance(self):
        """:math:`\\operatorname{Var}[K]`."""
        k = np.arange(len(self.pmf))
        return float(np.dot(k * k, self.pmf) - self.mean**2)

    def pgf(self, s):
        """Generating function :math:`\\psi(s) = \\sum_k p_k s^k`, vectorised over ``s``."""
        return np.polynomial.polynomial.polyval(np.asarray(s, dtype=np.float64), self.pmf)

    def pgf_derivative(self, s):
        """:math:`\\psi'(s)`, vectorised over ``s``."""
        coef = self.pmf[1:] * np.arange(1, len(self.pmf))
        if coef.size == 0:
            return np.zeros_like(np.asarray(s, dtype=np.float64))
        return np.polynomial.polynomial.polyval(np.asarray(s, dtype=np.float64), coef)

    def extinction_probability(self, *, scale=1.0, tol=1e-14, max_iter=100_000):
        r"""Smallest fixed point in [0, 1] of :math:`s = c\,\psi(s)` (``c = scale``).

        With ``scale = 1`` this is the extinction probability of the process. Found by the
        monotone iteration :math:`s_{t+1} = c\,\psi(s_t)` from :math:`s_0 = 0`, which increases
        to the smallest fixed point; Newton steps accelerate it near a simple root.
        """
        scale = float(scale)
        s = 0.0
        for _ in range(max_iter):
            nxt = scale * float(self.pgf(s))
            if abs(nxt - s) <= tol:
                return nxt
            s = nxt
        return s

    def sample(self, size, rng=None):
        """Draw ``size`` offspring counts by inversion of the CDF."""
        from ._validate import as_rng

        u = as_rng(rng).random(size)
        return np.searchsorted(self.cdf, u, side="right").astype(np.int64)


def as_offspring(obj):
    """Turn an offspring specification into an :class:`OffspringLaw`.

    Parameters
    ----------
    obj : OffspringLaw, frozen scipy.stats discrete distribution, or array_like pmf
        E.g. ``scipy.stats.poisson(1.5)``, ``scipy.stats.binom(4, 0.3)``, or ``[0.2, 0.5, 0.3]``.

    Returns
    -------
    OffspringLaw

    Raises
    ------
    InvalidInputError
        For a continuous distribution, support below 0, or a tail too heavy to truncate.

    Examples
    --------
    >>> import scipy.stats
    >>> law = as_offspring(scipy.stats.poisson(2.0))
    >>> round(law.mean, 12), round(float(law.pgf(0.5)), 12)
    (2.0, 0.367879441171)
    """
    if isinstance(obj, OffspringLaw):
        return obj
    dist = getattr(obj, "dist", None)
    if dist is not None and hasattr(obj, "pmf") and hasattr(obj, "isf"):
        import scipy.stats

        if not isinstance(dist, scipy.stats.rv_discrete):
            raise InvalidInputError(
                f"offspring must be a discrete distribution, got continuous {dist.name}"
            )
        low, high = obj.support()
        if low < 0:
            raise InvalidInputError(f"offspring counts must be >= 0, but {dist.name} has support from {low}")
        top = high if np.isfinite(high) else obj.isf(_TAIL)
        if not np.isfinite(top) or top > _MAX_SUPPORT:
            raise InvalidInputError(
                f"the tail of {dist.name} is too heavy to tabulate (P(K > {_MAX_SUPPORT}) > {_TAIL}); "
                "pass a truncated pmf array instead"
            )
        k = np.arange(0, int(top) + 1)
        pmf = obj.pmf(k)
        kept = float(pmf.sum())
        args = ", ".join(f"{a:g}" if isinstance(a, numbers.Real) else str(a) for a in obj.args)
        return OffspringLaw(pmf / kept, name=f"{dist.name}({args})", truncated_mass=max(0.0, 1.0 - kept))
    if isinstance(obj, (str, bytes)) or not np.iterable(obj):
        raise InvalidInputError(
            f"offspring must be a frozen scipy.stats discrete distribution or a pmf array, got {describe(obj)}"
        )
    return OffspringLaw(obj)
