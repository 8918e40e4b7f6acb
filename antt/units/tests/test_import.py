"""Importing units from CSV/XLSX: the parser, the service, and the `import_units` command."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from antt.core.models import AuditEvent
from antt.units.import_service import import_parsed, import_units, plan_import
from antt.units.imports import parse_units_file
from antt.units.models import Unit, UnitSource
from antt.units.services import create_unit

HEADER = "code,name,kind,parent_code,valid_from"
SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "units-sample.csv"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *lines, ""]).encode(encoding)


def xlsx_bytes(*rows: list[object], header: tuple[str, ...] = tuple(HEADER.split(","))) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Excel writes it: base letter (ô, ư…) then a combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += base.encode("cp1258") + "".join(c for c in parts if c in _TONES).encode("cp1258")
    return bytes(out)


def only_error(parsed_or_report: object) -> tuple[int | None, str | None, str]:
    errors = parsed_or_report.errors  # type: ignore[attr-defined]
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0].row, errors[0].column, errors[0].message


def run(data: bytes, tmp_path: Path, *args: str, name: str = "units.csv") -> tuple[str, str]:
    path = tmp_path / name
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    call_command("import_units", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(data: bytes, tmp_path: Path, *args: str, name: str = "units.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    err = StringIO()
    with pytest.raises(CommandError, match="Chưa ghi gì"):
        call_command("import_units", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


# --- parser: formats and encodings ------------------------------------------------------------


def test_csv_rows_are_typed_and_normalised() -> None:
    parsed = parse_units_file(
        csv_bytes(
            "00070-DN09,  Công ty   TNHH  Hồ Tây ,enterprise,00070,medium,yes,no,province,"
            "01/07/2025,31/12/2030",
            header="code,name,kind,parent_code,enterprise_size,has_party_org,is_armed_forces,"
            "managing_level,valid_from,valid_to",
        ),
        "units.csv",
    )
    assert parsed.ok, parsed.errors
    (row,) = parsed.rows
    assert (row.row, row.code, row.name, row.kind, row.parent_code) == (
        2, "00070-DN09", "Công ty TNHH Hồ Tây", "enterprise", "00070",
    )
    assert (row.valid_from, row.valid_to) == (dt.date(2025, 7, 1), dt.date(2030, 12, 31))
    assert row.attrs == {
        "enterprise_size": "medium",
        "has_party_org": True,
        "is_armed_forces": False,
        "managing_level": "province",
    }


def test_vietnamese_headers_and_kind_labels_are_accepted() -> None:
    parsed = parse_units_file(
        csv_bytes(
            "A1,Tổ dân phố 9,Khu dân cư,00070,Tổ dân phố,Trung học cơ sở",
            "A2,Trường THCS Láng,Trường học,00070,,THCS",
            "A3,Trường THPT Việt Đức,cơ sở giáo dục,00070,,upper_secondary",
            "A4,Ủy ban nhân dân phường,CƠ QUAN,00070,,",
            "A5,Công ty Hồ Gươm,doanh nghiệp,00070,,",
            header="Mã,Tên,Loại,Mã đơn vị cấp trên,LOẠI HÌNH,Cấp học",
        ),
        "units.csv",
    )
    assert parsed.ok, parsed.errors
    assert [r.kind for r in parsed.rows] == [
        "residential_area", "school", "school", "agency", "enterprise",
    ]
    assert parsed.rows[0].attrs == {"subtype": "to_dan_pho", "education_level": "lower_secondary"}
    assert parsed.rows[1].attrs["education_level"] == "lower_secondary"


def test_utf8_with_bom_is_read() -> None:
    parsed = parse_units_file(b"\xef\xbb\xbf" + csv_bytes("A1,Tổ dân phố 9,khu dân cư,00070,"))
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].code == "A1"  # the BOM is not glued to the first header
    assert parsed.encoding == "utf-8-sig"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_is_decoded(encoding: str) -> None:
    data = csv_bytes("A1,Tổ dân phố Hàng Bạc,khu dân cư,00070,", encoding=encoding)
    parsed = parse_units_file(data)
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].name == "Tổ dân phố Hàng Bạc"


def test_windows_1258_is_decoded_into_precomposed_vietnamese() -> None:
    data = cp1258_bytes("\n".join([HEADER, "A1,Tổ dân phố Hàng Bạc,khu dân cư,00070,", ""]))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse_units_file(data)
    assert parsed.ok, parsed.errors
    assert parsed.encoding == "cp1258"
    assert parsed.rows[0].name == "Tổ dân phố Hàng Bạc"
    assert parsed.rows[0].name == unicodedata.normalize("NFC", parsed.rows[0].name)
    assert parsed.rows[0].kind == "residential_area"


def test_an_unknown_8_bit_encoding_is_refused_not_turned_into_mojibake() -> None:
    data = csv_bytes("A1,Müller Straße GmbH,doanh nghiệp,00070,", encoding="utf-8").replace(
        "Müller Straße".encode(), "Müller Straße".encode("latin-1")
    )
    parsed = parse_units_file(data)
    assert parsed.rows == []
    row, column, message = only_error(parsed)
    assert (row, column) == (None, None)
    assert "CSV UTF-8" in message


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02\x03",
    ],
    ids=["png", "pdf"],
)
def test_binary_files_are_not_spreadsheets(data: bytes) -> None:
    assert "không phải tệp CSV hoặc Excel (.xlsx)" in only_error(parse_units_file(data))[2]


def test_a_zip_that_is_not_a_workbook_is_refused_whatever_its_name() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    parsed = parse_units_file(buffer.getvalue(), "units.xlsx")
    assert "không phải tệp CSV hoặc Excel (.xlsx)" in only_error(parsed)[2]


def test_an_old_xls_file_gets_its_own_advice() -> None:
    parsed = parse_units_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "units.xls")
    assert ".xlsx" in only_error(parsed)[2]


def test_xlsx_is_detected_by_content_not_by_name() -> None:
    data = xlsx_bytes(["A1", "Tổ dân phố 9", "khu dân cư", "00070", None])
    parsed = parse_units_file(data, "units.csv")
    assert parsed.ok, parsed.errors
    assert parsed.file_format == "xlsx"
    assert parsed.rows[0].name == "Tổ dân phố 9"


def test_xlsx_date_and_number_cells_are_converted() -> None:
    data = xlsx_bytes(
        [12345, "Tổ dân phố 9", "khu dân cư", 70, dt.datetime(2025, 7, 1)],
    )
    parsed = parse_units_file(data, "units.xlsx")
    assert parsed.ok, parsed.errors
    row = parsed.rows[0]
    assert (row.code, row.parent_code, row.valid_from) == ("12345", "70", dt.date(2025, 7, 1))
    assert row.parent_code_was_number


@pytest.mark.parametrize("text", ["=1+1", "+84 912 345 678", "-Tổ 3", "@SUM(A1)"])
def test_formula_like_cells_stay_plain_text(text: str) -> None:
    for data in (
        csv_bytes(f'A1,"{text}",khu dân cư,00070,'),
        xlsx_bytes(["A1", text, "khu dân cư", "00070", None]),
    ):
        parsed = parse_units_file(data)
        assert parsed.ok, parsed.errors
        assert parsed.rows[0].name == text


def test_semicolon_separated_csv_from_vietnamese_excel() -> None:
    parsed = parse_units_file("code;name;kind;parent_code\nA1;Thôn 1;khu dân cư;00070\n".encode())
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].name == "Thôn 1"


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet() -> None:
    parsed = parse_units_file(
        csv_bytes("A1,Thôn 1,khu dân cư,00070,", ",,,,", "A2,,khu dân cư,00070,")
    )
    assert only_error(parsed)[:2] == (4, "name")
    assert [r.row for r in parsed.rows] == [2]


def test_unknown_columns_are_ignored_with_a_warning() -> None:
    parsed = parse_units_file(
        csv_bytes("A1,Thôn 1,khu dân cư,00070,x", header="code,name,kind,parent_code,ghi chú")
    )
    assert parsed.ok
    assert "ghi chú" in parsed.warnings[0]


def test_a_file_over_the_size_limit_is_refused(settings: object) -> None:
    settings.ANTT_IMPORT_MAX_BYTES = 100  # type: ignore[attr-defined]
    parsed = parse_units_file(csv_bytes(*["A1,Thôn 1,khu dân cư,00070,"] * 10))
    assert "Tệp quá lớn" in only_error(parsed)[2]


# --- parser: bad rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "row", "column", "words"),
    [
        (b"", None, None, "Tệp rỗng"),
        (b"   \n\n", None, None, "Tệp rỗng"),
        (csv_bytes(), None, None, "không có dòng dữ liệu"),
        ("code,name,kind\nA1,Thôn 1,khu dân cư\n".encode(), 1, "parent_code", "thiếu cột"),
        (csv_bytes("A1,Thôn 1,làng,00070,"), 2, "kind", "“làng” không hợp lệ"),
        (csv_bytes("A1,Thôn 1,khu dân cư,,"), 2, "parent_code", "thiếu mã đơn vị cấp trên"),
        (csv_bytes(",Thôn 1,khu dân cư,00070,"), 2, "code", "thiếu giá trị"),
        (csv_bytes("A 1,Thôn 1,khu dân cư,00070,"), 2, "code", "khoảng trắng"),
        (csv_bytes(f"{'A' * 41},Thôn 1,khu dân cư,00070,"), 2, "code", "40 ký tự"),
        (csv_bytes("A1,Thôn 1,khu dân cư,00070,2025-13-01"), 2, "valid_from", "“2025-13-01”"),
        (csv_bytes("A1,Thôn 1,khu dân cư,00070,31/02/2025"), 2, "valid_from", "không hợp lệ"),
        (csv_bytes("A1,Thôn 1,khu dân cư,00070,July 1"), 2, "valid_from", "01/07/2025"),
        (
            csv_bytes("A1,Thôn 1,khu dân cư,00070,2025-07-01,2025-06-30",
                      header=HEADER + ",valid_to"),
            2, "valid_to", "30/06/2025 trước",
        ),
        (
            csv_bytes("A1,Cty,doanh nghiệp,00070,khổng lồ",
                      header="code,name,kind,parent_code,quy mô"),
            2, "enterprise_size", "micro, small, medium, large",
        ),
        (
            csv_bytes("A1,Thôn 1,khu dân cư,00070,có lẽ", header="code,name,kind,parent_code,"
                      "has_party_org"),
            2, "has_party_org", "yes/no",
        ),
        (
            csv_bytes("A1,Thôn 1,khu dân cư,00070,", "A1,Thôn 2,khu dân cư,00070,"),
            3, "code", "trùng với dòng 2",
        ),
    ],
    ids=[
        "empty", "blank", "header-only", "missing-column", "unknown-kind", "missing-parent",
        "missing-code", "space-in-code", "long-code", "bad-iso-date", "bad-vn-date",
        "bad-date-words", "valid-to-before-from", "bad-choice", "bad-boolean", "duplicate-code",
    ],
)
def test_bad_input_is_reported_by_row_and_column(
    data: bytes, row: int | None, column: str | None, words: str
) -> None:
    parsed = parse_units_file(data)
    got_row, got_column, message = only_error(parsed)
    assert (got_row, got_column) == (row, column)
    assert words in message


@pytest.mark.parametrize("text", ["2025-07-01", "01/07/2025", "1/7/2025"])
def test_both_date_forms_are_accepted(text: str) -> None:
    parsed = parse_units_file(csv_bytes(f"A1,Thôn 1,khu dân cư,00070,{text}"))
    assert parsed.rows[0].valid_from == dt.date(2025, 7, 1)


def test_error_lines_read_as_the_spreadsheet_user_sees_them() -> None:
    parsed = parse_units_file(csv_bytes("A1,Thôn 1,làng,00070,"))
    assert str(parsed.errors[0]).startswith("Dòng 2, cột kind: giá trị “làng” không hợp lệ.")


# --- service ------------------------------------------------------------------------------------


def rows(*lines: str, header: str = HEADER) -> list:
    parsed = parse_units_file(csv_bytes(*lines, header=header))
    assert parsed.ok, parsed.errors
    return parsed.rows


def test_import_creates_units_and_audits_each_with_one_summary(tree) -> None:
    report = import_units(
        actor="test-import",
        rows=rows(
            "00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01",
            "00070-THCS2,Trường THCS Trưng Vương,trường học,00070,2025-07-01",
        ),
        dry_run=False,
        filename="units.csv",
    )
    assert (report.created, report.updated, report.unchanged, report.errors) == (2, 0, 0, [])
    area = Unit.objects.get(code="00070-TDP09")
    assert area.parent == tree.commune_a1
    assert area.path == f"{tree.commune_a1.path}{area.pk}/"
    assert area.source == UnitSource.IMPORT
    summary = AuditEvent.objects.get(verb="units.import")
    assert summary.changes == {"file": "units.csv", "created": 2, "updated": 0, "unchanged": 0}
    assert summary.actor_label == "test-import"
    assert summary.unit_path == tree.commune_a1.path
    created = AuditEvent.objects.filter(verb="unit.create", changes__import_event=summary.pk)
    assert set(created.values_list("object_id", flat=True)) == {
        str(area.pk), str(Unit.objects.get(code="00070-THCS2").pk)
    }


def test_a_parent_created_earlier_in_the_same_file_is_used(tree) -> None:
    report = import_units(
        actor="test",
        rows=rows(
            "00099,Phường Mới,xã,01,2025-07-01",
            "00099-TDP01,Tổ dân phố 1,khu dân cư,00099,2025-07-01",
        ),
        dry_run=False,
    )
    assert report.created == 2, report.errors
    commune = Unit.objects.get(code="00099")
    assert commune.parent == tree.province_a
    assert Unit.objects.get(code="00099-TDP01").path.startswith(commune.path)


def test_a_parent_later_in_the_file_asks_to_reorder(tree) -> None:
    report = import_units(
        actor="test",
        rows=rows(
            "00099-TDP01,Tổ dân phố 1,khu dân cư,00099,2025-07-01",
            "00099,Phường Mới,xã,01,2025-07-01",
        ),
        dry_run=False,
    )
    row, column, message = only_error(report)
    assert (row, column) == (2, "parent_code")
    assert "dòng 3" in message
    assert not Unit.objects.filter(code__startswith="00099").exists()


def test_reimporting_the_same_file_changes_nothing(tree) -> None:
    data = rows(
        "00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01",
        "00070-DN09,Công ty Hàng Đào,doanh nghiệp,00070,2025-07-01,medium",
        header=HEADER + ",enterprise_size",
    )
    import_units(actor="test", rows=data, dry_run=False)
    units, events = Unit.objects.count(), AuditEvent.objects.count()
    again = import_units(actor="test", rows=data, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units, events)


def test_reimport_updates_only_the_changed_fields(tree) -> None:
    report = import_units(
        actor="test",
        rows=rows(
            "00070-TDP01,Tổ dân phố số 1,khu dân cư,00070,2025-07-01",
            "00070-THCS,Trường THCS Ngô Sĩ Liên,school,00070,2025-07-01",
        ),
        dry_run=False,
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    tree.area_a1.refresh_from_db()
    assert tree.area_a1.name == "Tổ dân phố số 1"
    assert tree.area_a1.subtype == "to_dan_pho"  # no subtype column: kept
    event = AuditEvent.objects.get(verb="unit.update")
    assert event.object_id == str(tree.area_a1.pk)
    assert event.changes["name"] == ["Tổ dân phố 1", "Tổ dân phố số 1"]


def test_dry_run_reports_without_writing(tree) -> None:
    units, events = Unit.objects.count(), AuditEvent.objects.count()
    report = import_units(
        actor="test",
        rows=rows(
            "00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01",
            "00070-TDP01,Tổ dân phố số 1,khu dân cư,00070,2025-07-01",
        ),
        dry_run=True,
    )
    assert (report.created, report.updated, report.written) == (1, 1, False)
    assert [p.action for p in report.planned] == ["create", "update"]
    assert report.planned[1].changes == {"name": ("Tổ dân phố 1", "Tổ dân phố số 1")}
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units, events)


def test_a_failure_while_writing_rolls_back_every_row(tree, monkeypatch) -> None:
    from django.core.exceptions import ValidationError

    from antt.units import import_service

    def fail(**kwargs):
        raise ValidationError("hỏng giữa chừng")

    # Row 2 creates a unit (written first, in bulk); row 3 updates one and fails.
    monkeypatch.setattr(import_service, "update_unit", fail)
    count, events = Unit.objects.count(), AuditEvent.objects.count()
    report = import_units(
        actor="test",
        rows=rows(
            "00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01",
            "00070-TDP01,Tổ dân phố số 1,khu dân cư,00070,2025-07-01",
        ),
        dry_run=False,
    )
    assert only_error(report) == (3, None, "hỏng giữa chừng")
    assert not report.written
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_unknown_parent_names_the_date_it_was_looked_up_at(tree) -> None:
    report = import_units(
        actor="test", rows=rows("A1,Thôn 1,khu dân cư,99999,2025-07-01"), dry_run=False
    )
    assert only_error(report) == (
        2, "parent_code", "không tìm thấy đơn vị cấp trên mã “99999” tại ngày 01/07/2025."
    )


def test_a_parent_not_yet_valid_on_valid_from_is_not_found(tree) -> None:
    report = import_units(
        actor="test", rows=rows("A1,Thôn 1,khu dân cư,00070,2025-06-30"), dry_run=True
    )
    assert only_error(report)[:2] == (2, "parent_code")
    assert "30/06/2025" in only_error(report)[2]


def test_an_xlsx_number_parent_code_gets_a_hint_about_leading_zeros(tree) -> None:
    parsed = parse_units_file(xlsx_bytes(["A1", "Thôn 1", "khu dân cư", 70, "2025-07-01"]))
    report = import_parsed(actor="test", parsed=parsed, dry_run=False)
    assert "Văn bản (Text)" in only_error(report)[2]


def test_a_kind_not_allowed_under_the_parent_kind_is_refused(tree) -> None:
    report = import_units(
        actor="test", rows=rows("A1,Trường THCS X,trường học,00070-TDP01,2025-07-01"), dry_run=True
    )
    row, column, message = only_error(report)
    assert (row, column) == (2, "kind")
    assert "không thể trực thuộc" in message


def test_an_existing_code_of_another_kind_is_not_rekinded(tree) -> None:
    report = import_units(
        actor="test", rows=rows("00070-TDP01,Tổ dân phố 1,cơ quan,00070,2025-07-01"), dry_run=True
    )
    assert only_error(report)[:2] == (2, "kind")


def test_an_existing_unit_under_another_parent_is_not_moved(tree) -> None:
    report = import_units(
        actor="test",
        rows=rows("00070-TDP01,Tổ dân phố 1,khu dân cư,00097,2025-07-01"),
        dry_run=True,
    )
    row, column, message = only_error(report)
    assert (row, column) == (2, "parent_code")
    assert "Phường Hoàn Kiếm" in message


def test_a_code_used_in_an_overlapping_period_is_refused(tree) -> None:
    create_unit(actor="test", code="A1", name="Thôn 1", kind="residential_area",
                parent=tree.commune_a1, valid_from=dt.date(2026, 1, 1))
    report = import_units(
        actor="test", rows=rows("A1,Thôn Một,khu dân cư,00070,2025-07-01"), dry_run=True
    )
    row, column, message = only_error(report)
    assert (row, column) == (2, "code")
    assert "đã được dùng" in message


def test_a_commune_officer_cannot_import_under_another_commune(tree, personas) -> None:
    count = Unit.objects.count()
    report = import_units(
        actor=personas.commune_a1_officer,
        rows=rows(
            "00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01",
            "26734-KP09,Khu phố 9,khu dân cư,26734,2025-07-01",
        ),
        dry_run=False,
    )
    row, column, message = only_error(report)
    assert (row, column) == (3, "parent_code")
    assert "trong phạm vi bạn quản lý" in message
    assert Unit.objects.count() == count


def test_a_commune_officer_imports_in_their_commune(tree, personas) -> None:
    report = import_units(
        actor=personas.commune_a1_officer,
        rows=rows("00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01"),
        dry_run=False,
    )
    assert report.created == 1, report.errors
    assert AuditEvent.objects.get(verb="units.import").actor == personas.commune_a1_officer


def test_a_commune_officer_cannot_update_another_communes_unit(tree, personas) -> None:
    report = import_units(
        actor=personas.commune_a1_officer,
        rows=rows("26734-KP03,Khu phố Ba,khu dân cư,26734,2025-07-01"),
        dry_run=True,
    )
    assert only_error(report)[:2] == (2, "code")


def test_a_unit_head_may_not_import_at_all(tree, personas) -> None:
    with pytest.raises(PermissionDenied):
        import_units(
            actor=personas.area_a1_head,
            rows=rows("00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01"),
            dry_run=True,
        )


def test_children_of_a_rejected_row_are_not_reported_twice(tree) -> None:
    parsed = parse_units_file(
        csv_bytes(
            "00099,Phường Mới,làng,01,2025-07-01",
            "00099-TDP01,Tổ dân phố 1,khu dân cư,00099,2025-07-01",
        )
    )
    report = import_parsed(actor="test", parsed=parsed, dry_run=False)
    assert only_error(report)[:2] == (2, "kind")


def test_plan_uses_today_when_valid_from_is_empty(tree) -> None:
    planned, errors = plan_import(
        actor="test",
        rows=rows("00070-TDP01,Tổ dân phố 1,khu dân cư,00070,"),
        today=dt.date(2025, 6, 1),
    )
    assert planned == []
    assert "01/06/2025" in errors[0].message


def test_the_sample_file_imports_cleanly(tree) -> None:
    create_unit(actor="test", code="00376", name="Xã Sóc Sơn", kind="commune",
                parent=tree.province_a, valid_from=dt.date(2025, 7, 1), subtype="rural_commune")
    parsed = parse_units_file(SAMPLE.read_bytes(), SAMPLE.name)
    report = import_parsed(actor="test", parsed=parsed, dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    assert 5 <= report.created <= 10
    assert Unit.objects.get(code="00070-DN03").enterprise_size == "medium"


# --- command ------------------------------------------------------------------------------------


def test_command_imports_a_csv_and_prints_a_summary(tree, tmp_path: Path) -> None:
    out, _err = run(csv_bytes("00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01"), tmp_path)
    assert "tạo mới 1, cập nhật 0, giữ nguyên 0" in out
    unit = Unit.objects.get(code="00070-TDP09")
    assert AuditEvent.objects.get(verb="unit.create", object_id=str(unit.pk)).actor_label == (
        "cli:import_units"
    )


def test_command_imports_an_xlsx(tree, tmp_path: Path) -> None:
    data = xlsx_bytes(
        ["00070-TDP09", "Tổ dân phố 9", "khu dân cư", "00070", "01/07/2025"],
        ["00070-CQ09", "=HYPERLINK(\"http://x\")", "cơ quan", "00070", "2025-07-01"],
    )
    out, _err = run(data, tmp_path, name="units.xlsx")
    assert "tạo mới 2" in out
    assert Unit.objects.get(code="00070-CQ09").name == '=HYPERLINK("http://x")'


def test_command_second_identical_import_reports_zero(tree, tmp_path: Path) -> None:
    data = csv_bytes("00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01")
    run(data, tmp_path)
    out, _err = run(data, tmp_path)
    assert "tạo mới 0, cập nhật 0, giữ nguyên 1" in out
    assert Unit.objects.filter(code="00070-TDP09").count() == 1


def test_command_dry_run_writes_nothing(tree, tmp_path: Path) -> None:
    count = Unit.objects.count()
    out, _err = run(
        csv_bytes("00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01"), tmp_path, "--dry-run"
    )
    assert "Chạy thử" in out
    assert "sẽ tạo mới 1" in out
    assert Unit.objects.count() == count


def test_command_acts_as_the_given_user(tree, personas, tmp_path: Path) -> None:
    run(
        csv_bytes("00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01"),
        tmp_path,
        "--actor",
        "xa_a1",
    )
    assert AuditEvent.objects.get(verb="units.import").actor == personas.commune_a1_officer


def test_command_refuses_an_unknown_actor(tree, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="không_có_ai"):
        run(csv_bytes("A1,Thôn 1,khu dân cư,00070,"), tmp_path, "--actor", "không_có_ai")


def test_command_refuses_an_actor_without_permission(tree, personas, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="không có quyền"):
        run(csv_bytes("A1,Thôn 1,khu dân cư,00070,"), tmp_path, "--actor", "truong_kdc_a1")


def test_command_jurisdiction_error_writes_nothing(tree, personas, tmp_path: Path) -> None:
    count = Unit.objects.count()
    err = run_failing(
        csv_bytes(
            "00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01",
            "26734-KP09,Khu phố 9,khu dân cư,26734,2025-07-01",
        ),
        tmp_path,
        "--actor",
        "xa_a1",
    )
    assert "Dòng 3, cột parent_code:" in err
    assert Unit.objects.count() == count


GOOD = (
    "00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01",
    "00070-TDP10,Tổ dân phố 10,khu dân cư,00070,2025-07-01",
)
TAIL = HEADER + ",valid_to,enterprise_size"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            csv_bytes(*GOOD, "X1,Thôn 1,khu dân cư,99999,2025-07-01"),
            "Dòng 4, cột parent_code: không tìm thấy đơn vị cấp trên mã “99999” tại ngày "
            "01/07/2025.",
        ),
        (csv_bytes(*GOOD, "X1,Thôn 1,làng,00070,2025-07-01"), "Dòng 4, cột kind:"),
        (csv_bytes(*GOOD, "00070-TDP09,Thôn 1,khu dân cư,00070,"), "Dòng 4, cột code:"),
        (csv_bytes(*GOOD, "X1,Thôn 1,khu dân cư,00070,2025-02-30"), "Dòng 4, cột valid_from:"),
        (
            csv_bytes(*[g + ",," for g in GOOD], "X1,Thôn 1,khu dân cư,00070,01/07/2025,1/1/2025,",
                      header=TAIL),
            "Dòng 4, cột valid_to:",
        ),
        (csv_bytes(*GOOD, "X1,,khu dân cư,00070,2025-07-01"), "Dòng 4, cột name:"),
        (
            csv_bytes(*[g + ",," for g in GOOD], "X1,Cty X,doanh nghiệp,00070,,,to",
                      header=TAIL),
            "Dòng 4, cột enterprise_size:",
        ),
        (
            csv_bytes(*GOOD, "X1,Trường X,trường học,00070-TDP01,2025-07-01"),
            "Dòng 4, cột kind:",
        ),
        (
            "code,name,kind\n00070-TDP09,Tổ dân phố 9,khu dân cư\n".encode(),
            "Dòng 1, cột parent_code:",
        ),
        (b"", "Tệp rỗng"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "không phải tệp CSV"),
        (
            csv_bytes(*GOOD, "X1,Müller,khu dân cư,00070,2025-07-01").replace(
                "Müller".encode(), "Müller".encode("latin-1")
            ),
            "CSV UTF-8",
        ),
    ],
    ids=[
        "unknown-parent", "unknown-kind", "duplicate-code", "bad-date", "valid-to-before-from",
        "missing-value", "bad-choice", "kind-under-parent", "missing-column", "empty-file",
        "not-a-spreadsheet", "wrong-encoding",
    ],
)
def test_command_any_bad_row_fails_and_writes_nothing(
    tree, tmp_path: Path, data: bytes, expected: str
) -> None:
    count, events = Unit.objects.count(), AuditEvent.objects.count()
    err = run_failing(data, tmp_path)
    assert expected in err
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (count, events)
    assert not Unit.objects.filter(code__in=["00070-TDP09", "00070-TDP10"]).exists()


def test_command_cp1258_file_imports_with_correct_accents(tree, tmp_path: Path) -> None:
    data = cp1258_bytes(
        "\n".join([HEADER, "00070-TDP09,Tổ dân phố Hàng Bạc,khu dân cư,00070,2025-07-01", ""])
    )
    run(data, tmp_path)
    unit = Unit.objects.get(code="00070-TDP09")
    assert unit.name == "Tổ dân phố Hàng Bạc"
    assert unit.name_folded == "to dan pho hang bac"
