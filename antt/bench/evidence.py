"""What a synthetic unit-year's records say: its yearly facts, the meeting's judgements and its
incidents, made so that the engine reaches the outcome drawn in ``shape``. A unit that does not
meet the standard fails one criterion, the most common one in practice: a residential area where
a few households did not register (4.1), an organisation where not everybody was briefed
(6.1/7.1), a commune without an effective movement model (5.1).

No database access; dates are ISO text as ``records.services.set_year_facts`` stores them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from antt.bench.shape import Outcome
from antt.records.demo import TOPICS_ORG, TOPICS_SCHOOL
from antt.standards.catalog import CriteriaSet

INCIDENT_DESCRIPTIONS = (
    "Trộm cắp tài sản",
    "Trộm cắp xe máy",
    "Lừa đảo chiếm đoạt tài sản qua mạng",
    "Gây rối trật tự công cộng",
)


def _counts(year: int, salt: int) -> tuple[int, int, int]:
    """Crime, social-evil and other-violation counts that fall every year (4.4.a is met)."""
    base = 2030 - year
    return base + salt % 3, base // 2 + salt % 2, base + 2 + salt % 4


def facts(kind: str, year: int, outcome: Outcome, salt: int) -> dict[str, Any]:
    """The yearly facts of one unit (``salt`` varies the numbers from unit to unit)."""
    day = dt.date
    crime, evil, other = _counts(year, salt)
    common: dict[str, Any] = {
        "party_resolution_date": day(year, 1, 12).isoformat(),
        "registration_date": day(year, 1, 20).isoformat(),
        "new_order_hotspots": 0,
        "new_social_evil_persons": 0,
    }
    if kind == "residential_area":
        registered = outcome.size if outcome.met else outcome.size - 1 - salt % 3
        return {
            **common,
            "households_residing": outcome.size,
            "households_registered": registered,
            "crime_count": crime,
            "social_evil_count": evil,
            "other_violation_count": other,
            "grassroots_force_rating": "good",
        }
    if kind == "commune":
        return {
            **common,
            "security_plan_date": day(year, 1, 15).isoformat(),
            "movement_models": 3,
            "effective_models": 2 if outcome.met else 0,
            "crime_count": crime * 20,
            "social_evil_count": evil * 20,
            "other_violation_count": other * 20,
        }
    staff = outcome.size
    out = {
        "party_resolution_date": common["party_resolution_date"],
        "party_resolution_content": "integrated",
        "security_plan_date": day(year, 1, 25).isoformat(),
        "registration_date": day(year, 2, 5).isoformat(),
        "internal_rule_topics": list(TOPICS_SCHOOL if kind == "school" else TOPICS_ORG),
        "staff_total": staff,
        "staff_briefed": staff if outcome.met else staff - 1 - salt % 5,
        "movement_models": 1,
        "effective_models": 1,
        "has_protection_force": staff > 200,
        "subunits_rated": 4 + salt % 5,
        "subunits_qualifying": 4 + salt % 5,
    }
    if staff > 200:
        out["protection_force_rating"] = "good"
    if kind == "school":
        out["parents_board_coordination"] = True
    return out


def judged_codes(cset: CriteriaSet, kind: str) -> tuple[str, ...]:
    """The criteria of ``kind`` that wait for the meeting's verdict (a judgement rule, or a
    TT 23 criterion whose text the meeting applies), including those a criterion takes in
    from others (5.2 takes 4.2–4.4 for the whole commune)."""
    seen: dict[str, None] = {}

    def visit(code: str) -> Iterator[str]:
        node = cset.node(code)
        for n in node.walk():
            if n.unknown or any(rule.type == "judgement" for rule in n.rules):
                yield n.code
            for included in n.includes:
                yield from visit(included)

    for top in cset.for_kind(kind):
        for code in visit(top.code):
            seen.setdefault(code, None)
    return tuple(seen)


def incident_days(year: int, count: int, salt: int) -> list[dt.date]:
    """Days inside every kind's window (December of the previous year to October)."""
    start = dt.date(year - 1, 12, 20)
    return [start + dt.timedelta(days=(salt * 37 + i * 53) % 300) for i in range(count)]
