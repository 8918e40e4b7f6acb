"""What the browser journeys start from, written through the services (audited, as the real
actors): the conftest tree plus a second residential area, last year's figures, the meetings'
verdicts on the criteria the law leaves to them, and — for the journeys that start later in the
year — the dossiers carried forward to where the journey picks them up.

Dates follow the regulation's calendar for 2025: registration in February, meetings in October,
decisions before 15 November, an annulment in January.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from antt.accounts.models import User
from antt.recognition import services
from antt.recognition.documents import issue_certificates_with_documents
from antt.recognition.models import Certificate, Decision, Registration
from antt.records.services import record_judgement, set_year_facts
from antt.units.models import Unit
from antt.units.services import create_unit

YEAR = 2025
REGISTERED_ON = dt.date(2025, 2, 10)
MEETING_DAY = dt.date(2025, 10, 20)
DECISION_DAY = dt.date(2025, 11, 10)

# Yearly facts of a residential area that meets every criterion (as the commune officer types
# them in journey 1, and as the seed stores them for the other area).
AREA_FACTS: dict[str, Any] = {
    "party_resolution_date": dt.date(2025, 2, 5),
    "registration_date": REGISTERED_ON,
    "households_residing": 120,
    "households_registered": 120,
    "crime_count": 1,
    "social_evil_count": 0,
    "other_violation_count": 2,
    "new_order_hotspots": 0,
    "new_social_evil_persons": 0,
    "grassroots_force_rating": "good",
}
PREVIOUS_FACTS: dict[str, Any] = {"crime_count": 2, "social_evil_count": 0,
                                  "other_violation_count": 2}
MEETING_VERDICTS = ("4.2", "4.4.c")  # left to the meeting by TT 124/2021
# Who attends a residential area's meeting (Art. 9.1 TT 124): role field label → name.
AREA_MEETING: dict[str, str] = {
    "Bí thư chi bộ": "Nguyễn Văn Bình",
    "Đại diện Ban Công tác Mặt trận": "Trần Thị Cúc",
    "Đại diện Công an cấp cơ sở": "Đại úy Lê Văn Dũng",
}
AREA_MEETING_ROLES = [
    {"name": "Nguyễn Văn Bình", "role": "party_cell_secretary"},
    {"name": "Trần Thị Cúc", "role": "front_work_committee"},
    {"name": "Đại úy Lê Văn Dũng", "role": "grassroots_police"},
]


@dataclass(frozen=True)
class Areas:
    """The two residential areas of Phường Hoàn Kiếm the journeys work on."""

    first: Unit  # Tổ dân phố 1: its facts and incident are typed in the browser
    second: Unit  # Tổ dân phố 5: its facts are already there


def residential_areas(tree: Any, officer: User) -> Areas:
    """Add Tổ dân phố 5 and the evidence that is not typed in the journeys."""
    second = create_unit(
        actor="e2e", code="00070-TDP05", name="Tổ dân phố 5", kind="residential_area",
        parent=tree.commune_a1, valid_from=tree.commune_a1.valid_from, subtype="to_dan_pho",
    )
    for unit in (tree.area_a1, second):
        set_year_facts(actor=officer, unit=unit, year=YEAR - 1, values=PREVIOUS_FACTS,
                       today=MEETING_DAY)
        for code in MEETING_VERDICTS:
            record_judgement(actor=officer, unit=unit, year=YEAR, criterion_code=code,
                             verdict="met", reason="Cuộc họp khu dân cư thống nhất",
                             today=MEETING_DAY)
    set_year_facts(actor=officer, unit=second, year=YEAR, values=AREA_FACTS, today=MEETING_DAY)
    return Areas(first=tree.area_a1, second=second)


def submitted(tree: Any, officer: User) -> tuple[Areas, list[Registration]]:
    """Journey 1's outcome: both areas registered, assessed and their dossiers submitted."""
    areas = residential_areas(tree, officer)
    set_year_facts(actor=officer, unit=areas.first, year=YEAR, values=AREA_FACTS,
                   today=MEETING_DAY)
    regs = []
    for unit in (areas.first, areas.second):
        reg = services.register_unit(actor=officer, unit=unit, year=YEAR,
                                     registered_on=REGISTERED_ON)
        services.record_assessment(actor=officer, registration=reg, held_on=MEETING_DAY,
                                   chair="Trưởng khu dân cư", participants=AREA_MEETING_ROLES)
        regs.append(services.submit_dossier(actor=officer, registration=reg))
    return areas, regs


def certified(tree: Any, officer: User) -> tuple[Decision, list[Certificate]]:
    """Journey 2's outcome: both appraised, recognised by one decision, certificates issued
    and printed."""
    _areas, regs = submitted(tree, officer)
    for reg in regs:
        services.appraise_dossier(actor=officer, registration=reg, proposal="met")
    fresh = list(Registration.objects.filter(pk__in=[r.pk for r in regs]).order_by("pk"))
    decision = services.decide(actor=officer, registrations=fresh, number="15/QĐ-UBND",
                               signed_on=DECISION_DAY, signer_name="Nguyễn Văn Hùng")
    # As the decision page does: the certificates, then their PDFs (with the QR code's link).
    return decision, issue_certificates_with_documents(actor=officer, decision=decision,
                                                       issued_on=DECISION_DAY)
