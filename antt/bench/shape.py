"""The shape of the synthetic country: how many units of each kind a commune holds, their
attributes, and each unit-year's outcome. Pure and deterministic: every draw comes from a
``random.Random`` seeded with (seed, commune code, …), so a commune gets the same units whatever
the scale it is generated in, and the same seed gives the same dataset.

Targets (issue 6): about 100,000 residential areas and 150,000 agencies, enterprises and schools
over the 3,321 communes; most small enterprises, preschools and primary schools are outside
TT 124's scope; met rates near the published ones (residential areas ~95%, communes ~90%,
organisations ~85%); incidents rare and skewed (most units have none).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

COMMUNES_NATIONAL = 3321
AREAS_NATIONAL = 100_000
ORGANISATIONS_NATIONAL = 150_000
AREAS_PER_COMMUNE = AREAS_NATIONAL / COMMUNES_NATIONAL
ORGANISATIONS_PER_COMMUNE = ORGANISATIONS_NATIONAL / COMMUNES_NATIONAL
# A lognormal spread of commune sizes (sigma 0.5), scaled so that its mean is 1.
SPREAD_SIGMA = 0.5
SPREAD_MEAN = math.exp(SPREAD_SIGMA**2 / 2)

MET_RATE = {"residential_area": 0.95, "commune": 0.90, "organisation": 0.85}
# Share of province-managed organisations that register at all (commune-managed ones register
# 100%, as Art. 5.4 asks of the commune).
PROVINCE_ORG_REGISTER_RATE = 0.9
# Incidents: most unit-years have none; a few have several.
INCIDENT_FREE_SHARE = 0.9

AGENCY_SHARE, ENTERPRISE_SHARE = 0.2, 0.5  # the rest are schools
ARMED_FORCES_SHARE = 0.03
ENTERPRISE_SIZES = (("micro", 0.55), ("small", 0.25), ("medium", 0.13), ("large", 0.07))
EDUCATION_LEVELS = (
    ("preschool", 0.35),
    ("primary", 0.30),
    ("lower_secondary", 0.22),
    ("upper_secondary", 0.08),
    ("multi_level", 0.03),
    ("vocational", 0.01),
    ("higher", 0.01),
)
COMMUNE_MANAGED_EDUCATION = frozenset({"preschool", "primary", "lower_secondary"})
AREA_NAMES = ("Thôn", "Tổ dân phố", "Khu phố", "Ấp", "Bản")
ENTERPRISE_NAMES = ("Công ty TNHH", "Công ty cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã")
AGENCY_NAMES = ("Trạm Y tế", "Chi cục Thuế", "Kho bạc Nhà nước", "Ban quản lý", "Trung tâm")
SCHOOL_NAMES = {
    "preschool": "Trường Mầm non",
    "primary": "Trường Tiểu học",
    "lower_secondary": "Trường THCS",
    "upper_secondary": "Trường THPT",
    "multi_level": "Trường Liên cấp",
    "vocational": "Trường Trung cấp nghề",
    "higher": "Trường Cao đẳng",
}


def rng(seed: int, *key: object) -> random.Random:
    """A generator of its own for one key: independent of the order things are generated in."""
    return random.Random(f"{seed}:" + ":".join(str(k) for k in key))  # noqa: S311 (not crypto)


def _pick(r: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    x, acc = r.random(), 0.0
    for value, share in table:
        acc += share
        if x < acc:
            return value
    return table[-1][0]


@dataclass(frozen=True)
class UnitSpec:
    """One synthetic unit under a commune (``code`` is unique in the country)."""

    code: str
    name: str
    kind: str
    subtype: str = ""
    managing_level: str = ""
    enterprise_size: str = ""
    education_level: str = ""
    has_party_org: bool | None = None
    is_armed_forces: bool = False

    @property
    def eligible(self) -> bool:
        if self.kind == "agency":
            return not self.is_armed_forces
        if self.kind == "enterprise":
            return self.enterprise_size in ("medium", "large")
        if self.kind == "school":
            return self.education_level not in ("preschool", "primary")
        return True

    @property
    def commune_managed(self) -> bool:
        return self.kind == "residential_area" or self.managing_level == "commune"


def commune_units(seed: int, commune_code: str, commune_name: str) -> list[UnitSpec]:
    """The residential areas and organisations of one commune."""
    r = rng(seed, "units", commune_code)
    size = r.lognormvariate(0, SPREAD_SIGMA) / SPREAD_MEAN
    areas = max(3, round(AREAS_PER_COMMUNE * size))
    orgs = max(4, round(ORGANISATIONS_PER_COMMUNE * size * r.uniform(0.7, 1.3)))
    place = commune_name.split(" ", 1)[-1]
    word = r.choice(AREA_NAMES)
    out = [
        UnitSpec(
            code=f"S{commune_code}-K{n:03d}",
            name=f"{word} {n}",
            kind="residential_area",
            subtype="to_dan_pho" if word == "Tổ dân phố" else "thon",
            has_party_org=r.random() < 0.97,
        )
        for n in range(1, areas + 1)
    ]
    for n in range(1, orgs + 1):
        x = r.random()
        party = r.random() < 0.6
        if x < AGENCY_SHARE:
            out.append(
                UnitSpec(
                    code=f"S{commune_code}-C{n:03d}",
                    name=f"{r.choice(AGENCY_NAMES)} {place} {n}",
                    kind="agency",
                    managing_level="commune" if r.random() < 0.6 else "province",
                    has_party_org=True,
                    is_armed_forces=r.random() < ARMED_FORCES_SHARE,
                )
            )
        elif x < AGENCY_SHARE + ENTERPRISE_SHARE:
            out.append(
                UnitSpec(
                    code=f"S{commune_code}-D{n:03d}",
                    name=f"{r.choice(ENTERPRISE_NAMES)} {place} {n}",
                    kind="enterprise",
                    managing_level="commune" if r.random() < 0.7 else "province",
                    enterprise_size=_pick(r, ENTERPRISE_SIZES),
                    has_party_org=party,
                )
            )
        else:
            level = _pick(r, EDUCATION_LEVELS)
            out.append(
                UnitSpec(
                    code=f"S{commune_code}-T{n:03d}",
                    name=f"{SCHOOL_NAMES[level]} {place} {n}",
                    kind="school",
                    managing_level="commune" if level in COMMUNE_MANAGED_EDUCATION else "province",
                    education_level=level,
                    has_party_org=True,
                )
            )
    return out


@dataclass(frozen=True)
class Outcome:
    """What happens to one unit in one year."""

    registers: bool
    met: bool
    incidents: int  # less-serious crimes recorded against the unit (never decisive)
    size: int  # households (areas) or people (organisations)


def outcome(seed: int, code: str, year: int, kind: str, commune_managed: bool) -> Outcome:
    r = rng(seed, "year", code, year)
    registers = commune_managed or kind == "commune" or r.random() < PROVINCE_ORG_REGISTER_RATE
    group = kind if kind in MET_RATE else "organisation"
    met = r.random() < MET_RATE[group]
    incidents = 0
    if kind != "school" and r.random() >= INCIDENT_FREE_SHARE:
        incidents = 1 + min(int(r.expovariate(0.8)), 6)
    size = int(r.uniform(60, 450)) if kind == "residential_area" else int(r.uniform(15, 900))
    return Outcome(registers, met, incidents, size)
