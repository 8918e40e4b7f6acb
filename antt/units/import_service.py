"""Importing units from a parsed spreadsheet: validate every row against the tree, then write all
of it in one transaction, or nothing.

``plan_import`` decides, row by row and without writing, what would happen (create, update,
unchanged) or why it cannot. A file is read twice, row by row and a batch at a time (never held
as a list of rows): the first reading plans every row and keeps only what later rows need; with
no error, the second plans each batch again and writes it, all inside one transaction.
``import_units`` runs the plan through ``services.create_unit`` / ``update_unit`` (which re-check
the tree, the code overlap and the actor's permission) with their own audit events turned off,
and writes instead one ``units.import`` summary event plus one ``unit.create`` / ``unit.update``
event per unit in bulk, each pointing at the summary.

Rules a re-import relies on:

- a row matches the unit with the same code valid on the row's ``valid_from`` (today when empty);
- a match must have the same kind and the same parent: the import never moves or re-kinds units;
- only filled cells are compared and written, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
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
_PLAN_BATCH = 5000  # rows planned per look-up of their codes and parents, then written
_PLANS_KEPT = 1000  # planned rows a report keeps for the preview (the counts cover all)


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


class _Planner:
    """Plans rows in file order, a batch at a time (one look-up of the batch's codes and parents),
    keeping across the file only what later rows need: the targets of the rows that passed, the
    rejected codes, the counts, the new units that later rows hang under."""

    def __init__(
        self,
        actor: Any,
        today: dt.date | None,
        rejected: Callable[[], Container[str]],
        checked: _Planner | None = None,
    ) -> None:
        self.actor, self.today = actor, today or timezone.localdate()
        self.source_rejected = rejected  # the parser's, growing as the file is read
        self.rejected: set[str] = set()  # rows refused here, and their children
        self.targets: dict[str, _Target] = {}  # earlier rows of this file that passed
        self.errors: list[RowError] = []
        # Rows whose parent was not found: worded at the end, once it is known whether the
        # parent is a later row of the file (or one the parser refused: then nothing is said).
        self.missing: list[tuple[UnitRow, dt.date]] = []
        self.counts = dict.fromkeys((CREATE, UPDATE, UNCHANGED), 0)
        self.scope: str | None = None  # common path of the anchors of the rows that write
        self.new_parents: set[str] = set()  # codes of new units that later rows hang under
        self.parents: dict[str, list[Unit]] = {}  # the database's units with a parent's code
        self.found: set[str] = set()  # codes of rows the database has units with
        self.referenced: set[str] = set()  # parent codes of the rows
        # The plan of the first reading, when this is the second (which writes, inside the
        # transaction): its parents are reused, and a code the database did not have then
        # is not looked up again (the writer re-checks the tree and the permissions).
        self.checked = checked
        if checked is not None:
            self.parents = dict(checked.parents)
            checked.targets = {}  # its own are kept, for the rows later rows hang under

    def plan(self, rows: Iterable[UnitRow]) -> Iterator[list[PlannedRow]]:
        """The planned rows without errors, a batch at a time."""
        source = iter(rows)
        while batch := list(itertools.islice(source, _PLAN_BATCH)):
            in_db = self._look_up(batch)
            yield [p for p in (self._plan(row, in_db) for row in batch) if p is not None]

    def _look_up(self, batch: list[UnitRow]) -> dict[str, list[Unit]]:
        """The units with the codes of the batch's rows and parents. The parents are kept: the
        rows of a file hang under a few thousand of them, looked up once, not once a batch."""
        parents = {r.parent_code for r in batch if r.parent_code} - self.parents.keys()
        codes = {r.code for r in batch} - self.parents.keys()
        if self.checked is not None:  # the second reading: only the codes found by the first
            codes &= self.checked.found
        found = _units_by_code(codes | parents)
        self.parents.update((code, found.get(code, [])) for code in parents)
        self.found.update(code for code in codes if code in found)
        return self.parents | found

    def finish(self, code_rows: Mapping[str, int], source_rejected: Container[str]) -> None:
        for row, day in self.missing:
            if row.parent_code not in source_rejected:
                message = _parent_missing(row, day, code_rows)
                self.errors.append(RowError(row.row, "parent_code", message))
        self.missing = []
        self.errors.sort(key=lambda e: e.row or 0)

    def _plan(self, row: UnitRow, in_db: dict[str, list[Unit]]) -> PlannedRow | None:
        day = row.valid_from or self.today
        err = _RowErrors(row.row)
        # 1. The parent, as it stands on ``day``: an earlier row of this file, else the database.
        parent: _Target | None = None
        if row.parent_code:
            self.referenced.add(row.parent_code)
            if row.parent_code in self.rejected or row.parent_code in self.source_rejected():
                self.rejected.add(row.code)
                return None
            parent = self.targets.get(row.parent_code)
            if parent is None or not parent.covers(day):
                db_parent = next(
                    (u for u in in_db.get(row.parent_code, ()) if u.is_valid_on(day)), None
                )
                parent = _Target.of(db_parent) if db_parent is not None else None
            if parent is None:
                self.missing.append((row, day))
                self.rejected.add(row.code)
                return None
        _check_kind(row, parent, err)
        # 2. What the row is: the existing unit with this code on ``day``, or a new one.
        plan: PlannedRow | None = None
        if not err:
            match = next((u for u in in_db.get(row.code, ()) if u.is_valid_on(day)), None)
            if match is not None:
                plan = _plan_update(self.actor, row, match, parent, in_db, err)
            else:
                plan = _plan_create(self.actor, row, parent, in_db, day, err)
        if err or plan is None:
            self.errors.extend(err)
            self.rejected.add(row.code)
            return None
        self._count(plan)
        if self.checked is not None and row.code not in self.checked.referenced:
            return plan  # the second reading: no later row hangs under this one
        if plan.unit is not None:
            self.targets[row.code] = _Target(
                row.kind,
                plan.unit,
                plan.changes.get("valid_from", (None, plan.unit.valid_from))[1],
                plan.changes.get("valid_to", (None, plan.unit.valid_to))[1],
                plan.unit.path,
            )
        else:
            self.targets[row.code] = _Target(
                row.kind, None, row.valid_from, row.valid_to, plan.anchor
            )
        return plan

    def _count(self, plan: PlannedRow) -> None:
        self.counts[plan.action] += 1
        if plan.action == UNCHANGED:
            return
        if plan.action == CREATE and plan.parent is None and plan.row.parent_code:
            self.new_parents.add(plan.row.parent_code)
        if self.scope is None:
            self.scope = plan.anchor
        elif not plan.anchor.startswith(self.scope):
            self.scope = common_path((self.scope, plan.anchor))


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
    rejected = set(rejected_codes)
    planner = _Planner(actor, today, lambda: rejected)
    planned = [plan for batch in planner.plan(rows) for plan in batch]
    planner.finish({r.code: r.row for r in rows}, rejected)
    return planned, planner.errors


def _parent_missing(row: UnitRow, day: dt.date, row_of_code: Mapping[str, int]) -> str:
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
    rejected = set(rejected_codes)
    row_of_code = {r.code: r.row for r in rows}
    return _import(
        actor,
        _Source(lambda: rows, lambda: rejected, lambda: row_of_code, list),
        dry_run=dry_run,
        filename=filename,
        today=today,
    )


def import_parsed(*, actor: Any, parsed: ParsedImport, dry_run: bool) -> ImportReport:
    """The CLI's and the upload page's entry point: a file with any error writes nothing. The
    file is read twice, row by row: to check every row, then (no error) to write them."""
    source = _Source(
        parsed.scan, lambda: parsed.rejected_codes, lambda: parsed.code_rows, lambda: parsed.errors
    )
    report = _import(actor, source, dry_run=dry_run, filename=parsed.filename)
    if parsed.file_errors:  # the file could not be read to its end: its rows say nothing
        report = ImportReport(filename=parsed.filename, errors=list(parsed.file_errors))
    report.dry_run = dry_run
    report.warnings = [*parsed.warnings, *report.warnings]
    return report


@dataclass(frozen=True)
class _Source:
    rows: Callable[[], Iterable[UnitRow]]  # each call reads them from the first
    rejected: Callable[[], Container[str]]  # codes of the rows the parser refused
    code_rows: Callable[[], Mapping[str, int]]  # complete once the rows were read
    errors: Callable[[], list[RowError]]  # the parser's, complete once the rows were read


def _import(
    actor: Any, source: _Source, *, dry_run: bool, filename: str, today: dt.date | None = None
) -> ImportReport:
    if not can_import(actor):
        raise PermissionDenied(_("Bạn không có quyền nhập danh sách đơn vị."))
    planner = _Planner(actor, today, source.rejected)
    report = ImportReport(filename=filename, dry_run=dry_run)
    for batch in planner.plan(source.rows()):
        report.planned.extend(batch[: max(0, _PLANS_KEPT - len(report.planned))])
    planner.finish(source.code_rows(), source.rejected())
    report.created, report.updated, report.unchanged = (
        planner.counts[CREATE],
        planner.counts[UPDATE],
        planner.counts[UNCHANGED],
    )
    report.errors = sorted([*source.errors(), *planner.errors], key=lambda e: e.row or 0)
    if report.errors or dry_run or not (report.created or report.updated):
        return report
    try:
        _write(actor, source, report, planner, today)
    except _WriteFailed as exc:  # raised inside the atomic block: everything was rolled back
        report.errors = [exc.error]
    else:
        report.written = True
    return report


def _write(
    actor: Any, source: _Source, report: ImportReport, checked: _Planner, today: dt.date | None
) -> None:
    """The second reading: each batch planned again (the same plan, inside the transaction) and
    written at once."""
    with transaction.atomic():
        summary = audit.record(
            actor=actor,
            verb="units.import",
            unit_path=checked.scope or "/",
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
        writer = _Writer(actor, report.created, checked.new_parents, events, summary.pk)
        planner = _Planner(actor, today, source.rejected, checked)
        for batch in planner.plan(source.rows()):
            if planner.errors or planner.missing:  # the tree changed since the check
                planner.finish(source.code_rows(), ())
                raise _WriteFailed(planner.errors[0])
            writer.write(batch)
        writer.close()
        events.close()


class _Writer:
    """Writes planned rows batch by batch: the new units (in file order: a parent row always
    comes before its children) with their audit events, then the updates."""

    def __init__(
        self, actor: Any, creates: int, new_parents: set[str], events: bulk.Table, summary: int
    ) -> None:
        self.actor, self.events, self.summary = actor, events, summary
        self.units = NewUnits(actor=actor, count=creates, batch=_WRITE_BATCH)
        self.creates, self.new_parents = creates, new_parents
        self.parents: dict[str, NewUnit] = {}  # only the new units later rows hang under
        self.created = self.updated = 0

    def write(self, batch: list[PlannedRow]) -> None:
        for plan in batch:
            if plan.action == CREATE:
                self._create(plan)
        self.units.flush()
        faults.checkpoint("units.import", self.created + self.updated)
        for plan in batch:
            if plan.action == UPDATE:
                self._update(plan)

    def close(self) -> None:
        self.units.close()

    def _create(self, plan: PlannedRow) -> None:
        row = plan.row
        parent = plan.parent if plan.parent is not None else self.parents.get(row.parent_code)
        if parent is None or self.created == self.creates:
            raise _WriteFailed(RowError(row.row, "parent_code", "?"))
        attrs = dict(row.attrs)
        if row.valid_from is not None:
            attrs["valid_from"] = row.valid_from
        if row.valid_to is not None:
            attrs["valid_to"] = row.valid_to
        try:
            new = self.units.add(
                parent=parent,
                code=row.code,
                name=row.name,
                kind=row.kind,
                source=UnitSource.IMPORT.value,
                **attrs,
            )
        except (ValidationError, PermissionDenied) as exc:
            raise _WriteFailed(_row_error(plan, exc)) from exc
        self.created += 1
        if new.code in self.new_parents:
            self.parents[new.code] = new
        self.events.add(
            **_event_columns(self.actor),
            verb="unit.create",
            object_type=_UNIT_TYPE,
            object_id=str(new.pk),
            object_repr=new.name[:255],
            unit_path=new.path,
            changes={**_flat_json(new.snapshot()), "import_event": self.summary},
        )

    def _update(self, plan: PlannedRow) -> None:
        try:
            unit, changes = _write_update(self.actor, plan)
        except (ValidationError, PermissionDenied) as exc:
            raise _WriteFailed(_row_error(plan, exc)) from exc
        self.events.add(
            **_event_columns(self.actor),
            verb="unit.update",
            object_type=_UNIT_TYPE,
            object_id=str(unit.pk),
            object_repr=str(unit)[:255],
            unit_path=unit.path,
            changes={**_jsonable(changes), "import_event": self.summary},
        )
        self.updated += 1
        faults.checkpoint("units.import", self.created + self.updated)


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
