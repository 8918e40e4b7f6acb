"""Browsing the unit tree: the user's starting points, search, and one unit's page with drill-down.

Every query starts from ``Unit.objects.visible_to(request.user)``; a code outside the user's
jurisdiction, or naming no unit on the chosen date, is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from antt.accounts.models import User
from antt.core.cache import cached
from antt.core.scoping import get_visible_or_404
from antt.core.templatetags.vn import number_vn
from antt.units.divisions import REFORM_DATE
from antt.units.models import (
    ADMINISTRATIVE_KINDS,
    ALLOWED_PARENT_KINDS,
    ORGANISATION_KINDS,
    Unit,
    UnitKind,
)

__all__ = ["unit_detail", "unit_list"]

PAGE_SIZE = 50
RESULTS_TARGET = "results"  # id of the element htmx swaps on the list page

# Descendant counts shown per row; districts only exist before the 2025 reform.
COUNTED_KINDS = (
    UnitKind.COMMUNE,
    UnitKind.RESIDENTIAL_AREA,
    UnitKind.AGENCY,
    UnitKind.ENTERPRISE,
    UnitKind.SCHOOL,
)
KIND_ORDER = tuple(UnitKind)
# Column headings: the kinds' full labels are too long for a table header on a phone.
SHORT_KIND_LABELS = {
    UnitKind.PROVINCE: _("Tỉnh"),
    UnitKind.DISTRICT: _("Huyện"),
    UnitKind.COMMUNE: _("Xã"),
    UnitKind.RESIDENTIAL_AREA: _("Khu dân cư"),
    UnitKind.AGENCY: _("Cơ quan"),
    UnitKind.ENTERPRISE: _("Doanh nghiệp"),
    UnitKind.SCHOOL: _("Cơ sở giáo dục"),
}


@dataclass(frozen=True)
class Browse:
    """What the query string asks for: a date (default today) and a search text."""

    day: dt.date
    q: str
    date_param: str  # the ?date= value to carry on links, "" when browsing today
    date_invalid: bool

    @property
    def is_legacy(self) -> bool:
        return self.day < REFORM_DATE

    @property
    def kinds(self) -> tuple[UnitKind, ...]:
        return ((UnitKind.DISTRICT,) if self.is_legacy else ()) + COUNTED_KINDS

    def query(self, **extra: str) -> str:
        """``?date=…&…`` for links that keep the chosen date."""
        params = {"date": self.date_param, **extra}
        encoded = urlencode({k: v for k, v in params.items() if v})
        return f"?{encoded}" if encoded else ""


def read_browse(request: HttpRequest) -> Browse:
    today = timezone.localdate()
    raw = request.GET.get("date", "").strip()
    day, invalid = today, False
    if raw:
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                day = dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 (a date, no time)
                break
            except ValueError:
                continue
        else:
            invalid = True
    return Browse(
        day=day,
        q=request.GET.get("q", "").strip()[:100],
        date_param=day.isoformat() if day != today else "",
        date_invalid=invalid,
    )


def _longest_chain(kind: str) -> int:
    parents = [p for p in ALLOWED_PARENT_KINDS[kind] if p is not None]
    return 1 + max(_longest_chain(p) for p in parents) if parents else 0


# The deepest a unit can sit: province → district → commune → residential area = 3.
MAX_DEPTH = max(_longest_chain(kind) for kind in ALLOWED_PARENT_KINDS)


def descendant_counts(
    roots: list[Unit], user: Any, day: dt.date, kinds: tuple[str, ...]
) -> dict[int, Counter[str]]:
    """``{root pk: {kind: n}}`` for descendants valid on ``day``, counted in SQL.

    One GROUP BY per level below the shallowest root (``parent``, ``parent__parent``, …), so
    at most ``MAX_DEPTH`` queries whatever the number of roots.
    """
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    if not roots:
        return counts
    root_ids = [root.pk for root in roots]
    scoped = (
        Unit.objects.visible_to(user)
        .valid_on(day)
        .filter(kind__in=[UnitKind(k).value for k in kinds])
        .order_by()
    )
    for hops in range(1, MAX_DEPTH - min(root.depth for root in roots) + 1):
        ancestor = "__".join(["parent"] * hops)
        grouped = (
            scoped.filter(**{f"{ancestor}__in": root_ids})
            .values_list(ancestor, "kind")
            .annotate(n=Count("pk"))
        )
        for root_id, kind, n in grouped:
            counts[root_id][kind] += n
    return counts


def starting_points(
    user: Any, day: dt.date, kinds: tuple[UnitKind, ...]
) -> list[tuple[Unit, list[CountCell]]]:
    """The roots of the user's jurisdiction on ``day`` with their descendants counted per kind.

    Cached until the next data write: nationally the counts group all 250,000 units (0.5 s),
    and they depend only on the jurisdiction (its paths), the day and the kinds shown. The
    cells come formatted (in the active language: part of the key), so that rendering the
    table only pastes strings.
    """

    def compute() -> list[tuple[Unit, list[CountCell]]]:
        roots = list(Unit.objects.roots_visible_to(user, day).order_by("depth", "code"))
        counts = descendant_counts(roots, user, day, kinds)
        labels = {kind: str(SHORT_KIND_LABELS[kind]) for kind in kinds}
        return [
            (
                unit,
                [
                    CountCell(c.kind, c.count, labels[c.kind], number_vn(c.count))
                    for c in _counts(counts[unit.pk], kinds)
                ],
            )
            for unit in roots
        ]

    parts = (
        "units:starting-points",
        user.jurisdiction_paths(),
        day,
        tuple(kinds),
        translation.get_language(),
    )
    return cached(parts, compute)


@dataclass(frozen=True)
class KindCount:
    kind: UnitKind
    count: int

    @property
    def short_label(self) -> str:
        return str(SHORT_KIND_LABELS[self.kind])


@dataclass(frozen=True)
class CountCell(KindCount):
    """A cell of the list's table: the count with its column label, both as shown."""

    label: str
    shown: str


def _counts(counted: Counter[str], kinds: tuple[UnitKind, ...]) -> list[KindCount]:
    return [KindCount(kind, counted[kind.value]) for kind in kinds]


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    browse = read_browse(request)
    visible = Unit.objects.visible_to(request.user).valid_on(browse.day)
    context: dict[str, Any] = {"browse": browse, "day": browse.day, "q": browse.q}
    if browse.q:
        results = (
            visible.search(browse.q)
            .select_related("parent")
            .order_by("depth", "name_folded", "code")
        )
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["page_query"] = browse.query(q=browse.q)
    else:
        context["rows"] = starting_points(request.user, browse.day, browse.kinds)
        context["columns"] = [SHORT_KIND_LABELS[kind] for kind in browse.kinds]
        user = request.user
        context["has_roles"] = isinstance(user, User) and (user.is_superuser or bool(user.grants()))

    htmx = getattr(request, "htmx", None)  # set by django_htmx's middleware
    if htmx and htmx.target == RESULTS_TARGET and not htmx.history_restore_request:
        response = render(request, "units/_results.html", context)
    else:
        response = render(request, "units/unit_list.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@dataclass(frozen=True)
class Link:
    """Another unit shown on a page: a link when the user may see it, plain text otherwise."""

    unit: Unit
    visible: bool
    query: str = ""
    note: str = ""
    is_default: bool = True


def _day_query(unit: Unit, today: dt.date) -> str:
    """The ?date= that resolves ``unit``'s code: today when it is valid today, else its last day."""
    if unit.is_valid_on(today):
        return ""
    day = unit.valid_to or unit.valid_from
    return f"?{urlencode({'date': day.isoformat()})}" if day else ""


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    browse = read_browse(request)
    today = timezone.localdate()
    scoped = Unit.objects.visible_to(request.user)
    unit = get_visible_or_404(
        Unit.objects.valid_on(browse.day).select_related("parent__parent__parent"),
        request.user,
        code=code,
    )
    counts = descendant_counts([unit], request.user, browse.day, browse.kinds)[unit.pk]

    ancestors: list[Unit] = []
    node = unit.parent
    while node is not None:
        ancestors.insert(0, node)
        node = node.parent
    successions = list(
        unit.successions.select_related("successor").order_by("-is_default", "successor__code")
    )
    predecessions = list(
        unit.predecessions.select_related("predecessor").order_by("predecessor__code")
    )
    related_ids = (
        [a.pk for a in ancestors]
        + [s.successor_id for s in successions]
        + [p.predecessor_id for p in predecessions]
    )
    visible_ids = (
        set(scoped.filter(pk__in=related_ids).values_list("pk", flat=True))
        if related_ids
        else set()
    )

    breadcrumb = [Link(a, a.pk in visible_ids, browse.query()) for a in ancestors]
    successors = [
        Link(
            s.successor,
            s.successor_id in visible_ids,
            _day_query(s.successor, today),
            s.note,
            s.is_default,
        )
        for s in successions
    ]
    predecessors = [
        Link(
            p.predecessor,
            p.predecessor_id in visible_ids,
            _day_query(p.predecessor, today),
            p.note,
            p.is_default,
        )
        for p in predecessions
    ]

    children = scoped.valid_on(browse.day).filter(parent=unit).order_by("code")
    groups: dict[str, list[Unit]] = {}
    for child in children:
        groups.setdefault(child.kind, []).append(child)
    child_groups = [(kind, groups[kind.value]) for kind in KIND_ORDER if kind.value in groups]

    return render(
        request,
        "units/unit_detail.html",
        {
            "browse": browse,
            "day": browse.day,
            "unit": unit,
            "breadcrumb": breadcrumb,
            "successors": successors,
            "is_split": len(successors) > 1,
            "predecessors": predecessors,
            "child_groups": child_groups,
            "counts": [c for c in _counts(counts, browse.kinds) if c.count],
            "eligibility": unit.eligibility,
            "is_organisation": unit.kind in ORGANISATION_KINDS,
            "can_have_children": unit.kind in ADMINISTRATIVE_KINDS,
            # Kinds whose eligibility depends on their attributes: shown per child row.
            "assessed_kinds": {kind.value for kind in ORGANISATION_KINDS},
        },
    )
