"""The official administrative divisions, read from the `vietnamadminunits` package data.

Current (from 01/07/2025): 34 provinces, 3,321 communes (xã, phường, đặc khu).
Pre-2025 (until 30/06/2025): 63 provinces, 696 districts, 10,040 communes, and the old → new
commune mapping, where 471 old communes were split over several new ones.

The five island districts that had no communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo)
count as one commune-level unit each, as the package's 10,040 rows and its mapping do; they carry
the code ``H`` + district code, because the official list gives them no commune code.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

REFORM_DATE = dt.date(2025, 7, 1)
LEGACY_END = REFORM_DATE - dt.timedelta(days=1)

PROVINCE_SUBTYPES = {"Tỉnh": "province", "Thành phố": "central_city"}
DISTRICT_SUBTYPES = {
    "Huyện": "rural_district",
    "Quận": "urban_district",
    "Thị xã": "district_town",
    "Thành phố": "provincial_city",
}
COMMUNE_SUBTYPES = {
    "Xã": "rural_commune",
    "Phường": "ward",
    "Thị trấn": "township",
    "Đặc khu": "special_zone",
    "": "island_district",
}


@dataclass(frozen=True)
class Division:
    key: str  # stable identity for the mapping: code@valid_from
    code: str
    name: str
    kind: str
    subtype: str
    parent_key: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Succession:
    predecessor_key: str
    successor_key: str
    is_default: bool
    note: str = ""


@dataclass
class DivisionData:
    units: list[Division] = field(default_factory=list)
    successions: list[Succession] = field(default_factory=list)
    package_version: str = ""


def unit_key(code: str, valid_from: dt.date | None) -> str:
    return f"{code}@{valid_from.isoformat() if valid_from else ''}"


def _prefix_subtype(name: str, table: dict[str, str]) -> str:
    for prefix in sorted(table, key=len, reverse=True):
        if prefix and name.startswith(prefix + " "):
            return table[prefix]
    return ""


def _rows(db: sqlite3.Connection, sql: str) -> Iterator[sqlite3.Row]:
    db.row_factory = sqlite3.Row
    yield from db.execute(sql)


def read() -> DivisionData:
    from importlib.metadata import version

    data_dir = resources.files("vietnamadminunits") / "data"
    out = DivisionData(package_version=version("vietnamadminunits"))
    with resources.as_file(data_dir / "dataset.db") as path:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            legacy_keys = _read_legacy(db, out)
            current_keys = _read_current(db, out)
        finally:
            db.close()
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    _read_successions(converter, legacy_keys, current_keys, out)
    return out


def _read_legacy(db: sqlite3.Connection, out: DivisionData) -> dict[str, str]:
    """Returns package keys ('prov', 'prov_dist', 'prov_dist_ward') → our unit keys."""
    keys: dict[str, str] = {}
    seen: set[str] = set()
    sql = """SELECT province, provinceCode, provinceKey, provinceLat, provinceLon,
                    district, districtType, districtCode, districtKey, districtLat, districtLon,
                    ward, wardType, wardCode, wardKey, wardLat, wardLon
             FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"""
    for r in _rows(db, sql):
        p_key = unit_key(r["provinceCode"], None)
        if p_key not in seen:
            seen.add(p_key)
            keys[r["provinceKey"]] = p_key
            out.units.append(
                Division(
                    p_key,
                    r["provinceCode"],
                    r["province"],
                    "province",
                    _prefix_subtype(r["province"], PROVINCE_SUBTYPES),
                    None,
                    None,
                    LEGACY_END,
                    r["provinceLat"],
                    r["provinceLon"],
                )
            )
        d_key = unit_key(r["districtCode"], None)
        if d_key not in seen:
            seen.add(d_key)
            out.units.append(
                Division(
                    d_key,
                    r["districtCode"],
                    r["district"],
                    "district",
                    DISTRICT_SUBTYPES.get(r["districtType"] or "", ""),
                    p_key,
                    None,
                    LEGACY_END,
                    r["districtLat"],
                    r["districtLon"],
                )
            )
        ward_code = r["wardCode"] or f"H{r['districtCode']}"
        c_key = unit_key(ward_code, None)
        name = r["ward"] or r["district"]
        lat, lon = (
            (r["wardLat"], r["wardLon"]) if r["ward"] else (r["districtLat"], r["districtLon"])
        )
        out.units.append(
            Division(
                c_key,
                ward_code,
                name,
                "commune",
                COMMUNE_SUBTYPES.get(r["wardType"] or "", ""),
                d_key,
                None,
                LEGACY_END,
                lat,
                lon,
            )
        )
        keys[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"] = c_key
    return keys


def _read_current(db: sqlite3.Connection, out: DivisionData) -> dict[str, str]:
    keys: dict[str, str] = {}
    seen: set[str] = set()
    sql = """SELECT province, provinceCode, provinceKey, provinceLat, provinceLon,
                    ward, wardType, wardCode, wardKey, wardLat, wardLon
             FROM admin_units ORDER BY provinceCode, wardCode"""
    for r in _rows(db, sql):
        p_key = unit_key(r["provinceCode"], REFORM_DATE)
        if p_key not in seen:
            seen.add(p_key)
            keys[r["provinceKey"]] = p_key
            out.units.append(
                Division(
                    p_key,
                    r["provinceCode"],
                    r["province"],
                    "province",
                    _prefix_subtype(r["province"], PROVINCE_SUBTYPES),
                    None,
                    REFORM_DATE,
                    None,
                    r["provinceLat"],
                    r["provinceLon"],
                )
            )
        c_key = unit_key(r["wardCode"], REFORM_DATE)
        out.units.append(
            Division(
                c_key,
                r["wardCode"],
                r["ward"],
                "commune",
                COMMUNE_SUBTYPES.get(r["wardType"], ""),
                p_key,
                REFORM_DATE,
                None,
                r["wardLat"],
                r["wardLon"],
            )
        )
        keys[f"{r['provinceKey']}_{r['wardKey']}"] = c_key
    return keys


def _read_successions(
    converter: dict[str, Any], legacy: dict[str, str], current: dict[str, str], out: DivisionData
) -> None:
    for new_prov, old_provs in converter["DICT_PROVINCE"].items():
        for old in old_provs:
            out.successions.append(Succession(legacy[old], current[new_prov], True))
    for new_prov, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, olds in wards.items():
            for old in olds:
                out.successions.append(
                    Succession(legacy[old], current[f"{new_prov}_{new_ward}"], True)
                )
    for new_prov, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, targets in olds.items():
            for target in targets:
                out.successions.append(
                    Succession(
                        legacy[old],
                        current[f"{new_prov}_{target['newWardKey']}"],
                        bool(target["isDefaultNewWard"]),
                        note="Xã cũ bị chia tách cho nhiều đơn vị mới",
                    )
                )
