"""A unit's year: the evaluation against the criteria set of that year, criterion by criterion.

The unit is fetched from ``Unit.objects.visible_to(request.user)``: out of jurisdiction is 404.
Recording a judgement is the records app's business; this page only shows its form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from antt.accounts.rules import Action
from antt.core.cache import cached
from antt.recognition.api import FIRST_YEAR, last_year, unit_for_year
from antt.recognition.evaluation import evaluate_unit
from antt.standards.catalog import CriteriaSet, registry
from antt.standards.rules import VERDICT_LABELS, NodeResult
from antt.units.models import Unit

__all__ = ["unit_year"]

JUDGED_RULES = frozenset({"judgement", "meeting_decides"})

# Not colour only: every verdict has its words and its sign.
VERDICTS: dict[str, tuple[str, Any]] = {
    "met": ("✓", _("đạt")),
    "not_met": ("✗", _("không đạt")),
    "needs_judgement": ("…", _("chờ đánh giá")),
    "missing_data": ("?", _("thiếu số liệu")),
}
RESULTS: dict[str, tuple[str, Any]] = {
    "met": ("✓", _("Đạt")),
    "not_met": ("✗", _("Không đạt")),
    "pending": ("…", _("Chưa đủ căn cứ")),
}


@dataclass(frozen=True)
class SettingUsed:
    key: str
    value: str
    label: str
    question: str


@dataclass
class Row:
    """One criterion or point as the page shows it."""

    node: NodeResult
    icon: str
    label: Any
    body: str  # the explanation without its "4.4.b không đạt: " prefix
    computed_icon: str
    computed_label: Any
    judged: bool  # the law leaves it to the meeting: a judgement form is offered
    settings: list[SettingUsed]
    points: list[Row]


def _records_url(name: str, args: list[Any], fallback: str) -> str:
    """The records app's page when its URL is wired, else its documented path."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _is_judged(cset: CriteriaSet, code: str) -> bool:
    try:
        node = cset.node(code)
    except KeyError:  # a province's add-on criterion: always judged by the meeting
        return True
    return node.unknown or any(rule.type in JUDGED_RULES for rule in node.rules)


def _setting(cset: CriteriaSet, key: str, value: str) -> SettingUsed:
    spec = cset.settings.get(key)
    if spec is None:
        return SettingUsed(key, value, value, "")
    return SettingUsed(key, value, spec.labels.get(value, value), spec.question)


def _row(node: NodeResult, cset: CriteriaSet) -> Row:
    prefix = f"{node.code} {VERDICT_LABELS[node.verdict]}: "
    body = node.explanation.removeprefix(prefix)
    settings: list[SettingUsed] = []
    seen: dict[str, str] = {}
    for check in node.checks:
        seen.update(check.settings_used)
    for key, value in sorted(seen.items()):
        settings.append(_setting(cset, key, value))
    icon, label = VERDICTS[node.verdict]
    computed_icon, computed_label = VERDICTS[node.computed_verdict]
    return Row(
        node=node,
        icon=icon,
        label=label,
        body=body,
        computed_icon=computed_icon,
        computed_label=computed_label,
        judged=_is_judged(cset, node.code),
        settings=settings,
        points=[_row(child, cset) for child in node.children],
    )


@login_required
def unit_year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    if "year" in request.GET:  # the year selector (works without JavaScript)
        chosen = request.GET["year"]
        if chosen.isdigit() and FIRST_YEAR <= int(chosen) <= last_year():
            return redirect("units:unit-year", code=code, year=int(chosen))
    if not FIRST_YEAR <= year <= last_year():
        raise Http404(
            gettext("Chỉ xem được các năm từ %(first)s đến %(last)s.")
            % {"first": FIRST_YEAR, "last": last_year()}
        )
    unit: Unit | None = unit_for_year(
        Unit.objects.visible_to(request.user).select_related("parent"),  # type: ignore[arg-type]
        code,
        year,
    )
    if unit is None:
        raise Http404(gettext("Không có đơn vị này trong năm đã chọn."))

    context: dict[str, Any] = {
        "unit": unit,
        "year": year,
        "years": range(last_year(), FIRST_YEAR - 1, -1),
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < last_year() else None,
        "eligibility": unit.eligibility,
        "facts_url": _records_url(
            "records:facts-edit", [unit.code, year], f"/records/{unit.code}/{year}/facts/"
        ),
        "incidents_url": _records_url(
            "records:incident-list", [unit.code], f"/records/{unit.code}/incidents/"
        ),
    }
    if unit.eligibility.eligible:
        # A commune's evaluation reads its residential areas and organisations too (Art. 5.4):
        # about 0.1 s, the same for every reader until the next data write.
        ev = cached(("recognition:unit-year", unit.pk, year), partial(evaluate_unit, unit, year))
        cset = registry().sets[ev.standard]
        icon, label = RESULTS[ev.result]
        context.update(
            evaluation=ev,
            cset=cset,
            result_icon=icon,
            result_label=label,
            rows=[_row(node, cset) for node in ev.criteria],
            settings_used=[_setting(cset, key, value) for key, value in ev.settings],
            can_judge=request.user.can(Action.JUDGE, unit.path),  # type: ignore[union-attr]
            judgement_url=_records_url(
                "records:judgement-list",
                [unit.code, year],
                f"/records/{unit.code}/{year}/judgements/",
            ),
        )
    return render(request, "recognition/unit_year.html", context)
