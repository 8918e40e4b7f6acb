"""Bad input, the same for every import (units, incidents, yearly facts, historical results).

Each case runs the whole path a file takes (parse, then plan and write as the page and the CLI
do) and checks three things: the error is in Vietnamese and names the row and the column (or the
file as a whole), nothing at all is written (all-or-nothing), and the tables are as before.
The good files of each kind are also read in every encoding Vietnamese offices produce.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import random
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from antt.core.models import AuditEvent
from antt.recognition.models import Registration
from antt.records.import_service import import_facts, import_incidents
from antt.records.imports import parse_facts_file, parse_incidents_file
from antt.records.models import Incident, YearFacts
from antt.reports.import_results import import_results, parse_results_file
from antt.units.import_service import import_parsed
from antt.units.imports import parse_units_file
from antt.units.models import Unit
from antt.units.tests.test_import import cp1258_bytes

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 12, 15)


@dataclass(frozen=True)
class Kind:
    """One import: its good file, how to run it, what it writes, and where its dates are."""

    name: str
    header: tuple[str, ...]
    good: tuple[tuple[str, ...], ...]
    run: Callable[[bytes], Any]  # bytes → report with .errors, .written, .unchanged
    count: Callable[[], int]  # rows of the table the import writes
    date_column: str  # the column holding the row's date (or year)
    future: str  # a value of that column that has not come yet
    too_old: str  # a value before any evaluation window
    text_column: str  # a free-text column stored as typed
    stored_text: Callable[[], set[str]]  # the values of that column now stored
    key_column: str  # the column naming the unit or the row

    def csv(self, *rows: tuple[str, ...], header: tuple[str, ...] | None = None) -> str:
        lines = [",".join(header or self.header), *(",".join(r) for r in rows)]
        return "\n".join(lines) + "\n"

    def good_csv(self, encoding: str = "utf-8") -> bytes:
        return self.csv(*self.good).encode(encoding)

    def with_cell(self, row: int, column: str, value: str) -> tuple[tuple[str, ...], ...]:
        """The good rows with one cell changed (``row`` counted from 0)."""
        index = self.header.index(column)
        rows = [list(r) for r in self.good]
        rows[row][index] = value
        return tuple(tuple(r) for r in rows)


def _units(data: bytes) -> Any:
    return import_parsed(actor="test", parsed=parse_units_file(data, "don-vi.csv"), dry_run=False)


def _incidents(data: bytes) -> Any:
    parsed = parse_incidents_file(data, "vu-viec.csv")
    return import_incidents(actor="test", parsed=parsed, dry_run=False, today=TODAY)


def _facts(data: bytes) -> Any:
    parsed = parse_facts_file(data, "so-lieu.csv", today=TODAY)
    return import_facts(actor="test", parsed=parsed, dry_run=False, today=TODAY)


def _results(data: bytes) -> Any:
    parsed = parse_results_file(data, "ket-qua.csv", today=TODAY)
    return import_results(actor="test", parsed=parsed, dry_run=False)


KINDS = {
    "units": Kind(
        name="units",
        header=("code", "name", "kind", "parent_code", "valid_from"),
        good=(
            ("00070-TDP09", "Tổ dân phố Hàng Bạc", "residential_area", "00070", "2025-07-01"),
            ("00097-TDP10", "Tổ dân phố Đồng Xuân", "khu dân cư", "00097", "01/08/2025"),
        ),
        run=_units,
        count=lambda: Unit.objects.count(),
        date_column="valid_from",
        future="01/01/2031",
        too_old="01/01/1900",
        text_column="name",
        stored_text=lambda: set(Unit.objects.values_list("name", flat=True)),
        key_column="code",
    ),
    "incidents": Kind(
        name="incidents",
        header=("unit_code", "date", "category", "gravity", "description"),
        good=(
            ("00070-TDP01", "2025-08-14", "crime", "ít nghiêm trọng", "Trộm cắp xe máy ở ngõ"),
            ("00097-TDP02", "03/09/2025", "serious_fire_explosion", "", "Cháy nhà kho gỗ"),
        ),
        run=_incidents,
        count=lambda: Incident.objects.count(),
        date_column="date",
        future="2026-01-10",
        too_old="1999-12-31",
        text_column="description",
        stored_text=lambda: set(Incident.objects.values_list("description", flat=True)),
        key_column="unit_code",
    ),
    "facts": Kind(
        name="facts",
        header=("unit_code", "year", "crime_count", "grassroots_force_rating"),
        good=(
            ("00070-TDP01", "2025", "1", "Hoàn thành tốt nhiệm vụ"),
            ("00097-TDP02", "2025", "0", "Hoàn thành nhiệm vụ"),
        ),
        run=_facts,
        count=lambda: YearFacts.objects.count(),
        date_column="year",
        future="2026",
        too_old="2005",
        text_column="grassroots_force_rating",
        stored_text=lambda: {
            str(yf.data.get("grassroots_force_rating")) for yf in YearFacts.objects.all()
        },
        key_column="unit_code",
    ),
    "results": Kind(
        name="results",
        header=("year", "unit_code", "result", "decision_number", "decision_date"),
        good=(
            ("2025", "00070-TDP01", "đạt", "15/QĐ-UBND", "20/11/2025"),
            ("2025", "00097-TDP02", "chưa đạt", "16/QĐ-UBND", "21/11/2025"),
        ),
        run=_results,
        count=lambda: Registration.objects.count(),
        date_column="decision_date",
        future="20/12/2025",
        too_old="20/11/2020",
        text_column="result",
        stored_text=lambda: set(Registration.objects.values_list("result", flat=True)),
        key_column="unit_code",
    ),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest, tree: Any) -> Any:
    with time_machine.travel(dt.datetime(2025, 12, 15, 9, tzinfo=dt.UTC), tick=False):
        yield KINDS[request.param]


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _writes() -> tuple[int, int, int, int, int]:
    return (
        Unit.objects.count(),
        Incident.objects.count(),
        YearFacts.objects.count(),
        Registration.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(kind: Kind, data: bytes) -> list[tuple[int | None, str | None, str]]:
    """Run the import; it must refuse, write nothing at all, and explain in Vietnamese."""
    before = _writes()
    report = kind.run(data)
    assert not report.ok
    assert not report.written
    assert _writes() == before
    errors = [(e.row, e.column, str(e)) for e in report.errors]
    for _row, _column, text in errors:
        # Vietnamese: every message has at least one letter outside ASCII.
        assert any(not ch.isascii() for ch in text), text
    return errors


def file_error(kind: Kind, data: bytes, *fragments: str) -> str:
    errors = refused(kind, data)
    assert len(errors) == 1, errors
    row, column, message = errors[0]
    assert (row, column) == (None, None)
    for fragment in fragments:
        assert fragment in message
    return message


def row_error(kind: Kind, data: bytes, row: int, column: str, *fragments: str) -> str:
    errors = refused(kind, data)
    hits = [e for e in errors if (e[0], e[1]) == (row, column)]
    assert hits, errors
    message = hits[0][2]
    assert message.startswith(f"Dòng {row}, cột {column}: ")
    for fragment in fragments:
        assert fragment in message
    return message


NOT_A_SPREADSHEET = "không phải tệp CSV hoặc Excel (.xlsx)"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _members(xlsx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- the file as a whole -------------------------------------------------------------------------

FILE_CASES: dict[str, tuple[Callable[[Kind], bytes], tuple[str, ...]]] = {
    "empty": (lambda k: b"", ("Tệp rỗng",)),
    "only-whitespace": (lambda k: b" \r\n\n\t \n", ("Tệp rỗng",)),
    "header-only": (lambda k: k.csv().encode(), ("không có dòng dữ liệu",)),
    "header-and-blank-rows": (
        lambda k: (k.csv() + ",,,\n\n , ,\n").encode(),
        ("không có dòng dữ liệu",),
    ),
    "header-only-xlsx": (lambda k: _xlsx([list(k.header)]), ("không có dòng dữ liệu",)),
    "truncated-xlsx": (
        lambda k: (lambda d: d[: len(d) // 2])(_xlsx([list(k.header), *map(list, k.good)])),
        (NOT_A_SPREADSHEET,),
    ),
    "xlsx-with-damaged-sheet": (
        lambda k: _zip(
            {
                **_members(_xlsx([list(k.header), *map(list, k.good)])),
                "xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c",
            }
        ),
        (NOT_A_SPREADSHEET,),
    ),
    "zip-not-a-workbook": (
        lambda k: _zip({"word/document.xml": b"<w:document/>"}),
        (NOT_A_SPREADSHEET,),
    ),
    "zip-bomb": (
        lambda k: _zip(
            {
                **_members(_xlsx([list(k.header), *map(list, k.good)])),
                "xl/padding.xml": b" " * (40 * 1024 * 1024),
            }
        ),
        ("giải nén lớn bất thường",),
    ),
    "png-image": (
        lambda k: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        (NOT_A_SPREADSHEET,),
    ),
    "pdf": (lambda k: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02", (NOT_A_SPREADSHEET,)),
    "binary-garbage": (
        lambda k: random.Random(7).randbytes(4096),  # noqa: S311 - test data, not secrets
        (),
    ),
    "nul-in-text": (lambda k: k.good_csv().replace(b",", b"\x00,", 1), (NOT_A_SPREADSHEET,)),
    "old-xls": (lambda k: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, (".xlsx",)),
    "unknown-8-bit-encoding": (
        lambda k: k.good_csv().replace(k.good[0][0].encode(), "Müßig".encode("latin-1")),
        ("CSV UTF-8",),
    ),
    "koi8-r": (
        lambda k: k.csv(tuple("Привет мир" for _c in k.header)).encode("koi8_r"),
        ("bảng mã",),
    ),
    "csv-cell-over-the-field-limit": (
        lambda k: k.csv(*k.with_cell(0, k.text_column, '"' + "x" * 200_000 + '"')).encode(),
        ("Tệp CSV bị lỗi định dạng",),
    ),
}


@pytest.mark.parametrize("case", FILE_CASES)
def test_a_bad_file_is_refused_as_a_whole_and_writes_nothing(kind: Kind, case: str) -> None:
    make, fragments = FILE_CASES[case]
    message = file_error(kind, make(kind), *fragments)
    if case == "binary-garbage":
        assert NOT_A_SPREADSHEET in message or "bảng mã" in message


def test_a_file_over_the_size_limit_is_refused(kind: Kind, settings: Any) -> None:
    settings.ANTT_IMPORT_MAX_BYTES = 100
    data = kind.good_csv() + b"\n" * 200
    file_error(kind, data, "Tệp quá lớn", "MB")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_file_over_the_row_limit_is_refused(kind: Kind, settings: Any, file_format: str) -> None:
    settings.ANTT_IMPORT_MAX_ROWS = 1
    if file_format == "csv":
        data = kind.good_csv()
    else:
        data = _xlsx([list(kind.header), *map(list, kind.good)])
    file_error(kind, data, "quá nhiều dòng", "1")


def test_a_missing_required_column_is_named_on_the_header(kind: Kind) -> None:
    header = tuple(c for c in kind.header if c != kind.key_column)
    rows = [tuple(v for c, v in zip(kind.header, r, strict=True) if c != kind.key_column)
            for r in kind.good]
    row_error(kind, kind.csv(*rows, header=header).encode(), 1, kind.key_column, "thiếu cột")


# --- one bad row among good ones -----------------------------------------------------------------


def test_a_duplicate_row_in_the_file_is_named_and_nothing_is_written(kind: Kind) -> None:
    data = kind.csv(*kind.good, kind.good[0]).encode()
    message = row_error(kind, data, len(kind.good) + 2, _duplicate_column(kind))
    assert "dòng 2" in message


def _duplicate_column(kind: Kind) -> str:
    return {"incidents": "description"}.get(kind.name, kind.key_column)


def test_a_date_in_the_future_is_named_and_nothing_is_written(kind: Kind) -> None:
    data = kind.csv(*kind.with_cell(1, kind.date_column, kind.future)).encode()
    row_error(kind, data, 3, kind.date_column, "chưa đến")


def test_a_date_before_any_evaluation_window_is_named(kind: Kind) -> None:
    data = kind.csv(*kind.with_cell(1, kind.date_column, kind.too_old)).encode()
    row_error(kind, data, 3, kind.date_column)


@pytest.mark.parametrize("value", ["31/02/2025", "2025-13-01", "hôm qua", "20255"])
def test_an_impossible_date_is_named(kind: Kind, value: str) -> None:
    data = kind.csv(*kind.with_cell(1, kind.date_column, value)).encode()
    row_error(kind, data, 3, kind.date_column)


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://x.example/","bấm")', "+1", "@SUM(A1)", "-2+3", "ABC 123"]
)
def test_a_unit_code_that_names_no_unit_is_named(kind: Kind, value: str) -> None:
    data = kind.csv(*kind.with_cell(1, kind.key_column, value.replace(",", ";"))).encode()
    row_error(kind, data, 3, kind.key_column)


def test_a_bad_row_in_an_xlsx_file_writes_nothing_either(kind: Kind) -> None:
    rows = [list(r) for r in kind.with_cell(1, kind.date_column, kind.future)]
    row_error(kind, _xlsx([list(kind.header), *rows]), 3, kind.date_column)


# --- what is accepted ----------------------------------------------------------------------------


def _accepted(kind: Kind, data: bytes) -> Any:
    report = kind.run(data)
    assert report.ok, [str(e) for e in report.errors]
    assert report.written
    assert {unicodedata.normalize("NFC", r[kind.header.index(kind.text_column)])
            for r in kind.good} <= _stored_text(kind)
    return report


def _stored_text(kind: Kind) -> set[str]:
    # Results store the code of the answer ("met"), not the word typed ("đạt").
    words = {"met": "đạt", "not_met": "chưa đạt"}
    values = kind.stored_text()
    if kind.name == "facts":
        labels = {"good": "Hoàn thành tốt nhiệm vụ", "completed": "Hoàn thành nhiệm vụ"}
        return {labels.get(v, v) for v in values}
    return {words.get(v, v) for v in values}


ENCODINGS: dict[str, Callable[[Kind], bytes]] = {
    "utf-8": lambda k: k.good_csv(),
    "utf-8-bom": lambda k: b"\xef\xbb\xbf" + k.good_csv(),
    "utf-16-le-bom": lambda k: k.good_csv("utf-16"),  # Excel's "Unicode Text"
    "utf-16-be-bom": lambda k: b"\xfe\xff" + k.good_csv("utf-16-be"),
    "windows-1258-combining-marks": lambda k: cp1258_bytes(k.csv(*k.good)),
    "semicolons": lambda k: k.good_csv().replace(b",", b";"),
    "xlsx": lambda k: _xlsx([list(k.header), *map(list, k.good)]),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_good_file_is_read_in_every_encoding_offices_use(kind: Kind, encoding: str) -> None:
    _accepted(kind, ENCODINGS[encoding](kind))


def test_windows_1258_is_stored_precomposed(kind: Kind) -> None:
    _accepted(kind, cp1258_bytes(kind.csv(*kind.good)))
    for value in _stored_text(kind):
        assert value == unicodedata.normalize("NFC", value)
    assert not any("\u0300" <= ch <= "\u036f" for v in kind.stored_text() for ch in v)


def test_reimporting_the_same_rows_duplicates_nothing(kind: Kind) -> None:
    first = _accepted(kind, kind.good_csv())
    assert first.written
    before = _writes()
    again = kind.run(b"\xef\xbb\xbf" + kind.good_csv())  # the same rows, saved another way
    assert again.ok, [str(e) for e in again.errors]
    assert not again.written
    assert again.unchanged == len(kind.good)
    assert _writes() == before


FORMULA = '=HYPERLINK("http://x.example/";"bấm vào đây")'


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_formula_text_is_data_stored_as_typed_or_refused(kind: Kind, file_format: str) -> None:
    """A live formula in an XLSX cell is read as its text, never as its cached result."""
    rows = kind.with_cell(0, kind.text_column, FORMULA)
    data = kind.csv(*rows).encode() if file_format == "csv" else _xlsx(
        [list(kind.header), *map(list, rows)]
    )
    if kind.name in ("units", "incidents"):  # free text: kept as typed
        report = kind.run(data)
        assert report.ok, [str(e) for e in report.errors]
        assert FORMULA in kind.stored_text()
    else:  # a choice from a list: a formula is not one of them
        row_error(kind, data, 2, kind.text_column, "không hợp lệ")


def test_every_module_that_reads_a_spreadsheet_is_covered_here() -> None:
    """A new import reading through ``tabular.open_sheet`` must join ``KINDS`` above."""
    root = Path(__file__).resolve().parents[2]
    readers = {
        str(path.relative_to(root.parent))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "open_sheet(" in path.read_text(encoding="utf-8")
    }
    # ``jobs.services.count_rows`` only counts rows to choose between the request and a job.
    assert readers - {"antt/core/tabular.py", "antt/jobs/services.py"} == {
        "antt/units/imports.py",  # units
        "antt/records/imports.py",  # incidents and facts
        "antt/reports/import_results.py",  # results
    }
    assert set(KINDS) == {"units", "incidents", "facts", "results"}


# --- the commands --------------------------------------------------------------------------------

COMMANDS = {
    "units": "import_units",
    "incidents": "import_incidents",
    "facts": "import_facts",
    "results": "import_results",
}
CLI_CASES: dict[str, Callable[[Kind], bytes]] = {
    "empty": lambda k: b"",
    "binary-garbage": lambda k: random.Random(11).randbytes(2048),  # noqa: S311 - test data
    "truncated-xlsx": lambda k: _xlsx([list(k.header), *map(list, k.good)])[:900],
    "header-only": lambda k: k.csv().encode(),
    "future-date": lambda k: k.csv(*k.with_cell(1, k.date_column, k.future)).encode(),
    "duplicate-row": lambda k: k.csv(*k.good, k.good[0]).encode(),
}


@pytest.mark.parametrize("case", CLI_CASES)
def test_the_command_refuses_bad_input_and_writes_nothing(
    kind: Kind, case: str, tmp_path: Path
) -> None:
    path = tmp_path / "tep-nhap.csv"
    path.write_bytes(CLI_CASES[case](kind))
    before = _writes()
    err = io.StringIO()
    with pytest.raises(CommandError, match="Chưa ghi gì vào cơ sở dữ liệu"):
        call_command(COMMANDS[kind.name], str(path), stdout=io.StringIO(), stderr=err)
    assert _writes() == before
    assert err.getvalue().strip()  # the reason, row and column when there is one
    assert any(not ch.isascii() for ch in err.getvalue())


def test_the_command_imports_the_good_file(kind: Kind, tmp_path: Path) -> None:
    path = tmp_path / "tep-nhap.csv"
    path.write_bytes(cp1258_bytes(kind.csv(*kind.good)))
    before = kind.count()
    out = io.StringIO()
    call_command(COMMANDS[kind.name], str(path), stdout=out, stderr=io.StringIO())
    assert "tep-nhap.csv" in out.getvalue()
    assert kind.count() == before + len(kind.good)


# --- the pages -----------------------------------------------------------------------------------

PAGE_CASES: dict[str, tuple[Callable[[Kind], bytes], tuple[str, ...]]] = {
    "binary-garbage": (CLI_CASES["binary-garbage"], (NOT_A_SPREADSHEET, "bảng mã")),
    "truncated-xlsx": (CLI_CASES["truncated-xlsx"], (NOT_A_SPREADSHEET,)),
    "header-only": (CLI_CASES["header-only"], ("không có dòng dữ liệu",)),
    "future-date": (CLI_CASES["future-date"], ("Dòng 3, cột",)),
    "duplicate-row": (CLI_CASES["duplicate-row"], ("Dòng 4, cột",)),
}
DATA_KINDS = {"incidents": "incidents_import", "facts": "facts_import", "results": "results_import"}


@pytest.mark.parametrize("case", PAGE_CASES)
def test_the_upload_page_explains_bad_input_and_writes_nothing(
    kind: Kind, case: str, client: Any, personas: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    make, fragments = PAGE_CASES[case]
    upload = SimpleUploadedFile("tep-nhap.csv", make(kind), "text/csv")
    client.force_login(personas.province_a_officer)
    before = _counts_but_audit()
    if kind.name == "units":
        response = client.post(reverse("units:unit-import"), {"file": upload}, secure=True)
    else:
        response = client.post(
            reverse("jobs:data-import"),
            {"kind": DATA_KINDS[kind.name], "file": upload},
            secure=True,
            follow=True,
        )
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert any(fragment in page for fragment in fragments)
    assert _counts_but_audit() == before  # a check job may be audited; no data is written


def _counts_but_audit() -> tuple[int, ...]:
    return _writes()[:4]
