"""Jurisdiction: every queryset that reaches a unit is filtered by the user's subtrees, in SQL.

A model's queryset declares how it reaches a unit's materialised path (``unit_path_lookup``);
``visible_to(user)`` ORs one ``__startswith`` per subtree the user holds. The user object answers
``jurisdiction_paths()`` with ``None`` for nationwide access or a tuple of paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from antt.accounts.models import User

_M = TypeVar("_M", bound=models.Model)


def path_filter(lookup: str, paths: tuple[str, ...]) -> models.Q:
    q = models.Q()
    for path in paths:
        q |= models.Q(**{f"{lookup}__startswith": path})
    return q


class ScopedQuerySet(models.QuerySet[_M], Generic[_M]):
    unit_path_lookup: str = "unit__path"

    def visible_to(self, user: User | AnonymousUser | None) -> Self:
        if user is None or not user.is_authenticated:
            return self.none()
        paths = user.jurisdiction_paths()  # type: ignore[union-attr]
        if paths is None:
            return self
        if not paths:
            return self.none()
        return self.filter(path_filter(self.unit_path_lookup, paths))


def get_visible_or_404(queryset: ScopedQuerySet[_M], user: Any, **lookup: Any) -> _M:
    """The only way a view fetches one scoped object: out of jurisdiction is 'not found'."""
    model: Any = queryset.model
    try:
        return queryset.visible_to(user).get(**lookup)
    except (model.DoesNotExist, model.MultipleObjectsReturned) as exc:
        raise Http404 from exc
