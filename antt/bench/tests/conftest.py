"""A small slice of the real divisions: Phường Hoàn Kiếm today, and two pre-2025 communes of
Quận Hoàn Kiếm that became part of it (the full ``load_divisions`` takes seconds)."""

from __future__ import annotations

import datetime as dt

import pytest

from antt.units.models import Unit, UnitSource, UnitSuccession
from antt.units.services import create_unit

REFORM = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)


@pytest.fixture
def divisions(db: None) -> dict[str, Unit]:
    def unit(code: str, name: str, kind: str, parent: Unit | None, **kw: object) -> Unit:
        return create_unit(
            actor="test",
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            source=UnitSource.OFFICIAL,
            **kw,
        )

    hanoi = unit("01", "Thành phố Hà Nội", "province", None, valid_from=REFORM)
    hoan_kiem = unit("00070", "Phường Hoàn Kiếm", "commune", hanoi, valid_from=REFORM)
    old_hanoi = unit("01", "Thành phố Hà Nội", "province", None, valid_to=BEFORE)
    district = unit("002", "Quận Hoàn Kiếm", "district", old_hanoi, valid_to=BEFORE)
    old = [
        unit("00037", "Phường Hàng Bạc", "commune", district, valid_to=BEFORE),
        unit("00040", "Phường Hàng Bồ", "commune", district, valid_to=BEFORE),
    ]
    for predecessor in old:
        UnitSuccession.objects.create(
            predecessor=predecessor, successor=hoan_kiem, effective_date=REFORM
        )
    UnitSuccession.objects.create(predecessor=old_hanoi, successor=hanoi, effective_date=REFORM)
    return {"province": hanoi, "commune": hoan_kiem, "district": district}
