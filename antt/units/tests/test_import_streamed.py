"""The units import reads the file twice, row by row, a batch at a time (check, then write): the
result is the same wherever the batches split the file, and no list of its rows is kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from antt.core.models import AuditEvent
from antt.units import import_service
from antt.units.import_service import import_parsed
from antt.units.imports import ParsedImport, UnitRow, parse_units_file
from antt.units.models import Unit
from antt.units.tests.test_import import csv_bytes

HEADER = "code,name,kind,parent_code"


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_service, "_PLAN_BATCH", 2)


def _parsed(*lines: str) -> ParsedImport:
    return parse_units_file(csv_bytes(*lines, header=HEADER), "don-vi.csv")


def _readings(parsed: ParsedImport) -> list[int]:
    """Counts the readings of the file and the rows each one gave."""
    counts: list[int] = []
    scan = parsed.scan

    def counted() -> Iterator[UnitRow]:
        counts.append(0)
        for row in scan():
            counts[-1] += 1
            yield row

    parsed.scan = counted  # type: ignore[method-assign]
    return counts


def test_new_parents_and_their_children_across_batches(tree: Any) -> None:
    parsed = _parsed(
        "01-W1,Phường Mới,phường,01",
        "00070-A1,Tổ dân phố 1,khu dân cư,00070",
        "00070-A2,Tổ dân phố 2,khu dân cư,00070",
        "01-W1-A,Khu dân cư A,khu dân cư,01-W1",
        "01-W1-B,Công ty B,doanh nghiệp,01-W1",
    )
    readings = _readings(parsed)
    report = import_parsed(actor="test", parsed=parsed, dry_run=False)
    assert (report.errors, report.written, report.created) == ([], True, 5)
    assert readings == [5, 5]  # checked, then written: two readings of every row
    ward = Unit.objects.get(code="01-W1")
    assert ward.parent == tree.province_a
    assert {u.code for u in Unit.objects.filter(parent=ward)} == {"01-W1-A", "01-W1-B"}
    assert Unit.objects.get(code="00070-A2").parent == tree.commune_a1
    summary = AuditEvent.objects.get(verb="units.import")
    assert summary.unit_path == tree.province_a.path
    events = AuditEvent.objects.filter(verb="unit.create", changes__import_event=summary.pk)
    assert events.count() == 5


def test_a_dry_run_reads_the_file_once_and_keeps_only_a_preview(
    tree: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_service, "_PLANS_KEPT", 3)
    parsed = _parsed(*(f"00070-A{n},Tổ dân phố {n},khu dân cư,00070" for n in range(7)))
    readings = _readings(parsed)
    report = import_parsed(actor="test", parsed=parsed, dry_run=True)
    assert (report.errors, report.written, report.created) == ([], False, 7)
    assert readings == [7]
    assert [p.row.code for p in report.planned] == ["00070-A0", "00070-A1", "00070-A2"]
    assert not Unit.objects.filter(code__startswith="00070-A").exists()


def test_errors_in_any_batch_write_nothing_and_name_their_rows(tree: Any) -> None:
    units, events = Unit.objects.count(), AuditEvent.objects.count()
    parsed = _parsed(
        "00070-A1,Tổ dân phố 1,khu dân cư,01-W1",  # its parent is a later row
        "00070-A2,Tổ dân phố 2,khu dân cư,00070",
        "01-W1,Phường Mới,phường,01",
        "00070-A2,Tổ dân phố 2 bis,khu dân cư,00070",  # the same code again
        "00070-A3,Tổ dân phố 3,khu dân cư,00099",  # no such parent
    )
    readings = _readings(parsed)
    report = import_parsed(actor="test", parsed=parsed, dry_run=False)
    assert readings == [4]  # checked only; the second "00070-A2" is not given
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "parent_code"),
        (5, "code"),
        (6, "parent_code"),
    ]
    assert "ở dòng 4: hãy đặt dòng đó lên trước dòng này" in report.errors[0].message
    assert "trùng với dòng 3" in report.errors[1].message
    assert "không tìm thấy đơn vị cấp trên mã “00099”" in report.errors[2].message
    assert not report.written
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units, events)


def test_children_of_a_later_refused_row_are_not_reported_again(tree: Any) -> None:
    parsed = _parsed(
        "01-W1-A,Khu dân cư A,khu dân cư,01-W1",
        "00070-A1,Tổ dân phố 1,khu dân cư,00070",
        "01-W1,Phường Mới,làng,01",  # an unknown kind: refused by the parser
    )
    report = import_parsed(actor="test", parsed=parsed, dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(4, "kind")]
    assert not Unit.objects.filter(code__in=("00070-A1", "01-W1-A")).exists()
