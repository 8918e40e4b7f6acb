"""Evaluation API: scoped by jurisdiction, the same JSON as the command, Vietnamese errors."""

from __future__ import annotations

import dataclasses
import json
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from antt.accounts.models import User
from antt.records.models import CriterionJudgement, YearFacts
from conftest import Personas, Tree, expected_visible

PERSONAS = [f.name for f in dataclasses.fields(Personas)]
YEAR = 2025

pytestmark = pytest.mark.django_db


def api_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def evaluation_url(code: str, year: object = YEAR) -> str:
    return f"/api/v1/units/{code}/evaluation/?year={year}"


@pytest.fixture
def recorded(tree: Tree) -> Tree:
    YearFacts.objects.create(
        unit=tree.area_a1,
        year=YEAR,
        data={"party_resolution_date": "2025-02-10", "households_residing": 10},
    )
    CriterionJudgement.objects.create(
        unit=tree.area_a1, year=YEAR, criterion_code="4.2", verdict="met", reason="Biên bản số 3"
    )
    return tree


# --- one unit ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_evaluation_is_found_only_inside_the_persona_jurisdiction(
    persona: str, personas: Personas, tree: Tree
) -> None:
    client = api_for(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    statuses = {u.code: client.get(evaluation_url(u.code)).status_code for u in tree.all()}

    def expected(code: str, kind: str) -> int:
        if code not in visible:
            return 404
        return 409 if kind == "province" else 200  # provinces are not evaluated

    assert statuses == {u.code: expected(u.code, u.kind) for u in tree.all()}


def test_evaluation_json_is_the_commands_json(recorded: Tree, personas: Personas) -> None:
    response = api_for(personas.commune_a1_officer).get(evaluation_url("00070-TDP01"))
    assert response.status_code == 200
    out = StringIO()
    call_command(
        "evaluate", "--year", str(YEAR), "--unit", "00070-TDP01", "--format", "json", stdout=out
    )
    assert response.json() == json.loads(out.getvalue())


def test_evaluation_json_shape(recorded: Tree, personas: Personas) -> None:
    data = api_for(personas.commune_a1_officer).get(evaluation_url("00070-TDP01")).json()
    assert list(data) == [
        "unit",
        "unit_name",
        "year",
        "standard",
        "window",
        "result",
        "criteria",
        "settings",
    ]
    assert data["window"] == ["2024-11-01", "2025-10-31"]
    assert data["result"] == "pending"
    [c41, c42] = data["criteria"][:2]
    assert c41["verdict"] == "missing_data"
    assert c41["explanation"].startswith("4.1 thiếu số liệu:")
    assert c42["judgement"] == {
        "verdict": "met",
        "reason": "Biên bản số 3",
        "by": "",
        "override": False,
    }


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("", "Thiếu năm đánh giá"),
        ("abc", "Năm đánh giá phải là một số"),
        ("2011", "Năm đánh giá phải từ 2012 trở đi"),
        ("2999", "Năm đánh giá không được sau năm hiện tại"),
    ],
)
def test_a_missing_or_bad_year_is_a_400_in_vietnamese(
    year: str, message: str, tree: Tree, personas: Personas
) -> None:
    response = api_for(personas.national_admin).get(evaluation_url("00070-TDP01", year))
    assert response.status_code == 400
    assert message in response.json()["year"][0]


def test_no_year_parameter_at_all_is_a_400(tree: Tree, personas: Personas) -> None:
    response = api_for(personas.national_admin).get("/api/v1/units/00070-TDP01/evaluation/")
    assert response.status_code == 400
    assert "Thiếu năm đánh giá" in response.json()["year"][0]


def test_an_ineligible_unit_is_a_409_naming_the_reason(tree: Tree, personas: Personas) -> None:
    response = api_for(personas.national_admin).get(evaluation_url("01"))
    assert response.status_code == 409
    assert response.json()["reason"] == "Cấp tỉnh, cấp huyện không thuộc đối tượng xét công nhận."
    assert "Thành phố Hà Nội không thuộc đối tượng xét công nhận" in response.json()["detail"]


def test_a_year_before_the_unit_existed_is_not_found(tree: Tree, personas: Personas) -> None:
    response = api_for(personas.national_admin).get(evaluation_url("00070-TDP01", 2024))
    assert response.status_code == 404


def test_anonymous_requests_are_refused(tree: Tree) -> None:
    assert api_for(None).get(evaluation_url("00070-TDP01")).status_code == 401


# --- a scope -------------------------------------------------------------------------------------


def scope_url(scope: str, year: object = YEAR, extra: str = "") -> str:
    return f"/api/v1/evaluations/?scope={scope}&year={year}{extra}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_scope_evaluation_is_found_only_inside_the_persona_jurisdiction(
    persona: str, personas: Personas, tree: Tree
) -> None:
    client = api_for(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    for root in (tree.province_a, tree.commune_a1, tree.commune_b1):
        response = client.get(scope_url(root.code))
        assert response.status_code == (200 if root.code in visible else 404), root.code
        if response.status_code == 200:
            listed = {u["unit"] for u in response.json()["results"]}
            assert listed <= visible


def test_scope_summary_and_units(recorded: Tree, personas: Personas) -> None:
    data = api_for(personas.province_a_officer).get(scope_url("01")).json()
    assert data["scope"] == "01"
    assert data["scope_name"] == "Thành phố Hà Nội"
    assert data["summary"]["residential_area"] == {
        "met": 0,
        "not_met": 0,
        "pending": 2,
        "total": 2,
        "ineligible": 0,
    }
    assert data["summary"]["commune"]["total"] == 2
    assert data["ineligible"] == []
    assert data["count"] == 6  # 2 communes, 2 areas, the school, the enterprise
    codes = {u["unit"] for u in data["results"]}
    assert codes == {"00070", "00097", "00070-TDP01", "00097-TDP02", "00070-THCS", "00070-DN01"}
    [area] = [u for u in data["results"] if u["unit"] == "00070-TDP01"]
    assert area["result"] == "pending"
    assert area["failed"] == []
    assert "4.1" in area["pending"]


def test_scope_units_are_paginated(tree: Tree, personas: Personas) -> None:
    client = api_for(personas.national_admin)
    first = client.get(scope_url("01", extra="&limit=2")).json()
    assert first["count"] == 6
    assert len(first["results"]) == 2
    assert "offset=2" in first["next"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert {u["unit"] for u in first["results"]}.isdisjoint({u["unit"] for u in second["results"]})
    assert second["summary"] == first["summary"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("year=2025", "scope", "Thiếu mã đơn vị cần đánh giá"),
        ("scope=01", "year", "Thiếu năm đánh giá"),
        ("scope=01&year=x", "year", "Năm đánh giá phải là một số"),
    ],
)
def test_scope_parameters_are_checked_in_vietnamese(
    query: str, field: str, message: str, tree: Tree, personas: Personas
) -> None:
    response = api_for(personas.national_admin).get(f"/api/v1/evaluations/?{query}")
    assert response.status_code == 400
    assert message in response.json()[field][0]


# --- the criteria sets ---------------------------------------------------------------------------


def test_standards_list_and_detail_are_the_commands_json(personas: Personas) -> None:
    client = api_for(personas.outsider)  # the law is the same for everyone signed in
    sets = client.get("/api/v1/standards/").json()
    assert [s["code"] for s in sets] == ["tt23-2012", "tt124-2021"]
    out = StringIO()
    call_command("standards", "show", "tt124-2021", "--format", "json", stdout=out)
    assert client.get("/api/v1/standards/tt124-2021/").json() == json.loads(out.getvalue())
    missing = client.get("/api/v1/standards/tt999/")
    assert missing.status_code == 404
    assert "Không có bộ tiêu chí" in missing.json()["detail"]


def test_standards_facts_lists_the_catalogue(personas: Personas) -> None:
    facts = api_for(personas.outsider).get("/api/v1/standards/facts/").json()
    assert "households_residing" in {f["name"] for f in facts}


def test_schema_documents_the_evaluation_endpoints(db: None) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/v1/units/{code}/evaluation/" in paths
    params = {p["name"] for p in paths["/api/v1/evaluations/"]["get"]["parameters"]}
    assert {"scope", "year", "limit", "offset"} <= params
    assert "/api/v1/standards/{code}/" in paths
