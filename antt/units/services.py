"""Writes to the unit tree. Only these functions set ``path`` and ``depth``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from antt.accounts.rules import Action
from antt.core import audit, bulk
from antt.core.text import fold, normalize_name
from antt.units.models import ALLOWED_PARENT_KINDS, Unit, UnitKind, UnitSource

EDITABLE_FIELDS = (
    "code",
    "name",
    "subtype",
    "valid_from",
    "valid_to",
    "managing_level",
    "enterprise_size",
    "education_level",
    "has_party_org",
    "is_armed_forces",
    "latitude",
    "longitude",
)


def snapshot(unit: Unit) -> dict[str, Any]:
    data = {field: getattr(unit, field) for field in EDITABLE_FIELDS}
    data["kind"] = unit.kind
    data["parent"] = unit.parent.code if unit.parent is not None else None
    return data


def check_parent(kind: str, parent: Unit | NewUnit | None) -> None:
    allowed = ALLOWED_PARENT_KINDS[kind]
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in allowed:
        raise ValidationError(
            _("Đơn vị loại “%(kind)s” không thể trực thuộc %(parent)s.")
            % {
                "kind": UnitKind(kind).label,
                "parent": UnitKind(parent_kind).label if parent_kind else _("gốc cây"),
            }
        )


def check_code_free(
    code: str, valid_from: dt.date | None, valid_to: dt.date | None, exclude_pk: int | None = None
) -> None:
    """A code names at most one unit on any given day."""
    clash = Unit.objects.filter(code=code)
    if valid_to is not None:
        clash = clash.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to))
    if valid_from is not None:
        clash = clash.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            _("Mã “%(code)s” đã được dùng cho đơn vị khác trong cùng thời gian hiệu lực.")
            % {"code": code}
        )


def _require(actor: Any, action: Action, path: str) -> None:
    if actor is not None and not isinstance(actor, str) and not actor.can(action, path):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này tại đơn vị này."))


@transaction.atomic
def create_unit(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    source: str = UnitSource.MANUAL,
    audit_event: bool = True,
    **attrs: Any,
) -> Unit:
    """Create one unit under ``parent``. ``actor`` is a User, or a string naming a system actor."""
    check_parent(kind, parent)
    _require(actor, Action.MANAGE_UNITS, parent.path if parent else "/")
    code = code.strip()
    check_code_free(code, attrs.get("valid_from"), attrs.get("valid_to"))
    name = normalize_name(name)
    unit = Unit(
        code=code,
        name=name,
        name_folded=fold(name),
        kind=kind,
        parent=parent,
        path=f"{parent.path if parent else '/'}new-{code}/",
        depth=(parent.depth + 1) if parent else 0,
        source=source,
        **attrs,
    )
    unit.full_clean(exclude=["path", "name_folded", "depth"], validate_unique=False)
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    if audit_event:
        audit.record(
            actor=actor, verb="unit.create", obj=unit, unit_path=unit.path, changes=snapshot(unit)
        )
    return unit


@transaction.atomic
def update_unit(*, actor: Any, unit: Unit, audit_event: bool = True, **changes: Any) -> Unit:
    _require(actor, Action.MANAGE_UNITS, unit.path)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = snapshot(unit)
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.name = normalize_name(unit.name)
    unit.name_folded = fold(unit.name)
    if {"code", "valid_from", "valid_to"} & set(changes):
        check_code_free(unit.code, unit.valid_from, unit.valid_to, exclude_pk=unit.pk)
    unit.full_clean(exclude=["path", "name_folded", "depth", "parent"], validate_unique=False)
    after = snapshot(unit)
    changed = audit.diff(before, after)
    if changed:
        unit.save(update_fields=[*changes.keys(), "name", "name_folded"])
        if audit_event:
            audit.record(
                actor=actor, verb="unit.update", obj=unit, unit_path=unit.path, changes=changed
            )
    return unit


@transaction.atomic
def move_unit(*, actor: Any, unit: Unit, new_parent: Unit) -> Unit:
    """Re-hang a subtree: one UPDATE rewrites every descendant's path prefix."""
    _require(actor, Action.MANAGE_UNITS, unit.path)
    _require(actor, Action.MANAGE_UNITS, new_parent.path)
    check_parent(unit.kind, new_parent)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("Không thể chuyển một đơn vị vào chính nhánh con của nó."))
    old_path, old_parent = unit.path, unit.parent
    new_path = f"{new_parent.path}{unit.pk}/"
    depth_shift = new_parent.depth + 1 - unit.depth
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + depth_shift,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    audit.record(
        actor=actor,
        verb="unit.move",
        obj=unit,
        unit_path=unit.path,
        changes={"parent": [str(old_parent), str(new_parent)], "path": [old_path, new_path]},
    )
    return unit


def resolve_code(code: str, day: dt.date) -> Unit | None:
    """The unit a code names on ``day`` (codes are reused: 51 before and after 2025)."""
    return Unit.objects.at_code(code, day).first()


def bulk_create_units(*, actor: Any, units: list[Unit]) -> list[Unit]:
    """Create many new units whose parents already exist (the bench dataset, test seeds): the
    ``NewUnits`` writer, given unsaved ``Unit`` objects, which it fills in (id, path, depth)."""
    with transaction.atomic():
        writer = NewUnits(actor=actor, count=len(units))
        for unit in units:
            if unit.parent is None:
                raise ValidationError(_("Chỉ nhập được đơn vị có đơn vị cấp trên."))
            new = writer.add(
                parent=unit.parent,
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                **{name: getattr(unit, name) for name in _OPTIONAL_FIELDS},
            )
            unit.pk, unit.code, unit.name = new.pk, new.code, new.name
            unit.name_folded, unit.path, unit.depth = new.fields["name_folded"], new.path, new.depth
            unit._state.adding = False
        writer.close()
    return units


_OPTIONAL_FIELDS = (*EDITABLE_FIELDS[2:], "source")  # all but code and name
_DEFAULTS = {
    f.attname: f.get_default() for f in Unit._meta.concrete_fields if f.attname in _OPTIONAL_FIELDS
}


@dataclass(slots=True)
class NewUnit:
    """A unit written by ``NewUnits``: what its children and its audit event need."""

    pk: int
    code: str
    name: str
    kind: str
    path: str
    depth: int
    parent_code: str
    fields: dict[str, Any]  # the columns given (name_folded included); the others are defaults

    def snapshot(self) -> dict[str, Any]:
        """``snapshot(unit)`` of the written unit, without loading it."""
        data = {"code": self.code, "name": self.name}
        data.update({f: self.fields.get(f, _DEFAULTS[f]) for f in EDITABLE_FIELDS[2:]})
        data["kind"] = self.kind
        data["parent"] = self.parent_code
        return data


class NewUnits:
    """New units straight into the table (``core.bulk``: COPY or ``executemany``, no per-value
    compilation), inside the caller's transaction. The ids are taken first, so each path is known
    before the insert; a parent is an existing ``Unit`` or a ``NewUnit`` added earlier.

    The caller has already checked code overlaps (against the database and among its rows) and
    the values; this re-checks the tree shape, and the actor's permission once per parent."""

    def __init__(self, *, actor: Any, count: int, batch: int = 5000) -> None:
        self.actor = actor
        self.ids = iter(bulk.next_ids(Unit, count))
        self.table = bulk.Table(Unit, with_id=True, reset_sequence=False, batch=batch)
        self.allowed: set[str] = set()  # parent paths the actor may create under

    def add(
        self, *, parent: Unit | NewUnit, code: str, name: str, kind: str, **attrs: Any
    ) -> NewUnit:
        check_parent(kind, parent)
        if parent.path not in self.allowed:
            _require(self.actor, Action.MANAGE_UNITS, parent.path)
            self.allowed.add(parent.path)
        pk = next(self.ids)
        name = normalize_name(name)
        attrs["name_folded"] = fold(name)
        new = NewUnit(
            pk,
            code.strip(),
            name,
            kind,
            f"{parent.path}{pk}/",
            parent.depth + 1,
            parent.code,
            attrs,
        )
        self.table.add(
            id=pk,
            code=new.code,
            name=name,
            kind=kind,
            parent_id=parent.pk,
            path=new.path,
            depth=new.depth,
            **attrs,
        )
        return new

    def flush(self) -> None:
        self.table.flush()

    def close(self) -> int:
        return self.table.close()
