"""Reading a spreadsheet a person uploaded (CSV or XLSX) into numbered rows of cells.

Shared by every import (units, incidents, yearly facts) so they fail the same way, in Vietnamese:

- the format is told by content, not by the file name: a zip is XLSX, an OLE file is the old
  ``.xls`` (refused with advice), anything else is CSV in UTF-8 (with or without BOM), UTF-16 or
  Windows-1258 — or a clear refusal, never mojibake;
- row numbers are the ones the user sees in the spreadsheet (the header is row 1);
- headers are matched case- and accent-insensitively (``key``), so "Mã đơn vị" and "ma don vi" are
  the same column;
- cells are data: "=1+1" is the text "=1+1", never evaluated — and on the way out every
  workbook we write keeps such text a string (``make_inert`` / ``inert_row``);
- a file is bounded: ``ANTT_IMPORT_MAX_BYTES``, ``ANTT_IMPORT_MAX_ROWS`` data rows (streamed, the
  limit is hit before the rows are all read), and an XLSX that unzips abnormally large is refused.

No database access here.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import charset_normalizer
from django.conf import settings
from django.utils.translation import gettext as _

from antt.core.text import fold

__all__ = [
    "BOOLEANS",
    "FORMULA_START",
    "RowError",
    "Sheet",
    "TabularError",
    "aliases",
    "cell",
    "inert_row",
    "is_blank",
    "key",
    "looks_like_formula",
    "make_inert",
    "map_header",
    "max_rows",
    "megabytes",
    "open_sheet",
    "parse_date",
    "read_limited",
    "text",
]

BOOLEANS = {
    **dict.fromkeys(("yes", "y", "true", "1", "co", "x"), True),
    **dict.fromkeys(("no", "n", "false", "0", "khong"), False),
}

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

_ZIP_MAGIC = b"PK\x03\x04"
# A workbook unzips to 4-20 times its size (repetitive rows compress best); far more is a damaged
# file or a "zip bomb" meant to exhaust memory (openpyxl keeps the shared strings in memory even
# when it streams the sheet). Deflate cannot exceed about 1,000:1.
_UNZIPPED_PER_ZIPPED_BYTE = 100
_UNZIPPED_PER_IMPORT_LIMIT = 10
_UNZIPPED_FLOOR = 16 * 1024 * 1024
_DEFAULT_MAX_ROWS = 200_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)

# What a correctly decoded Vietnamese spreadsheet may contain beyond ASCII. Anything else after a
# Windows-1258 decode means we guessed the encoding wrong: refuse rather than store mojibake.
_VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
_PLAUSIBLE = frozenset(_VIETNAMESE + _VIETNAMESE.upper() + "–—“”‘’…°·«»\u00a0")


class TabularError(Exception):
    """The file as a whole cannot be read; the message says why, in Vietnamese."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int | None  # as the user sees it: the header is row 1; None for the file as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("Dòng %(row)s, cột %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("Dòng %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


@dataclass
class Sheet:
    file_format: str  # "csv" or "xlsx"
    encoding: str  # "" for xlsx
    rows: Iterator[tuple[int, list[Any]]]  # (spreadsheet row number, cells), blank rows included


def megabytes(size: int) -> str:
    """50 MB as "50", 1.5 MB as "1,5" (Vietnamese decimal comma)."""
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def read_limited(source: bytes | IO[bytes], limit: int) -> bytes:
    """The file's bytes, or TabularError when it is larger than ``limit``."""
    data = source if isinstance(source, bytes) else source.read(limit + 1)
    if len(data) > limit:
        raise TabularError(
            _("Tệp quá lớn: tối đa %(mb)s MB. Hãy chia thành nhiều tệp nhỏ hơn.")
            % {"mb": megabytes(limit)}
        )
    return data


@functools.lru_cache(maxsize=4096)
def key(value: str) -> str:
    """Folded, punctuation to single spaces: 'Mã đơn vị cấp trên' → 'ma don vi cap tren'.
    Cached: a column of choices repeats a few values over thousands of rows."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(value)).split())


def aliases(table: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """{folded word: canonical name} for the canonical names and the words people type."""
    out: dict[str, str] = {}
    for canonical, words in table.items():
        for word in (canonical, *words):
            out[key(word)] = canonical
    return out


def max_rows() -> int:
    """How many data rows (blank rows aside) one imported file may have."""
    return int(getattr(settings, "ANTT_IMPORT_MAX_ROWS", _DEFAULT_MAX_ROWS))


def open_sheet(data: bytes, *, row_limit: int | None = None) -> Sheet:
    """Tell CSV from XLSX by content and decode; raises TabularError, also while the rows are
    read (a damaged sheet, more than ``row_limit`` data rows: ``ANTT_IMPORT_MAX_ROWS``)."""
    limit = max_rows() if row_limit is None else row_limit
    if not data.strip():
        raise TabularError(_("Tệp rỗng: không có dòng tiêu đề và dữ liệu."))
    if data.startswith(_ZIP_MAGIC):
        return Sheet("xlsx", "", _limited(_xlsx_rows(data), limit))
    if data.startswith(_OLE_MAGIC):
        raise TabularError(
            _(
                "Tệp Excel 97-2003 (.xls) chưa được hỗ trợ: hãy mở bằng Excel và lưu lại dưới dạng "
                "“Excel Workbook (.xlsx)” hoặc “CSV UTF-8”."
            )
        )
    decoded, encoding = _decode(data)
    # A CSV's rows are counted first (the C reader alone, ~1 s for 250,000 rows) so that a file
    # over the limit is refused at once, not after every row up to the limit was checked.
    if sum(1 for _n, values in _csv_rows(decoded) if any(v.strip() for v in values)) > limit + 1:
        raise TabularError(_too_many_rows(limit))
    return Sheet("csv", encoding, _limited(_csv_rows(decoded), limit))


def _limited(rows: Iterator[tuple[int, list[Any]]], limit: int) -> Iterator[tuple[int, list[Any]]]:
    """The rows, streamed, until the header and ``limit`` non-blank rows have been read."""
    seen = 0
    for number, values in rows:
        if not is_blank(values):
            seen += 1
            if seen > limit + 1:  # the header is not a data row
                raise TabularError(_too_many_rows(limit))
        yield number, values


def _too_many_rows(limit: int) -> str:
    return _(
        "Tệp có quá nhiều dòng: tối đa %(rows)s dòng dữ liệu trong một tệp. "
        "Hãy chia thành nhiều tệp nhỏ hơn."
    ) % {"rows": f"{limit:,}".replace(",", ".")}


def _check_unzipped_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise TabularError(_not_a_spreadsheet()) from exc
    limit = min(
        max(_UNZIPPED_PER_ZIPPED_BYTE * len(data), _UNZIPPED_FLOOR),
        _UNZIPPED_PER_IMPORT_LIMIT * settings.ANTT_IMPORT_MAX_BYTES,
    )
    if unzipped > limit:
        raise TabularError(
            _("Tệp Excel bị hỏng hoặc không an toàn: nội dung giải nén lớn bất thường (%(mb)s MB).")
            % {"mb": megabytes(unzipped)}
        )


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    _check_unzipped_size(data)
    try:
        # read_only streams the sheet; data_only=False reads a formula as its text, never a result.
        _size_sheets_from_their_header()
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # a zip that is not a workbook (.docx, .ods, …) or a damaged one
        raise TabularError(_not_a_spreadsheet()) from exc

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            sheet = workbook.active or workbook.worksheets[0]
            for number, values in enumerate(_sheet_values(sheet), start=1):
                yield number, list(values)
        except TabularError:
            raise
        except Exception as exc:  # damaged sheet XML: say so rather than fail with a 500
            raise TabularError(_not_a_spreadsheet()) from exc
        finally:
            workbook.close()

    return rows()


@functools.cache
def _size_sheets_from_their_header() -> None:
    """openpyxl sizes each read-only sheet when the workbook is opened, from its ``<dimension>``
    element; when there is none (write-only workbooks, many exporters) it parses the whole sheet
    with the slow pure-Python parser to find out, which costs more than reading every row (3.5 s
    of CPU for 100,000 rows). The schema puts ``<dimension>`` before ``<sheetData>``: read the
    header up to there with lxml instead; the size found is the same (or none, as before)."""
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet  # type: ignore[import-untyped]
    from openpyxl.worksheet.dimensions import SheetDimension  # type: ignore[import-untyped]

    def get_size(self: Any) -> None:
        with self._get_source() as src:
            for _event, element in etree.iterparse(
                src, events=("start",), resolve_entities=False, no_network=True
            ):
                if element.tag == _DIMENSION_TAG:
                    bounds = SheetDimension.from_tree(element).boundaries
                    self._min_column, self._min_row, self._max_column, self._max_row = bounds
                    return
                if element.tag == _DATA_TAG:
                    return

    ReadOnlyWorksheet._get_size = get_size


def _sheet_values(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """``sheet.iter_rows(values_only=True)`` of an openpyxl read-only sheet, the same rows and
    values, about five times faster: lxml reads only the ``<row>`` elements, and the cells of
    the usual shapes (shared or inline text, plain numbers) skip openpyxl's general parser."""
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    book = sheet.parent
    parser = _fast_cells_class()(
        None,
        book.shared_strings,
        data_only=False,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    max_col, max_row = sheet.max_column, sheet.max_row
    empty = (None,) * max_col if max_col is not None else ()
    # As openpyxl's ReadOnlyWorksheet._cells_by_row: missing rows are empty rows, up to the
    # sheet's declared size; each row is padded to the declared width.
    counter = idx = 1
    with sheet._get_source() as src:
        for _event, element in etree.iterparse(
            src, events=("end",), tag=_ROW_TAG, resolve_entities=False, no_network=True
        ):
            idx, cells = parser.row(element)
            element.clear()
            while element.getprevious() is not None:  # keep the parsed tree from growing
                del element.getparent()[0]
            if max_row is not None and idx > max_row:
                break
            for _n in range(counter, idx):
                counter += 1
                yield empty
            if counter <= idx:
                counter += 1
                yield _padded(cells, max_col)
    if max_row is not None and max_row < idx:
        for _n in range(counter, max_row + 1):
            yield empty


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW_TAG, _VALUE_TAG = f"{_MAIN_NS}row", f"{_MAIN_NS}v"
_DIMENSION_TAG, _DATA_TAG = f"{_MAIN_NS}dimension", f"{_MAIN_NS}sheetData"
_INLINE_TAG, _TEXT_TAG = f"{_MAIN_NS}is", f"{_MAIN_NS}t"


@functools.cache  # openpyxl is imported on first use, as in _xlsx_rows
def _fast_cells_class() -> type:
    from openpyxl.worksheet._reader import (  # type: ignore[import-untyped]
        WorkSheetParser,
        _cast_number,
    )

    class FastCells(WorkSheetParser):  # type: ignore[misc]
        def row(self, element: Any) -> tuple[int, list[tuple[int, Any]]]:
            """``parse_row``: the row's number and its (column, value) cells."""
            number = element.get("r")
            if number:
                try:
                    self.row_counter = int(number)
                except ValueError:
                    return self._general_row(element)
            else:
                self.row_counter += 1
            self.col_counter = 0
            return self.row_counter, [self.cell(c) for c in element]

        def _general_row(self, element: Any) -> tuple[int, list[tuple[int, Any]]]:
            number, cells = self.parse_row(element)
            return number, [(c["column"], c["value"]) for c in cells]

        def cell(self, element: Any) -> tuple[int, Any]:
            value = _NOT_FAST
            size = len(element)
            if size == 0:  # an empty cell, whatever its type: openpyxl reads None
                value = None
            elif size == 1:
                child, data_type = element[0], element.get("t")
                if child.tag == _VALUE_TAG and child.text:
                    if data_type == "s":
                        value = self.shared_strings[int(child.text)]
                    elif data_type in (None, "n") and int(element.get("s", 0)) not in (
                        self.date_formats
                    ):
                        value = _cast_number(child.text)
                elif data_type == "inlineStr" and child.tag == _INLINE_TAG and len(child) == 1:
                    part = child[0]
                    if part.tag == _TEXT_TAG and part.text:
                        value = part.text
            if value is _NOT_FAST:  # formulas, dates, rich text, booleans, errors, …
                general = self.parse_cell(element)
                return general["column"], general["value"]
            coordinate = element.get("r")
            if coordinate:
                self.col_counter = _column(coordinate.rstrip("0123456789"))
            else:
                self.col_counter += 1
            return self.col_counter, value

    return FastCells


_NOT_FAST = object()


def _padded(cells: list[tuple[int, Any]], width: int | None) -> tuple[Any, ...]:
    """As openpyxl's ``_get_row(values_only=True)``: the values at their columns, ``width``
    wide (or as wide as the last cell when the sheet declares no size)."""
    if not cells and not width:
        return ()
    width = width or cells[-1][0]
    values: list[Any] = [None] * width
    for column, value in cells:
        if 1 <= column <= width:
            values[column - 1] = value
    return tuple(values)


@functools.lru_cache(maxsize=1024)
def _column(letters: str) -> int:
    from openpyxl.utils.cell import column_index_from_string  # type: ignore[import-untyped]

    return int(column_index_from_string(letters))


def _not_a_spreadsheet() -> str:
    return _("Tệp này không phải tệp CSV hoặc Excel (.xlsx).")


def _save_as_utf8() -> str:
    return _(
        "Không đọc được bảng mã của tệp. Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) "
        "“CSV UTF-8 (Comma delimited)” rồi nhập lại."
    )


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16, or Windows-1258 — or a clear refusal, never mojibake."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked_text(data[3:], "utf-8", "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked_text(data, "utf-16", "utf-16")
    with contextlib.suppress(UnicodeDecodeError):  # not UTF-8: try the other encodings below
        return _text_or_binary(data.decode("utf-8")), "utf-8"
    if b"\x00" in data:
        guess = charset_normalizer.from_bytes(data).best()
        if guess is not None and guess.encoding.startswith(("utf_16", "utf_32")):
            decoded, label = _checked_text(data, guess.encoding, guess.encoding)
            # A spreadsheet is mostly ASCII (codes, digits, separators); an image is not.
            if sum(ch.isascii() for ch in decoded) >= 0.7 * len(decoded):
                return decoded, label
        raise TabularError(_not_a_spreadsheet())
    try:
        decoded = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise TabularError(_save_as_utf8()) from exc
    if all(ch.isascii() or ch in _PLAUSIBLE for ch in decoded):
        return _text_or_binary(decoded), "cp1258"
    if _looks_binary(decoded):
        raise TabularError(_not_a_spreadsheet())
    raise TabularError(_save_as_utf8())


def _checked_text(data: bytes, codec: str, label: str) -> tuple[str, str]:
    try:
        return _text_or_binary(data.decode(codec)), label
    except UnicodeDecodeError as exc:
        raise TabularError(_save_as_utf8()) from exc


def _looks_binary(decoded: str) -> bool:
    sample = decoded[:4096]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return controls > 0


def _text_or_binary(decoded: str) -> str:
    if _looks_binary(decoded):
        raise TabularError(_not_a_spreadsheet())
    return decoded.removeprefix("\ufeff")


# A line and its end, as ``io.StringIO(text, newline="")`` splits them ("\r\n", "\r" or "\n").
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, read in place: a StringIO would copy the whole text into a buffer
    of four bytes a character (300-400 bytes a row)."""
    for match in _LINE.finditer(text):
        yield match.group()


def _csv_rows(decoded: str) -> Iterator[tuple[int, list[Any]]]:
    first_line = decoded.split("\n", 1)[0]
    # Excel under Vietnamese regional settings writes ";" (the decimal separator is ",").
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(_lines(decoded), delimiter=delimiter)
    try:
        # One record is one spreadsheet row, even when a quoted cell spans several lines.
        for number, values in enumerate(reader, start=1):
            yield number, list(values)
    except csv.Error as exc:
        raise TabularError(
            _("Tệp CSV bị lỗi định dạng ở dòng %(row)s: %(error)s")
            % {"row": reader.line_num, "error": exc}
        ) from exc


# --- header and cells ---------------------------------------------------------------------------


def map_header(
    header: list[Any],
    known: Mapping[str, str],
    required: Sequence[str],
    errors: list[RowError],
    warnings: list[str],
    *,
    resolve: Callable[[str], str | None] | None = None,
) -> dict[str, int]:
    """{canonical column: index}. Repeated or missing required columns are errors on row 1;
    unknown columns a warning. ``resolve`` names a column ``known`` does not (e.g. fact names)."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, value in enumerate(header):
        label = text(value)
        if not label:
            continue
        name = known.get(key(label))
        if name is None and resolve is not None:
            name = resolve(label)
        if name is None:
            unknown.append(label)
        elif name in columns:
            errors.append(RowError(1, name, _("cột “%(label)s” bị lặp lại.") % {"label": label}))
        else:
            columns[name] = index
    for name in required:
        if name not in columns:
            errors.append(
                RowError(1, name, _("thiếu cột bắt buộc “%(column)s”.") % {"column": name})
            )
    if unknown:
        warnings.append(
            _("Bỏ qua các cột không dùng đến: %(columns)s.")
            % {"columns": ", ".join(f"“{c}”" for c in unknown)}
        )
    return columns


def text(value: Any) -> str:
    """A cell as the text the user sees: XLSX numbers without ".0", dates as ISO."""
    if type(value) is str:  # every CSV cell, most XLSX cells: the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_blank(values: list[Any]) -> bool:
    """Excel keeps formatted empty rows: they are skipped, not reported."""
    return not any(text(v) for v in values)


def cell(values: list[Any], columns: Mapping[str, int], name: str) -> Any:
    index = columns.get(name)
    if index is None or index >= len(values):
        return None
    return values[index]


def parse_date(raw: str) -> dt.date | None:
    """2025-07-01 or 01/07/2025 → a date; anything else (or an impossible day) → None."""
    try:
        if match := _ISO_DATE.match(raw):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        if match := _VN_DATE.match(raw):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


# --- writing: cells stay data on the way out too -------------------------------------------------

# A text a spreadsheet would run as a formula (or as DDE): "=HYPERLINK(…)", "+1", "-2+3", "@SUM(…)",
# and the same behind a tab or a carriage return.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def make_inert(cell: Any) -> Any:
    """An openpyxl cell whose text would start a formula, stored as the text it is (data type
    "s", shown as typed thanks to Excel's quote prefix); other cells as they are."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def inert_row(sheet: Any, values: Sequence[Any]) -> list[Any]:
    """``values`` ready for ``sheet.append`` (also a write-only sheet): formula-like texts become
    string cells, everything else is passed through."""
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    return [
        make_inert(WriteOnlyCell(sheet, value=value)) if looks_like_formula(value) else value
        for value in values
    ]
