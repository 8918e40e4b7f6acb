"""`antt report summary --year Y [--scope CODE]` and `antt report review --years 2021-2025
[--scope CODE]`, with `--format json|xlsx|docx|pdf` and `--output FILE`.

A thin wrapper over ``antt.reports.statistics`` / ``review``: reads only, writes nothing but the
output file. JSON (the default) goes to stdout and is exactly what ``/api/v1/reports/summary/``
and ``/api/v1/reports/review/`` return. The other formats call the exporters
(``antt.reports.exports``); when they are not installed the command says so and fails.
The scope is the whole country ("VN", the default) or a unit code — see
``statistics.find_scope`` for ``--geography``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from antt.reports import statistics
from antt.reports.review import YearsError, parse_years, review
from antt.reports.statistics import (
    FILE_FORMATS,
    GEOGRAPHIES,
    NATIONAL_CODE,
    ExportUnavailable,
    find_scope,
)

FIRST_YEAR = 2012  # TT 23/2012 applies from 11/06/2012


class Command(BaseCommand):
    help = (
        "Báo cáo thống kê phong trào “An toàn về an ninh, trật tự”: tổng hợp một năm (summary) "
        "hoặc nhiều năm (review) cho toàn quốc hoặc một đơn vị. Chỉ đọc."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True, metavar="summary|review")
        one = sub.add_parser("summary", help="Tổng hợp một năm theo loại đơn vị và đơn vị con.")
        one.add_argument("--year", type=int, required=True, help="Năm công nhận.")
        many = sub.add_parser("review", help="Sơ kết, tổng kết nhiều năm (xu hướng).")
        many.add_argument(
            "--years", required=True, help="Khoảng năm (2021-2025) hoặc danh sách (2021,2023)."
        )
        for p in (one, many):
            p.add_argument(
                "--scope",
                default=NATIONAL_CODE,
                help="Mã đơn vị (tỉnh, huyện cũ, xã…); mặc định VN: toàn quốc.",
            )
            p.add_argument(
                "--geography",
                choices=GEOGRAPHIES,
                default="auto",
                help=(
                    "auto (mặc định): đơn vị mang mã này hiện nay, nếu không có thì đơn vị của "
                    "năm báo cáo; current: chỉ đơn vị hiện nay; historical: đơn vị của năm báo "
                    "cáo (trước sắp xếp 2025)."
                ),
            )
            p.add_argument(
                "--format",
                choices=("json", *FILE_FORMATS),
                default="json",
                help="json (mặc định, ra màn hình) hoặc xlsx, docx, pdf.",
            )
            p.add_argument(
                "--output",
                help="Tệp ghi kết quả (mặc định: JSON ra màn hình; tệp bao-cao-antt-….xlsx…).",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        last = timezone.localdate().year
        kind = options["report"]
        if kind == "summary":
            year = options["year"]
            if not FIRST_YEAR <= year <= last:
                raise CommandError(f"Năm báo cáo phải từ {FIRST_YEAR} đến {last}.")
            scope = self._scope(options, year)
            data = statistics.summary(scope, year)
        else:
            try:
                years = parse_years(options["years"], FIRST_YEAR, last)
            except YearsError as exc:
                raise CommandError(str(exc)) from exc
            scope = self._scope(options, years[-1])
            data = review(scope, years)
        self._write(kind, data, options["format"], options["output"])

    def _scope(self, options: dict[str, Any], year: int) -> statistics.Scope:
        scope = find_scope(options["scope"], year, geography=options["geography"])
        if scope is None:
            raise CommandError(
                f"Không có đơn vị mã “{options['scope']}” "
                + ("hiện nay." if options["geography"] == "current" else f"trong năm {year}.")
            )
        return scope

    def _write(self, kind: str, data: dict[str, Any], fmt: str, output: str | None) -> None:
        if fmt == "json":
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if output:
                Path(output).write_text(text + "\n", encoding="utf-8")
                self.stderr.write(f"Đã ghi {output}.")
            else:
                self.stdout.write(text)
            return
        try:
            content = statistics.export(kind, fmt, data)
        except ExportUnavailable as exc:
            raise CommandError(str(exc)) from exc
        path = Path(output or statistics.file_name(kind, data, fmt))
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp “{path}”: {exc.strerror}") from exc
        self.stderr.write(f"Đã ghi {path} ({len(content):,} byte).".replace(",", "."))
