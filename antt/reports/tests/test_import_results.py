"""Importing results from paper records: every kind of bad row (named by row and column, in
Vietnamese), nothing written on any error, re-import without duplicates, dry run, the command."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from antt.accounts.services import assign_role
from antt.core.models import AuditEvent
from antt.recognition import services
from antt.recognition.models import Registration
from antt.reports.import_results import import_results, parse_results_file
from antt.reports.tests.test_statistics import TODAY, World, build_world
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db

HEADER = "year,unit_code,result,registered,decision_number,decision_date\n"
GOOD = (
    HEADER
    + "2021,23284-TDP01,đạt,,15/QĐ-UBND,20/11/2021\n"
    + "2021,23287-TDP01,chưa đạt,,15/QĐ-UBND,20/11/2021\n"
    + "2021,23284,met,,,\n"
)


@pytest.fixture
def world(db: None) -> World:
    return build_world(with_results=False)


def run(text: str | bytes, *, actor="test", dry_run=False, name="ket-qua.csv"):
    data = text.encode() if isinstance(text, str) else text
    parsed = parse_results_file(data, name, today=TODAY)
    return import_results(actor=actor, parsed=parsed, dry_run=dry_run)


def errors(report) -> list[tuple[int | None, str | None, str]]:
    return [(e.row, e.column, e.message) for e in report.errors]


def nothing_written() -> bool:
    return not Registration.objects.exists() and not AuditEvent.objects.filter(
        verb__in=("results.import", "registration.import")
    ).exists()


# --- what a good file does -----------------------------------------------------------------------


def test_rows_become_imported_registrations_with_their_geography(world):
    report = run(GOOD)
    assert report.ok
    assert report.written
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    area = Registration.objects.get(unit__code="23284-TDP01", year=2021)
    assert area.imported is True
    assert (area.state, area.result) == ("decided_met", "met")
    assert area.criteria_set == "tt23-2012"
    assert area.unit_kind == "residential_area"
    assert (area.province, area.district, area.commune) == (
        world.old_province, world.old_district, world.old_c1)
    assert (area.current_province, area.current_commune) == (world.now_province, world.now_c1)
    assert area.decided_on == dt.date(2021, 11, 20)
    split = Registration.objects.get(unit__code="23287-TDP01")
    assert (split.result, split.current_commune) == ("not_met", world.now_c2)  # the default
    summary = AuditEvent.objects.get(verb="results.import")
    assert summary.changes["created"] == 3
    event = AuditEvent.objects.get(verb="registration.import", object_id=str(area.pk))
    assert event.changes["decision_number"] == "15/QĐ-UBND"
    assert event.changes["import_event"] == summary.pk


def test_reimport_changes_nothing_and_duplicates_nothing(world):
    run(GOOD)
    again = run(GOOD)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Registration.objects.count() == 3


def test_reimport_updates_a_corrected_result(world):
    run(GOOD)
    corrected = GOOD.replace("2021,23287-TDP01,chưa đạt", "2021,23287-TDP01,đạt")
    report = run(corrected)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    reg = Registration.objects.get(unit__code="23287-TDP01", year=2021)
    assert (reg.state, reg.result, reg.version) == ("decided_met", "met", 2)
    assert Registration.objects.count() == 3
    event = AuditEvent.objects.get(verb="registration.reimport")
    assert event.changes["result"] == ["not_met", "met"]


def test_dry_run_writes_nothing(world):
    report = run(GOOD, dry_run=True)
    assert report.ok
    assert not report.written
    assert report.created == 3
    assert nothing_written()


def test_not_registered_records_nothing(world):
    report = run(HEADER + "2021,23284-TDP02,,không,,\n2021,23284-TDP01,đạt,có,,\n")
    assert report.ok
    assert (report.created, report.not_registered) == (1, 1)
    assert not Registration.objects.filter(unit__code="23284-TDP02").exists()


def test_vietnamese_headers_and_words(world):
    report = run("Năm;Mã đơn vị;Kết quả;Đăng ký;Số quyết định;Ngày quyết định\n"
                 "2021;23284-TDP01;Không đạt;Có;12/QĐ-UBND;2021-11-25\n")
    assert report.ok, errors(report)
    assert Registration.objects.get().result == "not_met"


def test_xlsx_file(world):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["year", "unit_code", "result", "decision_date"])
    sheet.append([2021, "23284-TDP01", "đạt", dt.datetime(2021, 11, 20)])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(buffer.getvalue(), name="ket-qua.xlsx")
    assert report.ok, errors(report)
    assert Registration.objects.get().decided_on == dt.date(2021, 11, 20)


def test_tt23_years_accept_units_tt124_excludes(world):
    small = create_unit(actor="test", code="608-HKD", name="Hộ kinh doanh Hải", kind="enterprise",
                        parent=world.old_district, valid_to=dt.date(2025, 6, 30),
                        enterprise_size="small")
    report = run(HEADER + f"2021,{small.code},đạt,,,\n")
    assert report.ok  # TT 23 excluded no enterprise by size
    refused = run(HEADER + f"2022,{small.code},đạt,,,\n")
    assert errors(refused) == [(2, "unit_code", "“Hộ kinh doanh Hải” không thuộc đối tượng xét "
                                "công nhận năm 2022 (TT 124/2021): Doanh nghiệp nhỏ, siêu nhỏ "
                                "không thuộc phạm vi (Điều 1.2.b).")]


# --- every kind of bad row -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        ("2021,23281,đạt,,,", "unit_code", "không tìm thấy đơn vị mã “23281” có hiệu lực trong "
                                            "năm 2021"),
        ("2024,99999,đạt,,,", "unit_code", "không tìm thấy đơn vị mã “99999”"),
        ("2021,62,đạt,,,", "unit_code", "không thuộc đối tượng xét công nhận"),
        ("20x1,23284,đạt,,,", "year", "năm “20x1” không hợp lệ"),
        ("2011,23284,đạt,,,", "year", "nằm ngoài khoảng 2012–2026"),
        ("2027,23284,đạt,,,", "year", "nằm ngoài khoảng 2012–2026"),
        (",23284,đạt,,,", "year", "thiếu giá trị bắt buộc"),
        ("2021,,đạt,,,", "unit_code", "thiếu giá trị bắt buộc"),
        ("2021,23284,tốt,,,", "result", "kết quả “tốt” không hợp lệ"),
        ("2021,23284,,,,", "result", "thiếu giá trị bắt buộc"),
        ("2021,23284,đạt,có lẽ,,", "registered", "dùng yes/no"),
        ("2021,23284,đạt,không,,", "result", "để trống kết quả"),
        ("2021,23284,,không,5/QĐ,", "decision_number", "không có quyết định"),
        ("2021,23284,đạt,,,31/02/2021", "decision_date", "ngày “31/02/2021” không hợp lệ"),
        ("2021,23284,đạt,,,20/11/2019", "decision_date", "không thuộc năm 2021 hoặc năm 2022"),
        ("2021,23284 A,đạt,,,", "unit_code", "khoảng trắng"),
    ],
)
def test_bad_row_is_named_and_nothing_is_written(world, line, column, fragment):
    report = run(HEADER + "2021,23284-TDP01,đạt,,,\n" + line + "\n")
    assert not report.ok
    assert not report.written
    [(row, col, message)] = errors(report)
    assert (row, col) == (3, column)
    assert fragment in message
    assert nothing_written()


def test_errors_read_as_the_user_sees_them(world):
    report = run(HEADER + "2021,23284,tốt,,,\n")
    assert str(report.errors[0]).startswith("Dòng 2, cột result: kết quả “tốt” không hợp lệ")


def test_duplicate_row_in_the_file(world):
    report = run(HEADER + "2021,23284,đạt,,,\n2022,23284,đạt,,,\n2021,23284,chưa đạt,,,\n")
    assert errors(report) == [(4, "unit_code", "đơn vị “23284” năm 2021 trùng với dòng 2 trong "
                                               "cùng tệp.")]
    assert nothing_written()


def test_live_registration_is_never_overwritten(world):
    live = services.register_unit(actor="test", unit=world.old_c1, year=2022)
    report = run(HEADER + "2022,23284,đạt,,,\n2022,23287,đạt,,,\n")
    assert errors(report) == [(2, "unit_code", "“Phường Quyết Thắng” đã đăng ký năm 2022 trong "
                                               "hệ thống (trạng thái “Đã đăng ký”): không ghi "
                                               "đè kết quả của quy trình bằng hồ sơ giấy.")]
    live.refresh_from_db()
    assert (live.imported, live.result) == (False, "pending")
    assert Registration.objects.count() == 1


def test_not_registered_cannot_erase_an_imported_result(world):
    run(GOOD)
    report = run(HEADER + "2021,23284,,không,,\n")
    assert [(r, c) for r, c, _m in errors(report)] == [(2, "registered")]
    assert Registration.objects.filter(unit__code="23284", year=2021).exists()


def test_missing_column_and_empty_file(world):
    assert errors(run("year,unit_code\n2021,23284\n")) == [
        (1, "result", "thiếu cột bắt buộc “result”.")]
    assert errors(run(HEADER)) == [(None, None, "Tệp không có dòng dữ liệu nào.")]
    assert errors(run(b""))[0][2].startswith("Tệp rỗng")


# --- who may import ------------------------------------------------------------------------------


def test_officer_imports_the_history_of_todays_place_only(world):
    officer, _, _ = assign_role(actor="test", username="xa_dak_cam", role="commune_officer",
                                unit=world.now_c2, password="Mat-khau-thu-nghiem-2025")
    ok = run(HEADER + "2021,23287-TDP01,đạt,,,\n", actor=officer)  # 23287 → 23290 (default)
    assert ok.ok, errors(ok)
    refused = run(HEADER + "2021,23284-TDP01,đạt,,,\n", actor=officer)  # 23284 → 23281
    assert errors(refused) == [(2, "unit_code", "đơn vị mã “23284-TDP01” không thuộc phạm vi "
                                                "bạn được quản lý.")]


def test_users_without_a_managing_role_are_refused(world, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    with pytest.raises(PermissionDenied):
        run(GOOD, actor=nobody)


# --- the command ---------------------------------------------------------------------------------


def test_command_imports_and_reports(world, tmp_path):
    path = tmp_path / "ket-qua.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_results", str(path), "--dry-run", stdout=out)
    assert "Chạy thử “ket-qua.csv”: sẽ ghi mới 3" in out.getvalue()
    assert not Registration.objects.exists()
    call_command("import_results", str(path), stdout=out)
    assert "Đã nhập “ket-qua.csv”: ghi mới 3" in out.getvalue()
    assert Registration.objects.filter(imported=True).count() == 3
    event = AuditEvent.objects.get(verb="results.import")
    assert event.actor_label == "cli:import_results"


def test_command_fails_on_errors_and_names_them(world, tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text(HEADER + "2021,23284,tốt,,,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 lỗi\. Chưa ghi gì"):
        call_command("import_results", str(path), stderr=err)
    assert "Dòng 2, cột result" in err.getvalue()
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("import_results", str(path), "--actor", "khong-co")


def test_sample_file_reads_without_errors():
    sample = Path(settings.BASE_DIR) / "docs" / "samples" / "results-sample.csv"
    parsed = parse_results_file(sample.read_bytes(), sample.name, today=TODAY)
    assert parsed.errors == []
    assert len(parsed.rows) >= 10
    assert {r.registered for r in parsed.rows} == {True, False}
