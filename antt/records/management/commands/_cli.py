"""What the import commands share: the actor, reading the file, printing the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.accounts.models import User
from antt.core.commands import refuse_on_errors
from antt.records.import_service import ImportReport


def add_arguments(parser: CommandParser, system_actor: str) -> None:
    parser.add_argument("file", help="Đường dẫn tệp .csv hoặc .xlsx")
    parser.add_argument(
        "--dry-run", action="store_true", help="Chỉ kiểm tra và báo cáo, không ghi gì."
    )
    parser.add_argument(
        "--actor",
        help=f"Tên đăng nhập người thực hiện (mặc định: tác nhân hệ thống “{system_actor}”).",
    )


def actor(options: dict[str, Any], system_actor: str) -> User | str:
    if not options["actor"]:
        return system_actor
    try:
        return User.objects.get(username=options["actor"], is_active=True)
    except User.DoesNotExist as exc:
        raise CommandError(
            _("Không có người dùng “%(name)s”.") % {"name": options["actor"]}
        ) from exc


def read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(
            _("Không mở được tệp “%(path)s”: %(error)s") % {"path": path, "error": exc.strerror}
        ) from exc


def report(command: BaseCommand, report: ImportReport, what: str) -> None:
    """Warnings and errors to stderr; a nonzero exit when anything is wrong."""
    refuse_on_errors(
        command, filename=report.filename, warnings=report.warnings, errors=list(report.errors)
    )
    counts = {
        "file": report.filename,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "what": what,
    }
    if report.dry_run:
        command.stdout.write(
            _(
                "Chạy thử “%(file)s”: sẽ ghi mới %(created)s, cập nhật %(updated)s, giữ nguyên "
                "%(unchanged)s %(what)s. Chưa ghi gì vào cơ sở dữ liệu."
            )
            % counts
        )
    else:
        command.stdout.write(
            _(
                "Đã nhập “%(file)s”: ghi mới %(created)s, cập nhật %(updated)s, giữ nguyên "
                "%(unchanged)s %(what)s."
            )
            % counts
        )
