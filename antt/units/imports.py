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

import collections
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.core import tabular
from antt.core.tabular import BOOLEANS, RowError, megabytes
from antt.core.tabular import TabularError as _FileError
from antt.core.tabular import aliases as _aliases
from antt.core.tabular import cell as _cell
from antt.core.tabular import key as _key
from antt.core.tabular import text as _text
from antt.core.text import normalize_name

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
# Codes are identifiers typed in other files and URLs: ASCII letters and digits, then also
# "-", "_", ".", "/". Never a leading "=", "+", "-" or "@" a spreadsheet would run as a formula.
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/-]*$")
# Effective dates: none before the Democratic Republic (2 September 1945); a unit imported now
# starts within the next calendar year at the latest.
EARLIEST_DAY = dt.date(1945, 9, 2)

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
    """A units file, read row by row each time ``scan()`` is iterated: the rows are never all
    held in memory (the import reads the file twice: to check it, then to write it). The errors,
    the rejected codes and the rows of the codes are those of the last complete scan; ``errors``,
    ``rows`` and ``row_count`` scan the file once if no scan has completed yet."""

    filename: str
    warnings: list[str] = field(default_factory=list)
    file_format: str = ""  # "csv" or "xlsx"
    encoding: str = ""
    # Codes of rows that had errors: the service does not report their children a second time.
    rejected_codes: set[str] = field(default_factory=set)
    # The first row of each code in the file (rejected rows included), for cross-row messages.
    code_rows: dict[str, int] = field(default_factory=dict)
    file_errors: list[RowError] = field(default_factory=list)  # the file as a whole, its header
    row_errors: list[RowError] = field(default_factory=list)
    data: bytes = b""
    columns: dict[str, int] = field(default_factory=dict)
    scanned: bool = False
    count: int = 0  # rows without errors in the last scan
    # The sheet opened to read the header, where the first scan goes on (the file is opened,
    # decoded, counted once less: an XLSX's shared strings are read again at each opening).
    pending: Iterator[tuple[int, list[Any]]] | None = None

    @property
    def errors(self) -> list[RowError]:
        self._scan_once()
        return [*self.file_errors, *self.row_errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> list[UnitRow]:
        """Every row without errors, as a list: for small files and tests (``scan()`` streams)."""
        return list(self.scan())

    @property
    def row_count(self) -> int:
        self._scan_once()
        return self.count

    def _scan_once(self) -> None:
        if not self.file_errors and not self.scanned:
            # Read to the end only for what scanning records (counts, errors, codes): the
            # itertools "consume" recipe, keeping no row.
            collections.deque(self.scan(), maxlen=0)

    def scan(self) -> Iterator[UnitRow]:
        """The rows without errors, from the file's first data row; the errors, rejected codes
        and code rows are collected on the way (complete once it is exhausted)."""
        if self.file_errors:
            return
        self.row_errors, self.rejected_codes, self.code_rows = [], set(), {}
        self.count, self.scanned = 0, False
        try:
            rows, self.pending = self.pending, None
            if rows is None:
                rows = tabular.open_sheet(self.data).rows
                next(rows, None)  # the header, mapped by parse_units_file
            for row in _parse_rows(rows, self.columns, self):
                self.count += 1
                yield row
        except _FileError as exc:
            self.file_errors, self.row_errors = [RowError(None, None, str(exc))], []
            return
        self.scanned = True


def parse_units_file(
    source: bytes | IO[bytes], filename: str = "", *, max_bytes: int | None = None
) -> ParsedImport:
    """Open a CSV (UTF-8, UTF-8 with BOM, UTF-16, Windows-1258) or XLSX file of units and map its
    header; the data rows are read by ``ParsedImport.scan()``."""
    limit = settings.ANTT_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    data = source if isinstance(source, bytes) else source.read(limit + 1)
    parsed = ParsedImport(filename=filename)
    if len(data) > limit:
        parsed.file_errors.append(
            RowError(
                None,
                None,
                _("Tệp quá lớn: tối đa %(mb)s MB. Hãy chia thành nhiều tệp nhỏ hơn.")
                % {"mb": megabytes(limit)},
            )
        )
        return parsed
    try:
        sheet = tabular.open_sheet(data)
        parsed.file_format, parsed.encoding = sheet.file_format, sheet.encoding
        header = next(sheet.rows, None)
        if header is None:
            raise _FileError(_("Tệp rỗng: không có dòng tiêu đề và dữ liệu."))
        parsed.columns = _map_header(header[1], parsed)
    except _FileError as exc:
        parsed.file_errors = [RowError(None, None, str(exc))]
        return parsed
    parsed.data, parsed.pending = data, sheet.rows
    return parsed


# --- header -------------------------------------------------------------------------------------


def _map_header(header: list[Any], parsed: ParsedImport) -> dict[str, int]:
    return tabular.map_header(
        header, HEADER_ALIASES, REQUIRED_COLUMNS, parsed.file_errors, parsed.warnings
    )


# --- rows ---------------------------------------------------------------------------------------


def _parse_rows(
    rows: Iterator[tuple[int, list[Any]]], columns: dict[str, int], parsed: ParsedImport
) -> Iterator[UnitRow]:
    first_row = parsed.code_rows
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
            parsed.row_errors.extend(errors)
            if code:
                parsed.rejected_codes.add(code)
        elif row is not None:
            yield row
    if not first_row and not parsed.row_errors:
        parsed.row_errors.append(RowError(None, None, _("Tệp không có dòng dữ liệu nào.")))


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
        elif value and not CODE.match(value):
            err(
                column,
                _(
                    "mã “%(code)s” không hợp lệ: chỉ gồm chữ cái không dấu, chữ số và các dấu "
                    "- _ . /, bắt đầu bằng chữ cái hoặc chữ số."
                )
                % {"code": value},
            )
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
            choice = CHOICES[column].get(_key(raw))
            if choice is None:
                err(column, _unknown_choice(column, raw))
            else:
                attrs[column] = choice
    for column in ("has_party_org", "is_armed_forces"):
        raw = text.get(column, "")
        if raw:
            flag = BOOLEANS.get(_key(raw))
            if flag is None:
                err(
                    column,
                    _("giá trị “%(value)s” không hợp lệ: dùng yes/no (có/không).") % {"value": raw},
                )
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
    day = tabular.parse_date(raw)
    if day is None:
        err(
            column,
            _("ngày “%(value)s” không hợp lệ: hãy ghi dạng 2025-07-01 hoặc 01/07/2025.")
            % {"value": raw},
        )
        return None
    if day < EARLIEST_DAY:
        shown = f"{day:%d/%m/%Y}"
        err(column, _("ngày %(day)s trước năm 1945: hãy kiểm tra lại.") % {"day": shown})
        return None
    # An end date may be far ahead (a licence until 2030); a start date within a year at most.
    latest = dt.date(timezone.localdate().year + 1, 12, 31)
    if column == "valid_from" and day > latest:
        err(
            column,
            _("ngày %(day)s chưa đến và quá xa: ngày bắt đầu hiệu lực chậm nhất là %(last)s.")
            % {"day": f"{day:%d/%m/%Y}", "last": f"{latest:%d/%m/%Y}"},
        )
        return None
    return day
