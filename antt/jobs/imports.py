"""The data upload page: the incident register, the yearly facts and historical results, from
CSV or XLSX. Every upload is a job, so it has a page, a history and "run again": a file of up to
``ANTT_JOB_INLINE_ROWS`` rows is checked right away in the request, a bigger one by the worker.
Checking writes nothing; the job's page then offers "Xác nhận nhập", which imports the same bytes
in another job (all rows or none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from antt.core.forms import SpreadsheetUploadForm
from antt.core.tabular import megabytes
from antt.jobs.models import Job
from antt.jobs.services import count_rows, enqueue_job, inline_rows, run_job_now

__all__ = ["import_data"]


@dataclass(frozen=True)
class Source:
    kind: str
    label: Promise
    columns: Promise
    may: Callable[[Any], bool]


def _may_record(user: Any) -> bool:
    from antt.records.import_service import can_record_somewhere

    return can_record_somewhere(user)


def _may_import_results(user: Any) -> bool:
    from antt.reports.import_results import can_import

    return can_import(user)


SOURCES = (
    Source(
        Job.Kind.INCIDENTS_IMPORT,
        gettext_lazy("Sổ vụ việc"),
        gettext_lazy(
            "unit_code (mã đơn vị), date (ngày), category (loại vụ việc); tuỳ chọn: gravity, "
            "deaths, discipline_level, description, force_majeure, handled_properly, "
            "flags_reason. Vụ việc đã có (cùng đơn vị, ngày, loại, tóm tắt) không được ghi lần nữa."
        ),
        _may_record,
    ),
    Source(
        Job.Kind.FACTS_IMPORT,
        gettext_lazy("Số liệu hằng năm"),
        gettext_lazy(
            "unit_code (mã đơn vị), year (năm) và một cột cho mỗi số liệu trong danh mục. Ô trống "
            "giữ nguyên giá trị đang có."
        ),
        _may_record,
    ),
    Source(
        Job.Kind.RESULTS_IMPORT,
        gettext_lazy("Kết quả công nhận các năm trước (từ hồ sơ giấy)"),
        gettext_lazy(
            "year (năm), unit_code (mã đơn vị), result (đạt / không đạt); tuỳ chọn: registered, "
            "decision_number, decision_date."
        ),
        _may_import_results,
    ),
)


class UploadForm(SpreadsheetUploadForm):
    field_order = ["kind", "file"]
    kind = forms.ChoiceField(label=gettext_lazy("Loại dữ liệu"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, sources: tuple[Source, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind: Any = self.fields["kind"]
        kind.choices = [(s.kind, s.label) for s in sources]
        if len(sources) == 1:
            self.initial.setdefault("kind", sources[0].kind)


@login_required
@require_http_methods(["GET", "POST"])
def import_data(request: HttpRequest) -> HttpResponse:

    sources = tuple(s for s in SOURCES if s.may(request.user))
    if not sources:
        raise PermissionDenied(
            _("Bạn không có quyền nhập dữ liệu từ tệp. Hãy liên hệ cán bộ Công an xã hoặc tỉnh.")
        )
    form = UploadForm(request.POST or None, request.FILES or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        source = next(s for s in sources if s.kind == form.cleaned_data["kind"])
        upload = form.cleaned_data["file"]
        data = upload.read()
        rows = count_rows(data)
        job = enqueue_job(
            actor=request.user,
            kind=source.kind,
            title=_("%(what)s: kiểm tra tệp “%(file)s” (%(rows)s dòng)")
            % {"what": source.label, "file": upload.name, "rows": rows},
            params={"dry_run": True},
            input_bytes=data,
            input_name=upload.name,
        )
        if rows <= inline_rows():
            run_job_now(job)
        return redirect("jobs:job-detail", pk=job.pk)
    return render(
        request,
        "jobs/import.html",
        {
            "form": form,
            "sources": sources,
            "max_mb": megabytes(settings.ANTT_IMPORT_MAX_BYTES),
            "inline_rows": inline_rows(),
        },
    )
