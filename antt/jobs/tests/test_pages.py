"""The jobs' pages: who sees which job (404 outside), the progress bar that polls while the job
runs and stops when it ends, confirming a checked import, running a failed job again, and the
units upload page handing a big file to a job."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from antt.jobs.models import Job
from antt.jobs.services import enqueue_job, run_pending_jobs
from antt.jobs.tests.test_services import units_csv
from antt.units.models import Unit
from conftest import Personas

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)
LIST = reverse("jobs:job-list")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def text(response) -> str:
    return html.unescape(response.content.decode())


def detail(job: Job) -> str:
    return reverse("jobs:job-detail", args=[job.pk])


@pytest.fixture
def jobs(personas, tree) -> dict[str, Job]:
    def job(owner, unit, title):
        return enqueue_job(
            actor=owner,
            kind=Job.Kind.EVALUATE_SCOPE,
            title=title,
            unit=unit,
            params={"year": 2025},
        )

    return {
        "a1": job(personas.commune_a1_officer, tree.commune_a1, "Đánh giá A1"),
        "b1": job(personas.commune_b1_officer, tree.commune_b1, "Đánh giá B1"),
        "province": job(personas.province_a_officer, tree.province_a, "Đánh giá tỉnh A"),
        "country": job(personas.national_admin, None, "Báo cáo toàn quốc"),
    }


VISIBLE = {
    "national_admin": {"a1", "b1", "province", "country"},
    "province_a_officer": {"a1", "province"},  # its own, and the subtree it administers
    "commune_a1_officer": {"a1"},  # its own only: a commune officer assigns no roles
    "commune_b1_officer": {"b1"},
    "area_a1_head": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_job_scope_matrix(client, jobs, personas, persona):
    client.force_login(getattr(personas, persona))
    page = text(client.get(LIST))
    for key, job in jobs.items():
        visible = key in VISIBLE[persona]
        assert (job.title in page) is visible, (persona, key)
        assert client.get(detail(job)).status_code == (200 if visible else 404), (persona, key)
        download = reverse("jobs:job-download", args=[job.pk])
        assert client.get(download).status_code == 404
        retry = client.post(reverse("jobs:job-retry", args=[job.pk]))
        assert retry.status_code == (409 if visible else 404), (persona, key)


def test_an_empty_list_says_what_makes_a_job(client, personas):
    client.force_login(personas.area_a1_head)
    page = text(client.get(LIST))
    assert "Chưa có công việc chạy nền nào." in page
    assert "Nhập đơn vị" in page


def test_the_progress_polls_while_the_job_runs_and_stops_when_it_ends(client, jobs, personas):
    client.force_login(personas.province_a_officer)
    job = jobs["province"]
    page = text(client.get(detail(job)))
    assert 'hx-trigger="every 1s"' in page
    assert "Đang chờ" in page
    assert "<script" not in page.split("</head>")[1]  # no inline script (CSP)
    partial = text(client.get(detail(job), headers={"HX-Request": "true"}))
    assert partial.lstrip().startswith('<section id="job-status"')
    assert "<html" not in partial
    run_pending_jobs()
    partial = text(client.get(detail(job), headers={"HX-Request": "true"}))
    assert "hx-trigger" not in partial
    assert 'value="100"' in partial
    assert "Tải về danh-gia-antt-01-2025.xlsx" in partial
    response = client.get(reverse("jobs:job-download", args=[job.pk]))
    assert response["Content-Disposition"].endswith('"danh-gia-antt-01-2025.xlsx"')


def test_a_failed_job_is_run_again_from_its_page(client, personas, tree):
    job = enqueue_job(
        actor=personas.commune_b1_officer,
        kind=Job.Kind.EVALUATE_SCOPE,
        title="Đánh giá",
        unit=tree.province_a,  # not theirs: the job fails
        params={"year": 2025},
    )
    run_pending_jobs()
    client.force_login(personas.commune_b1_officer)
    page = text(client.get(detail(job)))
    assert "Không tìm thấy đơn vị trong phạm vi quản lý của bạn." in page
    response = client.post(reverse("jobs:job-retry", args=[job.pk]))
    again = Job.objects.get(retry_of=job)
    assert response["Location"] == detail(again)
    assert again.owner == personas.commune_b1_officer
    assert f"Chạy lại công việc #{job.pk}" in text(client.get(detail(again)))


def test_a_big_units_file_is_checked_and_imported_by_jobs(client, personas, tree, settings):
    settings.ANTT_JOB_INLINE_ROWS = 10
    officer = personas.commune_a1_officer
    client.force_login(officer)
    upload = SimpleUploadedFile("units.csv", units_csv(25), "text/csv")
    response = client.post(reverse("units:unit-import"), {"file": upload})
    checked = Job.objects.get()
    assert response["Location"] == detail(checked)
    assert (checked.kind, checked.params, checked.owner) == ("units_import", {"dry_run": True},
                                                             officer)
    assert "25 dòng" in checked.title
    run_pending_jobs()
    page = text(client.get(detail(checked)))
    assert "sẽ tạo mới 25" in page
    assert "Chưa có gì được ghi" in page
    assert "Xác nhận nhập" in page
    assert not Unit.objects.filter(code__startswith="00070-J").exists()

    # Only the person who uploaded the file confirms it (a file has no one unit: its job is
    # seen by its owner and the national administrators).
    client.force_login(personas.province_a_officer)
    assert client.get(detail(checked)).status_code == 404
    client.force_login(personas.national_admin)
    assert "Xác nhận nhập" not in text(client.get(detail(checked)))
    response = client.post(reverse("jobs:job-confirm", args=[checked.pk]))
    assert response.status_code == 403
    assert "Chỉ người đã tải tệp lên" in text(response)

    client.force_login(officer)
    response = client.post(reverse("jobs:job-confirm", args=[checked.pk]))
    imported = Job.objects.exclude(pk=checked.pk).get()
    assert response["Location"] == detail(imported)
    run_pending_jobs()
    page = text(client.get(detail(imported)))
    assert "Đã nhập “units.csv”: tạo mới 25" in page
    assert Unit.objects.filter(code__startswith="00070-J").count() == 25
    assert "Xác nhận nhập" not in page


def test_a_big_units_file_with_errors_lists_them_on_the_job_page(client, personas, tree,
                                                                  settings):
    settings.ANTT_JOB_INLINE_ROWS = 10
    client.force_login(personas.commune_a1_officer)
    data = units_csv(12) + "00070-X,Tên,loại lạ,00070,2025-07-01\n".encode()
    client.post(reverse("units:unit-import"),
                {"file": SimpleUploadedFile("units.csv", data, "text/csv")})
    [job] = run_pending_jobs()
    page = text(client.get(detail(job)))
    assert "Không nhập được “units.csv”: 1 lỗi" in page
    assert "Dòng 14" in page
    assert "Xác nhận nhập" not in page
    assert "Chạy lại" in page


def test_a_small_units_file_is_still_previewed_in_the_request(client, personas, tree):
    client.force_login(personas.commune_a1_officer)
    upload = SimpleUploadedFile("units.csv", units_csv(3), "text/csv")
    response = client.post(reverse("units:unit-import"), {"file": upload})
    assert response.status_code == 200
    assert "sẽ tạo mới 3" in text(response)
    assert not Job.objects.exists()


def test_a_scope_is_evaluated_from_the_units_page(client, personas, tree):
    client.force_login(personas.province_a_officer)
    page = text(client.get(reverse("units:unit-detail", args=["01"])))
    assert "Đánh giá cả phạm vi (chạy nền)" in page
    assert "Đánh giá cả phạm vi (chạy nền)" not in text(
        client.get(reverse("units:unit-detail", args=["00070-TDP01"]))
    )
    response = client.post(reverse("jobs:evaluate-scope", args=["01"]), {"year": 2025})
    job = Job.objects.get()
    assert response["Location"] == detail(job)
    assert (job.kind, job.unit, job.params) == ("evaluate_scope", tree.province_a, {"year": 2025})
    assert job.title == "Đánh giá năm 2025 — mọi đơn vị của Thành phố Hà Nội"
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.summary["summary"]["residential_area"]["total"] == 2


@pytest.mark.parametrize("persona", ["commune_b1_officer", "outsider"])
def test_a_scope_outside_the_jurisdiction_is_not_found(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.post(reverse("jobs:evaluate-scope", args=["01"]), {"year": 2025})
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_a_bad_year_says_what_to_choose(client, personas):
    client.force_login(personas.province_a_officer)
    response = client.post(reverse("jobs:evaluate-scope", args=["01"]), {"year": "1999"},
                           follow=True)
    assert "Năm đánh giá phải từ 2012" in text(response)
    assert not Job.objects.exists()


def test_the_admin_lists_jobs_read_only(client, jobs, personas):
    personas.national_admin.is_staff = personas.national_admin.is_superuser = True
    personas.national_admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(personas.national_admin)
    page = text(client.get(reverse("admin:jobs_job_changelist")))
    assert "Đánh giá tỉnh A" in page
    assert client.get(reverse("admin:jobs_job_add")).status_code == 403


def test_a_job_waiting_long_says_whom_to_ask(client, jobs, personas):
    job = jobs["a1"]
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - timezone.timedelta(minutes=5))
    client.force_login(personas.commune_a1_officer)
    assert "kiểm tra dịch vụ “antt-jobs”" in text(client.get(detail(job)))
    assert "kiểm tra dịch vụ “antt-jobs”" not in text(client.get(detail(jobs["province"])))


def test_a_running_job_without_heartbeat_warns_until_the_worker_gives_it_up(client, jobs,
                                                                             personas):
    job = jobs["a1"]
    old = timezone.now() - timezone.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(status="running", worker="elsewhere:1", heartbeat_at=old)
    client.force_login(personas.commune_a1_officer)
    page = text(client.get(detail(job)))
    assert "Đã lâu không nhận được tín hiệu từ bộ xử lý nền" in page
    assert 'hx-trigger="every 1s"' in page
