"""The yearly cycle through the pages (Django's test client): a whole year, the jurisdiction
matrix (404 outside it, for every cycle URL and persona), 403 for who sees but may not act,
the services' refusals as Vietnamese messages, the stale-page message, query budgets."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from antt.accounts.services import assign_role
from antt.recognition import services
from antt.recognition.models import (
    Certificate,
    Decision,
    DossierReview,
    Registration,
)
from antt.recognition.tests.test_cycle import (
    AREA_FACTS,
    AREA_MEETING,
    ORG_MEETING,
    PREVIOUS,
    SCHOOL_FACTS,
    YEAR,
    evidence,
    run_to_appraised,
)
from antt.recognition.views_cycle.decisions import PROPOSAL
from antt.recognition.workflow import State
from antt.records.models import YearFacts
from antt.units.services import create_unit
from conftest import PASSWORD, Personas, Tree, expected_visible

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANTT_PUBLIC_URL = "https://antt.example.vn"


def at(day: dt.date, hour: int = 9):
    """Travel to a day in Hà Nội, the clock ticking (so rows keep their order)."""
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    )


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return text_of(response)


def post(client, url: str, data: dict | None = None, status: int = 302):
    response = client.post(url, data or {})
    assert response.status_code == status, (url, response.status_code, text_of(response)[-3000:])
    return response


def detail(reg: Registration) -> str:
    return reverse("cycle:registration-detail", args=[reg.pk])


def action(name: str, pk: int) -> str:
    return reverse(f"cycle:{name}", args=[pk])


def fresh(reg: Registration) -> Registration:
    return Registration.objects.get(pk=reg.pk)


def meeting(roles: list[dict], **extra) -> dict:
    data = {"held_on": "20/10/2025", "mode": "meeting", "chair": "Trưởng khu dân cư",
            "conclusion": "Thống nhất đề nghị công nhận."}
    for p in roles:
        data[f"role_{p['role']}"] = p["name"]
    data.update(extra)
    return data


# --- a whole year -----------------------------------------------------------------------------


def test_a_year_through_the_pages(client, tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    evidence(tree.school_a1, SCHOOL_FACTS, "7.2")
    officer, head = personas.commune_a1_officer, personas.area_a1_head
    bulk = reverse("cycle:registration-bulk", args=[YEAR])

    # Q1: the commune registers its residential areas and organisations, after confirming.
    with at(dt.date(2025, 2, 10)):
        client.force_login(officer)
        page = get(client, f"{bulk}?commune={tree.commune_a1.pk}")
        assert "Sẽ đăng ký 2 đơn vị" in page
        assert "Tổ dân phố 1" in page
        assert "Trường THCS Ngô Sĩ Liên" in page
        assert "Do cấp khác quản lý, đăng ký riêng: 1 đơn vị" in page  # the province's enterprise
        assert not Registration.objects.exists()  # the confirmation writes nothing
        response = post(client, bulk, {"commune": tree.commune_a1.pk,
                                       "registered_on": "2025-02-10"})
        assert response["Location"].endswith(f"?commune={tree.commune_a1.pk}")
    area = Registration.objects.get(unit=tree.area_a1)
    school = Registration.objects.get(unit=tree.school_a1)
    assert area.registered_on == dt.date(2025, 2, 10)

    # October: the meetings, then the dossiers.
    with at(dt.date(2025, 10, 20)):
        client.force_login(head)
        assert "Ghi nhận cuộc họp đánh giá" in get(client, detail(area))
        form = get(client, action("registration-assess", area.pk))
        assert "Bí thư chi bộ" in form
        assert "Đại diện Ban Công tác Mặt trận" in form
        post(client, action("registration-assess", area.pk),
             meeting(AREA_MEETING, version=area.version,
                     extra_0_name="Lê Thị Hạnh", extra_0_role="Chi hội Phụ nữ"))
        area = fresh(area)
        assert area.state == State.ASSESSED
        assessment = services.current_assessment(area)
        assert {"name": "Lê Thị Hạnh", "role": "Chi hội Phụ nữ"} in assessment.participants
        page = get(client, detail(area))
        assert "Kết quả đánh giá đã chốt" in page
        assert "4.4.a" in page
        post(client, action("registration-submit", area.pk), {"version": area.version})
        assert fresh(area).state == State.SUBMITTED

        client.force_login(officer)
        post(client, action("registration-assess", school.pk),
             meeting(ORG_MEETING, chair="Hiệu trưởng", version=school.version))
        post(client, action("registration-submit", school.pk), {"version": fresh(school).version})

    # The standing office returns the area's dossier with a reason on criterion 4.1.
    with at(dt.date(2025, 10, 25)):
        client.force_login(officer)  # a session lasts a working day
        form = get(client, action("registration-return", area.pk))
        assert 'name="reason_4_1"' in form
        assert 'name="reason_4_4_a"' in form
        post(client, action("registration-return", area.pk),
             {"reason_4_1": "Thiếu danh sách hộ đăng ký", "note": "Bổ sung trước 30/10",
              "version": fresh(area).version})
        assert fresh(area).state == State.RETURNED

    # The area corrects: a newer figure, a document, a new meeting, and sends it again.
    with at(dt.date(2025, 10, 27)):
        client.force_login(head)
        page = get(client, detail(area))
        assert "Thiếu danh sách hộ đăng ký" in page
        YearFacts.objects.filter(unit=tree.area_a1, year=YEAR).update(
            data={**AREA_FACTS, "crime_count": 0}
        )
        response = client.post(action("registration-upload", area.pk), {
            "kind": "supporting",
            "file": SimpleUploadedFile("danh-sach-ho.pdf", PDF, "application/pdf"),
        })
        assert response.status_code == 302, text_of(response)[-2000:]
        post(client, action("registration-assess", area.pk),
             meeting(AREA_MEETING, held_on="27/10/2025", version=fresh(area).version))
        post(client, action("registration-submit", area.pk), {"version": fresh(area).version})

    # What changed since the return is on the page, for the standing office.
    with at(dt.date(2025, 10, 28)):
        client.force_login(officer)
        page = get(client, detail(area))
        assert "Thay đổi kể từ lần trả lại" in page
        assert "4.4.a" in page
        assert "2 → 1" in page
        assert "2 → 0" in page
        assert "danh-sach-ho.pdf" in page
        assert "Tiêu chí đã nêu lý do nhưng chưa thay đổi" in page  # 4.1 did not change
        for reg in (area, school):
            post(client, action("registration-appraise", reg.pk),
                 {"proposal": "met", "mode": "meeting", "version": fresh(reg).version})
        assert fresh(area).state == fresh(school).state == State.APPRAISED

    # Both decided at once; the school's result overridden to "not met".
    decide = reverse("cycle:decision-create", args=[YEAR])
    with at(dt.date(2025, 11, 10)):
        client.force_login(officer)
        page = get(client, decide)
        assert "Tổ dân phố 1" in page
        assert "Trường THCS Ngô Sĩ Liên" in page
        response = post(client, decide, {
            "body": tree.commune_a1.pk, "number": "15/QĐ-UBND", "signed_on": "2025-11-10",
            "signer_name": "Nguyễn Văn Hùng", "row": [area.pk, school.pk],
            "selected": [area.pk, school.pk], f"result_{area.pk}": "met",
            f"result_{school.pk}": "not_met",
        })
        decision = Decision.objects.get(number="15/QĐ-UBND")
        assert response["Location"] == action("decision-detail", decision.pk)
        assert (fresh(area).state, fresh(school).state) == (State.DECIDED_MET,
                                                            State.DECIDED_NOT_MET)
        page = get(client, action("decision-detail", decision.pk))
        assert "Cấp 1 giấy công nhận" in page

    with at(dt.date(2025, 11, 12)):
        client.force_login(officer)
        post(client, action("decision-certify", decision.pk), {"issued_on": "2025-11-12"})
        certificate = Certificate.objects.get(registration=area)
        assert fresh(area).state == State.CERTIFIED
        page = get(client, action("decision-detail", decision.pk))
        assert f"số {certificate.number}, 12/11/2025" in page

    with at(dt.date(2026, 1, 5)):
        client.force_login(officer)
        post(client, action("decision-annul", decision.pk), {
            "reason": "Phát hiện vụ trộm cắp trong kỳ chưa được báo cáo",
            "reference": "Quyết định số 3/QĐ-UBND ngày 05/01/2026",
            "annulled_on": "2026-01-05",
        })
        assert Decision.objects.get(pk=decision.pk).status == Decision.Status.ANNULLED
        assert fresh(area).state == State.ANNULLED
        assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.ANNULLED
        page = get(client, detail(area))
    for step in ("Đăng ký phấn đấu", "Họp đánh giá", "Gửi hồ sơ đề nghị công nhận",
                 "Trả lại hồ sơ", "Thẩm định", "Quyết định số 15/QĐ-UBND",
                 "Cấp giấy công nhận", "Hủy bỏ quyết định"):
        assert step in page, step


def test_registering_one_unit(client, tree, personas):
    client.force_login(personas.commune_a1_officer)
    url = reverse("cycle:registration-create", args=[YEAR])
    response = post(client, url, {"code": "00070-TDP01", "registered_on": "10/02/2025",
                                  "households_registered": "120"})
    reg = Registration.objects.get(unit=tree.area_a1)
    assert response["Location"] == detail(reg)
    assert reg.households_registered == 120
    # Twice: the service's refusal, in Vietnamese, on the page.
    page = text_of(post(client, url, {"code": "00070-TDP01"}, status=200))
    assert "đã đăng ký năm 2025" in page
    # A code outside the jurisdiction is "not found", not "forbidden".
    page = text_of(post(client, url, {"code": "26734-KP03"}, status=200))
    assert "Không tìm thấy đơn vị có mã này trong phạm vi của bạn" in page


def test_the_list_filters(client, tree, personas):
    for unit in (tree.area_a1, tree.school_a1, tree.area_a2):
        services.register_unit(actor="test", unit=unit, year=YEAR)
    client.force_login(personas.province_a_officer)
    url = reverse("cycle:registration-list", args=[YEAR])

    def codes(query: str) -> set[str]:
        response = client.get(url + query)
        assert response.status_code == 200
        return {line.reg.unit.code for line in response.context["rows"]}

    assert codes("") == {"00070-TDP01", "00070-THCS", "00097-TDP02"}
    assert codes(f"?commune={tree.commune_a2.pk}") == {"00097-TDP02"}
    assert codes("?kind=school") == {"00070-THCS"}
    assert codes("?q=to dan pho 2") == {"00097-TDP02"}
    assert codes("?state=assessed") == set()
    assert codes("?todo=assess") == {"00070-TDP01", "00070-THCS", "00097-TDP02"}
    with at(dt.date(2025, 11, 21)):
        assert codes("?late=on") == {"00070-TDP01", "00070-THCS", "00097-TDP02"}
    with at(dt.date(2025, 11, 14)):
        assert codes("?late=on") == set()
    # htmx asks for the results only
    response = client.get(url + "?kind=school", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert b"<html" not in response.content
    assert b"THCS" in response.content


# --- refusals as messages ---------------------------------------------------------------------


@pytest.fixture
def submitted(tree: Tree, personas: Personas) -> Registration:
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    services.record_assessment(actor="test", registration=reg, held_on=dt.date(2025, 10, 20),
                               chair="Trưởng khu dân cư", participants=AREA_MEETING)
    return services.submit_dossier(actor="test", registration=reg)


def test_a_meeting_without_the_required_participants_is_refused_in_words(client, tree,
                                                                         personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    client.force_login(personas.area_a1_head)
    response = post(client, action("registration-assess", reg.pk),
                    meeting(AREA_MEETING[1:]), status=200)
    assert "Thành phần cuộc họp còn thiếu (Điều 9.1 Thông tư 124): Bí thư chi bộ" in text_of(
        response)
    assert fresh(reg).state == State.REGISTERED


def test_a_meeting_cannot_close_with_pending_criteria(client, tree, personas):
    YearFacts.objects.create(unit=tree.area_a1, year=YEAR, data=AREA_FACTS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    client.force_login(personas.area_a1_head)
    page = get(client, action("registration-assess", reg.pk))
    assert "Còn tiêu chí chờ cuộc họp đánh giá hoặc thiếu số liệu: 4.2" in page
    response = post(client, action("registration-assess", reg.pk), meeting(AREA_MEETING),
                    status=200)
    assert "Chưa thể chốt kết quả" in text_of(response)


def test_a_return_needs_a_reason(client, submitted, personas):
    client.force_login(personas.commune_a1_officer)
    response = post(client, action("registration-return", submitted.pk),
                    {"version": submitted.version}, status=200)
    assert "Cần nêu lý do trả lại hồ sơ" in text_of(response)
    assert fresh(submitted).state == State.SUBMITTED


def test_a_stale_page_says_someone_else_changed_the_dossier(client, submitted, personas):
    client.force_login(personas.commune_a1_officer)
    shown = get(client, detail(submitted))
    assert f'name="version" value="{submitted.version}"' in shown
    # Meanwhile the province's officer appraises it.
    services.appraise_dossier(actor=personas.province_a_officer, registration=fresh(submitted),
                              proposal="met")
    response = post(client, action("registration-return", submitted.pk),
                    {"reason_4_1": "Xem lại", "version": submitted.version}, status=409)
    assert "vừa được người khác cập nhật" in text_of(response)
    assert "Hãy tải lại trang" in text_of(response)
    assert fresh(submitted).state == State.APPRAISED
    assert not DossierReview.objects.filter(outcome="returned").exists()


def test_a_race_lost_inside_the_service_is_the_same_message(client, submitted, personas,
                                                            monkeypatch):
    def lose(**kwargs):
        raise services.ConcurrentChange("Hồ sơ của Tổ dân phố 1 vừa được người khác cập nhật.")

    monkeypatch.setattr(services, "appraise_dossier", lose)
    client.force_login(personas.commune_a1_officer)
    response = post(client, action("registration-appraise", submitted.pk),
                    {"proposal": "met", "mode": "meeting", "version": submitted.version},
                    status=409)
    assert "vừa được người khác cập nhật" in text_of(response)


def test_a_decision_number_cannot_be_used_twice(client, tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    officer = personas.commune_a1_officer
    reg = run_to_appraised(services.register_unit(actor="test", unit=tree.area_a1, year=YEAR),
                           "test", officer, AREA_MEETING)
    Decision.objects.create(number="15/QĐ-UBND", signed_on=dt.date(2025, 11, 1), year=YEAR,
                            issuing_unit=tree.commune_a1, issuing_body="UBND",
                            signer_name="A", signer_title="Chủ tịch")
    client.force_login(officer)
    response = post(client, reverse("cycle:decision-create", args=[YEAR]), {
        "body": tree.commune_a1.pk, "number": "15/QĐ-UBND", "signed_on": "2025-11-10",
        "signer_name": "Nguyễn Văn Hùng", "row": [reg.pk], "selected": [reg.pk],
    }, status=200)
    assert "Số quyết định này đã được dùng" in text_of(response)
    assert fresh(reg).state == State.APPRAISED


def test_a_late_decision_is_recorded_with_a_warning(client, tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    officer = personas.commune_a1_officer
    reg = run_to_appraised(services.register_unit(actor="test", unit=tree.area_a1, year=YEAR),
                           "test", officer, AREA_MEETING)
    client.force_login(officer)
    response = client.post(reverse("cycle:decision-create", args=[YEAR]), {
        "body": tree.commune_a1.pk, "number": "20/QĐ-UBND", "signed_on": "2025-11-15",
        "signer_name": "Nguyễn Văn Hùng", "row": [reg.pk], "all_matching": "1",
    }, follow=True)
    page = text_of(response)
    assert "được quyết định sau hạn" in page
    assert "trước ngày 15/11/2025" in page
    assert "Quyết định trễ hạn" in page
    assert fresh(reg).state == State.DECIDED_MET


# --- who sees but may not act -----------------------------------------------------------------


@pytest.fixture
def viewer(tree: Tree):
    user, _, _ = assign_role(actor="test", username="xem_a1", role="viewer", unit=tree.commune_a1,
                             password=PASSWORD)
    return user


def test_a_viewer_sees_no_buttons_and_gets_403_on_every_post(client, submitted, viewer, tree):
    decision = Decision.objects.create(number="9/QĐ", signed_on=dt.date(2025, 11, 1), year=YEAR,
                                       issuing_unit=tree.commune_a1, issuing_body="UBND",
                                       signer_name="A", signer_title="Chủ tịch")
    client.force_login(viewer)
    page = get(client, detail(submitted))
    assert "Tổ dân phố 1" in page
    assert 'id="actions-title"' not in page  # no actions section (the empty-state hint names it)
    assert "Hủy bỏ quyết định" not in get(client, action("decision-detail", decision.pk))
    for name in ("registration-assess", "registration-submit", "registration-return",
                 "registration-appraise", "registration-upload", "registration-generate"):
        assert client.post(action(name, submitted.pk), {"version": submitted.version,
                                                        "proposal": "met",
                                                        "mode": "meeting"}).status_code == 403, name
    for name in ("registration-assess", "registration-return"):
        assert client.get(action(name, submitted.pk)).status_code == 403, name
    for name in ("decision-certify", "decision-annul", "decision-documents"):
        assert client.post(action(name, decision.pk), {
            "reason": "x", "reference": "y", "annulled_on": "2026-01-05",
            "issued_on": "2025-11-12"}).status_code == 403, name
    assert client.post(reverse("cycle:decision-create", args=[YEAR]),
                       {"selected": [submitted.pk]}).status_code == 403
    bulk = reverse("cycle:registration-bulk", args=[YEAR])
    assert client.post(bulk, {"commune": tree.commune_a1.pk}).status_code == 403
    assert fresh(submitted).state == State.SUBMITTED
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.VALID


def test_the_head_of_the_area_cannot_appraise_their_own_dossier(client, submitted, personas):
    client.force_login(personas.area_a1_head)
    page = get(client, detail(submitted))
    assert "Thẩm định hồ sơ" not in page
    assert "Trả lại hồ sơ" not in page
    response = post(client, action("registration-appraise", submitted.pk),
                    {"proposal": "met", "mode": "meeting"}, status=403)
    assert "Bạn không có thẩm quyền thẩm định hồ sơ cho Tổ dân phố 1" in text_of(response)


def test_the_commune_cannot_decide_what_the_province_decides(client, tree, personas):
    from antt.recognition.tests.test_cycle import ENTERPRISE_FACTS

    evidence(tree.enterprise_a1, ENTERPRISE_FACTS, "6.2")
    reg = run_to_appraised(services.register_unit(actor="test", unit=tree.enterprise_a1,
                                                  year=YEAR),
                           "test", "test", ORG_MEETING, chair="Giám đốc")
    client.force_login(personas.commune_a1_officer)
    url = reverse("cycle:decision-create", args=[YEAR])
    assert "Công ty TNHH Thương mại Hồ Gươm" not in get(client, url)
    assert client.post(url, {"body": tree.province_a.pk, "selected": [reg.pk], "number": "1",
                             "signed_on": "2025-11-10", "signer_name": "A"}).status_code == 403
    client.force_login(personas.province_a_officer)
    assert "Công ty TNHH Thương mại Hồ Gươm" in get(client, url)


# --- the jurisdiction matrix ------------------------------------------------------------------

REGISTRATION_URLS = [
    ("registration-detail", "get"),
    ("registration-assess", "get"),
    ("registration-return", "get"),
    ("registration-assess", "post"),
    ("registration-submit", "post"),
    ("registration-return", "post"),
    ("registration-appraise", "post"),
    ("registration-upload", "post"),
    ("registration-generate", "post"),
]
DECISION_URLS = [
    ("decision-detail", "get"),
    ("decision-certify", "post"),
    ("decision-annul", "post"),
    ("decision-documents", "post"),
]
REGISTERED = ("area_a1", "school_a1", "enterprise_a1", "commune_a1", "area_a2", "area_b1",
              "commune_b1")
ISSUERS = ("commune_a1", "commune_b1", "province_a")


@pytest.fixture
def world(tree: Tree) -> dict:
    regs = {
        getattr(tree, name).code: services.register_unit(actor="test", unit=getattr(tree, name),
                                                         year=YEAR)
        for name in REGISTERED
    }
    decisions = {
        getattr(tree, name).code: Decision.objects.create(
            number=f"1/QĐ-{name}", signed_on=dt.date(2025, 11, 1), year=YEAR,
            issuing_unit=getattr(tree, name), issuing_body="UBND", signer_name="A",
            signer_title="Chủ tịch")
        for name in ISSUERS
    }
    return {"registrations": regs, "decisions": decisions}


def _status(client, method: str, url: str) -> int:
    return (client.get(url) if method == "get" else client.post(url, {})).status_code


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method"), REGISTRATION_URLS)
def test_registration_urls_are_404_outside_the_jurisdiction(client, world, tree, personas,
                                                            persona, name, method):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    for code, reg in world["registrations"].items():
        status = _status(client, method, action(name, reg.pk))
        if code in visible:
            assert status != 404, (code, status)
        else:
            assert status == 404, (code, status)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method"), DECISION_URLS)
def test_decision_urls_are_404_outside_the_jurisdiction(client, world, tree, personas, persona,
                                                        name, method):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    for code, decision in world["decisions"].items():
        status = _status(client, method, action(name, decision.pk))
        assert (status != 404) if code in visible else (status == 404), (code, status)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_year_pages_show_exactly_the_jurisdiction(client, world, tree, personas, persona):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    response = client.get(reverse("cycle:registration-list", args=[YEAR]))
    assert response.status_code == 200
    assert {line.reg.unit.code for line in response.context["rows"]} == (
        visible & set(world["registrations"])
    )
    assert client.get(reverse("cycle:decision-create", args=[YEAR])).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    bulk = reverse("cycle:registration-bulk", args=[YEAR])
    for commune in (tree.commune_a1, tree.commune_a2, tree.commune_b1):
        status = client.get(f"{bulk}?commune={commune.pk}").status_code
        assert (status == 200) if commune.code in visible else (status == 404), commune.code


def test_the_cycle_asks_to_sign_in(client, world):
    reg = world["registrations"]["00070-TDP01"]
    for url in (reverse("home"), reverse("cycle:registration-list", args=[YEAR]), detail(reg)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_years_outside_the_range_are_404(client, personas):
    client.force_login(personas.national_admin)
    assert client.get(reverse("cycle:registration-list", args=[2011])).status_code == 404
    assert client.get(reverse("cycle:decision-create", args=[2999])).status_code == 404


# --- the decide page, with many rows ----------------------------------------------------------


def _appraised(tree: Tree, n: int, start: int) -> list[Registration]:
    """``n`` residential areas of commune A1 waiting for a decision, written directly (the
    pages' cost is under test, not the services')."""
    regs = []
    for i in range(start, start + n):
        unit = create_unit(actor="test", code=f"00070-Q{i}", name=f"Thôn {i}",
                           kind="residential_area", parent=tree.commune_a1,
                           valid_from=dt.date(2025, 7, 1))
        reg = services.register_unit(actor="test", unit=unit, year=YEAR)
        Registration.objects.filter(pk=reg.pk).update(state=State.APPRAISED)
        DossierReview.objects.create(registration=reg, outcome="appraised",
                                     proposal="not_met" if i % 3 == 0 else "met")
        regs.append(reg)
    return regs


def test_the_decide_page_stays_within_its_query_budget(client, tree, personas,
                                                       django_assert_max_num_queries):
    client.force_login(personas.commune_a1_officer)
    url = reverse("cycle:decision-create", args=[YEAR])
    _appraised(tree, 5, 0)
    with django_assert_max_num_queries(12) as first:
        assert client.get(url).status_code == 200
    _appraised(tree, 60, 5)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 65


def test_proposals_in_sql_are_services_proposal_of(tree, personas):
    regs = _appraised(tree, 4, 0)
    DossierReview.objects.create(registration=regs[1], outcome="appraised", proposal="")
    annotated = dict(Registration.objects.annotate(p=PROPOSAL).values_list("pk", "p"))
    for reg in regs:
        assert annotated[reg.pk] == services.proposal_of(fresh(reg)), reg.unit.code


def test_select_all_matching_decides_every_row_beyond_the_page(client, tree, personas,
                                                               monkeypatch):
    from antt.recognition.views_cycle import decisions

    monkeypatch.setattr(decisions, "DECIDE_PAGE_SIZE", 3)
    regs = _appraised(tree, 7, 0)
    client.force_login(personas.commune_a1_officer)
    url = reverse("cycle:decision-create", args=[YEAR])
    page = get(client, url)
    assert "Chọn cả 7 hồ sơ phù hợp (mọi trang)" in page
    shown = [regs[0].pk, regs[1].pk, regs[2].pk]
    post(client, url, {"body": tree.commune_a1.pk, "number": "30/QĐ-UBND",
                       "signed_on": "2025-11-12", "signer_name": "Nguyễn Văn Hùng",
                       "row": shown, "all_matching": "1", f"result_{regs[0].pk}": "met"})
    decision = Decision.objects.get(number="30/QĐ-UBND")
    results = dict(decision.items.values_list("registration_id", "result"))
    assert len(results) == 7
    assert results[regs[0].pk] == "met"  # overridden on the page (its proposal was "not met")
    assert results[regs[3].pk] == "not_met"  # beyond the page: the appraisal's proposal
    assert results[regs[4].pk] == "met"


def test_the_dossier_papers_are_generated_from_the_page(client, tree, personas):
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    services.record_assessment(actor="test", registration=reg, held_on=dt.date(2025, 10, 20),
                               chair="Trưởng khu dân cư", participants=AREA_MEETING)
    client.force_login(personas.area_a1_head)
    assert "Tạo tờ trình, báo cáo, biên bản" in get(client, detail(reg))
    post(client, action("registration-generate", reg.pk))
    page = get(client, detail(reg))
    assert "Chưa có tài liệu" not in page
    assert page.count('href="/documents/') >= 3  # tờ trình, báo cáo, biên bản: downloadable


def test_a_decision_is_made_one_deciding_body_at_a_time(client, tree, personas):
    from antt.recognition.tests.test_cycle import ENTERPRISE_FACTS

    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    evidence(tree.enterprise_a1, ENTERPRISE_FACTS, "6.2")
    for unit, people in ((tree.area_a1, AREA_MEETING), (tree.enterprise_a1, ORG_MEETING)):
        run_to_appraised(services.register_unit(actor="test", unit=unit, year=YEAR), "test",
                         "test", people)
    client.force_login(personas.province_a_officer)
    url = reverse("cycle:decision-create", args=[YEAR])
    page = get(client, url)
    assert "Cơ quan quyết định" in page
    assert "Phường Hoàn Kiếm" in page
    assert "Thành phố Hà Nội" in page
    assert "Ban hành quyết định" not in page  # a body must be chosen first
    page = get(client, f"{url}?body={tree.province_a.pk}")
    assert "Công ty TNHH Thương mại Hồ Gươm" in page
    assert "Tổ dân phố 1" not in page
