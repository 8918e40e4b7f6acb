"""The import writes new units and their audit events as plain rows (``core.bulk``): what lands
in the tables is what ``create_unit`` and ``audit.record`` would have written."""

from __future__ import annotations

from typing import Any

from antt.core.audit import _jsonable
from antt.core.models import AuditEvent
from antt.units.import_service import import_parsed
from antt.units.imports import parse_units_file
from antt.units.models import Unit
from antt.units.services import snapshot
from antt.units.tests.test_import import csv_bytes


def _import(actor: Any, *lines: str, header: str) -> None:
    parsed = parse_units_file(csv_bytes(*lines, header=header), "don-vi.csv")
    report = import_parsed(actor=actor, parsed=parsed, dry_run=False)
    assert report.errors == []
    assert report.written


def test_new_units_and_their_events_hold_every_column(tree, personas) -> None:
    officer = personas.province_a_officer
    _import(
        officer,
        "00070-DN1,  Công ty   Đường sắt ,doanh nghiệp,00070,cấp xã,vừa,có,2025-07-01",
        "01-X9,Phường Mới,phường,01,,,,",
        "01-X9-A,Chi nhánh số 1,cơ quan,01-X9,cấp xã,,,",
        header="code,name,kind,parent_code,managing_level,enterprise_size,has_party_org,valid_from",
    )
    company = Unit.objects.get(code="00070-DN1")
    ward = Unit.objects.get(code="01-X9")
    branch = Unit.objects.get(code="01-X9-A")
    assert (company.name, company.name_folded) == ("Công ty Đường sắt", "cong ty duong sat")
    assert (company.depth, company.path) == (
        tree.commune_a1.depth + 1,
        f"{tree.commune_a1.path}{company.pk}/",
    )
    assert (ward.path, ward.depth) == (f"{tree.province_a.path}{ward.pk}/", 1)
    assert (branch.parent, branch.path) == (ward, f"{ward.path}{branch.pk}/")
    assert (company.enterprise_size, company.has_party_org, branch.has_party_org) == (
        "medium",
        True,
        None,
    )
    summary = AuditEvent.objects.get(verb="units.import")
    for unit in (company, ward, branch):
        event = AuditEvent.objects.get(verb="unit.create", object_id=str(unit.pk))
        assert event.changes == {**_jsonable(snapshot(unit)), "import_event": summary.pk}
        assert (event.actor, event.actor_label) == (officer, officer.username)
        assert (event.object_type, event.object_repr, event.unit_path) == (
            "units.unit",
            unit.name,
            unit.path,
        )
    # A unit created afterwards the usual way gets an id of its own (the sequence moved on).
    later = Unit.objects.create(
        code="X9",
        name="Sau",
        name_folded="sau",
        kind="agency",
        parent=tree.commune_a1,
        path=f"{tree.commune_a1.path}x9/",
        depth=tree.commune_a1.depth + 1,
    )
    assert later.pk > branch.pk
