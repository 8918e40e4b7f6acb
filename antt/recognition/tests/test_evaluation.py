"""The evaluation service: evidence from the records, verdicts from the engine."""

from __future__ import annotations

import datetime as dt

import pytest

from antt.recognition.evaluation import evaluate_scope, evaluate_unit
from antt.records.models import CriterionJudgement, DisciplinaryAction, Incident, YearFacts
from antt.standards.models import InterpretationSetting, ProvinceAddonCriterion
from antt.units.models import Unit, UnitSuccession
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db

YEAR = 2025
Q1 = "2025-02-10"

AREA_FACTS = {
    "party_resolution_date": Q1,
    "registration_date": Q1,
    "households_residing": 120,
    "households_registered": 120,
    "crime_count": 1,
    "social_evil_count": 0,
    "other_violation_count": 2,
    "new_order_hotspots": 0,
    "new_social_evil_persons": 0,
    "grassroots_force_rating": "good",
}
PREVIOUS = {"crime_count": 2, "social_evil_count": 0, "other_violation_count": 2}
SCHOOL_FACTS = {
    "party_resolution_date": Q1,
    "security_plan_date": Q1,
    "registration_date": Q1,
    "internal_rule_topics": [
        "unit_protection",
        "internal_politics",
        "learner_management",
        "fire_safety",
    ],
    "staff_total": 700,
    "staff_briefed": 700,
    "effective_models": 1,
    "parents_board_coordination": True,
    "has_protection_force": False,
    "subunits_rated": 5,
    "subunits_qualifying": 4,
}


def judge(unit: Unit, *codes: str, verdict: str = "met") -> None:
    for code in codes:
        CriterionJudgement.objects.create(
            unit=unit, year=YEAR, criterion_code=code, verdict=verdict, reason="Cuộc họp thống nhất"
        )


def facts(unit: Unit, data: dict, year: int = YEAR) -> None:
    YearFacts.objects.create(unit=unit, year=year, data=data)


@pytest.fixture
def ready(tree):
    """Tổ dân phố 1 and the THCS school of commune A1 meet everything."""
    facts(tree.area_a1, AREA_FACTS)
    facts(tree.area_a1, PREVIOUS, YEAR - 1)
    judge(tree.area_a1, "4.2", "4.4.c")
    facts(tree.school_a1, SCHOOL_FACTS)
    judge(tree.school_a1, "7.2")
    return tree


def test_a_residential_area_with_full_evidence_is_met(ready):
    ev = evaluate_unit(ready.area_a1, YEAR)
    assert ev.standard == "tt124-2021"
    assert (ev.window.start, ev.window.end) == (dt.date(2024, 11, 1), dt.date(2025, 10, 31))
    assert ev.result == "met", [c.explanation for c in ev.criteria if c.verdict != "met"]


def test_a_serious_crime_recorded_in_the_register_fails_4_4_b(ready):
    Incident.objects.create(
        unit=ready.area_a1,
        date=dt.date(2025, 3, 12),
        category="crime",
        gravity="serious",
        description="cướp giật tài sản",
    )
    ev = evaluate_unit(ready.area_a1, YEAR)
    assert ev.result == "not_met"
    [c44] = [c for c in ev.criteria if c.code == "4.4"]
    [b] = [p for p in c44.children if p.code == "4.4.b"]
    assert b.explanation == (
        "4.4.b không đạt: Xảy ra tội phạm nghiêm trọng trở lên: 1 vụ tội phạm nghiêm trọng "
        "ngày 12/03/2025 tại Tổ dân phố 1 (cướp giật tài sản), chưa được xử lý kịp thời."
    )


def test_a_voided_incident_no_longer_counts(ready):
    Incident.objects.create(
        unit=ready.area_a1,
        date=dt.date(2025, 3, 12),
        category="separatism",
        voided_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
        void_reason="Nhập nhầm đơn vị",
    )
    assert evaluate_unit(ready.area_a1, YEAR).result == "met"


def test_discipline_and_judgements_are_read(ready):
    DisciplinaryAction.objects.create(
        unit=ready.area_a1, date=dt.date(2025, 6, 1), group="grassroots_force", level="reprimand"
    )
    assert evaluate_unit(ready.area_a1, YEAR).result == "not_met"


def test_the_newest_judgement_is_in_force(ready):
    judge(ready.area_a1, "4.2", verdict="not_met")
    assert evaluate_unit(ready.area_a1, YEAR).result == "not_met"
    judge(ready.area_a1, "4.2", verdict="met")
    assert evaluate_unit(ready.area_a1, YEAR).result == "met"


def test_province_setting_changes_the_reading(ready):
    YearFacts.objects.filter(unit=ready.area_a1, year=YEAR - 1).update(
        data={**PREVIOUS, "crime_count": 1}
    )
    assert evaluate_unit(ready.area_a1, YEAR).result == "met"  # 1 → 1, not higher
    InterpretationSetting.objects.create(
        key="crime_reduction", value="strictly_lower", province=ready.province_a, year_from=2025
    )
    ev = evaluate_unit(ready.area_a1, YEAR)
    assert ev.result == "not_met"
    assert ("crime_reduction", "strictly_lower") in ev.settings
    # Another province keeps the national default.
    InterpretationSetting.objects.create(key="crime_reduction", value="not_higher")
    assert evaluate_unit(ready.area_a1, YEAR).result == "not_met"


def test_province_add_on_criteria_are_anded(ready):
    ProvinceAddonCriterion.objects.create(
        province=ready.province_a,
        code="HN.1",
        text="Không có điểm nóng về vệ sinh môi trường",
        reference="QĐ 1/QĐ-UBND",
        kinds=["residential_area"],
        year_from=2024,
    )
    ev = evaluate_unit(ready.area_a1, YEAR)
    assert ev.criteria[-1].code == "HN.1"
    assert ev.result == "pending"
    judge(ready.area_a1, "HN.1")
    assert evaluate_unit(ready.area_a1, YEAR).result == "met"


def test_commune_reads_its_units_results_and_territory(ready):
    commune = ready.commune_a1
    facts(
        commune,
        {
            "party_resolution_date": Q1,
            "security_plan_date": Q1,
            "registration_date": Q1,
            "effective_models": 1,
            "crime_count": 3,
            "social_evil_count": 1,
            "other_violation_count": 5,
            "new_order_hotspots": 0,
            "new_social_evil_persons": 0,
        },
    )
    facts(commune, {"crime_count": 4, "social_evil_count": 1, "other_violation_count": 5}, YEAR - 1)
    judge(commune, "4.2", "4.4.c", "5.3")
    ev = evaluate_unit(commune, YEAR)
    [c54] = [c for c in ev.criteria if c.code == "5.4"]
    # Units of the commune: Tổ dân phố 1 (met), the THCS school (met); the medium enterprise is
    # managed by the province, so Art. 5.4 does not count it.
    assert "2/2" in c54.explanation
    assert ev.result == "met", [c.explanation for c in ev.criteria if c.verdict != "met"]

    Incident.objects.create(
        unit=ready.area_a1, date=dt.date(2025, 5, 5), category="prolonged_internal_dispute"
    )
    ev = evaluate_unit(commune, YEAR)
    assert ev.result == "not_met"
    [c52] = [c for c in ev.criteria if c.code == "5.2"]
    assert "4.3" in c52.explanation


def test_scope_evaluates_every_eligible_unit_and_lists_the_rest(
    ready, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        result = evaluate_scope(ready.province_a, YEAR)
    kinds = result.summary()
    assert kinds["residential_area"]["total"] == 2
    assert kinds["commune"]["total"] == 2
    assert kinds["residential_area"]["met"] == 1
    assert {u.code for u, _ in result.evaluations} >= {"00070-TDP01", "00097-TDP02", "00070"}


def test_query_count_does_not_grow_with_units(ready, django_assert_max_num_queries):
    for i in range(30):
        create_unit(
            actor="test",
            code=f"00070-T{i}",
            name=f"Thôn {i}",
            kind="residential_area",
            parent=ready.commune_a1,
            valid_from=dt.date(2025, 7, 1),
        )
    with django_assert_max_num_queries(12):
        evaluate_scope(ready.province_a, YEAR)


def test_merged_commune_compares_with_the_sum_of_its_predecessors(ready):
    end = dt.date(2025, 6, 30)
    district = create_unit(
        actor="test", code="002", name="Quận Hoàn Kiếm", kind="province", parent=None, valid_to=end
    )
    for code, crimes in (("00037", 2), ("00040", 3)):
        old = create_unit(
            actor="test",
            code=code,
            name=f"Phường {code}",
            kind="commune",
            parent=district,
            valid_to=end,
        )
        UnitSuccession.objects.create(
            predecessor=old, successor=ready.commune_a1, effective_date=dt.date(2025, 7, 1)
        )
        facts(
            old,
            {"crime_count": crimes, "social_evil_count": 0, "other_violation_count": 1},
            YEAR - 1,
        )
    facts(ready.commune_a1, {"crime_count": 5, "social_evil_count": 0, "other_violation_count": 2})
    ev = evaluate_unit(ready.commune_a1, YEAR)
    [c52] = [c for c in ev.criteria if c.code == "5.2"]
    [c44] = [c for c in c52.children if c.code == "4.4"]
    [a] = [p for p in c44.children if p.code == "4.4.a"]
    assert "tội phạm: 5 → 5" in a.explanation
    assert "vi phạm pháp luật khác: 2 → 2" in a.explanation
    assert a.verdict == "met"
