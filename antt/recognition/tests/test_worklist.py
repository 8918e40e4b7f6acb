"""The work list (the home page): what waits on each officer, and how complete their area is.

Who may act is ``workflow.can``; the SQL that lists the work must say the same thing for every
persona and every registration, and stay within a fixed number of queries as rows grow.
"""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse

from antt.recognition import services, workflow, worklist
from antt.recognition.models import Registration
from antt.recognition.tests.test_cycle import (
    AREA_FACTS,
    AREA_MEETING,
    ENTERPRISE_FACTS,
    ORG_MEETING,
    PREVIOUS,
    SCHOOL_FACTS,
    YEAR,
    evidence,
    run_to_appraised,
)
from antt.recognition.workflow import Action, State
from antt.units.services import create_unit
from conftest import Personas, Tree

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)
OCTOBER = dt.date(2025, 10, 20)


def home(client, year: int | None = None) -> str:
    url = reverse("home") + (f"?year={year}" if year else "")
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def waiting(user, key: str, today: dt.date = OCTOBER) -> set[str]:
    """Codes of the units in the task ``key`` of the user's work list."""
    work = worklist.work_list(user, YEAR, today, limit=100)
    [task] = [t for t in work.tasks if t.task.key == key]
    assert task.count == len(task.rows)
    return {line.reg.unit.code for line in task.rows}


def submitted_area(tree: Tree, personas: Personas) -> Registration:
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    services.record_assessment(actor=personas.area_a1_head, registration=reg,
                               held_on=OCTOBER, chair="Trưởng khu dân cư",
                               participants=AREA_MEETING)
    return services.submit_dossier(actor=personas.area_a1_head, registration=reg)


# --- what waits on whom -------------------------------------------------------------------------


def test_a_submitted_area_waits_on_its_commune_officer_to_appraise(tree, personas):
    submitted_area(tree, personas)
    assert waiting(personas.commune_a1_officer, "appraise") == {"00070-TDP01"}
    assert waiting(personas.commune_b1_officer, "appraise") == set()
    # The head of the area sees the dossier but appraises nothing; nothing waits on them now.
    assert waiting(personas.area_a1_head, "appraise") == set()
    assert waiting(personas.area_a1_head, "submit") == set()
    assert waiting(personas.province_a_officer, "appraise") == {"00070-TDP01"}
    assert waiting(personas.outsider, "appraise") == set()


def test_the_home_page_lists_it_for_the_commune_officer_only(client, tree, personas):
    submitted_area(tree, personas)
    client.force_login(personas.commune_a1_officer)
    with time_machine.travel(dt.datetime(2025, 10, 25, 9, tzinfo=dt.UTC)):
        text = home(client)
    assert "Hồ sơ chờ thẩm định" in text
    assert "Tổ dân phố 1" in text
    assert "hạn: trước 15/11/2025" in text
    client.force_login(personas.commune_b1_officer)
    with time_machine.travel(dt.datetime(2025, 10, 25, 9, tzinfo=dt.UTC)):
        text = home(client)
    assert "Tổ dân phố 1" not in text
    assert "Không có hồ sơ nào đang chờ bạn xử lý trong năm 2025" in text


def test_meetings_and_returned_dossiers_wait_on_the_unit_side(tree, personas):
    reg = submitted_area(tree, personas)
    services.register_unit(actor="test", unit=tree.area_a2, year=YEAR)
    services.return_dossier(actor=personas.commune_a1_officer, registration=reg,
                            reasons={"4.1": "Thiếu danh sách hộ"})
    assert waiting(personas.area_a1_head, "correct") == {"00070-TDP01"}
    assert waiting(personas.area_a1_head, "assess") == set()
    assert waiting(personas.commune_a1_officer, "correct") == {"00070-TDP01"}
    assert waiting(personas.province_a_officer, "assess") == {"00097-TDP02"}
    assert waiting(personas.commune_a1_officer, "assess") == set()


def test_a_province_decided_enterprise_waits_on_the_province_not_the_commune(tree, personas):
    evidence(tree.enterprise_a1, ENTERPRISE_FACTS, "6.2")
    reg = services.register_unit(actor="test", unit=tree.enterprise_a1, year=YEAR)
    run_to_appraised(reg, "test", "test", ORG_MEETING, chair="Giám đốc")
    assert waiting(personas.province_a_officer, "decide") == {"00070-DN01"}
    assert waiting(personas.national_admin, "decide") == {"00070-DN01"}
    assert waiting(personas.commune_a1_officer, "decide") == set()


def test_decided_units_wait_for_their_certificates(tree, personas):
    reg = submitted_area(tree, personas)
    officer = personas.commune_a1_officer
    services.appraise_dossier(actor=officer, registration=reg, proposal="met")
    services.decide(actor=officer, registrations=[reg], number="1/QĐ-UBND",
                    signed_on=dt.date(2025, 11, 10), signer_name="Nguyễn Văn Hùng")
    assert waiting(officer, "certify") == {"00070-TDP01"}
    assert waiting(personas.area_a1_head, "certify") == set()


# --- the SQL says what workflow.can says ----------------------------------------------------------


@pytest.fixture
def every_kind(tree: Tree) -> list[Registration]:
    """Registrations whose bodies sit at every level: commune, province, district (pre-2025)."""
    end = dt.date(2025, 6, 30)
    old_province = create_unit(actor="test", code="62", name="Tỉnh Kon Tum", kind="province",
                               parent=None, valid_to=end)
    district = create_unit(actor="test", code="608", name="Thành phố Kon Tum", kind="district",
                           parent=old_province, valid_to=end)
    old_commune = create_unit(actor="test", code="23284", name="Phường Quyết Thắng",
                              kind="commune", parent=district, valid_to=end)
    regs = [
        services.register_unit(actor="test", unit=unit, year=YEAR)
        for unit in (tree.area_a1, tree.school_a1, tree.enterprise_a1, tree.commune_a1,
                     tree.area_a2, tree.area_b1, tree.commune_b1)
    ]
    regs.append(services.register_unit(actor="test", unit=old_commune, year=2023))
    return regs


def test_body_path_in_sql_is_services_body_path(every_kind):
    for reg in every_kind:
        annotated = Registration.objects.annotate(body_path=worklist.BODY_PATH).get(pk=reg.pk)
        assert annotated.body_path == services.body_path(reg), reg.unit.code
    assert any(r.authority.deciding_level == "district" for r in every_kind)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(Action))
def test_acting_filter_matches_workflow_can(every_kind, personas, persona, action):
    user = getattr(personas, persona)
    for year in (YEAR, 2023):
        rows = Registration.objects.annotate(body_path=worklist.BODY_PATH).filter(year=year)
        selected = set(rows.filter(worklist.acting_q(user, action)).values_list("pk", flat=True))
        expected = {
            r.pk
            for r in rows.select_related("unit", "authority")
            if workflow.can(user.grants(), action, unit_path=r.unit.path,
                            body_path=services.body_path(r))
        }
        assert selected == expected, (persona, action, year)


# --- late and overdue ---------------------------------------------------------------------------


def test_an_undecided_dossier_is_overdue_from_its_deadline_day(tree, personas):
    reg = submitted_area(tree, personas)
    officer = personas.commune_a1_officer
    services.appraise_dossier(actor=officer, registration=reg, proposal="met")
    reg.refresh_from_db()
    assert worklist.timing(reg, dt.date(2025, 11, 14)) == worklist.DUE
    assert worklist.timing(reg, dt.date(2025, 11, 15)) == worklist.OVERDUE  # "before 15/11"
    work = worklist.work_list(officer, YEAR, dt.date(2025, 11, 15))
    [decide] = [t for t in work.tasks if t.task.key == "decide"]
    assert (decide.count, decide.overdue) == (1, 1)


def test_the_home_page_marks_overdue_in_words(client, tree, personas):
    reg = submitted_area(tree, personas)
    services.appraise_dossier(actor=personas.commune_a1_officer, registration=reg,
                              proposal="met")
    client.force_login(personas.commune_a1_officer)
    with time_machine.travel(dt.datetime(2025, 11, 14, 9, tzinfo=dt.UTC)):
        text = home(client)
    assert "Quá hạn, chưa quyết định" not in text
    assert "quá hạn quyết định" not in text
    with time_machine.travel(dt.datetime(2025, 11, 16, 9, tzinfo=dt.UTC)):
        text = home(client)
    assert "Quá hạn, chưa quyết định" in text
    assert "1 hồ sơ quá hạn quyết định" in text
    assert "quá hạn 1" in text  # in the area's table too


@pytest.mark.parametrize(
    ("signed", "expected"),
    [(dt.date(2025, 11, 14), worklist.ON_TIME), (dt.date(2025, 11, 15), worklist.LATE)],
)
def test_a_decision_on_the_deadline_day_is_late(tree, personas, signed, expected):
    reg = submitted_area(tree, personas)
    officer = personas.commune_a1_officer
    services.appraise_dossier(actor=officer, registration=reg, proposal="met")
    services.decide(actor=officer, registrations=[reg], number="1/QĐ", signed_on=signed,
                    signer_name="Nguyễn Văn Hùng")
    reg.refresh_from_db()
    assert worklist.timing(reg, dt.date(2025, 12, 1)) == expected
    area = worklist.area_figures(officer, YEAR, dt.date(2025, 12, 1))
    assert (area.total.on_time, area.total.late) == (
        (1, 0) if expected == worklist.ON_TIME else (0, 1)
    )


# --- completeness -------------------------------------------------------------------------------


@pytest.fixture
def province_year(tree: Tree, personas: Personas) -> Tree:
    """Province A on 21/11/2025, counted by hand:

    commune A1: 4 eligible (the commune, Tổ dân phố 1, the THCS school, the medium enterprise),
      plus a small enterprise and a primary school that are not eligible.
      Tổ dân phố 1 decided 14/11 (on time), certified; the school decided 20/11 (late: due before
      20/11); the enterprise registered only (overdue: due before 20/11); the commune not
      registered.
    commune A2: 2 eligible (the commune, Tổ dân phố 2); Tổ dân phố 2 submitted, not decided
      (overdue: due before 15/11).
    """
    officer = personas.commune_a1_officer
    create_unit(actor="test", code="00070-DN02", name="Công ty nhỏ", kind="enterprise",
                parent=tree.commune_a1, enterprise_size="small", managing_level="commune",
                valid_from=dt.date(2025, 7, 1))
    create_unit(actor="test", code="00070-TH", name="Trường Tiểu học", kind="school",
                parent=tree.commune_a1, education_level="primary", managing_level="commune",
                valid_from=dt.date(2025, 7, 1))
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    evidence(tree.school_a1, SCHOOL_FACTS, "7.2")
    evidence(tree.area_a2, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    area = run_to_appraised(services.register_unit(actor="test", unit=tree.area_a1, year=YEAR),
                            "test", officer, AREA_MEETING)
    school = run_to_appraised(services.register_unit(actor="test", unit=tree.school_a1,
                                                     year=YEAR),
                              "test", officer, ORG_MEETING, chair="Hiệu trưởng")
    on_time = services.decide(actor=officer, registrations=[area], number="1/QĐ-UBND",
                              signed_on=dt.date(2025, 11, 14), signer_name="Nguyễn Văn Hùng")
    services.issue_certificates(actor=officer, decision=on_time)
    services.decide(actor=officer, registrations=[school], number="2/QĐ-UBND",
                    signed_on=dt.date(2025, 11, 20), signer_name="Nguyễn Văn Hùng")
    services.register_unit(actor="test", unit=tree.enterprise_a1, year=YEAR)
    a2 = services.register_unit(actor="test", unit=tree.area_a2, year=YEAR)
    services.record_assessment(actor="test", registration=a2, held_on=OCTOBER,
                               chair="Trưởng khu dân cư", participants=AREA_MEETING)
    services.submit_dossier(actor="test", registration=a2)
    return tree


FIELDS = ("expected", "registered", "assessed", "submitted", "decided", "on_time", "late",
          "overdue", "met", "certified")


def figures(f: worklist.Figures) -> tuple[int, ...]:
    return tuple(getattr(f, name) for name in FIELDS)


def test_the_province_officer_sees_each_commune_counted(province_year, personas):
    area = worklist.area_figures(personas.province_a_officer, YEAR, dt.date(2025, 11, 21))
    assert area.by == "commune"
    rows = {f.code: f for f in area.rows}
    assert set(rows) == {"00070", "00097"}
    #                               exp reg ass sub dec ont lat ovd met cer
    assert figures(rows["00070"]) == (4, 3, 2, 2, 2, 1, 1, 1, 2, 1)
    assert figures(rows["00097"]) == (2, 1, 1, 1, 0, 0, 0, 1, 0, 0)
    assert figures(area.total) == (6, 4, 3, 3, 2, 1, 1, 2, 2, 1)
    assert area.total.registered_rate == pytest.approx(4 / 6)


def test_the_commune_officer_sees_their_units_by_kind(province_year, personas):
    area = worklist.area_figures(personas.commune_a1_officer, YEAR, dt.date(2025, 11, 21))
    assert area.by == "kind"
    rows = {f.key: f for f in area.rows}
    assert figures(rows["residential_area"]) == (1, 1, 1, 1, 1, 1, 0, 0, 1, 1)
    assert figures(rows["school"]) == (1, 1, 1, 1, 1, 0, 1, 0, 1, 0)
    assert figures(rows["enterprise"]) == (1, 1, 0, 0, 0, 0, 0, 1, 0, 0)
    assert figures(rows["commune"]) == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def test_the_national_admin_sees_provinces(province_year, personas):
    area = worklist.area_figures(personas.national_admin, YEAR, dt.date(2025, 11, 21))
    assert area.by == "province"
    rows = {f.code: f for f in area.rows}
    assert figures(rows["01"]) == (6, 4, 3, 3, 2, 1, 1, 2, 2, 1)
    assert figures(rows["79"])[:2] == (2, 0)  # Phường Sài Gòn and Khu phố 3, not registered


def test_the_home_page_shows_the_area_table(client, province_year, personas):
    client.force_login(personas.province_a_officer)
    with time_machine.travel(dt.datetime(2025, 11, 21, 9, tzinfo=dt.UTC)):
        text = home(client)
    assert "Tiến độ trong phạm vi của bạn" in text
    assert "Phường Hoàn Kiếm" in text
    assert "Phường Hồng Hà" in text
    assert "3/4" in text
    assert "4/6" in text
    assert "trễ hạn 1" in text
    assert "quá hạn 2" in text


def test_a_user_without_roles_is_told_so(client, personas):
    client.force_login(personas.outsider)
    assert "chưa được phân quyền" in home(client)


def test_an_invalid_year_goes_back_to_this_year(client, personas):
    client.force_login(personas.commune_a1_officer)
    response = client.get(reverse("home") + "?year=1990")
    assert response.status_code == 302


# --- query budget -------------------------------------------------------------------------------


def _many(tree: Tree, n: int, start: int) -> None:
    """``n`` residential areas of commune A1 registered, spread over the states (no per-row
    queries to set up: the states are written directly)."""
    states = [State.REGISTERED, State.ASSESSED, State.SUBMITTED, State.RETURNED, State.APPRAISED,
              State.DECIDED_MET]
    for i in range(start, start + n):
        unit = create_unit(actor="test", code=f"00070-Q{i}", name=f"Thôn {i}",
                           kind="residential_area", parent=tree.commune_a1,
                           valid_from=dt.date(2025, 7, 1))
        reg = services.register_unit(actor="test", unit=unit, year=YEAR)
        Registration.objects.filter(pk=reg.pk).update(
            state=states[i % len(states)],
            decided_on=dt.date(2025, 11, 14) if states[i % len(states)] == State.DECIDED_MET
            else None,
        )


@pytest.mark.parametrize("persona", ["province_a_officer", "commune_a1_officer",
                                     "national_admin"])
def test_the_work_list_stays_within_its_query_budget(
    client, tree, personas, persona, django_assert_max_num_queries
):
    client.force_login(getattr(personas, persona))
    _many(tree, 6, 0)
    # 18: one is the session's second-factor device (django-otp checks it on each request), one
    # the data version of the aggregate cache (antt.core.cache).
    with django_assert_max_num_queries(18) as first:
        home(client, YEAR)
    _many(tree, 36, 6)
    with django_assert_max_num_queries(len(first.captured_queries)):
        text = home(client, YEAR)
    assert "Thôn 41" in text or "Xem cả" in text


def test_the_home_page_shows_a_submission_made_after_it_was_cached(client, tree, personas):
    """The figures are cached per data version: the audited write of the submission is seen."""
    client.force_login(personas.commune_a1_officer)
    assert "Tổ dân phố 1" not in home(client, YEAR)
    assert "Tổ dân phố 1" not in home(client, YEAR)  # from the cache now
    submitted_area(tree, personas)
    text = home(client, YEAR)
    assert "Hồ sơ chờ thẩm định" in text
    assert "Tổ dân phố 1" in text


def test_users_with_other_grants_do_not_share_cached_figures(client, tree, personas):
    submitted_area(tree, personas)
    client.force_login(personas.commune_a1_officer)
    assert "Tổ dân phố 1" in home(client, YEAR)
    client.force_login(personas.commune_b1_officer)
    assert "Tổ dân phố 1" not in home(client, YEAR)
