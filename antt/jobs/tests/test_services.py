"""Jobs through their services: enqueue, claim (one worker per job), run (done or failed with a
Vietnamese message), progress, stale workers, retry, and the real worker command in a thread."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from antt.core.models import AuditEvent
from antt.jobs import services
from antt.jobs.models import Job
from antt.jobs.services import (
    claim_next_job,
    confirm_import,
    enqueue_job,
    fail_stale_jobs,
    retry_job,
    run_pending_jobs,
)
from antt.units.models import Unit

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,parent_code,valid_from"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def units_csv(count: int, parent: str = "00070", start: int = 1) -> bytes:
    rows = [
        f"{parent}-J{i:05d},Tổ dân phố J{i},khu dân cư,{parent},2025-07-01"
        for i in range(start, start + count)
    ]
    return "\n".join([HEADER, *rows, ""]).encode()


def units_job(user, data: bytes, *, dry_run: bool, unit=None) -> Job:
    return enqueue_job(
        actor=user,
        kind=Job.Kind.UNITS_IMPORT,
        title="Nhập units.csv",
        unit=unit,
        params={"dry_run": dry_run},
        input_bytes=data,
        input_name="units.csv",
    )


def test_enqueue_stores_the_input_and_is_audited(personas, tree, data_dir):
    job = units_job(personas.commune_a1_officer, units_csv(3), dry_run=True, unit=tree.commune_a1)
    assert job.status == Job.Status.QUEUED
    assert job.unit_path == tree.commune_a1.path
    assert job.input_path == data_dir / "jobs" / str(job.pk) / "input.bin"
    assert job.input_path.read_bytes() == units_csv(3)
    event = AuditEvent.objects.get(verb="job.enqueue")
    assert (event.actor, event.object_id, event.unit_path) == (
        personas.commune_a1_officer,
        str(job.pk),
        tree.commune_a1.path,
    )


def test_a_checked_import_writes_nothing_then_confirming_writes_every_row(personas, tree):
    officer = personas.commune_a1_officer
    checked = units_job(officer, units_csv(30), dry_run=True, unit=tree.commune_a1)
    [ran] = run_pending_jobs()
    assert ran.pk == checked.pk
    checked.refresh_from_db()
    assert checked.status == Job.Status.DONE
    assert (checked.done, checked.total, checked.percent) == (3, 3, 100)
    assert checked.summary["created"] == 30
    assert checked.summary["dry_run"] is True
    assert not Unit.objects.filter(code__startswith="00070-J").exists()
    assert services.can_confirm(checked, officer)
    assert not services.can_confirm(checked, personas.province_a_officer)

    imported = confirm_import(job=checked, actor=officer)
    assert imported.params["dry_run"] is False
    run_pending_jobs()
    imported.refresh_from_db()
    assert imported.status == Job.Status.DONE
    assert imported.summary["written"] is True
    assert Unit.objects.filter(code__startswith="00070-J").count() == 30
    assert AuditEvent.objects.filter(verb="units.import", actor=officer).count() == 1


def test_a_file_with_a_bad_row_fails_with_the_row_and_writes_nothing(personas, tree):
    data = units_csv(5) + "00070-BAD,,khu dân cư,00070,2025-07-01\n".encode()
    job = units_job(personas.commune_a1_officer, data, dry_run=False, unit=tree.commune_a1)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "Chưa ghi gì vào cơ sở dữ liệu" in job.error
    assert job.summary["error_count"] == 1
    assert job.summary["errors"][0].startswith("Dòng 7")
    assert not Unit.objects.filter(code__startswith="00070-J").exists()
    assert not services.can_confirm(job, personas.commune_a1_officer)


def test_an_officer_cannot_import_into_another_commune_through_a_job(personas, tree):
    job = units_job(personas.commune_b1_officer, units_csv(2), dry_run=False)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert not Unit.objects.filter(code__startswith="00070-J").exists()


def test_only_one_worker_claims_a_job(personas, tree):
    job = units_job(personas.commune_a1_officer, units_csv(1), dry_run=True)
    first = claim_next_job("host-a:1")
    assert first is not None
    assert first.pk == job.pk
    assert (first.status, first.worker) == (Job.Status.RUNNING, "host-a:1")
    assert claim_next_job("host-b:2") is None


def test_jobs_are_claimed_oldest_first(personas, tree):
    older = units_job(personas.commune_a1_officer, units_csv(1), dry_run=True)
    newer = units_job(personas.commune_a1_officer, units_csv(1), dry_run=True)
    assert [j.pk for j in run_pending_jobs()] == [older.pk, newer.pk]


def test_an_unexpected_error_fails_the_job_in_plain_vietnamese(personas, tree):
    job = enqueue_job(
        actor=personas.province_a_officer,
        kind=Job.Kind.REPORT_EXPORT,
        title="Báo cáo",
        unit=tree.province_a,
        params={"report": "summary"},  # the format and year are missing
    )
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "lỗi của hệ thống" in job.error
    assert f"#{job.pk}" in job.error
    assert job.finished_at is not None


def test_a_job_whose_worker_died_is_failed_and_can_be_run_again(personas, tree):
    officer = personas.commune_a1_officer
    job = units_job(officer, units_csv(4), dry_run=False, unit=tree.commune_a1)
    # A worker on this machine whose process no longer exists (pid beyond any pid_max).
    claimed = claim_next_job(f"{services.socket.gethostname()}:999999999")
    assert claimed is not None
    [failed] = fail_stale_jobs()
    assert failed.pk == job.pk
    assert failed.status == Job.Status.FAILED
    assert "bị gián đoạn" in failed.error
    assert not Unit.objects.filter(code__startswith="00070-J").exists()

    again = retry_job(job=failed, actor=officer)
    assert (again.retry_of, again.status, again.kind) == (failed, Job.Status.QUEUED, job.kind)
    assert again.input_path.read_bytes() == units_csv(4)
    run_pending_jobs()
    again.refresh_from_db()
    assert again.status == Job.Status.DONE
    assert Unit.objects.filter(code__startswith="00070-J").count() == 4
    assert AuditEvent.objects.filter(verb="job.retry", object_id=str(again.pk)).exists()


def test_a_job_silent_for_too_long_is_failed(personas, tree, settings):
    settings.ANTT_JOB_STALE_SECONDS = 60
    units_job(personas.commune_a1_officer, units_csv(1), dry_run=True)
    job = claim_next_job("other-host:123")  # another machine: only the heartbeat tells
    assert job is not None
    assert fail_stale_jobs() == []
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(seconds=61)
    )
    assert [j.pk for j in fail_stale_jobs()] == [job.pk]


def test_only_failed_jobs_are_run_again(personas, tree):
    job = units_job(personas.commune_a1_officer, units_csv(1), dry_run=True)
    with pytest.raises(ValidationError):
        retry_job(job=job, actor=personas.commune_a1_officer)


def test_progress_is_written_to_the_job_row(personas, tree):
    job = units_job(personas.commune_a1_officer, units_csv(1), dry_run=True)
    ctx = services.JobContext(job)
    ctx.step(0, 10, "Bước một")
    ctx.step(4)  # within half a second of the last write: kept in memory only
    assert Job.objects.values_list("done", "total", "message").get(pk=job.pk) == (
        0,
        10,
        "Bước một",
    )
    ctx.step(10)  # the last step is always written
    assert Job.objects.get(pk=job.pk).done == 10


def test_evaluating_a_scope_leaves_a_spreadsheet(personas, tree):
    job = enqueue_job(
        actor=personas.province_a_officer,
        kind=Job.Kind.EVALUATE_SCOPE,
        title="Đánh giá",
        unit=tree.province_a,
        params={"year": 2025},
    )
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result_name == "danh-gia-antt-01-2025.xlsx"
    assert job.total == job.done > 0
    book = load_workbook(io.BytesIO(job.result_path.read_bytes()))
    codes = {row[0] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert {"00070", "00070-TDP01", "00097-TDP02"} <= codes
    assert "26734" not in codes  # province B is not in the scope


def test_a_scope_outside_the_owners_jurisdiction_fails(personas, tree):
    job = enqueue_job(
        actor=personas.commune_b1_officer,
        kind=Job.Kind.EVALUATE_SCOPE,
        title="Đánh giá",
        unit=tree.province_a,
        params={"year": 2025},
    )
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "Không tìm thấy đơn vị trong phạm vi quản lý của bạn."
    assert not job.result_name


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_a_queued_job(personas, tree):
    job = units_job(personas.commune_a1_officer, units_csv(12), dry_run=False, unit=tree.commune_a1)
    out = io.StringIO()
    worker = threading.Thread(
        target=call_command,
        args=("run_jobs", "--max-jobs", "1", "--poll", "0.05", "--heartbeat", "0.05"),
        kwargs={"stdout": out},
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.worker.endswith(f":{services.os.getpid()}")
    assert job.heartbeat_at is not None
    assert job.started_at <= job.heartbeat_at
    assert Unit.objects.filter(code__startswith="00070-J").count() == 12
    assert f"job {job.pk} done" in out.getvalue()


def test_the_worker_command_once_exits_when_nothing_is_queued(db):
    out = io.StringIO()
    call_command("run_jobs", "--once", stdout=out)
    assert "ready" in out.getvalue()


def test_a_result_name_is_never_a_path(personas, tree, data_dir):
    job = units_job(personas.commune_a1_officer, units_csv(1), dry_run=True)
    ctx = services.JobContext(job)
    ctx.attach("../../etc/bao-cao.xlsx", b"x")
    assert job.result_name == "bao-cao.xlsx"
    assert job.result_path == data_dir / "jobs" / str(job.pk) / "result" / "bao-cao.xlsx"
    assert job.result_path.read_bytes() == b"x"
