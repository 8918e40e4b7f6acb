"""Jurisdiction in SQL: each persona sees exactly its subtrees, nothing else."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from antt.core.models import AuditEvent
from antt.units.models import Unit, UnitSuccession
from antt.units.services import create_unit
from conftest import Personas, expected_visible

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_queryset_is_scoped_to_persona(persona, tree, personas):
    user = getattr(personas, persona)
    visible = set(Unit.objects.visible_to(user).values_list("code", flat=True))
    assert visible == expected_visible(persona, tree)


def test_anonymous_sees_nothing(tree):
    assert not Unit.objects.visible_to(AnonymousUser()).exists()
    assert not Unit.objects.visible_to(None).exists()


def test_scoping_is_one_query_whatever_the_number_of_assignments(
    tree, personas, django_assert_num_queries
):
    user = personas.province_a_officer
    user.jurisdiction_paths()  # cached per user object, as in one request
    with django_assert_num_queries(1):
        list(Unit.objects.visible_to(user))


def test_sibling_prefix_does_not_leak(tree, personas):
    """Paths end with '/', so the subtree of /1/ never matches /12/."""
    paths = [u.path for u in tree.all()]
    assert all(p.endswith("/") for p in paths)
    officer = personas.commune_a1_officer
    assert not Unit.objects.visible_to(officer).filter(pk=tree.commune_a2.pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_events_are_scoped_by_unit_path(persona, tree, personas):
    user = getattr(personas, persona)
    seen_units = {
        e.object_repr for e in AuditEvent.objects.visible_to(user).filter(verb="unit.create")
    }
    expected = {u.name for u in tree.all() if u.code in expected_visible(persona, tree)}
    assert seen_units == expected


def test_current_commune_officer_sees_the_pre_reform_communes_it_succeeded(tree, personas):
    old_province = create_unit(
        actor="test",
        code="01",
        name="Thành phố Hà Nội",
        kind="province",
        parent=None,
        valid_to=dt.date(2025, 6, 30),
    )
    old_district = create_unit(
        actor="test",
        code="002",
        name="Quận Hoàn Kiếm",
        kind="district",
        parent=old_province,
        valid_to=dt.date(2025, 6, 30),
    )
    merged = [
        create_unit(
            actor="test",
            code=code,
            name=name,
            kind="commune",
            parent=old_district,
            valid_to=dt.date(2025, 6, 30),
        )
        for code, name in [("00037", "Phường Hàng Bạc"), ("00040", "Phường Hàng Bồ")]
    ]
    unrelated = create_unit(
        actor="test",
        code="00043",
        name="Phường Hàng Gai",
        kind="commune",
        parent=old_district,
        valid_to=dt.date(2025, 6, 30),
    )
    for old in merged:
        UnitSuccession.objects.create(
            predecessor=old, successor=tree.commune_a1, effective_date=dt.date(2025, 7, 1)
        )
    officer = personas.commune_a1_officer
    visible = set(Unit.objects.visible_to(officer).values_list("code", flat=True))
    assert {"00037", "00040"} <= visible
    assert unrelated.code not in visible
    assert "002" not in visible
