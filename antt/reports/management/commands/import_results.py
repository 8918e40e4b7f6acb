"""`antt import_results FILE [--dry-run] [--actor USERNAME]`: historical results from paper
records (columns ``year, unit_code, result`` and optionally ``registered, decision_number,
decision_date``). A thin wrapper over ``antt.reports.import_results``: with an error in any row
nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.accounts.models import User
from antt.core.commands import refuse_on_errors
from antt.reports.import_results import import_results, parse_results_file

SYSTEM_ACTOR = "cli:import_results"


class Command(BaseCommand):
    help = (
        "Nhập kết quả công nhận các năm trước từ hồ sơ giấy (tệp CSV hoặc Excel .xlsx) với các "
        "cột year, unit_code, result (đạt / chưa đạt) và tuỳ chọn registered (có/không), "
        "decision_number, decision_date. Nhập lại cùng tệp thì cập nhật, không tạo trùng; không "
        "ghi đè đăng ký đang trong quy trình. Có lỗi ở bất kỳ dòng nào thì không ghi gì."
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
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không mở được tệp “%(path)s”: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        parsed = parse_results_file(data, filename=path.name)
        try:
            report = import_results(actor=actor, parsed=parsed, dry_run=options["dry_run"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        refuse_on_errors(
            self, filename=report.filename, warnings=report.warnings, errors=list(report.errors)
        )
        counts = {
            "file": report.filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skipped": report.not_registered,
        }
        if report.dry_run:
            self.stdout.write(
                _(
                    "Chạy thử “%(file)s”: sẽ ghi mới %(created)s, cập nhật %(updated)s, giữ nguyên "
                    "%(unchanged)s kết quả; %(skipped)s dòng đơn vị không đăng ký (không ghi gì). "
                    "Chưa ghi gì vào cơ sở dữ liệu."
                )
                % counts
            )
        else:
            self.stdout.write(
                _(
                    "Đã nhập “%(file)s”: ghi mới %(created)s, cập nhật %(updated)s, giữ nguyên "
                    "%(unchanged)s kết quả; %(skipped)s dòng đơn vị không đăng ký (không ghi gì)."
                )
                % counts
            )
