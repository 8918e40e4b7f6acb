"""Importing 100,000 units from CSV and from XLSX, then 200,000 from CSV (peak memory only), each
in a fresh process so that its peak memory (``VmHWM``) is the import's own.

``python -m antt.bench.imports FILE`` is that process: it imports FILE through the same path as
``antt import_units`` and prints one JSON line ``{"rows", "seconds", "peak_mb", "errors"}``.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from antt.bench.figures import Figure

COLUMNS = ("code", "name", "kind", "parent_code", "managing_level", "enterprise_size")
KINDS = ("residential_area", "enterprise", "agency")


def rows(parents: list[str], count: int, prefix: str) -> list[tuple[str, ...]]:
    """``count`` new units spread over ``parents`` (commune codes)."""
    out: list[tuple[str, ...]] = []
    for n in range(count):
        kind = KINDS[n % 3]
        parent = parents[n % len(parents)]
        out.append(
            (
                f"{prefix}{n:06d}",
                f"{'Tổ dân phố' if kind == 'residential_area' else 'Đơn vị'} nhập thử {n}",
                kind,
                parent,
                "" if kind == "residential_area" else "commune",
                "medium" if kind == "enterprise" else "",
            )
        )
    return out


def write_csv(path: Path, data: list[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(data)


def write_xlsx(path: Path, data: list[tuple[str, ...]]) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]

    book = Workbook(write_only=True)
    sheet = book.create_sheet("don_vi")
    sheet.append(COLUMNS)
    for row in data:
        sheet.append(row)
    book.save(path)


def measure(
    db: str, parents: list[str], workdir: Path, count: int = 100_000, most: int = 200_000
) -> list[Figure]:
    """``count`` rows from CSV and from XLSX; then the peak memory for a CSV of ``most`` rows
    (the row cap): the file is read row by row, so it should barely move with the size."""
    figures = []
    for fmt, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
        path = workdir / f"bench-units-{fmt}.{fmt}"
        writer(path, rows(parents, count, f"I{fmt[0].upper()}"))
        result = _import(path)
        note = f"{result['rows']:,} dòng, {path.stat().st_size / 1e6:.1f} MB"
        if result["errors"]:
            note += f", lỗi: {result['errors'][0]}"
        figures += [
            Figure(
                db,
                f"nhập {count:,} đơn vị từ {fmt.upper()}",
                result["rows"] / result["seconds"],
                "rows/s",
                5000,
                at_least=True,
                note=note,
            ),
            Figure(db, f"  bộ nhớ đỉnh khi nhập {fmt.upper()}", result["peak_mb"], "MB", 500),
        ]
    path = workdir / "bench-units-most.csv"
    write_csv(path, rows(parents, most, "IM"))
    result = _import(path)
    figures.append(
        Figure(db, f"  bộ nhớ đỉnh khi nhập {most:,} dòng CSV", result["peak_mb"], "MB", 500)
    )
    return figures


def _import(path: Path) -> dict[str, Any]:
    """The import of ``path`` in a process of its own: its figures."""
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "antt.bench.imports", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def peak_megabytes() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` belongs to the process image, so it
    starts again at ``exec``; ``ru_maxrss`` carries over the forking parent's peak (the bench
    process, a few hundred MB), which would hide the import's own."""
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(path: str) -> None:
    import django

    django.setup()
    from antt.units.import_service import import_parsed
    from antt.units.imports import parse_units_file

    start = time.perf_counter()
    with open(path, "rb") as fh:
        parsed = parse_units_file(fh, filename=Path(path).name, max_bytes=1 << 31)
    report = import_parsed(actor="bench:import_units", parsed=parsed, dry_run=False)
    seconds = time.perf_counter() - start
    peak_mb = peak_megabytes()
    errors = [str(e) for e in report.errors][:3]
    print(
        json.dumps(
            {"rows": parsed.row_count, "seconds": seconds, "peak_mb": peak_mb, "errors": errors}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
