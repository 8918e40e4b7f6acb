"""The yearly cycle through the API: a whole year with token auth, scoping, 403/404/409/400."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from antt.accounts.models import User
from antt.accounts.services import assign_role
from antt.core.models import AuditEvent
from antt.recognition import services
from antt.recognition.models import AuthorityRule, Certificate, Decision, Registration
from antt.recognition.tests.test_cycle import (
    AREA_MEETING,
    MEETING,
    ORG_MEETING,
    YEAR,
    evidence,
    run_to_appraised,
)
from antt.recognition.tests.test_evaluation import AREA_FACTS, PREVIOUS, SCHOOL_FACTS
from conftest import Personas, Tree, expected_visible

pytestmark = pytest.mark.django_db

PERSONAS = [f.name for f in dataclasses.fields(Personas)]
REGS = "/api/v1/registrations/"
DECISIONS = "/api/v1/decisions/"
RULES = "/api/v1/authority-rules/"
COMMUNE_FACTS = {
    "party_resolution_date": "2025-02-01",
    "security_plan_date": "2025-02-01",
    "registration_date": "2025-02-01",
    "effective_models": 1,
    "crime_count": 3,
    "social_evil_count": 0,
    "other_violation_count": 4,
    "new_order_hotspots": 0,
    "new_social_evil_persons": 0,
}


def api_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def post(client: APIClient, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, format="json")


def step(reg_id: int, name: str) -> str:
    return f"{REGS}{reg_id}/{name}/"


def person(username: str, role: str, unit: Any) -> User:
    user, _, _ = assign_role(actor="test", username=username, role=role, unit=unit)
    return user


@pytest.fixture
def assessed(tree: Tree) -> Registration:
    """Tổ dân phố 1, its meeting held: ready to submit."""
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    services.record_assessment(
        actor="test", registration=reg, held_on=MEETING, chair="Trưởng khu dân cư",
        participants=AREA_MEETING,
    )  # fmt: skip
    reg.refresh_from_db()
    return reg


# --- a whole year --------------------------------------------------------------------------------


def test_residential_area_year_through_the_api(tree: Tree, personas: Personas) -> None:
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    head, officer = api_for(personas.area_a1_head), api_for(personas.commune_a1_officer)

    response = post(head, REGS, {"unit": "00070-TDP01", "year": YEAR,
                                 "registered_on": "2025-02-10", "households_registered": 120})
    assert response.status_code == 201, response.json()
    reg = response.json()
    rid = reg["id"]
    assert (reg["state"], reg["version"], reg["criteria_set"]) == ("registered", 1, "tt124-2021")
    assert (reg["province"], reg["commune"], reg["deadline"]) == ("01", "00070", "2025-11-15")
    assert reg["authority"]["deciding_level"] == "commune"
    assert reg["assessment"] is None

    response = post(head, step(rid, "assess"), {
        "held_on": "2025-10-20", "chair": "Trưởng khu dân cư", "participants": AREA_MEETING,
        "mode": "meeting", "conclusion": "Đề nghị công nhận", "expected_version": 1,
    })  # fmt: skip
    assert response.status_code == 200, response.json()
    reg = response.json()
    assert (reg["state"], reg["version"]) == ("assessed", 2)
    assessment = reg["assessment"]
    assert (assessment["result"], assessment["chair"]) == ("met", "Trưởng khu dân cư")
    assert assessment["evaluation"]["result"] == "met"  # the frozen verdicts
    assert {c["code"] for c in assessment["evaluation"]["criteria"]} >= {"4.1", "4.2"}
    assert assessment["participants"] == AREA_MEETING

    assert post(head, step(rid, "submit"), {"expected_version": 2}).json()["state"] == "submitted"
    response = post(officer, step(rid, "return"), {
        "reasons": {"4.1": "Thiếu danh sách hộ đăng ký"}, "note": "Bổ sung rồi gửi lại",
    })  # fmt: skip
    assert response.status_code == 200, response.json()
    [review] = response.json()["reviews"]
    assert (review["outcome"], review["reasons"]) == (
        "returned", {"4.1": "Thiếu danh sách hộ đăng ký"}
    )
    assert review["reviewed_by"] == "xa_a1"
    assert post(head, step(rid, "submit")).json()["state"] == "submitted"
    response = post(officer, step(rid, "appraise"), {"proposal": "met", "note": "Đủ điều kiện"})
    assert response.json()["state"] == "appraised"
    assert [r["outcome"] for r in response.json()["reviews"]] == ["appraised", "returned"]

    response = post(officer, DECISIONS, {"registrations": [rid], "number": "15/QĐ-UBND",
                                         "signed_on": "2025-11-10",
                                         "signer_name": "Nguyễn Văn Hùng"})
    assert response.status_code == 201, response.json()
    decision = response.json()
    assert (decision["body"], decision["status"], decision["units"]) == ("00070", "valid", 1)
    assert decision["signer_title"] == "Chủ tịch Ủy ban nhân dân xã, phường, đặc khu"
    assert decision["items"] == [{"registration": rid, "unit": "00070-TDP01",
                                  "unit_name": "Tổ dân phố 1", "unit_kind": "residential_area",
                                  "result": "met", "state": "decided_met"}]

    certificates = f"{DECISIONS}{decision['id']}/certificates/"
    response = post(officer, certificates, {"issued_on": "2025-11-12"})
    assert response.status_code == 201, response.json()
    [cert] = response.json()
    assert (cert["number"], cert["serial"], cert["unit"]) == ("1/GCN-ANTT", 1, "00070-TDP01")
    assert len(cert["verification_code"]) == 12
    again = post(officer, certificates)
    assert (again.status_code, again.json()) == (200, [])

    reg = head.get(f"{REGS}{rid}/").json()
    assert (reg["state"], reg["result"], reg["decided_on"]) == ("certified", "met", "2025-11-10")
    assert reg["late"] is False
    assert reg["decision"]["number"] == "15/QĐ-UBND"
    assert reg["certificate"]["verification_code"] == cert["verification_code"]
    assert [c["number"] for c in head.get("/api/v1/certificates/?year=2025").json()["results"]] \
        == ["1/GCN-ANTT"]

    response = post(officer, f"{DECISIONS}{decision['id']}/annul/", {
        "reason": "Phát hiện vụ trộm cắp chưa được báo cáo",
        "reference": "Quyết định số 3/QĐ-UBND ngày 05/01/2026", "annulled_on": "2026-01-05",
    })  # fmt: skip
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["annulled_on"]) == ("annulled", "2026-01-05")
    reg = head.get(f"{REGS}{rid}/").json()
    assert (reg["state"], reg["result"]) == ("annulled", "not_met")
    assert reg["certificate"]["status"] == "annulled"
    verbs = set(AuditEvent.objects.filter(object_id=str(rid)).values_list("verb", flat=True))
    assert {"registration.register", "registration.assess", "registration.return",
            "registration.appraise", "registration.certify", "registration.annul"} <= verbs


def test_commune_year_through_the_api(tree: Tree, personas: Personas) -> None:
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    evidence(tree.school_a1, SCHOOL_FACTS, "7.2")
    evidence(tree.commune_a1, COMMUNE_FACTS, "4.2", "4.4.c", "5.3",
             previous={"crime_count": 3, "social_evil_count": 0, "other_violation_count": 4})
    officer = api_for(personas.commune_a1_officer)
    province = api_for(personas.province_a_officer)

    response = post(officer, f"{REGS}bulk/", {"commune": "00070", "year": YEAR})
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 2
    bulk = {r["unit"]: r["id"] for r in response.json()["results"]}
    assert set(bulk) == {"00070-TDP01", "00070-THCS"}
    again = post(officer, f"{REGS}bulk/", {"commune": "00070", "year": YEAR})
    assert (again.status_code, again.json()["created"]) == (200, 0)

    # The commune's own units: one decision for both, the chair not following one proposal.
    for unit_code, rid in bulk.items():
        run_to_appraised(Registration.objects.get(pk=rid), personas.commune_a1_officer,
                         personas.commune_a1_officer,
                         AREA_MEETING if unit_code.endswith("TDP01") else ORG_MEETING)
    response = post(officer, DECISIONS, {
        "registrations": list(bulk.values()), "number": "20/QĐ-UBND", "signed_on": "2025-11-16",
        "signer_name": "Nguyễn Văn Hùng", "results": {str(bulk["00070-THCS"]): "not_met"},
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    results = {i["unit"]: i["result"] for i in response.json()["items"]}
    assert results == {"00070-TDP01": "met", "00070-THCS": "not_met"}
    issued = post(officer, f"{DECISIONS}{response.json()['id']}/certificates/")
    assert [c["unit"] for c in issued.json()] == ["00070-TDP01"]  # the one recognised
    area = officer.get(f"{REGS}{bulk['00070-TDP01']}/").json()
    assert (area["deadline"], area["late"]) == ("2025-11-15", True)  # signed on 16/11: late
    school = officer.get(f"{REGS}{bulk['00070-THCS']}/").json()
    assert (school["deadline"], school["late"]) == ("2025-11-20", False)

    # The commune itself: decided by the province.
    response = post(officer, REGS, {"unit": "00070", "year": YEAR})
    assert response.status_code == 201, response.json()
    rid = response.json()["id"]
    assert response.json()["authority"]["deciding_level"] == "province"
    with time_machine.travel(dt.datetime(2025, 11, 1, 9, tzinfo=dt.UTC)):
        assert officer.get(f"{REGS}{rid}/").json()["late"] is False
    assert officer.get(f"{REGS}{rid}/").json()["late"] is True  # today, still undecided
    assert post(officer, step(rid, "assess"), {
        "held_on": "2025-10-25", "chair": "Trưởng Công an xã", "participants": [],
    }).status_code == 200  # fmt: skip
    assert post(officer, step(rid, "submit")).status_code == 200
    forbidden = post(officer, step(rid, "appraise"), {"proposal": "met"})
    assert forbidden.status_code == 403
    assert "không có thẩm quyền" in forbidden.json()["detail"]
    assert post(province, step(rid, "appraise"), {"proposal": "met"}).status_code == 200
    response = post(province, DECISIONS, {"registrations": [rid], "number": "3001/QĐ-UBND",
                                          "signed_on": "2025-11-19",
                                          "signer_name": "Trần Sỹ Thanh"})
    assert response.status_code == 201, response.json()
    decision = response.json()
    assert (decision["body"], decision["items"][0]["result"]) == ("01", "met")
    # The commune sees its registration decided, not the province's decision itself.
    assert officer.get(f"{REGS}{rid}/").json()["decision"]["number"] == "3001/QĐ-UBND"
    assert officer.get(f"{DECISIONS}{decision['id']}/").status_code == 404
    response = post(province, f"{DECISIONS}{decision['id']}/certificates/")
    assert [c["unit"] for c in response.json()] == ["00070"]
    assert officer.get("/api/v1/certificates/?year=2025").json()["count"] == 2


def test_certificates_come_with_their_documents(personas: Personas, assessed: Registration) -> None:
    from antt.recognition.models import Document

    officer = personas.commune_a1_officer
    services.submit_dossier(actor="test", registration=assessed)
    reg = run_to_appraised_from_submitted(assessed, officer)
    decision = services.decide(actor=officer, registrations=[reg], number="15/QĐ-UBND",
                               signed_on=dt.date(2025, 11, 10), signer_name="Nguyễn Văn Hùng")
    response = post(api_for(officer), f"{DECISIONS}{decision.pk}/certificates/")
    assert response.status_code == 201
    assert Document.objects.filter(registration=reg, kind="certificate").count() == 1


# --- scoping -------------------------------------------------------------------------------------


@pytest.fixture
def registered(tree: Tree) -> dict[str, Registration]:
    """Every eligible unit of the tree registered; one decision and certificate per commune."""
    regs = {u.code: services.register_unit(actor="test", unit=u, year=YEAR)
            for u in tree.all() if u.eligibility.eligible}  # fmt: skip
    for commune, area in (("00070", "00070-TDP01"), ("26734", "26734-KP03")):
        decision = Decision.objects.create(
            number="1/QĐ-UBND", signed_on=dt.date(2025, 11, 10), year=YEAR,
            issuing_unit=regs[commune].unit, issuing_body="UBND", signer_name="A",
            signer_title="Chủ tịch",
        )  # fmt: skip
        Certificate.objects.create(
            registration=regs[area], decision=decision, issuing_unit=decision.issuing_unit,
            year=YEAR, serial=1, number="1/GCN-ANTT", verification_code=f"CODE{commune}",
            issued_on=dt.date(2025, 11, 12),
        )  # fmt: skip
    return regs


@pytest.mark.parametrize("persona", PERSONAS)
def test_registrations_are_seen_only_inside_the_jurisdiction(
    persona: str, personas: Personas, tree: Tree, registered: dict[str, Registration]
) -> None:
    client = api_for(getattr(personas, persona))
    visible = expected_visible(persona, tree) & set(registered)
    listed = client.get(f"{REGS}?limit=1000").json()["results"]
    assert {r["unit"] for r in listed} == visible
    statuses = {code: client.get(f"{REGS}{r.pk}/").status_code for code, r in registered.items()}
    assert statuses == {code: 200 if code in visible else 404 for code in registered}


@pytest.mark.parametrize("persona", PERSONAS)
def test_decisions_and_certificates_are_seen_only_inside_the_jurisdiction(
    persona: str, personas: Personas, tree: Tree, registered: dict[str, Registration]
) -> None:
    client = api_for(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    decisions = {d.issuing_unit.code: d.pk for d in Decision.objects.select_related("issuing_unit")}
    assert {d["body"] for d in client.get(DECISIONS).json()["results"]} == visible & set(decisions)
    for code, pk in decisions.items():
        assert client.get(f"{DECISIONS}{pk}/").status_code == (200 if code in visible else 404)
    certs = {c.registration.unit.code: c.pk for c in Certificate.objects.all()}
    listed = client.get("/api/v1/certificates/?year=2025").json()["results"]
    assert {c["unit"] for c in listed} == visible & set(certs)
    for code, pk in certs.items():
        status = client.get(f"/api/v1/certificates/{pk}/").status_code
        assert status == (200 if code in visible else 404)


def test_anonymous_requests_are_refused(registered: dict[str, Registration]) -> None:
    assert api_for(None).get(REGS).status_code == 401
    assert post(api_for(None), REGS, {"unit": "00070-TDP01", "year": YEAR}).status_code == 401


def test_registrations_filter_by_year_state_kind_commune_province(
    personas: Personas, registered: dict[str, Registration]
) -> None:
    client = api_for(personas.national_admin)

    def codes(query: str) -> set[str]:
        response = client.get(f"{REGS}?{query}")
        assert response.status_code == 200, response.json()
        return {r["unit"] for r in response.json()["results"]}

    assert codes("province=79") == {"26734", "26734-KP03"}
    assert codes("commune=00070&kind=school") == {"00070-THCS"}
    assert codes("kind=commune&year=2025") == {"00070", "00097", "26734"}
    assert codes("year=2024") == set()
    assert codes("state=registered&province=01") == codes("province=01")
    assert codes("state=appraised") == set()
    bad = client.get(f"{REGS}?state=decided&year=abc")
    assert bad.status_code == 400
    assert "không hợp lệ" in bad.json()["state"][0]
    assert "Năm phải là một số" in bad.json()["year"][0]


def test_the_list_stays_within_a_query_budget(
    personas: Personas, registered: dict[str, Registration], django_assert_max_num_queries: Any
) -> None:
    client = api_for(personas.national_admin)
    with django_assert_max_num_queries(6):
        assert client.get(REGS).json()["count"] == len(registered)


def test_a_unit_out_of_the_jurisdiction_is_not_found(tree: Tree, personas: Personas) -> None:
    officer = api_for(personas.commune_a1_officer)
    response = post(officer, REGS, {"unit": "26734-KP03", "year": YEAR})
    assert response.status_code == 404
    assert "trong phạm vi quản lý của bạn" in response.json()["detail"]
    assert post(officer, f"{REGS}bulk/", {"commune": "26734", "year": YEAR}).status_code == 404
    other = services.register_unit(actor="test", unit=tree.area_b1, year=YEAR)
    response = post(officer, DECISIONS, {"registrations": [other.pk], "number": "1/QĐ",
                                         "signed_on": "2025-11-10", "signer_name": "A"})
    assert response.status_code == 404
    assert post(officer, step(other.pk, "submit")).status_code == 404


# --- seeing without acting: 403 ------------------------------------------------------------------


def test_a_viewer_and_a_committee_member_cannot_submit(
    tree: Tree, personas: Personas, assessed: Registration
) -> None:
    viewer = person("xem_a1", "viewer", tree.commune_a1)
    member = person("thamdinh_a1", "committee_member", tree.commune_a1)
    for user in (viewer, member):
        client = api_for(user)
        assert client.get(f"{REGS}{assessed.pk}/").status_code == 200  # they see it
        response = post(client, step(assessed.pk, "submit"))
        assert response.status_code == 403
        assert "không có thẩm quyền gửi hồ sơ" in response.json()["detail"]
    assert Registration.objects.get(pk=assessed.pk).state == "assessed"
    # The committee member appraises what the commune appraises; the viewer does nothing.
    services.submit_dossier(actor=personas.area_a1_head, registration=assessed)
    assert post(api_for(viewer), step(assessed.pk, "appraise"), {"proposal": "met"}).status_code \
        == 403
    assert post(api_for(member), step(assessed.pk, "appraise"), {"proposal": "met"}).status_code \
        == 200


def test_the_area_head_cannot_appraise_decide_or_register_elsewhere(
    tree: Tree, personas: Personas, assessed: Registration
) -> None:
    head = api_for(personas.area_a1_head)
    services.submit_dossier(actor="test", registration=assessed)
    assert post(head, step(assessed.pk, "appraise"), {"proposal": "met"}).status_code == 403
    services.appraise_dossier(actor="test", registration=assessed, proposal="met")
    response = post(head, DECISIONS, {"registrations": [assessed.pk], "number": "1/QĐ",
                                      "signed_on": "2025-11-10", "signer_name": "A"})
    assert response.status_code == 403
    assert not Decision.objects.exists()
    viewer = api_for(person("xem_a1", "viewer", tree.commune_a1))
    response = post(viewer, REGS, {"unit": "00070-THCS", "year": YEAR})
    assert response.status_code == 403
    assert "không có quyền đăng ký" in response.json()["detail"]


def test_only_the_decider_annuls(tree: Tree, personas: Personas, assessed: Registration) -> None:
    officer = personas.commune_a1_officer
    services.submit_dossier(actor="test", registration=assessed)
    reg = run_to_appraised_from_submitted(assessed, officer)
    decision = services.decide(actor=officer, registrations=[reg], number="15/QĐ-UBND",
                               signed_on=dt.date(2025, 11, 10), signer_name="Nguyễn Văn Hùng")
    member = api_for(person("thamdinh_a1", "committee_member", tree.commune_a1))
    annul = {"reason": "Sai sót", "reference": "QĐ 3/QĐ-UBND", "annulled_on": "2026-01-05"}
    assert post(member, f"{DECISIONS}{decision.pk}/annul/", annul).status_code == 403
    assert Decision.objects.get(pk=decision.pk).status == "valid"


def run_to_appraised_from_submitted(reg: Registration, officer: User) -> Registration:
    services.appraise_dossier(actor=officer, registration=reg, proposal="met")
    reg.refresh_from_db()
    return reg


# --- conflicts: 409 ------------------------------------------------------------------------------


def test_a_stale_expected_version_is_a_conflict(personas: Personas, assessed: Registration) -> None:
    head = api_for(personas.area_a1_head)
    assert assessed.version == 2
    response = post(head, step(assessed.pk, "submit"), {"expected_version": 1})
    assert response.status_code == 409
    assert "đã thay đổi" in response.json()["detail"]
    assert Registration.objects.get(pk=assessed.pk).state == "assessed"
    assert post(head, step(assessed.pk, "submit"), {"expected_version": 2}).status_code == 200


def test_a_concurrent_change_is_a_conflict(
    personas: Personas, assessed: Registration, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.submit_dossier(actor="test", registration=assessed)
    appraise = services.appraise_dossier

    def other_officer_first(**kwargs: Any) -> Any:
        # Between the API's read and its write, a colleague returns the dossier.
        fresh = Registration.objects.get(pk=kwargs["registration"].pk)
        services.return_dossier(actor="test", registration=fresh, reasons={"4.2": "Xem lại"})
        return appraise(**kwargs)

    monkeypatch.setattr(services, "appraise_dossier", other_officer_first)
    response = post(api_for(personas.commune_a1_officer), step(assessed.pk, "appraise"),
                    {"proposal": "met", "expected_version": 3})
    assert response.status_code == 409
    assert "vừa được người khác cập nhật" in response.json()["detail"]
    assert Registration.objects.get(pk=assessed.pk).state == "returned"


def test_a_step_the_state_does_not_allow_is_a_conflict(
    personas: Personas, assessed: Registration
) -> None:
    officer = api_for(personas.commune_a1_officer)
    response = post(officer, step(assessed.pk, "appraise"), {"proposal": "met"})
    assert response.status_code == 409
    assert "Không thể thực hiện “thẩm định hồ sơ”" in response.json()["detail"]


def test_annulling_twice_is_a_conflict(personas: Personas, assessed: Registration) -> None:
    officer = personas.commune_a1_officer
    services.submit_dossier(actor="test", registration=assessed)
    reg = run_to_appraised_from_submitted(assessed, officer)
    decision = services.decide(actor=officer, registrations=[reg], number="15/QĐ-UBND",
                               signed_on=dt.date(2025, 11, 10), signer_name="Nguyễn Văn Hùng")
    annul = {"reason": "Sai sót", "reference": "QĐ 3/QĐ-UBND", "annulled_on": "2026-01-05"}
    client = api_for(officer)
    assert post(client, f"{DECISIONS}{decision.pk}/annul/", annul).status_code == 200
    response = post(client, f"{DECISIONS}{decision.pk}/annul/", annul)
    assert response.status_code == 409
    assert "đã bị hủy bỏ trước đó" in response.json()["detail"]


# --- bad input: 400 in Vietnamese ----------------------------------------------------------------


def test_bad_registration_input(tree: Tree, personas: Personas) -> None:
    officer = api_for(personas.commune_a1_officer)
    response = post(officer, REGS, {"unit": "00070-TDP01", "registered_on": "10/02/2025",
                                    "households": 3})
    assert response.status_code == 400
    assert response.json() == {"households": ["Trường này không nhận qua API."]}
    response = post(officer, REGS, {"unit": "00070-TDP01", "registered_on": "10/02/2025"})
    assert response.json() == {
        "year": ["Trường này là bắt buộc."],
        "registered_on": ["Ngày không hợp lệ: hãy ghi theo dạng YYYY-MM-DD."],
    }
    response = post(officer, REGS, {"unit": "00070-TDP01", "year": 2099})
    assert "Năm không được sau năm" in response.json()["year"][0]
    assert post(officer, REGS, {"unit": "00070-TDP01", "year": YEAR}).status_code == 201
    response = post(officer, REGS, {"unit": "00070-TDP01", "year": YEAR})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Tổ dân phố 1 đã đăng ký năm 2025."]}
    response = post(officer, f"{REGS}bulk/", {"commune": "00070-TDP01", "year": YEAR})
    assert response.json() == {"commune": ["Tổ dân phố 1 không phải là xã, phường, đặc khu."]}
    tree.enterprise_a1.enterprise_size = "small"
    tree.enterprise_a1.save(update_fields=["enterprise_size"])
    response = post(officer, REGS, {"unit": "00070-DN01", "year": YEAR})
    assert "không thuộc đối tượng đăng ký" in response.json()["non_field_errors"][0]


def test_bad_step_input(personas: Personas, assessed: Registration) -> None:
    head, officer = api_for(personas.area_a1_head), api_for(personas.commune_a1_officer)
    response = post(head, step(assessed.pk, "assess"), {
        "held_on": "2025-13-01", "participants": [{"name": "A", "chuc_vu": "x"}], "mode": "online",
    })  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["held_on"] == ["Ngày không hợp lệ: hãy ghi theo dạng YYYY-MM-DD."]
    assert body["chair"] == ["Trường này là bắt buộc."]
    assert body["mode"] == ["“online” không phải là lựa chọn hợp lệ."]
    response = post(head, step(assessed.pk, "assess"), {
        "held_on": "2025-10-20", "chair": "Trưởng khu dân cư", "participants": AREA_MEETING[1:],
    })  # fmt: skip
    assert "Thành phần cuộc họp còn thiếu" in response.json()["non_field_errors"][0]
    assert "Bí thư chi bộ" in response.json()["non_field_errors"][0]
    assert post(head, step(assessed.pk, "submit"), {"expected_version": "hai"}).json() == {
        "expected_version": ["Cần một số nguyên hợp lệ."]
    }
    services.submit_dossier(actor="test", registration=assessed)
    response = post(officer, step(assessed.pk, "return"), {"reasons": {"4.1": " "}})
    assert response.json() == {
        "non_field_errors": ["Cần nêu lý do trả lại hồ sơ (theo tiêu chí hoặc ý kiến chung)."]
    }
    response = post(officer, step(assessed.pk, "return"), {"reasons": ["4.1"]})
    assert response.json() == {"reasons": ["Cần một đối tượng JSON (tên: giá trị)."]}
    response = post(officer, step(assessed.pk, "appraise"), {"proposal": "pending"})
    assert response.json() == {"proposal": ["“pending” không phải là lựa chọn hợp lệ."]}
    assert Registration.objects.get(pk=assessed.pk).state == "submitted"


def test_bad_decision_input(personas: Personas, assessed: Registration) -> None:
    officer = personas.commune_a1_officer
    client = api_for(officer)
    services.submit_dossier(actor="test", registration=assessed)
    reg = run_to_appraised_from_submitted(assessed, officer)
    response = post(client, DECISIONS, {"registrations": [], "number": "", "signed_on": "x"})
    assert response.json() == {
        "registrations": ["Danh sách không được rỗng."],
        "number": ["Trường này không được bỏ trống."],
        "signed_on": ["Ngày không hợp lệ: hãy ghi theo dạng YYYY-MM-DD."],
        "signer_name": ["Trường này là bắt buộc."],
    }
    decision = {"registrations": [reg.pk], "number": "15/QĐ-UBND", "signed_on": "2025-11-10",
                "signer_name": "Nguyễn Văn Hùng"}
    response = post(client, DECISIONS, {**decision, "results": {"999": "met"}})
    assert response.json() == {"results": ["“999” không phải là hồ sơ trong quyết định."]}
    response = post(client, DECISIONS, {**decision, "results": {str(reg.pk): "pending"}})
    assert response.status_code == 400
    assert post(client, DECISIONS, decision).status_code == 201
    # Same number again, for a second unit of the same commune: the number is taken.
    evidence(assessed.unit.parent.children.get(code="00070-THCS"), SCHOOL_FACTS, "7.2")
    school = services.register_unit(actor="test", unit=assessed.unit.parent.children.get(
        code="00070-THCS"), year=YEAR)
    school = run_to_appraised(school, officer, officer, ORG_MEETING, chair="Hiệu trưởng")
    response = post(client, DECISIONS, {**decision, "registrations": [school.pk]})
    assert response.status_code == 400
    assert response.json() == {
        "number": ["Số quyết định “15/QĐ-UBND” đã được Phường Hoàn Kiếm sử dụng."]
    }
    assert Registration.objects.get(pk=school.pk).state == "appraised"
    bad_date = post(client, f"{DECISIONS}{Decision.objects.get().pk}/certificates/",
                    {"issued_on": "hôm nay"})
    assert bad_date.json() == {"issued_on": ["Ngày không hợp lệ: hãy ghi theo dạng YYYY-MM-DD."]}


# --- the authority table -------------------------------------------------------------------------


def test_everyone_reads_the_authority_table(personas: Personas) -> None:
    response = api_for(personas.outsider).get(f"{RULES}?limit=100")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == AuthorityRule.objects.count()
    assert {"unit_kind", "deciding_level", "deadline_month", "deadline_day"} <= set(rows[0])


def test_only_a_national_administrator_edits_the_authority_table(personas: Personas) -> None:
    rule = AuthorityRule.objects.filter(unit_kind="residential_area", valid_to=None).get()
    url = f"{RULES}{rule.pk}/"
    for persona in ("province_a_officer", "commune_a1_officer", "outsider"):
        response = api_for(getattr(personas, persona)).patch(url, {"deadline_day": 10},
                                                             format="json")
        assert response.status_code == 403
        assert "Chỉ quản trị toàn quốc" in response.json()["detail"]
    admin = api_for(personas.national_admin)
    response = admin.patch(url, {"deadline_day": 10, "confirmed": True}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["deadline_day"], response.json()["confirmed"]) == (10, True)
    event = AuditEvent.objects.get(verb="authority_rule.update")
    assert event.changes == {"confirmed": [False, True], "deadline_day": [15, 10]}
    assert event.actor_label == "quantri"


def test_authority_rules_are_validated(personas: Personas) -> None:
    admin = api_for(personas.national_admin)
    rule = AuthorityRule.objects.filter(unit_kind="commune", valid_to=None).get()
    url = f"{RULES}{rule.pk}/"
    response = admin.patch(url, {"deadline_month": 2, "deadline_day": 30}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "deadline_day": ["Hạn 30/2 không phải là một ngày có trong mọi năm."]
    }
    response = admin.patch(url, {"valid_to": "2025-01-01"}, format="json")
    assert response.json() == {
        "valid_to": ["Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực."]
    }
    response = admin.patch(url, {"unit_kind": "province"}, format="json")
    assert response.json() == {
        "unit_kind": ["Loại đơn vị phải là một trong: agency, commune, enterprise, "
                      "residential_area, school."]
    }
    response = admin.patch(url, {"deciding_level": "village"}, format="json")
    assert response.json() == {"deciding_level": ["“village” không phải là lựa chọn hợp lệ."]}
    rule.refresh_from_db()
    assert (rule.unit_kind, rule.deadline_day, rule.valid_to) == ("commune", 20, None)
    new = {
        "unit_kind": "school", "managing_level": "province", "valid_from": "2027-01-01",
        "appraising_body": "Công an tỉnh", "deciding_body": "Ủy ban nhân dân cấp tỉnh",
        "deciding_level": "province", "signer_title": "Chủ tịch Ủy ban nhân dân cấp tỉnh",
        "deadline_month": 11, "deadline_day": 20, "legal_basis": "TT 124/2021/TT-BCA",
    }  # fmt: skip
    response = post(admin, RULES, new)
    assert response.status_code == 201, response.json()
    assert AuditEvent.objects.filter(verb="authority_rule.create").count() == 1
    assert post(admin, RULES, {**new, "legal_basis": " "}).json() == {
        "legal_basis": ["Trường này không được bỏ trống."]
    }


# --- schema --------------------------------------------------------------------------------------


def test_the_schema_validates_and_documents_the_cycle(db: None, tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in (
        "/api/v1/registrations/:", "/api/v1/registrations/{id}/:",
        "/api/v1/registrations/bulk/:", "/api/v1/registrations/{id}/assess/:",
        "/api/v1/registrations/{id}/submit/:", "/api/v1/registrations/{id}/return/:",
        "/api/v1/registrations/{id}/appraise/:", "/api/v1/decisions/:",
        "/api/v1/decisions/{id}/certificates/:", "/api/v1/decisions/{id}/annul/:",
        "/api/v1/certificates/{id}/:", "/api/v1/authority-rules/{id}/:",
    ):  # fmt: skip
        assert path in text

