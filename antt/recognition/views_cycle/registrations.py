"""The registrations of a year: the list with its filters, registering one unit, and registering
every residential area and organisation of a commune at once (after a confirmation step)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from antt.core.scoping import get_visible_or_404
from antt.core.text import fold
from antt.recognition import services, workflow, worklist
from antt.recognition.api import last_year
from antt.recognition.evaluation import is_commune_subunit, reference_day
from antt.recognition.forms_cycle import (
    BulkRegisterForm,
    RegisterUnitForm,
    RegistrationFilter,
    attach_errors,
)
from antt.recognition.models import Registration
from antt.recognition.views_cycle.common import (
    PAGE_SIZE,
    check_year,
    commune_options,
    explain,
    page_query,
    status_of,
    today,
    year_choices,
)
from antt.units.models import Unit, UnitKind

__all__ = ["cycle_home", "registration_bulk", "registration_create", "registration_list"]

RESULTS_TARGET = "results"


@login_required
def cycle_home(request: HttpRequest) -> HttpResponse:
    return redirect("cycle:registration-list", year=last_year())


def _may_register(user: Any, path: str) -> bool:
    return bool(user.is_superuser or workflow.can_register(user.grants(), path))


def _bulk_communes(request: HttpRequest, year: int) -> list[tuple[int, str]] | None:
    """Communes whose units the user may register in one action (None: too many to list)."""
    user: Any = request.user
    if not (user.is_superuser or any(g.role in workflow.REGISTER_ROLES for g in user.grants())):
        return []
    rows = list(
        Unit.objects.visible_to(user)
        .filter(kind=UnitKind.COMMUNE)
        .valid_on(reference_day(year))
        .order_by("name", "code")
        .values_list("pk", "name", "code", "path")[:501]
    )
    if len(rows) > 500:
        return None
    return [(pk, f"{name} ({code})") for pk, name, code, path in rows if _may_register(user, path)]


def _resolve_commune(request: HttpRequest, year: int, data: dict[str, Any]) -> int | None:
    """The commune filter: a pk from the select, or a code typed in."""
    if data.get("commune"):
        return int(data["commune"])
    code = (data.get("commune_code") or "").strip()
    if not code:
        return None
    found = (
        Unit.objects.visible_to(request.user)
        .filter(kind=UnitKind.COMMUNE)
        .at_code(code, reference_day(year))
        .values_list("pk", flat=True)
        .first()
    )
    return found if found is not None else -1


def _filtered(request: HttpRequest, year: int, form: RegistrationFilter) -> Any:
    qs = worklist.registrations(request.user, year)
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    if data["state"]:
        qs = qs.filter(state=data["state"])
    if data["kind"]:
        qs = qs.filter(unit_kind=data["kind"])
    commune = _resolve_commune(request, year, data)
    if commune is not None:
        qs = qs.filter(commune_id=commune)
    if data["province"]:
        qs = qs.filter(province_id=data["province"])
    if data["late"]:
        deadlines = worklist.Deadlines(year, today())
        qs = qs.filter(deadlines.late_q() | deadlines.overdue_q())
    task = worklist.TASKS_BY_KEY.get(data["todo"] or "")
    if task is not None:
        qs = qs.filter(worklist.task_q(request.user, task))
    for word in fold(data["q"] or "").split():
        qs = qs.filter(Q(unit__name_folded__contains=word) | Q(unit__code__iexact=word))
    return qs


def _list_context(
    request: HttpRequest, year: int, register_form: RegisterUnitForm | None = None
) -> dict[str, Any]:
    form = RegistrationFilter(request.GET)
    qs = (
        _filtered(request, year, form)
        .select_related("unit", "commune", "authority")
        .order_by("commune__name", "unit_kind", "unit__code", "pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = today()
    rows = [worklist.line(reg, now) for reg in page]
    todo = (
        worklist.TASKS_BY_KEY.get(form.cleaned_data.get("todo") or "") if form.is_valid() else None
    )
    user: Any = request.user
    may_register = bool(
        user.is_superuser or any(g.role in workflow.REGISTER_ROLES for g in user.grants())
    )
    return {
        "year": year,
        "years": year_choices(),
        "form": form,
        "communes": commune_options(request, year),
        "page": page,
        "rows": rows,
        "page_query": page_query(request),
        "todo": todo,
        "today": now,
        "may_register": may_register,
        "is_decider": bool(
            user.is_superuser
            or any(g.role in workflow.ROLES_FOR_SIDE[workflow.Side.DECIDER] for g in user.grants())
        ),
        "register_form": register_form or RegisterUnitForm(),
        "bulk_communes": _bulk_communes(request, year) if may_register else [],
        "bulk_form": BulkRegisterForm(),
    }


@login_required
def registration_list(request: HttpRequest, year: int) -> HttpResponse:
    check_year(year)
    if "year" in request.GET and request.GET["year"].isdigit():  # the year selector, no JS
        chosen = int(request.GET["year"])
        if chosen != year:
            params = request.GET.copy()
            params.pop("year")
            params.pop("page", None)
            url = reverse("cycle:registration-list", args=[chosen])
            return redirect(f"{url}?{params.urlencode()}" if params else url)
    context = _list_context(request, year)
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == RESULTS_TARGET and not htmx.history_restore_request:
        response = render(request, "recognition/cycle/_registration_results.html", context)
    else:
        response = render(request, "recognition/cycle/registration_list.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
@require_POST
def registration_create(request: HttpRequest, year: int) -> HttpResponse:
    check_year(year)
    form = RegisterUnitForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        unit = (
            Unit.objects.visible_to(request.user)
            .at_code(data["code"].strip(), reference_day(year))
            .first()
        )
        if unit is None:
            form.add_error(
                "code",
                _("Không tìm thấy đơn vị có mã này trong phạm vi của bạn (năm %(year)s).")
                % {"year": year},
            )
        elif not _may_register(request.user, unit.path):
            status = 403
            form.add_error(
                None, _("Bạn không có quyền đăng ký cho %(unit)s.") % {"unit": unit.name}
            )
        else:
            try:
                reg = services.register_unit(
                    actor=request.user,
                    unit=unit,
                    year=year,
                    registered_on=data["registered_on"],
                    households_registered=data["households_registered"],
                )
            except (ValidationError, PermissionDenied) as exc:
                status = status_of(exc)
                form.add_error(None, explain(exc))
            else:
                messages.success(
                    request,
                    _("Đã đăng ký %(unit)s năm %(year)s.") % {"unit": unit.name, "year": year},
                )
                return redirect("cycle:registration-detail", pk=reg.pk)
    context = _list_context(request, year, register_form=form)
    context["open_register"] = True
    return render(request, "recognition/cycle/registration_list.html", context, status=status)


def _bulk_plan(request: HttpRequest, commune: Unit, year: int) -> dict[str, list[Any]]:
    """What ``services.register_units`` would do, for the confirmation page."""
    children = list(
        Unit.objects.visible_to(request.user)
        .filter(parent=commune)
        .valid_on(reference_day(year))
        .order_by("kind", "code")
    )
    done = set(
        Registration.objects.visible_to(request.user)
        .filter(year=year, unit__in=children)
        .values_list("unit_id", flat=True)
    )
    plan: dict[str, list[Any]] = {"new": [], "done": [], "ineligible": [], "elsewhere": []}
    for unit in children:
        if not is_commune_subunit(unit):
            plan["elsewhere"].append(unit)
        elif not unit.eligibility.eligible:
            plan["ineligible"].append(unit)
        elif unit.pk in done:
            plan["done"].append(unit)
        else:
            plan["new"].append(unit)
    return plan


@login_required
def registration_bulk(request: HttpRequest, year: int) -> HttpResponse:
    """GET: what would be registered; POST: register them (services.register_units)."""
    check_year(year)
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("commune", "")
    if raw.isdigit():
        commune = get_visible_or_404(
            Unit.objects.filter(kind=UnitKind.COMMUNE), request.user, pk=int(raw)
        )
    else:
        commune = get_visible_or_404(
            Unit.objects.filter(kind=UnitKind.COMMUNE).valid_on(reference_day(year)),
            request.user,
            code=source.get("commune_code", "").strip(),
        )
    allowed = _may_register(request.user, commune.path)
    form = BulkRegisterForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        if not allowed:
            error, status = (
                _("Bạn không có quyền đăng ký cho %(unit)s.") % {"unit": commune.name},
                403,
            )
        elif form.is_valid():
            try:
                new = services.register_units(
                    actor=request.user,
                    commune=commune,
                    year=year,
                    registered_on=form.cleaned_data["registered_on"],
                )
            except (ValidationError, PermissionDenied) as exc:
                error, status = explain(exc), status_of(exc)
                if isinstance(exc, ValidationError):
                    attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã đăng ký %(n)s đơn vị của %(commune)s năm %(year)s.")
                    % {"n": len(new), "commune": commune.name, "year": year},
                )
                url = reverse("cycle:registration-list", args=[year])
                return redirect(f"{url}?{urlencode({'commune': commune.pk})}")
    context = {
        "year": year,
        "commune": commune,
        "plan": _bulk_plan(request, commune, year),
        "allowed": allowed,
        "form": form,
        "error": error,
    }
    return render(request, "recognition/cycle/registration_bulk.html", context, status=status)
