"""Which first-pass verdicts are suspects worth measuring again (perf_gate.judge.confirm)."""

from __future__ import annotations

import pytest

from perf_gate.judge.confirm import is_suspect


@pytest.mark.parametrize(
    ("status", "change", "interval", "direction", "expected"),
    [
        ("warn", 8.0, (-1.0, 17.0), "lower", True),  # beyond, not clear
        ("fail", 8.0, (3.0, 13.0), "lower", True),  # changed, maybe not by 5 %
        ("fail", 12.0, (7.0, 17.0), "lower", False),  # clear: fails in one round
        ("fail", 12.0, None, "lower", True),  # plain rule, no test
        ("warn", 3.0, (-4.0, 10.0), "lower", False),  # within tolerance
        ("warn", -8.0, (-15.0, -1.0), "lower", False),  # better, not worse
        ("pass", 8.0, (-1.0, 17.0), "lower", False),
        ("warn", -8.0, (-17.0, 1.0), "higher", True),  # throughput down 8 %
        ("fail", -12.0, (-17.0, -7.0), "higher", False),
        ("fail", -8.0, (-13.0, -3.0), "higher", True),
        ("warn", 8.0, (-1.0, 17.0), "higher", False),  # throughput up
    ],
)
def test_suspects_are_beyond_tolerance_but_not_clearly(
    status: str,
    change: float,
    interval: tuple[float, float] | None,
    direction: str,
    expected: bool,
) -> None:
    assert is_suspect(status, change, interval, 5.0, direction) is expected  # type: ignore[arg-type]


def test_no_tolerance_no_suspect() -> None:
    assert not is_suspect("fail", 50.0, (1.0, 99.0), None, "lower")
