"""A ``round`` for documentation examples that refuses to print a number on a rounding edge.

A printed example must show the same digits on every machine. A value computed by floating-point
arithmetic (a BLAS reduction, a local optimum) can differ in its last bits between machines, so
if it lies within a small margin of a rounding boundary (1999.4975 printed to 0 decimals) the
printed digit can flip. Documentation examples get this ``round`` in their namespace (the root
``conftest.py`` and ``tests/test_docs.py``): such a value fails the example with a message that
says to print fewer digits or a statement that holds on every machine. Exact ties (127/200 =
0.635) are deterministic under IEEE arithmetic and pass.
"""

import builtins
import math

__all__ = ["edge_checked_round", "RoundingEdgeError"]

#: How close (in units of the last printed digit) to the .5 boundary counts as an edge.
MARGIN = 5e-3
#: Closer than this to .5 is an exact tie of a ratio of counts, the same everywhere.
EXACT = 1e-9


class RoundingEdgeError(AssertionError):
    pass


def edge_checked_round(number, ndigits=None):
    if ndigits is None or isinstance(number, int):
        return builtins.round(number, ndigits)
    try:
        x = float(number)
    except (TypeError, ValueError):
        return builtins.round(number, ndigits)
    if math.isfinite(x) and x != 0.0:
        scaled = abs(x) * 10.0**ndigits
        distance = abs(scaled - math.floor(scaled) - 0.5)
        if EXACT < distance < MARGIN:
            raise RoundingEdgeError(
                f"round({x!r}, {ndigits}) is {distance:.1e} of a last-digit unit from a rounding "
                "boundary: another machine may print the other digit. Print fewer digits, or a "
                "comparison that holds everywhere."
            )
    return builtins.round(number, ndigits)
