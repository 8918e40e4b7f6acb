"""Apply the criteria to what is recorded: gather a unit's evidence, call the pure engine.

One code path serves one unit and a whole province: evidence is fetched with a handful of bulk
queries per scope (never per unit), residential areas and organisations are evaluated first, and
communes then read their results for Art. 5.4.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from antt.records.models import CriterionJudgement, DisciplinaryAction, Incident, YearFacts
from antt.standards import catalog, rules
from antt.standards.catalog import CriteriaSet, Criterion, Rule
from antt.standards.models import InterpretationSetting, ProvinceAddonCriterion
from antt.units.models import Unit, UnitSuccession

EVALUATED_KINDS = ("residential_area", "agency", "enterprise", "school", "commune")
ORGANISATION_KINDS = ("agency", "enterprise", "school")
GENERAL_EDUCATION = frozenset({"lower_secondary", "upper_secondary", "multi_level"})


@dataclass
class ScopeResult:
    year: int
    evaluations: list[tuple[Unit, rules.Evaluation]] = field(default_factory=list)
    ineligible: list[tuple[Unit, str]] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for unit, ev in self.evaluations:
            row = out.setdefault(unit.kind, {"met": 0, "not_met": 0, "pending": 0, "total": 0})
            row[ev.result] += 1
            row["total"] += 1
        return out


def reference_day(year: int) -> dt.date:
    """The day on which the units of a recognition year are looked up (the KDC window's end)."""
    return dt.date(year, 10, 31)


def province_id(unit: Unit) -> int:
    return int(unit.path.strip("/").split("/")[0])


def is_commune_subunit(unit: Unit) -> bool:
    """Art. 5.4: areas of the commune, and organisations it manages (or was delegated)."""
    if unit.kind == "residential_area":
        return True
    return unit.kind in ORGANISATION_KINDS and unit.managing_level in ("commune", "")


# The incident columns the engine reads, fetched as tuples: a province has ~30,000 incidents in
# a window and building model instances for them was a third of the evidence's time.
INCIDENT_COLUMNS = (
    "pk",
    "unit_id",
    "unit__path",
    "unit__name",
    "date",
    "category",
    "gravity",
    "force_majeure",
    "handled_properly",
    "discipline_level",
    "description",
)


class Evidence:
    """Everything the engine needs for a set of units and one year, loaded in bulk."""

    def __init__(self, units: Sequence[Unit], year: int, root_path: str) -> None:
        self.year = year
        self.units = list(units)
        ids = [u.pk for u in self.units]
        reg = catalog.registry()
        self.sets = {u.kind: reg.for_year(u.kind, year) for u in self.units}
        windows = [cset.window(kind, year) for kind, cset in self.sets.items()] or [
            catalog.Window(dt.date(year, 1, 1), dt.date(year, 12, 31))
        ]
        start, end = min(w.start for w in windows), max(w.end for w in windows)

        self.facts: dict[int, dict[str, Any]] = {}
        self.previous: dict[int, dict[str, Any]] = {}
        for unit_id, fact_year, data in YearFacts.objects.filter(
            unit_id__in=ids, year__in=(year, year - 1)
        ).values_list("unit_id", "year", "data"):
            target = self.facts if fact_year == year else self.previous
            target[unit_id] = catalog.decode_facts(data, reg.facts)
        self._previous_from_predecessors([i for i in ids if i not in self.previous], reg)

        self.incidents: dict[int, list[rules.Incident]] = defaultdict(list)
        self.territory: dict[str, list[rules.Incident]] = defaultdict(list)
        commune_paths = {u.path for u in self.units if u.kind == "commune"}
        rows = (
            Incident.objects.active()
            .filter(unit__path__startswith=root_path, date__range=(start, end))
            .values_list(*INCIDENT_COLUMNS)
        )
        wanted = set(ids)
        for pk, unit_id, path, name, day, category, gravity, major, handled, level, text in rows:
            inc = rules.Incident(
                date=day,
                category=category,
                gravity=gravity,
                force_majeure=major,
                handled_properly=handled,
                discipline_level=level,
                description=text,
                unit_name=name,
                ref=f"incident:{pk}",
            )
            if unit_id in wanted:
                self.incidents[unit_id].append(inc)
            for ancestor in _ancestor_paths(path):
                if ancestor in commune_paths:
                    self.territory[ancestor].append(inc)

        self.disciplines: dict[int, list[rules.Discipline]] = defaultdict(list)
        for unit_id, day, group, level, person in (
            DisciplinaryAction.objects.active()
            .filter(unit_id__in=ids, date__range=(start, end))
            .values_list("unit_id", "date", "group", "level", "person")
        ):
            self.disciplines[unit_id].append(rules.Discipline(day, group, level, person))

        self.judgements: dict[int, dict[str, rules.Judgement]] = defaultdict(dict)
        # As ``str(user)``: the full name, else the user name.
        for unit_id, code, verdict, reason, override, full_name, username in (
            CriterionJudgement.objects.filter(unit_id__in=ids, year=year)
            .order_by("recorded_at", "id")
            .values_list(
                "unit_id",
                "criterion_code",
                "verdict",
                "reason",
                "override",
                "recorded_by__full_name",
                "recorded_by__username",
            )
        ):
            self.judgements[unit_id][code] = rules.Judgement(
                code,
                "met" if verdict == "met" else "not_met",
                reason,
                full_name or username or "",
                override,
            )

        # Art. 5.4 reads the units' registrations and decisions once the cycle is in use.
        from antt.recognition.models import Registration

        self.registrations: dict[int, str] = dict(
            Registration.objects.filter(unit_id__in=ids, year=year).values_list("unit_id", "result")
        )

        provinces = {province_id(u) for u in self.units}
        self._settings = list(
            InterpretationSetting.objects.filter(
                Q(province__isnull=True) | Q(province_id__in=provinces),
                Q(year_from__isnull=True) | Q(year_from__lte=year),
            )
        )
        self.addons: dict[int, list[Criterion]] = defaultdict(list)
        for a in ProvinceAddonCriterion.objects.filter(
            Q(year_to__isnull=True) | Q(year_to__gte=year),
            province_id__in=provinces,
            year_from__lte=year,
        ).order_by("code"):
            self.addons[a.province_id].append(
                Criterion(
                    code=a.code,
                    text=a.text,
                    reference=a.reference,
                    evidence="judgement",
                    kinds=tuple(a.kinds),
                    rules=(Rule("judgement", {"label": a.text}),),
                )
            )

    def _previous_from_predecessors(self, ids: list[int], reg: catalog.Registry) -> None:
        """A unit created by the 2025 reform compares with the sum of the units it replaced."""
        if not ids:
            return
        links = UnitSuccession.objects.filter(successor_id__in=ids, is_default=True).values_list(
            "successor_id", "predecessor_id"
        )
        by_successor: dict[int, list[int]] = defaultdict(list)
        for successor, predecessor in links:
            by_successor[successor].append(predecessor)
        if not by_successor:
            return
        old = {
            f.unit_id: f.data
            for f in YearFacts.objects.filter(
                unit_id__in=[p for ps in by_successor.values() for p in ps], year=self.year - 1
            )
        }
        counts = [n for n, f in reg.facts.items() if f.type == "int"]
        for successor, predecessors in by_successor.items():
            found = [old[p] for p in predecessors if p in old]
            if found:
                self.previous[successor] = {
                    n: sum(d.get(n) or 0 for d in found)
                    for n in counts
                    if any(n in d for d in found)
                }

    def settings_for(self, unit: Unit, cset: CriteriaSet) -> dict[str, str]:
        pid = province_id(unit)
        chosen: dict[str, tuple[tuple[int, int], str]] = {}
        for s in self._settings:
            if s.criteria_set != cset.code or s.key not in cset.settings:
                continue
            if s.province_id not in (None, pid):
                continue
            rank = (1 if s.province_id else 0, s.year_from or 0)
            if s.key not in chosen or rank > chosen[s.key][0]:
                chosen[s.key] = (rank, s.value)
        return {k: v for k, (_rank, v) in chosen.items()}

    def input_for(
        self, unit: Unit, subunits: Sequence[rules.Subunit] = ()
    ) -> rules.EvaluationInput:
        cset = self.sets[unit.kind]
        return rules.EvaluationInput(
            unit=rules.UnitProfile(
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                has_party_org=unit.has_party_org,
                is_general_education=unit.education_level in GENERAL_EDUCATION,
            ),
            year=self.year,
            facts=self.facts.get(unit.pk, {}),
            previous_facts=self.previous.get(unit.pk),
            incidents=tuple(self.incidents.get(unit.pk, ())),
            territory_incidents=tuple(self.territory.get(unit.path, ())),
            disciplines=tuple(self.disciplines.get(unit.pk, ())),
            subunits=tuple(subunits),
            judgements=dict(self.judgements.get(unit.pk, {})),
            settings=self.settings_for(unit, cset),
            extra_criteria=tuple(self.addons.get(province_id(unit), ())),
        )


def _ancestor_paths(path: str) -> Iterable[str]:
    parts = path.strip("/").split("/")
    for i in range(1, len(parts) + 1):
        yield "/" + "/".join(parts[:i]) + "/"


def _units_under(root: Unit, year: int) -> list[Unit]:
    """Every unit of the scope that exists when its window closes (31/10 for residential areas,
    15/11 for the others under TT 124): a unit created in early November still counts."""
    reg = catalog.registry()
    by_end: dict[dt.date, list[str]] = defaultdict(list)
    for kind in EVALUATED_KINDS:
        by_end[reg.for_year(kind, year).window(kind, year).end].append(kind)
    units = Unit.objects.none()
    base = Unit.objects.filter(path__startswith=root.path)
    for end, kinds in by_end.items():
        units |= base.filter(kind__in=kinds).valid_on(end)
    return list(units.order_by("path"))


def _subunit(unit: Unit, evidence: Evidence, own: rules.Evaluation | None) -> rules.Subunit:
    """A unit as Art. 5.4 sees it: registered when it has a registration for the year (before
    the cycle is used: when its registration date is recorded); its result is the decision's,
    or, until there is one, its own evaluation marked as provisional."""
    decided = evidence.registrations.get(unit.pk)
    registered = decided is not None or (
        evidence.facts.get(unit.pk, {}).get("registration_date") is not None
    )
    if decided in ("met", "not_met"):
        return rules.Subunit(unit.code, unit.name, unit.kind, registered, decided)
    outcome = own.result if own is not None and own.result != "pending" else None
    return rules.Subunit(unit.code, unit.name, unit.kind, registered, outcome, decided=False)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """An evaluation allocates millions of small objects (evidence, results) and no reference
    cycles; the cyclic collector would scan the growing heap again and again: about half of a
    province's CPU time. Paused meanwhile (reference counting still frees everything), then
    restored as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_cyclic_gc_paused()
def evaluate_units(
    units: Sequence[Unit],
    year: int,
    root_path: str,
    progress: Callable[[int], None] | None = None,
    *,
    explain: bool = True,
) -> ScopeResult:
    """Evaluate ``units`` (communes after the units they read); ineligible ones are listed apart.
    ``explain=False``: verdicts only, no explanation texts (see ``rules.evaluate``)."""
    result = ScopeResult(year)
    eligible = []
    for unit in units:
        if unit.eligibility.eligible:
            eligible.append(unit)
        else:
            result.ineligible.append((unit, unit.eligibility.reason))
    evidence = Evidence(eligible, year, root_path)
    by_path: dict[str, rules.Evaluation] = {}
    children: dict[int, list[Unit]] = defaultdict(list)
    for unit in eligible:
        if unit.parent_id is not None and is_commune_subunit(unit):
            children[unit.parent_id].append(unit)
    ordered = sorted(eligible, key=lambda u: u.kind == "commune")
    for done, unit in enumerate(ordered, 1):
        subunits: list[rules.Subunit] = []
        if unit.kind == "commune":
            for other in children.get(unit.pk, ()):
                subunits.append(_subunit(other, evidence, by_path.get(other.path)))
        ev = rules.evaluate(
            evidence.sets[unit.kind], evidence.input_for(unit, subunits), explain=explain
        )
        by_path[unit.path] = ev
        result.evaluations.append((unit, ev))
        if progress is not None:
            progress(done)
    return result


def evaluate_scope(
    root: Unit,
    year: int,
    progress: Callable[[int], None] | None = None,
    *,
    explain: bool = True,
) -> ScopeResult:
    return evaluate_units(_units_under(root, year), year, root.path, progress, explain=explain)


def evaluate_unit(unit: Unit, year: int) -> rules.Evaluation:
    """One unit; a commune brings its residential areas and organisations along for Art. 5.4."""
    units = [unit]
    if unit.kind == "commune":
        units += [
            u
            for u in Unit.objects.filter(parent=unit).valid_on(reference_day(year))
            if is_commune_subunit(u)
        ]
    if not unit.eligibility.eligible:
        raise ValueError(unit.eligibility.reason)
    result = evaluate_units(units, year, unit.path)
    return next(ev for u, ev in result.evaluations if u.pk == unit.pk)
