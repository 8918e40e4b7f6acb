"""Recording evidence: incidents, yearly facts, discipline and judgements (the services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from antt.accounts.services import assign_role
from antt.core.models import AuditEvent
from antt.records.models import CriterionJudgement, DisciplinaryAction, Incident, YearFacts
from antt.records.services import (
    current_judgements,
    facts_for,
    record_discipline,
    record_incident,
    record_judgement,
    set_year_facts,
    update_incident_flags,
    void_discipline,
    void_incident,
)
from antt.standards.models import ProvinceAddonCriterion

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 20)
DAY = dt.date(2025, 3, 12)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


def incident(unit, actor="test", **kw):
    args = {"date": DAY, "category": "serious_fire_explosion", "today": TODAY, **kw}
    return record_incident(actor=actor, unit=unit, **args)


# --- incidents ------------------------------------------------------------------------------------


def test_an_incident_is_recorded_with_its_author_and_audited(tree, personas):
    row = incident(tree.area_a1, personas.area_a1_head, description="Cháy kho chứa hàng")
    assert row.recorded_by == personas.area_a1_head
    assert row.flags_set_by is None
    event = AuditEvent.objects.get(verb="incident.record")
    assert event.unit_path == tree.area_a1.path
    assert event.actor == personas.area_a1_head
    assert event.changes["category"] == [None, "serious_fire_explosion"]
    assert event.changes["date"] == [None, "2025-03-12"]


def test_a_crime_needs_its_gravity(tree):
    with pytest.raises(ValidationError) as exc:
        incident(tree.area_a1, category="crime")
    assert "mức độ" in errors_of(exc)["gravity"]
    assert incident(tree.area_a1, category="crime", gravity="serious").gravity == "serious"


def test_gravity_is_only_for_crimes(tree):
    with pytest.raises(ValidationError) as exc:
        incident(tree.area_a1, gravity="serious")
    assert "tội phạm" in errors_of(exc)["gravity"]


def test_an_unknown_category_is_refused(tree):
    with pytest.raises(ValidationError) as exc:
        incident(tree.area_a1, category="jaywalking")
    assert "không có trong danh mục" in errors_of(exc)["category"]


def test_a_category_no_criterion_of_the_kind_counts_is_refused(tree):
    with pytest.raises(ValidationError) as exc:
        incident(tree.area_a1, category="school_violence")
    assert "khu dân cư" in errors_of(exc)["category"]
    assert incident(tree.school_a1, category="school_violence").pk


def test_an_incident_cannot_be_in_the_future(tree):
    with pytest.raises(ValidationError) as exc:
        incident(tree.area_a1, date=TODAY + dt.timedelta(days=1))
    assert "chưa đến" in errors_of(exc)["date"]


def test_a_fatal_accident_without_deaths_is_refused(tree):
    with pytest.raises(ValidationError) as exc:
        incident(tree.enterprise_a1, category="fatal_work_accident", deaths=0)
    assert "deaths" in errors_of(exc)


@pytest.mark.parametrize("flag", ["force_majeure", "handled_properly"])
def test_an_exemption_flag_needs_a_reason_and_names_who_set_it(tree, personas, flag):
    with pytest.raises(ValidationError) as exc:
        incident(
            tree.area_a1, personas.area_a1_head, category="crime", gravity="serious", **{flag: True}
        )
    assert "căn cứ" in errors_of(exc)["flags_reason"]
    row = incident(
        tree.area_a1,
        personas.area_a1_head,
        category="crime",
        gravity="serious",
        flags_reason="Biên bản họp ngày 15/3/2025",
        **{flag: True},
    )
    assert getattr(row, flag) is True
    assert row.flags_set_by == personas.area_a1_head


def test_handled_properly_applies_to_crimes_only(tree):
    with pytest.raises(ValidationError) as exc:
        incident(tree.area_a1, handled_properly=True, flags_reason="đã báo cáo")
    assert "handled_properly" in errors_of(exc)


def test_a_province_has_no_incident_register(tree):
    with pytest.raises(ValidationError) as exc:
        incident(tree.province_a)
    assert "unit" in errors_of(exc)


def test_recording_outside_ones_jurisdiction_is_refused(tree, personas):
    with pytest.raises(PermissionDenied):
        incident(tree.area_a2, personas.area_a1_head)
    with pytest.raises(PermissionDenied):
        incident(tree.area_a1, personas.outsider)
    assert not Incident.objects.exists()


def test_a_committee_member_may_judge_but_not_record(tree):
    member, _, _ = assign_role(
        actor="test",
        username="hoidong",
        role="committee_member",
        unit=tree.province_a,
        password="Mat-khau-thu-nghiem-2025",
    )
    with pytest.raises(PermissionDenied):
        incident(tree.area_a1, member)
    judged = record_judgement(
        actor=member,
        unit=tree.area_a1,
        year=2025,
        criterion_code="4.2",
        verdict="met",
        reason="Cuộc họp ngày 20/10/2025 thống nhất",
    )
    assert judged.recorded_by == member


def test_changing_the_flags_is_a_new_decision_with_its_author(tree, personas):
    row = incident(tree.area_a1, category="crime", gravity="very_serious")
    with pytest.raises(ValidationError):
        update_incident_flags(
            actor=personas.commune_a1_officer,
            incident=row,
            force_majeure=False,
            handled_properly=True,
            flags_reason="",
        )
    update_incident_flags(
        actor=personas.commune_a1_officer,
        incident=row,
        force_majeure=False,
        handled_properly=True,
        flags_reason="Báo cáo ngay trong ngày 12/3",
    )
    row.refresh_from_db()
    assert row.handled_properly
    assert row.flags_set_by == personas.commune_a1_officer
    event = AuditEvent.objects.get(verb="incident.flags")
    assert event.changes["handled_properly"] == [False, True]


def test_a_voided_incident_stays_but_leaves_the_evaluation(tree, personas):
    row = incident(tree.area_a1)
    with pytest.raises(ValidationError) as exc:
        void_incident(actor=personas.area_a1_head, incident=row, reason="  ")
    assert "lý do" in errors_of(exc)["reason"]
    void_incident(actor=personas.area_a1_head, incident=row, reason="Ghi nhầm đơn vị")
    assert Incident.objects.count() == 1
    assert not Incident.objects.active().exists()
    assert AuditEvent.objects.get(verb="incident.void").changes == {
        "void_reason": "Ghi nhầm đơn vị"
    }
    with pytest.raises(ValidationError, match="đã bị hủy"):
        void_incident(actor=personas.area_a1_head, incident=row, reason="lần hai")


# --- yearly facts ---------------------------------------------------------------------------------


def facts(unit, values, actor="test", year=2025):
    return set_year_facts(actor=actor, unit=unit, year=year, values=values, today=TODAY)


def test_facts_are_stored_as_json_and_read_back_typed(tree):
    facts(
        tree.area_a1,
        {
            "registration_date": dt.date(2025, 2, 10),
            "party_resolution_date": "15/02/2025",
            "households_residing": 250,
            "households_registered": "250",
            "grassroots_force_rating": "Hoàn thành tốt nhiệm vụ",
        },
    )
    stored = YearFacts.objects.get(unit=tree.area_a1, year=2025).data
    assert stored["registration_date"] == "2025-02-10"
    assert stored["party_resolution_date"] == "2025-02-15"
    assert stored["grassroots_force_rating"] == "good"
    read = facts_for(tree.area_a1, 2025)
    assert read["registration_date"] == dt.date(2025, 2, 10)
    assert read["households_registered"] == 250
    assert facts_for(tree.area_a1, 2024) == {}


def test_a_partial_update_merges_and_none_removes(tree, personas):
    facts(tree.area_a1, {"households_residing": 250, "crime_count": 2})
    facts(tree.area_a1, {"crime_count": 1, "households_residing": None}, personas.area_a1_head)
    row = YearFacts.objects.get(unit=tree.area_a1, year=2025)
    assert row.data == {"crime_count": 1}
    assert row.updated_by == personas.area_a1_head
    last = AuditEvent.objects.filter(verb="facts.set").first()
    assert last.changes == {"year": 2025, "crime_count": [2, 1], "households_residing": [250, None]}


def test_saving_the_same_facts_again_changes_nothing(tree):
    facts(tree.area_a1, {"crime_count": 2})
    facts(tree.area_a1, {"crime_count": 2})
    assert AuditEvent.objects.filter(verb="facts.set").count() == 1


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        (
            {"households_residing": 250, "households_registered": 260},
            "households_registered",
            "Số hộ gia đình đăng ký tham gia xây dựng khu dân cư an toàn",
        ),
        ({"staff_total": 10, "staff_briefed": 11}, "staff_briefed", "Số người đã được quán triệt"),
        (
            {"subunits_rated": 5, "subunits_qualifying": 6},
            "subunits_qualifying",
            "Số đầu mối trực thuộc đạt",
        ),
        ({"crime_count": -1}, "crime_count", "không âm"),
        ({"crime_count": "ba"}, "crime_count", "không âm"),
        ({"grassroots_force_rating": "tuyệt vời"}, "grassroots_force_rating", "không hợp lệ"),
        ({"internal_rule_topics": ["unit_protection", "ufo"]}, "internal_rule_topics", "ufo"),
        ({"registration_date": "31/02/2025"}, "registration_date", "không hợp lệ"),
        ({"registration_date": "2025-12-01"}, "registration_date", "chưa đến"),
        ({"has_protection_force": "có lẽ"}, "has_protection_force", "có/không"),
        ({"favourite_colour": "xanh"}, "favourite_colour", "không có số liệu"),
    ],
)
def test_wrong_facts_are_refused_naming_the_fact(tree, values, field, words):
    with pytest.raises(ValidationError) as exc:
        facts(tree.enterprise_a1, values)
    assert words.lower() in errors_of(exc)[field].lower()
    assert not YearFacts.objects.exists()


def test_a_total_already_stored_is_checked_against_a_new_part(tree):
    facts(tree.area_a1, {"households_residing": 250})
    with pytest.raises(ValidationError) as exc:
        facts(tree.area_a1, {"households_registered": 251})
    assert "(251) lớn hơn" in errors_of(exc)["households_registered"]


def test_topics_booleans_and_ratings_accept_codes_and_vietnamese(tree):
    facts(
        tree.enterprise_a1,
        {
            "internal_rule_topics": "bảo vệ bí mật nhà nước; fire_safety, An toàn lao động",
            "has_protection_force": "có",
            "protection_force_rating": "not_eligible",
        },
    )
    data = YearFacts.objects.get().data
    assert data["internal_rule_topics"] == ["state_secrets", "labour_safety", "fire_safety"]
    assert data["has_protection_force"] is True
    assert data["protection_force_rating"] == "not_eligible"


def test_facts_for_a_future_year_are_refused(tree):
    with pytest.raises(ValidationError, match="chưa đến"):
        facts(tree.area_a1, {"crime_count": 1}, year=2026)


def test_recording_facts_needs_the_right_to_record(tree, personas):
    with pytest.raises(PermissionDenied):
        facts(tree.area_a2, {"crime_count": 1}, personas.commune_a1_officer)


# --- discipline -----------------------------------------------------------------------------------


def test_discipline_is_recorded_for_a_group_of_the_unit_and_voided_with_a_reason(tree, personas):
    with pytest.raises(ValidationError) as exc:
        record_discipline(
            actor="test", unit=tree.area_a1, date=DAY, group="learner", level="warning", today=TODAY
        )
    assert "khu dân cư" in errors_of(exc)["group"]
    action = record_discipline(
        actor=personas.area_a1_head,
        unit=tree.area_a1,
        date=DAY,
        group="grassroots_force",
        level="reprimand",
        person="Nguyễn Văn B",
        today=TODAY,
    )
    assert action.recorded_by == personas.area_a1_head
    void_discipline(actor="test", action=action, reason="Quyết định đã bị thu hồi")
    assert not DisciplinaryAction.objects.active().exists()
    assert [e.verb for e in AuditEvent.objects.order_by("id")][-2:] == [
        "discipline.record",
        "discipline.void",
    ]


# --- judgements -----------------------------------------------------------------------------------


def judge(unit, code, actor="test", **kw):
    args = {"verdict": "met", "reason": "Cuộc họp ngày 20/10/2025 thống nhất", **kw}
    return record_judgement(actor=actor, unit=unit, year=2025, criterion_code=code, **args)


def test_a_judgement_needs_a_reason_and_says_so(tree):
    with pytest.raises(ValidationError) as exc:
        judge(tree.area_a1, "4.2", reason=" ")
    assert errors_of(exc)["reason"] == "Phải ghi lý do của kết luận (căn cứ, biên bản cuộc họp)."
    with pytest.raises(ValidationError) as exc:
        judge(tree.area_a1, "4.1", reason="", override=True)
    assert "lý do điều chỉnh" in errors_of(exc)["reason"]


def test_a_code_outside_the_kinds_criteria_is_refused(tree):
    with pytest.raises(ValidationError) as exc:
        judge(tree.area_a1, "6.2")
    assert "TT 124/2021" in errors_of(exc)["criterion_code"]
    assert "khu dân cư" in errors_of(exc)["criterion_code"]


def test_a_commune_judges_the_points_its_criterion_5_2_includes(tree):
    assert judge(tree.commune_a1, "4.2").criterion_code == "4.2"
    assert judge(tree.commune_a1, "5.3").criterion_code == "5.3"


def test_a_computed_criterion_is_changed_only_by_an_override(tree):
    with pytest.raises(ValidationError) as exc:
        judge(tree.area_a1, "4.1")
    assert "Điều chỉnh kết quả tính toán" in errors_of(exc)["override"]
    row = judge(
        tree.area_a1,
        "4.1",
        verdict="met",
        override=True,
        reason="248/250 hộ: 2 hộ mới chuyển đến sau ngày đăng ký",
    )
    assert row.override


def test_a_new_judgement_supersedes_and_history_is_kept(tree, django_assert_num_queries):
    first = judge(tree.area_a1, "4.2", verdict="not_met", reason="Chưa triển khai đủ")
    second = judge(tree.area_a1, "4.2", verdict="met", reason="Họp lại ngày 25/10/2025")
    judge(tree.area_a1, "4.4.c")
    with django_assert_num_queries(1):
        current = current_judgements(tree.area_a1, 2025)
    assert current["4.2"] == second
    assert set(current) == {"4.2", "4.4.c"}
    assert CriterionJudgement.objects.filter(unit=tree.area_a1).count() == 3
    event = AuditEvent.objects.filter(verb="judgement.record").order_by("id")[1]
    assert event.changes["supersedes"] == first.pk
    assert event.changes["verdict"] == ["not_met", "met"]


def test_a_province_add_on_criterion_can_be_judged_in_that_province_only(tree):
    ProvinceAddonCriterion.objects.create(
        province=tree.province_a,
        code="HN.1",
        text="Có camera an ninh",
        reference="QĐ 1/UBND",
        kinds=["residential_area"],
        year_from=2024,
    )
    assert judge(tree.area_a1, "HN.1").criterion_code == "HN.1"
    with pytest.raises(ValidationError):
        judge(tree.area_b1, "HN.1")


def test_a_viewer_cannot_judge(tree):
    viewer, _, _ = assign_role(
        actor="test",
        username="xem",
        role="viewer",
        unit=tree.province_a,
        password="Mat-khau-thu-nghiem-2025",
    )
    with pytest.raises(PermissionDenied):
        judge(tree.area_a1, "4.2", viewer)
