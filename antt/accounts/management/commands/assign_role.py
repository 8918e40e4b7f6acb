import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from antt.accounts import services
from antt.accounts.models import RoleChoice
from antt.units.services import resolve_code


class Command(BaseCommand):
    help = "Giao vai trò cho người dùng trên một đơn vị (tạo người dùng nếu chưa có)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=RoleChoice.values)
        parser.add_argument("unit_code")
        parser.add_argument("--password", help="Đặt (hoặc đặt lại) mật khẩu")
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, help="Ngày để tra mã (YYYY-MM-DD)"
        )

    def handle(self, *args: object, **opts: object) -> None:
        day = opts["date"] or dt.date.today()
        unit = resolve_code(str(opts["unit_code"]), day)  # type: ignore[arg-type]
        if unit is None:
            raise CommandError(
                f"Không tìm thấy đơn vị mã “{opts['unit_code']}” tại ngày {day:%d/%m/%Y}."
            )
        try:
            user, _, created = services.assign_role(
                actor="cli:assign_role",
                username=str(opts["username"]),
                role=str(opts["role"]),
                unit=unit,
                password=opts["password"],  # type: ignore[arg-type]
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        verb = "Đã tạo" if created else "Đã cập nhật"
        role = RoleChoice(str(opts["role"])).label
        self.stdout.write(f"{verb} {user.username}: {role} — {unit.name} ({unit.code})")
