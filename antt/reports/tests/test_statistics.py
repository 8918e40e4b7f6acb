"""Statistics against hand-counted fixtures, across TT 23 → TT 124 and the 2025 reform.

The world (codes as in the official lists where it matters; “←” marks the old → new mapping):

    today (from 01/07/2025)                      before 01/07/2025
    51 Tỉnh Quảng Ngãi  ← 62                     62 Tỉnh Kon Tum
      23281 Phường Kon Tum  ← 23284 (+ 23287*)     608 Thành phố Kon Tum (district)
        TDP01, TDP02 (areas)                         23284 Phường Quyết Thắng
        DN01 medium enterprise                         TDP01, TDP02 (areas), THCS school
        DN02 small enterprise (not eligible)         23287 Phường Thống Nhất  (split: default
        QS armed-forces agency (not eligible)          TDP01 (area)              → 23290,
      23290 Xã Đăk Cấm  ← 23287 (default)          608-DN large enterprise      other → 23281)
        TDP01, TDP02 (areas), THCS school          62-SO agency (province level)
        TH primary school (not eligible)
      51-SO agency (province level)
    79 Thành phố Hồ Chí Minh
      26734 Phường Sài Gòn → KP03 (area)

Results (hand-entered; “imp” = imported from paper):
    2021 (TT 23): imp 23284-TDP01 met, 23284-TDP02 not met, 23287-TDP01 met, 23284 met,
                  23287 not met
    2022 (TT 124): 23284-TDP01 met, -TDP02 met, 23287-TDP01 not met, 23284 pending,
                  23287 met, 23284-THCS met, 62-SO met, 608-DN not met
    2025: 23281-TDP01 met, -TDP02 not met (criterion 4.3 failed), 23290-TDP01 pending,
          23281 met, 23290 not met (no assessment), 23290-THCS met, 51-SO met, 26734-KP03 met
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from antt.recognition import services
from antt.recognition.models import Assessment, Registration
from antt.reports import statistics
from antt.reports.import_results import import_results, parse_results_file
from antt.reports.review import YearsError, parse_years, review
from antt.reports.statistics import Scope, eligible_q, format_rate, summary
from antt.units import eligibility
from antt.units.models import Unit, UnitSuccession
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
END = dt.date(2025, 6, 30)
TODAY = dt.date(2026, 11, 25)

FAILED_EVALUATION = {
    "unit": "23281-TDP02",
    "year": 2025,
    "standard": "tt124-2021",
    "result": "not_met",
    "criteria": [
        {"code": "4.1", "verdict": "met", "explanation": "4.1 đạt", "reference": "Điều 4.1"},
        {
            "code": "4.3",
            "verdict": "not_met",
            "explanation": "4.3 không đạt: có vụ việc phức tạp",
            "reference": "Điều 4.3",
            "points": [
                {"code": "4.3.a", "verdict": "met", "explanation": "", "reference": ""},
                {"code": "4.3.c", "verdict": "not_met", "explanation": "", "reference": ""},
            ],
        },
    ],
}


@dataclass
class World:
    now_province: Unit
    now_c1: Unit
    now_c2: Unit
    hcm: Unit
    saigon: Unit
    old_province: Unit
    old_district: Unit
    old_c1: Unit
    old_c2: Unit
    units: dict[str, Unit]


def _unit(code, name, kind, parent, *, current=True, **attrs):
    validity = {"valid_from": REFORM} if current else {"valid_to": END}
    return create_unit(
        actor="test", code=code, name=name, kind=kind, parent=parent, **validity, **attrs
    )


def _decide(unit, year, result, *, evaluation=None):
    reg = services.register_unit(actor="test", unit=unit, year=year)
    if result == "pending":
        return reg
    if evaluation is not None:
        Assessment.objects.create(
            registration=reg,
            held_on=dt.date(year, 10, 20),
            chair="Trưởng khu dân cư",
            evaluation=evaluation,
            result=result,
        )
    state = "decided_met" if result == "met" else "decided_not_met"
    Registration.objects.filter(pk=reg.pk).update(state=state, result=result)
    return reg


def build_world(*, with_results: bool = True) -> World:
    u: dict[str, Unit] = {}
    p = _unit("51", "Tỉnh Quảng Ngãi", "province", None)
    c1 = _unit("23281", "Phường Kon Tum", "commune", p)
    c2 = _unit("23290", "Xã Đăk Cấm", "commune", p)
    u["23281-TDP01"] = _unit("23281-TDP01", "Tổ dân phố 1", "residential_area", c1)
    u["23281-TDP02"] = _unit("23281-TDP02", "Tổ dân phố 2", "residential_area", c1)
    u["23281-DN01"] = _unit("23281-DN01", "Công ty CP Cà phê Kon Tum", "enterprise", c1,
                            enterprise_size="medium", managing_level="commune")
    u["23281-DN02"] = _unit("23281-DN02", "Hộ kinh doanh Minh An", "enterprise", c1,
                            enterprise_size="small")
    u["23281-QS"] = _unit("23281-QS", "Ban Chỉ huy quân sự phường", "agency", c1,
                          is_armed_forces=True)
    u["23290-TDP01"] = _unit("23290-TDP01", "Thôn 1", "residential_area", c2)
    u["23290-TDP02"] = _unit("23290-TDP02", "Thôn 2", "residential_area", c2)
    u["23290-THCS"] = _unit("23290-THCS", "Trường THCS Đăk Cấm", "school", c2,
                            education_level="lower_secondary", managing_level="commune")
    u["23290-TH"] = _unit("23290-TH", "Trường Tiểu học Đăk Cấm", "school", c2,
                          education_level="primary")
    u["51-SO"] = _unit("51-SO", "Sở Tư pháp", "agency", p, managing_level="province")
    hcm = _unit("79", "Thành phố Hồ Chí Minh", "province", None)
    saigon = _unit("26734", "Phường Sài Gòn", "commune", hcm)
    u["26734-KP03"] = _unit("26734-KP03", "Khu phố 3", "residential_area", saigon)

    op = _unit("62", "Tỉnh Kon Tum", "province", None, current=False)
    od = _unit("608", "Thành phố Kon Tum", "district", op, current=False)
    oc1 = _unit("23284", "Phường Quyết Thắng", "commune", od, current=False)
    oc2 = _unit("23287", "Phường Thống Nhất", "commune", od, current=False)
    u["23284-TDP01"] = _unit("23284-TDP01", "Tổ dân phố 1 (cũ)", "residential_area", oc1,
                             current=False)
    u["23284-TDP02"] = _unit("23284-TDP02", "Tổ dân phố 2 (cũ)", "residential_area", oc1,
                             current=False)
    u["23284-THCS"] = _unit("23284-THCS", "Trường THCS Quyết Thắng", "school", oc1,
                            current=False, education_level="lower_secondary",
                            managing_level="commune")
    u["23287-TDP01"] = _unit("23287-TDP01", "Tổ dân phố 5 (cũ)", "residential_area", oc2,
                             current=False)
    u["608-DN"] = _unit("608-DN", "Công ty Cao su Kon Tum", "enterprise", od, current=False,
                        enterprise_size="large", managing_level="district")
    u["62-SO"] = _unit("62-SO", "Sở Tư pháp Kon Tum", "agency", op, current=False,
                       managing_level="province")
    for old, new, default in ((op, p, True), (oc1, c1, True), (oc2, c2, True),
                              (oc2, c1, False)):
        UnitSuccession.objects.create(predecessor=old, successor=new, effective_date=REFORM,
                                      is_default=default)
    world = World(p, c1, c2, hcm, saigon, op, od, oc1, oc2, u)
    if with_results:
        add_results(world)
    return world


def add_results(w: World) -> None:
    u = w.units
    csv = (
        "year,unit_code,result,decision_number,decision_date\n"
        "2021,23284-TDP01,đạt,15/QĐ-UBND,20/11/2021\n"
        "2021,23284-TDP02,chưa đạt,15/QĐ-UBND,20/11/2021\n"
        "2021,23287-TDP01,met,,\n"
        "2021,23284,đạt,,\n"
        "2021,23287,không đạt,,\n"
    ).encode()
    report = import_results(actor="test", parsed=parse_results_file(csv, "2021.csv",
                                                                     today=TODAY),
                            dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    for code, result in (("23284-TDP01", "met"), ("23284-TDP02", "met"),
                         ("23287-TDP01", "not_met"), ("23284-THCS", "met"), ("62-SO", "met"),
                         ("608-DN", "not_met")):
        _decide(u[code], 2022, result)
    _decide(w.old_c1, 2022, "pending")
    _decide(w.old_c2, 2022, "met")
    _decide(u["23281-TDP01"], 2025, "met")
    _decide(u["23281-TDP02"], 2025, "not_met", evaluation=FAILED_EVALUATION)
    _decide(u["23290-TDP01"], 2025, "pending")
    _decide(w.now_c1, 2025, "met")
    _decide(w.now_c2, 2025, "not_met")
    _decide(u["23290-THCS"], 2025, "met")
    _decide(u["51-SO"], 2025, "met")
    _decide(u["26734-KP03"], 2025, "met")


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def counts(rows, kind):
    [line] = [r for r in rows if r["kind"] == kind]
    return (line["eligible"], line["registered"], line["met"], line["not_met"],
            line["rate_display"])


def child(data, code):
    [found] = [c for c in data["children"] if c["code"] == code]
    return found["rows"]


# --- formatting and eligibility ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("met", "registered", "shown"),
    [(740, 757, "97,75%"), (92, 102, "90,20%"), (409, 473, "86,47%"), (1, 3, "33,33%"),
     (2, 3, "66,67%"), (1, 1, "100,00%"), (0, 4, "0,00%"), (0, 0, "—")],
)
def test_rates_are_printed_the_vietnamese_way(met, registered, shown):
    assert format_rate(met, registered) == shown


def test_a_rate_keeps_its_numerator_and_denominator():
    line = statistics.row("residential_area", statistics.Counts(800, 757, 740, 10))
    assert line["rate"] == pytest.approx(0.977542, abs=1e-6)
    assert (line["met"], line["registered"], line["rate_display"]) == (740, 757, "97,75%")
    assert line["pending"] == 7
    assert line["rate_eligible_display"] == "92,50%"


ELIGIBILITY_CASES = [
    ("residential_area", {}),
    ("commune", {}),
    ("province", {}),
    ("district", {}),
    ("agency", {}),
    ("agency", {"is_armed_forces": True}),
    ("enterprise", {"enterprise_size": "micro"}),
    ("enterprise", {"enterprise_size": "small"}),
    ("enterprise", {"enterprise_size": "medium"}),
    ("enterprise", {"enterprise_size": "large"}),
    ("enterprise", {"enterprise_size": ""}),
    ("enterprise", {"enterprise_size": "large", "is_armed_forces": True}),
    ("school", {"education_level": "preschool"}),
    ("school", {"education_level": "primary"}),
    ("school", {"education_level": ""}),
    ("school", {"education_level": "lower_secondary"}),
    ("school", {"education_level": "upper_secondary"}),
    ("school", {"education_level": "multi_level"}),
    ("school", {"education_level": "vocational"}),
    ("school", {"education_level": "higher"}),
    ("school", {"education_level": "primary", "is_armed_forces": True}),
]


def test_eligibility_in_sql_is_the_python_rule(db):
    root = _unit("01", "Thành phố Hà Nội", "province", None)
    commune = _unit("00070", "Phường Hoàn Kiếm", "commune", root)
    expected = {}
    for index, (kind, attrs) in enumerate(ELIGIBILITY_CASES):
        parent = {"province": None, "district": root, "commune": root}.get(kind, commune)
        unit = _unit(f"X{index:02d}", f"Đơn vị {index}", kind, parent, **attrs)
        expected[unit.pk] = eligibility.assess(kind=kind, **attrs).eligible
    in_sql = set(Unit.objects.filter(eligible_q(), code__startswith="X").values_list("pk",
                                                                                       flat=True))
    assert in_sql == {pk for pk, ok in expected.items() if ok}
    assert len(in_sql) == 11  # the table's eligible cases, counted by hand


# --- one year, one scope -------------------------------------------------------------------------


def test_current_province_before_the_reform_sums_the_old_units(world):
    data = summary(Scope(world.now_province), 2022, today=TODAY)
    assert data["scope"]["code"] == "51"
    assert data["legal_basis"] == "TT 124/2021"
    assert data["criteria_set"]["code"] == "tt124-2021"
    rows = data["rows"]
    assert [r["kind"] for r in rows] == ["residential_area", "commune", "agency", "enterprise",
                                         "school", "organization"]
    assert counts(rows, "residential_area") == (3, 3, 2, 1, "66,67%")
    assert counts(rows, "commune") == (2, 2, 1, 0, "50,00%")
    assert counts(rows, "agency") == (1, 1, 1, 0, "100,00%")
    assert counts(rows, "enterprise") == (1, 1, 0, 1, "0,00%")
    assert counts(rows, "school") == (1, 1, 1, 0, "100,00%")
    assert counts(rows, "organization") == (3, 3, 2, 1, "66,67%")
    # Children in today's geography; the split 23287 counts whole in its default 23290.
    assert [c["code"] for c in data["children"]] == ["23281", "23290", None]
    assert counts(child(data, "23281"), "residential_area") == (2, 2, 2, 0, "100,00%")
    assert counts(child(data, "23281"), "commune") == (1, 1, 0, 0, "0,00%")
    assert counts(child(data, "23281"), "school") == (1, 1, 1, 0, "100,00%")
    assert counts(child(data, "23290"), "residential_area") == (1, 1, 0, 1, "0,00%")
    assert counts(child(data, "23290"), "commune") == (1, 1, 1, 0, "100,00%")
    assert counts(child(data, None), "organization") == (2, 2, 1, 1, "50,00%")
    assert statistics.NOTE_SPLIT in data["notes"]
    assert any("trước khi sắp xếp" in n for n in data["notes"])


def test_pending_registrations_count_as_registered_not_decided(world):
    rows = summary(Scope(world.now_province), 2022, today=TODAY)["rows"]
    [commune] = [r for r in rows if r["kind"] == "commune"]
    assert commune["pending"] == 1


def test_imported_year_under_tt23(world):
    data = summary(Scope(world.now_province), 2021, today=TODAY)
    assert (data["legal_basis"], data["criteria_set"]["code"]) == ("TT 23/2012", "tt23-2012")
    assert counts(data["rows"], "residential_area") == (3, 3, 2, 1, "66,67%")
    assert counts(data["rows"], "commune") == (2, 2, 1, 1, "50,00%")
    assert counts(child(data, "23281"), "residential_area") == (2, 2, 1, 1, "50,00%")
    assert counts(child(data, "23290"), "residential_area") == (1, 1, 1, 0, "100,00%")
    assert any("hồ sơ giấy" in n for n in data["notes"])
    assert any("Thông tư 23/2012" in n for n in data["notes"])


def test_pre_reform_province_for_a_pre_reform_year_works_directly(world):
    data = summary(Scope(world.old_province), 2022, today=TODAY)
    assert data["scope"]["geography"] == "historical"
    assert counts(data["rows"], "residential_area") == (3, 3, 2, 1, "66,67%")
    assert counts(data["rows"], "organization") == (3, 3, 2, 1, "66,67%")
    assert [c["code"] for c in data["children"]] == ["608", None]
    assert counts(child(data, "608"), "enterprise") == (1, 1, 0, 1, "0,00%")
    assert counts(child(data, "608"), "commune") == (2, 2, 1, 0, "50,00%")
    assert counts(child(data, None), "agency") == (1, 1, 1, 0, "100,00%")


def test_pre_reform_province_after_it_ended_has_nothing_eligible(world):
    """No unit of it is valid on 31/10/2025: no parent to place, every count zero."""
    data = summary(Scope(world.old_province), 2025, today=TODAY)
    assert all(r["eligible"] == 0 and r["registered"] == 0 for r in data["rows"])
    assert all(r["eligible"] == 0 for c in data["children"] for r in c["rows"])

def test_pre_reform_district_lists_its_communes(world):
    data = summary(Scope(world.old_district), 2022, today=TODAY)
    assert [c["code"] for c in data["children"]] == ["23284", "23287", None]
    assert counts(child(data, "23284"), "residential_area") == (2, 2, 2, 0, "100,00%")
    assert counts(child(data, "23287"), "residential_area") == (1, 1, 0, 1, "0,00%")
    assert counts(child(data, None), "enterprise") == (1, 1, 0, 1, "0,00%")


def test_after_the_reform_the_current_units_count(world):
    data = summary(Scope(world.now_province), 2025, today=TODAY)
    assert counts(data["rows"], "residential_area") == (4, 3, 1, 1, "33,33%")
    assert counts(data["rows"], "commune") == (2, 2, 1, 1, "50,00%")
    assert counts(data["rows"], "enterprise") == (1, 0, 0, 0, "—")
    assert counts(data["rows"], "organization") == (3, 2, 2, 0, "100,00%")
    assert counts(child(data, "23290"), "residential_area") == (2, 1, 0, 0, "0,00%")
    assert statistics.NOTE_SPLIT not in data["notes"]


def test_national_summary_groups_by_todays_provinces(world):
    data = summary(Scope(None), 2025, today=TODAY)
    assert data["scope"] == {"code": "VN", "name": "Toàn quốc", "kind": "country",
                             "level": "national", "geography": "current", "valid_from": None,
                             "valid_to": None}
    assert [c["code"] for c in data["children"]] == ["51", "79"]
    assert counts(data["rows"], "residential_area") == (5, 4, 2, 1, "50,00%")
    assert counts(child(data, "79"), "residential_area") == (1, 1, 1, 0, "100,00%")
    old = summary(Scope(None), 2022, today=TODAY)
    assert [c["code"] for c in old["children"]] == ["51", "79"]
    assert counts(child(old, "51"), "organization") == (3, 3, 2, 1, "66,67%")
    assert counts(child(old, "79"), "residential_area") == (0, 0, 0, 0, "—")


def test_commune_lists_its_units_and_what_failed(world):
    data = summary(Scope(world.now_c1), 2025, today=TODAY)
    assert data["children"] == []
    lines = {line["code"]: line for line in data["units"]}
    assert set(lines) == {"23281", "23281-TDP01", "23281-TDP02", "23281-DN01"}
    assert lines["23281-TDP02"]["failed_criteria"] == ["4.3"]
    assert lines["23281-TDP02"]["failed_points"] == ["4.3.c"]
    assert "có vụ việc phức tạp" in lines["23281-TDP02"]["failed_details"][0]["explanation"]
    assert lines["23281-DN01"]["registered"] is False
    c2 = {line["code"]: line for line in summary(Scope(world.now_c2), 2025)["units"]}
    assert c2["23290"]["failed_criteria"] == []
    assert "Chưa có biên bản" in c2["23290"]["note"]


def test_commune_before_the_reform_lists_the_old_units_with_imported_history(world):
    data = summary(Scope(world.now_c1), 2021, today=TODAY)
    lines = {line["code"]: line for line in data["units"]}
    # 23287's areas went to the default successor 23290, not here.
    assert set(lines) == {"23284", "23284-TDP01", "23284-TDP02", "23284-THCS"}
    assert lines["23284-TDP02"]["result"] == "not_met"
    assert lines["23284-TDP02"]["imported"] is True
    assert "hồ sơ giấy" in lines["23284-TDP02"]["note"]
    assert lines["23284-THCS"]["registered"] is False


def test_summary_is_json(world):
    import json

    text = json.dumps(summary(Scope(world.now_province), 2022), ensure_ascii=False)
    assert '"rate_display": "66,67%"' in text


# --- speed ---------------------------------------------------------------------------------------


def _queries(scope, year):
    with CaptureQueriesContext(connection) as ctx:
        summary(scope, year, today=TODAY)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_children(world, django_assert_max_num_queries):
    national, province = _queries(Scope(None), 2022), _queries(Scope(world.now_province), 2022)
    for n in range(5):
        extra = _unit(f"9{n}", f"Tỉnh thử {n}", "province", None)
        for m in range(3):
            commune = _unit(f"9{n}{m:03d}", f"Xã thử {n}.{m}", "commune", extra)
            area = _unit(f"9{n}{m:03d}-T", "Thôn 1", "residential_area", commune)
            _decide(area, 2022, "met")
        for m in range(3):
            commune = _unit(f"51{n}{m}", f"Phường mới {n}.{m}", "commune", world.now_province)
            _decide(_unit(f"51{n}{m}-T", "Tổ 1", "residential_area", commune), 2022, "met")
    assert _queries(Scope(None), 2022) == national
    assert _queries(Scope(world.now_province), 2022) == province
    with django_assert_max_num_queries(4):
        summary(Scope(None), 2022, today=TODAY)
    # 7: the eligible units are counted per parent, then the parents are placed (eligible_counts)
    with django_assert_max_num_queries(7):
        summary(Scope(world.now_province), 2022, today=TODAY)
    with django_assert_max_num_queries(6):
        summary(Scope(world.now_c1), 2025, today=TODAY)


# --- several years -------------------------------------------------------------------------------


def test_review_marks_legal_basis_and_warns_at_both_breaks(world):
    data = review(Scope(world.now_province), [2021, 2022, 2023, 2024, 2025])
    series = {item["year"]: item for item in data["series"]}
    assert [series[y]["legal_basis"] for y in (2021, 2022, 2025)] == [
        "TT 23/2012", "TT 124/2021", "TT 124/2021"]
    assert [b["code"] for b in data["breaks"]] == ["criteria_change", "reform_2025"]
    assert [b["years"] for b in data["breaks"]] == [[2021, 2022], [2024, 2025]]
    assert "2021 → 2022" in data["warnings"][0]
    assert "Thông tư số 23/2012" in data["warnings"][0]
    assert "01/7/2025" in data["warnings"][1]
    assert series[2022]["breaks"] == ["criteria_change"]
    assert series[2025]["breaks"] == ["reform_2025"]
    assert series[2023]["breaks"] == []
    assert counts(series[2021]["rows"], "residential_area") == (3, 3, 2, 1, "66,67%")
    assert counts(series[2022]["rows"], "organization") == (3, 3, 2, 1, "66,67%")
    assert counts(series[2023]["rows"], "residential_area") == (3, 0, 0, 0, "—")
    assert counts(series[2025]["rows"], "residential_area") == (4, 3, 1, 1, "33,33%")
    assert statistics.NOTE_SPLIT in data["notes"]


def test_review_matches_the_summaries(world):
    data = review(Scope(world.now_province), [2021, 2022, 2025])
    for item in data["series"]:
        assert item["rows"] == summary(Scope(world.now_province), item["year"])["rows"]


def test_review_within_one_period_has_no_warning(world):
    assert review(Scope(world.now_province), [2022, 2023, 2024])["warnings"] == []


def test_review_query_count_does_not_grow_with_years(world):
    with CaptureQueriesContext(connection) as few:
        review(Scope(world.now_province), [2022, 2023])
    with CaptureQueriesContext(connection) as many:
        review(Scope(world.now_province), list(range(2015, 2026)))
    assert len(many.captured_queries) == len(few.captured_queries) <= 4


@pytest.mark.parametrize(
    ("text", "years"),
    [("2021-2025", [2021, 2022, 2023, 2024, 2025]), ("2021–2023", [2021, 2022, 2023]),
     ("2019, 2021,2025", [2019, 2021, 2025]), ("2022", [2022])],
)
def test_years_are_read(text, years):
    assert parse_years(text, 2012, 2026) == years


@pytest.mark.parametrize("text", ["", "21-25", "2025-2021", "2010-2012", "2021-2030", "abc"])
def test_bad_years_are_refused_in_vietnamese(text):
    with pytest.raises(YearsError):
        parse_years(text, 2012, 2026)


def test_province_children_carry_their_units_not_met(world):
    data = summary(Scope(world.now_province), 2025, today=TODAY)
    units = {c["code"]: c["units"] for c in data["children"]}
    assert [(u["code"], u["failed_criteria"]) for u in units["23281"]] == [
        ("23281-TDP02", ["4.3"])]
    assert [u["code"] for u in units["23290"]] == ["23290"]
    old = summary(Scope(world.now_province), 2021, today=TODAY)
    lines = {c["code"]: c["units"] for c in old["children"]}
    assert [(u["code"], u["imported"]) for u in lines["23281"]] == [("23284-TDP02", True)]
    assert "hồ sơ giấy" in lines["23281"][0]["note"]
    assert "units" not in summary(Scope(None), 2025, today=TODAY)["children"][0]



def test_a_unit_not_met_shows_what_failed_in_its_newest_assessment(world):
    unit = _unit("23290-TDP09", "Thôn 9", "residential_area", world.now_c2)
    reg = _decide(unit, 2025, "not_met", evaluation={"criteria": [
        {"code": "4.1", "verdict": "not_met", "explanation": "4.1 không đạt"}]})
    Assessment.objects.create(  # the meeting held again: only its verdicts count
        registration=reg, held_on=dt.date(2025, 10, 25), chair="Trưởng thôn",
        evaluation=FAILED_EVALUATION, result="not_met")
    lines = {u["code"]: u for c in summary(Scope(world.now_province), 2025)["children"]
             for u in c["units"]}
    assert lines[unit.code]["failed_criteria"] == ["4.3"]
    assert lines[unit.code]["failed_points"] == ["4.3.c"]
    Assessment.objects.create(
        registration=reg, held_on=dt.date(2025, 10, 26), chair="Trưởng thôn",
        evaluation={"criteria": [{"code": "4.1", "verdict": "met"}]}, result="not_met")
    units = summary(Scope(world.now_c2), 2025)["units"]
    line = next(u for u in units if u["code"] == unit.code)
    assert line["failed_criteria"] == []
    assert line["note"] == statistics.NO_FAILED_CRITERIA


def test_units_under_a_path_are_its_descendants_only(world):
    """Under "/6/" is not under "/60/" (the SQLite range of ``under_paths`` stops at "/60")."""
    units = list(Unit.objects.order_by("pk")[:5])
    for unit, path in zip(units, ["/6/", "/6/7/", "/60/", "/60/8/", "/5/"], strict=True):
        Unit.objects.filter(pk=unit.pk).update(path=path)
    found = Unit.objects.filter(statistics.under_paths(("/6/",))).values_list("path", flat=True)
    assert sorted(found) == ["/6/", "/6/7/"]
    both = Unit.objects.filter(statistics.under_paths(("/60/", "/5/")))
    assert sorted(both.values_list("path", flat=True)) == ["/5/", "/60/", "/60/8/"]

# --- the command ---------------------------------------------------------------------------------


def _report(*args):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_report_command_prints_the_summary_as_json(world):
    import json

    data = json.loads(_report("summary", "--year", "2022", "--scope", "62"))
    assert (data["year"], data["scope"]["code"], data["scope"]["name"]) == (2022, "62",
                                                                             "Tỉnh Kon Tum")
    assert counts(data["rows"], "residential_area") == (3, 3, 2, 1, "66,67%")
    today = json.loads(_report("summary", "--year", "2022", "--scope", "51"))
    assert today["scope"]["geography"] == "current"
    national = json.loads(_report("summary", "--year", "2025"))
    assert national["scope"]["code"] == "VN"


def test_report_command_review(world):
    import json

    data = json.loads(_report("review", "--years", "2021-2025", "--scope", "51"))
    assert [b["code"] for b in data["breaks"]] == ["criteria_change", "reform_2025"]


def test_report_command_refuses_bad_input(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Năm báo cáo phải từ 2012"):
        _report("summary", "--year", "2011")
    with pytest.raises(CommandError, match="Không có đơn vị mã “99999”"):
        _report("summary", "--year", "2022", "--scope", "99999")
    with pytest.raises(CommandError, match="bị ngược"):
        _report("review", "--years", "2025-2021")


def test_report_command_says_when_the_exporter_is_missing(world, monkeypatch, tmp_path):
    from django.core.management import CommandError

    def missing(report, fmt, data):
        raise statistics.ExportUnavailable("Chưa cài đặt bộ xuất báo cáo (antt.reports.exports)")

    monkeypatch.setattr(statistics, "export", missing)
    with pytest.raises(CommandError, match="Chưa cài đặt bộ xuất báo cáo"):
        _report("summary", "--year", "2022", "--scope", "51", "--format", "xlsx",
                "--output", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()


def test_report_command_writes_the_exporters_file(world, tmp_path):
    assert "summary_xlsx" in statistics.exports_available()
    target = tmp_path / "bao-cao.xlsx"
    _report("summary", "--year", "2022", "--scope", "51", "--format", "xlsx", "--output",
            str(target))
    assert target.read_bytes()[:2] == b"PK"
