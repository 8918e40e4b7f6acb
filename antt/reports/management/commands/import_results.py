"""`antt import_results FILE [--dry-run] [--actor USERNAME]`: historical results from paper
records (columns ``year, unit_code, result`` and optionally ``registered, decision_number,
decision_date``). A thin wrapper over ``antt.reports.import_results``: with an error in any row
nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from antt.accounts.models import User
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
                raise CommandError(f"Không có người dùng “{options['actor']}”.") from exc
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không mở được tệp “{path}”: {exc.strerror}") from exc
        parsed = parse_results_file(data, filename=path.name)
        try:
            report = import_results(actor=actor, parsed=parsed, dry_run=options["dry_run"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        for warning in report.warnings:
            self.stderr.write(warning)
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Không nhập tệp “{report.filename}”: {len(report.errors)} lỗi. Chưa ghi gì vào "
                "cơ sở dữ liệu."
            )
        counts = (
            f"ghi mới {report.created}, cập nhật {report.updated}, giữ nguyên {report.unchanged} "
            f"kết quả; {report.not_registered} dòng đơn vị không đăng ký (không ghi gì)"
        )
        if report.dry_run:
            self.stdout.write(
                f"Chạy thử “{report.filename}”: sẽ {counts}. Chưa ghi gì vào cơ sở dữ liệu."
            )
        else:
            self.stdout.write(f"Đã nhập “{report.filename}”: {counts}.")
