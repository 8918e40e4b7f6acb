from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q

from antt.core.scoping import ScopedQuerySet
from antt.core.text import fold

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from antt.accounts.models import User
    from antt.units.models import Unit


class UnitQuerySet(ScopedQuerySet["Unit"]):
    unit_path_lookup = "path"

    def valid_on(self, day: dt.date) -> UnitQuerySet:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def roots_visible_to(self, user: User | AnonymousUser | None, day: dt.date) -> UnitQuerySet:
        """The starting points of ``user``'s jurisdiction on ``day``: the units visible and valid
        on that day whose parent is not (34 provinces nationally, else the assigned units).

        The same set as excluding every unit whose parent is visible and valid, without that
        anti-join over the whole table (0.4 s at 250,000 units). A visible unit's parent is out
        of sight only when the unit heads a granted subtree (the jurisdiction's paths are
        minimal: none lies under another), and the units not valid on a day are few (the
        divisions replaced by a reform). SQLite answers it from indexes; PostgreSQL still scans
        the table once, in about half the time of the anti-join.
        """
        visible = self.visible_to(user).valid_on(day)
        ended = self.model._default_manager.filter(Q(valid_to__lt=day) | Q(valid_from__gt=day))
        tops = Q(parent__isnull=True) | Q(parent__in=ended.values("pk"))
        paths = None
        if user is not None and user.is_authenticated:
            paths = user.jurisdiction_paths()  # type: ignore[union-attr]
        if paths:
            tops |= Q(path__in=paths)
        return visible.filter(tops)

    def under(self, unit: Unit) -> UnitQuerySet:
        """Strict descendants of ``unit``."""
        return self.filter(path__startswith=unit.path).exclude(pk=unit.pk)

    def search(self, text: str) -> UnitQuerySet:
        """Accent- and case-insensitive: 'hoan kiem', 'Hoàn Kiếm' and 'HOAN KIEM' match alike."""
        qs = self
        for word in fold(text).split():
            qs = qs.filter(Q(name_folded__contains=word) | Q(code__iexact=word))
        return qs

    def at_code(self, code: str, day: dt.date) -> UnitQuerySet:
        return self.filter(code=code).valid_on(day)
