"""``antt bench``: the benchmarks of issue 6 on SQLite and PostgreSQL (``make bench``).

Environment: ``BENCH_DATABASES`` (space-separated URLs; default a SQLite file under var/bench
and postgres://postgres@127.0.0.1:5432/antt_bench), ``BENCH_SCALES`` (default "province
national": two points of the growth curve; the last one gets every measure), ``BENCH_YEARS``
(default 2024-2025) and ``BENCH_JSON`` (default var/bench.json).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from antt.bench.dataset import SCALES
from antt.bench.figures import table
from antt.bench.runner import DEFAULT_DATABASES, run


class Command(BaseCommand):
    help = "Đo hiệu năng trên SQLite và PostgreSQL ở quy mô toàn quốc (make bench)."

    def handle(self, *args: Any, **options: Any) -> None:
        databases = os.environ.get("BENCH_DATABASES", "").split() or list(DEFAULT_DATABASES)
        scales = os.environ.get("BENCH_SCALES", os.environ.get("BENCH_SCALE", "")).split() or [
            "province",
            "national",
        ]
        unknown = [s for s in scales if s not in SCALES]
        if unknown:
            raise CommandError(
                f"BENCH_SCALES: quy mô không hợp lệ {unknown}; chọn trong {list(SCALES)}."
            )
        years = os.environ.get("BENCH_YEARS", "2024-2025")
        out = Path(os.environ.get("BENCH_JSON") or settings.DATA_DIR / "bench.json")
        result = run(databases, scales, years, self.stdout.write)
        self.stdout.write(table(result["figures"]))
        out.parent.mkdir(parents=True, exist_ok=True)
        result["figures"] = [f.as_dict() for f in result["figures"]]
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"Kết quả: {out}")
