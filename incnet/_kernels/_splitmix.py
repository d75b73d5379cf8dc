"""SplitMix64 (Steele, Lea & Flood 2014), the one 64-bit mixer every kernel module uses.

``GOLDEN`` is the increment of a SplitMix64 state (the odd integer nearest ``2**64 / phi``) and
:func:`mix64` its finaliser: every input bit reaches every output bit, so ``mix64(state)`` after
each increment is a stream of uniform words, and ``mix64`` of a key is a 64-bit hash.
"""

import numpy as np

from ._jit import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, inline="always")
def mix64(z):
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))
