"""Demo evidence for the demo units (``antt.units.demo``): yearly facts for 2024 and 2025, a few
incidents, one disciplinary action and the meetings' verdicts, so the evaluation has something
to show — most units meet the standard, and two residential areas show why one would not:

- Khu phố 7 (26740-KP07): 248 of 250 households registered, so criterion 4.1 is not met;
- Thôn 5 (21211-THON05): a serious crime on 12/03/2025 that was not handled properly (4.4.b),
  which also counts against Xã Tịnh Khê through criterion 5.2 (the whole territory).

Everything is written through the services, as the commune officer of each demo commune when
that account exists (so the pages show who recorded what), and is audited. Idempotent: a unit-year
that already has facts, an incident, a disciplinary action or a verdict that is already there is
left alone, so a second run changes nothing and never overwrites what a demo user edited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from antt.accounts.models import User
from antt.records.models import CriterionJudgement, DisciplinaryAction, Incident, YearFacts
from antt.records.services import (
    record_discipline,
    record_incident,
    record_judgement,
    set_year_facts,
    void_incident,
)
from antt.units.demo import ACCOUNTS, DEMO_VALID_FROM, DemoDataMissing
from antt.units.models import Unit

__all__ = ["DemoRecordsReport", "load_demo_records"]

D = dt.date
TOPICS_ORG = [
    "unit_protection",
    "state_secrets",
    "internal_politics",
    "labour_safety",
    "fire_safety",
    "environment",
]
TOPICS_SCHOOL = ["unit_protection", "internal_politics", "learner_management", "fire_safety"]


def _area(
    year: int, residing: int, registered: int, counts: tuple[int, int, int]
) -> dict[str, Any]:
    return {
        "party_resolution_date": D(year, 2, 12),
        "registration_date": D(year, 2, 20),
        "households_residing": residing,
        "households_registered": registered,
        "crime_count": counts[0],
        "social_evil_count": counts[1],
        "other_violation_count": counts[2],
        "new_order_hotspots": 0,
        "new_social_evil_persons": 0,
        "grassroots_force_rating": "good",
    }


def _commune(year: int, counts: tuple[int, int, int]) -> dict[str, Any]:
    return {
        "party_resolution_date": D(year, 1, 8),
        "security_plan_date": D(year, 1, 10),
        "registration_date": D(year, 1, 15),
        "movement_models": 3,
        "effective_models": 2,
        "crime_count": counts[0],
        "social_evil_count": counts[1],
        "other_violation_count": counts[2],
        "new_order_hotspots": 0,
        "new_social_evil_persons": 0,
    }


def _organisation(
    year: int, staff: int, subunits: tuple[int, int], force: str | None
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "party_resolution_date": D(year, 1, 22),
        "party_resolution_content": "integrated",
        "security_plan_date": D(year, 1, 25),
        "registration_date": D(year, 2, 5),
        "internal_rule_topics": TOPICS_ORG,
        "staff_total": staff,
        "staff_briefed": staff,
        "movement_models": 1,
        "effective_models": 1,
        "has_protection_force": force is not None,
        "subunits_rated": subunits[0],
        "subunits_qualifying": subunits[1],
    }
    if force is not None:
        facts["protection_force_rating"] = force
    return facts


def _school(year: int, people: int, subunits: tuple[int, int]) -> dict[str, Any]:
    return {
        **_organisation(year, people, subunits, "good"),
        "internal_rule_topics": TOPICS_SCHOOL,
        "parents_board_coordination": True,
    }


# (code, {year: facts}); previous-year crime counts are higher, so 4.4.a is met.
FACTS: tuple[tuple[str, dict[int, dict[str, Any]]], ...] = (
    ("00070", {2025: _commune(2025, (9, 3, 14)), 2024: _commune(2024, (11, 4, 15))}),
    (
        "00070-TDP05",
        {2025: _area(2025, 312, 312, (1, 0, 3)), 2024: _area(2024, 305, 305, (2, 1, 4))},
    ),
    (
        "00070-TDP12",
        {2025: _area(2025, 275, 275, (2, 1, 4)), 2024: _area(2024, 270, 270, (3, 1, 5))},
    ),
    ("00070-THCS01", {2025: _school(2025, 1120, (8, 7)), 2024: _school(2024, 1085, (8, 6))}),
    (
        "00070-DN01",
        {
            2025: _organisation(2025, 146, (6, 5), "advanced_collective"),
            2024: _organisation(2024, 139, (6, 5), "good"),
        },
    ),
    (
        "00070-CQ01",
        {2025: _organisation(2025, 18, (3, 3), None), 2024: _organisation(2024, 17, (3, 3), None)},
    ),
    ("26740", {2025: _commune(2025, (15, 6, 22)), 2024: _commune(2024, (18, 6, 25))}),
    (
        "26740-KP02",
        {2025: _area(2025, 420, 420, (3, 1, 6)), 2024: _area(2024, 416, 416, (4, 1, 6))},
    ),
    # Criterion 4.1 not met: two households have not registered.
    (
        "26740-KP07",
        {2025: _area(2025, 250, 248, (1, 0, 2)), 2024: _area(2024, 246, 246, (1, 1, 3))},
    ),
    (
        "26740-DN01",
        {
            2025: _organisation(2025, 512, (12, 10), "good"),
            2024: _organisation(2024, 498, (12, 9), "good"),
        },
    ),
    (
        "26740-CQ01",
        {2025: _organisation(2025, 22, (4, 3), None), 2024: _organisation(2024, 21, (4, 3), None)},
    ),
    ("21211", {2025: _commune(2025, (4, 1, 9)), 2024: _commune(2024, (5, 2, 9))}),
    (
        "21211-THON03",
        {2025: _area(2025, 186, 186, (0, 0, 2)), 2024: _area(2024, 183, 183, (0, 0, 2))},
    ),
    (
        "21211-THON05",
        {2025: _area(2025, 203, 203, (1, 0, 1)), 2024: _area(2024, 201, 201, (1, 0, 2))},
    ),
    ("21211-THCS01", {2025: _school(2025, 640, (6, 5)), 2024: _school(2024, 625, (6, 5))}),
    (
        "21211-DN01",
        {
            2025: _organisation(2025, 230, (7, 6), "good"),
            2024: _organisation(2024, 221, (7, 5), "completed"),
        },
    ),
    (
        "21211-CQ01",
        {2025: _organisation(2025, 12, (2, 2), None), 2024: _organisation(2024, 12, (2, 2), None)},
    ),
)


@dataclass(frozen=True)
class DemoIncident:
    code: str
    date: dt.date
    category: str
    description: str
    gravity: str = ""
    force_majeure: bool = False
    handled_properly: bool = False
    flags_reason: str = ""
    void_reason: str = ""


INCIDENTS: tuple[DemoIncident, ...] = (
    DemoIncident(
        "21211-THON05",
        D(2025, 3, 12),
        "crime",
        "Cố ý gây thương tích tại đám cưới, đối tượng bỏ trốn, báo cáo chậm 3 ngày",
        gravity="serious",
    ),
    DemoIncident(
        "26740-KP02",
        D(2025, 4, 22),
        "crime",
        "Cướp giật tài sản trên đường Lê Lợi",
        gravity="serious",
        handled_properly=True,
        flags_reason="Tổ tự quản phát hiện, giữ đối tượng và báo Công an phường ngay trong ngày "
        "(biên bản ngày 22/4/2025)",
    ),
    DemoIncident(
        "00070-TDP05",
        D(2025, 5, 8),
        "crime",
        "Trộm cắp điện thoại di động tại chợ Hàng Bè",
        gravity="less_serious",
    ),
    DemoIncident(
        "21211-DN01",
        D(2025, 6, 18),
        "serious_fire_explosion",
        "Cháy trạm biến áp của xưởng chế biến",
        force_majeure=True,
        flags_reason="Sét đánh trong cơn giông; biên bản của Cảnh sát PCCC ngày 19/6/2025",
    ),
    DemoIncident(
        "00070-TDP12",
        D(2025, 2, 2),
        "serious_fire_explosion",
        "Cháy nhà dân phố Hàng Bạc",
        void_reason="Ghi nhầm đơn vị: vụ cháy xảy ra ở phường khác",
    ),
)

# (unit code, date, group, level, person, note): a reprimand does not count for 6.5 (cảnh cáo+).
DISCIPLINES = (
    (
        "00070-DN01",
        D(2025, 5, 15),
        "staff",
        "reprimand",
        "Nguyễn Văn Tâm",
        "Nhân viên kho vi phạm nội quy ra vào",
    ),
)

JUDGED = {
    "residential_area": ("4.2", "4.4.c"),
    "commune": ("4.2", "4.4.c", "5.3"),
    "agency": ("6.2",),
    "enterprise": ("6.2",),
    "school": ("7.2",),
}
MEETING_DAY = {"residential_area": "20/10/2025", "commune": "10/11/2025"}


@dataclass
class DemoRecordsReport:
    facts_created: int = 0
    incidents_created: int = 0
    disciplines_created: int = 0
    judgements_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.facts_created
            or self.incidents_created
            or self.disciplines_created
            or self.judgements_created
        )

    def summary(self) -> str:
        if not self.changed:
            return "Sổ theo dõi minh hoạ đã có sẵn: không thay đổi gì."
        return (
            f"Sổ theo dõi minh hoạ: {self.facts_created} bộ số liệu năm, "
            f"{self.incidents_created} vụ việc, {self.disciplines_created} quyết định kỷ luật, "
            f"{self.judgements_created} kết luận tiêu chí."
        )


def _demo_unit(code: str) -> Unit:
    unit = Unit.objects.at_code(code, DEMO_VALID_FROM).first()
    if unit is None:
        raise DemoDataMissing(
            f"Chưa có đơn vị minh hoạ mã {code}. Hãy chạy “antt load_demo” trước."
        )
    return unit


def _officers() -> dict[str, User]:
    """The demo commune officer of each commune code, when the account exists."""
    wanted = {a.username: a.unit_code for a in ACCOUNTS if a.role == "commune_officer"}
    return {wanted[u.username]: u for u in User.objects.filter(username__in=wanted)}


@transaction.atomic
def load_demo_records(*, actor: Any) -> DemoRecordsReport:
    report = DemoRecordsReport()
    officers = _officers()

    def as_officer(unit: Unit) -> Any:
        return officers.get(unit.code.split("-")[0], actor)

    units = {code: _demo_unit(code) for code, _facts in FACTS}
    for code, by_year in FACTS:
        unit = units[code]
        for year, values in sorted(by_year.items()):
            if YearFacts.objects.filter(unit=unit, year=year).exists():
                continue
            set_year_facts(actor=as_officer(unit), unit=unit, year=year, values=values)
            report.facts_created += 1

    for item in INCIDENTS:
        unit = units.get(item.code) or _demo_unit(item.code)
        if Incident.objects.filter(
            unit=unit, date=item.date, category=item.category, description=item.description
        ).exists():
            continue
        incident = record_incident(
            actor=as_officer(unit),
            unit=unit,
            date=item.date,
            category=item.category,
            gravity=item.gravity,
            description=item.description,
            force_majeure=item.force_majeure,
            handled_properly=item.handled_properly,
            flags_reason=item.flags_reason,
        )
        if item.void_reason:
            void_incident(actor=as_officer(unit), incident=incident, reason=item.void_reason)
        report.incidents_created += 1

    for code, day, group, level, person, note in DISCIPLINES:
        unit = units[code]
        if DisciplinaryAction.objects.filter(
            unit=unit, date=day, group=group, level=level, person=person
        ).exists():
            continue
        record_discipline(
            actor=as_officer(unit),
            unit=unit,
            date=day,
            group=group,
            level=level,
            person=person,
            note=note,
        )
        report.disciplines_created += 1

    for unit in units.values():
        for code in JUDGED[unit.kind]:
            if CriterionJudgement.objects.filter(
                unit=unit, year=2025, criterion_code=code
            ).exists():
                continue
            meeting = MEETING_DAY.get(unit.kind, "05/11/2025")
            record_judgement(
                actor=as_officer(unit),
                unit=unit,
                year=2025,
                criterion_code=code,
                verdict="met",
                reason=f"Cuộc họp ngày {meeting} thống nhất đánh giá đạt (biên bản lưu tại đơn vị)",
            )
            report.judgements_created += 1
    return report
