"""Signing in as the regulation's trust requires: two-factor authentication for the roles that
decide or administer, lockout, password policy, idle sessions, audited refusals, API tokens."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from antt.accounts import twofactor
from antt.accounts.models import User
from antt.accounts.services import assign_role, issue_token
from antt.core.models import AuditEvent
from antt.units.models import Unit
from antt.units.services import move_unit
from conftest import PASSWORD, Personas, Tree

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
THROTTLED_FOR = dt.timedelta(seconds=3)  # time_machine.travel(timedelta) moves the clock on

def sign_in(client: Client, user: User, password: str = PASSWORD, next_url: str = "/") -> Any:
    return client.post(LOGIN, {"username": user.username, "password": password, "next": next_url})


def events(verb: str, **filters: Any) -> int:
    return AuditEvent.objects.filter(verb=verb, **filters).count()


# --- who needs the second factor ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "needed"),
    [
        ("national_admin", True),
        ("province_a_officer", True),
        ("commune_a1_officer", True),
        ("commune_b1_officer", True),
        ("area_a1_head", False),
        ("outsider", False),
    ],
)
def test_the_roles_that_decide_or_administer_need_two_factor(
    personas: Personas, persona: str, needed: bool
) -> None:
    assert twofactor.requires_two_factor(getattr(personas, persona)) is needed


def test_committee_members_and_viewers_do_not(tree: Tree) -> None:
    for role in ("committee_member", "viewer"):
        user, _, _ = assign_role(actor="test", username=role, role=role, unit=tree.commune_a1)
        assert not twofactor.requires_two_factor(user)


# --- enrolment and the second step --------------------------------------------------------------


@pytest.mark.real_two_factor
def test_an_officer_without_a_device_is_sent_to_enrolment_and_enrols(personas: Personas) -> None:
    client = Client()
    officer = personas.commune_a1_officer
    assert sign_in(client, officer)["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:2fa-setup"))
    assert client.get("/api/v1/me/").status_code == 403  # the session API too

    page = client.get(reverse("accounts:2fa-setup"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code, inline (no image request)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert " ".join(page.context["secret"].split()) in page.content.decode()

    wrong = client.post(reverse("accounts:2fa-setup"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "Mã xác nhận không đúng" in wrong.content.decode()
    assert events("auth.2fa_enrol_failed", actor=officer) == 1

    device.refresh_from_db()
    with time_machine.travel(THROTTLED_FOR):  # django-otp makes one wait after a wrong code
        response = client.post(reverse("accounts:2fa-setup"), {"code": _code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT == len(set(codes))
    assert all(code in response.content.decode() for code in codes)
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert events("auth.2fa_enrol", actor=officer) == 1
    assert client.get("/").status_code == 200
    # Shown once: the codes are on no other page.
    assert codes[0] not in client.get(reverse("accounts:2fa-recovery")).content.decode()


def _code(device: TOTPDevice) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.mark.real_two_factor
def test_an_enrolled_officer_is_asked_the_code_after_the_password(personas: Personas) -> None:
    officer = personas.province_a_officer
    twofactor.enrol_for_tests(officer)
    client = Client()
    sign_in(client, officer, next_url="/units/")
    response = client.get("/units/")
    assert response["Location"] == reverse("accounts:2fa-verify") + "?next=%2Funits%2F"
    assert client.get("/admin/").status_code == 302

    wrong = client.post(reverse("accounts:2fa-verify"), {"code": "123456", "next": "/units/"})
    assert wrong.status_code == 400
    assert "Mã xác thực không đúng" in wrong.content.decode()
    assert events("auth.2fa_failed", actor=officer) == 1

    with time_machine.travel(THROTTLED_FOR):
        right = client.post(
            reverse("accounts:2fa-verify"),
            {"code": twofactor.current_code(officer), "next": "/units/"},
        )
        assert right["Location"] == "/units/"
        assert client.get("/units/").status_code == 200
    assert events("auth.2fa", actor=officer) == 1


@pytest.mark.real_two_factor
def test_the_next_address_cannot_leave_the_site(personas: Personas) -> None:
    officer = personas.commune_b1_officer
    twofactor.enrol_for_tests(officer)
    client = Client()
    sign_in(client, officer)
    response = client.post(
        reverse("accounts:2fa-verify"),
        {"code": twofactor.current_code(officer), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


@pytest.mark.real_two_factor
def test_current_code_serves_two_logins_in_the_same_half_minute(personas: Personas) -> None:
    officer = personas.commune_a1_officer
    twofactor.enrol_for_tests(officer)
    for _ in range(2):
        client = Client()
        sign_in(client, officer)
        response = client.post(
            reverse("accounts:2fa-verify"), {"code": twofactor.current_code(officer)}
        )
        assert response.status_code == 302
        assert client.get("/").status_code == 200


@pytest.mark.real_two_factor
def test_a_used_code_is_refused(personas: Personas) -> None:
    officer = personas.commune_a1_officer
    twofactor.enrol_for_tests(officer)
    code = twofactor.current_code(officer)
    first, second = Client(), Client()
    for client in (first, second):
        sign_in(client, officer)
    assert first.post(reverse("accounts:2fa-verify"), {"code": code}).status_code == 302
    assert second.post(reverse("accounts:2fa-verify"), {"code": code}).status_code == 400


@pytest.mark.real_two_factor
def test_a_recovery_code_works_once(client: Client, personas: Personas) -> None:
    officer = personas.commune_a1_officer
    twofactor.enrol_for_tests(officer)
    verified = Client()
    verified.force_login(officer)  # the conftest hook is off: verify by code
    verified.post(reverse("accounts:2fa-verify"), {"code": twofactor.current_code(officer)})
    page = verified.post(reverse("accounts:2fa-recovery"))
    codes = page.context["codes"]
    assert StaticToken.objects.filter(device__user=officer).count() == len(codes)

    sign_in(client, officer)
    spaced = f" {codes[0][:4]} {codes[0][4:].upper()} "  # typed with spaces, in capitals
    assert client.post(reverse("accounts:2fa-verify"), {"code": spaced}).status_code == 302
    assert events("auth.2fa_recovery_used", actor=officer) == 1
    again = Client()
    sign_in(again, officer)
    assert again.post(reverse("accounts:2fa-verify"), {"code": codes[0]}).status_code == 400


@pytest.mark.real_two_factor
def test_a_unit_head_signs_in_with_the_password_alone(personas: Personas) -> None:
    client = Client()
    sign_in(client, personas.area_a1_head)
    assert client.get("/").status_code == 200


@pytest.mark.real_two_factor
def test_an_unverified_session_cannot_re_enrol(personas: Personas) -> None:
    """Replacing the phone needs the old phone or a recovery code first."""
    officer = personas.commune_a1_officer
    twofactor.enrol_for_tests(officer)
    client = Client()
    sign_in(client, officer)
    response = client.get(reverse("accounts:2fa-setup"))
    assert response["Location"] == reverse("accounts:2fa-verify")
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_api_tokens_need_no_second_factor(personas: Personas) -> None:
    officer = personas.national_admin
    TOTPDevice.objects.filter(user=officer).delete()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(actor='test', user=officer).key}")
    assert client.get("/api/v1/me/").status_code == 200


def test_force_login_in_tests_is_a_verified_session(client: Client, personas: Personas) -> None:
    client.force_login(personas.national_admin)
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.filter(user=personas.national_admin, confirmed=True).exists()


@pytest.mark.real_two_factor
def test_the_admin_site_needs_the_second_factor(personas: Personas) -> None:
    admin = personas.national_admin
    twofactor.enrol_for_tests(admin)
    client = Client()
    client.force_login(admin)  # password only: the hook is off
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:2fa-verify"))
    client.post(reverse("accounts:2fa-verify"), {"code": twofactor.current_code(admin)})
    assert client.get("/admin/").status_code == 200
    assert Client().get("/admin/login/")["Location"] == reverse("accounts:login")


# --- lockout ------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_and_are_audited(
    client: Client, personas: Personas
) -> None:
    head = personas.area_a1_head
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, head, password="sai-mat-khau-roi")
    assert response.status_code == 429
    assert events("auth.login_failed", object_repr=head.username) == 5
    assert events("auth.locked_out", object_repr=head.username) >= 1
    locked = sign_in(Client(), head)  # even the right password, from anywhere
    assert locked.status_code == 429
    assert "tạm thời bị khoá" in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_the_lockout_ends_after_the_cool_off(client: Client, personas: Personas) -> None:
    head = personas.area_a1_head
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, head, password="sai-mat-khau-roi")
    later = dt.datetime.now(dt.UTC) + django_settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    with time_machine.travel(later):
        assert sign_in(Client(), head).status_code == 302


# --- password policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("ngan-qua", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự"),
        ("password123", "quá phổ biến"),
        ("1234567890123", "hoàn toàn là số"),
        ("truong_kdc_a1", "quá giống"),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(
    personas: Personas, password: str, message: str
) -> None:
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password(password, personas.area_a1_head)
    assert message in " ".join(refused.value.messages)


def test_assigning_a_role_with_a_weak_password_is_refused(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        assign_role(actor="test", username="can_bo_moi", role="viewer", unit=tree.commune_a1,
                    password="123")
    assert not User.objects.filter(username="can_bo_moi").exists()


def test_changing_the_password_is_audited(client: Client, personas: Personas) -> None:
    head = personas.area_a1_head
    client.force_login(head)
    url = reverse("accounts:password-change")
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "abc",
                             "new_password2": "abc"})
    assert "Mật khẩu quá ngắn" in weak.content.decode()
    strong = "Tổ-dân-phố-1-an-toàn-2026"
    done = client.post(url, {"old_password": PASSWORD, "new_password1": strong,
                             "new_password2": strong})
    assert done.status_code == 302
    head.refresh_from_db()
    assert head.check_password(strong)
    assert events("auth.password_change", actor=head) == 1


# --- sessions -----------------------------------------------------------------------------------


def test_an_idle_session_ends(settings: Any, personas: Personas) -> None:
    settings.ANTT_SESSION_RENEW_SECONDS = 60
    settings.SESSION_COOKIE_AGE = 30 * 60
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        client.force_login(personas.area_a1_head)
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert client.get("/").status_code == 200  # renews the half hour
    with time_machine.travel(start + dt.timedelta(minutes=45), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=80), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def _session_writes(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum('"django_session"' in q["sql"] and not q["sql"].startswith("SELECT")
               for q in ctx.captured_queries)


def test_a_session_is_renewed_at_most_once_a_minute(settings: Any, personas: Personas) -> None:
    settings.ANTT_SESSION_RENEW_SECONDS = 60
    settings.SESSION_COOKIE_AGE = 30 * 60
    start = dt.datetime.now(dt.UTC)
    client = Client()
    url = reverse("accounts:password-change")
    with time_machine.travel(start, tick=False):
        client.force_login(personas.area_a1_head)
        assert _session_writes(client, url) == 1  # never renewed yet
        assert _session_writes(client, url) == 0
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        assert _session_writes(client, url) == 0
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert _session_writes(client, url) == 1
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        # renewed at 61 s: the session still holds, 30 minutes idle have not passed
        assert _session_writes(client, url) == 1


def test_an_anonymous_request_starts_no_session(settings: Any) -> None:
    settings.ANTT_SESSION_RENEW_SECONDS = 60
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


def test_sessions_end_with_the_browser_and_cookies_are_http_only() -> None:
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_AGE <= 60 * 60


# --- refusals are audited -------------------------------------------------------------------------


def test_a_unit_outside_the_jurisdiction_is_404_and_audited(
    client: Client, tree: Tree, personas: Personas
) -> None:
    officer = personas.commune_b1_officer
    client.force_login(officer)
    assert client.get(f"/units/{tree.area_a1.code}/").status_code == 404
    event = AuditEvent.objects.get(verb="access.not_found", actor=officer)
    assert event.object_repr == f"/units/{tree.area_a1.code}/"
    assert event.changes == {"method": "GET", "status": 404}


def test_a_forbidden_action_is_403_and_audited(client: Client, personas: Personas) -> None:
    client.force_login(personas.area_a1_head)
    assert client.get("/units/import/").status_code == 403
    assert events("access.denied", actor=personas.area_a1_head) == 1


def test_anonymous_probes_are_not_logged(client: Client, db: None) -> None:
    assert client.get("/khong-co-trang-nay/").status_code == 404
    assert not AuditEvent.objects.filter(verb__startswith="access.").exists()


def test_a_commune_officer_cannot_move_a_unit_out_of_its_commune(
    tree: Tree, personas: Personas
) -> None:
    before = list(Unit.objects.order_by("pk").values_list("pk", "parent_id", "path"))
    with pytest.raises(PermissionDenied):
        move_unit(actor=personas.commune_a1_officer, unit=tree.area_a1, new_parent=tree.commune_b1)
    with pytest.raises(PermissionDenied):  # nor bring one in from elsewhere
        move_unit(actor=personas.commune_a1_officer, unit=tree.area_b1, new_parent=tree.commune_a1)
    assert list(Unit.objects.order_by("pk").values_list("pk", "parent_id", "path")) == before


# --- API tokens ---------------------------------------------------------------------------------


def test_tokens_are_listed_without_their_keys(client: Client, personas: Personas) -> None:
    key = issue_token(actor="test", user=personas.area_a1_head).key
    client.force_login(personas.province_a_officer)
    page = client.get(reverse("accounts:token-list"))
    assert personas.area_a1_head.username in page.content.decode()
    assert key not in page.content.decode()
    listed = client.get("/api/v1/tokens/").json()
    assert listed == [
        {"username": "truong_kdc_a1", "full_name": "", "created": listed[0]["created"]}
    ]


def test_an_administrator_issues_a_token_shown_once(client: Client, personas: Personas) -> None:
    client.force_login(personas.province_a_officer)
    page = client.post(reverse("accounts:token-list"), {"username": "xa_a1"})
    key = Token.objects.get(user=personas.commune_a1_officer).key
    assert key in page.content.decode()
    assert key not in client.get(reverse("accounts:token-list")).content.decode()
    assert events("token.issue", actor=personas.province_a_officer) == 1
    # Not for a user of another province, nor by a commune officer.
    other = client.post(reverse("accounts:token-list"), {"username": "xa_b1"})
    assert other.status_code == 400
    assert not Token.objects.filter(user=personas.commune_b1_officer).exists()
    client.force_login(personas.commune_a1_officer)
    refused = client.post(reverse("accounts:token-list"), {"username": "truong_kdc_a1"})
    assert refused.status_code == 403


def test_a_user_revokes_their_own_token_and_it_stops_working(
    client: Client, personas: Personas
) -> None:
    head = personas.area_a1_head
    key = issue_token(actor="test", user=head).key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    client.force_login(head)
    response = client.post(reverse("accounts:token-revoke", args=[head.username]))
    assert response.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    assert events("token.revoke", actor=head) == 1


def test_token_endpoints_refuse_token_authentication(personas: Personas) -> None:
    """Listing and issuing need a signed-in, verified session: a stolen token cannot mint
    another one."""
    admin = personas.national_admin
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(actor='test', user=admin).key}")
    assert api.get("/api/v1/tokens/").status_code == 403
    assert api.post("/api/v1/tokens/", {"username": "xa_a1"}, format="json").status_code == 403
    assert not Token.objects.filter(user=personas.commune_a1_officer).exists()


def test_drf_token_admin_is_not_registered() -> None:
    from django.contrib import admin
    from rest_framework.authtoken.models import TokenProxy

    assert not admin.site.is_registered(TokenProxy)


def test_the_login_page_shows_no_key_or_secret_in_its_markup(client: Client, db: None) -> None:
    html = client.get(LOGIN).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
