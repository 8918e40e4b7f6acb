"""The record pages of one unit: the incident register, the yearly facts, discipline, judgements.

Every page resolves the unit with ``Unit.objects.visible_to(request.user)``: a code outside the
user's jurisdiction is a 404. Seeing is not recording: a user who may see but not record gets no
forms, and a 403 if they post anyway. The services re-check the permission themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from antt.accounts.rules import Action
from antt.records import services
from antt.records.forms import (
    DisciplineForm,
    FactsForm,
    FlagsForm,
    IncidentFilter,
    IncidentForm,
    JudgementForm,
    VoidForm,
    attach_errors,
)
from antt.records.models import CriterionJudgement, DisciplinaryAction, Incident, YearFacts
from antt.records.validation import ELIGIBLE_KINDS, fact_choices, facts_read
from antt.standards.catalog import Fact, registry
from antt.units.models import Unit, UnitKind

__all__ = [
    "discipline_list",
    "discipline_void",
    "facts_edit",
    "incident_flags",
    "incident_list",
    "incident_void",
    "judgement_list",
]

PAGE_SIZE = 50


def reference_day(year: int | None, today: dt.date) -> dt.date:
    """The day a unit code is looked up for ``year``: 1 July, or today in the current year."""
    if year is None or year == today.year:
        return today
    return dt.date(year, 7, 1)


def unit_for(request: HttpRequest, code: str, year: int | None = None) -> Unit:
    """The visible unit with ``code`` for ``year`` (``services.version_for_year``), or today's
    when no year is given; 404 when none is visible."""
    today = timezone.localdate()
    visible = Unit.objects.visible_to(request.user).filter(kind__in=ELIGIBLE_KINDS, code=code)
    if year is None:
        unit = visible.valid_on(today).select_related("parent").first()
    else:
        versions = visible.select_related("parent")
        unit = services.version_for_year(versions, year, reference_day(year, today))
    if unit is None:
        raise Http404
    return unit


def _year(unit: Unit, year: int) -> None:
    """A year with a criteria set and not in the future, else 404."""
    if services.check_year(unit, year, timezone.localdate()) is not None:
        raise Http404


def _require(request: HttpRequest, action: Action, unit: Unit) -> None:
    if not request.user.can(action, unit.path):  # type: ignore[union-attr]
        raise PermissionDenied(_("Bạn được xem nhưng không có quyền ghi tại đơn vị này."))


def _may(request: HttpRequest, action: Action, unit: Unit) -> bool:
    return bool(request.user.can(action, unit.path))  # type: ignore[union-attr]


def _context(request: HttpRequest, unit: Unit, year: int, tab: str) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "unit": unit,
        "year": year,
        "tab": tab,
        "years": list(range(today.year, today.year - 4, -1)),
        "can_record": _may(request, Action.RECORD_EVIDENCE, unit),
        "can_judge": _may(request, Action.JUDGE, unit),
        # version_for_year's last resort: a unit formed the following year (the 2025 reform)
        "formed_later": unit.valid_from is not None and unit.valid_from.year > year,
        "next_year": year + 1,
    }


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """To ``next`` when it is a page of this site (the evaluation page embeds our forms)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


# --- incidents -----------------------------------------------------------------------------------


def _territory_units(request: HttpRequest, unit: Unit) -> list[tuple[int, str]]:
    """For a commune: itself and the units under it the user may pick in the add form."""
    if unit.kind != UnitKind.COMMUNE:
        return []
    units = (
        Unit.objects.visible_to(request.user)
        .filter(path__startswith=unit.path, kind__in=ELIGIBLE_KINDS)
        .valid_on(timezone.localdate())
        .order_by("depth", "name_folded")
    )
    return [(u.pk, f"{u.name} ({u.code})") for u in units]


@login_required
@require_http_methods(["GET", "POST"])
def incident_list(request: HttpRequest, code: str) -> HttpResponse:
    filters = IncidentFilter(request.GET or None)
    year = None
    if filters.is_valid():
        year = filters.cleaned_data["year"]
    unit = unit_for(request, code, year)
    context = _context(request, unit, year or timezone.localdate().year, "incidents")
    choices = _territory_units(request, unit)
    form = IncidentForm(kind=unit.kind, units=choices)

    if request.method == "POST":
        _require(request, Action.RECORD_EVIDENCE, unit)
        form = IncidentForm(request.POST, kind=unit.kind, units=choices)
        if form.is_valid():
            data = dict(form.cleaned_data)
            target = unit
            if "unit" in data:
                target = get_object_or_404(
                    Unit.objects.visible_to(request.user).filter(path__startswith=unit.path),
                    pk=data.pop("unit"),
                )
            try:
                services.record_incident(actor=request.user, unit=target, **data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi vụ việc vào sổ."))
                return redirect(request.get_full_path())

    rows = (
        Incident.objects.visible_to(request.user)
        .filter(unit__path__startswith=unit.path)
        .select_related("unit", "flags_set_by", "recorded_by")
        .order_by("-date", "-id")
    )
    if filters.is_valid():
        cleaned = filters.cleaned_data
        if cleaned["year"]:
            rows = rows.filter(date__year=cleaned["year"])
        if cleaned["start"]:
            rows = rows.filter(date__gte=cleaned["start"])
        if cleaned["end"]:
            rows = rows.filter(date__lte=cleaned["end"])
        if not cleaned["voided"]:
            rows = rows.active()
    else:
        rows = rows.active()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    context.update(
        page=page,
        page_prefix=f"?{urlencode(query)}&" if query else "?",
        filters=filters,
        filter_year=year,
        form=form,
        is_territory=unit.kind == UnitKind.COMMUNE,
        flags_form=FlagsForm(),
        void_form=VoidForm(),
    )
    return render(request, "records/incident_list.html", context)


def _incident(request: HttpRequest, code: str, pk: int) -> Incident:
    unit = unit_for(request, code, _int(request.GET.get("year")))
    return get_object_or_404(
        Incident.objects.visible_to(request.user)
        .filter(unit__path__startswith=unit.path)
        .select_related("unit"),
        pk=pk,
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 2000 <= int(value) <= 2100 else None


def _list_url(code: str, request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return reverse("records:incident-list", args=[code]) + (f"?{query}" if query else "")


@login_required
@require_POST
def incident_void(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    incident = _incident(request, code, pk)
    _require(request, Action.RECORD_EVIDENCE, incident.unit)
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Phải ghi lý do hủy vụ việc."))
        services.void_incident(
            actor=request.user, incident=incident, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã hủy vụ việc; vụ việc không còn được tính khi đánh giá."))
    return redirect(_list_url(code, request))


@login_required
@require_POST
def incident_flags(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    incident = _incident(request, code, pk)
    _require(request, Action.RECORD_EVIDENCE, incident.unit)
    form = FlagsForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(str(m) for ms in form.errors.values() for m in ms))
        services.update_incident_flags(actor=request.user, incident=incident, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật việc xác định bất khả kháng, xử lý kịp thời."))
    return redirect(_list_url(code, request))


# --- yearly facts --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def facts_edit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit = unit_for(request, code, year)
    _year(unit, year)
    cset = registry().for_year(unit.kind, year)
    catalogue = registry().facts
    shown = [(catalogue[name], codes) for name, codes in facts_read(cset, unit.kind).items()]
    stored = (
        YearFacts.objects.visible_to(request.user)
        .filter(unit=unit, year=year)
        .select_related("updated_by")
        .first()
    )
    data = stored.data if stored is not None else {}
    form = FactsForm(initial=FactsForm.initial_from(data, shown), facts=shown)
    if request.method == "POST":
        _require(request, Action.RECORD_EVIDENCE, unit)
        form = FactsForm(request.POST, facts=shown)
        if form.is_valid():
            try:
                services.set_year_facts(
                    actor=request.user, unit=unit, year=year, values=form.values()
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu số liệu năm %(year)s.") % {"year": year})
                return redirect("records:facts-edit", code=unit.code, year=year)
    context = _context(request, unit, year, "facts")
    context.update(
        form=form,
        stored=stored,
        cset=cset,
        window=cset.window(unit.kind, year),
        shown=[(fact.label, codes, fact_text(fact, data.get(fact.name))) for fact, codes in shown],
    )
    return render(request, "records/facts_form.html", context)


def fact_text(fact: Fact, value: Any) -> str:
    """A stored value as a person reads it: 15/02/2025, "Có", "Hoàn thành tốt nhiệm vụ"."""
    if value is None:
        return ""
    if fact.type == "date":
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if fact.type == "bool":
        return _("Có") if value else _("Không")
    labels = dict(fact_choices(fact))
    if fact.type == "topics":
        return "; ".join(labels.get(v, v) for v in value)
    return str(labels.get(value, value))


# --- discipline ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def discipline_list(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit = unit_for(request, code, year)
    _year(unit, year)
    window = registry().for_year(unit.kind, year).window(unit.kind, year)
    form = DisciplineForm(kind=unit.kind)
    if request.method == "POST":
        _require(request, Action.RECORD_EVIDENCE, unit)
        form = DisciplineForm(request.POST, kind=unit.kind)
        if form.is_valid():
            try:
                services.record_discipline(actor=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi quyết định kỷ luật."))
                return redirect("records:discipline-list", code=unit.code, year=year)
    rows = (
        DisciplinaryAction.objects.visible_to(request.user)
        .filter(unit=unit, date__range=(window.start, window.end))
        .select_related("recorded_by")
        .order_by("-date", "-id")
    )
    context = _context(request, unit, year, "discipline")
    context.update(rows=rows, form=form, window=window, void_form=VoidForm())
    return render(request, "records/discipline_list.html", context)


@login_required
@require_POST
def discipline_void(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponse:
    unit = unit_for(request, code, year)
    action = get_object_or_404(
        DisciplinaryAction.objects.visible_to(request.user)
        .filter(unit=unit)
        .select_related("unit"),
        pk=pk,
    )
    _require(request, Action.RECORD_EVIDENCE, unit)
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Phải ghi lý do hủy quyết định kỷ luật."))
        services.void_discipline(
            actor=request.user, action=action, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã hủy quyết định kỷ luật."))
    return redirect("records:discipline-list", code=unit.code, year=year)


# --- judgements ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def judgement_list(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The history of verdicts for a unit and year, and the form the evaluation page embeds."""
    unit = unit_for(request, code, year)
    _year(unit, year)
    codes = services.judgeable_codes(unit, year)
    form = JudgementForm(initial={"criterion_code": request.GET.get("code", "")}, codes=codes)
    if request.method == "POST":
        _require(request, Action.JUDGE, unit)
        form = JudgementForm(request.POST, codes=codes)
        if form.is_valid():
            try:
                services.record_judgement(
                    actor=request.user, unit=unit, year=year, **form.cleaned_data
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã ghi nhận kết luận cho tiêu chí %(code)s.")
                    % {"code": form.cleaned_data["criterion_code"]},
                )
                return _back(request, reverse("records:judgement-list", args=[unit.code, year]))
    rows = list(
        CriterionJudgement.objects.visible_to(request.user)
        .filter(unit=unit, year=year)
        .select_related("recorded_by")
        .order_by("criterion_code", "-recorded_at", "-id")
    )
    current = {j.pk for j in services.current_judgements(unit, year).values()}
    context = _context(request, unit, year, "judgements")
    context.update(
        rows=[(j, j.pk in current) for j in rows],
        form=form,
        next=request.POST.get("next") or request.GET.get("next", ""),
    )
    return render(request, "records/judgement_list.html", context)
