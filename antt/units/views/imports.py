"""Upload a units spreadsheet, preview what it would do, then confirm.

The uploaded bytes wait between preview and confirm in ``DATA_DIR/uploads/`` under a random token
kept in the session (never in a hidden field the browser could alter); confirming re-parses the
same bytes and imports them in one transaction with ``request.user`` as the actor.

A file of more than ``ANTT_JOB_INLINE_ROWS`` rows is not checked in the request: it goes to a
background job that checks it (nothing written) and whose page offers the same confirmation,
then imports it in another job (``antt.jobs``). The user may leave and come back.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from antt.core.forms import SpreadsheetUploadForm
from antt.jobs.models import Job
from antt.jobs.services import count_rows, enqueue_job, inline_rows
from antt.units.import_service import ImportReport, can_import, import_parsed
from antt.units.imports import megabytes, parse_units_file

__all__ = ["import_units"]

SESSION_KEY = "units_import"
PREVIEW_ROWS = 500  # rows shown in the preview table; the counts cover the whole file
STALE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def _upload_path(token: str) -> Path:
    return _upload_dir() / f"units-import-{token}.bin"


def _store(data: bytes) -> str:
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STALE_SECONDS
    for old in folder.glob("units-import-*.bin"):  # previews nobody confirmed
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    _upload_path(token).write_bytes(data)
    return token


def _discard(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and _TOKEN.match(pending.get("token", "")):
        _upload_path(pending["token"]).unlink(missing_ok=True)


@login_required
@require_http_methods(["GET", "POST"])
def import_units(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied(_("Bạn không có quyền nhập danh sách đơn vị."))
    context: dict[str, Any] = {
        "form": SpreadsheetUploadForm(),
        "preview_rows": PREVIEW_ROWS,
        "max_mb": megabytes(settings.ANTT_IMPORT_MAX_BYTES),
        "inline_rows": inline_rows(),
    }
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, context)
    if request.method == "POST":
        form = SpreadsheetUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            return _preview(request, form.cleaned_data["file"], context)
    return render(request, "units/import.html", context)


def _preview(request: HttpRequest, upload: Any, context: dict[str, Any]) -> HttpResponse:
    _discard(request)
    data = upload.read()
    rows = count_rows(data)
    if rows > inline_rows():
        job = enqueue_job(
            actor=request.user,
            kind=Job.Kind.UNITS_IMPORT,
            title=_("Nhập đơn vị từ tệp “%(file)s” (%(rows)s dòng)")
            % {"file": upload.name, "rows": rows},
            params={"dry_run": True},
            input_bytes=data,
            input_name=upload.name,
        )
        return redirect("jobs:job-detail", pk=job.pk)
    report = _run(request, data, upload.name, dry_run=True)
    context.update(report=report, stage="preview")
    if report.ok and (report.created or report.updated):
        token = _store(data)
        request.session[SESSION_KEY] = {"token": token, "filename": upload.name}
        context["token"] = token
    return render(request, "units/import.html", context)


def _confirm(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    pending = request.session.get(SESSION_KEY) or {}
    token = pending.get("token", "")
    path = _upload_path(token) if _TOKEN.match(token) else None
    if token != request.POST.get("token") or path is None or not path.exists():
        context["expired"] = True
        return render(request, "units/import.html", context, status=400)
    report = _run(request, path.read_bytes(), pending["filename"], dry_run=False)
    _discard(request)  # written, or refused (the tree changed since the preview): upload again
    context.update(report=report, stage="done" if report.ok else "preview")
    return render(request, "units/import.html", context)


def _run(request: HttpRequest, data: bytes, filename: str, *, dry_run: bool) -> ImportReport:
    parsed = parse_units_file(data, filename)
    return import_parsed(actor=request.user, parsed=parsed, dry_run=dry_run)
