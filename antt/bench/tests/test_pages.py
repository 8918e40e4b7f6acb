"""The load test's arithmetic: p95 is a nearest-rank percentile of the timed requests."""

from __future__ import annotations

import pytest

from antt.bench.pages import percentile


@pytest.mark.parametrize(
    ("count", "fraction", "expected"),
    [(100, 0.95, 95), (60, 0.95, 57), (100, 0.5, 50), (1, 0.95, 1), (20, 1.0, 20)],
)
def test_percentile_is_the_nearest_rank(count: int, fraction: float, expected: int) -> None:
    latencies = [float(n) for n in range(count, 0, -1)]  # order does not matter
    assert percentile(latencies, fraction) == expected
