"""Baseline inputs that meet every criterion, per unit kind: each test changes one thing."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from antt.standards.rules import EvaluationInput, Judgement, Subunit, UnitProfile

YEAR = 2025
Q1 = dt.date(YEAR, 2, 15)

JUDGED = {
    "residential_area": ["4.2", "4.4.c"],
    "commune": ["4.2", "4.4.c", "5.3"],
    "agency": ["6.2"],
    "enterprise": ["6.2"],
    "school": ["7.2"],
}

FACTS: dict[str, dict[str, Any]] = {
    "residential_area": {
        "party_resolution_date": Q1,
        "registration_date": Q1,
        "households_residing": 250,
        "households_registered": 250,
        "crime_count": 2,
        "social_evil_count": 1,
        "other_violation_count": 4,
        "new_order_hotspots": 0,
        "new_social_evil_persons": 0,
        "grassroots_force_rating": "completed",
    },
    "commune": {
        "party_resolution_date": Q1,
        "security_plan_date": Q1,
        "registration_date": Q1,
        "effective_models": 2,
        "crime_count": 10,
        "social_evil_count": 3,
        "other_violation_count": 20,
        "new_order_hotspots": 0,
        "new_social_evil_persons": 0,
    },
    "agency": {
        "party_resolution_date": Q1,
        "security_plan_date": Q1,
        "registration_date": Q1,
        "internal_rule_topics": [
            "unit_protection", "state_secrets", "internal_politics", "labour_safety",
            "fire_safety", "environment",
        ],
        "staff_total": 80,
        "staff_briefed": 80,
        "effective_models": 1,
        "has_protection_force": True,
        "protection_force_rating": "good",
        "subunits_rated": 10,
        "subunits_qualifying": 7,
    },
    "school": {
        "party_resolution_date": Q1,
        "security_plan_date": Q1,
        "registration_date": Q1,
        "internal_rule_topics": [
            "unit_protection", "internal_politics", "learner_management", "fire_safety",
        ],
        "staff_total": 900,
        "staff_briefed": 900,
        "effective_models": 1,
        "parents_board_coordination": True,
        "has_protection_force": True,
        "protection_force_rating": "advanced_collective",
        "subunits_rated": 6,
        "subunits_qualifying": 5,
    },
}
FACTS["enterprise"] = FACTS["agency"]

PREVIOUS = {
    "residential_area": {"crime_count": 3, "social_evil_count": 1, "other_violation_count": 5},
    "commune": {"crime_count": 12, "social_evil_count": 3, "other_violation_count": 25},
}


def subunits(registered: int = 10, met: int = 8, total: int = 10) -> tuple[Subunit, ...]:
    kinds = ["residential_area"] * 6 + ["agency", "enterprise", "school", "school"]
    out = []
    for i in range(total):
        is_reg = i < registered
        out.append(Subunit(f"S{i}", f"Đơn vị {i + 1}", kinds[i % len(kinds)], is_reg,
                           ("met" if i < met else "not_met") if is_reg else None))
    return tuple(out)


def baseline(kind: str, **changes: Any) -> EvaluationInput:
    judgements = {c: Judgement(c, "met", "Cuộc họp thống nhất", "Trưởng ban") for c in JUDGED[kind]}
    inp = EvaluationInput(
        unit=UnitProfile("U1", "Đơn vị thử", kind, has_party_org=True,
                         is_general_education=kind == "school"),
        year=YEAR,
        facts=dict(FACTS[kind]),
        previous_facts=dict(PREVIOUS.get(kind, {})),
        judgements=judgements,
        subunits=subunits() if kind == "commune" else (),
    )
    return replace(inp, **changes)


def with_facts(kind: str, **facts: Any) -> EvaluationInput:
    inp = baseline(kind)
    return replace(inp, facts={**inp.facts, **facts})
