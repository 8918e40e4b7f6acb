"""Background jobs: the list, one job's page (its progress bar refreshed by htmx every second
while it runs), the result download, running a failed job again, confirming a checked import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from antt.core.scoping import get_visible_or_404
from antt.jobs.models import Job
from antt.jobs.services import (
    can_confirm,
    confirm_import,
    enqueue_job,
    retry_job,
    stale_seconds,
)
from antt.units.models import Unit

__all__ = [
    "evaluate_scope",
    "job_confirm",
    "job_detail",
    "job_download",
    "job_list",
    "job_retry",
]

PAGE_SIZE = 50
QUEUED_TOO_LONG = 120  # seconds before a queued job's page says the worker may be down
SCOPE_KINDS = frozenset({"province", "district", "commune"})


def _job(request: HttpRequest, pk: int) -> Job:
    return get_visible_or_404(Job.objects.select_related("owner", "unit"), request.user, pk=pk)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.visible_to(request.user).select_related("owner", "unit")
    mine = request.GET.get("mine") == "1"
    if mine:
        jobs = jobs.filter(owner=request.user)  # type: ignore[misc]
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page, "mine": mine})


def _context(request: HttpRequest, job: Job, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    quiet = (
        job.status == Job.Status.RUNNING
        and job.heartbeat_at is not None
        and (now - job.heartbeat_at).total_seconds() > stale_seconds()
    )
    waiting_long = (
        job.status == Job.Status.QUEUED
        and (now - job.created_at).total_seconds() > QUEUED_TOO_LONG
    )
    summary = job.summary if isinstance(job.summary, dict) else {}
    return {
        "job": job,
        "summary": summary,
        "is_import": "errors" in summary,
        "can_confirm": can_confirm(job, request.user),
        "can_retry": job.status == Job.Status.FAILED,
        "has_file": job.status == Job.Status.DONE and bool(job.result_name),
        "quiet": quiet,
        "waiting_long": waiting_long,
        "error": "",
        **extra,
    }


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    htmx = getattr(request, "htmx", False)
    template = "jobs/_job_status.html" if htmx else "jobs/job_detail.html"
    return render(request, template, _context(request, job))


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    path = job.result_path
    if job.status != Job.Status.DONE or path is None or not path.exists():
        raise Http404(_("Công việc này không có tệp kết quả để tải về."))
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)


def _refused(request: HttpRequest, job: Job, exc: Exception) -> HttpResponse:
    """The job's page again, with why the action was refused (403 may not, 409 cannot now)."""
    if isinstance(exc, ValidationError):
        message, status = "; ".join(exc.messages), 409
    else:
        message, status = str(exc), 403
    return render(
        request, "jobs/job_detail.html", _context(request, job, error=message), status=status
    )


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        new = retry_job(job=job, actor=request.user)
    except ValidationError as exc:
        return _refused(request, job, exc)
    return redirect("jobs:job-detail", pk=new.pk)


@login_required
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        new = confirm_import(job=job, actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        return _refused(request, job, exc)
    return redirect("jobs:job-detail", pk=new.pk)


@login_required
@require_POST
def evaluate_scope(request: HttpRequest, code: str) -> HttpResponse:
    """Evaluate every unit under a province, district or commune, as a job (read only)."""
    from antt.recognition.api import FIRST_YEAR, unit_for_year

    this_year = timezone.localdate().year
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    units = Unit.objects.visible_to(request.user)
    unit = unit_for_year(units, code, year) if FIRST_YEAR <= year <= this_year else None
    if unit is None and not units.filter(code=code).exists():
        raise Http404(_("Không tìm thấy đơn vị trong phạm vi quản lý của bạn."))
    if unit is None:
        messages.error(
            request,
            _("Năm đánh giá phải từ %(first)s đến %(last)s và đơn vị phải có hiệu lực trong năm "
              "đó. Hãy chọn lại năm.")
            % {"first": FIRST_YEAR, "last": this_year},
        )
        return redirect("units:unit-detail", code=code)
    if unit.kind not in SCOPE_KINDS:
        raise Http404
    job = enqueue_job(
        actor=request.user,
        kind=Job.Kind.EVALUATE_SCOPE,
        title=_("Đánh giá năm %(year)s — mọi đơn vị của %(name)s")
        % {"year": year, "name": unit.name},
        unit=unit,
        params={"year": year},
    )
    return redirect("jobs:job-detail", pk=job.pk)
