"""`antt facts_catalog [--format json|text]`: the yearly facts the criteria read."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from antt.records.catalog_export import facts_catalog, facts_catalog_text


class Command(BaseCommand):
    help = (
        "In danh mục số liệu năm: tên cột dùng khi nhập tệp, kiểu, giá trị cho phép, nhãn tiếng "
        "Việt và các tiêu chí sử dụng số liệu đó."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "json":
            self.stdout.write(json.dumps(facts_catalog(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(facts_catalog_text(), ending="")
