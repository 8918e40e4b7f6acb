"""The criteria set pages: the list, and one set by unit kind with facts, settings and windows."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DETAIL = reverse("standards:criteriaset-detail", args=["tt124-2021"])


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_list_links_every_set_with_its_counts(client, personas):
    client.force_login(personas.outsider)  # the law is the same for everyone signed in
    text = page(client, reverse("standards:criteriaset-list"))
    assert 'href="/standards/tt124-2021/"' in text
    assert 'href="/standards/tt23-2012/"' in text
    assert "10/02/2022" in text
    assert "Khu dân cư: <strong>5</strong> tiêu chí, 11 điểm" in text


def test_a_set_has_a_section_per_kind_of_unit(client, personas):
    client.force_login(personas.outsider)
    text = page(client, DETAIL)
    for anchor, label in (
        ("residential_area", "Khu dân cư"),
        ("commune", "Xã, phường, đặc khu"),
        ("agency-enterprise", "Cơ quan, doanh nghiệp"),  # Art. 6 serves both
        ("school", "Cơ sở giáo dục"),
    ):
        assert f'<section class="kind-section" id="{anchor}"' in text
        assert f'<a href="#{anchor}">{label}' in text


def test_each_criterion_shows_reference_text_evidence_and_facts(client, personas):
    client.force_login(personas.outsider)
    text = page(client, DETAIL)
    assert 'id="residential_area--4.3.đ"' in text
    assert 'id="agency-enterprise--6.3.đ"' in text
    assert "Điều 4 khoản 3 điểm đ" in text
    assert "Hoạt động ly khai, đòi tự trị." in text
    assert "Đánh giá của cuộc họp" in text
    assert "Số hộ gia đình đang cư trú trên địa bàn <code>households_residing</code>" in text
    # 5.2 takes over Art. 4.2–4.4 and links to them.
    assert '<a href="#residential_area--4.3">4.3</a>' in text


def test_settings_show_question_default_and_choices(client, personas):
    client.force_login(personas.outsider)
    text = page(client, DETAIL)
    assert 'id="setting-crime_reduction"' in text
    assert "D1 — Điều 4.4.a “kiềm chế, kéo giảm … so với năm trước”" in text
    assert "Mặc định: <strong>không tăng so với năm trước là đạt</strong>" in text
    assert "Phải giảm so với năm trước <code>strictly_lower</code>" in text
    assert '<a href="#setting-crime_reduction">crime_reduction</a>' in text


def test_windows_are_shown_per_kind(client, personas):
    client.force_login(personas.outsider)
    text = page(client, DETAIL)
    assert "Kỳ đánh giá: 01/11 năm trước – 31/10 năm công nhận" in text
    assert "Kỳ đánh giá: 16/11 năm trước – 15/11 năm công nhận" in text


def test_the_older_set_marks_its_assumed_window(client, personas):
    client.force_login(personas.outsider)
    text = page(client, reverse("standards:criteriaset-detail", args=["tt23-2012"]))
    assert "giả định" in text


def test_an_unknown_set_is_not_found(client, personas):
    client.force_login(personas.outsider)
    response = client.get(reverse("standards:criteriaset-detail", args=["tt999"]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(DETAIL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
