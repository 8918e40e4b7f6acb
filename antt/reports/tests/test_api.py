"""/api/v1/reports/summary/ and /review/: jurisdiction (404 outside), shapes, parameters, files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from antt.recognition import services
from antt.recognition.models import Registration
from antt.reports import statistics
from antt.reports.tests.test_statistics import World, build_world
from conftest import Personas, Tree, expected_visible

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)
SUMMARY = reverse("api:report-summary")
REVIEW = reverse("api:report-review")
ROW_KEYS = {"kind", "kind_label", "eligible", "registered", "met", "not_met", "pending", "rate",
            "rate_display", "rate_eligible", "rate_eligible_display"}


@pytest.fixture
def decided(tree: Tree) -> Tree:
    """Tổ dân phố 1 met, the school not met, Khu phố 3 met — in 2025."""
    for unit, result in ((tree.area_a1, "met"), (tree.school_a1, "not_met"),
                         (tree.area_b1, "met")):
        reg = services.register_unit(actor="test", unit=unit, year=2025)
        Registration.objects.filter(pk=reg.pk).update(
            state=f"decided_{result}", result=result
        )
    return tree


@pytest.mark.parametrize("persona", PERSONAS)
def test_summary_scope_matrix(client, decided, personas, persona):
    user = getattr(personas, persona)
    client.force_login(user)
    visible = expected_visible(persona, decided)
    for unit in decided.all():
        response = client.get(SUMMARY, {"year": 2025, "scope": unit.code})
        assert response.status_code == (200 if unit.code in visible else 404), (persona,
                                                                                 unit.code)
        if response.status_code == 200:
            assert response.json()["scope"]["code"] == unit.code
    national = client.get(SUMMARY, {"year": 2025})
    assert national.status_code == (200 if persona == "national_admin" else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_scope_matrix(client, decided, personas, persona):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, decided)
    for unit in decided.all():
        response = client.get(REVIEW, {"years": "2024-2025", "scope": unit.code})
        assert response.status_code == (200 if unit.code in visible else 404)


def test_anonymous_is_refused(client, decided):
    assert client.get(SUMMARY, {"year": 2025, "scope": "01"}).status_code in (401, 403)


def test_summary_shape(client, decided, personas):
    client.force_login(personas.province_a_officer)
    data = client.get(SUMMARY, {"year": 2025, "scope": "01"}).json()
    assert set(data) == {"year", "scope", "legal_basis", "criteria_set", "denominator",
                         "denominator_label", "rows", "children", "notes", "generated_at"}
    assert data["year"] == 2025
    assert data["scope"]["code"] == "01"
    assert data["scope"]["name"] == "Thành phố Hà Nội"
    assert data["legal_basis"] == "TT 124/2021"
    assert [r["kind"] for r in data["rows"]] == list(statistics.ROW_KINDS)
    assert all(set(r) == ROW_KEYS for r in data["rows"])
    area = data["rows"][0]
    assert (area["eligible"], area["registered"], area["met"], area["rate_display"]) == (
        2, 1, 1, "100,00%")
    school = next(r for r in data["rows"] if r["kind"] == "school")
    assert (school["registered"], school["not_met"], school["rate"]) == (1, 1, 0.0)
    assert [c["code"] for c in data["children"]] == ["00070", "00097"]
    first = data["children"][0]
    assert {"code", "name", "rows", "units"} <= set(first)
    assert [u["code"] for u in first["units"]] == ["00070-THCS"]


def test_commune_lists_units(client, decided, personas):
    client.force_login(personas.commune_a1_officer)
    data = client.get(SUMMARY, {"year": 2025, "scope": "00070"}).json()
    assert data["children"] == []
    assert {u["code"] for u in data["units"]} == {"00070-TDP01", "00070-THCS", "00070-DN01",
                                                  "00070"}
    school = next(u for u in data["units"] if u["code"] == "00070-THCS")
    assert school["result"] == "not_met"
    assert "Chưa có biên bản" in school["note"]


def test_national_summary_rates_and_children(client, decided, personas):
    client.force_login(personas.national_admin)
    data = client.get(SUMMARY, {"year": 2025, "scope": "VN"}).json()
    assert data["scope"]["code"] == "VN"
    assert [c["code"] for c in data["children"]] == ["01", "79"]
    area = data["rows"][0]
    assert (area["met"], area["registered"], area["rate_display"]) == (2, 2, "100,00%")


def test_review_shape_and_warnings(client, decided, personas):
    client.force_login(personas.national_admin)
    data = client.get(REVIEW, {"years": "2021-2025", "scope": "01"}).json()
    assert set(data) == {"years", "scope", "denominator", "denominator_label", "series",
                         "warnings", "breaks", "notes", "generated_at"}
    assert data["years"] == [2021, 2022, 2023, 2024, 2025]
    assert [s["legal_basis"] for s in data["series"]] == [
        "TT 23/2012", "TT 124/2021", "TT 124/2021", "TT 124/2021", "TT 124/2021"]
    assert [b["code"] for b in data["breaks"]] == ["criteria_change", "reform_2025"]
    assert len(data["warnings"]) == 2


@pytest.mark.parametrize(
    ("params", "fragment"),
    [({"scope": "01"}, "Thiếu năm"), ({"year": "abc", "scope": "01"}, "phải là một số"),
     ({"year": 2011, "scope": "01"}, "2012"), ({"year": 2999, "scope": "01"}, "năm hiện tại"),
     ({"year": 2025, "geography": "nowhere"}, "auto, current")],
)
def test_summary_bad_parameters_are_400_in_vietnamese(client, decided, personas, params,
                                                      fragment):
    client.force_login(personas.national_admin)
    response = client.get(SUMMARY, params)
    assert response.status_code == 400
    assert fragment in response.content.decode()


@pytest.mark.parametrize("years", ["", "2021-2099", "2025-2021", "x"])
def test_review_bad_years_are_400(client, decided, personas, years):
    client.force_login(personas.national_admin)
    assert client.get(REVIEW, {"years": years, "scope": "01"}).status_code == 400


def test_file_format_calls_the_exporter(client, decided, personas, monkeypatch):
    seen = {}

    def fake(report, fmt, data):
        seen["call"] = (report, fmt, data["scope"]["code"])
        return b"PK-fake"

    monkeypatch.setattr(statistics, "export", fake)
    client.force_login(personas.province_a_officer)
    response = client.get(SUMMARY, {"year": 2025, "scope": "01", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == statistics.FILE_FORMATS["xlsx"]
    assert 'filename="bao-cao-antt-01-2025.xlsx"' in response["Content-Disposition"]
    assert response.content == b"PK-fake"
    assert seen["call"] == ("summary", "xlsx", "01")
    review = client.get(REVIEW, {"years": "2024-2025", "scope": "01", "format": "pdf"})
    assert review.status_code == 200
    assert 'bao-cao-antt-01-2024-2025.pdf' in review["Content-Disposition"]


def test_missing_exporter_is_a_clear_503(client, decided, personas, monkeypatch):
    def missing(report, fmt, data):
        raise statistics.ExportUnavailable("Chưa cài đặt bộ xuất báo cáo")

    monkeypatch.setattr(statistics, "export", missing)
    client.force_login(personas.national_admin)
    response = client.get(SUMMARY, {"year": 2025, "scope": "01", "format": "docx"})
    assert response.status_code == 503
    assert response.json()["detail"] == "Chưa cài đặt bộ xuất báo cáo"


def test_errors_stay_json_when_a_file_was_asked(client, decided, personas):
    client.force_login(personas.commune_b1_officer)
    response = client.get(SUMMARY, {"year": 2025, "scope": "01", "format": "xlsx"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_real_exporter_when_installed(client, decided, personas):
    assert "summary_xlsx" in statistics.exports_available()
    client.force_login(personas.national_admin)
    response = client.get(SUMMARY, {"year": 2025, "scope": "01", "format": "xlsx"})
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


# --- across the reform -----------------------------------------------------------------------


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_old_province_code_is_found_for_its_years(client, world, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.vn", "x")
    client.force_login(admin)
    data = client.get(SUMMARY, {"year": 2022, "scope": "62"}).json()
    assert (data["scope"]["name"], data["scope"]["geography"]) == ("Tỉnh Kon Tum",
                                                                   "historical")
    assert client.get(SUMMARY, {"year": 2022, "scope": "62",
                                "geography": "current"}).status_code == 404
    today = client.get(SUMMARY, {"year": 2022, "scope": "51"}).json()
    assert today["scope"]["geography"] == "current"
    assert [c["code"] for c in today["children"]] == ["23281", "23290", None]


def test_province_officer_sees_the_history_of_the_old_units(client, world):
    from antt.accounts.services import assign_role

    officer, _, _ = assign_role(actor="test", username="qn", role="province_officer",
                                unit=world.now_province, password="Mat-khau-thu-nghiem-2025")
    client.force_login(officer)
    assert client.get(SUMMARY, {"year": 2022, "scope": "62"}).status_code == 200
    assert client.get(SUMMARY, {"year": 2022, "scope": "51"}).status_code == 200
    assert client.get(SUMMARY, {"year": 2025, "scope": "79"}).status_code == 404
    assert client.get(SUMMARY, {"year": 2025}).status_code == 404
