"""`antt register --year Y (--unit CODE | --commune CODE) [--registered-on DATE]
[--actor USERNAME]`.

A thin wrapper over ``services.register_unit`` / ``register_units``. The small helpers at the end
(actor, dates, service errors) are shared by the cycle's other commands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError
from django.utils.translation import gettext as _

from antt.accounts.models import User
from antt.core.commands import actor_from, add_actor_argument
from antt.recognition import services
from antt.recognition.api import FIRST_YEAR, last_year, unit_for_year
from antt.recognition.workflow import TransitionError
from antt.units.models import Unit, UnitKind
from antt.units.querysets import UnitQuerySet

SYSTEM_ACTOR = "cli:register"


class Command(BaseCommand):
    help = (
        "Đăng ký phấn đấu “An toàn về an ninh, trật tự” cho một đơn vị (--unit), hoặc cho mọi "
        "khu dân cư, cơ quan, nhà trường do một xã quản lý mà chưa đăng ký (--commune)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="Năm công nhận.")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--unit", help="Mã đơn vị đăng ký.")
        target.add_argument("--commune", help="Mã xã, phường, đặc khu: đăng ký cả loạt.")
        parser.add_argument("--registered-on", help="Ngày đăng ký (YYYY-MM-DD).")
        parser.add_argument(
            "--households", type=int, help="Số hộ đăng ký (khu dân cư; chỉ dùng với --unit)."
        )
        add_actor_argument(parser, SYSTEM_ACTOR)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"], SYSTEM_ACTOR)
        year = check_year(options["year"])
        registered_on = parse_day(options["registered_on"], "--registered-on")
        code = (options["unit"] or options["commune"]).strip()
        unit = unit_for_year(visible_units(actor), code, year)
        if unit is None:
            raise CommandError(
                _("Không tìm thấy đơn vị mã “%(code)s” trong năm %(year)s.")
                % {"code": code, "year": year}
            )
        if options["unit"]:
            with cli_errors():
                reg = services.register_unit(
                    actor=actor,
                    unit=unit,
                    year=year,
                    registered_on=registered_on,
                    households_registered=options["households"],
                )
            rule, due = reg.authority, services.deadline(reg)
            self.stdout.write(
                _("Đã đăng ký %(name)s (mã %(code)s) năm %(year)s, bộ tiêu chí %(set)s.")
                % {"name": unit.name, "code": unit.code, "year": year, "set": reg.criteria_set}
            )
            if rule is not None and due is not None:
                self.stdout.write(
                    _("Cơ quan quyết định: %(body)s; quyết định trước ngày %(due)s.")
                    % {"body": rule.deciding_body, "due": f"{due:%d/%m/%Y}"}
                )
            return
        if unit.kind != UnitKind.COMMUNE:
            raise CommandError(
                _("%(name)s (mã %(code)s) không phải là xã, phường, đặc khu.")
                % {"name": unit.name, "code": unit.code}
            )
        try:
            with cli_errors():
                created = services.register_units(
                    actor=actor, commune=unit, year=year, registered_on=registered_on
                )
        except IntegrityError as exc:
            raise CommandError(
                _("Một số đơn vị của %(name)s vừa được đăng ký năm %(year)s: hãy chạy lại.")
                % {"name": unit.name, "year": year}
            ) from exc
        if not created:
            self.stdout.write(
                _("Không có đơn vị nào của %(name)s cần đăng ký thêm năm %(year)s.")
                % {"name": unit.name, "year": year}
            )
            return
        self.stdout.write(
            _("Đã đăng ký %(count)s đơn vị của %(name)s năm %(year)s:")
            % {"count": len(created), "name": unit.name, "year": year}
        )
        for reg in created:
            self.stdout.write(f"  {reg.unit.code}  {reg.unit.name}")


# --- shared by register, decide, issue_certificates, annul_decision ------------------------------


def visible_units(actor: User | str) -> UnitQuerySet:
    if isinstance(actor, User):
        return Unit.objects.visible_to(actor)  # type: ignore[return-value]
    return Unit.objects.all()  # type: ignore[return-value]


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= last_year() + 1:
        raise CommandError(
            _("Năm phải từ %(first)s đến %(last)s.")
            % {"first": FIRST_YEAR, "last": last_year() + 1}
        )
    return year


def parse_day(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise CommandError(
            _("%(option)s: ngày “%(value)s” không hợp lệ, hãy ghi theo dạng YYYY-MM-DD.")
            % {"option": option, "value": value}
        ) from exc


@contextmanager
def cli_errors() -> Iterator[None]:
    """A service's refusal as a CommandError with its Vietnamese message (nothing was written)."""
    try:
        yield
    except ValidationError as exc:  # ConcurrentChange included
        raise CommandError("; ".join(exc.messages)) from exc
    except PermissionDenied as exc:
        raise CommandError(str(exc) or _("Không có quyền thực hiện thao tác này.")) from exc
    except TransitionError as exc:
        raise CommandError(str(exc)) from exc
