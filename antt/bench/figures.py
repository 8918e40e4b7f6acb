"""A measured figure, its target, and the table ``make bench`` prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class Figure:
    """One number measured on one database. ``target`` is an upper bound unless ``at_least``."""

    database: str
    name: str
    value: float
    unit: str
    target: float | None = None
    at_least: bool = False
    note: str = ""

    @property
    def status(self) -> str:
        if self.target is None:
            return ""
        ok = self.value >= self.target if self.at_least else self.value <= self.target
        return "ok" if ok else "missed"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}


def timed(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """The best of ``repeat`` runs in seconds (the first run warms caches), and the last result."""
    best, result = float("inf"), None
    for _i in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result  # type: ignore[return-value]


def _number(value: float, unit: str) -> str:
    if unit in ("s", "ms", "×", "MB", "req/s", "rows/s") or value != int(value):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return f"{int(value):,}"


def table(figures: Iterable[Figure]) -> str:
    """Plain text, one line per figure: what, database, value, target, ok/missed."""
    head = ("figure", "database", "value", "target", "")
    lines = [
        (
            f.name,
            f.database,
            f"{_number(f.value, f.unit)} {f.unit}",
            ""
            if f.target is None
            else f"{'≥' if f.at_least else '≤'} {_number(f.target, f.unit)} {f.unit}",
            f.status + (f"  ({f.note})" if f.note else ""),
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(4)]
    out = []
    for row in [head, *lines]:
        out.append(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[4]
        )
    return "\n".join(line.rstrip() for line in out)
