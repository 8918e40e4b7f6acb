"""Vietnamese formatting filters: 15/11/2025, 1.234 and 97,75%."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from antt.core.templatetags.vn import date_vn, number_vn, percent_vn, subtype_label


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.9775, "97,75%"),
        (Decimal("0.5"), "50,00%"),
        (1, "100,00%"),
        (0, "0,00%"),
        (12.345, "1.234,50%"),
        (None, "—"),
        ("", "—"),
        ("abc", "—"),
    ],
)
def test_percent_vn(value, text):
    assert percent_vn(value) == text


def test_percent_vn_rounds_half_up_rather_than_truncating():
    assert percent_vn(0.9775, 1) == "97,8%"
    assert percent_vn(0.9775, 0) == "98%"
    assert percent_vn(0.12345) == "12,35%"


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234, "1.234"), (1234567, "1.234.567"), (999, "999"), (0, "0"),
     (Decimal("1234.5"), "1.234,5"), (None, "—"), (True, "—")],
)
def test_number_vn(value, text):
    assert number_vn(value) == text


def test_number_vn_fixed_decimals():
    assert number_vn(21.0285, 4) == "21,0285"
    assert number_vn(2.5, 2) == "2,50"


def test_date_vn():
    assert date_vn(dt.date(2025, 11, 15)) == "15/11/2025"
    assert date_vn(dt.date(2025, 7, 1)) == "01/07/2025"
    assert date_vn(None) == "—"


def test_date_vn_shows_aware_datetimes_in_vietnam_time():
    moment = dt.datetime(2025, 11, 15, 1, 30, tzinfo=dt.UTC)
    assert date_vn(moment) == "08:30 15/11/2025"


def test_english_uses_english_separators():
    with translation.override("en"):
        assert percent_vn(0.9775) == "97.75%"
        assert number_vn(1234) == "1,234"


def test_subtype_label():
    assert subtype_label("ward") == "Phường"
    assert subtype_label("to_dan_pho") == "Tổ dân phố"
    assert subtype_label("unknown_kind") == "unknown_kind"
    assert subtype_label("") == "—"


def test_filters_in_a_template():
    html = Template(
        "{% load vn %}{{ ratio|percent_vn }} {{ n|number_vn }} {{ day|date_vn }}"
    ).render(Context({"ratio": 0.9775, "n": 1234, "day": dt.date(2025, 11, 15)}))
    assert html == "97,75% 1.234 15/11/2025"


def test_django_default_formats_are_vietnamese_too():
    html = Template("{{ n }} {{ day|date }}").render(
        Context({"n": 1234, "day": dt.date(2025, 11, 15)})
    )
    assert html == "1.234 15/11/2025"
