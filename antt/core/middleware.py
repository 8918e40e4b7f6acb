from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
