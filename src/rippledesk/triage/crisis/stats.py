"""Tail probabilities for the crisis detector, in plain Python (no scipy at run time).

The detector asks one question: how likely is a count at least this large if nothing unusual
happened? For a Poisson count with mean ``lam`` that is ``P(X >= k)``, which equals the
regularised lower incomplete gamma function ``P(k, lam)``. Writing it through the gamma
function lets ``k`` be fractional, which the over-dispersed (quasi-Poisson) test needs: it
compares ``k / phi`` against a Poisson mean of ``lam / phi``.
"""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300
_MAX_TERMS = 10_000


def _lower_series(a: float, x: float) -> float:
    """P(a, x) by its power series; converges fast when x < a + 1."""
    term = 1.0 / a
    total = term
    denominator = a
    for _ in range(_MAX_TERMS):
        denominator += 1.0
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_fraction(a: float, x: float) -> float:
    """Q(a, x) = 1 - P(a, x) by Lentz's continued fraction; converges fast when x >= a + 1."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h * math.exp(-x + a * math.log(x) - math.lgamma(a))


def regularized_lower_gamma(a: float, x: float) -> float:
    """P(a, x) for a > 0, x >= 0: the share of a Gamma(a, 1) variable's mass below x."""
    if a <= 0:
        raise ValueError(f"the shape a must be positive, got {a}")
    if x < 0:
        raise ValueError(f"x must not be negative, got {x}")
    if x == 0:
        return 0.0
    if x < a + 1.0:
        return min(1.0, _lower_series(a, x))
    return max(0.0, 1.0 - _upper_fraction(a, x))


def poisson_tail(k: float, lam: float, dispersion: float = 1.0) -> float:
    """P(X >= k) for a count with mean ``lam`` and variance ``dispersion * lam``.

    ``dispersion == 1`` is the exact Poisson tail. Above 1 the count is treated as
    ``dispersion`` times a Poisson variable with mean ``lam / dispersion`` (the quasi-Poisson
    scaling), so bursty traffic needs a proportionally larger count to look surprising.
    """
    if lam <= 0:
        raise ValueError(f"the mean must be positive, got {lam}")
    if dispersion < 1:
        raise ValueError(f"the dispersion must be at least 1, got {dispersion}")
    if k <= 0:
        return 1.0
    return regularized_lower_gamma(k / dispersion, lam / dispersion)


def critical_count(lam: float, alpha: float, dispersion: float = 1.0) -> int:
    """The smallest whole count whose tail probability is below ``alpha``."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    high = max(4, math.ceil(lam + 10 * math.sqrt(lam * dispersion)) + 10)
    while poisson_tail(high, lam, dispersion) >= alpha:
        high *= 2
    low = 0  # poisson_tail(0) == 1 >= alpha
    while high - low > 1:
        middle = (low + high) // 2
        if poisson_tail(middle, lam, dispersion) < alpha:
            high = middle
        else:
            low = middle
    return high
