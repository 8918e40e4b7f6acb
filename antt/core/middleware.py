import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from antt.core import audit


class SessionRenewalMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` without a request; a request renews the session
    (a database write) only when its last renewal is ``ANTT_SESSION_RENEW_SECONDS`` old or more.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` would write on every request instead. The idle limit
    is never exceeded: an idle session ends at most that many seconds *earlier* than the limit
    after its last request. ``None`` turns renewal off (the tests that travel in time). Placed
    right after SessionMiddleware, which saves the session and re-sends the cookie when marked.
    """

    RENEWED_KEY = "_antt_renewed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        interval = settings.ANTT_SESSION_RENEW_SECONDS
        session = request.session
        if interval is None or session.is_empty():  # no session: do not start one
            return response
        now = int(time.time())
        if session.modified or now - session.get(self.RENEWED_KEY, 0) >= interval:
            session[self.RENEWED_KEY] = now  # marks it modified: saved, with a new expiry
        return response


class VietnameseByDefaultMiddleware:
    """The interface is Vietnamese unless the user chose English (the language cookie).

    Officers' browsers are often set to English; the browser's Accept-Language must not switch
    the language of a Vietnamese public service. Placed before LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class AuditDenialsMiddleware:
    """Every refusal a signed-in user meets is in the audit log: 403 (seen but not allowed) and
    404 (outside the jurisdiction, or absent: the two must look alike to the user), from the
    pages and the API alike. Anonymous 404s (robots probing addresses) are not recorded."""

    AUDITED = {403: "access.denied", 404: "access.not_found"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        verb = self.AUDITED.get(response.status_code)
        user = getattr(request, "user", None)
        if verb and user is not None and user.is_authenticated:
            audit.record(
                actor=user,
                verb=verb,
                object_repr=request.path[:255],
                changes={"method": request.method, "status": response.status_code},
                ip_address=request.META.get("REMOTE_ADDR") or None,
            )
        return response
