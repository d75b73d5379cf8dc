"""Validation helpers shared by every public function (private).

Each helper checks one kind of argument at the public boundary and raises
:class:`~incnet.errors.InvalidInputError` with the offending value and a hint. Kernels trust what
these return: contiguous arrays of a fixed dtype.
"""

import math
import numbers

import numpy as np

from .errors import InvalidInputError

__all__ = [
    "INT_LIMIT",
    "CHAIN_LIMIT",
    "CHAIN_TOTALS_LIMIT",
    "as_rng",
    "check_method",
    "check_nonnegative",
    "check_positive",
    "check_probability",
    "check_int",
    "as_vector",
    "as_real_array",
    "as_node_indices",
    "describe",
]


#: Largest integer parameter accepted anywhere: kernels count in int64, and a loop bound of
#: ``limit + 1`` must not wrap around.
INT_LIMIT = 2**62
#: Longest referral chain a mechanism computes payments for (80 MB of payments).
CHAIN_LIMIT = 10**7
#: Longest chain ``Mechanism.chain_totals`` sums up to (it computes every shorter chain too).
CHAIN_TOTALS_LIMIT = 20_000


def _is_boolish(value):
    return isinstance(value, (bool, np.bool_))


def _is_textual(value):
    return isinstance(value, (str, bytes, np.str_, np.bytes_))


def describe(value, limit=60):
    """Short printable form of ``value`` for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_rng(rng):
    """Turn ``None | int | numpy.random.Generator`` into a Generator (SPEC 7)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise InvalidInputError(f"rng seed must be non-negative, got {rng}")
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    raise InvalidInputError(
        f"rng must be None, a non-negative int or a numpy.random.Generator, got {describe(rng)}"
    )


def check_method(method, known, *, name="method"):
    """Return ``method`` if it is one of ``known``; otherwise a ValueError listing them."""
    if not isinstance(method, str) or method not in known:
        listed = ", ".join(repr(m) for m in known)
        raise InvalidInputError(f"unknown {name} {describe(method)}; choose one of {listed}")
    return method


def _as_real(value, name):
    # Only genuine numbers: a bool or a numeric string is a mistake to report, not a 1 or a 1.5.
    if _is_boolish(value) or _is_textual(value):
        raise InvalidInputError(f"{name} must be a real number, got {describe(value)}")
    if not isinstance(value, numbers.Real):
        arr = np.asarray(value) if isinstance(value, np.ndarray) else None
        if arr is None or arr.ndim != 0 or arr.dtype.kind not in "iuf":
            raise InvalidInputError(f"{name} must be a real number, got {describe(value)}")
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(f"{name} must be a finite real number, got {describe(value)}") from None
    if not np.isfinite(value):
        raise InvalidInputError(f"{name} must be finite, got {value}")
    return value


def check_nonnegative(value, name):
    """A finite real number >= 0, as float."""
    value = _as_real(value, name)
    if value < 0:
        raise InvalidInputError(f"{name} must be >= 0, got {value}")
    return value


def check_positive(value, name):
    """A finite real number > 0, as float."""
    value = _as_real(value, name)
    if value <= 0:
        raise InvalidInputError(f"{name} must be > 0, got {value}")
    return value


def check_probability(value, name, *, open_left=False, open_right=False):
    """A real number in [0, 1] (ends optionally open), as float."""
    value = _as_real(value, name)
    low_ok = value > 0 if open_left else value >= 0
    high_ok = value < 1 if open_right else value <= 1
    if not (low_ok and high_ok):
        interval = ("(" if open_left else "[") + "0, 1" + (")" if open_right else "]")
        raise InvalidInputError(f"{name} must lie in {interval}, got {value}")
    return value


def check_int(value, name, *, minimum=None, maximum=None):
    """An integer (numpy integers and integral floats accepted) in ``[minimum, maximum]``.

    ``maximum`` defaults to :data:`INT_LIMIT` (2**62), beyond which no kernel can count. Bools
    and strings are refused rather than read as numbers.
    """
    if _is_boolish(value) or _is_textual(value):
        raise InvalidInputError(f"{name} must be an integer, got {describe(value)}")
    if not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
            value = int(value)
        else:
            raise InvalidInputError(f"{name} must be an integer, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise InvalidInputError(f"{name} must be >= {minimum}, got {value}")
    limit = INT_LIMIT if maximum is None else maximum
    if value > limit:
        raise InvalidInputError(
            f"{name} = {value} is too large; the largest value accepted is {limit}"
            + (" (2**62, what the kernels can count)" if maximum is None else "")
        )
    return value


def as_real_array(value, name):
    """``np.asarray(value, float64)`` that refuses bools, strings and other non-numbers.

    numpy would silently read ``True`` as 1 and ``"1.5"`` as 1.5; here they are errors.
    """
    try:
        raw = value if isinstance(value, np.ndarray) else np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(f"{name} must be numeric, got {describe(value)}") from None
    kind = raw.dtype.kind
    if kind == "c":
        raise InvalidInputError(
            f"{name} must be real, got complex values such as {describe(raw.ravel()[:1])}"
        )
    if kind == "b":
        raise InvalidInputError(
            f"{name} must be numeric, got booleans {describe(value)}; convert on purpose "
            "(e.g. np.asarray(mask, dtype=float)) if that is meant"
        )
    if kind in "USV" or kind == "M" or kind == "m":
        raise InvalidInputError(f"{name} must be numeric, got {raw.dtype} values {describe(value)}")
    if kind == "O":
        for item in raw.flat:
            if _is_boolish(item) or _is_textual(item) or not isinstance(item, numbers.Real):
                raise InvalidInputError(f"{name} must be numeric, got the entry {describe(item)}")
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(f"{name} must be numeric, got {describe(value)}") from None


def as_vector(value, n, name, *, allow_block=False, nonnegative=False):
    """A float64 C-contiguous copy of a scalar, (n,) vector or, if allowed, (n, k) block.

    Scalars are broadcast to length ``n``. NaN/inf and wrong shapes raise InvalidInputError.
    """
    try:
        arr = as_real_array(value, name)
    except ValueError as err:
        if isinstance(err, InvalidInputError):
            raise
        raise InvalidInputError(f"{name} must be numeric, got {describe(value)}") from None
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    elif arr.ndim == 1 or (allow_block and arr.ndim == 2):
        if arr.shape[0] != n:
            raise InvalidInputError(
                f"{name} has {arr.shape[0]} rows but the network has {n} nodes; "
                f"pass one entry per node in the order of net.nodes"
            )
    else:
        shapes = "(n,) or (n, k)" if allow_block else "(n,)"
        raise InvalidInputError(f"{name} must have shape {shapes}, got shape {arr.shape}")
    # a finite sum proves every entry finite in one pass without a temporary; only an
    # overflowing sum (or a NaN/inf) needs the entrywise check
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if not np.isfinite(total) and not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr.reshape(arr.shape[0], -1)).all(axis=1))
        raise InvalidInputError(
            f"{name} contains NaN or inf (first at index {int(bad[0])}); pass finite values"
        )
    if nonnegative and np.any(arr < 0):
        first = int(np.flatnonzero((arr.reshape(arr.shape[0], -1) < 0).any(axis=1))[0])
        raise InvalidInputError(
            f"{name} must be >= 0, but entry {first} is {arr.reshape(arr.shape[0], -1)[first]}"
        )
    # Always a private copy: callers may write into it, and inputs are never mutated.
    return np.array(arr, dtype=np.float64, order="C", copy=True)


def as_node_indices(net, nodes, name="nodes"):
    """Map node labels (as in ``net.nodes``) to an int64 index array, in the given order."""
    if nodes is None:
        return np.arange(net.n, dtype=np.int64)
    index = net.node_index
    try:
        single = nodes in index  # a tuple label (e.g. a grid node) is one node, not a list
    except TypeError:
        single = False
    if single or isinstance(nodes, (str, bytes)) or not np.iterable(nodes):
        nodes = [nodes]
    out = np.empty(len(nodes), dtype=np.int64)
    for k, label in enumerate(nodes):
        try:
            out[k] = index[label]
            # True == 1 in a dict lookup: a bool finds node 1 unless the labels are bools
            if _is_boolish(label) and not _is_boolish(net.nodes[out[k]]):
                raise KeyError(label)
        except (KeyError, TypeError):
            raise InvalidInputError(
                f"{name}: node {describe(label)} is not in the network "
                f"(labels look like {describe(list(net.nodes[:3]))})"
            ) from None
    return out
