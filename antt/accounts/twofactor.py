"""Two-factor authentication (TOTP apps, with one-time recovery codes), on django-otp.

Who must use it: the roles that decide or administer (``REQUIRED_ROLES``: the national
administrator, the province officer and the commune officer, who sign the chair's decisions,
issue and annul certificates, and assign roles) and every staff account (the admin site).
Unit heads, committee members and viewers may enrol; once they have, the code is asked too.

A session is "verified" once a code from the user's TOTP app or a recovery code was accepted
(django-otp keeps the device in the session). ``antt.accounts.middleware.TwoFactorMiddleware``
sends an unverified session of such a user to the code page, or to enrolment when the user has
no device yet. API tokens are unaffected: they are issued by administrators.

For tests and browser tests only: ``enrol_for_tests(user)`` gives the user a confirmed TOTP
device and returns its secret; ``current_code(user)`` returns a code the device accepts now.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from antt.accounts.models import User
from antt.accounts.rules import Role
from antt.core import audit

__all__ = [
    "DEVICE_ID_SESSION_KEY",
    "RECOVERY_CODE_COUNT",
    "REQUIRED_ROLES",
    "TOTPDevice",
    "confirm_enrolment",
    "current_code",
    "enrol_for_tests",
    "has_device",
    "new_recovery_codes",
    "qr_svg",
    "requires_two_factor",
    "start_enrolment",
    "verify_code",
]

REQUIRED_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER})
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "totp"
RECOVERY_NAME = "recovery"


def requires_two_factor(user: User) -> bool:
    return (
        user.is_staff
        or user.is_superuser
        or any(grant.role in REQUIRED_ROLES for grant in user.grants())
    )


def has_device(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


@transaction.atomic
def start_enrolment(user: User) -> TOTPDevice:
    """A new, unconfirmed TOTP device (a fresh secret); an earlier unconfirmed one is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code for the authenticator app."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2))


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def confirm_enrolment(
    *, request: HttpRequest, user: User, device: TOTPDevice, code: str
) -> list[str] | None:
    """Confirm ``device`` with a code from the app: the older devices are replaced, the session
    is verified, and fresh recovery codes are returned (shown once). None when the code is wrong."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code.strip()):
        audit.record(actor=user, verb="auth.2fa_enrol_failed", obj=user, ip_address=_ip(request))
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_recovery_codes(user)
    otp_login(request, device)
    audit.record(actor=user, verb="auth.2fa_enrol", obj=user, ip_address=_ip(request))
    return codes


@transaction.atomic
def new_recovery_codes(*, request: HttpRequest, user: User) -> list[str]:
    codes = _replace_recovery_codes(user)
    audit.record(actor=user, verb="auth.2fa_recovery_codes", obj=user, ip_address=_ip(request))
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def verify_code(*, request: HttpRequest, user: User, code: str) -> bool:
    """Check a TOTP or recovery code against the user's devices (django-otp throttles repeated
    failures); on success the session is verified. Audited either way."""
    code = "".join(code.split()).lower()
    with transaction.atomic():
        for device in _devices(user):
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                otp_login(request, device)
                verb = "auth.2fa_recovery_used" if isinstance(device, StaticDevice) else "auth.2fa"
                audit.record(actor=user, verb=verb, obj=user, ip_address=_ip(request))
                return True
    audit.record(actor=user, verb="auth.2fa_failed", obj=user, ip_address=_ip(request))
    return False


def _devices(user: User) -> Iterable[TOTPDevice | StaticDevice]:
    return devices_for_user(user, confirmed=True, for_verify=True)  # type: ignore[no-any-return]


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# --- for tests and browser tests only -------------------------------------------------------------


def enrol_for_tests(user: User) -> str:
    """Give ``user`` a confirmed TOTP device (replacing any) and return its secret (hex).

    Tests then log in through the pages with ``current_code(user)``, or use Django's
    ``client.force_login`` (the project's conftest treats a forced login as a verified one).
    """
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)
    return str(device.key)


def current_code(user: User) -> str:
    """A code the user's confirmed TOTP device accepts right now, for tests and browser tests.

    A code is accepted only once (django-otp refuses a time step already used), so when the
    current step was used by an earlier login this returns the next step's code, which the
    device's tolerance of one step still accepts.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).get()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    now_t = totp.t()
    step = max(now_t, device.last_t + 1)
    if step > now_t + device.tolerance:
        raise RuntimeError("every code of this time window was already used; wait 30 seconds")
    totp.time = float(device.t0 + (step - device.drift) * device.step)
    return f"{totp.token():0{device.digits}d}"
