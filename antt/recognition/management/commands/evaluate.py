"""`antt evaluate --year Y (--unit CODE | --scope CODE | --country) [--processes N]
[--format text|json]`.

A thin wrapper over ``antt.recognition.evaluation``: reads only, writes nothing. ``--format json``
prints what ``/api/v1/units/{code}/evaluation/`` and ``/api/v1/evaluations/`` return (the latter
without pagination). ``--country`` evaluates every province, one process per core
(``antt.recognition.national``), and adds each province's summary.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.recognition.api import (
    FIRST_YEAR,
    RESULT_LABELS,
    SUMMARY_FIELDS,
    evaluation_dict,
    last_year,
    scope_dict,
    scope_summary_header,
    unit_for_year,
)
from antt.recognition.evaluation import evaluate_scope, evaluate_unit
from antt.recognition.national import evaluate_country
from antt.standards.catalog import registry
from antt.standards.rules import VERDICT_LABELS, Evaluation, NodeResult, fmt_window
from antt.standards.vocab import KIND_LABELS
from antt.units.models import Unit

MARKERS = {"met": "✓", "not_met": "✗", "needs_judgement": "…", "missing_data": "…"}
RESULT_MARKERS = {"met": "✓", "not_met": "✗", "pending": "…"}
PROGRESS_EVERY = 25


class Command(BaseCommand):
    help = (
        "Đánh giá theo bộ tiêu chí “An toàn về an ninh, trật tự” một đơn vị (--unit) hoặc mọi "
        "đơn vị trong một phạm vi (--scope) hoặc của cả nước (--country) cho một năm. "
        "Chỉ đọc, không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, required=True, help="Năm công nhận (năm kết thúc kỳ đánh giá)."
        )
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--unit", help="Mã đơn vị cần đánh giá.")
        target.add_argument(
            "--scope", help="Mã đơn vị gốc: đánh giá mọi đơn vị trực thuộc (tỉnh, xã…)."
        )
        target.add_argument(
            "--country", action="store_true", help="Đánh giá mọi đơn vị của cả nước."
        )
        parser.add_argument(
            "--processes",
            type=int,
            help="Với --country: số tiến trình chạy song song (mặc định: một tiến trình mỗi lõi).",
        )
        parser.add_argument(
            "--format", choices=("text", "json"), default="text", help="text (mặc định) hoặc json."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if not FIRST_YEAR <= year <= last_year():
            raise CommandError(
                _("Năm đánh giá phải từ %(first)s đến %(last)s.")
                % {"first": FIRST_YEAR, "last": last_year()}
            )
        as_json = options["format"] == "json"
        if options["country"]:
            self.country(year, options["processes"], as_json)
            return
        code = (options["unit"] or options["scope"]).strip()
        unit = unit_for_year(Unit.objects.all(), code, year)
        if unit is None:
            raise CommandError(
                _("Không có đơn vị mã “%(code)s” có hiệu lực trong năm %(year)s.")
                % {"code": code, "year": year}
            )
        if options["unit"]:
            self.one_unit(unit, year, as_json)
        else:
            self.scope(unit, year, as_json)

    # --- one unit --------------------------------------------------------------------------------

    def one_unit(self, unit: Unit, year: int, as_json: bool) -> None:
        if not unit.eligibility.eligible:
            raise CommandError(
                _("%(name)s (mã %(code)s) không thuộc đối tượng xét công nhận: %(reason)s")
                % {"name": unit.name, "code": unit.code, "reason": unit.eligibility.reason}
            )
        ev = evaluate_unit(unit, year)
        if as_json:
            self.stdout.write(json.dumps(evaluation_dict(unit, ev), ensure_ascii=False, indent=2))
            return
        for line in evaluation_lines(unit, ev):
            self.stdout.write(line)

    # --- a scope ---------------------------------------------------------------------------------

    def scope(self, root: Unit, year: int, as_json: bool) -> None:
        show_progress = bool(getattr(self.stderr, "isatty", lambda: False)())

        def progress(done: int) -> None:
            if done == 1 or done % PROGRESS_EVERY == 0:
                self.stderr.write(
                    "\r" + _("Đã đánh giá %(done)s đơn vị…") % {"done": done}, ending=""
                )
                self.stderr.flush()

        result = evaluate_scope(root, year, progress if show_progress else None, explain=False)
        if show_progress:
            self.stderr.write("\r" + " " * 40 + "\r", ending="")
        self.write_scope(scope_dict(root, result), as_json)

    def country(self, year: int, processes: int | None, as_json: bool) -> None:
        if processes is not None and processes < 1:
            raise CommandError(_("Số tiến trình phải từ 1 trở lên."))
        self.write_scope(evaluate_country(year, processes), as_json)

    def write_scope(self, data: dict[str, Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for line in scope_lines(data):
            self.stdout.write(line)


def evaluation_lines(unit: Unit, ev: Evaluation) -> list[str]:
    """The evaluation as readable Vietnamese text: one line per criterion and point."""
    cset = registry().sets[ev.standard]
    lines = [
        _("%(name)s (mã %(code)s) — năm %(year)s")
        % {"name": unit.name, "code": unit.code, "year": ev.year},
        _("Bộ tiêu chí: %(title)s (%(code)s)") % {"title": cset.title, "code": cset.code},
        _("Kỳ đánh giá: %(window)s%(assumed)s")
        % {
            "window": fmt_window(ev.window),
            "assumed": _(" (giả định)") if ev.window.assumed else "",
        },
        _("Kết quả: %(marker)s %(result)s")
        % {"marker": RESULT_MARKERS[ev.result], "result": RESULT_LABELS[ev.result]},
        "",
    ]

    def walk(node: NodeResult, depth: int) -> None:
        lines.append(f"{'    ' * depth}{MARKERS[node.verdict]} {node.explanation}")
        for child in node.children:
            walk(child, depth + 1)

    for node in ev.criteria:
        walk(node, 0)
    lines.append("")
    if ev.settings:
        lines.append(_("Cách hiểu quy định đã áp dụng:"))
        for key, value in ev.settings:
            setting = cset.settings.get(key)
            label = setting.labels.get(value, value) if setting else value
            lines.append(f"  {key} = {value} ({label})")
    else:
        lines.append(_("Không tiêu chí nào phụ thuộc vào cách hiểu quy định."))
    lines.append(
        _("Ký hiệu: ✓ %(met)s, ✗ %(not_met)s, … %(judge)s hoặc %(missing)s.")
        % {
            "met": VERDICT_LABELS["met"],
            "not_met": VERDICT_LABELS["not_met"],
            "judge": VERDICT_LABELS["needs_judgement"],
            "missing": VERDICT_LABELS["missing_data"],
        }
    )
    return lines


def scope_lines(data: dict[str, Any]) -> list[str]:
    """A table per unit kind: met, not met, pending, total, not eligible."""
    head = scope_summary_header()
    rows = []
    totals = dict.fromkeys(SUMMARY_FIELDS, 0)
    for kind, row in data["summary"].items():
        rows.append([KIND_LABELS.get(kind, kind)] + [str(row[k]) for k in totals])
        for k in totals:
            totals[k] += row[k]
    rows.append([_("Cộng")] + [str(v) for v in totals.values()])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def fmt(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)])

    title = (
        _("Đánh giá năm %(year)s — %(name)s (mã %(code)s)")
        if data["scope"]
        else _("Đánh giá năm %(year)s — %(name)s")  # the whole country has no unit code
    )
    lines = [
        title % {"year": data["year"], "name": data["scope_name"], "code": data["scope"]},
        "",
        fmt(head),
        *[fmt(r) for r in rows],
    ]
    failed = [u for u in data["units"] if u["result"] == "not_met"]
    if failed:
        lines += ["", _("Đơn vị không đạt:")]
        lines += [f"  ✗ {u['name']} ({u['unit']}): " + ", ".join(u["failed"]) for u in failed]
    return lines
