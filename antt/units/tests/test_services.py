"""Writes to the unit tree: only the services set paths; every write is checked and audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from antt.core.models import AuditEvent
from antt.units.models import Unit
from antt.units.services import create_unit, move_unit, resolve_code, update_unit

pytestmark = pytest.mark.django_db


def test_created_unit_gets_materialised_path_under_its_parent(tree):
    assert tree.area_a1.path == f"{tree.commune_a1.path}{tree.area_a1.pk}/"
    assert tree.area_a1.depth == 2
    assert set(Unit.objects.under(tree.province_a).values_list("code", flat=True)) == {
        "00070",
        "00097",
        "00070-TDP01",
        "00070-THCS",
        "00070-DN01",
        "00097-TDP02",
    }


def test_create_unit_is_audited_with_its_fields(tree, personas):
    unit = create_unit(
        actor=personas.commune_a1_officer,
        code="00070-TDP07",
        name="Tổ  dân phố   7",
        kind="residential_area",
        parent=tree.commune_a1,
    )
    assert unit.name == "Tổ dân phố 7"
    assert unit.name_folded == "to dan pho 7"
    event = AuditEvent.objects.get(verb="unit.create", object_id=str(unit.pk))
    assert event.actor == personas.commune_a1_officer
    assert event.unit_path == unit.path
    assert event.changes["code"] == "00070-TDP07"


def test_commune_officer_cannot_create_in_another_commune(tree, personas):
    with pytest.raises(PermissionDenied):
        create_unit(
            actor=personas.commune_a1_officer,
            code="X1",
            name="Thôn X",
            kind="residential_area",
            parent=tree.commune_b1,
        )
    assert not Unit.objects.filter(code="X1").exists()


def test_unit_head_cannot_manage_units(tree, personas):
    with pytest.raises(PermissionDenied):
        update_unit(actor=personas.area_a1_head, unit=tree.area_a1, name="Tổ dân phố 1A")


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        ("residential_area", "province_a"),
        ("commune", "area_a1"),
        ("province", "commune_a1"),
        ("school", "area_a1"),
    ],
)
def test_tree_shape_is_enforced(tree, kind, parent_attr):
    with pytest.raises(ValidationError):
        create_unit(
            actor="test", code="BAD", name="Sai", kind=kind, parent=getattr(tree, parent_attr)
        )


def test_a_code_names_one_unit_per_day(tree):
    with pytest.raises(ValidationError, match="đã được dùng"):
        create_unit(
            actor="test",
            code="00070-TDP01",
            name="Trùng",
            kind="residential_area",
            parent=tree.commune_a1,
            valid_from=dt.date(2026, 1, 1),
        )
    # After the first one ends, the code may be given again.
    update_unit(actor="test", unit=tree.area_a1, valid_to=dt.date(2025, 12, 31))
    again = create_unit(
        actor="test",
        code="00070-TDP01",
        name="Tổ dân phố 1 (mới)",
        kind="residential_area",
        parent=tree.commune_a1,
        valid_from=dt.date(2026, 1, 1),
    )
    assert resolve_code("00070-TDP01", dt.date(2025, 9, 1)) == tree.area_a1
    assert resolve_code("00070-TDP01", dt.date(2026, 2, 1)) == again


def test_update_records_before_and_after(tree, personas):
    update_unit(actor=personas.province_a_officer, unit=tree.enterprise_a1, enterprise_size="small")
    event = AuditEvent.objects.get(verb="unit.update")
    assert event.changes == {"enterprise_size": ["medium", "small"]}
    assert tree.enterprise_a1.eligibility.eligible is False


def test_update_without_change_writes_nothing(tree):
    before = AuditEvent.objects.count()
    update_unit(actor="test", unit=tree.area_a1, name="Tổ dân phố 1")
    assert AuditEvent.objects.count() == before


def test_move_rewrites_the_whole_subtree(tree, personas):
    child = create_unit(
        actor="test",
        code="00070-THCS-A",
        name="Tổ chuyên môn",
        kind="residential_area",
        parent=tree.commune_a1,
    )
    move_unit(actor=personas.province_a_officer, unit=tree.commune_a1, new_parent=tree.province_a)
    moved = create_unit(actor="test", code="P-X", name="Tỉnh X", kind="province", parent=None)
    move_unit(actor="test", unit=tree.commune_a1, new_parent=moved)
    for unit in (tree.commune_a1, tree.area_a1, tree.school_a1, child):
        unit.refresh_from_db()
        assert unit.path.startswith(moved.path)
    assert tree.area_a1.depth == 2
    assert tree.area_a1.path == f"{moved.path}{tree.commune_a1.pk}/{tree.area_a1.pk}/"
    assert AuditEvent.objects.filter(verb="unit.move").count() == 2


def test_move_into_own_subtree_is_refused(tree):
    with pytest.raises(ValidationError):
        move_unit(actor="test", unit=tree.province_a, new_parent=tree.province_a)


def test_commune_officer_cannot_move_unit_out_of_scope(tree, personas):
    with pytest.raises(PermissionDenied):
        move_unit(actor=personas.commune_a1_officer, unit=tree.area_a1, new_parent=tree.commune_b1)
    tree.area_a1.refresh_from_db()
    assert tree.area_a1.parent == tree.commune_a1
