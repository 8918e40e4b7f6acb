"""`antt evaluate`: one unit or a whole scope, as JSON or as Vietnamese text."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from antt.records.models import CriterionJudgement, Incident, YearFacts
from antt.units.models import Unit
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db

YEAR = 2025
AREA_FACTS = {
    "party_resolution_date": "2025-02-10",
    "registration_date": "2025-02-10",
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


@pytest.fixture
def ready(tree):
    """Tổ dân phố 1 meets everything in 2025; Tổ dân phố 2 has no records at all."""
    YearFacts.objects.create(unit=tree.area_a1, year=YEAR, data=AREA_FACTS)
    YearFacts.objects.create(unit=tree.area_a1, year=YEAR - 1, data=PREVIOUS)
    for code in ("4.2", "4.4.c"):
        CriterionJudgement.objects.create(
            unit=tree.area_a1,
            year=YEAR,
            criterion_code=code,
            verdict="met",
            reason="Cuộc họp thống nhất",
        )
    return tree


def evaluate(*args: str) -> str:
    out = StringIO()
    call_command("evaluate", "--year", str(YEAR), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def serious_crime(unit: Unit) -> None:
    Incident.objects.create(
        unit=unit,
        date=dt.date(2025, 3, 12),
        category="crime",
        gravity="serious",
        description="cướp giật tài sản",
    )


# --- one unit ------------------------------------------------------------------------------------


def test_unit_json_has_exactly_the_documented_shape(ready):
    data = json.loads(evaluate("--unit", "00070-TDP01", "--format", "json"))
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
    assert data["unit"] == "00070-TDP01"
    assert data["unit_name"] == "Tổ dân phố 1"
    assert data["year"] == YEAR
    assert data["standard"] == "tt124-2021"
    assert data["window"] == ["2024-11-01", "2025-10-31"]
    assert data["result"] == "met"
    assert [c["code"] for c in data["criteria"]] == ["4.1", "4.2", "4.3", "4.4", "4.5"]
    for criterion in data["criteria"]:
        assert {"code", "verdict", "explanation"} <= set(criterion)
        assert criterion["verdict"] in {"met", "not_met", "needs_judgement", "missing_data"}
    assert data["settings"] == {
        "crime_reduction": "not_higher",
        "discipline_grassroots_force": "reprimand",
    }


def test_unit_json_points_carry_the_vietnamese_explanation(ready):
    serious_crime(ready.area_a1)
    data = json.loads(evaluate("--unit", "00070-TDP01", "--format", "json"))
    assert data["result"] == "not_met"
    [c44] = [c for c in data["criteria"] if c["code"] == "4.4"]
    [b] = [p for p in c44["points"] if p["code"] == "4.4.b"]
    assert b["verdict"] == "not_met"
    assert "ngày 12/03/2025" in b["explanation"]


def test_unit_text_explains_each_criterion_in_vietnamese(ready):
    serious_crime(ready.area_a1)
    text = evaluate("--unit", "00070-TDP01")
    assert "Tổ dân phố 1 (mã 00070-TDP01) — năm 2025" in text
    assert "Kỳ đánh giá: 01/11/2024 – 31/10/2025" in text
    assert "Kết quả: ✗ Không đạt" in text
    assert (
        "✗ 4.4.b không đạt: Xảy ra tội phạm nghiêm trọng trở lên: 1 vụ tội phạm nghiêm trọng "
        "ngày 12/03/2025 tại Tổ dân phố 1 (cướp giật tài sản)"
    ) in text
    assert "✓ 4.1 đạt:" in text
    assert "crime_reduction = not_higher (không tăng so với năm trước là đạt)" in text


def test_a_unit_without_records_is_pending_with_missing_data_marked(ready):
    text = evaluate("--unit", "00097-TDP02")
    assert "Kết quả: … Chưa đủ căn cứ" in text
    assert "… 4.1 thiếu số liệu: Chưa nhập ngày của nghị quyết của chi bộ." in text


def test_a_unit_valid_only_part_of_the_year_is_still_found(ready):
    create_unit(
        actor="test",
        code="00070-CU",
        name="Tổ dân phố cũ",
        kind="residential_area",
        parent=ready.commune_a1,
        valid_to=dt.date(2025, 6, 30),
    )
    data = json.loads(evaluate("--unit", "00070-CU", "--format", "json"))
    assert data["unit_name"] == "Tổ dân phố cũ"


def test_an_ineligible_unit_is_refused_with_the_reason(ready):
    create_unit(
        actor="test",
        code="00070-DN09",
        name="Công ty TNHH Nhỏ",
        kind="enterprise",
        parent=ready.commune_a1,
        enterprise_size="small",
        valid_from=dt.date(2025, 7, 1),
    )
    with pytest.raises(CommandError, match="Doanh nghiệp nhỏ, siêu nhỏ không thuộc phạm vi"):
        evaluate("--unit", "00070-DN09")
    with pytest.raises(CommandError, match="Cấp tỉnh, cấp huyện không thuộc đối tượng"):
        evaluate("--unit", "01")


def test_an_unknown_code_is_an_error_in_vietnamese(ready):
    with pytest.raises(CommandError, match="Không có đơn vị mã “99999” có hiệu lực trong năm 2025"):
        evaluate("--unit", "99999")


def test_a_unit_not_yet_created_that_year_is_unknown(ready):
    with pytest.raises(CommandError, match="Không có đơn vị mã"):
        call_command("evaluate", "--year", "2024", "--unit", "00070-TDP01", stdout=StringIO())


def test_a_year_outside_the_circulars_is_refused(ready):
    with pytest.raises(CommandError, match="Năm đánh giá phải từ 2012"):
        call_command("evaluate", "--year", "2011", "--unit", "00070-TDP01", stdout=StringIO())


# --- a scope -------------------------------------------------------------------------------------


def test_scope_json_counts_results_per_kind(ready):
    create_unit(
        actor="test",
        code="00070-DN09",
        name="Công ty TNHH Nhỏ",
        kind="enterprise",
        parent=ready.commune_a1,
        enterprise_size="small",
        valid_from=dt.date(2025, 7, 1),
    )
    serious_crime(ready.area_a2)
    data = json.loads(evaluate("--scope", "01", "--format", "json"))
    assert data["scope"] == "01"
    assert data["year"] == YEAR
    summary = data["summary"]
    assert summary["residential_area"] == {
        "met": 1,
        "not_met": 1,
        "pending": 0,
        "total": 2,
        "ineligible": 0,
    }
    assert summary["commune"]["total"] == 2
    assert summary["enterprise"]["ineligible"] == 1
    assert summary["enterprise"]["total"] == 1
    assert [u["unit"] for u in data["ineligible"]] == ["00070-DN09"]
    units = {u["unit"]: u for u in data["units"]}
    assert units["00070-TDP01"]["result"] == "met"
    assert units["00070-TDP01"]["failed"] == []
    assert units["00097-TDP02"]["result"] == "not_met"
    assert units["00097-TDP02"]["failed"] == ["4.4"]
    assert "4.1" in units["00097-TDP02"]["pending"]
    # Commune A2's territory holds the serious crime: Art. 5.2 fails.
    assert units["00097"]["result"] == "not_met"
    assert "5.2" in units["00097"]["failed"]


def test_scope_text_prints_a_table_per_kind(ready):
    text = evaluate("--scope", "00070")
    assert "Đánh giá năm 2025 — Phường Hoàn Kiếm (mã 00070)" in text
    header = next(line for line in text.splitlines() if line.startswith("Loại đơn vị"))
    assert header.split() == [
        "Loại",
        "đơn",
        "vị",
        "Đạt",
        "Không",
        "đạt",
        "Chưa",
        "đủ",
        "căn",
        "cứ",
        "Tổng",
        "Không",
        "thuộc",
        "đối",
        "tượng",
    ]
    area = next(line for line in text.splitlines() if line.startswith("khu dân cư"))
    assert area.split()[-5:] == ["1", "0", "0", "1", "0"]


class TTY(StringIO):
    def isatty(self) -> bool:
        return True


def test_scope_shows_progress_only_on_a_terminal(ready):
    quiet, loud = StringIO(), TTY()
    call_command("evaluate", "--year", "2025", "--scope", "01", stdout=StringIO(), stderr=quiet)
    call_command("evaluate", "--year", "2025", "--scope", "01", stdout=StringIO(), stderr=loud)
    assert quiet.getvalue() == ""
    assert "Đã đánh giá 1 đơn vị…" in loud.getvalue()
