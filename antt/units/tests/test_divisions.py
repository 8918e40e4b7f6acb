"""The official divisions: counts, code resolution at a date, the old → new mapping, idempotency."""

import datetime as dt

import pytest

from antt.core.models import AuditEvent
from antt.units.loading import load_divisions
from antt.units.models import Unit, UnitSource, UnitSuccession
from antt.units.services import resolve_code

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2022, 6, 1)
AFTER = dt.date(2026, 1, 15)


def test_load_divisions_counts_resolution_mapping_and_idempotency() -> None:
    first = load_divisions(actor="test")

    official = Unit.objects.filter(source=UnitSource.OFFICIAL)
    assert official.valid_on(AFTER).filter(kind="province").count() == 34
    assert official.valid_on(AFTER).filter(kind="commune").count() == 3321
    assert official.valid_on(BEFORE).filter(kind="province").count() == 63
    assert official.valid_on(BEFORE).filter(kind="district").count() == 696
    assert official.valid_on(BEFORE).filter(kind="commune").count() == 10040
    assert official.valid_on(AFTER).filter(kind="district").count() == 0
    assert first.created == 34 + 3321 + 63 + 696 + 10040

    # Current communes: 2,621 xã, 687 phường, 13 đặc khu; thị trấn only before the reform.
    current = official.valid_on(AFTER).filter(kind="commune")
    assert current.filter(subtype="rural_commune").count() == 2621
    assert current.filter(subtype="ward").count() == 687
    assert current.filter(subtype="special_zone").count() == 13
    assert official.valid_on(BEFORE).filter(subtype="township").count() == 616

    # A code is resolved at a date.
    assert resolve_code("62", BEFORE).name == "Tỉnh Kon Tum"
    assert resolve_code("62", AFTER) is None
    assert resolve_code("51", AFTER).name == "Tỉnh Quảng Ngãi"
    assert resolve_code("51", BEFORE).valid_to == dt.date(2025, 6, 30)
    assert resolve_code("00070", AFTER).name == "Phường Hoàn Kiếm"

    # Tree shape: before the reform province → district → commune; after, province → commune.
    old_commune = resolve_code("00001", BEFORE)  # Phường Phúc Xá, Quận Ba Đình
    assert old_commune.parent.kind == "district"
    assert old_commune.parent.parent.code == "01"
    assert old_commune.path.startswith(old_commune.parent.parent.path)
    assert resolve_code("00070", AFTER).parent.code == "01"

    # Names are normalised: no double spaces anywhere.
    assert not official.filter(name__contains="  ").exists()

    # The old → new mapping: every pre-2025 commune and province has a successor;
    # 471 communes were split over several new ones, exactly one of them the default.
    legacy_communes = official.valid_on(BEFORE).filter(kind="commune")
    assert legacy_communes.filter(successions__isnull=True).count() == 0
    assert official.valid_on(BEFORE).filter(kind="province", successions__isnull=True).count() == 0
    split = UnitSuccession.objects.filter(is_default=False).values("predecessor").distinct()
    assert split.count() == 471
    phuc_xa = UnitSuccession.objects.get(predecessor=old_commune)
    assert phuc_xa.successor.name == "Phường Hồng Hà"
    kon_tum = UnitSuccession.objects.get(predecessor=resolve_code("62", BEFORE))
    assert kon_tum.successor == resolve_code("51", AFTER)

    # Two loads in a row: the second changes nothing and writes no audit event.
    events = AuditEvent.objects.filter(verb="divisions.load").count()
    assert events == 1
    second = load_divisions(actor="test")
    assert (second.created, second.updated, second.successions_created) == (0, 0, 0)
    assert second.unchanged == first.created
    assert AuditEvent.objects.filter(verb="divisions.load").count() == events

    # A name edited by hand (or changed upstream) is brought back to the official spelling.
    Unit.objects.filter(pk=resolve_code("00070", AFTER).pk).update(name="Phường  Hoàn   Kiếm cũ")
    assert load_divisions(actor="test").updated == 1
    assert resolve_code("00070", AFTER).name == "Phường Hoàn Kiếm"
