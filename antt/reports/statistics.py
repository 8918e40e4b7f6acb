"""Statistics of the movement for one year and one scope: per unit kind, per child unit, and the
list of units at the bottom of the drill-down. Read-only over the other apps.

Every figure is an aggregate query (``Count(..., filter=Q(...))`` grouped by a geography key and
the unit kind): the number of queries does not grow with the number of children or units.

What is counted (REGULATION §9, D5, D18):

- **registered**: the year's ``Registration`` rows (the live cycle and imported paper history);
  **met** / **not met**: their ``result`` (an annulled decision counts as not met); the rest is
  **pending**. **rate** = met / registered — the denominator published reports use.
- **eligible**: units in the ``Unit`` table valid on 31/10 of the year (the day the cycle looks
  units up, ``recognition.evaluation.reference_day``) that Art. 1.2 of TT 124 covers, judged on
  their attributes as recorded today — ``eligible_q`` is ``units.eligibility.assess`` in SQL.
  Exposed beside the rate so that a report may use it as the denominator, with its label.
- **Geography.** A scope that exists today (a current province or commune, or the country) is
  reported in today's geography: registrations group by ``current_province`` /
  ``current_commune`` (filled through the old → new mapping when they were created), and the
  eligible units of a year before the reform are the pre-2025 units whose place maps into the
  scope through the same mapping (``UnitSuccession``, default successor first, exactly as
  ``units.geography.CurrentPlace``), computed in SQL. A split old commune is therefore counted
  whole where its default successor is. A pre-2025 scope (an old province, district or commune)
  is reported in its own geography: ``province`` / ``district`` / ``commune``.

The dictionaries returned are the documented shape the exporters (``antt.reports.exports``), the
CLI (``antt report``), the API and the page all use; see ``summary`` for the keys.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from antt.core.scoping import path_filter
from antt.recognition.evaluation import reference_day
from antt.recognition.models import Assessment, Registration, Result
from antt.recognition.workflow import STATE_LABELS, State
from antt.standards.catalog import UNIT_KINDS, registry
from antt.standards.vocab import KIND_LABELS
from antt.units.models import Unit, UnitSuccession

__all__ = [
    "DENOMINATOR_LABELS",
    "FILE_FORMATS",
    "GEOGRAPHIES",
    "KINDS",
    "NATIONAL_CODE",
    "ORGANIZATION",
    "ORGANIZATION_KINDS",
    "REFORM",
    "ROW_KINDS",
    "ROW_LABELS",
    "Counts",
    "ExportUnavailable",
    "Scope",
    "criteria_set",
    "eligible_counts",
    "eligible_q",
    "eligible_units",
    "export",
    "exports_available",
    "file_name",
    "find_scope",
    "format_rate",
    "kind_label",
    "legal_basis",
    "places",
    "rate",
    "registration_counts",
    "registration_line",
    "registration_rows",
    "row",
    "rows",
    "scope_sources",
    "summary",
    "under_paths",
    "unit_lines",
    "valid_on_q",
]

KINDS: tuple[str, ...] = UNIT_KINDS  # residential_area, commune, agency, enterprise, school
ORGANIZATION = "organization"
ORGANIZATION_KINDS = ("agency", "enterprise", "school")
ROW_KINDS: tuple[str, ...] = (*KINDS, ORGANIZATION)
ROW_LABELS: dict[str, str] = {
    **{k: v[:1].upper() + v[1:] for k, v in KIND_LABELS.items()},
    ORGANIZATION: "Cơ quan, doanh nghiệp, cơ sở giáo dục",
}
NATIONAL_CODE = "VN"
NATIONAL_NAME = "Toàn quốc"
REFORM = dt.date(2025, 7, 1)
PRECISION = 2  # decimals of a published rate ("97,75%"); D5: configurable per report

DENOMINATOR_LABELS = {
    "registered": "Tỷ lệ = số đơn vị đạt / số đơn vị đã đăng ký",
    "eligible": "Tỷ lệ = số đơn vị đạt / số đơn vị thuộc đối tượng",
}

# --- notes printed with the figures (Vietnamese, as reports show them) ---------------------------
NOTE_DENOMINATOR = (
    "Tỷ lệ đạt = số đơn vị đạt / số đơn vị đã đăng ký (tử số và mẫu số ghi cạnh tỷ lệ). Cột “thuộc "
    "đối tượng” cho phép tính tỷ lệ trên tổng số đơn vị thuộc đối tượng nếu báo cáo cần."
)
NOTE_ELIGIBLE = (
    "Số đơn vị thuộc đối tượng: đơn vị có hiệu lực ngày %(day)s trong danh mục đơn vị, thuộc phạm "
    "vi Điều 1.2 Thông tư 124/2021/TT-BCA theo thuộc tính hiện đang ghi (quy mô doanh nghiệp, cấp "
    "học, lực lượng vũ trang)."
)
NOTE_TT23_SCOPE = (
    "Năm %(year)s áp dụng Thông tư 23/2012/TT-BCA, vốn không loại trừ doanh nghiệp nhỏ, siêu nhỏ "
    "và cơ sở giáo dục mầm non, tiểu học: số đơn vị thuộc đối tượng vẫn tính theo Điều 1.2 "
    "Thông tư 124/2021/TT-BCA, nên có thể nhỏ hơn số đơn vị đã đăng ký."
)
NOTE_MAPPED = (
    "Năm %(year)s trước khi sắp xếp đơn vị hành chính (01/7/2025): số liệu của các đơn vị cũ được "
    "cộng vào đơn vị hiện nay theo bảng chuyển đổi đơn vị cũ → đơn vị mới."
)
NOTE_SPLIT = (
    "Xã cũ bị chia tách được tính vào đơn vị mới mặc định theo bảng chuyển đổi (cả xã cũ, không "
    "chia theo tỷ lệ)."
)
NOTE_HISTORICAL = (
    "%(name)s là đơn vị hành chính trước ngày 01/7/2025: số liệu tính theo địa giới cũ (tỉnh, "
    "huyện, xã tại thời điểm đăng ký)."
)
NOTE_ABOLISHED = (
    "%(name)s đã thôi hiệu lực từ %(day)s: số đơn vị thuộc đối tượng sau ngày đó bằng 0; đơn vị "
    "đăng ký trước khi sắp xếp vẫn được tính."
)
NOTE_IMPORTED = (
    "%(count)s kết quả được nhập từ hồ sơ giấy (trước khi có hệ thống): không có biên bản đánh giá "
    "theo tiêu chí."
)
NOTE_UNMAPPED = (
    "%(count)s đơn vị đã đăng ký chưa xác định được tỉnh theo địa giới hiện nay (thiếu bảng "
    "chuyển đổi): được tính trong tổng toàn quốc, ở dòng riêng."
)
IMPORTED_NO_CRITERIA = "Kết quả nhập từ hồ sơ giấy: không có biên bản đánh giá theo tiêu chí."
NO_FAILED_CRITERIA = (
    "Biên bản đánh giá không ghi tiêu chí nào không đạt: kết quả “chưa đạt” do quyết định công "
    "nhận hoặc do quyết định bị hủy bỏ."
)
NO_ASSESSMENT = "Chưa có biên bản họp đánh giá."

_COMMUNE, _DISTRICT, _PROVINCE = "commune", "district", "province"


# --- numbers -------------------------------------------------------------------------------------


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def format_rate(numerator: int, denominator: int, decimals: int = PRECISION) -> str:
    """740, 757 → "97,75%" (decimal comma, rounded half up, always ``decimals`` places);
    "—" when the denominator is zero."""
    if not denominator:
        return "—"
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    shown = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{shown:f}".replace(".", ",") + "%"


def eligible_q() -> Q:
    """``antt.units.eligibility.assess`` as a filter on ``Unit`` (its fields are never NULL).

    Kept equal to the Python function by a table test (``tests/test_statistics.py``)."""
    return (
        Q(kind__in=("residential_area", "commune"))
        | Q(kind="agency", is_armed_forces=False)
        | (Q(kind="enterprise") & ~Q(enterprise_size__in=("micro", "small", "")))
        | (Q(kind="school") & ~Q(education_level__in=("preschool", "primary", "")))
    )


# --- the scope -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The country (``unit is None``) or one unit, and how its figures are grouped."""

    unit: Unit | None = None

    @property
    def code(self) -> str:
        return self.unit.code if self.unit is not None else NATIONAL_CODE

    @property
    def name(self) -> str:
        return self.unit.name if self.unit is not None else NATIONAL_NAME

    @property
    def historical(self) -> bool:
        """A pre-2025 unit (or any district): reported in the geography of its time."""
        unit = self.unit
        return unit is not None and (unit.is_legacy or unit.kind == _DISTRICT)

    @property
    def geography(self) -> str:
        return "historical" if self.historical else "current"

    @property
    def level(self) -> str:
        """national, province, district, commune or unit (an area or an organisation)."""
        if self.unit is None:
            return "national"
        if self.unit.kind in (_PROVINCE, _DISTRICT, _COMMUNE):
            return str(self.unit.kind)
        return "unit"

    @property
    def lists_units(self) -> bool:
        """The bottom of the drill-down: the units themselves, with what failed."""
        return self.level in (_COMMUNE, "unit")

    def as_dict(self) -> dict[str, Any]:
        unit = self.unit
        return {
            "code": self.code,
            "name": self.name,
            "kind": unit.kind if unit is not None else "country",
            "level": self.level,
            "geography": self.geography,
            "valid_from": unit.valid_from.isoformat() if unit and unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit and unit.valid_to else None,
        }

    # registrations ---------------------------------------------------------------------------

    def registration_filter(self) -> Q:
        unit, level = self.unit, self.level
        if unit is None:
            return Q()
        if level == "unit":
            return Q(unit=unit)
        if self.historical:
            return Q(**{level: unit})
        return Q(**{f"current_{level}": unit})

    def registration_child(self) -> str | None:
        """The Registration field that names the child a row belongs to."""
        return {
            ("national", False): "current_province",
            (_PROVINCE, False): "current_commune",
            (_PROVINCE, True): "district",
            (_DISTRICT, True): "commune",
        }.get((self.level, self.historical))

    # units ------------------------------------------------------------------------------------

    def unit_child(self) -> str | None:
        """The annotation of ``places()`` that names the child a unit belongs to."""
        return {
            ("national", False): "now_province",
            (_PROVINCE, False): "now_commune",
            (_PROVINCE, True): "place_district",
            (_DISTRICT, True): "place_commune",
        }.get((self.level, self.historical))

    def child_units_q(self, day: dt.date, today: dt.date) -> tuple[Q, dt.date]:
        """The administrative children to list even when they have no figures, and the day on
        which they are taken."""
        unit = self.unit
        if unit is None:
            return Q(parent__isnull=True, kind=_PROVINCE), today
        if self.historical:
            on = min(day, unit.valid_to) if unit.valid_to else day
            kinds = (_DISTRICT, _COMMUNE) if unit.kind == _PROVINCE else (_COMMUNE,)
            return Q(parent=unit, kind__in=kinds), on
        on = min(today, unit.valid_to) if unit.valid_to else today
        return Q(parent=unit, kind=_COMMUNE), on


def valid_on_q(day: dt.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def _successor(ref: str, field: str = "successor_id") -> Subquery:
    """The default successor of the unit whose id is the outer ``ref`` (CurrentPlace's order)."""
    return Subquery(
        UnitSuccession.objects.filter(predecessor_id=OuterRef(ref))
        .order_by("-is_default", "successor__code")
        .values(field)[:1],
        output_field=IntegerField(),
    )


def places(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate each unit with its place then and now, in SQL:

    ``place_province`` / ``place_district`` / ``place_commune`` — its ancestors (itself for a
    commune) in the tree it belongs to; ``now_province`` / ``now_commune`` — the same place in
    today's geography, mapped like ``units.geography.CurrentPlace.of``."""

    def up(kind: str, field: str, output: Any) -> Case:
        return Case(
            When(kind=kind, then=F(field)),
            When(parent__kind=kind, then=F(f"parent__{field}")),
            When(parent__parent__kind=kind, then=F(f"parent__parent__{field}")),
            When(parent__parent__parent__kind=kind, then=F(f"parent__parent__parent__{field}")),
            default=Value(None),
            output_field=output,
        )

    annotated = units.annotate(
        place_province=up(_PROVINCE, "id", IntegerField()),
        place_district=up(_DISTRICT, "id", IntegerField()),
        place_commune=Case(
            When(kind=_COMMUNE, then=F("id")),
            When(parent__kind=_COMMUNE, then=F("parent_id")),
            default=Value(None),
            output_field=IntegerField(),
        ),
        commune_valid_to=Case(
            When(kind=_COMMUNE, then=F("valid_to")),
            When(parent__kind=_COMMUNE, then=F("parent__valid_to")),
            default=Value(None),
            output_field=DateField(),
        ),
        province_valid_to=up(_PROVINCE, "valid_to", DateField()),
    )
    province_now = Case(
        When(province_valid_to__lt=REFORM, then=_successor("place_province")),
        default=F("place_province"),
        output_field=IntegerField(),
    )
    return annotated.annotate(
        now_commune=Case(
            When(commune_valid_to__lt=REFORM, then=_successor("place_commune")),
            default=F("place_commune"),
            output_field=IntegerField(),
        ),
        now_province=Case(
            When(
                commune_valid_to__lt=REFORM,
                then=Coalesce(
                    _successor("place_commune", "successor__parent_id"),
                    province_now,
                    output_field=IntegerField(),
                ),
            ),
            When(place_commune__isnull=False, then=F("place_province")),
            default=province_now,
            output_field=IntegerField(),
        ),
    )


def _legacy_sources(unit: Unit) -> tuple[str, ...]:
    """Paths of the pre-2025 units with a succession into ``unit``'s subtree, shortest first: a
    cheap prefilter (an old province covers its communes) before the exact mapping."""
    paths = sorted(
        set(
            UnitSuccession.objects.filter(successor__path__startswith=unit.path).values_list(
                "predecessor__path", flat=True
            )
        ),
        key=len,
    )
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def scope_sources(unit: Unit) -> tuple[str, ...]:
    """The paths whose units may map into ``unit`` today: its own and its predecessors'."""
    return (unit.path, *_legacy_sources(unit))


def under_paths(paths: tuple[str, ...]) -> Q:
    """The units under any of ``paths`` ("/64/…/", ending with "/"): ``path_filter``, plus on
    SQLite the same prefix as a range of the unique ``path`` index ("/64/" ≤ path < "/640", "0"
    being the character after "/"), which SQLite's case-insensitive LIKE cannot use: a
    province's few thousand units are then looked up instead of a scan of all units. Only on
    SQLite, whose default collation compares bytes; PostgreSQL's LIKE uses its pattern index,
    and a range under a linguistic collation would not match the prefix."""
    where = path_filter("path", paths)
    if connection.vendor != "sqlite":
        return where
    ranges = Q()
    for path in paths:
        ranges |= Q(path__gte=path, path__lt=path[:-1] + chr(ord(path[-1]) + 1))
    return where & ranges


def eligible_units(
    scope: Scope, valid: Q | None = None, sources: tuple[str, ...] | None = None
) -> QuerySet[Unit]:
    """The eligible units of the scope (``valid``: a validity filter, e.g. on one day), annotated
    with ``places()`` when the scope's figures need them."""
    units = Unit.objects.filter(eligible_q())
    if valid is not None:
        units = units.filter(valid)
    unit = scope.unit
    if unit is None:
        return places(units)
    if scope.level == "unit":
        return units.filter(pk=unit.pk)
    if scope.historical:
        return places(units.filter(under_paths((unit.path,))))
    sources = sources or scope_sources(unit)
    mapped = places(units.filter(under_paths(sources)))
    return mapped.filter(**{f"now_{scope.level}": unit.pk})


def eligible_counts(
    scope: Scope, valid: Q, sources: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """``eligible_units(scope, valid)`` counted per kind and per child (``scope.unit_child()``),
    as rows ``{"kind", <child key>, "n"}``, without annotating every unit.

    A unit's place (``places()``) is its parent's place — or its own for a commune — since
    eligible units hang from a commune, a district or a province. So the units are counted per
    (parent, kind) with one plain GROUP BY, and only the administrative units those counts name
    (a few thousand, not a few hundred thousand) go through ``places()``: at national scale this
    is several times faster than annotating each unit, with the same numbers."""
    unit, key = scope.unit, scope.unit_child()
    if scope.lists_units:  # a commune or a unit: few units, counted as they are listed
        few = eligible_units(scope, valid, sources).order_by()
        return list(few.values("kind", *([key] if key else [])).annotate(n=Count("pk")))
    units = Unit.objects.filter(eligible_q(), valid).order_by()
    admin = Unit.objects.filter(kind__in=(_PROVINCE, _DISTRICT, _COMMUNE))
    if unit is not None:
        where = under_paths((unit.path,) if scope.historical else sources or scope_sources(unit))
        units, admin = units.filter(where), admin.filter(where)
    owner = Case(When(kind=_COMMUNE, then=F("id")), default=F("parent_id"))
    groups = _fetch(units.annotate(owner=owner).values_list("owner", "kind").annotate(n=Count("*")))
    wanted = None if unit is None or scope.historical else f"now_{scope.level}"
    fields = [f for f in (key, wanted) if f]
    child_of: dict[Any, Any] = {}  # owner → child (None: no child)
    inside: set[Any] | None = None  # the owners placed in the scope today (None: all count)
    if fields:
        # Only the owners found (a few thousand); pre-2025 ones go through the old → new map.
        owners = admin.filter(_pk_in(sorted({g[0] for g in groups if g[0] is not None})))
        placed = [
            dict(zip(fields, row[1:], strict=True)) | {"pk": row[0]}
            for row in _fetch(places(owners).order_by().values_list("pk", *fields))
        ]
        if key:
            child_of = {place["pk"]: place[key] for place in placed}
        if wanted and unit is not None:
            inside = {place["pk"] for place in placed if place[wanted] == unit.pk}
    out: Counter[tuple[Any, str]] = Counter()
    for owner_id, kind, n in groups:
        if inside is None or owner_id in inside:
            out[(child_of.get(owner_id), kind)] += n
    return [
        {"kind": kind, **({key: child} if key else {}), "n": n} for (child, kind), n in out.items()
    ]


def _fetch(query: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` of integers and strings, straight from the cursor: at
    national scale (16,000 rows per kind and parent) the ORM's per-value converters, which
    change nothing for these types, cost as much as the query."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``pk__in=[]``: no owner to place
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _pk_in(ids: list[int]) -> Q | RawSQL:
    """``pk IN ids`` for a few thousand ids: on PostgreSQL one array parameter (``= ANY``)
    rather than a placeholder per id, which the driver parses one by one."""
    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    column = f"{connection.ops.quote_name(Unit._meta.db_table)}.{connection.ops.quote_name('id')}"
    # A constant column name; the ids are a bound parameter.
    return RawSQL(f"{column} = ANY(%s)", (ids,), output_field=BooleanField())  # noqa: S611


# --- legal basis ---------------------------------------------------------------------------------


def legal_basis(year: int) -> str:
    """The short title of the criteria set judging ``year``: "TT 23/2012" up to 2021,
    "TT 124/2021" from 2022."""
    return registry().for_year(_COMMUNE, year).short_title


def criteria_set(year: int) -> dict[str, Any]:
    """The criteria set judging ``year`` and each kind's evaluation window: every yearly figure
    carries them (D19)."""
    reg = registry()
    sets: dict[str, Any] = {}
    for kind in KINDS:
        try:
            sets[kind] = reg.for_year(kind, year)
        except LookupError:  # schools in 2012: their window closed before TT 23 took effect
            continue
    main = sets[_COMMUNE]
    return {
        "code": main.code,
        "short_title": main.short_title,
        "title": main.title,
        "windows": [
            {
                "kind": kind,
                "criteria_set": cset.code,
                "start": (window := cset.window(kind, year)).start.isoformat(),
                "end": window.end.isoformat(),
                "assumed": window.assumed,
            }
            for kind, cset in sets.items()
        ],
    }


# --- rows ----------------------------------------------------------------------------------------


@dataclass
class Counts:
    eligible: int = 0
    registered: int = 0
    met: int = 0
    not_met: int = 0
    imported: int = 0

    def add(self, other: Counts) -> None:
        self.eligible += other.eligible
        self.registered += other.registered
        self.met += other.met
        self.not_met += other.not_met
        self.imported += other.imported


def kind_label(kind: str, year: int | None = None) -> str:
    """ "Khu dân cư", …; the commune level was “xã, phường, thị trấn” before the 2025 reform."""
    if kind == _COMMUNE and year is not None and reference_day(year) < REFORM:
        return "Xã, phường, thị trấn"
    return ROW_LABELS.get(kind, kind)


def row(kind: str, counts: Counts, year: int | None = None) -> dict[str, Any]:
    """One line of a table: the counts, the rate on registered units and, for a report that
    prefers it, on eligible units."""
    return {
        "kind": kind,
        "kind_label": kind_label(kind, year),
        "eligible": counts.eligible,
        "registered": counts.registered,
        "met": counts.met,
        "not_met": counts.not_met,
        "pending": counts.registered - counts.met - counts.not_met,
        "rate": rate(counts.met, counts.registered),
        "rate_display": format_rate(counts.met, counts.registered),
        "rate_eligible": rate(counts.met, counts.eligible),
        "rate_eligible_display": format_rate(counts.met, counts.eligible),
    }


def rows(by_kind: Mapping[str, Counts], year: int | None = None) -> list[dict[str, Any]]:
    """The five kinds, then the provincial reports' group “cơ quan, doanh nghiệp, cơ sở giáo
    dục” (agency + enterprise + school)."""
    organization = Counts()
    for kind in ORGANIZATION_KINDS:
        organization.add(by_kind.get(kind, Counts()))
    return [row(kind, by_kind.get(kind, Counts()), year) for kind in KINDS] + [
        row(ORGANIZATION, organization, year)
    ]


def _collect(
    eligible: Iterable[Mapping[str, Any]],
    registered: Iterable[Mapping[str, Any]],
    unit_key: str | None,
    reg_key: str | None,
) -> dict[Any, dict[str, Counts]]:
    """{child id (None: no child): {kind: counts}} from the two aggregate queries' rows."""
    out: dict[Any, dict[str, Counts]] = defaultdict(lambda: defaultdict(Counts))
    for line in eligible:
        out[line[unit_key] if unit_key else None][line["kind"]].eligible += line["n"]
    for line in registered:
        counts = out[line[reg_key] if reg_key else None][line["unit_kind"]]
        counts.registered += line["registered"]
        counts.met += line["met"]
        counts.not_met += line["not_met"]
        counts.imported += line["imported"]
    return out


def registration_counts(
    regs: QuerySet[Registration], *group: str
) -> QuerySet[Registration, dict[str, Any]]:
    counted: QuerySet[Registration, dict[str, Any]] = (
        regs.order_by()
        .values("unit_kind", *group)
        .annotate(
            # Counting a NOT NULL column of the covering index ``registration_report_cover``
            # (not the primary key, which it lacks) lets the count read the index only.
            registered=Count("result"),
            met=Count("result", filter=Q(result=Result.MET)),
            not_met=Count("result", filter=Q(result=Result.NOT_MET)),
            imported=Count("result", filter=Q(imported=True)),
        )
    )
    return counted


# --- the summary ---------------------------------------------------------------------------------


def summary(scope: Scope, year: int, *, today: dt.date | None = None) -> dict[str, Any]:
    """The figures of ``scope`` for ``year``::

        {"year": 2024,
         "scope": {"code", "name", "kind", "level", "geography", "valid_from", "valid_to"},
         "legal_basis": "TT 124/2021",
         "criteria_set": {"code", "short_title", "title",
                          "windows": [{"kind", "criteria_set", "start", "end", "assumed"}]},
         "denominator": "registered", "denominator_label": "...",
         "rows": [{"kind", "kind_label", "eligible", "registered", "met", "not_met", "pending",
                   "rate", "rate_display", "rate_eligible", "rate_eligible_display"}, ...],
         "children": [{"code", "name", "kind", "geography", "latitude", "longitude",
                       "rows": [...], "units": [...]}, ...],
         "units": [...],
         "notes": ["...", ...], "generated_at": "2026-11-25T19:43:30+07:00"}

    ``rows`` lists the five kinds then ``organization``; ``rate`` is met / registered (null when
    nothing is registered) and ``rate_display`` its Vietnamese text ("97,75%", "—").

    ``children`` are the next level down (country → provinces, province → communes — or, for a
    pre-2025 province, districts —, district → communes); a child whose ``code`` is null gathers
    the units that belong to no child (organisations managed by the province itself, …). For a
    province or district scope each child carries ``units``: its units **not met** that year.
    For a commune (or a single unit) ``children`` is empty and the top-level ``units`` lists
    every unit — registered or not. A unit line (``unit_lines``) is ``{"code", "name", "kind",
    "kind_label", "registered", "state", "state_label", "result", "result_label", "imported",
    "criteria_set", "decided_on", "failed_criteria": ["4.3"], "failed_points": ["4.3.c"],
    "failed_details": [{"code", "explanation", "points"}], "note"}``.
    """
    today = today or timezone.localdate()
    day = reference_day(year)
    regs = Registration.objects.filter(scope.registration_filter(), year=year)
    reg_key, unit_key = scope.registration_child(), scope.unit_child()
    current = scope.unit is not None and not scope.historical and scope.level != "unit"
    sources = scope_sources(scope.unit) if current and scope.unit is not None else None

    by_child = _collect(
        eligible_counts(scope, valid_on_q(day), sources),
        registration_counts(regs, *([reg_key] if reg_key else [])),
        unit_key,
        reg_key,
    )

    total: dict[str, Counts] = defaultdict(Counts)
    for kinds in by_child.values():
        for kind, counts in kinds.items():
            total[kind].add(counts)

    data: dict[str, Any] = {
        "year": year,
        "scope": scope.as_dict(),
        "legal_basis": legal_basis(year),
        "criteria_set": criteria_set(year),
        "denominator": "registered",
        "denominator_label": DENOMINATOR_LABELS["registered"],
        "rows": rows(total, year),
        "children": _children(scope, year, by_child, day, today) if reg_key else [],
        "notes": _notes(scope, year, day, total, by_child),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
    }
    if scope.lists_units:
        data["units"] = unit_lines(scope, year, eligible_units(scope, valid_on_q(day), sources))
    return data


def _children(
    scope: Scope,
    year: int,
    by_child: Mapping[Any, Mapping[str, Counts]],
    day: dt.date,
    today: dt.date,
) -> list[dict[str, Any]]:
    admin_q, on = scope.child_units_q(day, today)
    ids = [pk for pk in by_child if pk is not None]
    children = (
        Unit.objects.filter(Q(pk__in=ids) | (admin_q & valid_on_q(on)))
        .order_by("code", "valid_from")
        .only("id", "code", "name", "kind", "valid_to", "latitude", "longitude")
    )
    failed: dict[Any, list[dict[str, Any]]] | None = None
    key = scope.registration_child()
    if scope.level in (_PROVINCE, _DISTRICT) and key is not None:
        failed = defaultdict(list)
        not_met = Registration.objects.filter(
            scope.registration_filter(), year=year, result=Result.NOT_MET
        )
        for reg in registration_rows(not_met, key):
            failed[reg[key]].append(registration_line(reg))
    out = []
    for child in children:
        out.append(
            {
                "code": child.code,
                "name": child.name,
                "kind": child.kind,
                "geography": "historical" if child.is_legacy or scope.historical else "current",
                "latitude": child.latitude,
                "longitude": child.longitude,
                "rows": rows(by_child.get(child.pk, {}), year),
                **({"units": failed.get(child.pk, [])} if failed is not None else {}),
            }
        )
    rest = by_child.get(None)
    if rest and any(c.eligible or c.registered for c in rest.values()):
        out.append(
            {
                "code": None,
                "name": _rest_name(scope),
                "kind": None,
                "geography": scope.geography,
                "latitude": None,
                "longitude": None,
                "rows": rows(rest, year),
                **({"units": failed.get(None, [])} if failed is not None else {}),
            }
        )
    return out


def _rest_name(scope: Scope) -> str:
    if scope.unit is None:
        return "Chưa xác định được tỉnh, thành phố theo địa giới hiện nay"
    if scope.level == _DISTRICT:
        return "Đơn vị trực thuộc cấp huyện (không thuộc xã, phường, thị trấn nào)"
    if scope.historical:
        return "Đơn vị trực thuộc cấp tỉnh (không thuộc huyện, quận, thị xã nào)"
    return "Đơn vị trực thuộc cấp tỉnh (không thuộc xã, phường, đặc khu nào)"


def _notes(
    scope: Scope,
    year: int,
    day: dt.date,
    total: Mapping[str, Counts],
    by_child: Mapping[Any, Mapping[str, Counts]],
) -> list[str]:
    notes = [NOTE_DENOMINATOR, NOTE_ELIGIBLE % {"day": f"{day:%d/%m/%Y}"}]
    if registry().for_year(_COMMUNE, year).code != registry().for_year(_COMMUNE, 2022).code:
        notes.append(NOTE_TT23_SCOPE % {"year": year})
    if scope.historical:
        notes.append(NOTE_HISTORICAL % {"name": scope.name})
        unit = scope.unit
        if unit is not None and unit.valid_to is not None and unit.valid_to < day:
            ended = unit.valid_to + dt.timedelta(days=1)
            notes.append(NOTE_ABOLISHED % {"name": scope.name, "day": f"{ended:%d/%m/%Y}"})
    elif day < REFORM and scope.level != "unit":
        notes += [NOTE_MAPPED % {"year": year}, NOTE_SPLIT]
    imported = sum(c.imported for c in total.values())
    if imported:
        notes.append(NOTE_IMPORTED % {"count": imported})
    if scope.unit is None and None in by_child:
        unmapped = sum(c.registered for c in by_child[None].values())
        if unmapped:
            notes.append(NOTE_UNMAPPED % {"count": unmapped})
    return notes


# --- the units of a commune ----------------------------------------------------------------------


def _failed(evaluation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The criteria with verdict not_met in a frozen evaluation, with their failed points."""

    def leaves(node: Mapping[str, Any]) -> list[str]:
        points = node.get("points") or []
        if not points:
            return [node["code"]] if node.get("verdict") == "not_met" else []
        return [code for p in points for code in leaves(p)]

    return [
        {
            "code": node.get("code", ""),
            "explanation": node.get("explanation", ""),
            "points": [c for c in leaves(node) if c != node.get("code")],
        }
        for node in evaluation.get("criteria", [])
        if node.get("verdict") == "not_met"
    ]


# What a unit line needs of a registration: ``registration_rows`` reads these columns (and the
# unit's code and name) instead of building model instances, a few hundred per drill-down.
LINE_FIELDS = (
    "unit_id",
    "unit__code",
    "unit__name",
    "unit_kind",
    "state",
    "result",
    "imported",
    "criteria_set",
    "decided_on",
)


def registration_rows(regs: QuerySet[Registration], *extra: str) -> list[dict[str, Any]]:
    """The registrations as rows of ``LINE_FIELDS`` (and ``extra`` columns), one query. A unit
    not met (live cycle, not imported) also gets its current assessment — the newest by
    (recorded_at, id), as ``registration.assessments`` orders them —: ``assessment_id`` (None:
    none recorded) and its frozen ``evaluation``. The others' assessments are not read. In the
    registrations' own order (year, unit path), which the drill-down lists keep."""
    latest = Assessment.objects.filter(registration=OuterRef("pk")).order_by("-recorded_at", "-id")
    not_met = Q(result=Result.NOT_MET, imported=False)
    current = regs.annotate(
        assessment_id=Case(
            When(not_met, then=Subquery(latest.values("id")[:1])), output_field=IntegerField()
        ),
        evaluation=Case(
            When(not_met, then=Subquery(latest.values("evaluation")[:1])),
            output_field=JSONField(),
        ),
    )
    return list(current.values(*LINE_FIELDS, *extra, "assessment_id", "evaluation"))


def registration_line(reg: Mapping[str, Any]) -> dict[str, Any]:
    """One registered unit (a row of ``registration_rows``) as the drill-down shows it; for a
    unit not met, what failed: the criteria with verdict not_met in its current assessment.
    Imported history has none."""
    details: list[dict[str, Any]] = []
    note = ""
    if reg["imported"]:
        note = IMPORTED_NO_CRITERIA
    elif reg["result"] == Result.NOT_MET:
        if reg["assessment_id"] is None:
            note = NO_ASSESSMENT
        else:
            details = _failed(reg["evaluation"] or {})
            if not details:
                note = NO_FAILED_CRITERIA
    kind = reg["unit_kind"]
    return {
        "code": reg["unit__code"],
        "name": reg["unit__name"],
        "kind": kind,
        "kind_label": ROW_LABELS.get(kind, kind),
        "registered": True,
        "state": reg["state"],
        "state_label": STATE_LABELS.get(State(reg["state"]), reg["state"]),
        "result": reg["result"],
        "result_label": str(Result(reg["result"]).label),
        "imported": reg["imported"],
        "criteria_set": reg["criteria_set"],
        "decided_on": reg["decided_on"].isoformat() if reg["decided_on"] else None,
        "failed_criteria": [d["code"] for d in details],
        "failed_points": [p for d in details for p in d["points"]],
        "failed_details": details,
        "note": note,
    }


def unit_lines(scope: Scope, year: int, units: QuerySet[Unit]) -> list[dict[str, Any]]:
    """Each unit of the scope in ``year``: the registered ones (``registration_line``), then
    the eligible units that did not register. Two queries whatever the number of units."""
    regs = registration_rows(Registration.objects.filter(scope.registration_filter(), year=year))
    lines = [registration_line(reg) for reg in regs]
    seen = {reg["unit_id"] for reg in regs}
    for unit in units.order_by().values("id", "code", "name", "kind"):
        if unit["id"] in seen:
            continue
        lines.append(
            {
                "code": unit["code"],
                "name": unit["name"],
                "kind": unit["kind"],
                "kind_label": ROW_LABELS.get(unit["kind"], unit["kind"]),
                "registered": False,
                "state": None,
                "state_label": "Chưa đăng ký",
                "result": None,
                "result_label": "Chưa đăng ký",
                "imported": False,
                "criteria_set": None,
                "decided_on": None,
                "failed_criteria": [],
                "failed_points": [],
                "failed_details": [],
                "note": "",
            }
        )
    order = {kind: i for i, kind in enumerate(KINDS)}
    lines.sort(key=lambda line: (order.get(line["kind"], 99), line["code"]))
    return lines


# --- finding the scope ---------------------------------------------------------------------------

GEOGRAPHIES = ("auto", "current", "historical")


def find_scope(
    code: str | None,
    year: int,
    *,
    units: QuerySet[Unit] | None = None,
    nationwide: bool = True,
    geography: str = "auto",
    today: dt.date | None = None,
) -> Scope | None:
    """The scope a code names, or None when there is none (or none the caller may see).

    "" or "VN" is the whole country (only when ``nationwide``). Otherwise ``units`` (the
    caller's ``Unit.objects.visible_to(user)``) is searched: ``current`` — the unit with that
    code today; ``historical`` — the unit with that code in ``year`` (a pre-2025 code, or a code
    reused by the reform as it was then: ``--scope 51 --year 2022 --geography historical`` is the
    former Quảng Ngãi); ``auto`` (default) — today's unit if the code exists today, else the
    unit of ``year`` (``--scope 62 --year 2022`` is the former Kon Tum province)."""
    from antt.recognition.api import unit_for_year  # the API module builds on this app's models

    code = (code or "").strip()
    if not code or code.upper() == NATIONAL_CODE:
        return Scope(None) if nationwide else None
    qs: Any = units if units is not None else Unit.objects.all()
    if geography in ("auto", "current"):
        found = qs.at_code(code, today or timezone.localdate()).first()
        if found is not None and not found.is_legacy:
            return Scope(found)
        if geography == "current":
            return None
    found = unit_for_year(qs, code, year)
    return Scope(found) if found is not None else None


# --- the exporters (another module's; imported late) ---------------------------------------------

FILE_FORMATS: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class ExportUnavailable(RuntimeError):
    """The exporter for a format is not installed; the message says so, in Vietnamese."""


def export(report: str, file_format: str, data: Mapping[str, Any]) -> bytes:
    """``antt.reports.exports.<report>_<format>(data)``: "summary"/"review" × xlsx/docx/pdf."""
    import importlib

    name = f"{report}_{file_format}"
    try:
        module = importlib.import_module("antt.reports.exports")
    except ImportError as exc:
        raise ExportUnavailable(
            f"Chưa cài đặt bộ xuất báo cáo (antt.reports.exports) nên chưa xuất được tệp "
            f"{file_format.upper()}: {exc}"
        ) from exc
    builder = getattr(module, name, None)
    if builder is None:
        raise ExportUnavailable(
            f"Bộ xuất báo cáo chưa có hàm {name}: chưa xuất được tệp {file_format.upper()}."
        )
    return bytes(builder(data))


def exports_available() -> frozenset[str]:
    """The ``<report>_<format>`` builders present (for the page's download buttons)."""
    import importlib

    try:
        module = importlib.import_module("antt.reports.exports")
    except ImportError:
        return frozenset()
    return frozenset(
        f"{report}_{fmt}"
        for report in ("summary", "review")
        for fmt in FILE_FORMATS
        if callable(getattr(module, f"{report}_{fmt}", None))
    )


def file_name(report: str, data: Mapping[str, Any], file_format: str) -> str:
    """bao-cao-antt-51-2024.xlsx, bao-cao-antt-51-2021-2025.pdf (ASCII, safe in a header)."""
    code = str((data.get("scope") or {}).get("code") or NATIONAL_CODE)
    if report == "review":
        years = data.get("years") or []
        period = f"{years[0]}-{years[-1]}" if years else "nhieu-nam"
    else:
        period = str(data.get("year"))
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in code)
    return f"bao-cao-antt-{safe}-{period}.{file_format}"
