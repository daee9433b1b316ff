"""The tail probabilities against scipy (a test-only dependency) and their own properties."""

from __future__ import annotations

import math

import pytest
from scipy.special import gammainc  # type: ignore[import-untyped]
from scipy.stats import poisson  # type: ignore[import-untyped]

from rippledesk.triage.crisis.stats import critical_count, poisson_tail, regularized_lower_gamma


@pytest.mark.parametrize("a", [0.05, 0.5, 1.0, 2.5, 7.0, 30.0, 120.0, 900.0])
@pytest.mark.parametrize("x", [0.0, 0.01, 0.3, 1.0, 4.0, 25.0, 150.0, 1200.0])
def test_regularized_gamma_matches_scipy(a: float, x: float) -> None:
    ours = regularized_lower_gamma(a, x)
    theirs = float(gammainc(a, x))
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("lam", [0.25, 1.0, 3.4, 12.0, 80.0])
def test_poisson_tail_is_the_poisson_survival_function(lam: float) -> None:
    for k in range(0, int(lam * 4) + 12):
        assert poisson_tail(k, lam) == pytest.approx(float(poisson.sf(k - 1, lam)), rel=1e-9)


def test_dispersion_needs_a_larger_count_for_the_same_surprise() -> None:
    assert poisson_tail(12, 3.0, 2.0) > poisson_tail(12, 3.0, 1.0)
    # quasi-Poisson scaling: the count and the mean are both divided by the dispersion
    assert poisson_tail(12, 3.0, 2.0) == pytest.approx(poisson_tail(6, 1.5, 1.0))


@pytest.mark.parametrize(("lam", "dispersion"), [(0.25, 1.0), (2.0, 1.0), (2.0, 3.0), (40.0, 1.7)])
@pytest.mark.parametrize("alpha", [0.01, 0.001, 0.0001])
def test_critical_count_is_the_smallest_alarming_count(
    lam: float, dispersion: float, alpha: float
) -> None:
    k = critical_count(lam, alpha, dispersion)
    assert poisson_tail(k, lam, dispersion) < alpha <= poisson_tail(k - 1, lam, dispersion)


def test_bad_arguments_are_refused_with_their_name() -> None:
    with pytest.raises(ValueError, match="mean must be positive"):
        poisson_tail(3, 0.0)
    with pytest.raises(ValueError, match="dispersion must be at least 1"):
        poisson_tail(3, 1.0, 0.5)
    with pytest.raises(ValueError, match="alpha must lie between 0 and 1"):
        critical_count(1.0, 1.5)
    with pytest.raises(ValueError, match="shape a must be positive"):
        regularized_lower_gamma(0.0, 1.0)
    assert math.isclose(poisson_tail(0, 2.0), 1.0)
