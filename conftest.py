"""Personas over a small two-province tree (Healthchecks' alice/bob/charlie, at our scale).

Province A (01, Hà Nội) → commune A1 (00070 Phường Hoàn Kiếm) → Tổ dân phố 1, a THCS school,
                                                                 a medium enterprise;
                       → commune A2 (00097 Phường Hồng Hà) → Tổ dân phố 2
Province B (79, TP Hồ Chí Minh) → commune B1 (26734 Phường Sài Gòn) → Khu phố 3
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

from antt.accounts import twofactor
from antt.accounts.models import User
from antt.accounts.services import assign_role
from antt.units.models import Unit
from antt.units.services import create_unit

REFORM = dt.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    """PBKDF2's million rounds are for attackers, not for a test suite; pages render without
    `collectstatic` (production serves hashed files from the manifest)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The test client and the browser tests' live server speak plain HTTP; the production
    # HTTPS settings are checked by antt/core/tests/test_deploy_check.py.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    # Tests travel in time (time_machine) with one session; renewing its expiry on each request
    # would date it in the travelled-to past. The idle timeout is tested on its own
    # (antt/accounts/tests/test_security.py).
    settings.SESSION_SAVE_EVERY_REQUEST = False
    settings.ANTT_SESSION_RENEW_SECONDS = None


def _verify_forced_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    # Only the test client's force_login/login builds a bare HttpRequest; a login through the
    # pages (a WSGIRequest) goes through the real second step.
    if type(request) is not HttpRequest:
        return
    if twofactor.requires_two_factor(user) or twofactor.has_device(user):
        if not twofactor.has_device(user):
            twofactor.enrol_for_tests(user)
        device = twofactor.TOTPDevice.objects.get(user=user, confirmed=True)
        request.session[twofactor.DEVICE_ID_SESSION_KEY] = device.persistent_id


@pytest.fixture(autouse=True)
def _force_login_is_verified(request: pytest.FixtureRequest) -> Any:
    """``client.force_login(user)`` stands for a complete sign-in, second factor included: a
    user who must use two-factor authentication gets a TOTP device (when missing) and a verified
    session. Tests of the sign-in itself mark themselves ``real_two_factor`` to opt out."""
    if request.node.get_closest_marker("real_two_factor"):
        yield
        return
    user_logged_in.connect(_verify_forced_login, dispatch_uid="tests-verified-login")
    yield
    user_logged_in.disconnect(dispatch_uid="tests-verified-login")


@dataclass
class Tree:
    province_a: Unit
    commune_a1: Unit
    commune_a2: Unit
    area_a1: Unit
    school_a1: Unit
    enterprise_a1: Unit
    area_a2: Unit
    province_b: Unit
    commune_b1: Unit
    area_b1: Unit

    def all(self) -> list[Unit]:
        return list(vars(self).values())


@pytest.fixture
def tree(db: None) -> Tree:
    def unit(code: str, name: str, kind: str, parent: Unit | None, **kw: object) -> Unit:
        return create_unit(
            actor="test", code=code, name=name, kind=kind, parent=parent, valid_from=REFORM, **kw
        )

    pa = unit("01", "Thành phố Hà Nội", "province", None)
    a1 = unit("00070", "Phường Hoàn Kiếm", "commune", pa, subtype="ward")
    a2 = unit("00097", "Phường Hồng Hà", "commune", pa, subtype="ward")
    pb = unit("79", "Thành phố Hồ Chí Minh", "province", None)
    b1 = unit("26734", "Phường Sài Gòn", "commune", pb, subtype="ward")
    return Tree(
        province_a=pa,
        commune_a1=a1,
        commune_a2=a2,
        area_a1=unit("00070-TDP01", "Tổ dân phố 1", "residential_area", a1, subtype="to_dan_pho"),
        school_a1=unit(
            "00070-THCS",
            "Trường THCS Ngô Sĩ Liên",
            "school",
            a1,
            education_level="lower_secondary",
            managing_level="commune",
        ),
        enterprise_a1=unit(
            "00070-DN01",
            "Công ty TNHH Thương mại Hồ Gươm",
            "enterprise",
            a1,
            enterprise_size="medium",
            managing_level="province",
        ),
        area_a2=unit("00097-TDP02", "Tổ dân phố 2", "residential_area", a2, subtype="to_dan_pho"),
        province_b=pb,
        commune_b1=b1,
        area_b1=unit("26734-KP03", "Khu phố 3", "residential_area", b1, subtype="khu_pho"),
    )


@dataclass
class Personas:
    national_admin: User
    province_a_officer: User
    commune_a1_officer: User
    commune_b1_officer: User
    area_a1_head: User
    outsider: User

    def items(self) -> list[tuple[str, User]]:
        return list(vars(self).items())


PASSWORD = "Mat-khau-thu-nghiem-2025"  # noqa: S105


@pytest.fixture
def personas(tree: Tree) -> Personas:
    def person(username: str, role: str | None, unit: Unit | None) -> User:
        if role is None:
            user = User.objects.create_user(username=username, password=PASSWORD)
        else:
            user, _, _ = assign_role(
                actor="test", username=username, role=role, unit=unit, password=PASSWORD
            )
        return user

    return Personas(
        national_admin=person("quantri", "national_admin", tree.province_a),
        province_a_officer=person("tinh_a", "province_officer", tree.province_a),
        commune_a1_officer=person("xa_a1", "commune_officer", tree.commune_a1),
        commune_b1_officer=person("xa_b1", "commune_officer", tree.commune_b1),
        area_a1_head=person("truong_kdc_a1", "unit_head", tree.area_a1),
        outsider=person("nguoi_ngoai", None, None),
    )


def expected_visible(persona: str, tree: Tree) -> set[str]:
    """The codes each persona must see: the regulation of jurisdiction, written out by hand."""
    a1 = {"00070", "00070-TDP01", "00070-THCS", "00070-DN01"}
    a2 = {"00097", "00097-TDP02"}
    b1 = {"26734", "26734-KP03"}
    return {
        "national_admin": {u.code for u in tree.all()},
        "province_a_officer": {"01"} | a1 | a2,
        "commune_a1_officer": a1,
        "commune_b1_officer": b1,
        "area_a1_head": {"00070-TDP01"},
        "outsider": set(),
    }[persona]
