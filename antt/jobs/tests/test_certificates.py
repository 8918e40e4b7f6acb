"""A decision with many certificates: the page hands the batch to a job, shows it while it runs,
and the job issues the numbers and one PDF per certificate."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from antt.jobs.models import Job
from antt.jobs.services import run_pending_jobs
from antt.recognition import services
from antt.recognition.models import Certificate, Document
from antt.recognition.tests.test_cycle import (
    AREA_FACTS,
    AREA_MEETING,
    PREVIOUS,
    YEAR,
    evidence,
    run_to_appraised,
)
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dirs(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANTT_JOB_INLINE_CERTIFICATES = 2


@pytest.fixture
def decision(tree, personas):
    regs = []
    for i in range(4):
        unit = create_unit(actor="test", code=f"00070-C{i}", name=f"Thôn C{i}",
                           kind="residential_area", parent=tree.commune_a1,
                           valid_from=dt.date(2025, 7, 1))
        evidence(unit, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
        reg = services.register_unit(actor="test", unit=unit, year=YEAR)
        regs.append(run_to_appraised(reg, "test", "test", AREA_MEETING))
    return services.decide(actor=personas.commune_a1_officer, registrations=regs,
                           number="77/QĐ-UBND", signed_on=dt.date(2025, 11, 10),
                           signer_name="Nguyễn Văn Hùng")


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_many_certificates_are_issued_by_a_job(client, decision, personas):
    client.force_login(personas.commune_a1_officer)
    page_url = reverse("cycle:decision-detail", args=[decision.pk])
    assert "chạy nền" in text(client.get(page_url))
    response = client.post(reverse("cycle:decision-certify", args=[decision.pk]),
                           {"issued_on": "12/11/2025"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert (job.kind, job.unit, job.params) == (
        "issue_certificates", decision.issuing_unit,
        {"decision": decision.pk, "issued_on": "2025-11-12"},
    )
    assert not Certificate.objects.exists()
    # While it waits, the decision's page points at it and offers no second batch.
    page = text(client.get(page_url))
    assert "Đang chạy nền: Cấp 4 giấy công nhận theo quyết định số 77/QĐ-UBND." in page
    assert 'action="' + reverse("cycle:decision-certify", args=[decision.pk]) not in page
    # Posting again (a second tab) leads to the same job.
    again = client.post(reverse("cycle:decision-certify", args=[decision.pk]),
                        {"issued_on": "12/11/2025"})
    assert again["Location"] == response["Location"]
    assert Job.objects.count() == 1

    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.summary == {"issued": 4, "decision": "77/QĐ-UBND"}
    assert job.result_url == page_url
    certificates = Certificate.objects.filter(decision=decision)
    assert sorted(c.serial for c in certificates) == [1, 2, 3, 4]
    assert {c.issued_on for c in certificates} == {dt.date(2025, 11, 12)}
    assert Document.objects.filter(decision=decision, kind="certificate").count() == 4
    job_page = text(client.get(reverse("jobs:job-detail", args=[job.pk])))
    assert "Đã cấp 4 giấy công nhận." in job_page
    assert "Xem kết quả" in job_page
    assert "Đang chạy nền" not in text(client.get(page_url))


def test_a_few_certificates_are_still_issued_in_the_request(client, decision, personas,
                                                            settings):
    settings.ANTT_JOB_INLINE_CERTIFICATES = 10
    client.force_login(personas.commune_a1_officer)
    response = client.post(reverse("cycle:decision-certify", args=[decision.pk]),
                           {"issued_on": "12/11/2025"})
    assert response["Location"] == reverse("cycle:decision-detail", args=[decision.pk])
    assert Certificate.objects.filter(decision=decision).count() == 4
    assert not Job.objects.exists()


def test_who_may_not_certify_gets_no_job(client, decision, personas):
    client.force_login(personas.area_a1_head)
    response = client.post(reverse("cycle:decision-certify", args=[decision.pk]),
                           {"issued_on": "12/11/2025"})
    assert response.status_code in (403, 404)
    assert not Job.objects.exists()
