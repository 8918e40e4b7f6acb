"""``antt generate_dataset --scale commune|province|national [--years 2021-2025] [--seed N]``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm  # type: ignore[import-untyped]

from antt.bench.dataset import SCALES, DatasetError, analyze, generate, parse_years


class Command(BaseCommand):
    help = "Tạo dữ liệu tổng hợp quy mô xã, tỉnh hoặc toàn quốc trên danh mục hành chính thật."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="national")
        parser.add_argument("--years", default="2021-2025")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        bars: list[Any] = []

        def progress(label: str, total: int) -> Callable[[int], None]:
            if bars:
                bars[-1].close()
            bar = tqdm(
                total=total, desc=label, unit=" đv", mininterval=2, disable=options["no_progress"]
            )
            bars.append(bar)

            def advance(n: int) -> None:
                bar.update(n)

            return advance

        try:
            report = generate(
                scale=options["scale"],
                years=parse_years(options["years"]),
                seed=options["seed"],
                progress=progress,
            )
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars:
                bar.close()
        analyze()
        self.stdout.write(report.summary())
