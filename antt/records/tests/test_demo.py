"""The demo evidence: most demo units meet the standard, two residential areas show why one
would not; running it twice is running it once."""

from __future__ import annotations

import datetime as dt

import pytest

from antt.core.models import AuditEvent
from antt.recognition.evaluation import evaluate_unit
from antt.records.demo import load_demo_records
from antt.records.models import CriterionJudgement, Incident, YearFacts
from antt.records.services import facts_for
from antt.units.demo import COMMUNES, DemoDataMissing, load_demo
from antt.units.models import Unit, UnitSource
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
PROVINCES = {"01": "Thành phố Hà Nội", "79": "Thành phố Hồ Chí Minh", "51": "Tỉnh Quảng Ngãi"}
COMMUNE_NAMES = {"00070": "Phường Hoàn Kiếm", "26740": "Phường Sài Gòn", "21211": "Xã Tịnh Khê"}


@pytest.fixture
def demo(db):
    provinces = {
        code: create_unit(
            actor="test",
            code=code,
            name=name,
            kind="province",
            parent=None,
            valid_from=REFORM,
            source=UnitSource.OFFICIAL,
        )
        for code, name in PROVINCES.items()
    }
    for commune in COMMUNES:
        create_unit(
            actor="test",
            code=commune.code,
            name=COMMUNE_NAMES[commune.code],
            kind="commune",
            parent=provinces[commune.province_code],
            valid_from=REFORM,
            source=UnitSource.OFFICIAL,
        )
    load_demo(actor="test")
    return load_demo_records(actor="load_demo")


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def test_demo_records_cover_both_years_of_every_eligible_demo_unit(demo):
    assert demo.facts_created == YearFacts.objects.count() == 34
    assert facts_for(unit("26740-KP07"), 2025)["households_registered"] == 248
    assert facts_for(unit("00070-TDP05"), 2024)["registration_date"] == dt.date(2024, 2, 20)
    assert Incident.objects.count() == 5
    assert Incident.objects.active().count() == 4


def test_demo_records_are_written_by_the_commune_officer_and_audited(demo):
    crime = Incident.objects.get(unit__code="26740-KP02")
    assert crime.recorded_by.username == "demo_xa_saigon"
    assert crime.flags_set_by.username == "demo_xa_saigon"
    judged = CriterionJudgement.objects.filter(unit__code="21211-THON03")
    assert {j.criterion_code for j in judged} == {"4.2", "4.4.c"}
    assert AuditEvent.objects.filter(verb="facts.set").count() == 34


def test_running_the_demo_records_twice_changes_nothing(demo):
    events = AuditEvent.objects.count()
    again = load_demo_records(actor="load_demo")
    assert not again.changed
    assert "không thay đổi" in again.summary()
    assert AuditEvent.objects.count() == events


def test_the_demo_shows_units_that_meet_and_two_that_do_not(demo):
    assert evaluate_unit(unit("00070-TDP05"), 2025).result == "met"
    assert evaluate_unit(unit("00070-DN01"), 2025).result == "met"
    assert evaluate_unit(unit("00070-THCS01"), 2025).result == "met"
    failing = evaluate_unit(unit("26740-KP07"), 2025)
    assert failing.result == "not_met"
    assert {c.code for c in failing.criteria if c.verdict == "not_met"} == {"4.1"}
    crime = evaluate_unit(unit("21211-THON05"), 2025)
    assert {c.code for c in crime.criteria if c.verdict == "not_met"} == {"4.4"}
    assert "12/03/2025" in crime.criteria[3].explanation + " ".join(
        p.explanation for p in crime.criteria[3].children
    )


def test_demo_records_need_the_demo_units(db):
    with pytest.raises(DemoDataMissing):
        load_demo_records(actor="load_demo")
