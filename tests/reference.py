"""Slow, obviously correct dense references for the core (interdependent payoffs, spectra).

Nothing here is clever: each function states the definition and evaluates it with dense numpy
linear algebra, so the sparse solvers can be checked against an independent route.
"""

import numpy as np

__all__ = [
    "dense_total_payoffs",
    "dense_inverse",
    "dense_spectral_radius",
    "dense_lambda_min",
    "neumann_partial_sums",
    "random_weights",
]


def dense_total_payoffs(W, x):
    """u solving (I - W) u = x, by numpy.linalg.solve on the dense matrix."""
    W = np.asarray(W, dtype=float)
    return np.linalg.solve(np.eye(W.shape[0]) - W, np.asarray(x, dtype=float))


def dense_inverse(W):
    """(I - W)^{-1}, dense."""
    W = np.asarray(W, dtype=float)
    return np.linalg.inv(np.eye(W.shape[0]) - W)


def dense_spectral_radius(W):
    """rho(|W|): the largest modulus among the eigenvalues of the entrywise absolute matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(np.abs(np.asarray(W, dtype=float))))))


def dense_lambda_min(W):
    """Smallest eigenvalue of a symmetric matrix."""
    return float(np.linalg.eigvalsh(np.asarray(W, dtype=float))[0])


def neumann_partial_sums(W, x, terms):
    """sum_{t < terms} W^t x, the series whose limit is u when rho(W) < 1."""
    W = np.asarray(W, dtype=float)
    term = np.asarray(x, dtype=float).copy()
    total = term.copy()
    for _ in range(terms - 1):
        term = W @ term
        total += term
    return total


def random_weights(rng, n, *, density=0.3, signed=False, symmetric=False, radius=0.9):
    """A dense random W with zero diagonal, scaled so that rho(|W|) = radius."""
    W = rng.random((n, n)) * (rng.random((n, n)) < density)
    if signed:
        W *= rng.choice([-1.0, 1.0], size=(n, n))
    if symmetric:
        W = np.triu(W, 1)
        W = W + W.T
    np.fill_diagonal(W, 0.0)
    rho = dense_spectral_radius(W)
    return W * (radius / rho) if rho > 0 else W
