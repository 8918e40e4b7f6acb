"""Second factor before anything else: a signed-in user who must use two-factor authentication
(or has enrolled) reaches only the sign-in, code, enrolment and public pages until a code is
accepted. Runs after django-otp's OTPMiddleware, which tells whether the session is verified."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from antt.accounts import twofactor
from antt.accounts.models import User

# Reached without a verified session: signing in and out, the second factor itself, the language
# switch, the public certificate check and static files.
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/2fa/", "/i18n/", "/verify/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and not twofactor.is_verified(request)
            and not self.is_open(request.path_info)
            and (twofactor.requires_two_factor(user) or twofactor.has_device(user))
        ):
            return self.refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def is_open(path: str) -> bool:
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path.startswith((*OPEN_PREFIXES, static))

    @staticmethod
    def refuse(request: HttpRequest, user: User) -> HttpResponse:
        enrolled = twofactor.has_device(user)
        if request.path_info.startswith("/api/"):
            message = (
                _("Cần nhập mã xác thực hai lớp trước khi dùng API trong phiên đăng nhập này.")
                if enrolled
                else _("Tài khoản cần đăng ký xác thực hai lớp trước khi dùng API.")
            )
            return JsonResponse({"detail": message}, status=403)
        target = reverse("accounts:2fa-verify" if enrolled else "accounts:2fa-setup")
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(f"{target}?{query}" if query else target)
