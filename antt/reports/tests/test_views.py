"""The reports page: jurisdiction (404 outside), default scope, tables, drill-down, trend
markers, downloads through the exporters, charts when installed, query budget."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from antt.jobs.models import Job
from antt.jobs.services import run_pending_jobs
from antt.recognition import services
from antt.recognition.models import Registration
from antt.reports import statistics
from antt.reports.tests.test_statistics import World, build_world
from conftest import Personas, Tree, expected_visible

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)
PAGE = reverse("reports:report-summary")
DOWNLOAD = reverse("reports:report-download")


@pytest.fixture
def decided(tree: Tree) -> Tree:
    for unit, result in ((tree.area_a1, "met"), (tree.school_a1, "not_met"),
                         (tree.area_b1, "met")):
        reg = services.register_unit(actor="test", unit=unit, year=2025)
        Registration.objects.filter(pk=reg.pk).update(state=f"decided_{result}", result=result)
    return tree


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("persona", PERSONAS)
def test_page_scope_matrix(client, decided, personas, persona):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, decided)
    for unit in decided.all():
        response = client.get(PAGE, {"year": 2025, "scope": unit.code})
        assert response.status_code == (200 if unit.code in visible else 404), (persona,
                                                                                 unit.code)
    national = client.get(PAGE, {"year": 2025, "scope": "VN"})
    assert national.status_code == (200 if persona == "national_admin" else 404)


@pytest.mark.parametrize(
    ("persona", "heading"),
    [("national_admin", "Toàn quốc: kết quả năm 2025"),
     ("province_a_officer", "Thành phố Hà Nội: kết quả năm 2025"),
     ("commune_b1_officer", "Phường Sài Gòn: kết quả năm 2025"),
     ("area_a1_head", "Tổ dân phố 1: kết quả năm 2025")],
)
def test_page_opens_on_the_users_top_unit(client, decided, personas, persona, heading):
    client.force_login(getattr(personas, persona))
    page = text(client.get(PAGE, {"year": 2025}))
    assert heading in page


def test_outsider_is_told_there_is_nothing_to_see(client, decided, personas):
    client.force_login(personas.outsider)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "chưa được phân công phạm vi" in text(response)


def test_anonymous_goes_to_login(client, decided):
    response = client.get(PAGE)
    assert response.status_code == 302


def test_nav_has_the_reports_link(client, decided, personas):
    client.force_login(personas.province_a_officer)
    page = text(client.get(PAGE, {"year": 2025}))
    assert f'<a href="{PAGE}" aria-current="page">Báo cáo</a>' in page


def test_table_shows_rate_with_numerator_and_denominator(client, decided, personas):
    client.force_login(personas.province_a_officer)
    page = text(client.get(PAGE, {"year": 2025, "scope": "01"}))
    assert "100,00%" in page
    assert "(1/1)" in page
    assert "Căn cứ: TT 124/2021" in page
    # children with drill-down links and the unit not met under its commune
    assert "scope=00070&geo=current" in page
    assert "Trường THCS Ngô Sĩ Liên" in page


def test_commune_page_lists_units(client, decided, personas):
    client.force_login(personas.commune_a1_officer)
    page = text(client.get(PAGE, {"year": 2025, "scope": "00070"}))
    assert "Từng đơn vị" in page
    assert "Công ty TNHH Thương mại Hồ Gươm" in page  # eligible, not registered
    assert "Chưa có biên bản họp đánh giá" in page


def test_trend_marks_legal_basis_and_warns(client, decided, personas):
    client.force_login(personas.national_admin)
    page = text(client.get(PAGE, {"year": 2025, "scope": "01", "years": "2020-2025"}))
    assert "Xu hướng 2020–2025" in page
    assert "TT 23/2012" in page
    assert "⚠ đổi tiêu chí" in page
    assert "⚠ sắp xếp 2025" in page
    assert "2021 → 2022" in page


def test_bad_years_fall_back_with_a_message(client, decided, personas):
    client.force_login(personas.national_admin)
    response = client.get(PAGE, {"year": 2025, "scope": "01", "years": "2030-2020"})
    assert response.status_code == 200
    assert "bị ngược" in text(response)


def test_downloads_call_the_exporters(client, decided, personas, monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(statistics, "exports_available",
                        lambda: frozenset({"summary_xlsx", "review_pdf"}))
    monkeypatch.setattr(statistics, "export", lambda report, fmt, data: b"%PDF-fake")
    client.force_login(personas.commune_a1_officer)
    page = text(client.get(PAGE, {"year": 2025, "scope": "00070"}))
    assert "Báo cáo năm 2025 (XLSX)" in page
    assert "Báo cáo xu hướng (PDF)" in page
    assert "(DOCX)" not in page
    response = client.get(DOWNLOAD, {"report": "summary", "format": "xlsx", "year": 2025,
                                     "scope": "00070"})
    assert response.status_code == 200
    assert "bao-cao-antt-00070-2025.xlsx" in response["Content-Disposition"]


def test_a_province_download_is_built_by_a_job(client, decided, personas, monkeypatch, settings,
                                               tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(statistics, "exports_available", lambda: frozenset({"summary_xlsx"}))
    monkeypatch.setattr(statistics, "export", lambda report, fmt, data: b"xlsx-bytes")
    client.force_login(personas.province_a_officer)
    page = text(client.get(PAGE, {"year": 2025, "scope": "01"}))
    assert 'method="post"' in page
    assert "chế độ chạy nền" in page
    query = {"report": "summary", "format": "xlsx", "year": 2025, "scope": "01"}
    # A plain link builds nothing: it goes back to the page, which says why.
    response = client.get(DOWNLOAD, query, follow=True)
    assert "được tạo ở chế độ chạy nền" in text(response)
    assert not Job.objects.exists()
    response = client.post(DOWNLOAD + "?" + urlencode(query))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert (job.kind, job.unit, job.owner) == ("report_export", decided.province_a,
                                               personas.province_a_officer)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result_name == "bao-cao-antt-01-2025.xlsx"
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    assert b"".join(download.streaming_content) == b"xlsx-bytes"
    assert "bao-cao-antt-01-2025.xlsx" in download["Content-Disposition"]


def test_download_outside_jurisdiction_is_404(client, decided, personas):
    client.force_login(personas.commune_b1_officer)
    response = client.get(DOWNLOAD, {"report": "summary", "format": "pdf", "year": 2025,
                                     "scope": "01"})
    assert response.status_code == 404
    query = urlencode({"report": "summary", "format": "pdf", "year": 2025, "scope": "01"})
    assert client.post(DOWNLOAD + "?" + query).status_code == 404


def test_download_without_exporter_says_so(client, decided, personas, monkeypatch, settings,
                                           tmp_path):
    settings.DATA_DIR = tmp_path

    def missing(report, fmt, data):
        raise statistics.ExportUnavailable("Chưa cài đặt bộ xuất báo cáo")

    monkeypatch.setattr(statistics, "export", missing)
    client.force_login(personas.commune_a1_officer)
    response = client.get(DOWNLOAD, {"report": "review", "format": "docx", "years": "2024-2025",
                                     "scope": "00070"}, follow=True)
    assert "Chưa cài đặt bộ xuất báo cáo" in text(response)
    client.force_login(personas.national_admin)
    query = urlencode({"report": "review", "format": "docx", "years": "2024-2025",
                       "scope": "01"})
    client.post(DOWNLOAD + "?" + query)
    [job] = run_pending_jobs()
    assert (job.status, job.error) == ("failed", "Chưa cài đặt bộ xuất báo cáo")
    page = text(client.get(reverse("jobs:job-detail", args=[job.pk])))
    assert "Chưa cài đặt bộ xuất báo cáo" in page
    assert "Chạy lại" in page


def test_charts_are_drawn_when_the_module_is_there(client, decided, personas):
    client.force_login(personas.national_admin)
    page = text(client.get(PAGE, {"year": 2025, "scope": "01"}))
    assert "<svg" in page


def test_page_query_budget(client, decided, personas, django_assert_max_num_queries):
    client.force_login(personas.national_admin)
    client.get(PAGE, {"year": 2025, "scope": "VN"})  # warm the session and the user
    with django_assert_max_num_queries(20):
        assert client.get(PAGE, {"year": 2025, "scope": "VN"}).status_code == 200


# --- across the reform -----------------------------------------------------------------------


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_drill_down_from_country_to_the_units_of_a_commune(client, world, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.vn", "x")
    client.force_login(admin)
    country = text(client.get(PAGE, {"year": 2022, "scope": "VN"}))
    assert "scope=51&geo=current" in country
    province = text(client.get(PAGE, {"year": 2022, "scope": "51", "geo": "current"}))
    assert "scope=23281&geo=current" in province
    assert "Xã cũ bị chia tách được tính vào đơn vị mới mặc định" in province
    commune = text(client.get(PAGE, {"year": 2021, "scope": "23281", "geo": "current"}))
    assert "Tổ dân phố 2 (cũ)" in commune
    assert "hồ sơ giấy" in commune
    old = text(client.get(PAGE, {"year": 2022, "scope": "62"}))
    assert "Địa giới trước 01/7/2025" in old
    assert "scope=608&geo=historical" in old


def test_a_registration_made_after_the_page_was_cached_is_counted(client, decided, personas):
    client.force_login(personas.province_a_officer)
    before = text(client.get(PAGE, {"year": 2025, "scope": "01"}))
    half = "<strong>50,00%</strong> <small>(1/2)</small>"  # areas: 1 met of 2 registered
    assert "<strong>100,00%</strong> <small>(1/1)</small>" in before
    assert half not in before
    services.register_unit(actor="test", unit=decided.area_a2, year=2025)  # audited
    after = text(client.get(PAGE, {"year": 2025, "scope": "01"}))
    assert half in after


def test_a_province_page_cached_for_one_officer_is_still_404_for_an_outsider(
    client, decided, personas
):
    client.force_login(personas.province_a_officer)
    assert client.get(PAGE, {"year": 2025, "scope": "01"}).status_code == 200
    client.force_login(personas.commune_b1_officer)
    assert client.get(PAGE, {"year": 2025, "scope": "01"}).status_code == 404
