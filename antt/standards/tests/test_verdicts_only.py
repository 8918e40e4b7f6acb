"""``evaluate(..., explain=False)`` (bulk evaluations) gives exactly the verdicts of the
explaining path, on generated inputs that reach every verdict: missing and out-of-range facts,
incidents inside and outside the window, discipline, meetings' judgements and overrides, every
interpretation setting, Art. 5.4 subunits, both circulars."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from antt.standards.catalog import UNIT_KINDS, registry
from antt.standards.rules import (
    Discipline,
    Evaluation,
    Incident,
    Judgement,
    NodeResult,
    Subunit,
    evaluate,
)
from antt.standards.tests.factories import FACTS, PREVIOUS, baseline
from antt.standards.vocab import (
    CRIME_GRAVITY,
    DISCIPLINE_GROUPS,
    DISCIPLINE_LEVELS,
    INCIDENT_CATEGORIES,
    NOT_RATED,
    RATINGS,
    RULE_TOPICS,
)

REG = registry()
days = st.dates(min_value=dt.date(2011, 6, 1), max_value=dt.date(2026, 3, 31))
incidents = st.builds(
    Incident,
    date=days,
    category=st.sampled_from(sorted(INCIDENT_CATEGORIES)),
    gravity=st.sampled_from(["", *CRIME_GRAVITY]),
    force_majeure=st.booleans(),
    handled_properly=st.booleans(),
    discipline_level=st.sampled_from(["", *DISCIPLINE_LEVELS]),
    ref=st.sampled_from(["", "incident:1", "incident:2"]),
)
disciplines = st.builds(
    Discipline,
    date=days,
    group=st.sampled_from(sorted(DISCIPLINE_GROUPS)),
    level=st.sampled_from(sorted(DISCIPLINE_LEVELS)),
)
subunits = st.builds(
    Subunit,
    code=st.sampled_from(["S1", "S2", "S3"]),
    name=st.just("Đơn vị"),
    kind=st.sampled_from(UNIT_KINDS),
    registered=st.booleans(),
    result=st.sampled_from([None, "met", "not_met"]),
    decided=st.booleans(),
)


def _value(example: Any) -> st.SearchStrategy[Any]:
    """Any value of the same type as the baseline's, so that rules see good and bad ones."""
    if isinstance(example, bool):
        return st.booleans()
    if isinstance(example, int):
        return st.integers(min_value=0, max_value=300)
    if isinstance(example, dt.date):
        return days
    if isinstance(example, list):
        return st.lists(st.sampled_from(sorted(RULE_TOPICS)), max_size=8)
    return st.sampled_from([*RATINGS, NOT_RATED])


def _facts(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={k: _value(v) for k, v in FACTS[kind].items()})


@st.composite
def inputs(draw: st.DrawFn) -> tuple[Any, Any]:
    kind = draw(st.sampled_from(UNIT_KINDS))
    year = draw(st.sampled_from([2016, 2020, 2024, 2025]))
    cset = REG.for_year(kind, year)
    codes = [n.code for n in cset.nodes()]
    judged = draw(st.lists(st.sampled_from(codes), max_size=6))
    own = draw(st.lists(incidents, max_size=4))
    setting_values = {
        key: draw(st.sampled_from(s.choices)) for key, s in sorted(cset.settings.items())
    }
    previous = draw(st.one_of(st.none(), _facts(kind), st.just(PREVIOUS.get(kind, {}))))
    inp = replace(
        baseline(kind),
        year=year,
        facts=draw(st.one_of(st.just(FACTS[kind]), _facts(kind))),
        previous_facts=previous,
        incidents=own,
        territory_incidents=[*own, *draw(st.lists(incidents, max_size=3))],
        disciplines=draw(st.lists(disciplines, max_size=3)),
        subunits=draw(st.lists(subunits, max_size=5)) if kind == "commune" else (),
        judgements={
            code: Judgement(
                code,
                draw(st.sampled_from(["met", "not_met"])),
                "Lý do",
                draw(st.sampled_from(["", "Trưởng ban"])),
                override=draw(st.booleans()),
            )
            for code in judged
        },
        settings=draw(st.sampled_from([{}, setting_values])),
    )
    return cset, inp


def _verdicts(ev: Evaluation) -> tuple[Any, ...]:
    def node(n: NodeResult) -> tuple[Any, ...]:
        return (
            n.code,
            n.verdict,
            n.computed_verdict,
            n.via,
            n.judgement,
            tuple(c.verdict for c in n.checks),
            tuple(c.settings_used for c in n.checks),
            tuple(node(c) for c in n.children),
        )

    return (ev.result, ev.standard, ev.window, ev.settings, tuple(node(c) for c in ev.criteria))


@given(case=inputs())
@settings(max_examples=600, deadline=None)
def test_verdicts_only_agrees_with_the_explaining_path(case):
    cset, inp = case
    full = evaluate(cset, inp)
    fast = evaluate(cset, inp, explain=False)
    assert _verdicts(fast) == _verdicts(full)
    assert all(n.explanation for top in full.criteria for n in top.walk())
    assert not any(n.explanation for top in fast.criteria for n in top.walk())


def test_the_settings_are_those_of_every_check_of_the_tree():
    inp = baseline("commune")
    full = evaluate(REG.sets["tt124-2021"], inp)
    expected: dict[str, str] = {}
    for top in full.criteria:
        expected.update(top.settings_used)
    assert full.settings == tuple(sorted(expected.items()))
    assert full.settings  # a commune's criteria depend on interpretation settings
