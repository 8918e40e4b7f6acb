"""Selectors for the cycle pages: what waits on whom, and how complete an area is.

Read-only. Every function starts from ``Registration.objects.visible_to(user)`` and answers in a
fixed number of aggregate queries, whatever the number of units:

* **Who may act** is ``workflow.can``. It is asked once per role assignment (does this grant act
  nationwide, or over its own subtree?) and the answer becomes one ``__startswith`` per acting
  grant on the registration's unit path (the unit's side) or on the path of the body that
  appraises and decides (``body_path``, the SQL twin of ``services.body_path``). Rows shown are
  checked once more with ``workflow.can`` itself, in Python, without a query.
* **Completeness** (registered / expected, assessed, submitted, decided on time or late,
  certified) is one GROUP BY over the registrations and one over the units, by the child unit of
  the user's area (province, commune or unit kind).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, StrIndex, Substr
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from antt.recognition import workflow
from antt.recognition.evaluation import reference_day
from antt.recognition.models import AuthorityRule, Level, Registration
from antt.recognition.workflow import Action, Side, State
from antt.units import eligibility
from antt.units.models import Unit, UnitKind

__all__ = [
    "DECIDED",
    "TASKS",
    "UNDECIDED",
    "Area",
    "Deadlines",
    "Figures",
    "Line",
    "Task",
    "WorkList",
    "acting_q",
    "area_figures",
    "cache_parts",
    "line",
    "may",
    "registrations",
    "task_q",
    "timing",
    "work_list",
]

NOWHERE = "/"  # a path no grant's subtree contains: only a nationwide grant acts on it

UNDECIDED = (State.REGISTERED, State.ASSESSED, State.SUBMITTED, State.RETURNED, State.APPRAISED)
DECIDED = (State.DECIDED_MET, State.DECIDED_NOT_MET, State.CERTIFIED)
MET = (State.DECIDED_MET, State.CERTIFIED)
# The dossier reached the standing office (a returned one is back with the unit).
SUBMITTED = (State.SUBMITTED, State.APPRAISED, *DECIDED, State.ANNULLED)

# services.body_unit, in SQL: the registration carries its province, district and commune.
BODY_PATH = Coalesce(
    Case(
        When(
            Q(authority__deciding_level=Level.COMMUNE) & ~Q(unit_kind=UnitKind.COMMUNE),
            then=F("commune__path"),
        ),
        When(authority__deciding_level=Level.DISTRICT, then=F("district__path")),
        When(authority__deciding_level=Level.PROVINCE, then=F("province__path")),
        default=Value(NOWHERE),
        output_field=CharField(),
    ),
    Value(NOWHERE),
    output_field=CharField(),
)


def cache_parts(user: Any, year: int, today: dt.date) -> tuple[Any, ...]:
    """What the work list and the area figures depend on besides the data (antt.core.cache):
    the user's grants (who acts where, what is visible), the year, the day (overdue is counted
    against it) and the language of the labels. Users with the same grants share an entry."""
    grants = tuple(sorted((g.role.value, g.path) for g in user.grants()))
    return ("worklist", bool(user.is_superuser), grants, year, today.isoformat(), get_language())


def registrations(user: Any, year: int) -> QuerySet[Registration]:
    """The user's registrations of ``year``, each with its ``body_path``."""
    return Registration.objects.visible_to(user).for_year(year).annotate(body_path=BODY_PATH)


# ---------------------------------------------------------------- who may act


def acting_q(user: Any, action: Action) -> Q:
    """The registrations on which ``user`` may take ``action``, as far as roles go (the state
    is the caller's business). Needs the ``body_path`` annotation for the appraiser's and the
    decider's actions."""
    if user.is_superuser:
        return Q()
    side = workflow.ACTION_SIDE[action]
    target = "unit__path" if side is Side.UNIT else "body_path"
    q = Q(pk__in=[])
    for grant in user.grants():
        if workflow.can([grant], action, unit_path=NOWHERE, body_path=NOWHERE):
            return Q()  # nationwide
        if workflow.can([grant], action, unit_path=grant.path, body_path=grant.path):
            q |= Q(**{f"{target}__startswith": grant.path})
    return q


def may(user: Any, action: Action, registration: Registration) -> bool:
    """``workflow.can`` for one row of :func:`registrations` (no query)."""
    if user.is_superuser:
        return True
    body = getattr(registration, "body_path", None)
    if body is None:
        raise ValueError("annotate the registration with body_path first")
    return workflow.can(user.grants(), action, unit_path=registration.unit.path, body_path=body)


@dataclass(frozen=True)
class Task:
    key: str
    label: Any
    action: Action
    states: tuple[State, ...]


TASKS: tuple[Task, ...] = (
    Task("appraise", _("Hồ sơ chờ thẩm định"), Action.APPRAISE, (State.SUBMITTED,)),
    Task("decide", _("Hồ sơ chờ quyết định công nhận"), Action.DECIDE_MET, (State.APPRAISED,)),
    Task("certify", _("Đã công nhận, chờ cấp giấy"), Action.CERTIFY, (State.DECIDED_MET,)),
    Task("correct", _("Hồ sơ bị trả lại, cần bổ sung"), Action.SUBMIT, (State.RETURNED,)),
    Task("assess", _("Chờ họp đánh giá"), Action.ASSESS, (State.REGISTERED,)),
    Task("submit", _("Đã họp, chờ gửi hồ sơ"), Action.SUBMIT, (State.ASSESSED,)),
)
TASKS_BY_KEY = {t.key: t for t in TASKS}


def task_q(user: Any, task: Task) -> Q:
    return Q(state__in=task.states) & acting_q(user, task.action)


# ---------------------------------------------------------------- deadlines


class Deadlines:
    """The deadlines of one year, by authority rule: a handful of dates (15/11, 20/11…), so
    "late" and "overdue" are a few ``authority_id__in`` clauses, not a date computed per row."""

    def __init__(self, year: int, today: dt.date) -> None:
        self.year = year
        self.today = today
        self.by_day: dict[dt.date, list[int]] = defaultdict(list)
        for pk, month, day in AuthorityRule.objects.values_list(
            "pk", "deadline_month", "deadline_day"
        ):
            self.by_day[dt.date(year, month, day)].append(pk)

    def _any(self, parts: Iterable[Q]) -> Q:
        q = Q(pk__in=[])
        for part in parts:
            q |= part
        return q

    def on_time_q(self) -> Q:
        """Decided before the day (Art. 9.1: “trước ngày”)."""
        return Q(state__in=DECIDED) & self._any(
            Q(authority_id__in=ids, decided_on__lt=day) for day, ids in self.by_day.items()
        )

    def late_q(self) -> Q:
        """Decided on the day or after: accepted and recorded, never refused (D7)."""
        return Q(state__in=DECIDED) & self._any(
            Q(authority_id__in=ids, decided_on__gte=day) for day, ids in self.by_day.items()
        )

    def overdue_q(self) -> Q:
        """Not decided, and a decision today would already be late."""
        due = [pk for day, ids in self.by_day.items() if day <= self.today for pk in ids]
        return Q(state__in=UNDECIDED, authority_id__in=due)


ON_TIME, LATE, OVERDUE, DUE = "on_time", "late", "overdue", "due"


def timing(registration: Registration, today: dt.date) -> str:
    """on_time / late (decided), overdue / due (not decided), "" when there is no deadline."""
    rule = registration.authority
    if rule is None:
        return ""
    deadline = rule.deadline(registration.year)
    if registration.state in DECIDED or registration.state == State.ANNULLED:
        if registration.decided_on is None:
            return ""
        return ON_TIME if registration.decided_on < deadline else LATE
    return OVERDUE if today >= deadline else DUE


@dataclass(frozen=True)
class Line:
    """A registration as a row of a page: its state in words, its deadline and timing."""

    reg: Registration
    timing: str
    deadline: dt.date | None
    state_label: str


def line(registration: Registration, today: dt.date) -> Line:
    rule = registration.authority
    return Line(
        registration,
        timing(registration, today),
        rule.deadline(registration.year) if rule is not None else None,
        workflow.STATE_LABELS[State(registration.state)],
    )


# ---------------------------------------------------------------- the work list


@dataclass
class TaskRows:
    task: Task
    count: int
    overdue: int
    rows: list[Line]


@dataclass
class WorkList:
    year: int
    tasks: list[TaskRows]

    @property
    def total(self) -> int:
        return sum(t.count for t in self.tasks)


def work_list(
    user: Any, year: int, today: dt.date, limit: int = 10, deadlines: Deadlines | None = None
) -> WorkList:
    """What waits on ``user``: one COUNT query for every task, one short query per task."""
    base = registrations(user, year)
    deadlines = deadlines or Deadlines(year, today)
    overdue = deadlines.overdue_q()
    qs = {t.key: task_q(user, t) for t in TASKS}
    counts = base.aggregate(
        **{t.key: Count("pk", filter=qs[t.key]) for t in TASKS},
        **{f"{t.key}__overdue": Count("pk", filter=qs[t.key] & overdue) for t in TASKS},
    )
    result = []
    for task in TASKS:
        rows: list[Line] = []
        if counts[task.key]:
            found = (
                base.filter(qs[task.key])
                .select_related("unit", "commune", "authority")
                .order_by("authority__deadline_month", "authority__deadline_day", "unit__code")[
                    :limit
                ]
            )
            rows = [line(r, today) for r in found if may(user, task.action, r)]
        result.append(TaskRows(task, counts[task.key], counts[f"{task.key}__overdue"], rows))
    return WorkList(year, result)


# ---------------------------------------------------------------- completeness


@dataclass
class Figures:
    """One row of the completeness table (DHIS2's reporting rates, for this cycle)."""

    key: Any
    label: str
    code: str = ""
    expected: int = 0
    registered: int = 0
    assessed: int = 0
    submitted: int = 0
    returned: int = 0
    decided: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    met: int = 0
    certified: int = 0
    annulled: int = 0

    def add(self, other: Figures) -> None:
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def ratio(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def registered_rate(self) -> float | None:
        return self.ratio(self.registered, self.expected)

    @property
    def assessed_rate(self) -> float | None:
        return self.ratio(self.assessed, self.registered)

    @property
    def submitted_rate(self) -> float | None:
        return self.ratio(self.submitted, self.registered)

    @property
    def decided_rate(self) -> float | None:
        return self.ratio(self.decided, self.submitted)

    @property
    def certified_rate(self) -> float | None:
        return self.ratio(self.certified, self.met)

    @property
    def has_delay(self) -> bool:
        return bool(self.late or self.overdue)


COUNTED = (
    "expected",
    "registered",
    "assessed",
    "submitted",
    "returned",
    "decided",
    "on_time",
    "late",
    "overdue",
    "met",
    "certified",
    "annulled",
)


@dataclass
class Area:
    """The completeness of the user's area, one row per child unit, plus the total."""

    by: str  # "province", "commune" or "kind"
    rows: list[Figures] = field(default_factory=list)
    total: Figures = field(default_factory=lambda: Figures(None, ""))

    @property
    def heading(self) -> Any:
        return GROUP_HEADINGS[self.by]


GROUP_HEADINGS = {
    "province": _("Tỉnh, thành phố"),
    "commune": _("Xã, phường, đặc khu"),
    "kind": _("Loại đơn vị"),
}
OUTSIDE_COMMUNE = _("Trực thuộc cấp tỉnh, cấp huyện")


def grouping(user: Any) -> str:
    """By province nationally (or over several provinces), by commune over one province or
    several communes, by unit kind inside one commune."""
    if user.jurisdiction_paths() is None:
        return "province"
    kinds = list(
        Unit.objects.filter(path__in=[g.path for g in user.grants()]).values_list("kind", flat=True)
    )
    provinces = kinds.count(UnitKind.PROVINCE)
    if provinces > 1:
        return "province"
    if provinces == 1 or UnitKind.DISTRICT in kinds or kinds.count(UnitKind.COMMUNE) > 1:
        return "commune"
    return "kind"


# The first id of a materialised path ("/12/345/" → 12): the province of any unit.
_PROVINCE_OF_PATH = Cast(
    Substr("path", 2, StrIndex(Substr("path", 2), Value("/")) - 1), IntegerField()
)
_COMMUNE_OF_UNIT = Case(
    When(kind=UnitKind.COMMUNE, then=F("pk")),
    When(parent__kind=UnitKind.COMMUNE, then=F("parent_id")),
    default=None,
    output_field=IntegerField(),
)
UNIT_GROUP = {"province": _PROVINCE_OF_PATH, "commune": _COMMUNE_OF_UNIT, "kind": F("kind")}
REGISTRATION_GROUP = {"province": "province_id", "commune": "commune_id", "kind": "unit_kind"}


def _expected(user: Any, year: int, by: str) -> dict[Any, int]:
    """Eligible units valid on the year's reference day, per group: one GROUP BY over the
    attributes eligibility depends on, then ``eligibility.assess`` once per distinct profile."""
    rows = (
        Unit.objects.visible_to(user)
        .valid_on(reference_day(year))
        .filter(kind__in=sorted(eligibility.ELIGIBLE_KINDS))
        .order_by()
        .annotate(group=UNIT_GROUP[by])
        .values_list("group", "kind", "enterprise_size", "education_level", "is_armed_forces")
        .annotate(n=Count("pk"))
    )
    out: dict[Any, int] = defaultdict(int)
    for group, kind, size, level, armed, n in rows:
        if eligibility.assess(
            kind=kind, enterprise_size=size, education_level=level, is_armed_forces=armed
        ).eligible:
            out[group] += n
    return out


def area_figures(
    user: Any,
    year: int,
    today: dt.date,
    by: str | None = None,
    deadlines: Deadlines | None = None,
) -> Area:
    by = by or grouping(user)
    deadlines = deadlines or Deadlines(year, today)
    key = REGISTRATION_GROUP[by]
    counted = (
        Registration.objects.visible_to(user)
        .for_year(year)
        .order_by()
        .values(key)
        .annotate(
            registered=Count("pk"),
            assessed=Count("pk", filter=~Q(state=State.REGISTERED)),
            submitted=Count("pk", filter=Q(state__in=SUBMITTED)),
            returned=Count("pk", filter=Q(state=State.RETURNED)),
            decided=Count("pk", filter=Q(state__in=DECIDED)),
            on_time=Count("pk", filter=deadlines.on_time_q()),
            late=Count("pk", filter=deadlines.late_q()),
            overdue=Count("pk", filter=deadlines.overdue_q()),
            met=Count("pk", filter=Q(state__in=MET)),
            certified=Count("pk", filter=Q(state=State.CERTIFIED)),
            annulled=Count("pk", filter=Q(state=State.ANNULLED)),
        )
    )
    groups: dict[Any, Figures] = {}
    for row in counted:
        group = row.pop(key)
        groups[group] = Figures(group, "", **row)
    for group, n in _expected(user, year, by).items():
        groups.setdefault(group, Figures(group, "")).expected = n
    _label(groups, by)
    area = Area(by, sorted(groups.values(), key=_order(by)))
    for row in area.rows:
        area.total.add(row)
    return area


KIND_ORDER = [k.value for k in UnitKind]


def _order(by: str) -> Any:
    if by == "kind":
        return lambda f: KIND_ORDER.index(f.key) if f.key in KIND_ORDER else 99
    return lambda f: (f.key is None, f.code, f.label)


def _label(groups: dict[Any, Figures], by: str) -> None:
    if by == "kind":
        for group, figures in groups.items():
            figures.label = str(UnitKind(group).label) if group in KIND_ORDER else str(group)
        return
    ids = [g for g in groups if g is not None]
    names = {
        pk: (name, code)
        for pk, name, code in Unit.objects.filter(pk__in=ids).values_list("pk", "name", "code")
    }
    for group, figures in groups.items():
        figures.label, figures.code = names.get(group, (str(OUTSIDE_COMMUNE), ""))


def figures_for(rows: Sequence[Figures], key: Any) -> Figures | None:
    return next((f for f in rows if f.key == key), None)
