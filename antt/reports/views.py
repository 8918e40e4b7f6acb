"""The reports page: one year for one scope (per kind, per child with drill-down, the units of a
commune with what failed), the trend over several years with its legal basis and warnings,
charts when the chart module is installed, and downloads through the exporters.

The scope is looked up in ``Unit.objects.visible_to(request.user)`` (``api.visible_scope``'s
rule): a scope outside the user's jurisdiction is 404. Without ``?scope=`` the page opens on the
user's top unit (the whole country for nationwide users).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from antt.core.cache import cached
from antt.jobs.models import Job
from antt.jobs.services import enqueue_job
from antt.reports import statistics
from antt.reports.review import YearsError, default_years, parse_years, review
from antt.reports.statistics import FILE_FORMATS, GEOGRAPHIES, NATIONAL_CODE, Scope
from antt.units.models import Unit

__all__ = ["download", "report_page"]

log = logging.getLogger(__name__)

FIRST_YEAR = 2012
CHILD_KINDS = ("residential_area", "commune", "organization")
# Downloads for these scopes are built by a background job (antt.jobs): the whole country or a
# province means tens of thousands of registrations; a commune's file is built in the request.
BACKGROUND_LEVELS = frozenset({"national", "province"})


def _default_year() -> int:
    """The last year whose decisions are due (15/11): the current one from November."""
    today = timezone.localdate()
    return today.year if today.month >= 11 else today.year - 1


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _top_code(user: Any) -> str | None:
    """The user's widest unit: the country for nationwide users, else the shallowest grant."""
    if user.jurisdiction_paths() is None:
        return NATIONAL_CODE
    top = (
        Unit.objects.visible_to(user)
        .filter(path__in=[g.path for g in user.grants()])
        .order_by("depth", "code")
        .first()
    )
    return top.code if top is not None else None


class _Params:
    """What the page was asked for, read leniently (a bad year falls back to the default)."""

    def __init__(self, request: HttpRequest) -> None:
        get = request.GET
        self.last = timezone.localdate().year
        year = _int(get.get("year"), _default_year())
        self.year = min(max(year, FIRST_YEAR), self.last)
        self.code = (get.get("scope") or "").strip()
        geo = get.get("geo") or "auto"
        self.geo = geo if geo in GEOGRAPHIES else "auto"
        self.years_text = (get.get("years") or "").strip()
        self.years_error = ""
        try:
            self.years = (
                parse_years(self.years_text, FIRST_YEAR, self.last)
                if self.years_text
                else default_years(self.year)
            )
        except YearsError as exc:
            self.years_error = str(exc)
            self.years = default_years(self.year)
        self.years = [y for y in self.years if y >= FIRST_YEAR]
        if not self.years_text:
            self.years_text = f"{self.years[0]}-{self.years[-1]}"

    def query(self, **override: Any) -> str:
        values = {
            "year": self.year,
            "scope": self.code,
            "geo": self.geo,
            "years": self.years_text,
            **override,
        }
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _scope(request: HttpRequest, params: _Params) -> Scope:
    user: Any = request.user
    scope = statistics.find_scope(
        params.code,
        params.year,
        units=Unit.objects.visible_to(user),
        nationwide=user.jurisdiction_paths() is None,
        geography=params.geo,
    )
    if scope is None:
        raise Http404(_("Không tìm thấy đơn vị trong phạm vi quản lý của bạn."))
    return scope


def _breadcrumb(request: HttpRequest, scope: Scope, params: _Params) -> list[dict[str, Any]]:
    user: Any = request.user
    crumbs: list[dict[str, Any]] = []
    if user.jurisdiction_paths() is None:
        crumbs.append({"name": _("Toàn quốc"), "query": params.query(scope=NATIONAL_CODE)})
    if scope.unit is None:
        return crumbs
    ids = [int(p) for p in scope.unit.path.strip("/").split("/")]
    for unit in Unit.objects.visible_to(user).filter(pk__in=ids).order_by("depth"):
        crumbs.append(
            {
                "name": unit.name,
                "query": params.query(scope=unit.code, geo=scope.geography),
                "current": unit.pk == scope.unit.pk,
            }
        )
    return crumbs


def _pick(rows: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    by_kind = {r["kind"]: r for r in rows}
    return [by_kind[k] for k in kinds if k in by_kind]


def _figures(scope: Scope, params: _Params) -> tuple[dict[str, Any], SafeString]:
    """The year's basis (for the heading) and the page's tables, charts and notes, rendered.

    Built once per data version (antt.core.cache): national and provincial figures aggregate
    hundreds of thousands of rows, and their tables hold a few hundred formatted numbers. They
    depend on the scope and the parameters, not on who asks (the scope was looked up in the
    user's jurisdiction already), so the fragment is rendered without the request: no CSRF
    token, nothing of the session. The day is part of the key (the children are taken on it),
    the language too (labels and notes)."""
    parts = (
        "report",
        scope.unit.pk if scope.unit is not None else None,
        scope.geography,
        params.year,
        tuple(params.years),
        params.query(),
        timezone.localdate().isoformat(),
        get_language(),
    )

    def compute() -> tuple[dict[str, Any], str]:
        data = statistics.summary(scope, params.year)
        trend = review(scope, params.years)
        head = {"legal_basis": data["legal_basis"], "criteria_set": data["criteria_set"]}
        return head, render_to_string("reports/_figures.html", _context(scope, params, data, trend))

    head, html = cached(parts, compute)
    return head, mark_safe(html)  # noqa: S308 (our own template, rendered above)


def _context(
    scope: Scope, params: _Params, data: dict[str, Any], trend: dict[str, Any]
) -> dict[str, Any]:
    return {
        "params": params,
        "scope": scope,
        "data": data,
        "trend": trend,
        "rows": data["rows"],
        "child_kinds": CHILD_KINDS,
        "failed_column": scope.level in ("province", "district"),
        "children": [
            {
                **child,
                "main_rows": _pick(child["rows"], CHILD_KINDS),
                "query": params.query(scope=child["code"], geo=child["geography"]),
            }
            for child in data["children"]
        ],
        "trend_rows": [
            {
                **item,
                "main_rows": _pick(item["rows"], CHILD_KINDS),
                "query": params.query(year=item["year"]),
            }
            for item in trend["series"]
        ],
        "kind_labels": [statistics.kind_label(k, params.year) for k in CHILD_KINDS],
        "trend_labels": [statistics.ROW_LABELS[k] for k in CHILD_KINDS],
        "charts": _charts(data, trend),
    }


def _charts(data: dict[str, Any], trend: dict[str, Any]) -> dict[str, SafeString]:
    """The chart module's SVG when it is installed; nothing (and no error) when it is not."""
    try:
        from antt.reports import charts
    except ImportError:
        return {}
    out: dict[str, SafeString] = {}
    children = [c for c in data["children"] if c["code"] is not None]
    area = "residential_area"

    def area_row(child: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in child["rows"] if r["kind"] == area)

    # The SVG is built by our own module with ElementTree, which escapes every name and label.
    try:
        if children:
            rows = [area_row(c) for c in children]
            out["bar"] = mark_safe(  # noqa: S308
                charts.bar_chart_svg(
                    [c["name"] for c in children],
                    [r["rate"] for r in rows],
                    _("Tỷ lệ khu dân cư đạt tiêu chuẩn năm %(year)s") % {"year": data["year"]},
                    annotations=[f"{r['met']}/{r['registered']}" for r in rows],
                )
            )
        located = [c for c in children if c["latitude"] is not None and c["longitude"] is not None]
        if located:
            points = []
            for c in located:
                commune = next(r for r in c["rows"] if r["kind"] == "commune")
                point = {k: c[k] for k in ("code", "name", "latitude", "longitude")}
                if commune["registered"] == 1 and commune["pending"] == 0:
                    point["result"] = "met" if commune["met"] else "not_met"
                else:
                    point["rate"] = area_row(c)["rate"]
                points.append(point)
            out["map"] = mark_safe(  # noqa: S308
                charts.commune_map_svg(
                    points, _("Kết quả năm %(year)s theo đơn vị") % {"year": data["year"]}
                )
            )
        if len(trend["series"]) > 1:
            series = {
                statistics.ROW_LABELS[kind]: [
                    next(r["rate"] for r in item["rows"] if r["kind"] == kind)
                    for item in trend["series"]
                ]
                for kind in CHILD_KINDS
            }
            out["line"] = mark_safe(  # noqa: S308
                charts.line_chart_svg(trend["years"], series, _("Tỷ lệ đạt tiêu chuẩn qua các năm"))
            )
    except Exception:  # a chart must never take the figures down with it
        log.exception("report chart failed")
    return out


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    params = _Params(request)
    if not params.code:
        top = _top_code(request.user)
        if top is None:
            return render(request, "reports/report.html", {"params": params, "no_scope": True})
        params.code = top
    scope = _scope(request, params)
    data, figures = _figures(scope, params)
    available = statistics.exports_available()
    context = {
        "params": params,
        "scope": scope,
        "data": data,
        "figures": figures,
        "breadcrumb": _breadcrumb(request, scope, params),
        "year_choices": list(range(params.last, FIRST_YEAR - 1, -1)),
        "geographies": GEOGRAPHIES,
        "downloads": [
            {
                "report": report,
                "format": fmt,
                "url": reverse("reports:report-download")
                + "?"
                + params.query(report=report, format=fmt, scope=scope.code),
                "background": scope.level in BACKGROUND_LEVELS,
            }
            for report in ("summary", "review")
            for fmt in FILE_FORMATS
            if f"{report}_{fmt}" in available
        ],
    }
    return render(request, "reports/report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def download(request: HttpRequest) -> HttpResponse:
    """A commune's (or smaller) file, built now; a province's or the country's, built by a job:
    the page's button posts here and lands on the job's page (a plain link is sent back to the
    report page with a word on why, so that no file is ever built twice by accident)."""
    params = _Params(request)
    report = request.GET.get("report", "summary")
    fmt = request.GET.get("format", "")
    if report not in ("summary", "review") or fmt not in FILE_FORMATS:
        raise Http404
    if not params.code:
        params.code = _top_code(request.user) or ""
    if report != "summary":
        params.year = params.years[-1]
    scope = _scope(request, params)
    if scope.level in BACKGROUND_LEVELS:
        if request.method == "POST":
            return _enqueue_download(request, params, scope, report, fmt)
        messages.info(
            request,
            _(
                "Tệp báo cáo cấp tỉnh và toàn quốc được tạo ở chế độ chạy nền: bấm nút tải về "
                "dưới đây, rồi tải tệp ở trang công việc khi thanh tiến độ đầy."
            ),
        )
        return redirect(reverse("reports:report-summary") + "?" + params.query())
    data = (
        statistics.summary(scope, params.year)
        if report == "summary"
        else review(scope, params.years)
    )
    try:
        content = statistics.export(report, fmt, data)
    except statistics.ExportUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(reverse("reports:report-summary") + "?" + params.query())
    response = HttpResponse(content, content_type=FILE_FORMATS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{statistics.file_name(report, data, fmt)}"'
    )
    return response


def _enqueue_download(
    request: HttpRequest, params: _Params, scope: Scope, report: str, fmt: str
) -> HttpResponse:
    if report == "summary":
        title = _("Báo cáo năm %(year)s — %(scope)s (%(format)s)") % {
            "year": params.year,
            "scope": scope.name,
            "format": fmt.upper(),
        }
    else:
        title = _("Báo cáo nhiều năm %(first)s–%(last)s — %(scope)s (%(format)s)") % {
            "first": params.years[0],
            "last": params.years[-1],
            "scope": scope.name,
            "format": fmt.upper(),
        }
    job = enqueue_job(
        actor=request.user,
        kind=Job.Kind.REPORT_EXPORT,
        title=title,
        unit=scope.unit,
        params={
            "report": report,
            "format": fmt,
            "scope": scope.code,
            "year": params.year,
            "years": params.years,
            "geo": scope.geography,
        },
    )
    return redirect("jobs:job-detail", pk=job.pk)
