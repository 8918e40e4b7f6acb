"""One year of synthetic records for the units of a scope, in bulk: yearly facts, the meetings'
judgements, incidents, registrations, assessments (a compact frozen snapshot naming the failed
criterion), one decision per deciding body, and certificates numbered without gaps.

A past year is decided; the newest year of a run is still open for a share of its units
(registered, assessed, submitted or appraised), so the work list has something to show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from antt.bench import evidence, shape
from antt.bench.dataset import Placed, Progress, Scope, succession_of
from antt.bench.writer import Table, lock, reserve_ids
from antt.recognition.models import (
    Assessment,
    AuthorityRule,
    Certificate,
    CertificateCounter,
    Decision,
    DecisionItem,
    Registration,
    Result,
)
from antt.recognition.services import authority_for
from antt.recognition.workflow import State
from antt.records.models import CriterionJudgement, Incident, YearFacts
from antt.standards.catalog import registry
from antt.units.models import Unit

OPEN_SHARE = 0.15  # of the newest year's registrations, still in the cycle
OPEN_STATES = (State.REGISTERED, State.ASSESSED, State.SUBMITTED, State.APPRAISED)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def verification_code(seed: int, unit_code: str, year: int) -> str:
    """Deterministic, 60 bits like ``services.new_verification_code``."""
    digest = hashlib.blake2b(f"{seed}:{unit_code}:{year}".encode(), digest_size=8).digest()
    n = int.from_bytes(digest, "big")
    return "".join(CODE_ALPHABET[(n >> (5 * i)) & 31] for i in range(12))


@cache
def _authority(kind: str, managing_level: str, year: int) -> AuthorityRule | None:
    return authority_for(Unit(kind=kind, managing_level=managing_level), year)


class Geography:
    """Province, district and commune of a unit then and now, from its path alone."""

    def __init__(self, scope: Scope) -> None:
        self.kinds = scope.admin_kinds
        self.successor = succession_of(scope.legacy)
        self.parent = {c.pk: c.parent_id for c in scope.communes}

    def of(self, unit: Placed) -> dict[str, int | None]:
        ids = unit.ids
        commune = next((i for i in reversed(ids) if self.kinds.get(i) == "commune"), None)
        district = next((i for i in ids if self.kinds.get(i) == "district"), None)
        now_commune = self.successor.get(commune, commune) if commune else None
        now_province = self.parent.get(now_commune, ids[0]) if now_commune else ids[0]
        return {
            "province_id": ids[0],
            "district_id": district,
            "commune_id": commune,
            "current_province_id": now_province,
            "current_commune_id": now_commune,
        }

    def body(self, unit: Placed, level: str) -> int:
        """The administrative unit whose body decides: the nearest ancestor of that level, or
        the nearest administrative one (a generated unit hangs under today's commune)."""
        above = unit.ids[:-1]
        for pk in reversed(above):
            if self.kinds.get(pk) == level:
                return pk
        return above[-1] if above else unit.pk


def _snapshot(unit: Placed, year: int, met: bool) -> dict[str, Any]:
    cset = registry().for_year(unit.kind, year)
    tops = cset.for_kind(unit.kind)
    criteria = [
        {
            "code": top.code,
            "verdict": "met" if met or i else "not_met",
            "explanation": "Đạt."
            if met or i
            else "Chưa đạt: số liệu năm không đủ điều kiện của tiêu chí (dữ liệu tổng hợp).",
            "reference": top.reference,
        }
        for i, top in enumerate(tops)
    ]
    return {
        "unit": unit.code,
        "year": year,
        "standard": cset.code,
        "result": "met" if met else "not_met",
        "criteria": criteria,
        "synthetic": True,
    }


class Tables:
    """The writers of one run (flushed and closed at its end)."""

    def __init__(self) -> None:
        lock(
            YearFacts,
            CriterionJudgement,
            Incident,
            Registration,
            Assessment,
            Decision,
            DecisionItem,
            Certificate,
            CertificateCounter,
        )
        self.facts = Table(YearFacts)
        self.judgements = Table(CriterionJudgement)
        self.incidents = Table(Incident)
        self.registrations = Table(Registration, with_id=True)
        self.assessments = Table(Assessment)
        self.decisions = Table(Decision, with_id=True)
        self.items = Table(DecisionItem)
        self.certificates = Table(Certificate)
        self.counters = Table(CertificateCounter)

    def close(self) -> dict[str, int]:
        return {
            "year_facts": self.facts.close(),
            "judgements": self.judgements.close(),
            "incidents": self.incidents.close(),
            "registrations": self.registrations.close(),
            "assessments": self.assessments.close(),
            "decisions": self.decisions.close(),
            "decision_items": self.items.close(),
            "certificates": self.certificates.close(),
            "certificate_counters": self.counters.close(),
        }


@dataclass
class Decided:
    pk: int
    unit_code: str
    met: bool


def write_year(
    *,
    tables: Tables,
    scope: Scope,
    year: int,
    seed: int,
    units: Sequence[Placed],
    first: bool,
    last: bool = False,
    progress: Progress,
) -> None:
    advance = progress(str(year), len(units))
    geo = Geography(scope)
    reg = registry()
    if first:
        for u in units:
            out = shape.outcome(seed, u.code, year - 1, u.kind, u.commune_managed)
            tables.facts.add(
                unit_id=u.pk, year=year - 1, data=evidence.facts(u.kind, year - 1, out, u.pk)
            )
    decided_on = dt.date(year, 12, 5)
    by_body: dict[int, list[Decided]] = defaultdict(list)
    ids = iter(reserve_ids(Registration, len(units)))
    for u in units:
        out = shape.outcome(seed, u.code, year, u.kind, u.commune_managed)
        tables.facts.add(unit_id=u.pk, year=year, data=evidence.facts(u.kind, year, out, u.pk))
        for day in evidence.incident_days(year, out.incidents, u.pk):
            tables.incidents.add(
                unit_id=u.pk,
                date=day,
                category="crime",
                gravity="less_serious",
                description=evidence.INCIDENT_DESCRIPTIONS[u.pk % 4],
            )
        if out.registers:
            cset = reg.for_year(u.kind, year)
            for code in judged_codes(cset.code, u.kind):
                tables.judgements.add(
                    unit_id=u.pk,
                    year=year,
                    criterion_code=code,
                    verdict="met",
                    reason="Cuộc họp thống nhất đánh giá đạt (biên bản lưu tại đơn vị)",
                )
            is_open = last and shape.rng(seed, "open", u.code, year).random() < OPEN_SHARE
            pk = next(ids)
            rule = _authority(u.kind, u.managing_level, year)
            state: str = State.CERTIFIED if out.met else State.DECIDED_NOT_MET
            result: str = Result.MET if out.met else Result.NOT_MET
            if is_open:
                state, result = OPEN_STATES[u.pk % len(OPEN_STATES)], Result.PENDING
            tables.registrations.add(
                id=pk,
                unit_id=u.pk,
                year=year,
                state=state,
                result=result,
                criteria_set=cset.code,
                unit_kind=u.kind,
                authority_id=rule.pk if rule else None,
                registered_on=dt.date(year, 1, 20),
                households_registered=out.size if u.kind == "residential_area" else None,
                decided_on=None if is_open else decided_on,
                **geo.of(u),
            )
            if state != State.REGISTERED:
                tables.assessments.add(
                    registration_id=pk,
                    mode="meeting",
                    held_on=dt.date(year, 10, 25),
                    chair="Trưởng ban công tác Mặt trận",
                    participants=[],
                    evaluation=_snapshot(u, year, out.met),
                    result=Result.MET if out.met else Result.NOT_MET,
                )
            if not is_open and rule is not None:
                by_body[geo.body(u, rule.deciding_level)].append(Decided(pk, u.code, out.met))
        advance(1)
    _decide(tables, by_body, year, seed, decided_on)


@cache
def judged_codes(cset_code: str, kind: str) -> tuple[str, ...]:
    return evidence.judged_codes(registry().sets[cset_code], kind)


def _decide(
    tables: Tables, by_body: dict[int, list[Decided]], year: int, seed: int, signed_on: dt.date
) -> None:
    """One decision per deciding body; certificates for the units it recognised."""
    names = dict(Unit.objects.filter(pk__in=list(by_body)).values_list("pk", "name"))
    ids = iter(reserve_ids(Decision, len(by_body)))
    for body, regs in by_body.items():
        pk = next(ids)
        tables.decisions.add(
            id=pk,
            number=f"{year}-{body}/QĐ-ANTT",
            signed_on=signed_on,
            year=year,
            issuing_unit_id=body,
            issuing_body=f"Ủy ban nhân dân — {names[body]}",
            signer_name="Chủ tịch Ủy ban nhân dân",
            signer_title="Chủ tịch",
        )
        serial = 0
        for r in regs:
            tables.items.add(
                decision_id=pk, registration_id=r.pk, result=Result.MET if r.met else Result.NOT_MET
            )
            if r.met:
                serial += 1
                tables.certificates.add(
                    registration_id=r.pk,
                    decision_id=pk,
                    issuing_unit_id=body,
                    year=year,
                    serial=serial,
                    number=f"{serial}/GCN-ANTT",
                    verification_code=verification_code(seed, r.unit_code, year),
                    issued_on=signed_on,
                )
        tables.counters.add(issuing_unit_id=body, year=year, last=serial)
