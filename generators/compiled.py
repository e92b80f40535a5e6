"""What the compiled (numba) generator kernels share: their random stream.

A kernel runs a whole draw-and-prove loop in machine code, so it cannot call back into ``random.Random``.
It draws from its own splitmix64 stream instead, seeded with ``rng.getrandbits(63)`` from the row's
generator: a row stays a pure function of its seed, in fixed integer arithmetic that no numpy or numba
upgrade changes.

Conventions for kernels: ``@njit(cache=True)``, so each machine compiles once and later processes load the
machine code from ``__pycache__``; no recursion, because numba cannot reload a cached recursive function
safely (numba issue 6061: a segfault in the next process), so searches keep an explicit stack; and a
narrated Python twin of each search for the trace, with a test that both give the same answer and effort.
Numba's cache does not notice edits to a function called from another module: after editing this file,
delete the ``*.nbi`` / ``*.nbc`` files under ``__pycache__``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def next_random(state: np.uint64, n: int) -> tuple[np.uint64, int]:
    """One splitmix64 step: the new state and a number in 0..n-1."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return state, np.int64(z % np.uint64(n))


@njit(cache=True)
def next_unit(state: np.uint64) -> tuple[np.uint64, float]:
    """One splitmix64 step: the new state and a float in [0, 1) with 53 random bits."""
    state, r = next_random(state, 1 << 53)
    return state, r / 9007199254740992.0


@njit(cache=True)
def popcount(bits: int) -> int:
    """How many bits are set."""
    n = 0
    while bits:
        bits &= bits - 1
        n += 1
    return n
