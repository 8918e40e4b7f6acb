"""The fast XLSX row reader (``core.tabular._sheet_values``) gives exactly what openpyxl's
``iter_rows(values_only=True)`` gives, for every kind of cell a units file may hold."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from antt.core.tabular import _sheet_values


def _both(data: bytes) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    expected = list(
        load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)
    )
    fast = list(_sheet_values(load_workbook(io.BytesIO(data), read_only=True).active))
    return expected, fast


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_shared_strings_dates_formulas_booleans_and_gaps_read_as_openpyxl_does() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "parent_code", "valid_from"])
    sheet.append(["A1", "Thôn 1", "khu dân cư", 70, dt.date(2025, 7, 1)])
    sheet.append(["=1+1", " có khoảng trắng ", True, 1.5, dt.datetime(2025, 1, 2, 3, 4)])
    sheet["B6"] = "sau dòng trống"
    sheet["H9"] = "cột xa"
    sheet.append([None, "", "\t", 0, -3])
    expected, fast = _both(_saved(book))
    assert fast == expected
    assert fast[1] == ("A1", "Thôn 1", "khu dân cư", 70, dt.datetime(2025, 7, 1), None, None, None)
    assert fast[2][0] == "=1+1"  # a formula is its text, never a result


def test_inline_strings_of_a_write_only_workbook_read_as_openpyxl_does() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("don_vi")
    sheet.append(["code", "name", "kind", "parent_code", "managing_level"])
    for n in range(50):
        sheet.append([f"X{n:03d}", f"Tổ dân phố {n}", "khu dân cư", "00070", "" if n % 2 else "xã"])
    expected, fast = _both(_saved(book))
    assert fast == expected
    assert len(fast) == 51


def test_sheets_are_sized_from_their_header_as_openpyxl_would() -> None:
    from openpyxl.worksheet._reader import WorkSheetParser  # type: ignore[import-untyped]

    from antt.core import tabular

    tabular._size_sheets_from_their_header()
    sized = Workbook()  # a normal workbook declares its size (<dimension ref="A1:C4">)
    sized.active["C4"] = "x"
    unsized = Workbook(write_only=True)  # a write-only one does not
    unsized.create_sheet("s").append(["a", "b"])
    for data in (_saved(sized), _saved(unsized)):
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        with sheet._get_source() as src:
            expected = WorkSheetParser(src, []).parse_dimensions()
        found = (sheet.min_column, sheet.min_row, sheet.max_column, sheet.max_row)
        assert found == (expected or (1, 1, None, None))
