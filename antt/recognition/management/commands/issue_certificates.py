"""`antt issue_certificates --decision NUMBER [--body CODE] [--issued-on DATE] [--actor USERNAME]`.

A certificate for every unit the decision recognised that has none yet (with its PDF once the
documents module is there), gap-free numbering; prints the numbers and verification codes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.accounts.models import User
from antt.core.commands import actor_from, add_actor_argument
from antt.recognition.api_cycle import certificate_issuer
from antt.recognition.management.commands.register import (
    cli_errors,
    parse_day,
)
from antt.recognition.models import Certificate, Decision

SYSTEM_ACTOR = "cli:issue_certificates"


class Command(BaseCommand):
    help = (
        "Cấp giấy công nhận cho các đơn vị được công nhận theo một quyết định mà chưa có giấy. "
        "Số quyết định là duy nhất trong một cơ quan ban hành: --body MÃ để chọn khi trùng số."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_decision_arguments(parser)
        parser.add_argument("--issued-on", help="Ngày cấp (YYYY-MM-DD), mặc định hôm nay.")
        add_actor_argument(parser, SYSTEM_ACTOR)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"], SYSTEM_ACTOR)
        issued_on = parse_day(options["issued_on"], "--issued-on")
        decision = find_decision(actor, options["decision"], options["body"])
        before = set(decision.certificates.values_list("pk", flat=True))
        with cli_errors():
            certificate_issuer()(actor=actor, decision=decision, issued_on=issued_on)
        issued = (
            Certificate.objects.filter(decision=decision)
            .exclude(pk__in=before)
            .select_related("registration__unit")
            .order_by("serial")
        )
        if not issued:
            self.stdout.write(
                _("Không còn giấy công nhận nào cần cấp theo quyết định số %(number)s.")
                % {"number": decision.number}
            )
            return
        self.stdout.write(
            _("Đã cấp %(count)s giấy công nhận theo quyết định số %(number)s (%(body)s):")
            % {"count": len(issued), "number": decision.number, "body": decision.issuing_body}
        )
        for cert in issued:
            unit = cert.registration.unit
            self.stdout.write(
                _("  Số %(number)s — mã xác minh %(code)s — %(name)s (mã %(unit)s)")
                % {
                    "number": cert.number,
                    "code": cert.verification_code,
                    "name": unit.name,
                    "unit": unit.code,
                }
            )


def add_decision_arguments(parser: CommandParser) -> None:
    parser.add_argument("--decision", required=True, help="Số quyết định, ví dụ 15/QĐ-UBND.")
    parser.add_argument("--body", help="Mã đơn vị hành chính ban hành (khi trùng số quyết định).")


def find_decision(actor: User | str, number: str, body: str | None) -> Decision:
    """The decision with this number (of this issuing unit), within the actor's jurisdiction."""
    decisions = (
        Decision.objects.visible_to(actor) if isinstance(actor, User) else Decision.objects.all()
    )
    decisions = decisions.filter(number=number.strip()).select_related("issuing_unit")
    if body:
        decisions = decisions.filter(issuing_unit__code=body.strip())
    found = list(decisions.order_by("-signed_on")[:20])
    if not found:
        raise CommandError(
            _("Không tìm thấy quyết định số “%(number)s”%(body)s.")
            % {
                "number": number,
                "body": _(" của đơn vị mã “%(code)s”") % {"code": body} if body else "",
            }
        )
    if len(found) > 1:
        lines = [
            f"  --body {d.issuing_unit.code}: {d.issuing_body}, {d.signed_on:%d/%m/%Y}"
            for d in found
        ]
        raise CommandError(
            "\n".join(
                [
                    _("Có %(count)s quyết định cùng số “%(number)s”; hãy chọn bằng --body:")
                    % {"count": len(found), "number": number},
                    *lines,
                ]
            )
        )
    return found[0]
