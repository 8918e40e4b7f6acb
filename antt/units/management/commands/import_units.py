"""`antt import_units FILE [--dry-run] [--actor USERNAME]`: a thin wrapper over the service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.accounts.models import User
from antt.core.commands import refuse_on_errors
from antt.units.import_service import import_parsed
from antt.units.imports import parse_units_file

SYSTEM_ACTOR = "cli:import_units"


class Command(BaseCommand):
    help = (
        "Nhập đơn vị từ tệp CSV hoặc Excel (.xlsx) với các cột code, name, kind, parent_code "
        "(và tuỳ chọn managing_level, enterprise_size, education_level, has_party_org, "
        "is_armed_forces, subtype, valid_from, valid_to). Có lỗi ở bất kỳ dòng nào thì không "
        "ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp .csv hoặc .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra và báo cáo, không ghi gì."
        )
        parser.add_argument(
            "--actor",
            help=f"Tên đăng nhập người thực hiện (mặc định: tác nhân hệ thống “{SYSTEM_ACTOR}”).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor: User | str = SYSTEM_ACTOR
        if options["actor"]:
            try:
                actor = User.objects.get(username=options["actor"], is_active=True)
            except User.DoesNotExist as exc:
                raise CommandError(
                    _("Không có người dùng “%(name)s”.") % {"name": options["actor"]}
                ) from exc
        path = Path(options["file"])
        try:
            with path.open("rb") as fh:
                parsed = parse_units_file(fh, filename=path.name)
        except OSError as exc:
            raise CommandError(
                _("Không mở được tệp “%(path)s”: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        try:
            report = import_parsed(actor=actor, parsed=parsed, dry_run=options["dry_run"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

        refuse_on_errors(
            self, filename=path.name, warnings=report.warnings, errors=list(report.errors)
        )
        counts = {
            "file": path.name,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if report.dry_run:
            self.stdout.write(
                _(
                    "Chạy thử “%(file)s”: sẽ tạo mới %(created)s, cập nhật %(updated)s, "
                    "giữ nguyên %(unchanged)s đơn vị. Chưa ghi gì vào cơ sở dữ liệu."
                )
                % counts
            )
        else:
            self.stdout.write(
                _(
                    "Đã nhập “%(file)s”: tạo mới %(created)s, cập nhật %(updated)s, "
                    "giữ nguyên %(unchanged)s đơn vị."
                )
                % counts
            )
