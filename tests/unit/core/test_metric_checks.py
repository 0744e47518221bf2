"""Impossible values are found in C and named as the item-by-item search named them."""

from __future__ import annotations

import math

import pytest

from perf_gate.core.errors import InputError
from perf_gate.core.metric_checks import check_values
from perf_gate.core.model import Kind, Metric


def _metric(
    value: float,
    samples: tuple[float, ...] = (),
    *,
    lower: float | None = None,
    upper: float | None = None,
    tolerance: float | None = None,
) -> Metric:
    return Metric(
        name="m",
        value=value,
        unit="ns",
        kind=Kind.TIMING,
        direction="lower",
        samples=samples,
        lower=lower,
        upper=upper,
        tolerance=tolerance,
        source="r.json",
    )


@pytest.mark.parametrize(
    ("metric", "shown"),
    [
        (_metric(math.nan, (1.0, math.inf)), "nan"),
        (_metric(1.0, (1.0, math.inf, math.nan)), "inf"),
        (_metric(1.0, (2.0,), upper=-math.inf), "-inf"),
        (_metric(1.0, (2.0, -3.0), lower=-1.0), "-3"),
        (_metric(1.0, (2.0, 3.0), lower=-1.0), "-1"),
        (_metric(-1.0, (-2.0,)), "-1"),
        (_metric(1.0, (math.inf, -math.inf)), "inf"),
        (_metric(1.0, tolerance=math.nan), "nan"),
    ],
)
def test_the_first_impossible_number_is_named(metric: Metric, shown: str) -> None:
    with pytest.raises(InputError) as caught:
        check_values([metric])
    assert caught.value.message == f"impossible value {shown} ns"


def test_finite_samples_too_large_to_add_up_are_possible() -> None:
    check_values([_metric(1e308, (1e308, 1e308, 1e308))])


def test_negatives_are_possible_where_a_kind_allows_them() -> None:
    other = Metric(
        name="x", value=-1.0, unit="", kind=Kind.OTHER, direction="lower", samples=(-2.0, 3.0)
    )
    check_values([other])
