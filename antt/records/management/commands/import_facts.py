"""`antt import_facts FILE [--dry-run] [--actor USERNAME]`: a thin wrapper over the service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from antt.records.import_service import import_facts
from antt.records.imports import parse_facts_file
from antt.records.management.commands import _cli

SYSTEM_ACTOR = "cli:import_facts"


class Command(BaseCommand):
    help = (
        "Nhập số liệu năm từ tệp CSV hoặc Excel (.xlsx) với các cột unit_code, year và một cột "
        "cho mỗi số liệu trong danh mục (xem “antt facts_catalog”). Ô trống giữ nguyên giá trị "
        "đang có. Có lỗi ở bất kỳ dòng nào thì không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        _cli.add_arguments(parser, SYSTEM_ACTOR)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _cli.actor(options, SYSTEM_ACTOR)
        path = Path(options["file"])
        today = timezone.localdate()
        parsed = parse_facts_file(_cli.read(path), filename=path.name, today=today)
        try:
            report = import_facts(
                actor=actor, parsed=parsed, dry_run=options["dry_run"], today=today
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        _cli.report(self, report, "bộ số liệu đơn vị-năm")
