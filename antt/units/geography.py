"""Where a unit lies in today's geography (after the 2025 reform), for reports across years."""

from __future__ import annotations

from collections.abc import Sequence

from antt.units.models import Unit, UnitSuccession


def ancestors(unit: Unit) -> list[Unit]:
    """The unit's chain from its province down to itself, in one query."""
    ids = [int(part) for part in unit.path.strip("/").split("/")]
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


class CurrentPlace:
    """Maps pre-reform provinces and communes to today's, following the default successor of a
    split commune. Caches what it has looked up: one instance serves a whole import."""

    def __init__(self) -> None:
        self._successor: dict[int, Unit | None] = {}

    def successor(self, unit: Unit) -> Unit | None:
        if unit.pk not in self._successor:
            link = (
                UnitSuccession.objects.filter(predecessor=unit)
                .select_related("successor__parent")
                .order_by("-is_default", "successor__code")
                .first()
            )
            self._successor[unit.pk] = link.successor if link else None
        return self._successor[unit.pk]

    def of(self, chain: Sequence[Unit]) -> tuple[Unit | None, Unit | None]:
        """(province, commune) today for a unit whose ancestor chain is ``chain``."""
        commune = next((u for u in reversed(chain) if u.kind == "commune"), None)
        province = chain[0] if chain else None
        if commune is not None and (commune.valid_to is None or not commune.is_legacy):
            return province, commune
        if commune is not None:
            now = self.successor(commune)
            if now is not None:
                return now.parent, now
        if province is not None and province.is_legacy:
            return self.successor(province), None
        return province, None
