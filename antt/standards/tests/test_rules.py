"""The criteria of TT 124/2021 Art. 4–7, walked point by point. No database: this is the spec."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from antt.standards.catalog import registry
from antt.standards.rules import (
    Discipline,
    Evaluation,
    Incident,
    Judgement,
    NodeResult,
    evaluate,
)
from antt.standards.tests.factories import YEAR, baseline, subunits, with_facts

TT124 = registry().sets["tt124-2021"]


def node(ev: Evaluation, code: str) -> NodeResult:
    for top in ev.criteria:
        for n in top.walk():
            if n.code == code:
                return n
    raise KeyError(code)


def crime(day: dt.date, gravity: str = "serious", **kw: object) -> Incident:
    return Incident(day, "crime", gravity, **kw)  # type: ignore[arg-type]


IN_WINDOW = dt.date(YEAR, 3, 12)


@pytest.mark.parametrize("kind", ["residential_area", "commune", "agency", "enterprise", "school"])
def test_baseline_meets_every_criterion(kind: str) -> None:
    ev = evaluate(TT124, baseline(kind))
    assert ev.result == "met", [n.explanation for n in ev.criteria if n.verdict != "met"]
    assert all(n.verdict == "met" for n in ev.criteria)


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("residential_area", ["4.1", "4.2", "4.3", "4.4", "4.5"]),
        ("commune", ["5.1", "5.2", "5.3", "5.4"]),
        ("agency", ["6.1", "6.2", "6.3", "6.4", "6.5"]),
        ("enterprise", ["6.1", "6.2", "6.3", "6.4", "6.5"]),
        ("school", ["7.1", "7.2", "7.3", "7.4", "7.5", "7.6"]),
    ],
)
def test_each_kind_is_judged_by_its_article(kind: str, codes: list[str]) -> None:
    assert [n.code for n in evaluate(TT124, baseline(kind)).criteria] == codes


# ------------------------------------------------------------- Art. 4: residential area
RA = "residential_area"

ART4_FACT_CASES = [
    # (facts changed, code, verdict, words in the explanation)
    ({"party_resolution_date": dt.date(YEAR, 3, 31)}, "4.1", "met", "trong quý I/2025"),
    ({"party_resolution_date": dt.date(YEAR, 4, 1)}, "4.1", "not_met", "ngoài quý I/2025"),
    ({"registration_date": dt.date(YEAR - 1, 12, 31)}, "4.1", "not_met", "31/12/2024"),
    ({"registration_date": None}, "4.1", "missing_data", "Chưa nhập"),
    ({"households_registered": 249}, "4.1", "not_met", "249/250 (99,60%)"),
    ({"households_registered": 250}, "4.1", "met", "250/250 (100,00%)"),
    ({"households_residing": None}, "4.1", "missing_data", "hộ gia đình"),
    ({"crime_count": 3}, "4.4.a", "met", "3 → 3"),
    ({"crime_count": 4}, "4.4.a", "not_met", "3 → 4"),
    ({"other_violation_count": 6}, "4.4.a", "not_met", "5 → 6"),
    ({"new_order_hotspots": 1}, "4.4.c", "not_met", "tụ điểm"),
    ({"new_social_evil_persons": 2}, "4.4.c", "not_met", "người mắc tệ nạn"),
    ({"grassroots_force_rating": "not_completed"}, "4.5", "not_met", "Không hoàn thành"),
    ({"grassroots_force_rating": "excellent"}, "4.5", "met", "Hoàn thành xuất sắc"),
    ({"grassroots_force_rating": None}, "4.5", "missing_data", "Chưa nhập xếp loại"),
]


@pytest.mark.parametrize(("facts", "code", "verdict", "words"), ART4_FACT_CASES)
def test_article_4_facts(facts, code, verdict, words):
    n = node(evaluate(TT124, with_facts(RA, **facts)), code)
    assert n.verdict == verdict
    assert words in n.explanation


def test_4_1_resolution_not_required_without_a_party_cell():
    inp = with_facts(RA, party_resolution_date=None)
    inp = replace(inp, unit=replace(inp.unit, has_party_org=False))
    n = node(evaluate(TT124, inp), "4.1")
    assert n.verdict == "met"
    assert "không có tổ chức Đảng" in n.explanation


ART4_EVENTS = [
    ("anti_party_anti_state", "4.3.a"),
    ("sabotage_key_targets", "4.3.b"),
    ("unlawful_religion_propagation", "4.3.c"),
    ("exploiting_religion_ethnicity_complaints", "4.3.d"),
    ("separatism", "4.3.đ"),
    ("prolonged_internal_dispute", "4.3.e"),
    ("mass_complaint_incitement", "4.3.g"),
    ("serious_fire_explosion", "4.4.d"),
    ("fatal_work_accident", "4.4.d"),
    ("serious_incident", "4.4.d"),
]


@pytest.mark.parametrize(("category", "code"), ART4_EVENTS)
def test_article_4_one_event_in_the_window_fails_the_point(category, code):
    ev = evaluate(TT124, baseline(RA, incidents=[Incident(IN_WINDOW, category)]))
    assert node(ev, code).verdict == "not_met"
    assert "12/03/2025" in node(ev, code).explanation
    assert ev.result == "not_met"


@pytest.mark.parametrize(
    ("day", "verdict"),
    [
        (dt.date(2024, 10, 31), "met"),  # one day before the window opens
        (dt.date(2024, 11, 1), "not_met"),  # first day of the window
        (dt.date(2025, 10, 31), "not_met"),  # last day of the window
        (dt.date(2025, 11, 1), "met"),  # one day after: next year's window
    ],
)
def test_article_8_2_residential_area_window_bounds(day, verdict):
    ev = evaluate(TT124, baseline(RA, incidents=[Incident(day, "separatism")]))
    assert node(ev, "4.3.đ").verdict == verdict


@pytest.mark.parametrize(("category", "code"), [
    ("serious_fire_explosion", "4.4.d"), ("fatal_work_accident", "4.4.d"),
])
def test_force_majeure_is_not_counted(category, code):
    inc = Incident(IN_WINDOW, category, force_majeure=True, description="lũ quét")
    n = node(evaluate(TT124, baseline(RA, incidents=[inc])), code)
    assert n.verdict == "met"
    assert "bất khả kháng" in n.explanation


def test_force_majeure_does_not_excuse_separatism():
    inc = Incident(IN_WINDOW, "separatism", force_majeure=True)
    assert node(evaluate(TT124, baseline(RA, incidents=[inc])), "4.3.đ").verdict == "not_met"


@pytest.mark.parametrize(
    ("gravity", "handled", "verdict"),
    [
        ("less_serious", False, "met"),  # below “nghiêm trọng trở lên”
        ("serious", False, "not_met"),
        ("very_serious", False, "not_met"),
        ("especially_serious", False, "not_met"),
        ("serious", True, "met"),  # detected promptly, limited, reported
        ("especially_serious", True, "met"),
    ],
)
def test_4_4_b_serious_crime(gravity, handled, verdict):
    inc = crime(IN_WINDOW, gravity, handled_properly=handled, description="cướp tài sản")
    n = node(evaluate(TT124, baseline(RA, incidents=[inc])), "4.4.b")
    assert n.verdict == verdict
    if verdict == "not_met":
        assert n.explanation.startswith("4.4.b không đạt")
        assert "ngày 12/03/2025" in n.explanation
        assert "chưa được xử lý kịp thời" in n.explanation


@pytest.mark.parametrize(
    ("setting", "before", "now", "verdict"),
    [
        ("not_higher", 3, 3, "met"),
        ("strictly_lower", 3, 3, "not_met"),
        ("strictly_lower", 3, 2, "met"),
        ("not_higher", 0, 0, "met"),
        ("strictly_lower", 0, 0, "met"),  # nothing left to reduce
        ("not_higher", 0, 1, "not_met"),
    ],
)
def test_4_4_a_equal_counts_follow_the_setting(setting, before, now, verdict):
    quiet = {"social_evil_count": 0, "other_violation_count": 0}
    inp = with_facts(RA, crime_count=now, **quiet)
    inp = replace(inp, previous_facts={"crime_count": before, **quiet},
                  settings={"crime_reduction": setting})
    ev = evaluate(TT124, inp)
    n = node(ev, "4.4.a")
    assert n.verdict == verdict
    assert "crime_reduction" in n.explanation  # the explanation names the reading it used
    assert ("crime_reduction", setting) in ev.settings


def test_4_4_a_without_last_years_figures_is_missing_data():
    n = node(evaluate(TT124, baseline(RA, previous_facts=None)), "4.4.a")
    assert n.verdict == "missing_data"
    assert "năm trước" in n.explanation


@pytest.mark.parametrize(
    ("level", "setting", "verdict"),
    [
        ("reprimand", "reprimand", "not_met"),  # “bị xử lý kỷ luật”: any form
        ("reprimand", "warning", "met"),
        ("warning", "warning", "not_met"),
    ],
)
def test_4_5_discipline_of_the_grassroots_force(level, setting, verdict):
    d = Discipline(IN_WINDOW, "grassroots_force", level, person="Ông Trần Văn B")
    inp = baseline(RA, disciplines=[d], settings={"discipline_grassroots_force": setting})
    n = node(evaluate(TT124, inp), "4.5")
    assert n.verdict == verdict


def test_discipline_of_another_group_does_not_count_for_4_5():
    d = Discipline(IN_WINDOW, "staff", "dismissal")
    assert node(evaluate(TT124, baseline(RA, disciplines=[d])), "4.5").verdict == "met"


def test_judgement_criteria_wait_for_the_meeting():
    ev = evaluate(TT124, baseline(RA, judgements={}))
    assert node(ev, "4.2").verdict == "needs_judgement"
    assert node(ev, "4.4.c").verdict == "needs_judgement"
    assert ev.result == "pending"


def test_a_failed_judgement_fails_the_unit():
    j = Judgement("4.2", "not_met", "Chưa triển khai quy định của địa phương", "Chủ trì cuộc họp")
    inp = baseline(RA)
    ev = evaluate(TT124, replace(inp, judgements={**inp.judgements, "4.2": j}))
    assert node(ev, "4.2").verdict == "not_met"
    assert "Chưa triển khai" in node(ev, "4.2").explanation
    assert ev.result == "not_met"


def test_not_met_outweighs_pending():
    inp = with_facts(RA, households_registered=1)
    ev = evaluate(TT124, replace(inp, judgements={}))
    assert ev.result == "not_met"


def test_override_shows_computed_verdict_and_reason():
    j = Judgement("4.1", "met", "Hộ còn lại đã chuyển đi trước kỳ đánh giá", "Trưởng Công an xã",
                  override=True)
    inp = with_facts(RA, households_registered=249)
    ev = evaluate(TT124, replace(inp, judgements={**inp.judgements, "4.1": j}))
    n = node(ev, "4.1")
    assert (n.computed_verdict, n.verdict) == ("not_met", "met")
    assert "Kết quả tính toán: không đạt" in n.explanation
    assert "Trưởng Công an xã" in n.explanation
    assert "đã chuyển đi" in n.explanation
    assert ev.result == "met"


# ------------------------------------------------------------- Art. 5: commune
CO = "commune"


def test_5_1_needs_one_effective_model():
    assert node(evaluate(TT124, with_facts(CO, effective_models=0)), "5.1").verdict == "not_met"
    assert node(evaluate(TT124, with_facts(CO, effective_models=1)), "5.1").verdict == "met"


@pytest.mark.parametrize("fact", ["party_resolution_date", "security_plan_date",
                                  "registration_date"])
def test_5_1_documents_in_the_first_quarter(fact):
    n = node(evaluate(TT124, with_facts(CO, **{fact: dt.date(YEAR, 5, 1)})), "5.1")
    assert n.verdict == "not_met"


def test_5_2_counts_incidents_anywhere_in_the_commune():
    elsewhere = Incident(IN_WINDOW, "prolonged_internal_dispute", unit_name="Thôn 3")
    ev = evaluate(TT124, baseline(CO, territory_incidents=[elsewhere]))
    n = node(ev, "4.3.e")
    assert n.via == "5.2"
    assert n.verdict == "not_met"
    assert "Thôn 3" in n.explanation
    assert "toàn địa bàn" in n.explanation
    assert node(ev, "5.2").verdict == "not_met"


def test_5_2_includes_4_2_to_4_4_but_not_4_1_or_4_5():
    codes = [c.code for c in node(evaluate(TT124, baseline(CO)), "5.2").children]
    assert codes == ["4.2", "4.3", "4.4"]


@pytest.mark.parametrize(
    ("level", "setting", "verdict"),
    [("reprimand", "reprimand", "not_met"), ("reprimand", "warning", "met")],
)
def test_5_3_commune_police_discipline(level, setting, verdict):
    d = Discipline(IN_WINDOW, "commune_police", level)
    inp = baseline(CO, disciplines=[d], settings={"discipline_commune_police": setting})
    assert node(evaluate(TT124, inp), "5.3").verdict == verdict


@pytest.mark.parametrize(
    ("registered", "met", "verdict", "words"),
    [
        (10, 7, "met", "7/10 (70,00%)"),
        (10, 6, "not_met", "6/10 (60,00%)"),
        (9, 9, "not_met", "9/10 (90,00%)"),  # one unit did not register: 100% required
        (10, 10, "met", "10/10 (100,00%)"),
    ],
)
def test_5_4_registered_and_recognised_shares(registered, met, verdict, words):
    n = node(evaluate(TT124, baseline(CO, subunits=subunits(registered, met))), "5.4")
    assert n.verdict == verdict
    assert words in n.explanation


def test_5_4_69_percent_is_not_enough():
    units = subunits(registered=100, met=69, total=100)
    assert node(evaluate(TT124, baseline(CO, subunits=units)), "5.4").verdict == "not_met"
    units = subunits(registered=100, met=70, total=100)
    assert node(evaluate(TT124, baseline(CO, subunits=units)), "5.4").verdict == "met"


def test_5_4_pooled_or_per_kind():
    # 6 residential areas all met, 4 organisations: 1 met → pooled 7/10, organisations 1/4.
    units = tuple(
        replace(u, result="met" if u.kind == "residential_area" or u.code == "S6" else "not_met")
        for u in subunits(10, 10)
    )
    pooled = node(evaluate(TT124, baseline(CO, subunits=units)), "5.4")
    assert pooled.verdict == "met"
    assert "gộp chung" in pooled.explanation
    assert "theo loại" in pooled.explanation  # both figures are shown (D2)
    per_kind = node(
        evaluate(TT124, baseline(CO, subunits=units, settings={"subunit_quota_scope": "per_kind"})),
        "5.4",
    )
    assert per_kind.verdict == "not_met"


def test_5_4_waits_for_the_units_decisions():
    units = tuple(replace(u, result=None) if u.code == "S0" else u for u in subunits(10, 9))
    n = node(evaluate(TT124, baseline(CO, subunits=units)), "5.4")
    assert n.verdict == "missing_data"
    assert "Đơn vị 1" in n.explanation


# ------------------------------------------------------------- Art. 6: agency, enterprise

ART6_EVENTS = [
    ("unlawful_religion_propagation", "6.3.a"),
    ("exploiting_religion_ethnicity_complaints", "6.3.b"),
    ("mass_complaint_incitement", "6.3.c"),
    ("illegal_strike_go_slow", "6.3.d"),
    ("state_secret_violation", "6.3.e"),
    ("serious_fire_explosion", "6.3.g"),
    ("fatal_work_accident", "6.3.g"),
    ("serious_incident", "6.3.g"),
    ("serious_environment_food_safety_violation", "6.3.g"),
    ("staff_antt_fine_or_social_evil", "6.3.h"),
]


@pytest.mark.parametrize("kind", ["agency", "enterprise"])
@pytest.mark.parametrize(("category", "code"), ART6_EVENTS)
def test_article_6_3_events(kind, category, code):
    ev = evaluate(TT124, baseline(kind, incidents=[Incident(IN_WINDOW, category)]))
    assert node(ev, code).verdict == "not_met"
    assert ev.result == "not_met"


def test_6_3_window_runs_16_11_to_15_11():
    early = Incident(dt.date(YEAR - 1, 11, 15), "illegal_strike_go_slow")
    late = Incident(dt.date(YEAR, 11, 16), "illegal_strike_go_slow")
    first = Incident(dt.date(YEAR - 1, 11, 16), "illegal_strike_go_slow")
    assert node(evaluate(TT124, baseline("agency", incidents=[early, late])), "6.3.d").verdict \
        == "met"
    assert node(evaluate(TT124, baseline("agency", incidents=[first])), "6.3.d").verdict \
        == "not_met"


@pytest.mark.parametrize(("handled", "verdict"), [(False, "not_met"), (True, "met")])
def test_6_3_dd_serious_crime_handled_properly(handled, verdict):
    inc = crime(IN_WINDOW, "very_serious", handled_properly=handled)
    assert node(evaluate(TT124, baseline("enterprise", incidents=[inc])), "6.3.đ").verdict \
        == verdict


@pytest.mark.parametrize(
    ("discipline", "setting", "verdict"),
    [
        ("", "any_of", "not_met"),
        ("", "disciplined_only", "met"),
        ("reprimand", "disciplined_only", "met"),
        ("warning", "disciplined_only", "not_met"),
    ],
)
def test_6_3_h_reading_of_the_enumeration(discipline, setting, verdict):
    inc = Incident(IN_WINDOW, "staff_antt_fine_or_social_evil", discipline_level=discipline)
    inp = baseline("enterprise", incidents=[inc], settings={"staff_violation_reading": setting})
    n = node(evaluate(TT124, inp), "6.3.h")
    assert n.verdict == verdict
    assert "staff_violation_reading" in n.explanation


@pytest.mark.parametrize(
    ("facts", "code", "verdict"),
    [
        ({"internal_rule_topics": ["unit_protection", "state_secrets", "internal_politics",
                                   "labour_safety", "fire_safety"]}, "6.1", "not_met"),
        ({"staff_briefed": 79}, "6.1", "not_met"),
        ({"effective_models": 0}, "6.1", "not_met"),
        ({"protection_force_rating": "completed"}, "6.4", "not_met"),
        ({"protection_force_rating": "advanced_collective"}, "6.4", "met"),
        ({"protection_force_rating": "not_eligible"}, "6.4", "met"),
        ({"has_protection_force": False, "protection_force_rating": None}, "6.4", "met"),
        ({"has_protection_force": None}, "6.4", "missing_data"),
        ({"subunits_qualifying": 6}, "6.5", "not_met"),  # 6/10 < 70%
        ({"subunits_rated": 0, "subunits_qualifying": 0}, "6.5", "met"),
    ],
)
@pytest.mark.parametrize("kind", ["agency", "enterprise"])
def test_article_6_facts(kind, facts, code, verdict):
    assert node(evaluate(TT124, with_facts(kind, **facts)), code).verdict == verdict


def test_6_1_missing_topic_is_named():
    n = node(evaluate(TT124, with_facts("agency", internal_rule_topics=["fire_safety"])), "6.1")
    assert "bảo vệ bí mật nhà nước" in n.explanation


@pytest.mark.parametrize(
    ("group", "level", "code", "verdict"),
    [
        ("protection_force", "reprimand", "6.4", "met"),  # “từ cảnh cáo trở lên”
        ("protection_force", "warning", "6.4", "not_met"),
        ("staff", "warning", "6.5", "not_met"),
        ("staff", "reprimand", "6.5", "met"),
        ("staff", "salary_raise_deferral", "6.5", "not_met"),  # ranks with a warning
    ],
)
def test_article_6_discipline_from_warning_up(group, level, code, verdict):
    inp = baseline("agency", disciplines=[Discipline(IN_WINDOW, group, level)])
    assert node(evaluate(TT124, inp), code).verdict == verdict


# ------------------------------------------------------------- Art. 7: school
SC = "school"


def test_7_3_reuses_6_3_but_not_strikes_or_staff_fines():
    codes = [c.code for c in node(evaluate(TT124, baseline(SC)), "7.3").children]
    assert codes == ["6.3.a", "6.3.b", "6.3.c", "6.3.đ", "6.3.e", "6.3.g"]
    for category in ("illegal_strike_go_slow", "staff_antt_fine_or_social_evil"):
        ev = evaluate(TT124, baseline(SC, incidents=[Incident(IN_WINDOW, category)]))
        assert ev.result == "met"


@pytest.mark.parametrize(
    ("category", "discipline", "verdict"),
    [
        ("school_violence", "", "not_met"),
        ("member_crime", "", "not_met"),
        ("member_social_evil", "reprimand", "met"),
        ("member_social_evil", "warning", "not_met"),
        ("state_secret_violation", "", "not_met"),  # through 7.3 → 6.3.e
    ],
)
def test_article_7_events(category, discipline, verdict):
    inc = Incident(IN_WINDOW, category, discipline_level=discipline)
    assert evaluate(TT124, baseline(SC, incidents=[inc])).result == verdict


@pytest.mark.parametrize(
    ("facts", "general", "code", "verdict"),
    [
        ({"parents_board_coordination": False}, True, "7.2", "not_met"),
        ({"parents_board_coordination": False}, False, "7.2", "met"),  # not phổ thông
        ({"internal_rule_topics": ["unit_protection", "internal_politics", "fire_safety"]},
         True, "7.1", "not_met"),
        ({"staff_briefed": 899}, True, "7.1", "not_met"),  # learners included
        ({"has_protection_force": False, "protection_force_rating": None}, True, "7.5", "met"),
        ({"protection_force_rating": "completed"}, True, "7.5", "not_met"),
        ({"subunits_qualifying": 4}, True, "7.6", "not_met"),  # 4/6 = 66,67%
    ],
)
def test_article_7_facts(facts, general, code, verdict):
    inp = with_facts(SC, **facts)
    inp = replace(inp, unit=replace(inp.unit, is_general_education=general))
    assert node(evaluate(TT124, inp), code).verdict == verdict


# ------------------------------------------------------------- output shape


def test_as_dict_has_the_documented_shape():
    d = evaluate(TT124, baseline(RA)).as_dict()
    assert d["standard"] == "tt124-2021"
    assert d["window"] == ["2024-11-01", "2025-10-31"]
    assert d["result"] == "met"
    assert d["criteria"][0]["code"] == "4.1"
    assert {c["verdict"] for c in d["criteria"]} == {"met"}
    assert d["criteria"][2]["points"][0]["code"] == "4.3.a"


def test_province_add_on_criteria_are_anded():
    from antt.standards.catalog import Criterion, Rule

    extra = Criterion(
        code="BN.1",
        text="Không có vụ cháy rừng",
        reference="QĐ 514/QĐ-UBND tỉnh Bắc Ninh",
        evidence="judgement",
        kinds=(RA,),
        rules=(Rule("judgement", {"label": "không có vụ cháy rừng"}),),
    )
    ev = evaluate(TT124, baseline(RA, extra_criteria=[extra]))
    assert ev.criteria[-1].code == "BN.1"
    assert ev.result == "pending"


def test_explanations_keep_capitals_and_read_well_without_a_recorder():
    n = node(evaluate(TT124, with_facts(CO, security_plan_date=dt.date(YEAR, 5, 1))), "5.1")
    assert "Kế hoạch bảo đảm ANTT của Ủy ban nhân dân ngày 01/05/2025" in n.explanation
    inp = baseline(CO)
    anonymous = {**inp.judgements, "5.3": Judgement("5.3", "met", "Biên bản số 1", "")}
    n = node(evaluate(TT124, replace(inp, judgements=anonymous)), "5.3")
    assert "; : " not in n.explanation
    assert "Biên bản số 1." in n.explanation
    override = Judgement("4.1", "met", "Đã xác minh", "", override=True)
    inp = with_facts(RA, households_registered=1)
    n = node(evaluate(TT124, replace(inp, judgements={**inp.judgements, "4.1": override})), "4.1")
    assert "bởi ," not in n.explanation
