"""`antt restore FILE [--check] [--noinput] [--actor USERNAME]`: verify an archive made by
`antt backup` completely, then replace the database and the files with it (``antt.core.backup``).
Stop the web server and background workers first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.core.backup import BackupError, known_migrations, restore_backup, verify_backup
from antt.core.commands import actor_from, add_actor_argument

SYSTEM_ACTOR = "cli:restore"


class Command(BaseCommand):
    help = (
        "Khôi phục từ một bản sao lưu của `antt backup`: kiểm tra mọi mã SHA-256 trước, rồi thay "
        "toàn bộ cơ sở dữ liệu và tệp đã tải lên. Hãy dừng máy chủ web trước khi khôi phục."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp sao lưu .tar.gz")
        parser.add_argument(
            "--check", action="store_true", help="Chỉ kiểm tra bản sao lưu, không khôi phục."
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Không hỏi xác nhận.",
        )
        add_actor_argument(parser, SYSTEM_ACTOR)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            manifest = verify_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        summary = _(
            "Bản sao lưu %(file)s hợp lệ: cơ sở dữ liệu %(vendor)s, %(files)s tệp, tạo lúc "
            "%(created)s bởi phiên bản %(version)s; mọi mã kiểm tra SHA-256 đều khớp."
        ) % {
            "file": path.name,
            "vendor": manifest.vendor,
            "files": len(manifest.members) - 1,
            "created": manifest.created_at,
            "version": manifest.app_version,
        }
        self.stdout.write(summary)
        if options["check"]:
            return
        if options["interactive"]:
            answer = input(
                _("Toàn bộ dữ liệu hiện có sẽ bị thay bằng bản sao lưu. Gõ “yes” để tiếp tục: ")
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Đã hủy: không khôi phục gì."))
        actor = actor_from(options["actor"], SYSTEM_ACTOR)
        try:
            restore_backup(actor=actor, path=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Đã khôi phục từ %(file)s.") % {"file": path.name})
        missing = known_migrations() - set(manifest.migrations)
        if missing:
            self.stdout.write(
                _("Bản sao lưu cũ hơn phiên bản này: hãy chạy `antt migrate` (%(n)s bước).")
                % {"n": len(missing)}
            )
