"""REST API v1 for units and the audit log: scoping matrix, writes, filters, schema."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from antt.accounts.models import User
from antt.core.models import AuditEvent
from antt.units.models import Unit, UnitSuccession
from antt.units.services import create_unit
from conftest import REFORM, Personas, Tree, expected_visible

PERSONAS = [f.name for f in dataclasses.fields(Personas)]
LIST = "/api/v1/units/"
ON_DATE = "date=2025-08-01"


def api_for(user: User | None) -> APIClient:
    """A client that authenticates the way integrations do: ``Authorization: Token …``."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def listed_codes(client: APIClient, query: str = "") -> set[str]:
    response = client.get(f"{LIST}?{ON_DATE}&limit=1000&{query}")
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


# --- the scoping matrix --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_exactly_the_persona_jurisdiction(
    persona: str, personas: Personas, tree: Tree
) -> None:
    client = api_for(getattr(personas, persona))
    assert listed_codes(client) == expected_visible(persona, tree)


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_is_found_only_inside_the_persona_jurisdiction(
    persona: str, personas: Personas, tree: Tree
) -> None:
    client = api_for(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    statuses = {u.code: client.get(f"{LIST}{u.code}/?{ON_DATE}").status_code for u in tree.all()}
    assert statuses == {u.code: 200 if u.code in visible else 404 for u in tree.all()}


def test_a_page_holds_at_most_a_thousand_units(personas: Personas, tree: Tree) -> None:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from antt.core.api import BoundedPagination

    request = Request(APIRequestFactory().get(LIST, {"limit": 5000}))
    assert BoundedPagination().get_limit(request) == 1000
    response = api_for(personas.national_admin).get(f"{LIST}?limit=2")
    assert len(response.json()["results"]) == 2
    assert response.json()["count"] == len(tree.all())


def test_unknown_code_is_not_found(personas: Personas) -> None:
    assert api_for(personas.national_admin).get(f"{LIST}99999/").status_code == 404


def test_list_query_count_does_not_grow_with_rows(
    personas: Personas, tree: Tree, django_assert_max_num_queries: object
) -> None:
    client = api_for(personas.national_admin)
    with CaptureQueriesContext(connection) as baseline:
        client.get(f"{LIST}?{ON_DATE}&limit=1000")
    for n in range(20):
        create_unit(actor="test", code=f"00097-TDP{n + 10}", name=f"Tổ dân phố {n + 10}",
                    kind="residential_area", parent=tree.commune_a2, valid_from=REFORM)
    with django_assert_max_num_queries(len(baseline)):  # type: ignore[operator]
        assert len(listed_codes(client)) == len(tree.all()) + 20


# --- representation ------------------------------------------------------------------------------


def test_detail_fields_and_children_counts(personas: Personas, tree: Tree) -> None:
    body = api_for(personas.province_a_officer).get(f"{LIST}00070/").json()
    assert body["name"] == "Phường Hoàn Kiếm"
    assert body["kind"] == "commune"
    assert body["kind_display"] == "Xã, phường, đặc khu"
    assert body["parent"] == "01"
    assert body["parent_name"] == "Thành phố Hà Nội"
    assert body["valid_from"] == "2025-07-01"
    assert body["children_counts"] == {"residential_area": 1, "school": 1, "enterprise": 1}
    assert body["eligibility"]["eligible"] is True
    assert "path" not in body
    assert "id" not in body


def test_eligibility_explains_why_a_province_is_out_of_scope(personas: Personas) -> None:
    body = api_for(personas.national_admin).get(f"{LIST}01/").json()
    assert body["parent"] is None
    assert body["eligibility"] == {
        "eligible": False,
        "reason": "Cấp tỉnh, cấp huyện không thuộc đối tượng xét công nhận.",
        "legal_basis": "TT 124/2021/TT-BCA, Điều 1.2",
    }


# --- filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=school", {"00070-THCS"}),
        ("kind=province", {"01", "79"}),
        ("parent=00070", {"00070-TDP01", "00070-THCS", "00070-DN01"}),
        ("parent=79", {"26734"}),
        ("code=00097", {"00097"}),
        ("search=hoan kiem", {"00070"}),
        ("search=TỔ DÂN PHỐ", {"00070-TDP01", "00097-TDP02"}),
        ("search=ho guom", {"00070-DN01"}),
        ("kind=residential_area&parent=00097", {"00097-TDP02"}),
    ],
)
def test_list_filters(query: str, expected: set[str], personas: Personas) -> None:
    assert listed_codes(api_for(personas.national_admin), query) == expected


def test_list_date_filter_hides_units_not_yet_valid(personas: Personas) -> None:
    response = api_for(personas.national_admin).get(f"{LIST}?date=2025-06-30")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_defaults_to_today(personas: Personas, tree: Tree) -> None:
    response = api_for(personas.national_admin).get(f"{LIST}?limit=1000")
    assert {row["code"] for row in response.json()["results"]} == {u.code for u in tree.all()}


@pytest.mark.parametrize("bad", ["2025-13-01", "01/08/2025", "hom-nay"])
def test_bad_date_is_a_400_with_a_vietnamese_message(bad: str, personas: Personas) -> None:
    client = api_for(personas.national_admin)
    for url in (f"{LIST}?date={bad}", f"{LIST}00070/?date={bad}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json() == {"date": ["Ngày không hợp lệ: hãy ghi theo dạng YYYY-MM-DD."]}


def test_unknown_kind_is_a_400_with_a_vietnamese_message(personas: Personas) -> None:
    response = api_for(personas.national_admin).get(f"{LIST}?kind=village")
    assert response.status_code == 400
    assert "Loại đơn vị “village” không hợp lệ" in response.json()["kind"][0]


# --- legacy codes (the 2025 reform reuses codes) -------------------------------------------------


@pytest.fixture
def quang_ngai(db: None) -> dict[str, Unit]:
    """Old 51 Quảng Ngãi and 62 Kon Tum (until 30/6/2025) → new 51 Quảng Ngãi."""
    old_51 = create_unit(actor="test", code="51", name="Tỉnh Quảng Ngãi", kind="province",
                         parent=None, valid_to=dt.date(2025, 6, 30))
    old_62 = create_unit(actor="test", code="62", name="Tỉnh Kon Tum", kind="province",
                         parent=None, valid_to=dt.date(2025, 6, 30))
    new_51 = create_unit(actor="test", code="51", name="Tỉnh Quảng Ngãi", kind="province",
                         parent=None, valid_from=REFORM)
    for old in (old_51, old_62):
        UnitSuccession.objects.create(predecessor=old, successor=new_51, effective_date=REFORM)
    return {"old_51": old_51, "old_62": old_62, "new_51": new_51}


def test_legacy_code_resolves_at_the_requested_date(
    personas: Personas, quang_ngai: dict[str, Unit]
) -> None:
    client = api_for(personas.national_admin)
    response = client.get(f"{LIST}62/?date=2022-01-01")
    assert response.status_code == 200
    assert response.json()["valid_to"] == "2025-06-30"
    assert response.json()["successors"] == [
        {"code": "51", "name": "Tỉnh Quảng Ngãi", "valid_from": "2025-07-01", "valid_to": None,
         "is_default": True}
    ]
    assert client.get(f"{LIST}62/").status_code == 404


def test_reused_code_names_the_old_or_new_unit_by_date(
    personas: Personas, quang_ngai: dict[str, Unit]
) -> None:
    client = api_for(personas.national_admin)
    assert client.get(f"{LIST}51/?date=2022-01-01").json()["valid_to"] == "2025-06-30"
    today = client.get(f"{LIST}51/").json()
    assert today["valid_from"] == "2025-07-01"
    assert {p["code"] for p in today["predecessors"]} == {"51", "62"}


def test_province_officer_sees_the_provinces_merged_into_theirs(
    quang_ngai: dict[str, Unit],
) -> None:
    from antt.accounts.services import assign_role

    officer, _, _ = assign_role(actor="test", username="tinh_51", role="province_officer",
                                unit=quang_ngai["new_51"])
    client = api_for(officer)
    assert client.get(f"{LIST}62/?date=2022-01-01").status_code == 200
    assert listed_codes(client, "date=2022-01-01") == {"51", "62"}


# --- writes --------------------------------------------------------------------------------------


def new_area(parent: str, code: str = "00070-TDP09", **extra: object) -> dict[str, object]:
    return {"code": code, "name": "  Tổ dân phố   9 ", "kind": "residential_area",
            "parent": parent, "valid_from": "2025-07-01", "subtype": "to_dan_pho", **extra}


def test_commune_officer_creates_an_area_in_their_commune(personas: Personas) -> None:
    response = api_for(personas.commune_a1_officer).post(LIST, new_area("00070"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["name"], body["parent"]) == ("00070-TDP09", "Tổ dân phố 9", "00070")
    unit = Unit.objects.get(code="00070-TDP09")
    event = AuditEvent.objects.get(verb="unit.create", object_id=str(unit.pk))
    assert event.actor == personas.commune_a1_officer
    assert event.unit_path == unit.path


def test_commune_officer_cannot_create_under_another_commune(personas: Personas) -> None:
    client = api_for(personas.commune_a1_officer)
    response = client.post(LIST, new_area("00097", code="00097-TDP09"), format="json")
    assert response.status_code == 404
    assert not Unit.objects.filter(code="00097-TDP09").exists()


def test_unit_head_cannot_create_under_a_commune_it_cannot_see(personas: Personas) -> None:
    response = api_for(personas.area_a1_head).post(LIST, new_area("00070"), format="json")
    assert response.status_code == 404
    assert not Unit.objects.filter(code="00070-TDP09").exists()


def test_unit_head_may_see_but_not_edit_its_own_area(personas: Personas, tree: Tree) -> None:
    client = api_for(personas.area_a1_head)
    response = client.patch(f"{LIST}00070-TDP01/", {"name": "Tổ 1 mới"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Bạn không có quyền thực hiện thao tác này tại đơn vị này."
    )
    tree.area_a1.refresh_from_db()
    assert tree.area_a1.name == "Tổ dân phố 1"


def test_province_officer_edits_an_area_and_the_change_is_audited(
    personas: Personas, tree: Tree
) -> None:
    client = api_for(personas.province_a_officer)
    response = client.patch(f"{LIST}00097-TDP02/", {"name": "Tổ dân phố số 2", "latitude": 21.03},
                            format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Tổ dân phố số 2"
    event = AuditEvent.objects.get(verb="unit.update", object_id=str(tree.area_a2.pk))
    assert event.actor == personas.province_a_officer
    assert event.changes["name"] == ["Tổ dân phố 2", "Tổ dân phố số 2"]


def test_patch_out_of_jurisdiction_is_not_found(personas: Personas) -> None:
    client = api_for(personas.commune_b1_officer)
    assert client.patch(f"{LIST}00070-TDP01/", {"name": "X"}, format="json").status_code == 404


def test_patch_rejects_fields_that_are_not_editable(personas: Personas) -> None:
    client = api_for(personas.province_a_officer)
    response = client.patch(f"{LIST}00097-TDP02/", {"kind": "school", "path": "/1/"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "path"}


def test_create_rejects_administrative_kinds(personas: Personas) -> None:
    client = api_for(personas.province_a_officer)
    response = client.post(LIST, new_area("01", code="00999", kind="commune"), format="json")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_service_validation_errors_are_400_with_the_message(personas: Personas) -> None:
    client = api_for(personas.commune_a1_officer)
    response = client.post(LIST, new_area("00070", code="00070-TDP01"), format="json")
    assert response.status_code == 400
    assert "00070-TDP01" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        ({"latitude": 200}, {"latitude": ["Giá trị phải nhỏ hơn hoặc bằng 90."]}),
        ({"education_level": "x"}, {"education_level": ["“x” không phải là lựa chọn hợp lệ."]}),
        ({"valid_from": "01/07/2025"},
         {"valid_from": ["Ngày không hợp lệ: hãy ghi theo dạng YYYY-MM-DD."]}),
        ({"valid_to": "2025-06-01"},
         {"valid_to": ["Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực."]}),
    ],
)
def test_create_input_errors_are_400_in_vietnamese(
    extra: dict[str, object], errors: dict[str, list[str]], personas: Personas
) -> None:
    client = api_for(personas.commune_a1_officer)
    response = client.post(LIST, new_area("00070", **extra), format="json")
    assert response.status_code == 400
    assert response.json() == errors


def test_patch_checks_dates_against_the_stored_ones(personas: Personas) -> None:
    client = api_for(personas.commune_a1_officer)
    response = client.patch(f"{LIST}00070-TDP01/", {"valid_to": "2025-06-01"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"valid_to"}


def test_nothing_is_deleted_or_replaced(personas: Personas) -> None:
    client = api_for(personas.national_admin)
    assert client.delete(f"{LIST}00070-TDP01/").status_code == 405
    assert client.put(f"{LIST}00070-TDP01/", new_area("00070"), format="json").status_code == 405
    assert Unit.objects.filter(code="00070-TDP01").exists()


# --- authentication ------------------------------------------------------------------------------


def test_anonymous_requests_are_refused(tree: Tree) -> None:
    assert APIClient().get(LIST).status_code == 401
    assert APIClient().post(LIST, new_area("00070"), format="json").status_code == 401


def test_a_wrong_token_is_refused(tree: Tree) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(LIST).status_code == 401


def test_session_authentication_also_works(personas: Personas, tree: Tree) -> None:
    client = APIClient()
    client.force_login(personas.commune_b1_officer)
    assert listed_codes(client) == expected_visible("commune_b1_officer", tree)


# --- audit log API -------------------------------------------------------------------------------


def audit_objects(user: User, query: str = "") -> set[str]:
    response = api_for(user).get(f"/api/v1/audit/?limit=1000&{query}")
    assert response.status_code == 200
    return {row["object_repr"] for row in response.json()["results"]}


def test_audit_log_is_scoped_by_jurisdiction(personas: Personas) -> None:
    api_for(personas.commune_a1_officer).post(LIST, new_area("00070"), format="json")
    assert "Tổ dân phố 9" in audit_objects(personas.province_a_officer, "verb=unit.create")
    assert "Tổ dân phố 9" in audit_objects(personas.commune_a1_officer, "verb=unit.create")
    assert audit_objects(personas.commune_b1_officer, "verb=unit.create") == {
        "Phường Sài Gòn",
        "Khu phố 3",
    }
    assert audit_objects(personas.outsider) == set()


def test_audit_events_without_a_unit_are_for_nationwide_users_only(personas: Personas) -> None:
    from antt.accounts.services import issue_token

    issue_token(actor="test", user=personas.commune_a1_officer)
    assert audit_objects(personas.national_admin, "verb=token.issue") == {"xa_a1"}
    assert audit_objects(personas.province_a_officer, "verb=token.issue") == set()
    assert audit_objects(personas.commune_a1_officer, "verb=token.issue") == set()


# --- schema --------------------------------------------------------------------------------------


def test_schema_is_a_valid_openapi_document(personas: Personas) -> None:
    from drf_spectacular.validation import validate_schema

    assert APIClient().get("/api/v1/schema/?format=json").status_code == 401  # users only
    response = api_for(personas.outsider).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert {"/api/v1/units/", "/api/v1/units/{code}/", "/api/v1/me/", "/api/v1/audit/"} <= set(
        schema["paths"]
    )
    assert "delete" not in schema["paths"]["/api/v1/units/{code}/"]
