from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from antt.records.demo import load_demo_records
from antt.units.demo import DemoDataMissing, DemoReport, load_demo


def account_table(report: DemoReport) -> list[str]:
    """The demo accounts as a plain-text table (Vietnamese names are NFC: one char, one cell)."""
    header = ("Tên đăng nhập", "Họ và tên", "Vai trò", "Đơn vị (phạm vi)")
    rows = [
        (a.username, a.full_name, a.role_label, f"{a.unit_name} ({a.unit_code})")
        for a in report.accounts
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu minh hoạ: khu dân cư, cơ quan, doanh nghiệp, trường học ở ba xã/phường "
        "thật và một tài khoản cho mỗi vai trò. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="Địa chỉ in ra để đăng nhập."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_demo(actor="load_demo")
        except DemoDataMissing as exc:
            raise CommandError(str(exc)) from exc
        if report.changed:
            self.stdout.write(
                f"Dữ liệu minh hoạ: tạo mới {report.units_created} đơn vị, "
                f"{report.users_created} tài khoản, {report.roles_assigned} phân quyền."
            )
        else:
            self.stdout.write(
                f"Dữ liệu minh hoạ đã có sẵn ({report.units_existing} đơn vị): không thay đổi gì."
            )
        self.stdout.write("")
        self.stdout.write("Tài khoản minh hoạ:")
        for text in account_table(report):
            self.stdout.write("  " + text)
        self.stdout.write("")
        self.stdout.write(f"Mật khẩu chung cho mọi tài khoản trên: {report.password}")
        self.stdout.write(f"Mở {options['url']} và đăng nhập.")
        self.stdout.write(
            "Cán bộ công an xã, tỉnh và quản trị cần thêm xác thực hai lớp: lần đầu đăng nhập, "
            "trang web hiện mã QR để quét bằng ứng dụng xác thực (Google Authenticator, "
            "Microsoft Authenticator, FreeOTP…). Không có điện thoại thì lấy mã bằng lệnh "
            "`.venv/bin/antt demo_code TÊN_ĐĂNG_NHẬP` (chỉ với bản minh hoạ)."
        )
        load_demo_records(actor="load_demo")  # yearly facts, incidents, verdicts (idempotent)
