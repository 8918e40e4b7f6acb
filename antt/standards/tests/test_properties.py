"""Properties of the engine that must hold for every input, not only the tabled cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from antt.standards.catalog import UNIT_KINDS, registry
from antt.standards.rules import Incident, evaluate
from antt.standards.tests.factories import baseline
from antt.standards.vocab import CRIME_GRAVITY, INCIDENT_CATEGORIES

REG = registry()
TT124 = REG.sets["tt124-2021"]

kinds = st.sampled_from(UNIT_KINDS)
years = st.integers(min_value=2013, max_value=2040)
incidents = st.builds(
    Incident,
    date=st.dates(min_value=dt.date(2024, 9, 1), max_value=dt.date(2026, 1, 31)),
    category=st.sampled_from(sorted(INCIDENT_CATEGORIES)),
    gravity=st.sampled_from(["", *CRIME_GRAVITY]),
    force_majeure=st.booleans(),
    handled_properly=st.booleans(),
    discipline_level=st.sampled_from(["", "reprimand", "warning", "dismissal"]),
)


@given(kind=kinds, year=years)
def test_windows_last_one_year_and_end_in_the_recognition_year(kind, year):
    cset = REG.for_year(kind, year)
    window = cset.window(kind, year)
    assert window.end.year == year
    assert 364 <= (window.end - window.start).days <= 366
    # Consecutive years' windows do not leave a day uncovered.
    previous = cset.window(kind, year - 1)
    assert (window.start - previous.end).days <= 1


@given(kind=kinds, year=years)
def test_the_circular_in_force_is_chosen_by_the_window(kind, year):
    cset = REG.for_year(kind, year)
    assert cset.code == ("tt124-2021" if year >= 2022 else "tt23-2012")


@given(kind=kinds, existing=st.lists(incidents, max_size=4), extra=incidents)
@settings(max_examples=300, deadline=None)
def test_adding_an_incident_never_turns_not_met_into_met(kind, existing, extra):
    inp = baseline(kind, incidents=existing, territory_incidents=existing)
    before = evaluate(TT124, inp)
    more = [*existing, extra]
    after = evaluate(TT124, replace(inp, incidents=more, territory_incidents=more))
    rank = {"met": 0, "pending": 1, "not_met": 2}
    assert rank[after.result] >= rank[before.result]
    for b, a in zip(before.criteria, after.criteria, strict=True):
        if b.verdict == "not_met":
            assert a.verdict == "not_met"


@given(kind=kinds, existing=st.lists(incidents, max_size=4))
@settings(max_examples=200, deadline=None)
def test_evaluation_is_deterministic(kind, existing):
    inp = baseline(kind, incidents=existing, territory_incidents=existing)
    assert evaluate(TT124, inp) == evaluate(TT124, inp)
