"""Data for the real-process tests (``livedb.LiveDB.run_python``), and the state they compare.

Seeding goes through the services where they exist (units, roles, registrations, decisions);
only the steps between registration and appraisal, which need a year of records and meetings,
are set directly, as the test's starting point.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from antt.core.models import AuditEvent
from antt.recognition import services
from antt.recognition.models import (
    Certificate,
    CertificateCounter,
    Decision,
    DecisionItem,
    Document,
    DossierReview,
    Registration,
    Result,
)
from antt.recognition.workflow import State
from antt.units.models import Unit
from antt.units.services import bulk_create_units, create_unit

REFORM = dt.date(2025, 7, 1)
YEAR = 2025
SIGNED_ON = dt.date(2025, 11, 10)
ACTOR = "seed"


def province(communes: int) -> dict[str, Any]:
    """Province 01 with ``communes`` wards (codes 10000, 10001, …)."""
    root = create_unit(
        actor=ACTOR, code="01", name="Thành phố Hà Nội", kind="province", parent=None,
        valid_from=REFORM,
    )
    wards = [
        Unit(code=f"{10000 + i}", name=f"Phường Thử {i + 1}", kind="commune", parent=root,
             subtype="ward", valid_from=REFORM)
        for i in range(communes)
    ]
    bulk_create_units(actor=ACTOR, units=wards)
    return {"province": root.code, "communes": [w.code for w in wards]}


def areas(commune: str, count: int) -> list[str]:
    """``count`` residential areas under ``commune`` (codes <commune>-A0001, …)."""
    parent = Unit.objects.get(code=commune)
    new = [
        Unit(code=f"{commune}-A{i:04d}", name=f"Tổ dân phố {i}", kind="residential_area",
             parent=parent, subtype="to_dan_pho", valid_from=REFORM)
        for i in range(1, count + 1)
    ]
    bulk_create_units(actor=ACTOR, units=new)
    return [u.code for u in new]


def appraised_communes(communes: int) -> dict[str, Any]:
    """Every commune registered for YEAR and appraised with the proposal “met”."""
    out = province(communes)
    root = Unit.objects.get(code="01")
    regs = [
        services.register_unit(actor=ACTOR, unit=unit, year=YEAR)
        for unit in Unit.objects.filter(parent=root, kind="commune").order_by("code")
    ]
    Registration.objects.filter(pk__in=[r.pk for r in regs]).update(state=State.APPRAISED)
    DossierReview.objects.bulk_create(
        DossierReview(registration=r, outcome=DossierReview.Outcome.APPRAISED, proposal=Result.MET)
        for r in regs
    )
    return out


def decided(communes: int, decisions: int = 1) -> dict[str, Any]:
    """``appraised_communes`` decided “met” by the province in ``decisions`` decisions
    (numbers 1/QĐ-UBND, 2/QĐ-UBND, …), communes dealt round-robin."""
    out = appraised_communes(communes)
    regs = list(Registration.objects.filter(year=YEAR).order_by("unit__code"))
    numbers = []
    for n in range(decisions):
        number = f"{n + 1}/QĐ-UBND"
        services.decide(
            actor=ACTOR, registrations=regs[n::decisions], number=number, signed_on=SIGNED_ON,
            signer_name="Nguyễn Văn A",
        )
        numbers.append(number)
    out["decisions"] = numbers
    return out


def _files() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def state() -> dict[str, Any]:
    """What a killed process could have left half-written, as comparable numbers."""
    serials: dict[str, list[int]] = {}
    for body, year, serial in Certificate.objects.order_by("serial").values_list(
        "issuing_unit__code", "year", "serial"
    ):
        serials.setdefault(f"{body}/{year}", []).append(serial)
    issued = [
        e.changes for e in AuditEvent.objects.filter(verb="certificate.issue").order_by("pk")
    ]
    return {
        "units": Unit.objects.count(),
        "units_half_written": Unit.objects.filter(path__contains="new-").count(),
        "unit_names": hashlib.sha256(
            "|".join(Unit.objects.order_by("pk").values_list("name", flat=True)).encode()
        ).hexdigest(),
        "audit": dict(Counter(AuditEvent.objects.values_list("verb", flat=True))),
        "registrations": dict(
            Registration.objects.values_list("state").annotate(n=Count("pk")).order_by("state")
        ),
        "max_version": Registration.objects.aggregate(m=Max("version"))["m"],
        "decisions": Decision.objects.count(),
        "decision_items": DecisionItem.objects.count(),
        "certificates": Certificate.objects.count(),
        "serials": serials,
        "counters": {
            f"{c.issuing_unit.code}/{c.year}": c.last
            for c in CertificateCounter.objects.select_related("issuing_unit")
        },
        "issue_events": issued,
        "documents": Document.objects.count(),
        "files": _files(),
    }


def canonical(skip_verbs: tuple[str, ...] = ("backup.restore",)) -> dict[str, Any]:
    """Every table's rows (order-free) and every backed-up file, as hashes: equal means the
    same data. Audit rows of ``skip_verbs`` are left out (the restore records itself)."""
    from django.db import connection

    from antt.core.backup import file_roots

    tables: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 — names from the schema
            columns = [c[0] for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            if table == "core_auditevent":
                rows = [r for r in rows if r["verb"] not in skip_verbs]
            text = sorted(repr(sorted(r.items())) for r in rows)
            tables[table] = [len(rows), hashlib.sha256("\n".join(text).encode()).hexdigest()]
    files = {}
    for label, root in file_roots().items():
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file():
                    files[f"{label}/{p.relative_to(root)}"] = hashlib.sha256(
                        p.read_bytes()
                    ).hexdigest()
    return {"tables": tables, "files": files}
