"""`antt decide --year Y --number N --signed-on DATE --signer NAME (--unit CODE ... | --body CODE
[--all-appraised]) [--result CODE=met|not_met ...] [--actor USERNAME]`.

One decision for many appraised registrations (``services.decide``). ``--body CODE`` alone lists
the appraised registrations that body decides, without writing; ``--all-appraised`` decides them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError
from django.utils.translation import gettext as _

from antt.accounts.models import User
from antt.core.commands import actor_from, add_actor_argument
from antt.recognition import services
from antt.recognition.api import unit_for_year
from antt.recognition.management.commands.register import (
    check_year,
    cli_errors,
    parse_day,
    visible_units,
)
from antt.recognition.models import Registration, Result
from antt.recognition.workflow import State

SYSTEM_ACTOR = "cli:decide"
RESULT_WORDS = {Result.MET: "được công nhận", Result.NOT_MET: "không được công nhận"}


class Command(BaseCommand):
    help = (
        "Ban hành một quyết định công nhận cho nhiều hồ sơ đã thẩm định: liệt kê đơn vị "
        "(--unit, lặp lại được) hoặc mọi hồ sơ đã thẩm định mà một cơ quan quyết định "
        "(--body MÃ --all-appraised). Kết quả từng đơn vị theo đề xuất thẩm định, trừ khi "
        "--result MÃ=met|not_met ghi khác."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="Năm công nhận.")
        parser.add_argument("--number", required=True, help="Số quyết định, ví dụ 15/QĐ-UBND.")
        parser.add_argument("--signed-on", required=True, help="Ngày ký (YYYY-MM-DD).")
        parser.add_argument("--signer", required=True, help="Họ tên người ký.")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--unit", action="append", help="Mã đơn vị có hồ sơ đã thẩm định (lặp lại được)."
        )
        target.add_argument("--body", help="Mã đơn vị hành chính có cơ quan quyết định (xã, tỉnh).")
        parser.add_argument(
            "--all-appraised",
            action="store_true",
            help="Cùng --body: quyết định mọi hồ sơ đã thẩm định của năm mà cơ quan đó quyết định.",
        )
        parser.add_argument(
            "--result",
            action="append",
            default=[],
            metavar="MÃ=met|not_met",
            help="Kết quả khác đề xuất thẩm định cho một đơn vị (lặp lại được).",
        )
        add_actor_argument(parser, SYSTEM_ACTOR)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"], SYSTEM_ACTOR)
        year = check_year(options["year"])
        signed_on = parse_day(options["signed_on"], "--signed-on")
        if options["all_appraised"] and not options["body"]:
            raise CommandError(_("--all-appraised chỉ dùng cùng --body MÃ."))
        regs = (
            Registration.objects.visible_to(actor)
            if isinstance(actor, User)
            else Registration.objects.all()
        )
        regs = regs.for_year(year).select_related("unit", "authority")
        if options["unit"]:
            chosen = []
            for code in dict.fromkeys(c.strip() for c in options["unit"]):
                reg = regs.filter(unit__code=code).first()
                if reg is None:
                    raise CommandError(
                        _("Đơn vị mã “%(code)s” không có hồ sơ đăng ký năm %(year)s.")
                        % {"code": code, "year": year}
                    )
                chosen.append(reg)
        else:
            body = unit_for_year(visible_units(actor), options["body"].strip(), year)
            if body is None:
                raise CommandError(
                    _("Không tìm thấy đơn vị mã “%(code)s” trong năm %(year)s.")
                    % {"code": options["body"], "year": year}
                )
            # The deciding body is the registered unit's ancestor of the rule's level: under
            # ``body`` and of its kind, that ancestor is ``body`` itself.
            chosen = list(
                regs.filter(
                    state=State.APPRAISED,
                    authority__deciding_level=body.kind,
                    unit__path__startswith=body.path,
                )
                .exclude(unit=body)
                .order_by("unit__path")
            )
            if not chosen:
                raise CommandError(
                    _("Không có hồ sơ nào năm %(year)s đã thẩm định chờ %(name)s quyết định.")
                    % {"year": year, "name": body.name}
                )
            if not options["all_appraised"]:
                self.stdout.write(
                    _("%(count)s hồ sơ năm %(year)s đã thẩm định chờ %(name)s quyết định:")
                    % {"count": len(chosen), "year": year, "name": body.name}
                )
                for reg in chosen:
                    proposal = services.proposal_of(reg)
                    self.stdout.write(f"  {reg.unit.code}  {reg.unit.name}  ({proposal})")
                self.stdout.write(
                    _("Chưa ban hành quyết định: thêm --all-appraised để quyết định tất cả.")
                )
                return
        results = self.results(options["result"], chosen)
        try:
            with cli_errors():
                decision = services.decide(
                    actor=actor,
                    registrations=chosen,
                    number=options["number"],
                    signed_on=signed_on,  # type: ignore[arg-type]  # required
                    signer_name=options["signer"],
                    results=results,
                )
        except IntegrityError as exc:
            raise CommandError(
                _("Số quyết định “%(number)s” đã được cơ quan này dùng.")
                % {"number": options["number"].strip()}
            ) from exc
        items = list(decision.items.select_related("registration__unit"))
        met = sum(i.result == Result.MET for i in items)
        self.stdout.write(
            _(
                "Đã ban hành quyết định số %(number)s ngày %(day)s (%(body)s): %(count)s đơn vị, "
                "%(met)s được công nhận, %(not_met)s không được công nhận."
            )
            % {
                "number": decision.number,
                "day": f"{decision.signed_on:%d/%m/%Y}",
                "body": decision.issuing_body,
                "count": len(items),
                "met": met,
                "not_met": len(items) - met,
            }
        )
        for item in sorted(items, key=lambda i: i.registration.unit.path):
            unit = item.registration.unit
            self.stdout.write(f"  {unit.code}  {unit.name}: {RESULT_WORDS[Result(item.result)]}")
        late = [r for r in chosen if (due := services.deadline(r)) and decision.signed_on >= due]
        if late:
            self.stdout.write(
                _("Lưu ý: %(count)s đơn vị được quyết định từ ngày hạn trở đi (đã ghi nhận).")
                % {"count": len(late)}
            )

    def results(self, pairs: list[str], chosen: list[Registration]) -> dict[int, str]:
        by_code = {r.unit.code: r.pk for r in chosen}
        out: dict[int, str] = {}
        for pair in pairs:
            code, _sep, value = pair.partition("=")
            code, value = code.strip(), value.strip()
            if value not in (Result.MET, Result.NOT_MET):
                raise CommandError(
                    _("--result “%(pair)s”: hãy ghi MÃ=met hoặc MÃ=not_met.") % {"pair": pair}
                )
            if code not in by_code:
                raise CommandError(
                    _("--result: đơn vị mã “%(code)s” không có trong quyết định.") % {"code": code}
                )
            out[by_code[code]] = value
        return out
