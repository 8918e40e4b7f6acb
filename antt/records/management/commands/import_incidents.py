"""`antt import_incidents FILE [--dry-run] [--actor USERNAME]`: a thin wrapper over the service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from antt.records.import_service import import_incidents
from antt.records.imports import parse_incidents_file
from antt.records.management.commands import _cli

SYSTEM_ACTOR = "cli:import_incidents"


class Command(BaseCommand):
    help = (
        "Nhập sổ vụ việc từ tệp CSV hoặc Excel (.xlsx) với các cột unit_code, date, category (và "
        "tuỳ chọn gravity, deaths, discipline_level, description, force_majeure, "
        "handled_properly, flags_reason). Vụ việc đã có (cùng đơn vị, ngày, loại, tóm tắt) không "
        "được ghi lần nữa. Có lỗi ở bất kỳ dòng nào thì không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        _cli.add_arguments(parser, SYSTEM_ACTOR)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _cli.actor(options, SYSTEM_ACTOR)
        path = Path(options["file"])
        parsed = parse_incidents_file(_cli.read(path), filename=path.name)
        try:
            report = import_incidents(actor=actor, parsed=parsed, dry_run=options["dry_run"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        _cli.report(self, report, "vụ việc")
