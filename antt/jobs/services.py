"""Enqueue, claim, run and recover jobs.

- ``enqueue_job`` stores the row (and the uploaded bytes next to it) in one transaction, audited.
- ``claim_next_job`` hands the oldest queued job to exactly one worker: on PostgreSQL with
  ``SELECT … FOR UPDATE SKIP LOCKED`` (workers never wait on each other), elsewhere (SQLite) with
  a conditional ``UPDATE … WHERE status = 'queued'`` that only one worker can win.
- ``run_job`` calls the kind's handler (``antt.jobs.handlers``). The handler's own work goes
  through the apps' services, each atomic (all or nothing); progress is written between those
  transactions by ``JobContext.step``, as plain autocommit updates of the job row, at most a few
  times a second.
- ``fail_stale_jobs`` turns a running job whose worker died (its process is gone, or it has sent
  no heartbeat for ``ANTT_JOB_STALE_SECONDS``) into a failed one that the user can run again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.core import audit
from antt.core.tabular import TabularError, is_blank, open_sheet
from antt.jobs.models import Job
from antt.units.models import Unit

__all__ = [
    "JobContext",
    "JobFailed",
    "can_confirm",
    "claim_next_job",
    "confirm_import",
    "count_rows",
    "enqueue_job",
    "fail_stale_jobs",
    "inline_certificates",
    "inline_rows",
    "retry_job",
    "run_job",
    "run_job_now",
    "run_pending_jobs",
    "worker_name",
]

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between two progress writes (the page polls every second)


def inline_rows() -> int:
    """Imports with more rows than this run as a job; smaller ones run in the request."""
    return int(getattr(settings, "ANTT_JOB_INLINE_ROWS", 2000))


def inline_certificates() -> int:
    """Decisions with more certificates to issue than this are issued by a job."""
    return int(getattr(settings, "ANTT_JOB_INLINE_CERTIFICATES", 50))


def count_rows(data: bytes) -> int:
    """The data rows of a CSV/XLSX file, read without checking them (a tenth of a full parse):
    how the pages decide between the request and a job. A file that cannot even be opened
    counts 0, so that the request's own parse says why at once."""
    try:
        sheet = open_sheet(data)
        return max(0, sum(1 for _n, values in sheet.rows if not is_blank(values)) - 1)
    except TabularError:
        return 0


def stale_seconds() -> int:
    return int(getattr(settings, "ANTT_JOB_STALE_SECONDS", 600))


class JobFailed(Exception):
    """The job cannot be done as asked (bad rows, no permission): said to the user, not logged."""

    def __init__(self, message: str, summary: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.summary = summary


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@transaction.atomic
def enqueue_job(
    *,
    actor: Any,
    kind: str,
    title: str,
    unit: Unit | None = None,
    params: dict[str, Any] | None = None,
    input_bytes: bytes | None = None,
    input_name: str = "",
    retry_of: Job | None = None,
) -> Job:
    if kind not in Job.Kind.values:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(
        kind=kind,
        title=title[:255],
        owner=actor,
        unit=unit,
        unit_path=unit.path if unit is not None else "",
        params=params or {},
        input_name=input_name[:255],
        message=_("Đang chờ đến lượt xử lý."),
        retry_of=retry_of,
    )
    audit.record(
        actor=actor,
        verb="job.retry" if retry_of is not None else "job.enqueue",
        obj=job,
        unit_path=job.unit_path,
        changes={
            "kind": kind,
            "title": job.title,
            "params": job.params,
            "retry_of": retry_of.pk if retry_of is not None else None,
        },
    )
    if input_bytes is not None:  # last, so that only a failed commit can leave it behind
        job.folder.mkdir(parents=True, exist_ok=True)
        job.input_path.write_bytes(input_bytes)
    return job


def retry_job(*, job: Job, actor: Any) -> Job:
    """A failed job again, as a new job owned by ``actor`` (the failed one stays as it was)."""
    if job.status != Job.Status.FAILED:
        raise ValidationError(_("Chỉ chạy lại được công việc không thành công."))
    data = job.input_path.read_bytes() if job.input_path.exists() else None
    if job.input_name and data is None:
        raise ValidationError(
            _("Tệp đầu vào của công việc này không còn trên máy chủ. Hãy tải tệp lên lại.")
        )
    return enqueue_job(
        actor=actor,
        kind=job.kind,
        title=job.title,
        unit=job.unit,
        params=job.params,
        input_bytes=data,
        input_name=job.input_name,
        retry_of=job,
    )


def claim_next_job(worker: str | None = None) -> Job | None:
    """The oldest queued job, now running and owned by ``worker``; None when there is none."""
    worker = worker or worker_name()
    now = timezone.now()
    running = {
        "status": Job.Status.RUNNING,
        "worker": worker[:255],
        "started_at": now,
        "heartbeat_at": now,
        "message": _("Đang bắt đầu."),
    }
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(status=Job.Status.QUEUED)
                .order_by("created_at", "id")
                .first()
            )
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(**running)
        job.refresh_from_db()
        return job
    for pk in (
        Job.objects.filter(status=Job.Status.QUEUED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:5]
    ):
        if Job.objects.filter(pk=pk, status=Job.Status.QUEUED).update(**running) == 1:
            return Job.objects.get(pk=pk)
    return None


@dataclass
class JobContext:
    """What a handler gets: the job, its input, and the means to report progress and results."""

    job: Job
    summary: dict[str, Any] = field(default_factory=dict)
    _last_write: float = 0.0

    @property
    def actor(self) -> Any:
        return self.job.owner

    def read_input(self) -> bytes:
        return self.job.input_path.read_bytes()

    def step(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress: ``done`` of ``total``. Written at most every half second, and always
        when the message changes; the write is its own statement, outside the work's
        transactions (handlers call it between service calls, never inside one)."""
        job = self.job
        changed = message is not None and message != job.message
        job.done = done
        if total is not None:
            job.total = total
        if message is not None:
            job.message = message[:255]
        now = time.monotonic()
        if not changed and now - self._last_write < PROGRESS_INTERVAL and done != job.total:
            return
        self._last_write = now
        Job.objects.filter(pk=job.pk).update(
            done=job.done, total=job.total, message=job.message, heartbeat_at=timezone.now()
        )

    def counter(self, total: int, message: str) -> Callable[[int], None]:
        """A ``progress(done)`` callback for services that report their own progress."""
        self.step(0, total, message)
        return lambda done: self.step(done, total)

    def attach(self, filename: str, content: bytes) -> None:
        """The job's downloadable result."""
        name = Path(filename.replace("\\", "/")).name.strip() or "ket-qua"  # never a path
        folder = self.job.folder / "result"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
        self.job.result_name = name[:255]

    def link(self, url: str) -> None:
        self.job.result_url = url[:255]


class _Heartbeat:
    """A thread that marks the job alive every few seconds while a long step runs; on SQLite a
    beat that meets the writer's lock simply waits or is skipped (the next one will do)."""

    def __init__(self, job: Job, every: float) -> None:
        self.job_pk = job.pk
        self.every = every
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"job-{job.pk}-heartbeat", daemon=True
        )

    def _run(self) -> None:
        try:
            while not self.stop.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_pk, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    log.warning("job %s: heartbeat not written", self.job_pk)
        finally:
            connection.close()

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _finish(job: Job, status: str, **fields: Any) -> None:
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=status, finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields
    )
    job.refresh_from_db()


def run_job(job: Job, heartbeat: float | None = None) -> Job:
    """Run one claimed job to its end: done, or failed with a message in Vietnamese."""
    from antt.jobs.handlers import HANDLERS

    ctx = JobContext(job)
    try:
        if heartbeat:
            with _Heartbeat(job, heartbeat):
                HANDLERS[job.kind](ctx)
        else:
            HANDLERS[job.kind](ctx)
    except JobFailed as exc:
        _finish(
            job,
            Job.Status.FAILED,
            error=exc.message,
            summary=exc.summary if exc.summary is not None else ctx.summary,
            message=_("Không thành công."),
        )
        return job
    except (PermissionDenied, ValidationError) as exc:
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _finish(
            job,
            Job.Status.FAILED,
            error=text or _("Bạn không có quyền làm việc này."),
            summary=ctx.summary,
            message=_("Không thành công."),
        )
        return job
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            Job.Status.FAILED,
            error=_(
                "Công việc dừng vì một lỗi của hệ thống. Phần việc đang làm dở đã được huỷ, "
                "không ghi gì nửa chừng. Hãy bấm “Chạy lại”; nếu vẫn lỗi, báo cho quản trị "
                "viên (mã công việc #%(pk)s)."
            )
            % {"pk": job.pk},
            summary=ctx.summary,
            message=_("Không thành công."),
        )
        return job
    _finish(
        job,
        Job.Status.DONE,
        done=max(job.done, job.total),
        total=job.total,
        summary=ctx.summary,
        result_name=job.result_name,
        result_url=job.result_url,
        message=_("Đã xong."),
    )
    return job


def run_job_now(job: Job) -> Job:
    """Run a small job here and now (in the web request), unless a worker already took it."""
    now = timezone.now()
    won = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        worker=f"web:{worker_name()}"[:255],
        started_at=now,
        heartbeat_at=now,
    )
    job.refresh_from_db()
    return run_job(job) if won else job


def run_pending_jobs(limit: int | None = None) -> list[Job]:
    """Run queued jobs in this process, one after another (tests, and `run_jobs --once`)."""
    ran: list[Job] = []
    while limit is None or len(ran) < limit:
        job = claim_next_job()
        if job is None:
            break
        ran.append(run_job(job))
    return ran


def _process_gone(worker: str) -> bool:
    """True when ``worker`` ("host:pid") names a process on this host that no longer exists."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def fail_stale_jobs() -> list[Job]:
    """Running jobs whose worker is gone become failed, so that they can be run again."""
    cutoff = timezone.now() - timedelta(seconds=stale_seconds())
    stale = [
        job
        for job in Job.objects.filter(status=Job.Status.RUNNING)
        if _process_gone(job.worker) or (job.heartbeat_at is not None and job.heartbeat_at < cutoff)
    ]
    failed = []
    for job in stale:
        won = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            message=_("Bị gián đoạn."),
            error=_(
                "Công việc bị gián đoạn vì tiến trình xử lý đã dừng (máy chủ khởi động lại hoặc "
                "gặp sự cố). Phần việc đang làm dở đã được huỷ, không ghi gì nửa chừng. Hãy bấm "
                "“Chạy lại”."
            ),
        )
        if won:
            job.refresh_from_db()
            failed.append(job)
            log.warning("job %s: worker %s gone, marked failed", job.pk, job.worker)
    return failed


IMPORT_KINDS = frozenset(
    {
        Job.Kind.UNITS_IMPORT,
        Job.Kind.INCIDENTS_IMPORT,
        Job.Kind.FACTS_IMPORT,
        Job.Kind.RESULTS_IMPORT,
    }
)


def can_confirm(job: Job, user: Any) -> bool:
    """A checked file (dry run, no error, something to write) may be imported by its uploader."""
    summary = job.summary if isinstance(job.summary, dict) else {}
    return (
        job.kind in IMPORT_KINDS
        and job.status == Job.Status.DONE
        and bool(job.params.get("dry_run"))
        and job.owner_id == getattr(user, "pk", None)
        and not summary.get("error_count")
        and bool(summary.get("created") or summary.get("updated"))
        and job.input_path.exists()
    )


def confirm_import(*, job: Job, actor: Any) -> Job:
    """Import for real the file a dry-run job checked: a new job on the same bytes."""
    if job.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Chỉ người đã tải tệp lên mới xác nhận nhập được."))
    if not can_confirm(job, actor):
        raise ValidationError(
            _(
                "Không còn gì để xác nhận: tệp có lỗi, không có thay đổi, hoặc đã quá hạn. "
                "Hãy tải tệp lên lại."
            )
        )
    return enqueue_job(
        actor=actor,
        kind=job.kind,
        title=job.title,
        unit=job.unit,
        params={**job.params, "dry_run": False, "checked_by_job": job.pk},
        input_bytes=job.input_path.read_bytes(),
        input_name=job.input_name,
    )
