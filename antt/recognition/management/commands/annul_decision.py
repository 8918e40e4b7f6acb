"""`antt annul_decision --decision NUMBER [--body CODE] --reason TEXT --reference TEXT
[--date YYYY-MM-DD] [--actor USERNAME]`.

D9: a manual act with its reason and the annulling document. The decision, its units' results
and their certificates are marked annulled; nothing is deleted.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.core.commands import actor_from, add_actor_argument
from antt.recognition import services
from antt.recognition.management.commands.issue_certificates import (
    add_decision_arguments,
    find_decision,
)
from antt.recognition.management.commands.register import (
    cli_errors,
    parse_day,
)
from antt.recognition.models import Certificate

SYSTEM_ACTOR = "cli:annul_decision"


class Command(BaseCommand):
    help = (
        "Hủy bỏ một quyết định công nhận (ghi lý do và văn bản hủy bỏ): các đơn vị trong quyết "
        "định chuyển sang “Quyết định đã bị hủy bỏ”, giấy công nhận đã cấp bị hủy. Không xóa gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_decision_arguments(parser)
        parser.add_argument("--reason", required=True, help="Lý do hủy bỏ.")
        parser.add_argument(
            "--reference", required=True, help="Văn bản hủy bỏ, ví dụ “Quyết định số 3/QĐ-UBND”."
        )
        parser.add_argument("--date", help="Ngày hủy bỏ (YYYY-MM-DD), mặc định hôm nay.")
        add_actor_argument(parser, SYSTEM_ACTOR)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"], SYSTEM_ACTOR)
        day = parse_day(options["date"], "--date") or timezone.localdate()
        decision = find_decision(actor, options["decision"], options["body"])
        valid = set(
            Certificate.objects.filter(
                decision=decision, status=Certificate.Status.VALID
            ).values_list("pk", flat=True)
        )
        with cli_errors():
            services.annul_decision(
                actor=actor,
                decision=decision,
                reason=options["reason"],
                reference=options["reference"],
                annulled_on=day,
            )
        self.stdout.write(
            _(
                "Đã hủy bỏ quyết định số %(number)s ngày %(signed)s (%(body)s) từ ngày %(day)s: "
                "%(units)s đơn vị chuyển sang “Quyết định đã bị hủy bỏ”, %(certs)s giấy công "
                "nhận bị hủy."
            )
            % {
                "number": decision.number,
                "signed": f"{decision.signed_on:%d/%m/%Y}",
                "body": decision.issuing_body,
                "day": f"{day:%d/%m/%Y}",
                "units": decision.items.count(),
                "certs": len(valid),
            }
        )
