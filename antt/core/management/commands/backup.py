"""`antt backup [--output FILE] [--actor USERNAME]`: the database and the uploaded files in one
archive with a manifest of SHA-256 checksums (``antt.core.backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.core.backup import BackupError, create_backup
from antt.core.commands import actor_from, add_actor_argument

SYSTEM_ACTOR = "cli:backup"


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và các tệp đã tải lên vào một tệp .tar.gz kèm bảng mã kiểm tra "
        "SHA-256 (manifest.json). Mặc định ghi vào DATA_DIR/backups/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Đường dẫn tệp sao lưu (.tar.gz).")
        add_actor_argument(parser, SYSTEM_ACTOR)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"], SYSTEM_ACTOR)
        output = Path(options["output"]) if options["output"] else None
        try:
            path, manifest = create_backup(actor=actor, output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Đã sao lưu vào %(file)s: cơ sở dữ liệu %(vendor)s và %(files)s tệp, "
                "%(bytes)s byte trước khi nén."
            )
            % {
                "file": path,
                "vendor": manifest.vendor,
                "files": len(manifest.members) - 1,
                "bytes": manifest.total_bytes,
            }
        )
