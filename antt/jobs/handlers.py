"""What each kind of job does. A handler reads the job's parameters (and its uploaded file), calls
the same services as the pages and the CLI, as the job's owner, and reports its steps.

Each write goes through a service that is atomic on its own: an import is one transaction (all
rows or none), issuing certificates is one transaction (numbers, states, audit) followed by one for
the PDFs. ``JobContext.step`` is only called between those transactions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.jobs.models import Job
from antt.jobs.services import JobContext, JobFailed
from antt.units.models import Unit

__all__ = ["HANDLERS", "import_summary"]

ERRORS_KEPT = 500  # row errors kept on the job for its page; the count says how many there were


class _Report(Protocol):
    filename: str
    created: int
    updated: int
    unchanged: int
    written: bool
    errors: Any
    warnings: Any


def import_summary(report: _Report, *, dry_run: bool) -> dict[str, Any]:
    """An import report as plain data: shown by the job page and by the inline pages alike."""
    errors = [str(e) for e in report.errors]
    return {
        "filename": report.filename,
        "dry_run": dry_run,
        "written": bool(report.written),
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "error_count": len(errors),
        "errors": errors[:ERRORS_KEPT],
        "warnings": [str(w) for w in report.warnings],
    }


def _run_import(
    ctx: JobContext,
    parse: Callable[[bytes, str], Any],
    run: Callable[..., _Report],
) -> None:
    job = ctx.job
    dry_run = bool(job.params.get("dry_run"))
    ctx.step(0, 3, _("Đang đọc tệp “%(file)s”.") % {"file": job.input_name})
    parsed = parse(ctx.read_input(), job.input_name)
    # A units file is read row by row, never held as a list of rows.
    rows = parsed.row_count if hasattr(parsed, "row_count") else len(parsed.rows)
    message = (
        _("Đang kiểm tra %(rows)s dòng (chưa ghi gì).")
        if dry_run
        else _("Đang kiểm tra và ghi %(rows)s dòng (một lần, tất cả hoặc không dòng nào).")
    )
    ctx.step(1, 3, message % {"rows": rows})
    report = run(actor=ctx.actor, parsed=parsed, dry_run=dry_run)
    ctx.summary = import_summary(report, dry_run=dry_run)
    ctx.summary["rows"] = rows
    if report.errors:
        raise JobFailed(
            _(
                "Không nhập được “%(file)s”: %(count)s lỗi. Chưa ghi gì vào cơ sở dữ liệu. "
                "Hãy sửa các dòng được liệt kê dưới đây rồi tải tệp lên lại."
            )
            % {"file": job.input_name, "count": len(report.errors)},
            ctx.summary,
        )
    ctx.step(3, 3)


def units_import(ctx: JobContext) -> None:
    from antt.units.import_service import import_parsed
    from antt.units.imports import parse_units_file

    _run_import(ctx, parse_units_file, import_parsed)
    ctx.link(reverse("units:unit-list"))


def incidents_import(ctx: JobContext) -> None:
    from antt.records.import_service import import_incidents
    from antt.records.imports import parse_incidents_file

    _run_import(ctx, parse_incidents_file, import_incidents)


def facts_import(ctx: JobContext) -> None:
    from antt.records.import_service import import_facts
    from antt.records.imports import parse_facts_file

    today = timezone.localdate()
    _run_import(
        ctx,
        lambda data, name: parse_facts_file(data, name, today=today),
        lambda **kw: import_facts(**kw, today=today),
    )


def results_import(ctx: JobContext) -> None:
    from antt.reports.import_results import import_results, parse_results_file

    _run_import(ctx, parse_results_file, import_results)
    ctx.link(reverse("reports:report-summary"))


def _visible_unit(ctx: JobContext) -> Unit:
    job = ctx.job
    unit = (
        Unit.objects.visible_to(ctx.actor).filter(pk=job.unit_id).first()
        if job.unit_id is not None
        else None
    )
    if unit is None:
        raise JobFailed(_("Không tìm thấy đơn vị trong phạm vi quản lý của bạn."))
    return unit


def evaluate_scope(ctx: JobContext) -> None:
    from antt.jobs.exports import evaluation_xlsx
    from antt.recognition.api import scope_dict
    from antt.recognition.evaluation import _units_under, evaluate_units

    root = _visible_unit(ctx)
    year = int(ctx.job.params["year"])
    ctx.step(0, 0, _("Đang tìm các đơn vị cần đánh giá."))
    units = _units_under(root, year)
    eligible = sum(1 for u in units if u.eligibility.eligible)
    progress = ctx.counter(
        eligible, _("Đang đánh giá %(n)s đơn vị (chỉ đọc, không ghi gì).") % {"n": eligible}
    )
    result = evaluate_units(units, year, root.path, progress, explain=False)  # verdicts only
    data = scope_dict(root, result)
    ctx.summary = {"scope": data["scope"], "year": year, "summary": data["summary"]}
    ctx.attach(f"danh-gia-antt-{root.code}-{year}.xlsx", evaluation_xlsx(data))


def issue_certificates(ctx: JobContext) -> None:
    from antt.recognition import services
    from antt.recognition.models import Decision
    from antt.recognition.views_cycle.common import optional

    params = ctx.job.params
    decision = Decision.objects.visible_to(ctx.actor).filter(pk=params["decision"]).first()
    if decision is None:
        raise JobFailed(_("Không tìm thấy quyết định trong phạm vi quản lý của bạn."))
    issued_on = dt.date.fromisoformat(params["issued_on"])
    render = optional("documents", "issue_certificates_with_documents")
    ctx.step(0, 2, _("Đang cấp số giấy công nhận."))
    issued = services.issue_certificates(actor=ctx.actor, decision=decision, issued_on=issued_on)
    ctx.summary = {"issued": len(issued), "decision": decision.number}
    if render is not None:
        ctx.step(1, 2, _("Đã cấp %(n)s giấy; đang in giấy công nhận (PDF).") % {"n": len(issued)})
        # Issues nothing more; renders every valid certificate of the decision that has no PDF.
        render(actor=ctx.actor, decision=decision, issued_on=issued_on)
    ctx.step(2, 2)
    ctx.link(reverse("cycle:decision-detail", args=[decision.pk]))


def report_export(ctx: JobContext) -> None:
    from antt.reports import statistics
    from antt.reports.review import review

    params = ctx.job.params
    actor: Any = ctx.actor
    report, fmt, year = params["report"], params["format"], int(params["year"])
    scope = statistics.find_scope(
        params["scope"],
        year,
        units=Unit.objects.visible_to(actor),
        nationwide=actor.jurisdiction_paths() is None,
        geography=params.get("geo", "auto"),
    )
    if scope is None:
        raise JobFailed(_("Không tìm thấy đơn vị trong phạm vi quản lý của bạn."))
    ctx.step(0, 2, _("Đang tổng hợp số liệu."))
    data = (
        statistics.summary(scope, year)
        if report == "summary"
        else review(scope, [int(y) for y in params["years"]])
    )
    ctx.step(1, 2, _("Đang tạo tệp %(format)s.") % {"format": fmt.upper()})
    try:
        content = statistics.export(report, fmt, data)
    except statistics.ExportUnavailable as exc:
        raise JobFailed(str(exc)) from exc
    ctx.attach(statistics.file_name(report, data, fmt), content)
    ctx.step(2, 2)


HANDLERS: dict[str, Callable[[JobContext], None]] = {
    Job.Kind.UNITS_IMPORT: units_import,
    Job.Kind.INCIDENTS_IMPORT: incidents_import,
    Job.Kind.FACTS_IMPORT: facts_import,
    Job.Kind.RESULTS_IMPORT: results_import,
    Job.Kind.EVALUATE_SCOPE: evaluate_scope,
    Job.Kind.ISSUE_CERTIFICATES: issue_certificates,
    Job.Kind.REPORT_EXPORT: report_export,
}
