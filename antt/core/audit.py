"""The audit log: one explicit call inside each service, so CLI, API and pages are all audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from antt.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def common_path(paths: Iterable[str]) -> str:
    """Deepest subtree holding every path: '/1/2/5/' and '/1/2/7/' → '/1/2/'. A bulk write's
    summary event is filed there, so it is visible to whoever can see all it touched."""
    common: list[str] | None = None
    for path in paths:
        parts = [p for p in path.split("/") if p]
        if common is None:
            common = parts
            continue
        same = 0
        while same < min(len(common), len(parts)) and common[same] == parts[same]:
            same += 1
        common = common[:same]
    return "/" + "".join(f"{part}/" for part in common or [])


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    *,
    actor: Any,
    verb: str,
    obj: models.Model | None = None,
    unit_path: str = "",
    changes: dict[str, Any] | None = None,
    object_repr: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = getattr(actor, "username", "") or (actor if isinstance(actor, str) else "system")
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label[:150],
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:255],
        unit_path=unit_path,
        changes=_jsonable(changes or {}),
        ip_address=ip_address,
    )


def record_many(events: list[AuditEvent]) -> None:
    """Bulk variant for imports: one INSERT for many rows."""
    AuditEvent.objects.bulk_create(events, batch_size=1000)
