"""A unit's year page: the evaluation criterion by criterion, in Vietnamese, within jurisdiction."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from antt.accounts.services import assign_role
from antt.records.models import CriterionJudgement, Incident, YearFacts
from conftest import PASSWORD, Personas, Tree, expected_visible

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)
YEAR = 2025
FACTS = {
    "party_resolution_date": "2025-02-10",
    "registration_date": "2025-02-10",
    "households_residing": 120,
    "households_registered": 120,
    "crime_count": 1,
    "social_evil_count": 0,
    "other_violation_count": 2,
    "new_order_hotspots": 0,
    "new_social_evil_persons": 0,
    "grassroots_force_rating": "good",
}


def year_url(code: str, year: int = YEAR) -> str:
    return reverse("units:unit-year", args=[code, year])


def page(client, code: str, year: int = YEAR) -> str:
    response = client.get(year_url(code, year))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def recorded(tree: Tree) -> Tree:
    YearFacts.objects.create(unit=tree.area_a1, year=YEAR, data=FACTS)
    YearFacts.objects.create(
        unit=tree.area_a1,
        year=YEAR - 1,
        data={"crime_count": 2, "social_evil_count": 0, "other_violation_count": 2},
    )
    Incident.objects.create(
        unit=tree.area_a1,
        date=dt.date(2025, 3, 12),
        category="crime",
        gravity="serious",
        description="cướp giật tài sản",
    )
    return tree


@pytest.fixture
def viewer(tree: Tree):
    user, _, _ = assign_role(
        actor="test", username="xem_a1", role="viewer", unit=tree.commune_a1, password=PASSWORD
    )
    return user


# --- what the page says ----------------------------------------------------------------------


def test_the_page_gives_the_result_the_set_and_the_window(client, recorded, personas):
    client.force_login(personas.commune_a1_officer)
    text = page(client, "00070-TDP01")
    assert "Tổ dân phố 1: đánh giá năm 2025" in text
    assert "Không đạt" in text
    assert "Thông tư số 124/2021/TT-BCA" in text
    assert "01/11/2024 – 31/10/2025" in text


def test_each_criterion_has_a_verdict_in_words_and_a_sign(client, recorded, personas):
    client.force_login(personas.commune_a1_officer)
    text = page(client, "00070-TDP01")
    for code in ("4.1", "4.3.đ", "4.4.b", "4.5"):
        assert f'<strong class="criterion-code">{code}</strong>' in text
    not_met = '<span class="verdict-badge verdict-not_met"><span aria-hidden="true">✗</span>'
    assert f"{not_met} không đạt" in text
    assert '<span aria-hidden="true">✓</span> đạt' in text
    assert '<span aria-hidden="true">…</span> chờ đánh giá' in text  # 4.2, never judged


def test_the_explanations_are_in_vietnamese(client, recorded, personas):
    client.force_login(personas.commune_a1_officer)
    text = page(client, "00070-TDP01")
    assert (
        "Xảy ra tội phạm nghiêm trọng trở lên: 1 vụ tội phạm nghiêm trọng ngày 12/03/2025 "
        "tại Tổ dân phố 1 (cướp giật tài sản)"
    ) in text
    assert "Hộ gia đình đăng ký tham gia: 120/120 (100,00%)" in text


def test_the_settings_used_are_named_with_their_labels(client, recorded, personas):
    client.force_login(personas.commune_a1_officer)
    text = page(client, "00070-TDP01")
    assert "Cách hiểu quy định đã áp dụng" in text
    assert "Không tăng so với năm trước là đạt" in text
    assert "crime_reduction = not_higher" in text


def test_a_judgement_shows_who_and_why(client, recorded, personas):
    CriterionJudgement.objects.create(
        unit=recorded.area_a1,
        year=YEAR,
        criterion_code="4.2",
        verdict="met",
        reason="Biên bản họp ngày 20/10/2025",
        recorded_by=personas.area_a1_head,
    )
    client.force_login(personas.commune_a1_officer)
    text = page(client, "00070-TDP01")
    assert "Đánh giá của cuộc họp" in text
    assert f"Người ghi nhận: {personas.area_a1_head}" in text
    assert "Biên bản họp ngày 20/10/2025" in text


def test_an_override_is_shown_with_the_computed_verdict(client, recorded, personas):
    CriterionJudgement.objects.create(
        unit=recorded.area_a1,
        year=YEAR,
        criterion_code="4.4.b",
        verdict="met",
        override=True,
        reason="Vụ việc đã được xử lý kịp thời theo báo cáo của Công an phường",
        recorded_by=personas.commune_a1_officer,
    )
    client.force_login(personas.commune_a1_officer)
    text = page(client, "00070-TDP01")
    assert "Đã điều chỉnh kết quả tính toán" in text
    computed = text.partition("kết quả tính toán:")[2][:200]
    assert "không đạt" in computed
    assert "Vụ việc đã được xử lý kịp thời" in text


def test_an_ineligible_unit_shows_why_instead_of_an_evaluation(client, tree, personas):
    client.force_login(personas.national_admin)
    text = page(client, "01")
    assert "Không thuộc đối tượng xét công nhận" in text
    assert "Cấp tỉnh, cấp huyện không thuộc đối tượng xét công nhận." in text
    assert "Từng tiêu chí" not in text


def test_links_lead_to_the_records_and_the_criteria_set(client, recorded, personas):
    client.force_login(personas.commune_a1_officer)
    text = page(client, "00070-TDP01")
    assert "/records/00070-TDP01/2025/facts/" in text
    assert "/records/00070-TDP01/incidents/" in text
    assert 'href="/standards/tt124-2021/"' in text


# --- the judgement form ---------------------------------------------------------------------


def test_the_judgement_form_is_offered_to_those_who_may_judge(client, recorded, personas):
    client.force_login(personas.area_a1_head)
    text = page(client, "00070-TDP01")
    assert 'action="/records/00070-TDP01/2025/judgements/"' in text
    assert '<input type="hidden" name="criterion_code" value="4.2">' in text
    assert '<input type="hidden" name="criterion_code" value="4.4.c">' in text
    # Computed points are not offered the meeting's form.
    assert '<input type="hidden" name="criterion_code" value="4.4.b">' not in text
    for name in ('name="verdict"', 'name="reason"', 'name="override"'):
        assert name in text


def test_a_viewer_sees_the_page_but_no_judgement_form(client, recorded, viewer):
    client.force_login(viewer)
    text = page(client, "00070-TDP01")
    assert "Từng tiêu chí" in text
    assert 'name="criterion_code"' not in text


# --- jurisdiction, years, navigation --------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_page_is_found_only_inside_the_persona_jurisdiction(client, tree, personas, persona):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    statuses = {
        u.code: client.get(year_url(u.code)).status_code
        for u in (tree.area_a1, tree.commune_a1, tree.area_b1)
    }
    assert statuses == {
        code: 200 if code in visible else 404 for code in ("00070-TDP01", "00070", "26734-KP03")
    }


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(year_url("00070-TDP01"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_years_outside_the_circulars_are_not_found(client, tree, personas):
    client.force_login(personas.national_admin)
    assert client.get(year_url("00070-TDP01", 2011)).status_code == 404
    assert client.get(year_url("00070-TDP01", dt.date.today().year + 1)).status_code == 404


def test_a_year_before_the_unit_existed_is_not_found(client, tree, personas):
    client.force_login(personas.national_admin)
    assert client.get(year_url("00070-TDP01", 2024)).status_code == 404


def test_the_year_selector_goes_to_the_chosen_year(client, tree, personas):
    client.force_login(personas.national_admin)
    text = page(client, "00070-TDP01")
    assert '<option value="2012">2012</option>' in text
    assert f'<option value="{YEAR}" selected>{YEAR}</option>' in text
    response = client.get(year_url("00070-TDP01") + "?year=2026")
    assert response.status_code == 302
    assert response["Location"] == year_url("00070-TDP01", 2026)


def test_the_unit_page_links_to_its_year(client, tree, personas):
    client.force_login(personas.commune_a1_officer)
    response = client.get(reverse("units:unit-detail", args=["00070-TDP01"]) + "?date=2025-08-01")
    assert year_url("00070-TDP01", 2025) in response.content.decode()


def test_query_count_is_bounded(client, recorded, personas, django_assert_max_num_queries):
    client.force_login(personas.commune_a1_officer)
    page(client, "00070")  # warm caches (criteria sets, content types)
    # 15: one is the session's second-factor device (django-otp checks it on each request).
    with django_assert_max_num_queries(15):
        page(client, "00070-TDP01")
    with django_assert_max_num_queries(15):
        page(client, "00070")  # the commune brings its units along for Art. 5.4


def test_the_form_records_a_judgement_and_comes_back_to_the_page(client, recorded, personas):
    client.force_login(personas.area_a1_head)
    text = page(client, "00070-TDP01")
    action = text.partition('<form method="post" action="')[2].partition('"')[0]
    response = client.post(
        action,
        {
            "criterion_code": "4.2",
            "verdict": "met",
            "reason": "Biên bản họp khu dân cư ngày 20/10/2025",
            "next": year_url("00070-TDP01"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == year_url("00070-TDP01")
    text = page(client, "00070-TDP01")
    assert "Biên bản họp khu dân cư ngày 20/10/2025" in text
    assert f"Người ghi nhận: {personas.area_a1_head}" in text


def test_a_failed_computed_point_links_to_the_override_form(client, recorded, personas):
    client.force_login(personas.commune_a1_officer)
    text = page(client, "00070-TDP01")
    assert "/records/00070-TDP01/2025/judgements/?code=4.4.b&next=" in text
    assert "?code=4.1&" not in text  # met: nothing to override
