"""``/api/v1/me/``: the current user and their roles."""

from __future__ import annotations

from rest_framework.test import APIClient

from antt.accounts.models import User
from conftest import Personas

ME = "/api/v1/me/"


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_me_lists_roles_with_their_unit(personas: Personas) -> None:
    body = client_for(personas.commune_a1_officer).get(ME).json()
    assert body["username"] == "xa_a1"
    assert body["nationwide"] is False
    roles = [(r["role"], r["role_display"], r["unit_code"], r["unit_name"]) for r in body["roles"]]
    assert roles == [("commune_officer", "Cán bộ cấp xã", "00070", "Phường Hoàn Kiếm")]


def test_me_says_when_access_is_nationwide(personas: Personas) -> None:
    assert client_for(personas.national_admin).get(ME).json()["nationwide"] is True


def test_me_for_a_user_without_roles(personas: Personas) -> None:
    body = client_for(personas.outsider).get(ME).json()
    assert body["roles"] == []
    assert body["nationwide"] is False


def test_me_requires_authentication(db: None) -> None:
    assert APIClient().get(ME).status_code == 401


def test_me_is_read_only(personas: Personas) -> None:
    assert client_for(personas.outsider).post(ME, {}).status_code == 405
