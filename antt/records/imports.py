"""Reading incident and yearly-facts spreadsheets (CSV or XLSX) into typed rows.

No database access here: resolving unit codes, checking jurisdiction, the category against the
unit's kind, duplicates and the totals against what is stored is the services' job
(``services.plan_incident_import`` / ``plan_facts_import``). The conventions are the unit import's
(``antt.core.tabular``): the header is row 1, headers in English or Vietnamese, blank rows skipped,
an empty optional cell means "no value", every problem named by row and column, in Vietnamese.

Incidents: ``unit_code, date, category`` and optionally ``gravity, deaths, discipline_level,
description, force_majeure, handled_properly, flags_reason``. A category is its code or its
Vietnamese label ("Cháy, nổ nghiêm trọng", accents and case ignored).

Yearly facts: ``unit_code, year`` then one column per fact of the catalogue (its name, or its
Vietnamese label), any subset. Empty cells leave the stored value as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from antt.core import tabular
from antt.core.tabular import BOOLEANS, RowError, TabularError, cell, key
from antt.core.text import normalize_name
from antt.records.validation import FactError, by_text, category_from_text, coerce_fact
from antt.standards.catalog import registry
from antt.standards.vocab import CRIME_GRAVITY, DISCIPLINE_LEVELS

__all__ = [
    "FACTS_REQUIRED",
    "INCIDENT_COLUMNS",
    "INCIDENT_REQUIRED",
    "FactsRow",
    "IncidentRow",
    "Parsed",
    "parse_facts_file",
    "parse_incidents_file",
]

INCIDENT_REQUIRED = ("unit_code", "date", "category")
INCIDENT_COLUMNS = (
    *INCIDENT_REQUIRED,
    "gravity",
    "deaths",
    "discipline_level",
    "description",
    "force_majeure",
    "handled_properly",
    "flags_reason",
)
FACTS_REQUIRED = ("unit_code", "year")
UNIT_CODE_MAX = 40

INCIDENT_HEADERS = tabular.aliases(
    {
        "unit_code": ("mã đơn vị", "mã", "đơn vị", "code"),
        "date": ("ngày", "ngày xảy ra"),
        "category": ("loại vụ việc", "loại"),
        "gravity": ("mức độ", "mức độ tội phạm"),
        "deaths": ("số người chết",),
        "discipline_level": ("hình thức kỷ luật", "kỷ luật"),
        "description": ("tóm tắt", "mô tả", "nội dung"),
        "force_majeure": ("bất khả kháng",),
        "handled_properly": ("xử lý kịp thời", "đã xử lý kịp thời", "phát hiện kịp thời"),
        "flags_reason": ("căn cứ", "căn cứ xác định", "lý do"),
    }
)
FACTS_HEADERS = tabular.aliases(
    {"unit_code": ("mã đơn vị", "mã", "đơn vị", "code"), "year": ("năm", "năm công nhận")}
)

_GRAVITY = {code: label for code, (_rank, label) in CRIME_GRAVITY.items()}
_LEVELS = {code: label for code, (_rank, label) in DISCIPLINE_LEVELS.items()}

_Row = TypeVar("_Row")
Err = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class IncidentRow:
    row: int
    unit_code: str
    date: dt.date
    category: str
    gravity: str = ""
    deaths: int | None = None
    discipline_level: str = ""
    description: str = ""
    force_majeure: bool = False
    handled_properly: bool = False
    flags_reason: str = ""
    unit_code_was_number: bool = False  # an XLSX number cell: leading zeros are lost


@dataclass(frozen=True, slots=True)
class FactsRow:
    row: int
    unit_code: str
    year: int
    values: dict[str, Any]  # fact name → JSON-ready value (dates as ISO text)
    unit_code_was_number: bool = False


@dataclass
class Parsed(Generic[_Row]):
    filename: str
    rows: list[_Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    file_format: str = ""
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowErrors(list[RowError]):
    """The errors of one row; called as ``err(column, message)``."""

    def __init__(self, row: int) -> None:
        super().__init__()
        self.row = row

    def __call__(self, column: str, message: str) -> None:
        self.append(RowError(self.row, column, message))


def _parse(
    source: bytes | IO[bytes],
    filename: str,
    max_bytes: int | None,
    known: dict[str, str],
    required: tuple[str, ...],
    parse_row: Callable[[int, list[Any], dict[str, int], Err], _Row | None],
    resolve: Callable[[str], str | None] | None = None,
) -> Parsed[_Row]:
    parsed: Parsed[_Row] = Parsed(filename=filename)
    limit = settings.ANTT_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        sheet = tabular.open_sheet(tabular.read_limited(source, limit))
        parsed.file_format, parsed.encoding = sheet.file_format, sheet.encoding
        header = next(sheet.rows, None)
        if header is None:
            raise TabularError(_("Tệp rỗng: không có dòng tiêu đề và dữ liệu."))
        columns = tabular.map_header(
            header[1], known, required, parsed.errors, parsed.warnings, resolve=resolve
        )
        if parsed.errors:
            return parsed
        _parse_rows(sheet.rows, columns, parse_row, parsed)
    except TabularError as exc:
        parsed.errors = [RowError(None, None, str(exc))]
        parsed.rows = []
    return parsed


def _parse_rows(
    rows: Iterator[tuple[int, list[Any]]],
    columns: dict[str, int],
    parse_row: Callable[[int, list[Any], dict[str, int], Err], _Row | None],
    parsed: Parsed[_Row],
) -> None:
    seen = False
    for number, values in rows:
        if tabular.is_blank(values):
            continue
        seen = True
        errors = _RowErrors(number)
        row = parse_row(number, values, columns, errors)
        if errors:
            parsed.errors.extend(errors)
        elif row is not None:
            parsed.rows.append(row)
    if not seen and not parsed.errors:
        parsed.errors.append(RowError(None, None, _("Tệp không có dòng dữ liệu nào.")))


def _first_window() -> tuple[int, dt.date]:
    """The first recognition year any criteria set covers, and the first day of its windows:
    nothing earlier can count towards a verdict."""
    first = min(registry().sets.values(), key=lambda cset: cset.applies_from)
    year = first.applies_from.year
    return year, min(first.window(kind, year).start for kind in first.windows)


def _unit_code(values: list[Any], columns: dict[str, int], err: Err) -> tuple[str, bool]:
    raw = cell(values, columns, "unit_code")
    code = tabular.text(raw)
    if not code:
        err("unit_code", _("thiếu giá trị bắt buộc."))
    elif any(ch.isspace() for ch in code):
        err("unit_code", _("mã không được chứa khoảng trắng: “%(code)s”.") % {"code": code})
    elif len(code) > UNIT_CODE_MAX:
        err("unit_code", _("dài quá %(limit)s ký tự.") % {"limit": UNIT_CODE_MAX})
    return code, isinstance(raw, int | float) and not isinstance(raw, bool)


def _flag(text: dict[str, str], column: str, err: Err) -> bool:
    raw = text.get(column, "")
    if not raw:
        return False
    flag = BOOLEANS.get(key(raw))
    if flag is None:
        err(column, _("giá trị “%(value)s” không hợp lệ: dùng yes/no (có/không).") % {"value": raw})
        return False
    return flag


def _coded(text: dict[str, str], column: str, vocabulary: dict[str, str], err: Err) -> str:
    """A code from its code or its Vietnamese label ("rất nghiêm trọng" → very_serious)."""
    raw = text.get(column, "")
    if not raw:
        return ""
    code = by_text(vocabulary.items(), raw)
    if code is None:
        allowed = "; ".join(f"{code} ({label})" for code, label in vocabulary.items())
        err(
            column,
            _("giá trị “%(value)s” không hợp lệ. Các giá trị được chấp nhận: %(allowed)s.")
            % {"value": raw, "allowed": allowed},
        )
        return ""
    return code


def _incident_row(
    number: int, values: list[Any], columns: dict[str, int], err: Err
) -> IncidentRow | None:
    errors_before: list[str] = []

    def track(column: str, message: str) -> None:
        errors_before.append(column)
        err(column, message)

    text = {name: tabular.text(cell(values, columns, name)) for name in columns}
    code, was_number = _unit_code(values, columns, track)
    day: dt.date | None = None
    if not text["date"]:
        track("date", _("thiếu giá trị bắt buộc."))
    else:
        raw_date = cell(values, columns, "date")
        day = (
            raw_date.date()
            if isinstance(raw_date, dt.datetime)
            else tabular.parse_date(text["date"])
        )
        if day is None:
            track(
                "date",
                _("ngày “%(value)s” không hợp lệ: hãy ghi dạng 2025-03-12 hoặc 12/03/2025.")
                % {"value": text["date"]},
            )
        elif day < (first := _first_window())[1]:
            track(
                "date",
                _(
                    "ngày %(day)s trước kỳ đánh giá đầu tiên (năm %(year)s, từ %(start)s): vụ việc "
                    "này không tính cho kỳ nào."
                )
                % {"day": f"{day:%d/%m/%Y}", "year": first[0], "start": f"{first[1]:%d/%m/%Y}"},
            )
    category = ""
    if not text["category"]:
        track("category", _("thiếu giá trị bắt buộc."))
    else:
        category = category_from_text(text["category"]) or ""
        if not category:
            track(
                "category",
                _(
                    "loại vụ việc “%(value)s” không có trong danh mục. Ghi mã (ví dụ "
                    "serious_fire_explosion) hoặc tên tiếng Việt (ví dụ “Cháy, nổ nghiêm trọng”); "
                    "xem “antt facts_catalog” hoặc tệp mẫu."
                )
                % {"value": text["category"]},
            )
    gravity = _coded(text, "gravity", _GRAVITY, track)
    level = _coded(text, "discipline_level", _LEVELS, track)
    deaths: int | None = None
    if text.get("deaths"):
        if text["deaths"].isdigit():
            deaths = int(text["deaths"])
        else:
            track(
                "deaths",
                _("“%(value)s” không phải số nguyên không âm.") % {"value": text["deaths"]},
            )
    force_majeure = _flag(text, "force_majeure", track)
    handled = _flag(text, "handled_properly", track)
    if errors_before or day is None:
        return None
    return IncidentRow(
        row=number,
        unit_code=code,
        date=day,
        category=category,
        gravity=gravity,
        deaths=deaths,
        discipline_level=level,
        description=normalize_name(text.get("description", "")),
        force_majeure=force_majeure,
        handled_properly=handled,
        flags_reason=normalize_name(text.get("flags_reason", "")),
        unit_code_was_number=was_number,
    )


def parse_incidents_file(
    source: bytes | IO[bytes], filename: str = "", *, max_bytes: int | None = None
) -> Parsed[IncidentRow]:
    """Read an incidents CSV (UTF-8, UTF-8 with BOM, UTF-16, Windows-1258) or XLSX file."""
    return _parse(source, filename, max_bytes, INCIDENT_HEADERS, INCIDENT_REQUIRED, _incident_row)


def _fact_column(label: str) -> str | None:
    wanted = key(label)
    for fact in registry().facts.values():
        if wanted in (key(fact.name), key(fact.label)):
            return fact.name
    return None


def parse_facts_file(
    source: bytes | IO[bytes],
    filename: str = "",
    *,
    today: dt.date,
    max_bytes: int | None = None,
) -> Parsed[FactsRow]:
    """Read a yearly-facts CSV or XLSX file: one row per unit and year."""
    facts = registry().facts
    first_year = _first_window()[0]
    first_row: dict[tuple[str, int], int] = {}

    def parse_row(
        number: int, values: list[Any], columns: dict[str, int], err: Err
    ) -> FactsRow | None:
        failed: list[str] = []

        def track(column: str, message: str) -> None:
            failed.append(column)
            err(column, message)

        code, was_number = _unit_code(values, columns, track)
        raw_year = tabular.text(cell(values, columns, "year"))
        year = 0
        if not raw_year:
            track("year", _("thiếu giá trị bắt buộc."))
        elif not raw_year.isdigit() or len(raw_year) != 4:
            track("year", _("năm “%(value)s” không hợp lệ.") % {"value": raw_year})
        elif int(raw_year) > today.year:
            track("year", _("Năm %(year)s chưa đến.") % {"year": raw_year})
        elif int(raw_year) < first_year:
            track(
                "year",
                _("năm %(year)s trước kỳ đánh giá đầu tiên (năm %(first)s).")
                % {"year": raw_year, "first": first_year},
            )
        else:
            year = int(raw_year)
        out: dict[str, Any] = {}
        for name in columns:
            if name in FACTS_REQUIRED:
                continue
            raw = cell(values, columns, name)
            if not tabular.text(raw):
                continue  # an empty cell keeps what is stored
            value = raw if isinstance(raw, dt.date | bool) else tabular.text(raw)
            try:
                out[name] = coerce_fact(facts[name], value, today=today)
            except FactError as exc:
                track(name, str(exc))
        if code and year:
            previous = first_row.get((code, year))
            if previous is not None:
                track(
                    "unit_code",
                    _("đơn vị “%(code)s” năm %(year)s trùng với dòng %(row)s trong cùng tệp.")
                    % {"code": code, "year": year, "row": previous},
                )
            else:
                first_row[(code, year)] = number
        if failed:
            return None
        return FactsRow(number, code, year, out, was_number)

    return _parse(
        source, filename, max_bytes, FACTS_HEADERS, FACTS_REQUIRED, parse_row, _fact_column
    )
