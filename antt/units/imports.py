"""Reading a units spreadsheet (CSV or XLSX) into typed rows, every problem named by row and column.

No database access here: resolving parents, matching existing units and checking jurisdiction is
``import_service.plan_import``'s job. Row numbers are the ones the user sees in the spreadsheet
(the header is row 1); columns are named by their canonical English name (``parent_code``).

Conventions a spreadsheet user relies on:

- headers are matched case- and accent-insensitively, in English or Vietnamese ("Mã đơn vị cấp
  trên" is ``parent_code``); unknown columns are ignored with a warning;
- entirely blank rows are skipped (Excel keeps formatted empty rows);
- an empty optional cell means "no value" on create and "keep the current value" on update;
- cells are data: "=1+1" is stored as the text "=1+1", never evaluated (XLSX formulas are read as
  their text, not as a cached result).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import charset_normalizer
from django.conf import settings
from django.utils.translation import gettext as _

from antt.core.text import fold, normalize_name

__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ParsedImport",
    "RowError",
    "UnitRow",
    "megabytes",
    "parse_units_file",
]

REQUIRED_COLUMNS = ("code", "name", "kind", "parent_code")
OPTIONAL_COLUMNS = (
    "managing_level",
    "enterprise_size",
    "education_level",
    "has_party_org",
    "is_armed_forces",
    "subtype",
    "valid_from",
    "valid_to",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Model field lengths (units.models.Unit): checked here so the write never fails half-way.
MAX_LENGTH = {"code": 40, "name": 255, "subtype": 40, "parent_code": 40}


def _key(value: str) -> str:
    """Folded, punctuation to single spaces: 'Mã đơn vị cấp trên' → 'ma don vi cap tren'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(value)).split())


def _aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, words in table.items():
        for word in (canonical, *words):
            out[_key(word)] = canonical
    return out


HEADER_ALIASES = _aliases(
    {
        "code": ("mã", "mã đơn vị", "mã số"),
        "name": ("tên", "tên đơn vị"),
        "kind": ("loại", "loại đơn vị"),
        "parent_code": ("mã đơn vị cấp trên", "mã cấp trên", "cấp trên", "parent"),
        "managing_level": ("cấp quản lý",),
        "enterprise_size": ("quy mô", "quy mô doanh nghiệp"),
        "education_level": ("cấp học",),
        "has_party_org": ("có tổ chức đảng", "tổ chức đảng"),
        "is_armed_forces": ("thuộc lực lượng vũ trang", "lực lượng vũ trang"),
        "subtype": ("loại hình",),
        "valid_from": ("hiệu lực từ", "ngày hiệu lực", "từ ngày"),
        "valid_to": ("hiệu lực đến", "ngày hết hiệu lực", "đến ngày"),
    }
)

# Values: the code names (units.models choices) and the Vietnamese words people type.
CHOICES: dict[str, dict[str, str]] = {
    "kind": _aliases(
        {
            "province": ("tỉnh", "tỉnh, thành phố", "tỉnh/thành phố"),
            "district": ("huyện", "quận", "thị xã", "huyện, quận, thị xã, thành phố thuộc tỉnh"),
            "commune": ("xã", "phường", "đặc khu", "xã, phường, đặc khu"),
            "residential_area": ("khu dân cư",),
            "agency": ("cơ quan",),
            "enterprise": ("doanh nghiệp",),
            "school": ("cơ sở giáo dục", "trường học", "trường"),
        }
    ),
    "managing_level": _aliases(
        {
            "commune": ("cấp xã", "xã"),
            "district": ("cấp huyện", "huyện"),
            "province": ("cấp tỉnh", "tỉnh"),
            "ministry": ("bộ", "bộ, ngành", "bộ, ngành trung ương", "trung ương"),
        }
    ),
    "enterprise_size": _aliases(
        {
            "micro": ("siêu nhỏ",),
            "small": ("nhỏ",),
            "medium": ("vừa",),
            "large": ("lớn",),
        }
    ),
    "education_level": _aliases(
        {
            "preschool": ("mầm non", "nhà trẻ", "mầm non, nhà trẻ"),
            "primary": ("tiểu học",),
            "lower_secondary": ("thcs", "trung học cơ sở"),
            "upper_secondary": ("thpt", "trung học phổ thông"),
            "multi_level": ("nhiều cấp học", "liên cấp"),
            "vocational": ("giáo dục nghề nghiệp", "nghề nghiệp"),
            "higher": ("đại học", "cao đẳng", "đại học, cao đẳng"),
        }
    ),
}
BOOLEANS = {
    **dict.fromkeys(("yes", "y", "true", "1", "co", "x"), True),
    **dict.fromkeys(("no", "n", "false", "0", "khong"), False),
}

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)

# What a correctly decoded Vietnamese spreadsheet may contain beyond ASCII. Anything else after a
# Windows-1258 decode means we guessed the encoding wrong: refuse rather than store mojibake.
_VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
_PLAUSIBLE = frozenset(_VIETNAMESE + _VIETNAMESE.upper() + "–—“”‘’…°·«»\u00a0")


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


@dataclass(frozen=True, slots=True)
class UnitRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str  # "" for a root (province)
    valid_from: dt.date | None
    valid_to: dt.date | None
    # Optional model fields whose cell was filled in: managing_level, enterprise_size,
    # education_level, has_party_org, is_armed_forces, subtype.
    attrs: dict[str, Any] = field(default_factory=dict)
    parent_code_was_number: bool = False  # an XLSX number cell: leading zeros are lost


@dataclass
class ParsedImport:
    filename: str
    rows: list[UnitRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    file_format: str = ""  # "csv" or "xlsx"
    encoding: str = ""
    # Codes of rows that had errors: the service does not report their children a second time.
    rejected_codes: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


def megabytes(size: int) -> str:
    """50 MB as "50", 1.5 MB as "1,5" (Vietnamese decimal comma)."""
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")


class _FileError(Exception):
    """The file as a whole cannot be read."""


def parse_units_file(
    source: bytes | IO[bytes], filename: str = "", *, max_bytes: int | None = None
) -> ParsedImport:
    """Read a CSV (UTF-8, UTF-8 with BOM, UTF-16, Windows-1258) or XLSX file of units."""
    limit = settings.ANTT_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    data = source if isinstance(source, bytes) else source.read(limit + 1)
    parsed = ParsedImport(filename=filename)
    if len(data) > limit:
        parsed.errors.append(
            RowError(
                None,
                None,
                _("Tệp quá lớn: tối đa %(mb)s MB. Hãy chia thành nhiều tệp nhỏ hơn.")
                % {"mb": megabytes(limit)},
            )
        )
        return parsed
    try:
        rows = _read_rows(data, parsed)
        header = next(rows, None)
        if header is None:
            raise _FileError(_("Tệp rỗng: không có dòng tiêu đề và dữ liệu."))
        columns = _map_header(header[1], parsed)
        if parsed.errors:
            return parsed
        _parse_rows(rows, columns, parsed)
    except _FileError as exc:
        parsed.errors = [RowError(None, None, str(exc))]
        parsed.rows = []
    return parsed


# --- reading cells ------------------------------------------------------------------------------


def _read_rows(data: bytes, parsed: ParsedImport) -> Iterator[tuple[int, list[Any]]]:
    """(spreadsheet row number, cell values), blank rows included; raises _FileError."""
    if not data.strip():
        raise _FileError(_("Tệp rỗng: không có dòng tiêu đề và dữ liệu."))
    if data.startswith(_ZIP_MAGIC):
        parsed.file_format = "xlsx"
        return _xlsx_rows(data)
    if data.startswith(_OLE_MAGIC):
        raise _FileError(
            _(
                "Tệp Excel 97-2003 (.xls) chưa được hỗ trợ: hãy mở bằng Excel và lưu lại dưới dạng "
                "“Excel Workbook (.xlsx)” hoặc “CSV UTF-8”."
            )
        )
    text, parsed.encoding = _decode(data)
    parsed.file_format = "csv"
    return _csv_rows(text)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        # read_only streams the sheet; data_only=False reads a formula as its text, never a result.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # a zip that is not a workbook (.docx, .ods, …) or a damaged one
        raise _FileError(_not_a_spreadsheet()) from exc

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            sheet = workbook.active or workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        except _FileError:
            raise
        except Exception as exc:  # damaged sheet XML: say so rather than fail with a 500
            raise _FileError(_not_a_spreadsheet()) from exc
        finally:
            workbook.close()

    return rows()


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
    try:
        return _text_or_binary(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        guess = charset_normalizer.from_bytes(data).best()
        if guess is not None and guess.encoding.startswith(("utf_16", "utf_32")):
            text, label = _checked_text(data, guess.encoding, guess.encoding)
            # A spreadsheet of units is mostly ASCII (codes, digits, separators); an image is not.
            if sum(ch.isascii() for ch in text) >= 0.7 * len(text):
                return text, label
        raise _FileError(_not_a_spreadsheet())
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise _FileError(_save_as_utf8()) from exc
    if all(ch.isascii() or ch in _PLAUSIBLE for ch in text):
        return _text_or_binary(text), "cp1258"
    if _looks_binary(text):
        raise _FileError(_not_a_spreadsheet())
    raise _FileError(_save_as_utf8())


def _checked_text(data: bytes, codec: str, label: str) -> tuple[str, str]:
    try:
        return _text_or_binary(data.decode(codec)), label
    except UnicodeDecodeError as exc:
        raise _FileError(_save_as_utf8()) from exc


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return controls > 0


def _text_or_binary(text: str) -> str:
    if _looks_binary(text):
        raise _FileError(_not_a_spreadsheet())
    return text.removeprefix("\ufeff")


def _csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    first_line = text.split("\n", 1)[0]
    # Excel under Vietnamese regional settings writes ";" (the decimal separator is ",").
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # One record is one spreadsheet row, even when a quoted cell spans several lines.
        for number, values in enumerate(reader, start=1):
            yield number, list(values)
    except csv.Error as exc:
        raise _FileError(
            _("Tệp CSV bị lỗi định dạng ở dòng %(row)s: %(error)s")
            % {"row": reader.line_num, "error": exc}
        ) from exc


# --- header -------------------------------------------------------------------------------------


def _map_header(header: list[Any], parsed: ParsedImport) -> dict[str, int]:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        label = _text(cell)
        if not label:
            continue
        name = HEADER_ALIASES.get(_key(label))
        if name is None:
            unknown.append(label)
        elif name in columns:
            parsed.errors.append(
                RowError(1, name, _("cột “%(label)s” bị lặp lại.") % {"label": label})
            )
        else:
            columns[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            parsed.errors.append(
                RowError(1, name, _("thiếu cột bắt buộc “%(column)s”.") % {"column": name})
            )
    if unknown:
        parsed.warnings.append(
            _("Bỏ qua các cột không dùng đến: %(columns)s.")
            % {"columns": ", ".join(f"“{c}”" for c in unknown)}
        )
    return columns


# --- rows ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
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


def _parse_rows(
    rows: Iterator[tuple[int, list[Any]]], columns: dict[str, int], parsed: ParsedImport
) -> None:
    first_row: dict[str, int] = {}
    for number, values in rows:
        if not any(_text(v) for v in values):
            continue
        errors: list[RowError] = []
        row = _parse_row(number, values, columns, errors)
        code = _text(_cell(values, columns, "code"))
        if code and code in first_row:
            errors.append(
                RowError(
                    number,
                    "code",
                    _("mã “%(code)s” trùng với dòng %(row)s trong cùng tệp.")
                    % {"code": code, "row": first_row[code]},
                )
            )
        elif code:
            first_row[code] = number
        if errors:
            parsed.errors.extend(errors)
            if code:
                parsed.rejected_codes.add(code)
        elif row is not None:
            parsed.rows.append(row)
    if not first_row and not parsed.errors:
        parsed.errors.append(RowError(None, None, _("Tệp không có dòng dữ liệu nào.")))


def _cell(values: list[Any], columns: dict[str, int], name: str) -> Any:
    index = columns.get(name)
    if index is None or index >= len(values):
        return None
    return values[index]


def _parse_row(
    number: int, values: list[Any], columns: dict[str, int], errors: list[RowError]
) -> UnitRow | None:
    def err(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    text = {name: _text(_cell(values, columns, name)) for name in columns}

    for name in ("code", "name", "kind"):
        if not text[name]:
            err(name, _("thiếu giá trị bắt buộc."))
    code, parent_code = text["code"], text["parent_code"]
    name = normalize_name(text["name"])
    for column, value in (("code", code), ("parent_code", parent_code)):
        if any(ch.isspace() for ch in value):
            err(column, _("mã không được chứa khoảng trắng: “%(code)s”.") % {"code": value})
    for column, value in (("code", code), ("name", name), ("parent_code", parent_code)):
        _check_length(column, value, err)

    kind = ""
    if text["kind"]:
        kind = CHOICES["kind"].get(_key(text["kind"]), "")
        if not kind:
            err("kind", _unknown_choice("kind", text["kind"]))
    if kind and kind != "province" and not parent_code:
        err("parent_code", _("thiếu mã đơn vị cấp trên (bắt buộc với mọi loại trừ tỉnh)."))

    valid_from = _date(text.get("valid_from", ""), "valid_from", err)
    valid_to = _date(text.get("valid_to", ""), "valid_to", err)
    if valid_from and valid_to and valid_to < valid_from:
        err(
            "valid_to",
            _("ngày hết hiệu lực %(to)s trước ngày bắt đầu hiệu lực %(from)s.")
            % {"to": f"{valid_to:%d/%m/%Y}", "from": f"{valid_from:%d/%m/%Y}"},
        )

    attrs: dict[str, Any] = {}
    for column in ("managing_level", "enterprise_size", "education_level"):
        raw = text.get(column, "")
        if raw:
            value = CHOICES[column].get(_key(raw))
            if value is None:
                err(column, _unknown_choice(column, raw))
            else:
                attrs[column] = value
    for column in ("has_party_org", "is_armed_forces"):
        raw = text.get(column, "")
        if raw:
            flag = BOOLEANS.get(_key(raw))
            if flag is None:
                err(column, _("giá trị “%(value)s” không hợp lệ: dùng yes/no (có/không).")
                    % {"value": raw})
            else:
                attrs[column] = flag
    subtype = text.get("subtype", "")
    if subtype:
        attrs["subtype"] = _key(subtype).replace(" ", "_")  # "Tổ dân phố" → "to_dan_pho"
        _check_length("subtype", attrs["subtype"], err)

    if errors:
        return None
    return UnitRow(
        row=number,
        code=code,
        name=name,
        kind=kind,
        parent_code=parent_code,
        valid_from=valid_from,
        valid_to=valid_to,
        attrs=attrs,
        parent_code_was_number=isinstance(_cell(values, columns, "parent_code"), int | float),
    )


def _check_length(column: str, value: str, err: Any) -> None:
    limit = MAX_LENGTH[column]
    if len(value) > limit:
        err(column, _("dài quá %(limit)s ký tự.") % {"limit": limit})


def _unknown_choice(column: str, value: str) -> str:
    allowed = ", ".join(dict.fromkeys(CHOICES[column].values()))
    if column == "kind":
        allowed += " " + _(
            "(hoặc tiếng Việt: tỉnh, xã, phường, khu dân cư, cơ quan, doanh nghiệp, "
            "cơ sở giáo dục, trường học)"
        )
    return _("giá trị “%(value)s” không hợp lệ. Các giá trị được chấp nhận: %(allowed)s.") % {
        "value": value,
        "allowed": allowed,
    }


def _date(raw: str, column: str, err: Any) -> dt.date | None:
    if not raw:
        return None
    try:
        if match := _ISO_DATE.match(raw):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        if match := _VN_DATE.match(raw):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        pass
    err(
        column,
        _("ngày “%(value)s” không hợp lệ: hãy ghi dạng 2025-07-01 hoặc 01/07/2025.")
        % {"value": raw},
    )
    return None
