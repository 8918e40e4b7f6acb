from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from antt.core import audit


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
