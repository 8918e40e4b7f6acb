"""What the cycle's views share: the year, optional collaborators, messages."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.recognition import services, workflow
from antt.recognition.api import FIRST_YEAR, last_year
from antt.recognition.evaluation import reference_day
from antt.recognition.models import Registration
from antt.units.models import Unit, UnitKind

PAGE_SIZE = 50
MAX_SELECT_OPTIONS = 500  # beyond this a commune is typed by its code, not picked in a list

# Conflict: the page was stale, or another officer acted between loading and posting.
CONFLICT = 409


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= last_year():
        raise Http404(
            _("Chỉ xem được các năm từ %(first)s đến %(last)s.")
            % {"first": FIRST_YEAR, "last": last_year()}
        )
    return year


def year_choices() -> range:
    return range(last_year(), FIRST_YEAR - 1, -1)


def today() -> Any:
    return timezone.localdate()


def optional(module: str, name: str) -> Callable[..., Any] | None:
    """A function another part of the cycle provides (documents, uploads), or None while it
    does not exist yet: the page then hides the button that would call it."""
    path = f"antt.recognition.{module}"
    try:
        mod = importlib.import_module(path)
    except ModuleNotFoundError as exc:
        if exc.name == path:
            return None
        raise
    found = getattr(mod, name, None)
    return found if callable(found) else None


def download_url(document_pk: int) -> str | None:
    try:
        return reverse("documents:document-download", args=[document_pk])
    except NoReverseMatch:
        return None


def stale_message(registration: Registration) -> str:
    """The services' own wording (one msgid) for a dossier someone else just moved."""
    return _(
        "Hồ sơ của %(unit)s vừa được người khác cập nhật (hiện ở trạng thái “%(state)s”). "
        "Hãy tải lại trang, xem thay đổi rồi thao tác lại."
    ) % {
        "unit": registration.unit.name,
        "state": workflow.STATE_LABELS[workflow.State(registration.state)],
    }


def explain(exc: Exception) -> str:
    """A service's refusal as one Vietnamese sentence."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Bạn không có thẩm quyền thực hiện thao tác này.")
    return str(exc)


def status_of(exc: Exception) -> int:
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, services.ConcurrentChange | workflow.TransitionError):
        return CONFLICT
    return 200


def commune_options(request: HttpRequest, year: int) -> list[tuple[int, str]] | None:
    """The communes of the user's area on the year's reference day, for a select; None when
    there are too many to list (the commune is then typed by its code)."""
    rows = list(
        Unit.objects.visible_to(request.user)
        .filter(kind=UnitKind.COMMUNE)
        .valid_on(reference_day(year))
        .order_by("name", "code")
        .values_list("pk", "name", "code")[: MAX_SELECT_OPTIONS + 1]
    )
    if len(rows) > MAX_SELECT_OPTIONS:
        return None
    return [(pk, f"{name} ({code})") for pk, name, code in rows]


def page_query(request: HttpRequest, *drop: str) -> str:
    """The query string without ``page`` (and ``drop``): for pagination links."""
    params = request.GET.copy()
    for name in ("page", *drop):
        params.pop(name, None)
    encoded = params.urlencode()
    return f"?{encoded}&" if encoded else "?"
