"""The whole country's evaluation: every province's verdicts, in one process or over several."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from antt.recognition.api import scope_dict
from antt.recognition.evaluation import evaluate_scope
from antt.recognition.national import evaluate_country, workers
from antt.recognition.tests.test_commands import ready, serious_crime  # noqa: F401 (fixture)

YEAR = 2025


def expected(tree) -> dict:
    parts = [
        scope_dict(root, evaluate_scope(root, YEAR))
        for root in (tree.province_a, tree.province_b)  # by code: 01, 79
    ]
    return {
        "units": [u for p in parts for u in p["units"]],
        "ineligible": [u for p in parts for u in p["ineligible"]],
        "provinces": [p["scope"] for p in parts],
    }


def country_parts(data: dict) -> dict:
    return {
        "units": data["units"],
        "ineligible": data["ineligible"],
        "provinces": [p["scope"] for p in data["provinces"]],
    }


@pytest.mark.django_db
def test_the_country_is_every_province_with_the_summary_summed(ready):  # noqa: F811
    serious_crime(ready.area_a2)
    data = evaluate_country(YEAR)
    assert country_parts(data) == expected(ready)
    assert data["summary"]["residential_area"] == {
        "met": 1,
        "not_met": 1,
        "pending": 1,
        "total": 3,
        "ineligible": 0,
    }
    assert data["summary"]["commune"]["total"] == 3
    assert [p["scope_name"] for p in data["provinces"]] == [
        "Thành phố Hà Nội",
        "Thành phố Hồ Chí Minh",
    ]


@pytest.mark.django_db
def test_inside_a_transaction_the_country_is_evaluated_in_this_process(ready):  # noqa: F811
    # The test's rows are not committed: a forked child would not see them.
    assert connection.in_atomic_block
    assert workers(None, 34) == 1
    assert evaluate_country(YEAR, processes=2)["processes"] == 1


@pytest.mark.django_db(transaction=True)
def test_several_processes_give_the_same_verdicts_as_one(ready):  # noqa: F811
    serious_crime(ready.area_a2)
    one = evaluate_country(YEAR, processes=1)
    two = evaluate_country(YEAR, processes=2)
    assert one["processes"] == 1
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    assert two["processes"] == (1 if in_memory else 2)
    assert {k: v for k, v in two.items() if k != "processes"} == {
        k: v for k, v in one.items() if k != "processes"
    }
    assert country_parts(two) == expected(ready)


@pytest.mark.django_db
def test_the_command_evaluates_the_country(ready):  # noqa: F811
    out = StringIO()
    call_command("evaluate", "--year", "2025", "--country", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["scope_name"] == "Toàn quốc"
    assert len(data["units"]) == len(expected(ready)["units"])
    text = StringIO()
    call_command("evaluate", "--year", "2025", "--country", stdout=text)
    assert "Đánh giá năm 2025 — Toàn quốc\n" in text.getvalue()
