"""``antt bench_measure --label L --json FILE [--full]``: the measures on the current database
(``DATABASE_URL``), written as JSON. ``antt bench`` runs it once per database and scale."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from antt.bench import imports, pages, timed
from antt.bench.dataset import COMMUNE_CODE, PROVINCE_CODE
from antt.bench.figures import Figure
from antt.units.models import Unit


class Command(BaseCommand):
    help = "Đo hiệu năng trên cơ sở dữ liệu hiện tại (antt bench gọi lệnh này)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--label", required=True, help="tên hiển thị: sqlite/national, …")
        parser.add_argument("--json", required=True, help="tệp JSON ghi kết quả")
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--full", action="store_true", help="cả nhập tệp và in giấy")

    def handle(self, *args: Any, **options: Any) -> None:
        label, year = options["label"], options["year"]
        province = Unit.objects.get(code=PROVINCE_CODE, kind="province", valid_to__isnull=True)
        figures: list[Figure] = []
        workers = 2 * (os.cpu_count() or 1) + 1

        def step(name: str, found: list[Figure]) -> None:
            figures.extend(found)
            self.stdout.write(f"[{label}] {name}: xong")

        # The ratio target is the national dataset's (issue 6); a province's floor is milliseconds.
        ratio_target = 1.5 if label.endswith("/national") else None
        step("báo cáo", timed.reports(label, year, province, ratio_target=ratio_target))
        step("đánh giá", timed.evaluation(label, year, province))
        step("số câu SQL", pages.query_counts(label, year, COMMUNE_CODE, label))
        step("tải trang", pages.load(label, year, COMMUNE_CODE, workers))
        if options["full"]:
            step("giấy công nhận", timed.certificates(label))
            parents = list(
                Unit.objects.filter(kind="commune", valid_to__isnull=True)
                .order_by("code")
                .values_list("code", flat=True)
            )
            with tempfile.TemporaryDirectory() as tmp:
                step("nhập tệp", imports.measure(label, parents, Path(tmp)))
        Path(options["json"]).write_text(
            json.dumps(
                {"vendor": connection.vendor, "figures": [f.as_dict() for f in figures]},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
