"""The browser journeys (Playwright, Debian's Chromium, the live server, Vietnamese pages)."""

from __future__ import annotations

from antt.e2e import journeys, seed
from antt.e2e.journeys import on
from antt.e2e.pages import Ui, enrol_second_factor
from antt.recognition.models import Registration
from antt.recognition.workflow import State
from antt.records.models import Incident, YearFacts
from conftest import PASSWORD, Personas, Tree


def test_commune_officer_registers_records_and_submits(desk: Ui, tree: Tree,
                                                      personas: Personas) -> None:
    enrol_second_factor(personas.commune_a1_officer)
    areas = seed.residential_areas(tree, personas.commune_a1_officer)
    with on(seed.MEETING_DAY):
        journeys.commune_officer_year(desk, personas.commune_a1_officer.username, PASSWORD)
    states = dict(Registration.objects.filter(year=seed.YEAR).values_list("unit__code", "state"))
    assert states == {areas.first.code: State.SUBMITTED, areas.second.code: State.SUBMITTED,
                      tree.school_a1.code: State.REGISTERED}
    assert Incident.objects.get(unit=areas.first).description.startswith("Trộm cắp xe máy")
    facts = YearFacts.objects.get(unit=areas.first, year=seed.YEAR).data
    assert facts["households_registered"] == 120
