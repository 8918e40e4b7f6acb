"""``antt generate_dataset``: a synthetic country on top of the real divisions, written in bulk.

The units go through ``units.services.bulk_create_units`` (ids reserved first, so paths are set
before the insert; one COPY or ``executemany`` per batch, ``antt.core.bulk``); the records of
each year (``antt.bench.yearly``) through the same writer. Nothing is saved row by row. The whole
run is one transaction and one audit event per step, so a failed run leaves nothing behind, and
a second run on the same scope is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.apps import apps
from django.db import connection, transaction
from django.utils.translation import gettext as _

from antt.bench import shape
from antt.core import audit
from antt.units.models import Unit, UnitKind, UnitSource, UnitSuccession
from antt.units.services import bulk_create_units

__all__ = [
    "ACTOR",
    "SCALES",
    "DatasetError",
    "DatasetReport",
    "Placed",
    "Progress",
    "Scope",
    "analyze",
    "batched",
    "generate",
    "parse_years",
    "scope_for",
]

ACTOR = "generate_dataset"
SCALES = ("commune", "province", "national")
# The commune and the province of the two smaller scales (Phường Hoàn Kiếm, Hà Nội).
COMMUNE_CODE, PROVINCE_CODE = "00070", "01"
UNIT_BATCH = 20_000

# progress(label, total) -> advance(n): the command draws a bar, tests pass nothing.
Progress = Callable[[str, int], Callable[[int], None]]
T = TypeVar("T")


class DatasetError(Exception):
    """A run that cannot start: the message (Vietnamese) says why and what to do."""


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_years(text: str) -> tuple[int, ...]:
    """ "2021-2025" or "2025" → the years; a clear Vietnamese error otherwise."""
    try:
        first, sep, last = text.partition("-")
        start, end = int(first), int(last if sep else first)
    except ValueError:
        raise DatasetError(
            _("Khoảng năm “%(text)s” không hợp lệ: ghi dạng 2021-2025.") % {"text": text}
        ) from None
    if not 2021 <= start <= end <= 2100:
        raise DatasetError(
            _("Khoảng năm “%(text)s” không hợp lệ: từ 2021, năm đầu không sau năm cuối.")
            % {"text": text}
        )
    return tuple(range(start, end + 1))


@dataclass(frozen=True)
class Placed:
    """A generated unit (or a real commune) as the yearly records need it, without the ORM
    instance (a quarter of a million of those would not fit the memory budget)."""

    pk: int
    code: str
    name: str
    kind: str
    path: str
    managing_level: str
    commune_managed: bool
    spec: shape.UnitSpec | None = None

    @property
    def ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")]


@dataclass
class Scope:
    scale: str
    communes: list[Unit]  # today's communes
    legacy: list[Unit] = field(default_factory=list)  # their predecessors (default successor)
    admin_kinds: dict[int, str] = field(default_factory=dict)  # every administrative unit

    @property
    def marker(self) -> str:
        """The code of the first generated unit: its presence means the scope is done."""
        return f"S{self.communes[0].code}-K001"


def scope_for(scale: str) -> Scope:
    if scale not in SCALES:
        raise DatasetError(
            _("Quy mô “%(scale)s” không hợp lệ: chọn commune, province hoặc national.")
            % {"scale": scale}
        )
    current = Unit.objects.filter(
        kind=UnitKind.COMMUNE, source=UnitSource.OFFICIAL, valid_to__isnull=True
    ).select_related("parent")
    if scale == "commune":
        current = current.filter(code=COMMUNE_CODE)
    elif scale == "province":
        current = current.filter(parent__code=PROVINCE_CODE)
    communes = list(current.order_by("code"))
    if not communes:
        raise DatasetError(
            _("Chưa có danh mục đơn vị hành chính. Hãy chạy “antt load_divisions” trước.")
        )
    legacy = list(
        Unit.objects.filter(
            kind=UnitKind.COMMUNE,
            successions__successor__in=communes,
            successions__is_default=True,
        )
        .distinct()
        .order_by("code")
    )
    kinds = dict(
        Unit.objects.filter(kind__in=(UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE))
        .values_list("pk", "kind")
        .iterator()
    )
    return Scope(scale, communes, legacy, kinds)


@dataclass
class DatasetReport:
    scale: str
    years: tuple[int, ...]
    seed: int
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def summary(self) -> str:
        parts = ", ".join(f"{name}: {n:,}".replace(",", ".") for name, n in self.counts.items())
        return _(
            "Đã tạo dữ liệu tổng hợp quy mô %(scale)s, năm %(years)s, seed %(seed)s: %(parts)s."
        ) % {
            "scale": self.scale,
            "years": f"{self.years[0]}–{self.years[-1]}",
            "seed": self.seed,
            "parts": parts,
        }


def _no_progress(_label: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


def _create_units(scope: Scope, seed: int, progress: Progress) -> tuple[int, list[Placed]]:
    """Create every unit of the scope; return how many, and the eligible ones."""
    specs = [(c, s) for c in scope.communes for s in shape.commune_units(seed, c.code, c.name)]
    advance = progress(_("Đơn vị"), len(specs))
    placed: list[Placed] = []
    for batch in batched(specs, UNIT_BATCH):
        units = [
            Unit(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                parent=commune,
                subtype=spec.subtype,
                managing_level=spec.managing_level,
                enterprise_size=spec.enterprise_size,
                education_level=spec.education_level,
                has_party_org=spec.has_party_org,
                is_armed_forces=spec.is_armed_forces,
                source=UnitSource.DEMO,
            )
            for commune, spec in batch
        ]
        bulk_create_units(actor=ACTOR, units=units)
        placed += [
            Placed(
                u.pk,
                u.code,
                u.name,
                u.kind,
                u.path,
                spec.managing_level,
                spec.commune_managed,
                spec,
            )
            for u, (_c, spec) in zip(units, batch, strict=True)
            if spec.eligible
        ]
        advance(len(batch))
    return len(specs), placed


def _communes(units: Sequence[Unit]) -> list[Placed]:
    return [Placed(u.pk, u.code, u.name, u.kind, u.path, "", True) for u in units]


@transaction.atomic
def generate(
    *,
    scale: str,
    years: Sequence[int],
    seed: int = 2025,
    progress: Progress | None = None,
) -> DatasetReport:
    """Create the units of ``scale`` and their records for ``years``; refuses a second run."""
    from antt.bench.yearly import Tables, write_year  # the yearly records need these types

    progress = progress or _no_progress
    scope = scope_for(scale)
    if Unit.objects.filter(code=scope.marker).exists():
        raise DatasetError(
            _(
                "Dữ liệu tổng hợp đã được tạo cho phạm vi này (đã có đơn vị mã %(code)s): "
                "không tạo lại. Hãy dùng một cơ sở dữ liệu mới."
            )
            % {"code": scope.marker}
        )
    report = DatasetReport(scale, tuple(years), seed)
    created, placed = _create_units(scope, seed, progress)
    report.add("units", created)
    current, legacy = _communes(scope.communes), _communes(scope.legacy)
    tables = Tables()
    for year in years:
        communes = current if dt.date(year, 10, 31) >= dt.date(2025, 7, 1) else legacy
        write_year(
            tables=tables,
            scope=scope,
            year=year,
            seed=seed,
            units=[*placed, *communes],
            first=year == years[0],
            last=year == years[-1],
            progress=progress,
        )
    for name, n in tables.close().items():
        report.add(name, n)
    audit.record(
        actor=ACTOR,
        verb="dataset.generate",
        unit_path=scope.communes[0].path if scale == "commune" else "/",
        changes={"scale": scale, "years": list(years), "seed": seed, **report.counts},
    )
    return report


def succession_of(units: Sequence[Unit]) -> dict[int, int]:
    """Legacy commune id → its default successor's id."""
    return dict(
        UnitSuccession.objects.filter(predecessor__in=units, is_default=True).values_list(
            "predecessor_id", "successor_id"
        )
    )


def analyze() -> None:
    """After the bulk load, outside its transaction: fresh planner statistics and, on
    PostgreSQL, the visibility map (index-only scans) and no dead row versions left by the path
    update of every new unit. Without it the first reports read twice the rows."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            cursor.execute("ANALYZE")  # VACUUM cannot run inside a transaction
            return
        for label in ("units", "records", "recognition"):
            for model in apps.get_app_config(label).get_models():
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
