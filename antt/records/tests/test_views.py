"""The record pages: who sees which unit's records (404 outside), who may write (403 otherwise),
and what each page shows and accepts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from antt.accounts.services import assign_role
from antt.records.models import CriterionJudgement, DisciplinaryAction, Incident, YearFacts
from antt.records.services import record_incident, record_judgement, set_year_facts
from conftest import PASSWORD, Personas, expected_visible

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)
RECORDED_UNITS = ["commune_a1", "area_a1", "school_a1", "enterprise_a1", "area_a2", "area_b1"]
YEAR = 2025


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def viewer(tree):
    """Sees province A, may neither record nor judge."""
    user, _, _ = assign_role(
        actor="test", username="xem_a", role="viewer", unit=tree.province_a, password=PASSWORD
    )
    return user


@pytest.fixture
def member(tree):
    """A steering-committee member of province A: may judge, not record."""
    user, _, _ = assign_role(
        actor="test",
        username="hoidong_a",
        role="committee_member",
        unit=tree.province_a,
        password=PASSWORD,
    )
    return user


def urls(code: str, year: int = YEAR) -> list[str]:
    return [
        reverse("records:incident-list", args=[code]),
        reverse("records:facts-edit", args=[code, year]),
        reverse("records:discipline-list", args=[code, year]),
        reverse("records:judgement-list", args=[code, year]),
    ]


def fire(unit, **kw):
    args = {"date": dt.date(2025, 8, 3), "category": "serious_fire_explosion", **kw}
    return record_incident(actor="test", unit=unit, **args)


# --- the scoping matrix -----------------------------------------------------------------------


@pytest.mark.parametrize("field", RECORDED_UNITS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_record_pages_are_200_in_jurisdiction_and_404_outside(
    client, tree, personas, persona, field
):
    client.force_login(getattr(personas, persona))
    unit = getattr(tree, field)
    expected = 200 if unit.code in expected_visible(persona, tree) else 404
    for url in urls(unit.code):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_adding_an_incident_is_allowed_exactly_in_jurisdiction(client, tree, personas, persona):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    for field in RECORDED_UNITS:
        unit = getattr(tree, field)
        if unit.kind == "commune":
            continue
        response = client.post(
            reverse("records:incident-list", args=[unit.code]),
            {"date": "2025-08-03", "category": "serious_fire_explosion", "description": persona},
        )
        assert response.status_code == (302 if unit.code in visible else 404), unit.code
    created = set(Incident.objects.filter(description=persona).values_list("unit__code", flat=True))
    assert created == {c for c in visible if "-" in c}


def test_a_province_has_no_record_pages(client, tree, personas):
    client.force_login(personas.national_admin)
    for url in urls(tree.province_a.code):
        assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(urls(tree.area_a1.code)[0])
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_viewer_sees_the_pages_without_forms_and_gets_403_on_post(client, tree, viewer):
    fire(tree.area_a1)
    client.force_login(viewer)
    for url in urls(tree.area_a1.code):
        response = client.get(url)
        assert response.status_code == 200
        assert 'method="post"' not in response.content.decode().split('id="main"')[1], url
        assert client.post(url, {}).status_code == 403, url
    row = Incident.objects.get()
    void = reverse("records:incident-void", args=[tree.area_a1.code, row.pk])
    assert client.post(void, {"reason": "thử"}).status_code == 403
    assert Incident.objects.active().count() == 1


def test_a_committee_member_judges_but_does_not_record(client, tree, member):
    client.force_login(member)
    incidents, _facts, _discipline, judgements = urls(tree.area_a1.code)
    assert client.post(incidents, {"date": "2025-08-03", "category": "crime"}).status_code == 403
    response = client.post(
        judgements,
        {"criterion_code": "4.2", "verdict": "met", "reason": "Biên bản họp ngày 20/10/2025"},
    )
    assert response.status_code == 302
    assert CriterionJudgement.objects.get().recorded_by == member


# --- the incident register ----------------------------------------------------------------------


def test_a_commune_register_shows_the_incidents_of_every_unit_under_it(client, tree, personas):
    fire(tree.area_a1, description="Cháy kho")
    fire(tree.school_a1, description="Cháy phòng thí nghiệm")
    fire(tree.area_a2, description="Cháy ở phường khác")
    client.force_login(personas.commune_a1_officer)
    response = client.get(reverse("records:incident-list", args=["00070"]))
    assert {r.description for r in response.context["page"]} == {
        "Cháy kho",
        "Cháy phòng thí nghiệm",
    }
    html = response.content.decode()
    assert "Tổ dân phố 1" in html
    assert "Trường THCS Ngô Sĩ Liên" in html
    assert "03/08/2025" in html


def test_a_commune_officer_adds_an_incident_for_a_unit_under_the_commune(client, tree, personas):
    client.force_login(personas.commune_a1_officer)
    response = client.post(
        reverse("records:incident-list", args=["00070"]),
        {
            "unit": tree.area_a1.pk,
            "date": "03/08/2025",
            "category": "crime",
            "gravity": "serious",
            "handled_properly": "on",
            "flags_reason": "Bắt giữ ngay, báo cáo trong ngày",
        },
    )
    assert response.status_code == 302
    row = Incident.objects.get()
    assert row.unit == tree.area_a1
    assert row.flags_set_by == personas.commune_a1_officer


def test_the_add_form_shows_the_services_errors_next_to_the_fields(client, tree, personas):
    client.force_login(personas.area_a1_head)
    response = client.post(
        reverse("records:incident-list", args=["00070-TDP01"]),
        {
            "date": "2025-08-03",
            "category": "crime",
            "force_majeure": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "gravity" in errors
    assert "flags_reason" in errors
    assert not Incident.objects.exists()


def test_the_register_filters_by_calendar_year_and_date_range(client, tree, personas):
    fire(tree.area_a1, date=dt.date(2024, 12, 20), description="2024")
    fire(tree.area_a1, date=dt.date(2025, 3, 12), description="tháng 3")
    fire(tree.area_a1, date=dt.date(2025, 9, 1), description="tháng 9")
    client.force_login(personas.area_a1_head)
    url = reverse("records:incident-list", args=["00070-TDP01"])

    def shown(**params):
        return {r.description for r in client.get(url, params).context["page"]}

    assert shown() == {"2024", "tháng 3", "tháng 9"}
    assert shown(year=2025) == {"tháng 3", "tháng 9"}
    assert shown(start="2024-11-01", end="2025-03-31") == {"2024", "tháng 3"}
    assert shown(start="01/03/2025", end="31/03/2025") == {"tháng 3"}


def test_voiding_needs_a_reason_and_hides_the_incident(client, tree, personas):
    row = fire(tree.area_a1)
    client.force_login(personas.area_a1_head)
    void = reverse("records:incident-void", args=["00070-TDP01", row.pk])
    client.post(void, {"reason": ""})
    assert Incident.objects.active().count() == 1
    response = client.post(void, {"reason": "Ghi trùng"}, follow=True)
    assert "Đã hủy vụ việc" in response.content.decode()
    assert not Incident.objects.active().exists()
    url = reverse("records:incident-list", args=["00070-TDP01"])
    assert not client.get(url).context["page"].object_list
    assert len(client.get(url, {"voided": "on"}).context["page"].object_list) == 1


def test_the_flags_are_changed_from_the_register(client, tree, personas):
    row = fire(tree.area_a1)
    client.force_login(personas.commune_a1_officer)
    flags = reverse("records:incident-flags", args=["00070-TDP01", row.pk])
    client.post(flags, {"force_majeure": "on", "flags_reason": "Sét đánh, có biên bản PCCC"})
    row.refresh_from_db()
    assert row.force_majeure
    assert row.flags_set_by == personas.commune_a1_officer


def test_an_incident_outside_the_page_unit_is_not_found(client, tree, personas):
    row = fire(tree.area_a2)
    client.force_login(personas.national_admin)
    void = reverse("records:incident-void", args=["00070-TDP01", row.pk])
    assert client.post(void, {"reason": "x"}).status_code == 404


def test_the_register_page_has_a_query_budget(
    client, tree, personas, django_assert_max_num_queries
):
    for day in range(1, 21):
        fire(tree.area_a1, date=dt.date(2025, 8, day), description=str(day))
    client.force_login(personas.commune_a1_officer)
    with django_assert_max_num_queries(12):
        client.get(reverse("records:incident-list", args=["00070"]))


# --- yearly facts -------------------------------------------------------------------------------


def test_the_facts_form_asks_only_what_the_kinds_criteria_read(client, tree, personas):
    client.force_login(personas.area_a1_head)
    form = client.get(reverse("records:facts-edit", args=["00070-TDP01", YEAR])).context["form"]
    assert "households_residing" in form.fields
    assert "grassroots_force_rating" in form.fields
    assert "staff_total" not in form.fields
    assert form.fields["households_residing"].label == "Số hộ gia đình đang cư trú trên địa bàn"
    assert "4.1" in form.fields["households_residing"].help_text
    client.force_login(personas.commune_a1_officer)
    school = client.get(reverse("records:facts-edit", args=["00070-THCS", YEAR]))
    fields = school.context["form"].fields
    assert {"internal_rule_topics", "has_protection_force", "parents_board_coordination"} <= set(
        fields
    )
    assert "households_residing" not in fields


def test_a_commune_facts_form_includes_what_5_2_reads_through_article_4(client, tree, personas):
    client.force_login(personas.commune_a1_officer)
    form = client.get(reverse("records:facts-edit", args=["00070", YEAR])).context["form"]
    assert {"crime_count", "new_order_hotspots", "effective_models"} <= set(form.fields)


def test_facts_are_saved_and_a_blank_field_removes_a_value(client, tree, personas):
    client.force_login(personas.area_a1_head)
    url = reverse("records:facts-edit", args=["00070-TDP01", YEAR])
    response = client.post(
        url,
        {
            "registration_date": "2025-02-10",
            "party_resolution_date": "15/02/2025",
            "households_residing": "250",
            "households_registered": "250",
            "grassroots_force_rating": "good",
            "crime_count": "2",
        },
    )
    assert response.status_code == 302
    data = YearFacts.objects.get().data
    assert data["party_resolution_date"] == "2025-02-15"
    assert data["grassroots_force_rating"] == "good"
    client.post(url, {"households_residing": "250", "households_registered": "250"})
    assert YearFacts.objects.get().data == {
        "households_residing": 250,
        "households_registered": 250,
    }
    page = client.get(url).content.decode()
    assert 'value="250"' in page


def test_a_part_larger_than_its_whole_is_shown_on_the_field(client, tree, personas):
    client.force_login(personas.area_a1_head)
    url = reverse("records:facts-edit", args=["00070-TDP01", YEAR])
    response = client.post(url, {"households_residing": "250", "households_registered": "260"})
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["households_registered"])
    assert "(260) lớn hơn “Số hộ gia đình đang cư trú trên địa bàn” (250)" in message
    assert not YearFacts.objects.exists()


def test_a_viewer_reads_the_facts_as_text(client, tree, viewer):
    set_year_facts(
        actor="test",
        unit=tree.area_a1,
        year=YEAR,
        values={
            "registration_date": dt.date(2025, 2, 10),
            "grassroots_force_rating": "good",
        },
    )
    client.force_login(viewer)
    html = client.get(reverse("records:facts-edit", args=["00070-TDP01", YEAR])).content.decode()
    assert "10/02/2025" in html
    assert "Hoàn thành tốt nhiệm vụ" in html


@pytest.mark.parametrize("year", [2099, 2005])
def test_a_year_without_criteria_or_in_the_future_is_not_found(client, tree, personas, year):
    client.force_login(personas.national_admin)
    assert client.get(reverse("records:facts-edit", args=["00070-TDP01", year])).status_code == 404


# --- discipline ---------------------------------------------------------------------------------


def test_discipline_is_listed_for_the_years_window_and_voided(client, tree, personas):
    client.force_login(personas.area_a1_head)
    url = reverse("records:discipline-list", args=["00070-TDP01", YEAR])
    response = client.post(
        url,
        {
            "date": "2025-04-02",
            "group": "grassroots_force",
            "level": "reprimand",
            "person": "Trần Văn C",
        },
    )
    assert response.status_code == 302
    action = DisciplinaryAction.objects.get()
    page = client.get(url)
    assert list(page.context["rows"]) == [action]
    assert "01/11/2024 – 31/10/2025" in page.content.decode()
    assert not client.get(reverse("records:discipline-list", args=["00070-TDP01", 2024])).context[
        "rows"
    ]
    client.post(
        reverse("records:discipline-void", args=["00070-TDP01", YEAR, action.pk]),
        {"reason": "Quyết định bị thu hồi"},
    )
    assert not DisciplinaryAction.objects.active().exists()


# --- judgements ---------------------------------------------------------------------------------


def test_a_judgement_without_reason_is_refused_with_the_reason_why(client, tree, personas):
    client.force_login(personas.area_a1_head)
    url = reverse("records:judgement-list", args=["00070-TDP01", YEAR])
    response = client.post(url, {"criterion_code": "4.2", "verdict": "met", "reason": ""})
    assert response.status_code == 200
    assert "Phải ghi lý do" in response.content.decode()
    assert not CriterionJudgement.objects.exists()


def test_a_judgement_goes_back_to_the_page_that_embedded_the_form(client, tree, personas):
    client.force_login(personas.area_a1_head)
    url = reverse("records:judgement-list", args=["00070-TDP01", YEAR])
    back = "/units/00070-TDP01/2025/"
    response = client.post(
        url,
        {
            "criterion_code": "4.1",
            "verdict": "met",
            "override": "on",
            "reason": "Hai hộ mới chuyển đến",
            "next": back,
        },
    )
    assert response["Location"] == back
    response = client.post(
        url,
        {
            "criterion_code": "4.2",
            "verdict": "met",
            "reason": "Đạt",
            "next": "https://example.com/",
        },
    )
    assert response["Location"] == url


def test_the_history_keeps_superseded_verdicts(client, tree, personas):
    for verdict, reason in (("not_met", "Chưa đạt"), ("met", "Họp lại")):
        record_judgement(
            actor="test",
            unit=tree.area_a1,
            year=YEAR,
            criterion_code="4.2",
            verdict=verdict,
            reason=reason,
        )
    client.force_login(personas.area_a1_head)
    rows = client.get(reverse("records:judgement-list", args=["00070-TDP01", YEAR])).context["rows"]
    assert [(j.reason, in_force) for j, in_force in rows] == [
        ("Họp lại", True),
        ("Chưa đạt", False),
    ]


# --- the unit page links here ---------------------------------------------------------------------


def test_the_unit_page_links_to_the_records_of_eligible_kinds_only(client, tree, personas):
    client.force_login(personas.national_admin)
    area = client.get(reverse("units:unit-detail", args=["00070-TDP01"])).content.decode()
    assert reverse("records:incident-list", args=["00070-TDP01"]) in area
    province = client.get(reverse("units:unit-detail", args=["01"])).content.decode()
    assert "/records/" not in province
