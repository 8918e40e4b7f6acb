"""The data upload page: every file is checked by a job (small ones in the request, big ones by
the worker), then imported on confirmation; who may upload what."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from antt.jobs.models import Job
from antt.jobs.services import run_pending_jobs
from antt.records.models import Incident

pytestmark = pytest.mark.django_db

URL = reverse("jobs:data-import")
HEADER = "unit_code,date,category,gravity,description"


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def text(response) -> str:
    return html.unescape(response.content.decode())


def incidents(count: int) -> SimpleUploadedFile:
    rows = [
        f"00070-TDP01,2025-08-{1 + i % 28:02d},crime,ít nghiêm trọng,Vụ trộm số {i}"
        for i in range(count)
    ]
    return SimpleUploadedFile("vu-viec.csv", "\n".join([HEADER, *rows, ""]).encode(), "text/csv")


def test_a_small_file_is_checked_at_once_then_imported_on_confirmation(client, personas):
    officer = personas.commune_a1_officer
    client.force_login(officer)
    page = text(client.get(URL))
    assert "Sổ vụ việc" in page
    assert "Kết quả công nhận các năm trước" in page
    response = client.post(URL, {"kind": "incidents_import", "file": incidents(3)})
    checked = Job.objects.get()
    assert response["Location"] == reverse("jobs:job-detail", args=[checked.pk])
    assert checked.status == "done"  # checked in the request: no worker needed
    assert checked.worker.startswith("web:")
    page = text(client.get(response["Location"]))
    assert "sẽ tạo mới 3" in page
    assert not Incident.objects.exists()

    client.post(reverse("jobs:job-confirm", args=[checked.pk]))
    [imported] = run_pending_jobs()
    assert imported.status == "done", imported.error
    assert Incident.objects.filter(unit__code="00070-TDP01").count() == 3


def test_a_big_file_waits_for_the_worker(client, personas, settings):
    settings.ANTT_JOB_INLINE_ROWS = 2
    client.force_login(personas.commune_a1_officer)
    client.post(URL, {"kind": "incidents_import", "file": incidents(5)})
    job = Job.objects.get()
    assert job.status == "queued"
    assert "Có thể rời trang này" in text(client.get(reverse("jobs:job-detail", args=[job.pk])))
    run_pending_jobs()
    job.refresh_from_db()
    assert (job.status, job.summary["created"]) == ("done", 5)


def test_a_row_outside_the_jurisdiction_is_named_and_nothing_is_written(client, personas):
    client.force_login(personas.commune_b1_officer)
    response = client.post(URL, {"kind": "incidents_import", "file": incidents(2)}, follow=True)
    page = text(response)
    assert "Không nhập được “vu-viec.csv”: 2 lỗi" in page
    assert "Dòng 2" in page
    assert "Xác nhận nhập" not in page
    assert not Incident.objects.exists()


def test_the_head_of_an_area_may_not_import_results(client, personas):
    client.force_login(personas.area_a1_head)
    page = text(client.get(URL))
    assert "Sổ vụ việc" in page
    assert "Kết quả công nhận các năm trước" not in page
    upload = SimpleUploadedFile("kq.csv", b"year,unit_code,result\n", "text/csv")
    response = client.post(URL, {"kind": "results_import", "file": upload})
    assert response.status_code == 200
    assert not Job.objects.exists()


def test_an_outsider_is_refused(client, personas):
    client.force_login(personas.outsider)
    assert client.get(URL).status_code == 403
