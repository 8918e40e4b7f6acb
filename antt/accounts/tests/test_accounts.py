"""Accounts: ``assign_role`` and ``issue_token`` commands, audited logins, jurisdiction paths."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from antt.accounts.models import RoleAssignment, User
from antt.core.models import AuditEvent
from antt.units.models import Unit, UnitSuccession
from antt.units.services import create_unit
from conftest import PASSWORD, REFORM, Personas, Tree

LEGACY_END = dt.date(2025, 6, 30)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def events(verb: str, **filters: object) -> int:
    return AuditEvent.objects.filter(verb=verb, **filters).count()


# --- antt assign_role ----------------------------------------------------------------------------


def test_assign_role_creates_the_user_with_a_password(tree: Tree) -> None:
    out = run("assign_role", "can_bo_moi", "commune_officer", "00070", "--password", PASSWORD)
    assert out == "Đã tạo can_bo_moi: Cán bộ cấp xã — Phường Hoàn Kiếm (00070)"
    user = User.objects.get(username="can_bo_moi")
    assert user.check_password(PASSWORD)
    assert list(user.role_assignments.values_list("role", "unit__code")) == [
        ("commune_officer", "00070")
    ]
    assert events("user.create", actor_label="cli:assign_role", object_id=str(user.pk)) == 1
    assert events("role.assign", actor_label="cli:assign_role", unit_path=tree.commune_a1.path) == 1


def test_assign_role_is_idempotent(tree: Tree) -> None:
    run("assign_role", "can_bo_moi", "commune_officer", "00070", "--password", PASSWORD)
    out = run("assign_role", "can_bo_moi", "commune_officer", "00070")
    assert out.startswith("Đã cập nhật can_bo_moi")
    assert User.objects.get(username="can_bo_moi").check_password(PASSWORD)  # kept
    assert RoleAssignment.objects.filter(user__username="can_bo_moi").count() == 1
    assert events("user.create", actor_label="cli:assign_role") == 1
    assert events("role.assign", actor_label="cli:assign_role") == 1


def test_assign_role_resets_the_password_when_given(tree: Tree) -> None:
    run("assign_role", "can_bo_moi", "viewer", "00070", "--password", PASSWORD)
    run("assign_role", "can_bo_moi", "viewer", "00070", "--password", "Mat-khau-moi-2026")
    assert User.objects.get(username="can_bo_moi").check_password("Mat-khau-moi-2026")


def test_assign_role_adds_a_second_role(tree: Tree) -> None:
    run("assign_role", "can_bo_moi", "viewer", "00070")
    run("assign_role", "can_bo_moi", "viewer", "79")
    assignments = RoleAssignment.objects.filter(user__username="can_bo_moi")
    assert set(assignments.values_list("unit__code", flat=True)) == {"00070", "79"}


def test_assign_role_with_an_unknown_unit_code_fails(tree: Tree) -> None:
    with pytest.raises(CommandError, match="99999"):
        run("assign_role", "can_bo_moi", "viewer", "99999")
    assert not User.objects.filter(username="can_bo_moi").exists()
    assert events("role.assign", actor_label="cli:assign_role") == 0


def test_assign_role_with_an_unknown_role_fails(tree: Tree) -> None:
    with pytest.raises(CommandError, match="thu_truong"):
        run("assign_role", "can_bo_moi", "thu_truong", "00070")


def test_assign_role_resolves_the_code_at_the_given_date(tree: Tree) -> None:
    legacy = create_unit(actor="test", code="01", name="Thành phố Hà Nội (cũ)", kind="province",
                         parent=None, valid_to=LEGACY_END)
    run("assign_role", "lich_su", "viewer", "01", "--date", "2024-01-01")
    run("assign_role", "hien_tai", "viewer", "01")
    assert RoleAssignment.objects.get(user__username="lich_su").unit == legacy
    assert RoleAssignment.objects.get(user__username="hien_tai").unit == tree.province_a


# --- antt issue_token ----------------------------------------------------------------------------


def me_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code


def test_issue_token_prints_a_key_that_authenticates(personas: Personas) -> None:
    key = run("issue_token", "xa_a1")
    assert len(key) == 40
    assert int(key, 16) >= 0  # hexadecimal
    assert me_status(key) == 200
    assert events("token.issue", actor_label="cli:issue_token",
                  object_id=str(personas.commune_a1_officer.pk)) == 1


def test_a_new_token_revokes_the_previous_one(personas: Personas) -> None:
    first = run("issue_token", "xa_a1")
    second = run("issue_token", "xa_a1")
    assert first != second
    assert me_status(first) == 401
    assert me_status(second) == 200
    assert events("token.issue", actor_label="cli:issue_token") == 2


def test_issue_token_for_an_unknown_user_fails(db: None) -> None:
    with pytest.raises(CommandError, match="khong_co_ai"):
        run("issue_token", "khong_co_ai")


# --- logins are audited --------------------------------------------------------------------------


@pytest.fixture
def _plain_static_storage(settings: Any) -> None:
    """The login page renders; without a collected manifest (as `make test` runs)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_a_successful_login_is_audited(personas: Personas) -> None:
    response = APIClient().post("/accounts/login/", {"username": "xa_a1", "password": PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="auth.login")
    assert event.actor == personas.commune_a1_officer
    assert event.ip_address == "127.0.0.1"
    assert events("auth.login_failed") == 0


@pytest.mark.usefixtures("_plain_static_storage")
@pytest.mark.parametrize("username", ["xa_a1", "khong_co_ai"])
def test_a_failed_login_is_audited(username: str, personas: Personas) -> None:
    response = APIClient().post("/accounts/login/", {"username": username, "password": "sai"})
    assert response.status_code == 200  # the form again, with its error
    event = AuditEvent.objects.get(verb="auth.login_failed")
    assert event.actor is None
    assert event.actor_label == f"anonymous:{username}"
    assert event.object_repr == username
    assert events("auth.login") == 0


# --- jurisdiction paths --------------------------------------------------------------------------


@pytest.fixture
def legacy_hanoi(tree: Tree) -> dict[str, Unit]:
    """Pre-2025 Hà Nội → Quận Hoàn Kiếm → Phường Hàng Bạc, merged into the new Phường Hoàn Kiếm."""

    def old(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        return create_unit(actor="test", code=code, name=name, kind=kind, parent=parent,
                           valid_to=LEGACY_END)

    province = old("01", "Thành phố Hà Nội", "province", None)
    district = old("002", "Quận Hoàn Kiếm", "district", province)
    commune = old("00073", "Phường Hàng Bạc", "commune", district)
    UnitSuccession.objects.create(predecessor=province, successor=tree.province_a,
                                  effective_date=REFORM)
    UnitSuccession.objects.create(predecessor=commune, successor=tree.commune_a1,
                                  effective_date=REFORM)
    return {"province": province, "district": district, "commune": commune}


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no cached grants or paths


def test_jurisdiction_includes_the_communes_merged_into_yours(
    personas: Personas, tree: Tree, legacy_hanoi: dict[str, Unit]
) -> None:
    officer = fresh(personas.commune_a1_officer)
    assert set(officer.jurisdiction_paths() or ()) == {
        tree.commune_a1.path,
        legacy_hanoi["commune"].path,
    }
    visible = set(Unit.objects.visible_to(officer).values_list("code", flat=True))
    assert "00073" in visible
    assert "002" not in visible  # the old district was not merged into the commune


def test_jurisdiction_paths_are_minimal(
    personas: Personas, tree: Tree, legacy_hanoi: dict[str, Unit]
) -> None:
    # The old commune lies under the old province: one prefix covers both.
    assert set(fresh(personas.province_a_officer).jurisdiction_paths() or ()) == {
        tree.province_a.path,
        legacy_hanoi["province"].path,
    }


def test_jurisdiction_of_other_personas_is_unchanged_by_history(
    personas: Personas, tree: Tree, legacy_hanoi: dict[str, Unit]
) -> None:
    assert fresh(personas.national_admin).jurisdiction_paths() is None
    assert fresh(personas.commune_b1_officer).jurisdiction_paths() == (tree.commune_b1.path,)
    assert fresh(personas.area_a1_head).jurisdiction_paths() == (tree.area_a1.path,)
    assert fresh(personas.outsider).jurisdiction_paths() == ()
