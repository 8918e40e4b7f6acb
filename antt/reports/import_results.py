"""Importing historical results (paper records from before the system) from a CSV or XLSX file:
check every row, then write all of it in one transaction, or nothing.

Columns (header in English or Vietnamese, accents and case ignored):

- ``year`` (năm) — the recognition year, 2012 (TT 23/2012 in force) to this year;
- ``unit_code`` (mã đơn vị) — resolved to the unit that code names inside that year's evaluation
  window (the window's last day for the unit's kind: 31/10 for a residential area, 15/11
  otherwise, 31/5 for a school under TT 23): codes are reused across the 2025 reform;
- ``result`` (kết quả) — ``met`` / ``đạt`` or ``not_met`` / ``chưa đạt`` / ``không đạt``;
- optional ``registered`` (đăng ký) — yes/no (có/không), default yes. **``no`` records nothing**:
  a unit that did not register has no registration row, which is exactly how the statistics
  count it (eligible, not registered). Its ``result`` cell must then be empty. A row saying
  ``no`` where a registration exists for that unit and year is an error (nothing is deleted);
- optional ``decision_number`` (số quyết định) and ``decision_date`` (ngày quyết định). The date
  is stored as the registration's ``decided_on``; the number is kept in the audit event of the
  row (the registration has no field for it, and paper numbers are not unique enough to create
  ``Decision`` rows, whose numbers are unique per issuing body).

Each row creates a ``Registration`` with ``imported=True``, state ``decided_met`` or
``decided_not_met``, the result, the criteria set of that year (TT 23 up to 2021) and the same
geography as a registration made through the cycle (``province``, ``district``, ``commune`` and,
through the old → new mapping, ``current_province`` / ``current_commune``). Re-importing a file
updates the imported rows and never duplicates them; a registration of the live cycle for that
unit and year is an error for that row — the import never overwrites the cycle.

Errors name the row (as the spreadsheet shows it, header = row 1) and the column, in Vietnamese.
With any error nothing is written; ``dry_run`` checks and reports without writing.

Who may import: a named system actor (the CLI without ``--actor``), a superuser, or a user
allowed to manage units (``manage_units``) over the unit itself or over the place it belongs to
today (so a province officer imports the history of the old units that now form the province).
Under TT 124 (2022 on) the unit must be eligible (Art. 1.2); TT 23 had no such exclusions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.accounts.rules import GRANTS, Action
from antt.core import audit, tabular
from antt.core.audit import common_path
from antt.core.models import AuditEvent
from antt.core.tabular import BOOLEANS, RowError, TabularError, cell, key
from antt.recognition.models import AuthorityRule, Registration, Result
from antt.recognition.services import authority_for
from antt.recognition.workflow import STATE_LABELS, State
from antt.standards.catalog import registry
from antt.units.geography import CurrentPlace
from antt.units.models import Unit

__all__ = [
    "COLUMNS",
    "FIRST_YEAR",
    "REQUIRED",
    "ImportReport",
    "ResultRow",
    "import_results",
    "parse_results_file",
    "plan_results_import",
]

FIRST_YEAR = 2012  # TT 23/2012 applies from 11/06/2012
REQUIRED = ("year", "unit_code", "result")
COLUMNS = (*REQUIRED, "registered", "decision_number", "decision_date")
UNIT_CODE_MAX = 40
DECISION_NUMBER_MAX = 64
ELIGIBLE_KINDS = ("residential_area", "commune", "agency", "enterprise", "school")

HEADERS = tabular.aliases(
    {
        "year": ("năm", "năm công nhận"),
        "unit_code": ("mã đơn vị", "mã", "đơn vị", "code"),
        "result": ("kết quả", "kết quả công nhận"),
        "registered": ("đăng ký", "có đăng ký", "đã đăng ký"),
        "decision_number": ("số quyết định", "quyết định số", "số qđ", "quyết định"),
        "decision_date": ("ngày quyết định", "ngày ký quyết định", "ngày ký"),
    }
)
RESULTS = {
    **dict.fromkeys((key("met"), key("đạt")), Result.MET.value),
    **dict.fromkeys(
        (key("not_met"), key("chưa đạt"), key("không đạt"), key("khong dat")),
        Result.NOT_MET.value,
    ),
}
STATES = {Result.MET.value: State.DECIDED_MET, Result.NOT_MET.value: State.DECIDED_NOT_MET}

CREATE, UPDATE, UNCHANGED, NOT_REGISTERED = "create", "update", "unchanged", "not_registered"
COUNTERS = {
    CREATE: "created",
    UPDATE: "updated",
    UNCHANGED: "unchanged",
    NOT_REGISTERED: "not_registered",
}
_LOOKUP_CHUNK = 500
_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ResultRow:
    row: int
    year: int
    unit_code: str
    registered: bool
    result: str  # met / not_met; "" when not registered
    decision_number: str = ""
    decision_date: dt.date | None = None
    unit_code_was_number: bool = False


@dataclass
class Parsed:
    filename: str
    rows: list[ResultRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Planned:
    row: ResultRow
    action: str
    unit: Unit
    existing: Registration | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class ImportReport:
    filename: str = ""
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_registered: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowErrors(list[RowError]):
    def __init__(self, row: int) -> None:
        super().__init__()
        self.row = row

    def __call__(self, column: str, message: str) -> None:
        self.append(RowError(self.row, column, message))


# --- reading the file ----------------------------------------------------------------------------


def parse_results_file(
    source: bytes | IO[bytes],
    filename: str = "",
    *,
    today: dt.date | None = None,
    max_bytes: int | None = None,
) -> Parsed:
    """Read a results CSV (UTF-8 with or without BOM, UTF-16, Windows-1258) or XLSX file."""
    today = today or timezone.localdate()
    parsed = Parsed(filename=filename)
    limit = settings.ANTT_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        sheet = tabular.open_sheet(tabular.read_limited(source, limit))
        header = next(sheet.rows, None)
        if header is None:
            raise TabularError(_("Tệp rỗng: không có dòng tiêu đề và dữ liệu."))
        columns = tabular.map_header(header[1], HEADERS, REQUIRED, parsed.errors, parsed.warnings)
        if parsed.errors:
            return parsed
        _parse_rows(sheet.rows, columns, parsed, today)
    except TabularError as exc:
        parsed.errors = [RowError(None, None, str(exc))]
        parsed.rows = []
    return parsed


def _parse_rows(
    rows: Iterator[tuple[int, list[Any]]], columns: dict[str, int], parsed: Parsed, today: dt.date
) -> None:
    first_row: dict[tuple[str, int], int] = {}
    seen = False
    for number, values in rows:
        if tabular.is_blank(values):
            continue
        seen = True
        err = _RowErrors(number)
        result = _row(number, values, columns, err, today)
        if result is not None:
            previous = first_row.get((result.unit_code, result.year))
            if previous is not None:
                err(
                    "unit_code",
                    _("đơn vị “%(code)s” năm %(year)s trùng với dòng %(row)s trong cùng tệp.")
                    % {"code": result.unit_code, "year": result.year, "row": previous},
                )
            else:
                first_row[(result.unit_code, result.year)] = number
        if err:
            parsed.errors.extend(err)
        elif result is not None:
            parsed.rows.append(result)
    if not seen and not parsed.errors:
        parsed.errors.append(RowError(None, None, _("Tệp không có dòng dữ liệu nào.")))


def _row(
    number: int, values: list[Any], columns: dict[str, int], err: _RowErrors, today: dt.date
) -> ResultRow | None:
    text = {name: tabular.text(cell(values, columns, name)) for name in columns}
    before = len(err)

    raw_code = cell(values, columns, "unit_code")
    code = text["unit_code"]
    if not code:
        err("unit_code", _("thiếu giá trị bắt buộc."))
    elif any(ch.isspace() for ch in code):
        err("unit_code", _("mã không được chứa khoảng trắng: “%(code)s”.") % {"code": code})
    elif len(code) > UNIT_CODE_MAX:
        err("unit_code", _("dài quá %(limit)s ký tự.") % {"limit": UNIT_CODE_MAX})

    year = 0
    raw_year = text["year"]
    if not raw_year:
        err("year", _("thiếu giá trị bắt buộc."))
    elif not raw_year.isdigit():
        err(
            "year",
            _("năm “%(value)s” không hợp lệ: ghi bốn chữ số, ví dụ 2021.") % {"value": raw_year},
        )
    elif not FIRST_YEAR <= int(raw_year) <= today.year:
        err(
            "year",
            _(
                "năm %(year)s nằm ngoài khoảng %(first)s–%(last)s (Thông tư 23/2012/TT-BCA "
                "áp dụng từ năm 2012; không nhập kết quả của năm chưa đến)."
            )
            % {"year": raw_year, "first": FIRST_YEAR, "last": today.year},
        )
    else:
        year = int(raw_year)

    registered = True
    if text.get("registered"):
        flag = BOOLEANS.get(key(text["registered"]))
        if flag is None:
            err(
                "registered",
                _("giá trị “%(value)s” không hợp lệ: dùng yes/no (có/không).")
                % {"value": text["registered"]},
            )
        else:
            registered = flag

    result = ""
    raw_result = text["result"]
    if registered:
        if not raw_result:
            err("result", _("thiếu giá trị bắt buộc."))
        else:
            result = RESULTS.get(key(raw_result), "")
            if not result:
                err(
                    "result",
                    _(
                        "kết quả “%(value)s” không hợp lệ: ghi “đạt” (met) hoặc “chưa đạt”, "
                        "“không đạt” (not_met)."
                    )
                    % {"value": raw_result},
                )
    elif raw_result:
        err(
            "result",
            _("dòng ghi đơn vị không đăng ký (registered = no) thì để trống kết quả."),
        )

    number_text = " ".join(text.get("decision_number", "").split())
    if len(number_text) > DECISION_NUMBER_MAX:
        err("decision_number", _("dài quá %(limit)s ký tự.") % {"limit": DECISION_NUMBER_MAX})

    decided: dt.date | None = None
    if text.get("decision_date"):
        raw_date = cell(values, columns, "decision_date")
        decided = (
            raw_date.date()
            if isinstance(raw_date, dt.datetime)
            else raw_date
            if isinstance(raw_date, dt.date)
            else tabular.parse_date(text["decision_date"])
        )
        if decided is None:
            err(
                "decision_date",
                _("ngày “%(value)s” không hợp lệ: hãy ghi dạng 2021-11-20 hoặc 20/11/2021.")
                % {"value": text["decision_date"]},
            )
        elif decided > today:
            err("decision_date", _("ngày %(day)s chưa đến.") % {"day": f"{decided:%d/%m/%Y}"})
        elif year and not dt.date(year, 1, 1) <= decided <= dt.date(year + 1, 12, 31):
            err(
                "decision_date",
                _("ngày %(day)s không thuộc năm %(year)s hoặc năm %(next)s.")
                % {"day": f"{decided:%d/%m/%Y}", "year": year, "next": year + 1},
            )
    if (number_text or decided) and not registered:
        err(
            "decision_number" if number_text else "decision_date",
            _("đơn vị không đăng ký (registered = no) thì không có quyết định công nhận."),
        )

    if len(err) > before:
        return None
    return ResultRow(
        row=number,
        year=year,
        unit_code=code,
        registered=registered,
        result=result,
        decision_number=number_text,
        decision_date=decided,
        unit_code_was_number=isinstance(raw_code, int | float) and not isinstance(raw_code, bool),
    )


# --- checking against the database ---------------------------------------------------------------


def can_import(actor: Any) -> bool:
    if isinstance(actor, str):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    return bool(actor.is_superuser) or any(
        Action.MANAGE_UNITS in GRANTS[g.role] for g in actor.grants()
    )


def _window_end(kind: str, year: int) -> dt.date:
    """A day inside ``year``'s evaluation window for ``kind`` (its last day)."""
    try:
        return registry().for_year(kind, year).window(kind, year).end
    except (LookupError, KeyError):
        return dt.date(year, 10, 31)


def _units_by_code(codes: Iterable[str]) -> dict[str, list[Unit]]:
    found: dict[str, list[Unit]] = {}
    ordered = sorted(set(codes))
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        for unit in Unit.objects.filter(code__in=ordered[start : start + _LOOKUP_CHUNK]):
            found.setdefault(unit.code, []).append(unit)
    return found


def _chains(units: Iterable[Unit]) -> dict[int, list[Unit]]:
    """Each unit's ancestors from its province down to itself, a few queries for all of them."""
    units = list(units)
    ids = sorted({int(p) for u in units for p in u.path.strip("/").split("/")})
    found: dict[int, Unit] = {}
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        found.update(
            (u.pk, u) for u in Unit.objects.filter(pk__in=ids[start : start + _LOOKUP_CHUNK])
        )
    return {
        u.pk: [found[int(p)] for p in u.path.strip("/").split("/") if int(p) in found]
        for u in units
    }


def _may(actor: Any, unit: Unit, places: CurrentPlace, chains: dict[int, list[Unit]]) -> bool:
    if isinstance(actor, str) or actor.is_superuser:
        return True
    if actor.can(Action.MANAGE_UNITS, unit.path):
        return True
    province, commune = places.of(chains[unit.pk])
    return any(
        place is not None and actor.can(Action.MANAGE_UNITS, place.path)
        for place in (commune, province)
    )


def _resolve(row: ResultRow, units: dict[str, list[Unit]], err: _RowErrors) -> Unit | None:
    versions = units.get(row.unit_code, [])
    unit = next((u for u in versions if u.is_valid_on(_window_end(u.kind, row.year))), None)
    if unit is None:
        during = [
            u
            for u in versions
            if (u.valid_from is None or u.valid_from <= dt.date(row.year, 12, 31))
            and (u.valid_to is None or u.valid_to >= dt.date(row.year, 1, 1))
        ]
        where = {"code": row.unit_code, "year": row.year}
        message = (
            _(
                "không tìm thấy đơn vị mã “%(code)s” có hiệu lực trong năm %(year)s (trong kỳ "
                "đánh giá của năm đó)."
            )
            if during
            else _("không tìm thấy đơn vị mã “%(code)s” có hiệu lực trong năm %(year)s.")
        ) % where
        if row.unit_code_was_number:
            message += " " + _(
                "Ô này đang ở dạng số nên có thể đã mất các số 0 ở đầu: hãy định dạng cột mã là "
                "Văn bản (Text)."
            )
        err("unit_code", message)
        return None
    if unit.kind not in ELIGIBLE_KINDS:
        err(
            "unit_code",
            _("“%(name)s” (mã %(code)s) là %(kind)s, không thuộc đối tượng xét công nhận.")
            % {"name": unit.name, "code": unit.code, "kind": unit.get_kind_display().lower()},
        )
        return None
    cset = registry().for_year(unit.kind, row.year)
    if cset.code != "tt23-2012" and not unit.eligibility.eligible:
        err(
            "unit_code",
            _("“%(name)s” không thuộc đối tượng xét công nhận năm %(year)s (%(basis)s): %(reason)s")
            % {
                "name": unit.name,
                "year": row.year,
                "basis": cset.short_title,
                "reason": unit.eligibility.reason,
            },
        )
        return None
    return unit


def plan_results_import(
    *, actor: Any, rows: Sequence[ResultRow]
) -> tuple[list[Planned], list[RowError]]:
    """What each row would do (create, update, unchanged, not registered) or why it cannot.
    Reads the database, writes nothing."""
    units = _units_by_code(r.unit_code for r in rows)
    errors: list[RowError] = []
    resolved: list[tuple[ResultRow, Unit]] = []
    for row in rows:
        err = _RowErrors(row.row)
        unit = _resolve(row, units, err)
        if unit is None:
            errors.extend(err)
        else:
            resolved.append((row, unit))

    chains = _chains(unit for _row, unit in resolved) if not isinstance(actor, str) else {}
    places = CurrentPlace()
    existing: dict[tuple[int, int], Registration] = {}
    unit_pks = sorted({unit.pk for _row, unit in resolved})
    years = sorted({row.year for row, _unit in resolved})
    for start in range(0, len(unit_pks), _LOOKUP_CHUNK):
        for reg in Registration.objects.filter(
            unit_id__in=unit_pks[start : start + _LOOKUP_CHUNK], year__in=years
        ):
            existing[(reg.unit_id, reg.year)] = reg

    planned: list[Planned] = []
    first_row: dict[tuple[int, int], int] = {}
    for row, unit in resolved:
        err = _RowErrors(row.row)
        if not isinstance(actor, str) and not _may(actor, unit, places, chains):
            err(
                "unit_code",
                _("đơn vị mã “%(code)s” không thuộc phạm vi bạn được quản lý.")
                % {"code": row.unit_code},
            )
        previous = first_row.get((unit.pk, row.year))
        if previous is not None:
            err(
                "unit_code",
                _("dòng %(row)s đã ghi kết quả năm %(year)s cho cùng đơn vị “%(name)s”.")
                % {"row": previous, "year": row.year, "name": unit.name},
            )
        found = existing.get((unit.pk, row.year))
        if found is not None and not found.imported:
            state = STATE_LABELS.get(State(found.state), found.state)
            err(
                "unit_code",
                _(
                    "“%(name)s” đã đăng ký năm %(year)s trong hệ thống (trạng thái “%(state)s”): "
                    "không ghi đè kết quả của quy trình bằng hồ sơ giấy."
                )
                % {"name": unit.name, "year": row.year, "state": state},
            )
        elif found is not None and not row.registered:
            err(
                "registered",
                _(
                    "“%(name)s” đã có kết quả nhập năm %(year)s; nhập “không đăng ký” không xoá "
                    "kết quả đó — hãy sửa hoặc xoá kết quả trong trang quản trị."
                )
                % {"name": unit.name, "year": row.year},
            )
        if err:
            errors.extend(err)
            continue
        first_row[(unit.pk, row.year)] = row.row
        if not row.registered:
            planned.append(Planned(row, NOT_REGISTERED, unit))
        elif found is None:
            planned.append(Planned(row, CREATE, unit, changes=_changes(None, row)))
        else:
            changes = _changes(found, row)
            planned.append(Planned(row, UPDATE if changes else UNCHANGED, unit, found, changes))
    return planned, errors


def _changes(reg: Registration | None, row: ResultRow) -> dict[str, list[Any]]:
    before = (
        {"result": reg.result, "state": reg.state, "decided_on": reg.decided_on}
        if reg is not None
        else {}
    )
    after = {
        "result": row.result,
        "state": STATES[row.result].value,
        "decided_on": row.decision_date or (reg.decided_on if reg is not None else None),
    }
    return audit.diff(before, after)


# --- writing -------------------------------------------------------------------------------------


def import_results(
    *,
    actor: Any,
    parsed: Parsed,
    dry_run: bool,
) -> ImportReport:
    """Plan every row; unless ``dry_run`` or any error anywhere, write them all at once."""
    if not can_import(actor):
        raise PermissionDenied(_("Bạn không có quyền nhập kết quả công nhận từ hồ sơ giấy."))
    planned, errors = plan_results_import(actor=actor, rows=parsed.rows)
    report = ImportReport(
        filename=parsed.filename,
        dry_run=dry_run,
        errors=sorted([*parsed.errors, *errors], key=lambda e: e.row or 0),
        warnings=list(parsed.warnings),
        planned=planned,
    )
    for p in planned:
        counter = COUNTERS[p.action]
        setattr(report, counter, getattr(report, counter) + 1)
    written = [p for p in planned if p.action in (CREATE, UPDATE)]
    if report.errors or dry_run or not written:
        return report
    with transaction.atomic():
        _write(actor, report, written)
    report.written = True
    return report


def _write(actor: Any, report: ImportReport, written: list[Planned]) -> None:
    user = None if isinstance(actor, str) else actor
    label = (getattr(actor, "username", "") or str(actor))[:150]
    summary = audit.record(
        actor=actor,
        verb="results.import",
        unit_path=common_path(p.unit.path for p in written),
        object_repr=report.filename,
        changes={
            "file": report.filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "not_registered": report.not_registered,
        },
    )
    new = [p for p in written if p.action == CREATE]
    chains = _chains(p.unit for p in new)
    places = CurrentPlace()
    authorities: dict[tuple[str, str, int], AuthorityRule | None] = {}
    regs: list[Registration] = []
    for p in new:
        chain = chains[p.unit.pk]
        current_province, current_commune = places.of(chain)
        level = p.unit.managing_level if p.unit.kind in ("agency", "enterprise", "school") else ""
        rule_key = (p.unit.kind, level, p.row.year)
        if rule_key not in authorities:
            authorities[rule_key] = authority_for(p.unit, p.row.year)
        regs.append(
            Registration(
                unit=p.unit,
                year=p.row.year,
                state=STATES[p.row.result],
                result=p.row.result,
                criteria_set=registry().for_year(p.unit.kind, p.row.year).code,
                unit_kind=p.unit.kind,
                province=chain[0],
                commune=next((u for u in reversed(chain) if u.kind == "commune"), None),
                district=next((u for u in chain if u.kind == "district"), None),
                current_province=current_province,
                current_commune=current_commune,
                authority=authorities[rule_key],
                decided_on=p.row.decision_date,
                imported=True,
                created_by=user,
            )
        )
    Registration.objects.bulk_create(regs, batch_size=_BATCH)
    now = timezone.now()
    changed = []
    for p in written:
        if p.action != UPDATE or p.existing is None:
            continue
        reg = p.existing
        reg.result = p.row.result
        reg.state = STATES[p.row.result]
        if p.row.decision_date is not None:
            reg.decided_on = p.row.decision_date
        reg.version += 1
        reg.updated_at = now
        changed.append(reg)
    Registration.objects.bulk_update(
        changed, ["result", "state", "decided_on", "version", "updated_at"], batch_size=_BATCH
    )
    by_key = {(r.unit_id, r.year): r for r in [*regs, *changed]}
    audit.record_many(
        [
            AuditEvent(
                actor=user,
                actor_label=label,
                verb="registration.import" if p.action == CREATE else "registration.reimport",
                object_type="recognition.registration",
                object_id=str(by_key[(p.unit.pk, p.row.year)].pk),
                object_repr=f"{p.unit} — {p.row.year}"[:255],
                unit_path=p.unit.path,
                changes={
                    **p.changes,
                    "year": p.row.year,
                    "decision_number": p.row.decision_number,
                    "row": p.row.row,
                    "import_event": summary.pk,
                },
            )
            for p in written
        ]
    )


