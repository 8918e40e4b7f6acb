"""Signing in and out, the second factor (enrolment, code, recovery codes), the lockout page."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from antt.accounts import services, twofactor
from antt.accounts.models import User
from antt.accounts.rules import GRANTS, Action


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.record_login(user=form.get_user(), ip_address=client_ip(self.request))
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        username = self.request.POST.get("username", "")
        services.record_failed_login(username=username, ip_address=client_ip(self.request))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            services.record_logout(user=request.user, ip_address=client_ip(request))  # type: ignore[arg-type]
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password; the policy (AUTH_PASSWORD_VALIDATORS) explains a refusal in
    Django's own Vietnamese. Audited."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.record_password_change(user=form.user, ip_address=client_ip(self.request))
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


def locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """django-axes' lockout response: the login page with the reason (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Tài khoản tạm thời bị khoá do nhập sai mật khẩu quá %(limit)s lần. "
        "Vui lòng thử lại sau %(minutes)s phút hoặc liên hệ cán bộ quản trị."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(
        request, "accounts/login.html", {"locked_message": message, "next": ""}, status=429
    )


def safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user = cast(User, request.user)
    if twofactor.is_verified(request):
        return HttpResponseRedirect(safe_next(request))
    if not twofactor.has_device(user):
        return HttpResponseRedirect(reverse("accounts:2fa-setup"))
    error = ""
    if request.method == "POST":
        if twofactor.verify_code(request=request, user=user, code=request.POST.get("code", "")):
            request.session.cycle_key()
            return HttpResponseRedirect(safe_next(request))
        error = _(
            "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trên ứng dụng "
            "(6 chữ số) hoặc một mã khôi phục chưa dùng; nhập sai nhiều lần phải chờ lâu hơn."
        )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"error": error, "next": safe_next(request)},
        status=200 if not error else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: a QR code for the authenticator app, confirmed by one code from it.

    A user who already has a device re-enrols only from a verified session (replacing a lost
    phone goes through a recovery code first)."""
    user = cast(User, request.user)
    if twofactor.has_device(user) and not twofactor.is_verified(request):
        return HttpResponseRedirect(reverse("accounts:2fa-verify"))
    device = twofactor.pending_device(user)
    error = ""
    if request.method == "POST" and device is not None:
        codes = twofactor.confirm_enrolment(
            request=request, user=user, device=device, code=request.POST.get("code", "")
        )
        if codes is not None:
            request.session.cycle_key()
            return render(
                request,
                "accounts/two_factor_codes.html",
                {"codes": codes, "next": safe_next(request), "enrolled": True},
            )
        error = _("Mã xác nhận không đúng. Hãy nhập mã 6 chữ số đang hiện trên ứng dụng.")
    if device is None or request.method == "GET":
        device = twofactor.start_enrolment(user)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "qr": twofactor.qr_svg(device),
            "secret": twofactor.secret_text(device),
            "error": error,
            "required": twofactor.requires_two_factor(user),
            "next": safe_next(request),
        },
        status=200 if not error else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_recovery(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), from a verified session only."""
    user = cast(User, request.user)
    if not twofactor.is_verified(request):
        return HttpResponseRedirect(reverse("accounts:2fa-verify"))
    if request.method == "POST":
        codes = twofactor.new_recovery_codes(request=request, user=user)
        return render(
            request,
            "accounts/two_factor_codes.html",
            {"codes": codes, "next": reverse("home"), "enrolled": False},
        )
    return render(request, "accounts/two_factor_recovery.html", {})


# --- API tokens: listed without their keys, revoked, issued (key shown once) ------------------


def may_issue_tokens(user: User) -> bool:
    return any(Action.ASSIGN_ROLES in GRANTS[g.role] for g in user.grants()) or user.is_superuser


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """Your own token and, for administrators, those of the users they administer."""
    user = cast(User, request.user)
    issued: dict[str, str] | None = None
    error = ""
    if request.method == "POST":
        if not may_issue_tokens(user):
            raise PermissionDenied(_("Chỉ cán bộ quản trị mới cấp mã API."))
        username = request.POST.get("username", "").strip()
        owner = User.objects.filter(username=username).first()
        if owner is None or not services.may_manage_tokens_of(user, owner):
            error = _(
                "Không có người dùng “%(username)s” trong phạm vi bạn quản trị."
            ) % {"username": username}
        else:
            token = services.issue_token(actor=user, user=owner)
            issued = {"username": owner.username, "key": token.key}
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": services.tokens_visible_to(user),
            "may_issue": may_issue_tokens(user),
            "issued": issued,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["POST"])
def token_revoke(request: HttpRequest, username: str) -> HttpResponse:
    user = cast(User, request.user)
    token = get_object_or_404(services.tokens_visible_to(user), user__username=username)
    services.revoke_token(actor=user, user=token.user)
    messages.success(
        request, _("Đã thu hồi mã API của %(username)s.") % {"username": token.user.username}
    )
    return HttpResponseRedirect(reverse("accounts:token-list"))
