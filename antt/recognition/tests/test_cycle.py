"""One year of the movement, end to end through the services, for every kind of unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from antt.core.models import AuditEvent
from antt.recognition import services
from antt.recognition.models import Certificate, Decision, Registration
from antt.recognition.tests.test_evaluation import AREA_FACTS, PREVIOUS, SCHOOL_FACTS
from antt.recognition.workflow import State
from antt.records.models import CriterionJudgement, YearFacts
from antt.units.models import UnitSuccession
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db

YEAR = 2025
MEETING = dt.date(2025, 10, 20)
AREA_MEETING = [
    {"name": "Nguyễn Văn Bình", "role": "party_cell_secretary"},
    {"name": "Trần Thị Cúc", "role": "front_work_committee"},
    {"name": "Đại úy Lê Văn Dũng", "role": "grassroots_police"},
]
ORG_MEETING = [
    {"name": "Phạm Văn Em", "role": "party_committee"},
    {"name": "Thiếu tá Hồ Văn Phúc", "role": "grassroots_police"},
    {"name": "Vũ Thị Giang", "role": "managing_authority"},
]
ENTERPRISE_FACTS = {
    **{k: v for k, v in SCHOOL_FACTS.items() if k != "parents_board_coordination"},
    "internal_rule_topics": ["unit_protection", "state_secrets", "internal_politics",
                             "labour_safety", "fire_safety", "environment"],
}


def evidence(unit, facts, *judged, previous=None):
    YearFacts.objects.create(unit=unit, year=YEAR, data=facts)
    if previous:
        YearFacts.objects.create(unit=unit, year=YEAR - 1, data=previous)
    for code in judged:
        CriterionJudgement.objects.create(unit=unit, year=YEAR, criterion_code=code,
                                          verdict="met", reason="Cuộc họp thống nhất")


def run_to_appraised(reg, actor, appraiser, participants, chair="Trưởng đơn vị"):
    services.record_assessment(actor=actor, registration=reg, held_on=MEETING, chair=chair,
                               participants=participants)
    services.submit_dossier(actor=actor, registration=reg)
    services.appraise_dossier(actor=appraiser, registration=reg, proposal="met")
    reg.refresh_from_db()
    return reg


def test_residential_area_year_decided_by_the_commune(tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    officer = personas.commune_a1_officer
    reg = services.register_unit(actor=personas.area_a1_head, unit=tree.area_a1, year=YEAR,
                                 registered_on=dt.date(2025, 2, 10))
    assert (reg.criteria_set, reg.province, reg.commune) == ("tt124-2021", tree.province_a,
                                                             tree.commune_a1)
    assert reg.authority.deciding_level == "commune"
    assert services.deadline(reg) == dt.date(2025, 11, 15)

    services.record_assessment(actor=personas.area_a1_head, registration=reg, held_on=MEETING,
                               chair="Trưởng khu dân cư", participants=AREA_MEETING)
    services.submit_dossier(actor=personas.area_a1_head, registration=reg)
    # The head of the residential area cannot appraise or decide its own dossier.
    with pytest.raises(PermissionDenied):
        services.appraise_dossier(actor=personas.area_a1_head, registration=reg, proposal="met")
    # The standing office returns it once with a reason; the head corrects and resubmits.
    services.return_dossier(actor=officer, registration=reg,
                            reasons={"4.1": "Thiếu danh sách hộ đăng ký"})
    reg.refresh_from_db()
    assert reg.state == State.RETURNED
    services.submit_dossier(actor=personas.area_a1_head, registration=reg)
    services.appraise_dossier(actor=officer, registration=reg, proposal="met")
    decision = services.decide(actor=officer, registrations=[reg], number="15/QĐ-UBND",
                               signed_on=dt.date(2025, 11, 10), signer_name="Nguyễn Văn Hùng")
    assert decision.issuing_unit == tree.commune_a1
    assert decision.signer_title == "Chủ tịch Ủy ban nhân dân xã, phường, đặc khu"
    [cert] = services.issue_certificates(actor=officer, decision=decision,
                                         issued_on=dt.date(2025, 11, 12))
    reg.refresh_from_db()
    assert (reg.state, reg.result) == (State.CERTIFIED, "met")
    assert (cert.serial, cert.number) == (1, "1/GCN-ANTT")
    assert len(cert.verification_code) == 12
    verbs = set(AuditEvent.objects.filter(object_id=str(reg.pk)).values_list("verb", flat=True))
    assert {"registration.register", "registration.assess", "registration.submit",
            "registration.return", "registration.appraise", "registration.decide_met",
            "registration.certify"} <= verbs


def test_the_assessment_freezes_the_verdicts(tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    assessment = services.record_assessment(actor="test", registration=reg, held_on=MEETING,
                                            chair="Trưởng khu dân cư", participants=AREA_MEETING)
    assert assessment.result == "met"
    YearFacts.objects.filter(unit=tree.area_a1, year=YEAR).update(
        data={**AREA_FACTS, "households_registered": 1}
    )
    assessment.refresh_from_db()
    assert assessment.evaluation["result"] == "met"  # later edits never rewrite the meeting


def test_meeting_cannot_close_with_pending_criteria(tree):
    YearFacts.objects.create(unit=tree.area_a1, year=YEAR, data=AREA_FACTS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    with pytest.raises(ValidationError, match=r"4\.2"):
        services.record_assessment(actor="test", registration=reg, held_on=MEETING,
                                   chair="Trưởng khu dân cư", participants=AREA_MEETING)


def test_meeting_needs_the_participants_of_article_9_1(tree):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    with pytest.raises(ValidationError, match="Bí thư chi bộ"):
        services.record_assessment(actor="test", registration=reg, held_on=MEETING,
                                   chair="Trưởng khu dân cư", participants=AREA_MEETING[1:])
    # A written consultation has no meeting to attend.
    services.record_assessment(actor="test", registration=reg, held_on=MEETING,
                               chair="Trưởng khu dân cư", mode="written_consultation")


def test_school_managed_by_the_commune(tree, personas):
    evidence(tree.school_a1, SCHOOL_FACTS, "7.2")
    officer = personas.commune_a1_officer
    reg = services.register_unit(actor=officer, unit=tree.school_a1, year=YEAR)
    assert services.deadline(reg) == dt.date(2025, 11, 20)
    run_to_appraised(reg, officer, officer, ORG_MEETING, chair="Hiệu trưởng")
    decision = services.decide(actor=officer, registrations=[reg], number="16/QĐ-UBND",
                               signed_on=dt.date(2025, 11, 18), signer_name="Nguyễn Văn Hùng")
    assert services.issue_certificates(actor=officer, decision=decision)[0].serial == 1


def test_enterprise_managed_by_the_province_is_decided_by_the_province(tree, personas):
    evidence(tree.enterprise_a1, ENTERPRISE_FACTS, "6.2")
    reg = services.register_unit(actor=personas.commune_a1_officer, unit=tree.enterprise_a1,
                                 year=YEAR)
    assert reg.authority.deciding_level == "province"
    run_to_appraised(reg, personas.commune_a1_officer, personas.province_a_officer, ORG_MEETING,
                     chair="Giám đốc")
    with pytest.raises(PermissionDenied):
        services.decide(actor=personas.commune_a1_officer, registrations=[reg], number="1/QĐ",
                        signed_on=dt.date(2025, 11, 19), signer_name="A")
    decision = services.decide(actor=personas.province_a_officer, registrations=[reg],
                               number="2001/QĐ-UBND", signed_on=dt.date(2025, 11, 19),
                               signer_name="Trần Sỹ Thanh")
    assert decision.issuing_unit == tree.province_a


def test_commune_reads_its_units_and_is_decided_by_the_province(tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    evidence(tree.school_a1, SCHOOL_FACTS, "7.2")
    evidence(tree.commune_a1, {"party_resolution_date": "2025-02-01",
                               "security_plan_date": "2025-02-01",
                               "registration_date": "2025-02-01", "effective_models": 1,
                               "crime_count": 3, "social_evil_count": 0,
                               "other_violation_count": 4, "new_order_hotspots": 0,
                               "new_social_evil_persons": 0},
             "4.2", "4.4.c", "5.3",
             previous={"crime_count": 3, "social_evil_count": 0, "other_violation_count": 4})
    regs = services.register_units(actor=personas.commune_a1_officer, commune=tree.commune_a1,
                                   year=YEAR)
    # Tổ dân phố 1 and the THCS school; the province-managed enterprise is not the commune's.
    assert sorted(r.unit.code for r in regs) == ["00070-TDP01", "00070-THCS"]
    assert services.register_units(actor=personas.commune_a1_officer, commune=tree.commune_a1,
                                   year=YEAR) == []
    reg = services.register_unit(actor=personas.commune_a1_officer, unit=tree.commune_a1,
                                 year=YEAR)
    assert reg.authority.deciding_level == "province"
    run_to_appraised(reg, personas.commune_a1_officer, personas.province_a_officer, [],
                     chair="Trưởng Công an xã")
    decision = services.decide(actor=personas.province_a_officer, registrations=[reg],
                               number="3001/QĐ-UBND", signed_on=dt.date(2025, 11, 19),
                               signer_name="Trần Sỹ Thanh")
    assert decision.items.get().result == "met"


def test_a_province_decides_many_units_in_one_decision(tree, personas):
    officer = personas.province_a_officer
    units = [create_unit(actor="test", code=f"00070-X{i}", name=f"Thôn {i}",
                         kind="residential_area", parent=tree.commune_a1,
                         valid_from=dt.date(2025, 7, 1)) for i in range(30)]
    regs = []
    for unit in units:
        evidence(unit, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
        reg = services.register_unit(actor="test", unit=unit, year=YEAR)
        regs.append(run_to_appraised(reg, "test", "test", AREA_MEETING))
    decision = services.decide(actor=officer, registrations=regs, number="99/QĐ-UBND",
                               signed_on=dt.date(2025, 11, 14), signer_name="Nguyễn Văn Hùng",
                               results={regs[0].pk: "not_met"})
    assert decision.items.count() == 30
    certs = services.issue_certificates(actor=officer, decision=decision)
    assert [c.serial for c in certs] == list(range(1, 30))  # gap-free, one not recognised
    assert Registration.objects.get(pk=regs[0].pk).state == State.DECIDED_NOT_MET
    # A second call issues nothing twice.
    assert services.issue_certificates(actor=officer, decision=decision) == []


def test_two_officers_at_once_never_lose_an_update(tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    services.record_assessment(actor="test", registration=reg, held_on=MEETING,
                               chair="Trưởng khu dân cư", participants=AREA_MEETING)
    services.submit_dossier(actor="test", registration=reg)
    first = Registration.objects.get(pk=reg.pk)
    second = Registration.objects.get(pk=reg.pk)  # both loaded the dossier as "submitted"
    services.appraise_dossier(actor=personas.commune_a1_officer, registration=first,
                              proposal="met")
    with pytest.raises(services.ConcurrentChange, match="vừa được người khác cập nhật"):
        services.return_dossier(actor=personas.commune_a1_officer, registration=second,
                                reasons={"4.2": "Xem lại"})
    assert Registration.objects.get(pk=reg.pk).state == State.APPRAISED


def test_annulment_keeps_history_and_annuls_certificates(tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    officer = personas.commune_a1_officer
    reg = run_to_appraised(services.register_unit(actor="test", unit=tree.area_a1, year=YEAR),
                           "test", officer, AREA_MEETING)
    decision = services.decide(actor=officer, registrations=[reg], number="15/QĐ-UBND",
                               signed_on=dt.date(2025, 11, 10), signer_name="Nguyễn Văn Hùng")
    [cert] = services.issue_certificates(actor=officer, decision=decision)
    with pytest.raises(ValidationError):
        services.annul_decision(actor=officer, decision=decision, reason="", reference="",
                                annulled_on=dt.date(2026, 1, 5))
    services.annul_decision(actor=officer, decision=decision,
                            reason="Phát hiện vụ trộm cắp trong kỳ chưa được báo cáo",
                            reference="Quyết định số 3/QĐ-UBND ngày 05/01/2026",
                            annulled_on=dt.date(2026, 1, 5))
    cert.refresh_from_db()
    reg.refresh_from_db()
    assert cert.status == Certificate.Status.ANNULLED
    assert (reg.state, reg.result) == (State.ANNULLED, "not_met")
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.ANNULLED
    with pytest.raises(ValidationError):
        services.issue_certificates(actor=officer, decision=decision)


def test_ineligible_units_cannot_register(tree):
    tree.enterprise_a1.enterprise_size = "small"
    tree.enterprise_a1.save(update_fields=["enterprise_size"])
    with pytest.raises(ValidationError, match="nhỏ, siêu nhỏ"):
        services.register_unit(actor="test", unit=tree.enterprise_a1, year=YEAR)


def test_registering_twice_is_refused(tree):
    services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    with pytest.raises(ValidationError, match="đã đăng ký"):
        services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)


def test_pre_reform_commune_was_decided_by_the_district(db):
    end = dt.date(2025, 6, 30)
    province = create_unit(actor="test", code="62", name="Tỉnh Kon Tum", kind="province",
                           parent=None, valid_to=end)
    district = create_unit(actor="test", code="608", name="Thành phố Kon Tum", kind="district",
                           parent=province, valid_to=end)
    commune = create_unit(actor="test", code="23284", name="Phường Quyết Thắng", kind="commune",
                          parent=district, valid_to=end)
    now_province = create_unit(actor="test", code="51", name="Tỉnh Quảng Ngãi", kind="province",
                               parent=None, valid_from=dt.date(2025, 7, 1))
    now_commune = create_unit(actor="test", code="23281", name="Phường Kon Tum", kind="commune",
                              parent=now_province, valid_from=dt.date(2025, 7, 1))
    UnitSuccession.objects.create(predecessor=commune, successor=now_commune,
                                  effective_date=dt.date(2025, 7, 1))
    reg = services.register_unit(actor="test", unit=commune, year=2023)
    assert (reg.province, reg.district, reg.commune) == (province, district, commune)
    # Reports in today's geography count it in the merged Quảng Ngãi, Phường Kon Tum.
    assert (reg.current_province, reg.current_commune) == (now_province, now_commune)
    assert reg.authority.deciding_level == "district"
    assert services.body_unit(commune, reg.authority) == district
    assert reg.criteria_set == "tt124-2021"
    assert services.register_unit(actor="test", unit=commune, year=2021).criteria_set \
        == "tt23-2012"


def test_article_5_4_reads_decisions_once_they_exist(tree, personas):
    from antt.recognition.evaluation import evaluate_unit

    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    evidence(tree.school_a1, SCHOOL_FACTS, "7.2")
    officer = personas.commune_a1_officer
    regs = services.register_units(actor=officer, commune=tree.commune_a1, year=YEAR)

    def art_5_4():
        [node] = [c for c in evaluate_unit(tree.commune_a1, YEAR).criteria if c.code == "5.4"]
        return node

    assert "tạm tính" in art_5_4().explanation  # registered, not decided yet
    appraised = [run_to_appraised(r, officer, officer,
                                  AREA_MEETING if r.unit_kind == "residential_area"
                                  else ORG_MEETING) for r in regs]
    services.decide(actor=officer, registrations=appraised, number="20/QĐ-UBND",
                    signed_on=dt.date(2025, 11, 14), signer_name="Nguyễn Văn Hùng",
                    results={appraised[0].pk: "not_met"})
    node = art_5_4()
    assert "tạm tính" not in node.explanation
    assert "1/2 (50,00%)" in node.explanation
    assert node.verdict == "not_met"


def test_decide_refuses_unknown_results_and_a_used_number(tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    officer = personas.commune_a1_officer
    reg = run_to_appraised(services.register_unit(actor="test", unit=tree.area_a1, year=YEAR),
                           "test", officer, AREA_MEETING)
    with pytest.raises(ValidationError, match="chỉ có thể là"):
        services.decide(actor=officer, registrations=[reg], number="1/QĐ",
                        signed_on=dt.date(2025, 11, 10), signer_name="A",
                        results={reg.pk: "pending"})
    services.decide(actor=officer, registrations=[reg], number="1/QĐ",
                    signed_on=dt.date(2025, 11, 10), signer_name="A")
    with pytest.raises(ValidationError, match="đã được Phường Hoàn Kiếm sử dụng"):
        services.decide(actor=officer, registrations=[reg], number="1/QĐ",
                        signed_on=dt.date(2025, 11, 10), signer_name="A")


def test_a_step_the_state_does_not_allow_is_a_conflict(tree):
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    # A stale page offers "appraise" for a dossier that was never submitted.
    with pytest.raises(services.InvalidStep, match="Không thể thực hiện"):
        services.appraise_dossier(actor="test", registration=reg, proposal="met")


def test_a_viewer_cannot_issue_certificates_even_when_none_are_left(tree, personas):
    from antt.accounts.services import assign_role

    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    officer = personas.commune_a1_officer
    reg = run_to_appraised(services.register_unit(actor="test", unit=tree.area_a1, year=YEAR),
                           "test", officer, AREA_MEETING)
    decision = services.decide(actor=officer, registrations=[reg], number="2/QĐ",
                               signed_on=dt.date(2025, 11, 10), signer_name="A",
                               results={reg.pk: "not_met"})
    viewer, _, _ = assign_role(actor="test", username="xem", role="viewer", unit=tree.commune_a1)
    with pytest.raises(PermissionDenied):
        services.issue_certificates(actor=viewer, decision=decision)
