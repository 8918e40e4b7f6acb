from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q

from antt.core.scoping import ScopedQuerySet
from antt.core.text import fold

if TYPE_CHECKING:
    from antt.units.models import Unit


class UnitQuerySet(ScopedQuerySet["Unit"]):
    unit_path_lookup = "path"

    def valid_on(self, day: dt.date) -> UnitQuerySet:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

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
