"""What the access matrix (test_access_matrix.py) is made of: every URL pattern of the project,
read from the resolver, and a world with one object of each kind inside commune A1 and the
same inside commune B1, at the state each action needs.

Seeing is decided by subtree (the scope unit of each object), acting by role: the expected status
of a request is computed from those two facts, written out in ``expected``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from antt.accounts.models import RoleAssignment, User
from antt.core.models import AuditEvent
from antt.jobs.models import Job
from antt.jobs.services import enqueue_job
from antt.recognition import services
from antt.recognition.models import (
    Assessment,
    AuthorityRule,
    Certificate,
    Decision,
    DecisionItem,
    Document,
    DossierReview,
    Registration,
)
from antt.recognition.tests.test_cycle import AREA_FACTS, AREA_MEETING, PREVIOUS, evidence
from antt.recognition.uploads import upload_document
from antt.records import services as records
from antt.records.models import CriterionJudgement, DisciplinaryAction, Incident, YearFacts
from antt.units.models import Unit
from antt.units.services import create_unit
from conftest import REFORM, Personas, Tree

YEAR = 2025
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# Each persona's role and the unit its role hangs on (None: nationwide / no role at all).
ROLES: dict[str, str | None] = {
    "national_admin": "national_admin",
    "province_a_officer": "province_officer",
    "commune_a1_officer": "commune_officer",
    "commune_b1_officer": "commune_officer",
    "area_a1_head": "unit_head",
    "outsider": None,
}
ROOTS: dict[str, str | None] = {
    "national_admin": None,
    "province_a_officer": "province_a",
    "commune_a1_officer": "commune_a1",
    "commune_b1_officer": "commune_b1",
    "area_a1_head": "area_a1",
    "outsider": None,
}
PERSONAS = [*ROLES, "anonymous"]
SIDES = ("in", "out")  # inside commune A1 (and province A) / inside commune B1 (province B)


def sees(persona: str, unit: Unit, tree: Tree) -> bool:
    if persona == "national_admin":
        return True
    root = ROOTS.get(persona)
    return root is not None and unit.path.startswith(getattr(tree, root).path)


# --- the URL patterns --------------------------------------------------------------------------

SKIPPED_NAMESPACES = ("admin",)  # Django's admin: its own permission system, checked separately


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str  # "namespace:name", or the route when the pattern has no name


def all_patterns() -> list[Pattern]:
    """Every URL pattern the project serves, admin excepted, named ``ns:name``."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Pattern]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                if entry.namespace in SKIPPED_NAMESPACES:
                    continue
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                yield Pattern(route, f"{namespace}{entry.name}" if entry.name else route)

    return list(walk(get_resolver().url_patterns, "", ""))


# --- the world ---------------------------------------------------------------------------------


class World:
    """Objects on both sides, built on first use (a test builds only what its URL needs)."""

    def __init__(self, tree: Tree, personas: Personas) -> None:
        self.tree = tree
        self.personas = personas

    def commune(self, side: str) -> Unit:
        return self.tree.commune_a1 if side == "in" else self.tree.commune_b1

    def province(self, side: str) -> Unit:
        return self.tree.province_a if side == "in" else self.tree.province_b

    def officer(self, side: str) -> User:
        personas = self.personas
        return personas.commune_a1_officer if side == "in" else personas.commune_b1_officer

    def area(self, side: str, label: str) -> Unit:
        """A residential area of the side's commune with the evidence a meeting needs; the
        ``assessed`` one on the inside is Tổ dân phố 1, whose head is a persona."""
        if label == "assessed":
            unit = self.tree.area_a1 if side == "in" else self.tree.area_b1
        else:
            commune = self.commune(side)
            unit = create_unit(
                actor="test", code=f"{commune.code}-{label.upper()}", name=f"Khu {label}",
                kind="residential_area", parent=commune, subtype="to_dan_pho", valid_from=REFORM,
            )
        if not YearFacts.objects.filter(unit=unit, year=YEAR).exists():
            evidence(unit, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
        return unit

    @cached_property
    def fresh_area(self) -> dict[str, Unit]:
        """An area of each side, not registered yet."""
        return {side: self.area(side, "fresh") for side in SIDES}

    def _registration(self, side: str, state: str) -> Registration:
        unit = self.area(side, state)
        officer = self.officer(side)
        reg = services.register_unit(
            actor=officer, unit=unit, year=YEAR, registered_on=dt.date(2025, 2, 10)
        )
        if state == "registered":
            return reg
        services.record_assessment(
            actor=officer, registration=reg, held_on=dt.date(2025, 10, 20),
            chair="Trưởng khu dân cư", participants=AREA_MEETING,
        )
        if state != "assessed":
            services.submit_dossier(actor=officer, registration=reg)
        if state not in {"assessed", "submitted"}:
            services.appraise_dossier(actor=officer, registration=reg, proposal="met")
        reg.refresh_from_db()
        return reg

    @cached_property
    def assessed(self) -> dict[str, Registration]:
        return {side: self._registration(side, "assessed") for side in SIDES}

    @cached_property
    def submitted(self) -> dict[str, Registration]:
        return {side: self._registration(side, "submitted") for side in SIDES}

    @cached_property
    def appraised(self) -> dict[str, Registration]:
        return {side: self._registration(side, "appraised") for side in SIDES}

    def _decision(self, side: str, label: str, certify: bool) -> Decision:
        reg = self._registration(side, label)
        decision = services.decide(
            actor=self.officer(side), registrations=[reg], number=f"{label}-{side}/QĐ-UBND",
            signed_on=dt.date(2025, 11, 10), signer_name="Nguyễn Văn Hùng",
        )
        if certify:
            services.issue_certificates(
                actor=self.officer(side), decision=decision, issued_on=dt.date(2025, 11, 12)
            )
        return decision

    @cached_property
    def decided(self) -> dict[str, Decision]:
        """A valid decision without its certificate yet."""
        return {side: self._decision(side, "decided", certify=False) for side in SIDES}

    @cached_property
    def certified(self) -> dict[str, Decision]:
        return {side: self._decision(side, "certified", certify=True) for side in SIDES}

    @cached_property
    def certificate(self) -> dict[str, Certificate]:
        return {
            side: Certificate.objects.get(decision=decision)
            for side, decision in self.certified.items()
        }

    @cached_property
    def document(self) -> dict[str, Document]:
        return {
            side: upload_document(
                actor=self.officer(side), registration=reg, kind="supporting",
                uploaded_file=SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf"),
            )
            for side, reg in self.assessed.items()
        }

    @cached_property
    def incident(self) -> dict[str, Incident]:
        return {
            side: records.record_incident(
                actor=self.officer(side), unit=self.area(side, "assessed"),
                date=dt.date(2025, 8, 3), category="crime", gravity="less_serious",
                description="Trộm cắp xe máy",
            )
            for side in SIDES
        }

    @cached_property
    def discipline(self) -> dict[str, DisciplinaryAction]:
        return {
            side: records.record_discipline(
                actor=self.officer(side), unit=self.area(side, "assessed"),
                date=dt.date(2025, 4, 2), group="grassroots_force", level="reprimand",
                person="Trần Văn C",
            )
            for side in SIDES
        }

    @cached_property
    def authority_rule(self) -> AuthorityRule:
        rule = AuthorityRule.objects.order_by("pk").first()
        assert rule is not None, "the authority table is loaded by a migration"
        return rule

    def _job(self, side: str, status: str) -> Job:
        job = enqueue_job(
            actor=self.officer(side), kind=Job.Kind.EVALUATE_SCOPE, title="Đánh giá năm 2025",
            unit=self.commune(side), params={"year": YEAR},
        )
        Job.objects.filter(pk=job.pk).update(status=status, result_name="ket-qua.csv")
        job.refresh_from_db()
        assert job.result_path is not None
        job.result_path.parent.mkdir(parents=True, exist_ok=True)
        job.result_path.write_bytes(b"ma_don_vi,ket_qua\n")
        return job

    @cached_property
    def done_job(self) -> dict[str, Job]:
        """A finished evaluation of each side's commune, owned by its commune officer."""
        return {side: self._job(side, Job.Status.DONE) for side in SIDES}

    @cached_property
    def failed_job(self) -> dict[str, Job]:
        return {side: self._job(side, Job.Status.FAILED) for side in SIDES}

    @cached_property
    def token_owner(self) -> dict[str, User]:
        """A unit head of each side's area who holds an API token."""
        owners = {}
        for side, person in (("in", self.personas.area_a1_head), ("out", None)):
            if person is None:
                from antt.accounts.services import assign_role

                person, _, _ = assign_role(
                    actor="test", username="truong_kp3_b1", role="unit_head",
                    unit=self.tree.area_b1,
                )
            Token.objects.get_or_create(user=person)
            owners[side] = person
        return owners


# --- nothing written ---------------------------------------------------------------------------

WATCHED: tuple[type[models.Model], ...] = (
    Unit,
    Registration,
    Assessment,
    DossierReview,
    Decision,
    DecisionItem,
    Certificate,
    Document,
    Incident,
    YearFacts,
    DisciplinaryAction,
    CriterionJudgement,
    AuthorityRule,
    RoleAssignment,
    Token,
    Job,
)


def snapshot() -> dict[str, Any]:
    """Every row that a write could touch, and the audit log less the refusals and sign-ins
    (a refusal is itself audited)."""
    state: dict[str, Any] = {
        model._meta.label: list(model.objects.order_by("pk").values())  # type: ignore[attr-defined]
        for model in WATCHED
    }
    state["audit"] = list(
        AuditEvent.objects.exclude(verb__startswith="access.")
        .exclude(verb__startswith="auth.")
        .order_by("pk")
        .values_list("verb", "object_id")
    )
    return state
