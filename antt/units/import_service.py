"""Importing units from a parsed spreadsheet: validate every row against the tree, then write all
of it in one transaction, or nothing.

``plan_import`` decides, row by row and without writing, what would happen (create, update,
unchanged) or why it cannot. ``import_units`` runs the plan through ``services.create_unit`` /
``update_unit`` (which re-check the tree, the code overlap and the actor's permission) with their
own audit events turned off, and writes instead one ``units.import`` summary event plus one
``unit.create`` / ``unit.update`` event per unit in bulk, each pointing at the summary.

Rules a re-import relies on:

- a row matches the unit with the same code valid on the row's ``valid_from`` (today when empty);
- a match must have the same kind and the same parent: the import never moves or re-kinds units;
- only filled cells are compared and written, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antt.accounts.rules import GRANTS, Action
from antt.core import audit, bulk, faults
from antt.core.audit import common_path
from antt.core.models import AuditEvent
from antt.units.imports import ParsedImport, RowError, UnitRow
from antt.units.models import ALLOWED_PARENT_KINDS, Unit, UnitKind, UnitSource
from antt.units.services import NewUnit, NewUnits, update_unit

__all__ = [
    "ImportReport",
    "PlannedRow",
    "can_import",
    "import_parsed",
    "import_units",
    "plan_import",
]

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {
    CREATE: gettext_lazy("Tạo mới"),
    UPDATE: gettext_lazy("Cập nhật"),
    UNCHANGED: gettext_lazy("Giữ nguyên"),
}
_LOOKUP_CHUNK = 500
_UNIT_TYPE = Unit._meta.label_lower
_WRITE_BATCH = 5000  # rows per COPY / executemany: bounded memory, few round trips


@dataclass(slots=True)
class PlannedRow:
    row: UnitRow
    action: str  # CREATE, UPDATE or UNCHANGED
    unit: Unit | None = None  # the existing unit matched by code (update, unchanged)
    parent: Unit | None = None  # a parent already in the database; None: root or from this file
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field: (old, new)
    anchor: str = "/"  # deepest existing unit the row writes under (for the summary's scope)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])

    @property
    def kind_label(self) -> str:
        return str(UnitKind(self.row.kind).label)


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
    planned: list[PlannedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(slots=True)
class _Target:
    """A unit as it will be once the earlier rows are written: existing, or to be created."""

    kind: str
    unit: Unit | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    anchor: str  # its path if it exists, else the path of its nearest existing ancestor

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @classmethod
    def of(cls, unit: Unit) -> _Target:
        return cls(unit.kind, unit, unit.valid_from, unit.valid_to, unit.path)


class _RowErrors(list[RowError]):
    """The errors of one row; called as ``err(column, message)``."""

    def __init__(self, row: int) -> None:
        super().__init__()
        self.row = row

    def __call__(self, column: str, message: str) -> None:
        self.append(RowError(self.row, column, message))


class _WriteFailed(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def can_import(actor: Any) -> bool:
    """System actors may; a user may when some role lets them manage units somewhere."""
    if isinstance(actor, str):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    return any(Action.MANAGE_UNITS in GRANTS[grant.role] for grant in actor.grants())


def _may_manage(actor: Any, path: str) -> bool:
    return (
        isinstance(actor, str) or bool(actor.is_superuser) or actor.can(Action.MANAGE_UNITS, path)
    )


def _overlaps(
    a_from: dt.date | None, a_to: dt.date | None, b_from: dt.date | None, b_to: dt.date | None
) -> bool:
    return (a_to is None or b_from is None or b_from <= a_to) and (
        a_from is None or b_to is None or a_from <= b_to
    )


def _day(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _units_by_code(codes: Iterable[str]) -> dict[str, list[Unit]]:
    found: dict[str, list[Unit]] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        for unit in Unit.objects.filter(code__in=chunk).select_related("parent"):
            found.setdefault(unit.code, []).append(unit)
    return found


def plan_import(
    *,
    actor: Any,
    rows: Sequence[UnitRow],
    today: dt.date | None = None,
    rejected_codes: Iterable[str] = (),
) -> tuple[list[PlannedRow], list[RowError]]:
    """What each row would do, or why it cannot. Reads the database, writes nothing.

    ``rejected_codes`` are codes of rows the parser already refused: their children are left
    out silently instead of being reported a second time as "parent not found".
    """
    today = today or timezone.localdate()
    in_db = _units_by_code({r.code for r in rows} | {r.parent_code for r in rows if r.parent_code})
    row_of_code = {r.code: r.row for r in rows}
    targets: dict[str, _Target] = {}  # earlier rows of this file that passed
    rejected = set(rejected_codes)
    planned: list[PlannedRow] = []
    errors: list[RowError] = []

    for row in rows:
        day = row.valid_from or today
        err = _RowErrors(row.row)
        # 1. The parent, as it stands on ``day``: an earlier row of this file, else the database.
        parent: _Target | None = None
        if row.parent_code:
            if row.parent_code in rejected:
                rejected.add(row.code)
                continue
            parent = targets.get(row.parent_code)
            if parent is None or not parent.covers(day):
                db_parent = next(
                    (u for u in in_db.get(row.parent_code, ()) if u.is_valid_on(day)), None
                )
                parent = _Target.of(db_parent) if db_parent is not None else None
            if parent is None:
                err("parent_code", _parent_missing(row, day, row_of_code))
        if not err:
            _check_kind(row, parent, err)
        # 2. What the row is: the existing unit with this code on ``day``, or a new one.
        plan: PlannedRow | None = None
        if not err:
            match = next((u for u in in_db.get(row.code, ()) if u.is_valid_on(day)), None)
            if match is not None:
                plan = _plan_update(actor, row, match, parent, in_db, err)
            else:
                plan = _plan_create(actor, row, parent, in_db, day, err)
        if err or plan is None:
            errors.extend(err)
            rejected.add(row.code)
            continue
        planned.append(plan)
        if plan.unit is not None:
            targets[row.code] = _Target(
                row.kind,
                plan.unit,
                plan.changes.get("valid_from", (None, plan.unit.valid_from))[1],
                plan.changes.get("valid_to", (None, plan.unit.valid_to))[1],
                plan.unit.path,
            )
        else:
            targets[row.code] = _Target(row.kind, None, row.valid_from, row.valid_to, plan.anchor)
    return planned, errors


def _parent_missing(row: UnitRow, day: dt.date, row_of_code: dict[str, int]) -> str:
    later = row_of_code.get(row.parent_code)
    if later is not None and later > row.row:
        return _(
            "đơn vị cấp trên mã “%(code)s” ở dòng %(later)s: hãy đặt dòng đó lên trước dòng này."
        ) % {"code": row.parent_code, "later": later}
    message = _("không tìm thấy đơn vị cấp trên mã “%(code)s” tại ngày %(day)s.") % {
        "code": row.parent_code,
        "day": _day(day),
    }
    if row.parent_code_was_number:
        message += " " + _(
            "Ô này đang ở dạng số nên có thể đã mất các số 0 ở đầu: hãy định dạng cột mã là "
            "Văn bản (Text)."
        )
    return message


def _check_kind(row: UnitRow, parent: _Target | None, err: _RowErrors) -> None:
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENT_KINDS[row.kind]:
        err(
            "kind",
            _("đơn vị loại “%(kind)s” không thể trực thuộc %(parent)s.")
            % {
                "kind": UnitKind(row.kind).label,
                "parent": (
                    _("đơn vị loại “%(kind)s” (mã “%(code)s”)")
                    % {"kind": UnitKind(parent_kind).label, "code": row.parent_code}
                    if parent_kind
                    else _("gốc cây (không có cấp trên)")
                ),
            },
        )


def _plan_create(
    actor: Any,
    row: UnitRow,
    parent: _Target | None,
    in_db: dict[str, list[Unit]],
    day: dt.date,
    err: _RowErrors,
) -> PlannedRow:
    anchor = parent.anchor if parent is not None else "/"
    if not _may_manage(actor, anchor):
        if parent is None:
            err("parent_code", _("bạn không có quyền tạo đơn vị không có cấp trên."))
        else:
            err(
                "parent_code",
                _(
                    "không tìm thấy đơn vị cấp trên mã “%(code)s” trong phạm vi bạn quản lý "
                    "tại ngày %(day)s."
                )
                % {"code": row.parent_code, "day": _day(day)},
            )
    elif any(
        _overlaps(row.valid_from, row.valid_to, u.valid_from, u.valid_to)
        for u in in_db.get(row.code, ())
    ):
        err("code", _code_taken(row.code))
    return PlannedRow(
        row, CREATE, parent=parent.unit if parent is not None else None, anchor=anchor
    )


def _plan_update(
    actor: Any,
    row: UnitRow,
    unit: Unit,
    parent: _Target | None,
    in_db: dict[str, list[Unit]],
    err: _RowErrors,
) -> PlannedRow:
    if unit.kind != row.kind:
        err(
            "kind",
            _(
                "mã “%(code)s” đang là của đơn vị “%(name)s” loại “%(kind)s”; nhập từ tệp không "
                "đổi loại đơn vị."
            )
            % {"code": unit.code, "name": unit.name, "kind": unit.get_kind_display()},
        )
        return PlannedRow(row, UNCHANGED, unit=unit)
    if not _may_manage(actor, unit.path):
        err(
            "code",
            _("mã “%(code)s” đã được dùng cho một đơn vị ngoài phạm vi bạn quản lý.")
            % {"code": unit.code},
        )
        return PlannedRow(row, UNCHANGED, unit=unit)
    parent_pk = parent.unit.pk if parent is not None and parent.unit is not None else None
    if unit.parent_id != parent_pk or (parent is not None and parent.unit is None):
        current = unit.parent
        err(
            "parent_code",
            _(
                "đơn vị mã “%(code)s” hiện trực thuộc %(parent)s; nhập từ tệp không chuyển đơn vị "
                "sang cấp trên khác."
            )
            % {
                "code": unit.code,
                "parent": (
                    _("“%(name)s” (mã “%(code)s”)") % {"name": current.name, "code": current.code}
                    if current
                    else _("gốc cây")
                ),
            },
        )
        return PlannedRow(row, UNCHANGED, unit=unit)

    wanted: dict[str, Any] = {"name": row.name, **row.attrs}
    if row.valid_from is not None:
        wanted["valid_from"] = row.valid_from
    if row.valid_to is not None:
        wanted["valid_to"] = row.valid_to
    changes = {
        name: (getattr(unit, name), value)
        for name, value in wanted.items()
        if getattr(unit, name) != value
    }
    if {"valid_from", "valid_to"} & set(changes):
        new_from = wanted.get("valid_from", unit.valid_from)
        new_to = wanted.get("valid_to", unit.valid_to)
        if new_from is not None and new_to is not None and new_to < new_from:
            err(
                "valid_to",
                _("ngày hết hiệu lực %(to)s trước ngày bắt đầu hiệu lực %(from)s.")
                % {"to": _day(new_to), "from": _day(new_from)},
            )
        elif any(
            _overlaps(new_from, new_to, u.valid_from, u.valid_to)
            for u in in_db.get(row.code, ())
            if u.pk != unit.pk
        ):
            err("code", _code_taken(row.code))
    return PlannedRow(
        row,
        UPDATE if changes else UNCHANGED,
        unit=unit,
        parent=parent.unit if parent is not None else None,
        changes=changes,
        anchor=unit.path,
    )


def _code_taken(code: str) -> str:
    return _("mã “%(code)s” đã được dùng cho đơn vị khác trong cùng thời gian hiệu lực.") % {
        "code": code
    }


def import_units(
    *,
    actor: Any,
    rows: Sequence[UnitRow],
    dry_run: bool,
    filename: str = "",
    rejected_codes: Iterable[str] = (),
    today: dt.date | None = None,
) -> ImportReport:
    """Plan every row; unless ``dry_run`` or any error, write them all in one transaction."""
    if not can_import(actor):
        raise PermissionDenied(_("Bạn không có quyền nhập danh sách đơn vị."))
    planned, errors = plan_import(
        actor=actor, rows=rows, today=today, rejected_codes=rejected_codes
    )
    report = ImportReport(filename=filename, dry_run=dry_run, errors=errors, planned=planned)
    for plan in planned:
        if plan.action == CREATE:
            report.created += 1
        elif plan.action == UPDATE:
            report.updated += 1
        else:
            report.unchanged += 1
    if errors or dry_run or not (report.created or report.updated):
        return report
    try:
        _write(actor, report)
    except _WriteFailed as exc:  # raised inside the atomic block: everything was rolled back
        report.errors = [exc.error]
    else:
        report.written = True
    return report


def import_parsed(*, actor: Any, parsed: ParsedImport, dry_run: bool) -> ImportReport:
    """The CLI's and the upload page's entry point: a file with any error writes nothing."""
    report = import_units(
        actor=actor,
        rows=parsed.rows,
        dry_run=dry_run or not parsed.ok,
        filename=parsed.filename,
        rejected_codes=parsed.rejected_codes,
    )
    report.dry_run = dry_run
    report.errors = sorted([*parsed.errors, *report.errors], key=lambda e: e.row or 0)
    report.warnings = [*parsed.warnings, *report.warnings]
    return report


def _write(actor: Any, report: ImportReport) -> None:
    with transaction.atomic():
        summary = audit.record(
            actor=actor,
            verb="units.import",
            unit_path=common_path(p.anchor for p in report.planned if p.action != UNCHANGED),
            object_repr=report.filename,
            changes={
                "file": report.filename,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
        # One event per written unit, pointing at the summary, straight into the table.
        events = bulk.Table(AuditEvent, batch=_WRITE_BATCH)
        created = _write_created(actor, report.planned, events, summary.pk)
        updated = 0
        for plan in report.planned:
            if plan.action != UPDATE:
                continue
            try:
                unit, changes = _write_update(actor, plan)
            except (ValidationError, PermissionDenied) as exc:
                raise _WriteFailed(_row_error(plan, exc)) from exc
            events.add(
                **_event_columns(actor),
                verb="unit.update",
                object_type=_UNIT_TYPE,
                object_id=str(unit.pk),
                object_repr=str(unit)[:255],
                unit_path=unit.path,
                changes={**_jsonable(changes), "import_event": summary.pk},
            )
            updated += 1
            faults.checkpoint("units.import", created + updated)
        events.close()


def _write_created(actor: Any, planned: list[PlannedRow], events: bulk.Table, summary: int) -> int:
    """The new units, in file order (a parent row always comes before its children), written in
    batches with their audit events. Only the new units that later rows hang under are kept."""
    creates = [p for p in planned if p.action == CREATE]
    wanted = {p.row.parent_code for p in creates if p.parent is None and p.row.parent_code}
    parents: dict[str, NewUnit] = {}
    writer = NewUnits(actor=actor, count=len(creates), batch=_WRITE_BATCH)
    for written, plan in enumerate(creates, start=1):
        row = plan.row
        parent = plan.parent if plan.parent is not None else parents.get(row.parent_code)
        if parent is None:
            raise _WriteFailed(RowError(row.row, "parent_code", "?"))
        attrs = dict(row.attrs)
        if row.valid_from is not None:
            attrs["valid_from"] = row.valid_from
        if row.valid_to is not None:
            attrs["valid_to"] = row.valid_to
        try:
            new = writer.add(
                parent=parent,
                code=row.code,
                name=row.name,
                kind=row.kind,
                source=UnitSource.IMPORT.value,
                **attrs,
            )
        except (ValidationError, PermissionDenied) as exc:
            raise _WriteFailed(_row_error(plan, exc)) from exc
        if new.code in wanted:
            parents[new.code] = new
        events.add(
            **_event_columns(actor),
            verb="unit.create",
            object_type=_UNIT_TYPE,
            object_id=str(new.pk),
            object_repr=new.name[:255],
            unit_path=new.path,
            changes={**_flat_json(new.snapshot()), "import_event": summary},
        )
        if written % _WRITE_BATCH == 0:
            writer.flush()
            faults.checkpoint("units.import", written)
    writer.close()
    faults.checkpoint("units.import", len(creates))
    return len(creates)


def _event_columns(actor: Any) -> dict[str, Any]:
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = (getattr(actor, "username", "") or str(actor))[:150]
    return {"actor_id": user.pk if user is not None else None, "actor_label": label}


def _flat_json(data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot (flat: texts, numbers, dates) as JSON values, as ``_jsonable`` would."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def _row_error(plan: PlannedRow, exc: ValidationError | PermissionDenied) -> RowError:
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return RowError(plan.row.row, None, " ".join(messages))


def _write_update(actor: Any, plan: PlannedRow) -> tuple[Unit, dict[str, Any]]:
    assert plan.unit is not None  # noqa: S101 — update rows always match a unit
    unit = update_unit(
        actor=actor,
        unit=plan.unit,
        audit_event=False,
        **{name: new for name, (_old, new) in plan.changes.items()},
    )
    return unit, {k: [old, new] for k, (old, new) in plan.changes.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
