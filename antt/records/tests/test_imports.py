"""Importing incidents and yearly facts from CSV/XLSX: every bad input is named by row and column,
and a file with any error writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from antt.core.models import AuditEvent
from antt.records.import_service import import_facts, import_incidents
from antt.records.imports import parse_facts_file, parse_incidents_file
from antt.records.models import Incident, YearFacts
from antt.units.demo import COMMUNES, load_demo
from antt.units.models import UnitSource
from antt.units.services import create_unit
from antt.units.tests.test_import import cp1258_bytes

pytestmark = pytest.mark.django_db

INCIDENT_HEADER = "unit_code,date,category,gravity,description,force_majeure,flags_reason"
FACTS_HEADER = "unit_code,year,households_residing,households_registered,registration_date"
SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"


def csv_bytes(header: str, *lines: str, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *lines, ""]).encode(encoding)


def xlsx_bytes(header: list[str], *rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(command: str, data: bytes, tmp_path: Path, *args: str, name: str = "f.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_failing(command: str, data: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    err = StringIO()
    with pytest.raises(CommandError, match="Chưa ghi gì"):
        call_command(command, str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def incidents(*lines: str, **kw: object):
    parsed = parse_incidents_file(csv_bytes(INCIDENT_HEADER, *lines), "vu-viec.csv")
    return import_incidents(
        actor=kw.pop("actor", "test"), parsed=parsed, dry_run=bool(kw.pop("dry_run", False))
    )


def only_error(report) -> tuple[int | None, str | None, str]:
    assert len(report.errors) == 1, [str(e) for e in report.errors]
    error = report.errors[0]
    return error.row, error.column, error.message


# --- incidents ------------------------------------------------------------------------------------

GOOD = "00070-TDP01,2025-08-03,serious_fire_explosion,,Cháy nhà kho,,"


def test_incidents_are_imported_with_one_summary_and_one_event_per_row(tree):
    report = incidents(
        GOOD,
        "00070-DN01,12/09/2025,Tai nạn lao động chết người,,Ngã từ giàn giáo,,",
        "00070-THCS,2025-10-01,crime,nghiêm trọng,Cố ý gây thương tích,,",
    )
    assert report.ok
    assert report.written
    assert report.created == 3
    rows = {i.unit.code: i for i in Incident.objects.select_related("unit")}
    assert rows["00070-DN01"].category == "fatal_work_accident"
    assert rows["00070-DN01"].date == dt.date(2025, 9, 12)
    assert rows["00070-THCS"].gravity == "serious"
    summary = AuditEvent.objects.get(verb="incidents.import")
    assert summary.changes["created"] == 3
    assert summary.unit_path == tree.commune_a1.path
    per_row = AuditEvent.objects.filter(verb="incident.record")
    assert per_row.count() == 3
    assert {e.changes["import_event"] for e in per_row} == {summary.pk}


def test_importing_the_same_file_twice_records_nothing_new(tree, tmp_path):
    data = csv_bytes(INCIDENT_HEADER, GOOD)
    assert "ghi mới 1" in run("import_incidents", data, tmp_path)
    assert "ghi mới 0, cập nhật 0, giữ nguyên 1" in run("import_incidents", data, tmp_path)
    assert Incident.objects.count() == 1


def test_a_voided_incident_does_not_block_its_reimport(tree):
    incidents(GOOD)
    Incident.objects.update(voided_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    assert incidents(GOOD).created == 1


def test_dry_run_writes_nothing(tree, tmp_path):
    out = run("import_incidents", csv_bytes(INCIDENT_HEADER, GOOD), tmp_path, "--dry-run")
    assert "Chạy thử" in out
    assert "ghi mới 1" in out
    assert not Incident.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="incident").exists()


def test_an_xlsx_file_with_date_cells_is_read(tree, tmp_path):
    data = xlsx_bytes(
        ["Mã đơn vị", "Ngày xảy ra", "Loại vụ việc", "Mức độ"],
        ["00070-TDP01", dt.datetime(2025, 8, 3), "Tội phạm", "rất nghiêm trọng"],
    )
    assert "ghi mới 1" in run("import_incidents", data, tmp_path, name="f.xlsx")
    row = Incident.objects.get()
    assert (row.date, row.category, row.gravity) == (dt.date(2025, 8, 3), "crime", "very_serious")


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ("00070-TDP01,2025-08-03,đua xe,,,,", "category", "không có trong danh mục"),
        ("00070-TDP01,03-08-2025,serious_fire_explosion,,,,", "date", "không hợp lệ"),
        ("00070-TDP01,2099-01-01,serious_fire_explosion,,,,", "date", "chưa đến"),
        ("00070-TDP01,,serious_fire_explosion,,,,", "date", "thiếu giá trị"),
        ("00070-TDP01,2025-08-03,crime,,,,", "gravity", "mức độ"),
        ("00070-TDP01,2025-08-03,serious_fire_explosion,serious,,,", "gravity", "tội phạm"),
        ("00070-TDP01,2025-08-03,crime,ghê gớm,,,", "gravity", "không hợp lệ"),
        ("00070-TDP01,2025-08-03,serious_fire_explosion,,,yes,", "flags_reason", "căn cứ"),
        ("00070-TDP01,2025-08-03,serious_fire_explosion,,,có lẽ,", "force_majeure", "yes/no"),
        ("00070-TDP01,2025-08-03,school_violence,,,,", "category", "khu dân cư"),
        ("99999-X,2025-08-03,serious_fire_explosion,,,,", "unit_code", "không tìm thấy"),
        ("00070-TDP01,2025-03-12,serious_fire_explosion,,,,", "unit_code", "12/03/2025"),
        ("01,2025-08-03,serious_fire_explosion,,,,", "unit_code", "khu dân cư, xã/phường"),
        ("00070 TDP01,2025-08-03,serious_fire_explosion,,,,", "unit_code", "khoảng trắng"),
    ],
)
def test_each_bad_row_is_named_by_row_and_column_and_nothing_is_written(tree, line, column, words):
    report = incidents(GOOD, line)
    row, col, message = only_error(report)
    assert (row, col) == (3, column)
    assert words in message
    assert not report.written
    assert not Incident.objects.exists()


def test_two_identical_rows_in_one_file_are_an_error(tree):
    row, column, message = only_error(incidents(GOOD, GOOD))
    assert (row, column) == (3, "description")
    assert "dòng 2" in message


def test_a_missing_required_column_is_reported_on_the_header(tree):
    parsed = parse_incidents_file(csv_bytes("unit_code,date", "00070-TDP01,2025-08-03"), "x.csv")
    assert [(e.row, e.column) for e in parsed.errors] == [(1, "category")]


def test_a_unit_outside_the_actors_jurisdiction_is_not_found(tree, personas, tmp_path):
    data = csv_bytes(INCIDENT_HEADER, "26734-KP03,2025-08-03,serious_fire_explosion,,,,")
    err = run_failing("import_incidents", data, tmp_path, "--actor", "xa_a1")
    assert "Dòng 2, cột unit_code" in err
    assert "phạm vi bạn quản lý" in err
    assert "ghi mới 1" in run("import_incidents", data, tmp_path, "--actor", "xa_b1")


def test_a_user_without_the_right_to_record_is_refused(tree, personas, tmp_path):
    with pytest.raises(CommandError, match="không có quyền"):
        run(
            "import_incidents", csv_bytes(INCIDENT_HEADER, GOOD), tmp_path, "--actor", "nguoi_ngoai"
        )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "rỗng"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04garbage", "không phải tệp CSV"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_as_a_whole(tree, tmp_path, data, words):
    err = run_failing("import_incidents", data, tmp_path)
    assert words in err


def test_a_windows_1258_csv_is_read(tree):
    data = cp1258_bytes("unit_code,date,category\n00070-TDP01,2025-08-03,Cháy nổ nghiêm trọng\n")
    parsed = parse_incidents_file(data, "x.csv")
    assert parsed.ok, [str(e) for e in parsed.errors]
    assert parsed.rows[0].category == "serious_fire_explosion"


# --- yearly facts ---------------------------------------------------------------------------------


def facts(*lines: str, header: str = FACTS_HEADER, dry_run: bool = False, actor="test"):
    today = dt.date(2025, 11, 20)
    parsed = parse_facts_file(csv_bytes(header, *lines), "so-lieu.csv", today=today)
    return import_facts(actor=actor, parsed=parsed, dry_run=dry_run, today=today)


def test_facts_are_imported_merged_and_reimported_unchanged(tree):
    report = facts("00070-TDP01,2025,250,250,15/02/2025", "00097-TDP02,2025,120,,")
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert YearFacts.objects.get(unit=tree.area_a1).data == {
        "households_residing": 250,
        "households_registered": 250,
        "registration_date": "2025-02-15",
    }
    again = facts("00070-TDP01,2025,250,250,2025-02-15", "00097-TDP02,2025,121,,")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    # an empty cell keeps the stored value
    assert YearFacts.objects.get(unit=tree.area_a2).data == {"households_residing": 121}
    assert AuditEvent.objects.filter(verb="facts.import").count() == 2
    assert AuditEvent.objects.filter(verb="facts.set").count() == 3


def test_facts_of_every_type_from_a_spreadsheet(tree, tmp_path):
    data = xlsx_bytes(
        [
            "unit_code",
            "year",
            "internal_rule_topics",
            "has_protection_force",
            "protection_force_rating",
            "security_plan_date",
            "staff_total",
            "staff_briefed",
        ],
        [
            "00070-DN01",
            2025,
            "bảo vệ cơ quan, doanh nghiệp; state_secrets",
            "có",
            "Tập thể lao động tiên tiến",
            dt.datetime(2025, 1, 20),
            80,
            80,
        ],
    )
    assert "ghi mới 1" in run("import_facts", data, tmp_path, name="f.xlsx")
    assert YearFacts.objects.get().data == {
        "internal_rule_topics": ["unit_protection", "state_secrets"],
        "has_protection_force": True,
        "protection_force_rating": "advanced_collective",
        "security_plan_date": "2025-01-20",
        "staff_total": 80,
        "staff_briefed": 80,
    }


def test_a_vietnamese_label_header_names_the_fact(tree):
    report = facts(
        "00070-TDP01,2025,7", header="Mã đơn vị,Năm,Số vụ tội phạm xảy ra trong kỳ đánh giá"
    )
    assert report.ok
    assert YearFacts.objects.get().data == {"crime_count": 7}


def test_an_unknown_column_is_ignored_with_a_warning(tree):
    report = facts("00070-TDP01,2025,7,xanh", header="unit_code,year,crime_count,màu yêu thích")
    assert report.ok
    assert "màu yêu thích" in report.warnings[0]


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (
            "00070-TDP01,2025,250,260,",
            "households_registered",
            "“Số hộ gia đình đăng ký tham gia xây dựng khu dân cư an toàn” (260) lớn hơn",
        ),
        ("00070-TDP01,2025,-3,,", "households_residing", "không âm"),
        ("00070-TDP01,2025,nhiều,,", "households_residing", "không âm"),
        ("00070-TDP01,2025,,,30/02/2025", "registration_date", "không hợp lệ"),
        ("00070-TDP01,2025,,,2025-12-01", "registration_date", "chưa đến"),
        ("00070-TDP01,2026,1,,", "year", "chưa đến"),
        ("00070-TDP01,năm nay,1,,", "year", "không hợp lệ"),
        ("00070-TDP01,2023,1,,", "unit_code", "01/07/2023"),
        ("01,2025,1,,", "unit_code", "không thuộc đối tượng"),
        ("00097-TDP02,2025,1,,", "unit_code", "trùng với dòng 2"),
    ],
)
def test_each_bad_facts_row_is_named_and_nothing_is_written(tree, line, column, words):
    report = facts("00097-TDP02,2025,120,120,", line)
    row, col, message = only_error(report)
    assert (row, col) == (3, column)
    assert words in message
    assert not YearFacts.objects.exists()


def test_a_bad_rating_lists_the_accepted_values(tree):
    report = facts("00070-TDP01,2025,xuất sắc lắm", header="unit_code,year,grassroots_force_rating")
    row, column, message = only_error(report)
    assert (row, column) == (2, "grassroots_force_rating")
    assert "completed (Hoàn thành nhiệm vụ)" in message


def test_a_stored_total_is_checked_against_an_imported_part(tree):
    facts("00070-TDP01,2025,250,,")
    report = facts("00070-TDP01,2025,,251,")
    assert only_error(report)[:2] == (2, "households_registered")


def test_facts_dry_run_and_jurisdiction(tree, personas, tmp_path):
    data = csv_bytes(FACTS_HEADER, "00070-TDP01,2025,250,250,")
    assert "Chạy thử" in run("import_facts", data, tmp_path, "--dry-run", "--actor", "xa_a1")
    assert not YearFacts.objects.exists()
    err = run_failing("import_facts", data, tmp_path, "--actor", "xa_b1")
    assert "phạm vi bạn quản lý" in err


# --- the sample files -----------------------------------------------------------------------------

REFORM = dt.date(2025, 7, 1)
PROVINCES = {"01": "Thành phố Hà Nội", "79": "Thành phố Hồ Chí Minh", "51": "Tỉnh Quảng Ngãi"}
COMMUNE_NAMES = {"00070": "Phường Hoàn Kiếm", "26740": "Phường Sài Gòn", "21211": "Xã Tịnh Khê"}


@pytest.fixture
def demo_units(db):
    provinces = {
        code: create_unit(
            actor="test",
            code=code,
            name=name,
            kind="province",
            parent=None,
            valid_from=REFORM,
            source=UnitSource.OFFICIAL,
        )
        for code, name in PROVINCES.items()
    }
    for commune in COMMUNES:
        create_unit(
            actor="test",
            code=commune.code,
            name=COMMUNE_NAMES[commune.code],
            kind="commune",
            parent=provinces[commune.province_code],
            valid_from=REFORM,
            source=UnitSource.OFFICIAL,
        )
    load_demo(actor="test")


@pytest.mark.parametrize("name", ["incidents-sample.csv", "facts-sample.csv"])
def test_the_sample_files_import_cleanly_over_the_demo_units(demo_units, tmp_path, name):
    command = "import_incidents" if name.startswith("incidents") else "import_facts"
    out = run(command, (SAMPLES / name).read_bytes(), tmp_path)
    assert "Đã nhập" in out
    assert "giữ nguyên 0" in out
