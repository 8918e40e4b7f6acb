"""Importing incidents and yearly facts from a parsed spreadsheet: check every row against the
database, then write all of it in one transaction, or nothing.

``plan_*`` decide, without writing, what each row would do (create, update, unchanged) or why it
cannot; ``import_*`` write the plan with bulk inserts and one ``*.import`` summary audit event plus
one event per written row pointing at it. The checks are the single-record services' own
(``validation``), so a spreadsheet and a page accept exactly the same things.

What a re-import relies on:

- an incident row identical to an active incident (same unit, date, category, description) is
  left alone, so importing the same file twice records nothing the second time;
- a facts row merges into what is stored; a row that changes nothing is "unchanged".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.accounts.rules import GRANTS, Action
from antt.core import audit
from antt.core.audit import common_path
from antt.core.models import AuditEvent
from antt.core.tabular import RowError
from antt.records import validation
from antt.records.imports import FactsRow, IncidentRow, Parsed
from antt.records.models import Incident, YearFacts
from antt.records.services import check_year, may, merge_facts, version_for_year
from antt.standards.catalog import registry
from antt.units.models import Unit

__all__ = [
    "ImportReport",
    "can_record_somewhere",
    "import_facts",
    "import_incidents",
    "plan_facts_import",
    "plan_incident_import",
]

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
_LOOKUP_CHUNK = 500
_BATCH = 1000

_R = TypeVar("_R")


@dataclass(slots=True)
class Planned(Generic[_R]):
    row: _R
    action: str
    unit: Unit
    data: dict[str, Any] = field(default_factory=dict)  # facts: the merged data to store
    changes: dict[str, list[Any]] = field(default_factory=dict)
    existing: YearFacts | None = None


@dataclass
class ImportReport:
    filename: str = ""
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def can_record_somewhere(actor: Any) -> bool:
    if isinstance(actor, str):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    return bool(actor.is_superuser) or any(
        Action.RECORD_EVIDENCE in GRANTS[grant.role] for grant in actor.grants()
    )


def _units_by_code(codes: Iterable[str]) -> dict[str, list[Unit]]:
    found: dict[str, list[Unit]] = {}
    ordered = sorted(set(codes))
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        for unit in Unit.objects.filter(code__in=chunk).only(
            "pk", "code", "name", "kind", "path", "valid_from", "valid_to"
        ):
            found.setdefault(unit.code, []).append(unit)
    return found


def _resolve(
    actor: Any,
    code: str,
    day: dt.date,
    was_number: bool,
    units: dict[str, list[Unit]],
    row: int,
    errors: list[RowError],
    year: int | None = None,
) -> Unit | None:
    """The unit with ``code`` on ``day`` (for a year's facts: ``version_for_year``) that the
    actor may record for, or an error."""
    versions = units.get(code, ())
    if year is None:
        unit = next((u for u in versions if u.is_valid_on(day)), None)
    else:
        unit = version_for_year(versions, year, day)
    if unit is None or not may(actor, Action.RECORD_EVIDENCE, unit):
        where = "" if unit is None else _(" trong phạm vi bạn quản lý")
        message = _("không tìm thấy đơn vị mã “%(code)s”%(where)s tại ngày %(day)s.") % {
            "code": code,
            "where": where,
            "day": f"{day:%d/%m/%Y}",
        }
        if was_number:
            message += " " + _(
                "Ô này đang ở dạng số nên có thể đã mất các số 0 ở đầu: hãy định dạng cột mã là "
                "Văn bản (Text)."
            )
        errors.append(RowError(row, "unit_code", message))
        return None
    return unit




def _event(
    actor: Any, verb: str, obj: Any, unit: Unit, changes: dict[str, Any], summary: int
) -> AuditEvent:
    user = None if isinstance(actor, str) else actor
    label = getattr(actor, "username", "") or str(actor)
    return AuditEvent(
        actor=user,
        actor_label=label[:150],
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        unit_path=unit.path,
        changes={**changes, "import_event": summary},  # already JSON (audit.diff)
    )


def _finish(report: ImportReport, parsed: Parsed[Any]) -> ImportReport:
    report.errors = sorted([*parsed.errors, *report.errors], key=lambda e: e.row or 0)
    report.warnings = [*parsed.warnings, *report.warnings]
    return report


# --- incidents -----------------------------------------------------------------------------------


def _incident_key(unit_pk: int, row: IncidentRow) -> tuple[int, dt.date, str, str]:
    return (unit_pk, row.date, row.category, row.description)


def plan_incident_import(
    *, actor: Any, rows: Sequence[IncidentRow], today: dt.date | None = None
) -> tuple[list[Planned[IncidentRow]], list[RowError]]:
    """What each row would do (create, or unchanged when already recorded), or why it cannot."""
    today = today or timezone.localdate()
    units = _units_by_code(r.unit_code for r in rows)
    errors: list[RowError] = []
    resolved: list[tuple[IncidentRow, Unit]] = []
    for row in rows:
        row_errors: list[RowError] = []
        unit = _resolve(
            actor, row.unit_code, row.date, row.unit_code_was_number, units, row.row, row_errors
        )
        if unit is not None:
            problems = validation.check_incident(
                kind=unit.kind,
                date=row.date,
                category=row.category,
                gravity=row.gravity,
                deaths=row.deaths,
                discipline_level=row.discipline_level,
                description=row.description,
                force_majeure=row.force_majeure,
                handled_properly=row.handled_properly,
                flags_reason=row.flags_reason,
                today=today,
            )
            for name, message in problems.items():
                column = "unit_code" if name == "unit" else name
                row_errors.append(RowError(row.row, column, message))
        if row_errors or unit is None:
            errors.extend(row_errors)
            continue
        resolved.append((row, unit))

    existing: set[tuple[int, dt.date, str, str]] = set()
    if resolved:
        days = [row.date for row, _unit in resolved]
        unit_pks = sorted({unit.pk for _row, unit in resolved})
        for start in range(0, len(unit_pks), _LOOKUP_CHUNK):
            existing.update(
                Incident.objects.active()
                .filter(
                    unit_id__in=unit_pks[start : start + _LOOKUP_CHUNK],
                    date__range=(min(days), max(days)),
                )
                .values_list("unit_id", "date", "category", "description")
            )
    first_row: dict[tuple[int, dt.date, str, str], int] = {}
    planned: list[Planned[IncidentRow]] = []
    for row, unit in resolved:
        key = _incident_key(unit.pk, row)
        if key in first_row:
            errors.append(
                RowError(
                    row.row,
                    "description",
                    _(
                        "trùng với dòng %(row)s (cùng đơn vị, ngày, loại vụ việc và tóm tắt). Nếu "
                        "là hai vụ khác nhau, hãy ghi tóm tắt để phân biệt."
                    )
                    % {"row": first_row[key]},
                )
            )
            continue
        first_row[key] = row.row
        planned.append(Planned(row, UNCHANGED if key in existing else CREATE, unit))
    return planned, errors


def import_incidents(
    *,
    actor: Any,
    parsed: Parsed[IncidentRow],
    dry_run: bool,
    today: dt.date | None = None,
) -> ImportReport:
    """Plan every row; unless ``dry_run`` or any error anywhere, write the new ones at once."""
    if not can_record_somewhere(actor):
        raise PermissionDenied(_("Bạn không có quyền ghi sổ theo dõi."))
    planned, errors = plan_incident_import(actor=actor, rows=parsed.rows, today=today)
    report = ImportReport(filename=parsed.filename, dry_run=dry_run, errors=errors)
    new = [p for p in planned if p.action == CREATE]
    report.created, report.unchanged = len(new), len(planned) - len(new)
    if errors or parsed.errors or dry_run or not new:
        return _finish(report, parsed)
    user = None if isinstance(actor, str) else actor
    with transaction.atomic():
        summary = audit.record(
            actor=actor,
            verb="incidents.import",
            unit_path=common_path(p.unit.path for p in new),
            object_repr=parsed.filename,
            changes={
                "file": parsed.filename,
                "created": report.created,
                "unchanged": report.unchanged,
            },
        )
        objs = [
            Incident(
                unit=p.unit,
                date=p.row.date,
                category=p.row.category,
                gravity=p.row.gravity,
                deaths=p.row.deaths,
                discipline_level=p.row.discipline_level,
                description=p.row.description,
                force_majeure=p.row.force_majeure,
                handled_properly=p.row.handled_properly,
                flags_reason=p.row.flags_reason,
                flags_set_by=(
                    user
                    if (p.row.force_majeure or p.row.handled_properly or p.row.flags_reason)
                    else None
                ),
                recorded_by=user,
            )
            for p in new
        ]
        Incident.objects.bulk_create(objs, batch_size=_BATCH)
        audit.record_many(
            [
                _event(
                    actor,
                    "incident.record",
                    obj,
                    p.unit,
                    {**audit.diff({}, _incident_state(p.row)), "row": p.row.row},
                    summary.pk,
                )
                for p, obj in zip(new, objs, strict=True)
            ]
        )
    report.written = True
    return _finish(report, parsed)


def _incident_state(row: IncidentRow) -> dict[str, Any]:
    return {
        "date": row.date,
        "category": row.category,
        "gravity": row.gravity,
        "deaths": row.deaths,
        "discipline_level": row.discipline_level,
        "description": row.description,
        "force_majeure": row.force_majeure,
        "handled_properly": row.handled_properly,
        "flags_reason": row.flags_reason,
    }


# --- yearly facts --------------------------------------------------------------------------------


def plan_facts_import(
    *, actor: Any, rows: Sequence[FactsRow], today: dt.date | None = None
) -> tuple[list[Planned[FactsRow]], list[RowError]]:
    today = today or timezone.localdate()
    facts = registry().facts
    units = _units_by_code(r.unit_code for r in rows)
    errors: list[RowError] = []
    resolved: list[tuple[FactsRow, Unit]] = []
    for row in rows:
        day = dt.date(row.year, 7, 1)
        unit = _resolve(
            actor, row.unit_code, day, row.unit_code_was_number, units, row.row, errors, row.year
        )
        if unit is None:
            continue
        if unit.kind not in validation.ELIGIBLE_KINDS:
            errors.append(
                RowError(
                    row.row,
                    "unit_code",
                    _("đơn vị “%(code)s” không thuộc đối tượng ghi số liệu.")
                    % {"code": row.unit_code},
                )
            )
            continue
        if problem := check_year(unit, row.year, today):
            errors.append(RowError(row.row, "year", problem))
            continue
        resolved.append((row, unit))

    stored: dict[tuple[int, int], YearFacts] = {}
    unit_pks = sorted({unit.pk for _row, unit in resolved})
    years = sorted({row.year for row, _unit in resolved})
    for start in range(0, len(unit_pks), _LOOKUP_CHUNK):
        for yf in YearFacts.objects.filter(
            unit_id__in=unit_pks[start : start + _LOOKUP_CHUNK], year__in=years
        ):
            stored[(yf.unit_id, yf.year)] = yf
    planned: list[Planned[FactsRow]] = []
    for row, unit in resolved:
        existing = stored.get((unit.pk, row.year))
        before = dict(existing.data) if existing is not None else {}
        after = merge_facts(before, row.values)
        totals = validation.check_facts_totals(after, facts)
        if totals:
            errors.extend(RowError(row.row, name, message) for name, message in totals.items())
            continue
        changes = audit.diff(before, after)
        action = UNCHANGED if not changes else (UPDATE if existing is not None else CREATE)
        planned.append(Planned(row, action, unit, after, changes, existing))
    return planned, errors


def import_facts(
    *,
    actor: Any,
    parsed: Parsed[FactsRow],
    dry_run: bool,
    today: dt.date | None = None,
) -> ImportReport:
    if not can_record_somewhere(actor):
        raise PermissionDenied(_("Bạn không có quyền ghi sổ theo dõi."))
    planned, errors = plan_facts_import(actor=actor, rows=parsed.rows, today=today)
    report = ImportReport(filename=parsed.filename, dry_run=dry_run, errors=errors)
    for p in planned:
        if p.action == CREATE:
            report.created += 1
        elif p.action == UPDATE:
            report.updated += 1
        else:
            report.unchanged += 1
    written = [p for p in planned if p.action != UNCHANGED]
    if errors or parsed.errors or dry_run or not written:
        return _finish(report, parsed)
    user = None if isinstance(actor, str) else actor
    now = timezone.now()
    with transaction.atomic():
        summary = audit.record(
            actor=actor,
            verb="facts.import",
            unit_path=common_path(p.unit.path for p in written),
            object_repr=parsed.filename,
            changes={
                "file": parsed.filename,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
        new = [
            YearFacts(unit=p.unit, year=p.row.year, data=p.data, updated_by=user)
            for p in written
            if p.existing is None
        ]
        YearFacts.objects.bulk_create(new, batch_size=_BATCH)
        changed = []
        for p in written:
            if p.existing is not None:
                p.existing.data, p.existing.updated_by, p.existing.updated_at = p.data, user, now
                changed.append(p.existing)
        # Rows read in the plan: a concurrent edit in between is overwritten, as a page save is.
        YearFacts.objects.bulk_update(
            changed, ["data", "updated_by", "updated_at"], batch_size=_BATCH
        )
        by_key = {(yf.unit_id, yf.year): yf for yf in [*new, *changed]}
        audit.record_many(
            [
                _event(
                    actor,
                    "facts.set",
                    by_key[(p.unit.pk, p.row.year)],
                    p.unit,
                    {"year": p.row.year, **p.changes, "row": p.row.row},
                    summary.pk,
                )
                for p in written
            ]
        )
    report.written = True
    return _finish(report, parsed)
