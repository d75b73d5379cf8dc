r"""Response functions: how likely a participant is to recruit a contact, given the incentive.

A response function maps the expected payment :math:`w \ge 0` that one recruit brings its
recruiter (see :func:`~incnet.simulate.recruitment_incentives`) to a recruitment probability
:math:`p(w) \in [0, 1]`. Its value at :math:`w = 0` is plain information diffusion: what people do
when nobody pays them for passing the word on.

Named families (all vectorised, ``__call__(w) -> p``):

- :class:`ConstantResponse`: :math:`p(w) = p_0`;
- :class:`ExponentialResponse`: :math:`p(w) = p_0 + (p_{\max} - p_0)(1 - e^{-w/c})`;
- :class:`LinearResponse`: :math:`p(w) = \min(p_{\max}, p_0 + a w)`;
- :class:`ThresholdResponse`: :math:`p(w) = p_{\text{high}}` if :math:`w \ge \theta`, else
  :math:`p_0`.

Any vectorised callable is accepted through :func:`as_response`; it is evaluated once per depth
(:func:`response_table`) before the Monte Carlo kernel runs, so the kernel only reads a table.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from .._validate import check_nonnegative, check_positive, check_probability, describe
from ..errors import InvalidInputError

__all__ = [
    "Response",
    "ConstantResponse",
    "ExponentialResponse",
    "LinearResponse",
    "ThresholdResponse",
    "CallableResponse",
    "as_response",
    "response_table",
]


class Response:
    """Base class of response functions: ``__call__(w)`` returns probabilities in [0, 1]."""

    def __call__(self, w):  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class ConstantResponse(Response):
    """:math:`p(w) = p_0` whatever the incentive: recruitment that ignores rewards.

    Examples
    --------
    >>> ConstantResponse(0.3)([0.0, 100.0]).tolist()
    [0.3, 0.3]
    """

    p0: float

    def __post_init__(self):
        object.__setattr__(self, "p0", check_probability(self.p0, "p0"))

    def __call__(self, w):
        return np.full(np.shape(w), self.p0, dtype=np.float64)


@dataclass(frozen=True)
class ExponentialResponse(Response):
    r"""Saturating response :math:`p(w) = p_0 + (p_{\max} - p_0)(1 - e^{-w/c})`.

    Parameters
    ----------
    p0 : float
        Probability of passing the word on without incentive (plain diffusion).
    p_max : float
        Probability approached as the incentive grows; ``p_max >= p0``.
    scale : float
        Incentive :math:`c > 0` at which :math:`1 - 1/e \approx 63\%` of the gap is closed.

    Examples
    --------
    >>> f = ExponentialResponse(0.1, 0.5, scale=100.0)
    >>> np.round(f([0.0, 100.0, 1e9]), 4).tolist()
    [0.1, 0.3528, 0.5]
    """

    p0: float
    p_max: float
    scale: float

    def __post_init__(self):
        p0 = check_probability(self.p0, "p0")
        p_max = check_probability(self.p_max, "p_max")
        if p_max < p0:
            raise InvalidInputError(f"p_max must be >= p0, got p_max={p_max} < p0={p0}")
        object.__setattr__(self, "p0", p0)
        object.__setattr__(self, "p_max", p_max)
        object.__setattr__(self, "scale", check_positive(self.scale, "scale"))

    def __call__(self, w):
        w = np.asarray(w, dtype=np.float64)
        return self.p0 + (self.p_max - self.p0) * -np.expm1(-w / self.scale)


@dataclass(frozen=True)
class LinearResponse(Response):
    r"""Linear response capped at ``p_max``: :math:`p(w) = \min(p_{\max}, p_0 + a\,w)`.

    Examples
    --------
    >>> LinearResponse(0.1, slope=0.001, p_max=0.6)([0.0, 200.0, 1e4]).tolist()
    [0.1, 0.30000000000000004, 0.6]
    """

    p0: float
    slope: float
    p_max: float = 1.0

    def __post_init__(self):
        p0 = check_probability(self.p0, "p0")
        p_max = check_probability(self.p_max, "p_max")
        if p_max < p0:
            raise InvalidInputError(f"p_max must be >= p0, got p_max={p_max} < p0={p0}")
        object.__setattr__(self, "p0", p0)
        object.__setattr__(self, "p_max", p_max)
        object.__setattr__(self, "slope", check_nonnegative(self.slope, "slope"))

    def __call__(self, w):
        w = np.asarray(w, dtype=np.float64)
        return np.minimum(self.p_max, self.p0 + self.slope * w)


@dataclass(frozen=True)
class ThresholdResponse(Response):
    r"""Step response: :math:`p_{\text{high}}` once the incentive reaches ``threshold``, else ``p0``.

    Examples
    --------
    >>> ThresholdResponse(0.05, p_high=0.4, threshold=50.0)([0.0, 49.9, 50.0]).tolist()
    [0.05, 0.05, 0.4]
    """

    p0: float
    p_high: float
    threshold: float

    def __post_init__(self):
        object.__setattr__(self, "p0", check_probability(self.p0, "p0"))
        object.__setattr__(self, "p_high", check_probability(self.p_high, "p_high"))
        object.__setattr__(self, "threshold", check_nonnegative(self.threshold, "threshold"))

    def __call__(self, w):
        w = np.asarray(w, dtype=np.float64)
        return np.where(w >= self.threshold, self.p_high, self.p0)


@dataclass(frozen=True)
class CallableResponse(Response):
    """A user-supplied vectorised function of the incentive, checked to return values in [0, 1]."""

    function: object

    def __call__(self, w):
        w = np.asarray(w, dtype=np.float64)
        try:
            p = np.asarray(self.function(w), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(
                f"the response function {describe(self.function)} failed on an array of incentives "
                f"({exc}); it must be vectorised: f(array of w) -> array of probabilities"
            ) from exc
        if p.shape != w.shape:
            p = np.broadcast_to(p, w.shape).copy() if p.ndim == 0 else p
        if p.shape != w.shape:
            raise InvalidInputError(
                f"the response function returned shape {p.shape} for incentives of shape {w.shape}; "
                "it must be vectorised"
            )
        if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
            raise InvalidInputError(
                f"the response function must return probabilities in [0, 1], got {describe(p.tolist())}"
            )
        return p


_NAMED = {
    "constant": ConstantResponse,
    "exponential": ExponentialResponse,
    "linear": LinearResponse,
    "threshold": ThresholdResponse,
}


def as_response(obj, **params):
    """Turn a response specification into a :class:`Response`.

    Parameters
    ----------
    obj : Response, float, str or callable
        A :class:`Response` is returned unchanged; a float in [0, 1] is a
        :class:`ConstantResponse`; a name (``"constant"``, ``"exponential"``, ``"linear"``,
        ``"threshold"``) builds that family from ``**params``; any other callable must be
        vectorised (``f(array of w) -> array of p``).
    **params
        Parameters of a named family, e.g. ``as_response("exponential", p0=0.1, p_max=0.5,
        scale=100)``.

    Returns
    -------
    Response

    Raises
    ------
    InvalidInputError
        For an unknown name, bad parameters or an object that is none of the above.

    Examples
    --------
    >>> as_response("exponential", p0=0.1, p_max=0.5, scale=100.0)
    ExponentialResponse(p0=0.1, p_max=0.5, scale=100.0)
    >>> float(as_response(0.2)(1000.0))
    0.2
    >>> as_response(lambda w: 0.1 + 0.0 * w)([1.0, 2.0]).tolist()
    [0.1, 0.1]
    """
    if isinstance(obj, Response):
        if params:
            raise InvalidInputError("parameters are only accepted together with a response name")
        return obj
    if isinstance(obj, str):
        try:
            cls = _NAMED[obj]
        except KeyError:
            known = ", ".join(repr(k) for k in _NAMED)
            raise InvalidInputError(f"unknown response {obj!r}; choose one of {known}") from None
        try:
            return cls(**params)
        except TypeError as exc:
            raise InvalidInputError(f"bad parameters for the {obj!r} response: {exc}") from None
    if params:
        raise InvalidInputError("parameters are only accepted together with a response name")
    if isinstance(obj, numbers.Real) and not isinstance(obj, bool):
        return ConstantResponse(float(obj))
    if callable(obj):
        return CallableResponse(obj)
    raise InvalidInputError(
        f"response must be a Response, a probability, a name or a vectorised callable, got {describe(obj)}"
    )


def response_table(response, incentives):
    """Evaluate ``response`` once on an array of incentives (the kernel's lookup table).

    Parameters
    ----------
    response : Response or anything :func:`as_response` accepts
    incentives : array_like of float
        E.g. the incentives :math:`w_0, \\dots, w_H` per depth.

    Returns
    -------
    numpy.ndarray of float64
        :math:`p(w)` for each incentive, contiguous, checked to lie in [0, 1].

    Examples
    --------
    >>> response_table(ExponentialResponse(0.0, 1.0, 1.0), [0.0, np.log(2.0)]).tolist()
    [0.0, 0.5]
    """
    response = as_response(response)
    w = np.ascontiguousarray(incentives, dtype=np.float64)
    p = np.ascontiguousarray(response(w), dtype=np.float64)
    if p.shape != w.shape or not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise InvalidInputError(
            f"response {describe(response)} must return one probability in [0, 1] per incentive, "
            f"got {describe(p.tolist())}"
        )
    return p
