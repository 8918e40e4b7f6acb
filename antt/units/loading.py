"""Synchronise the official divisions into the unit tree: bulk, idempotent, audited once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from antt.core import audit
from antt.core.text import fold, normalize_name
from antt.units import divisions
from antt.units.models import Unit, UnitSource, UnitSuccession

SYNCED_FIELDS = ("name", "name_folded", "subtype", "valid_to", "latitude", "longitude")


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    successions_created: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    package_version: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.successions_created)


def _key(unit: Unit) -> str:
    return divisions.unit_key(unit.code, unit.valid_from)


@transaction.atomic
def load_divisions(*, actor: Any = "load_divisions") -> LoadReport:
    data = divisions.read()
    report = LoadReport(package_version=data.package_version)
    existing = {_key(u): u for u in Unit.objects.filter(source=UnitSource.OFFICIAL)}
    by_key: dict[str, Unit] = dict(existing)
    # Parents come before children in data.units, level by level (provinces, districts, communes).
    for depth_kinds in (("province",), ("district",), ("commune",)):
        new_units: list[Unit] = []
        to_update: list[Unit] = []
        for div in data.units:
            if div.kind not in depth_kinds:
                continue
            report.counts[f"{div.kind}{'' if div.valid_from else '_legacy'}"] += 1
            name = normalize_name(div.name)
            wanted: dict[str, Any] = {
                "name": name,
                "name_folded": fold(name),
                "subtype": div.subtype,
                "valid_to": div.valid_to,
                "latitude": div.latitude,
                "longitude": div.longitude,
            }
            unit = existing.get(div.key)
            if unit is None:
                parent = by_key[div.parent_key] if div.parent_key else None
                unit = Unit(
                    code=div.code,
                    kind=div.kind,
                    parent=parent,
                    valid_from=div.valid_from,
                    source=UnitSource.OFFICIAL,
                    depth=(parent.depth + 1) if parent else 0,
                    path=f"/pending-{div.key}/",
                    **wanted,
                )
                new_units.append(unit)
                by_key[div.key] = unit
            elif any(getattr(unit, f) != v for f, v in wanted.items()):
                for f, v in wanted.items():
                    setattr(unit, f, v)
                to_update.append(unit)
            else:
                report.unchanged += 1
        Unit.objects.bulk_create(new_units, batch_size=2000)
        for unit in new_units:
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        Unit.objects.bulk_update(new_units, ["path"], batch_size=2000)
        Unit.objects.bulk_update(to_update, list(SYNCED_FIELDS), batch_size=2000)
        report.created += len(new_units)
        report.updated += len(to_update)

    known = set(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    new_links = []
    for s in data.successions:
        pair = (by_key[s.predecessor_key].pk, by_key[s.successor_key].pk)
        if pair not in known:
            known.add(pair)
            new_links.append(
                UnitSuccession(
                    predecessor_id=pair[0],
                    successor_id=pair[1],
                    is_default=s.is_default,
                    effective_date=divisions.REFORM_DATE,
                    note=s.note,
                )
            )
    UnitSuccession.objects.bulk_create(new_links, batch_size=2000)
    report.successions_created = len(new_links)

    if report.changed:
        audit.record(
            actor=actor,
            verb="divisions.load",
            object_repr="vietnamadminunits " + data.package_version,
            unit_path="/",
            changes={
                "created": report.created,
                "updated": report.updated,
                "successions_created": report.successions_created,
            },
        )
    return report
