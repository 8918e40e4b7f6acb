"""``rules.can``: who may act where. Pure values, no database."""

from __future__ import annotations

import pytest

from antt.accounts.rules import Action, Grant, Role, can

PROVINCE = "/1/"
COMMUNE = "/1/2/"
AREA = "/1/2/3/"
OTHER_PROVINCE = "/10/"  # shares the "1" prefix with /1/ but not the subtree
OTHER_COMMUNE = "/1/4/"

V, M, A = Action.VIEW, Action.MANAGE_UNITS, Action.ASSIGN_ROLES


@pytest.mark.parametrize(
    ("role", "granted_at", "action", "target", "allowed"),
    [
        # a nationwide role acts anywhere, whatever unit it was assigned on
        (Role.NATIONAL_ADMIN, PROVINCE, V, OTHER_PROVINCE, True),
        (Role.NATIONAL_ADMIN, PROVINCE, M, OTHER_PROVINCE, True),
        (Role.NATIONAL_ADMIN, PROVINCE, A, "/", True),
        # a province officer manages and assigns inside its province only
        (Role.PROVINCE_OFFICER, PROVINCE, V, PROVINCE, True),
        (Role.PROVINCE_OFFICER, PROVINCE, M, AREA, True),
        (Role.PROVINCE_OFFICER, PROVINCE, A, COMMUNE, True),
        (Role.PROVINCE_OFFICER, PROVINCE, M, OTHER_PROVINCE, False),
        (Role.PROVINCE_OFFICER, PROVINCE, V, "/", False),
        # a commune officer manages units but does not assign roles
        (Role.COMMUNE_OFFICER, COMMUNE, M, COMMUNE, True),
        (Role.COMMUNE_OFFICER, COMMUNE, M, AREA, True),
        (Role.COMMUNE_OFFICER, COMMUNE, A, AREA, False),
        (Role.COMMUNE_OFFICER, COMMUNE, M, OTHER_COMMUNE, False),
        (Role.COMMUNE_OFFICER, COMMUNE, V, PROVINCE, False),
        # view-only roles
        (Role.UNIT_HEAD, AREA, V, AREA, True),
        (Role.UNIT_HEAD, AREA, M, AREA, False),
        (Role.UNIT_HEAD, AREA, V, COMMUNE, False),
        (Role.COMMITTEE_MEMBER, PROVINCE, V, AREA, True),
        (Role.COMMITTEE_MEMBER, PROVINCE, M, AREA, False),
        (Role.VIEWER, COMMUNE, V, AREA, True),
        (Role.VIEWER, COMMUNE, A, AREA, False),
    ],
)
def test_can(role: Role, granted_at: str, action: Action, target: str, allowed: bool) -> None:
    assert can([Grant(role, granted_at)], action, target) is allowed


def test_no_grants_means_nothing() -> None:
    assert not any(can([], action, PROVINCE) for action in Action)


def test_grants_add_up() -> None:
    grants = [Grant(Role.VIEWER, PROVINCE), Grant(Role.COMMUNE_OFFICER, OTHER_COMMUNE)]
    assert can(grants, M, "/1/4/9/")
    assert not can(grants, M, AREA)
    assert can(grants, V, AREA)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_view_its_own_subtree(role: Role) -> None:
    assert can([Grant(role, COMMUNE)], V, AREA)
