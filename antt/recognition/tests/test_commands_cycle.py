"""The cycle's commands: register, decide, issue_certificates, annul_decision, and their errors."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from antt.core.models import AuditEvent
from antt.recognition import services
from antt.recognition.models import Certificate, Decision, Registration
from antt.recognition.tests.test_cycle import (
    AREA_MEETING,
    ENTERPRISE_FACTS,
    ORG_MEETING,
    YEAR,
    evidence,
)
from antt.recognition.tests.test_cycle import run_to_appraised as appraised
from antt.recognition.tests.test_evaluation import AREA_FACTS, PREVIOUS, SCHOOL_FACTS
from antt.units.services import create_unit
from conftest import Personas, Tree

pytestmark = pytest.mark.django_db

DECIDE = ["--year", "2025", "--signed-on", "2025-11-10", "--signer", "Nguyễn Văn Hùng"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def ready_areas(tree: Tree, count: int) -> list[Registration]:
    """``count`` residential areas of Phường Hoàn Kiếm, appraised (proposal: met)."""
    regs = []
    for i in range(count):
        unit = create_unit(actor="test", code=f"00070-X{i}", name=f"Thôn {i}",
                           kind="residential_area", parent=tree.commune_a1,
                           valid_from=dt.date(2025, 7, 1))  # fmt: skip
        evidence(unit, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
        reg = services.register_unit(actor="test", unit=unit, year=YEAR)
        regs.append(appraised(reg, "test", "test", AREA_MEETING))
    return regs


def decided(tree: Tree, number: str = "15/QĐ-UBND", count: int = 2) -> Decision:
    regs = ready_areas(tree, count)
    return services.decide(actor="test", registrations=regs, number=number,
                           signed_on=dt.date(2025, 11, 10), signer_name="Nguyễn Văn Hùng")


# --- register ------------------------------------------------------------------------------------


def test_register_one_unit(tree: Tree) -> None:
    out = run("register", "--year", "2025", "--unit", "00070-TDP01",
              "--registered-on", "2025-02-10", "--households", "120")
    reg = Registration.objects.get(unit=tree.area_a1, year=YEAR)
    assert (reg.registered_on, reg.households_registered) == (dt.date(2025, 2, 10), 120)
    assert "Đã đăng ký Tổ dân phố 1 (mã 00070-TDP01) năm 2025, bộ tiêu chí tt124-2021." in out
    assert "quyết định trước ngày 15/11/2025" in out
    event = AuditEvent.objects.get(verb="registration.register")
    assert (event.actor, event.actor_label) == (None, "cli:register")


def test_register_a_commune_s_units_at_once(tree: Tree, personas: Personas) -> None:
    out = run("register", "--year", "2025", "--commune", "00070", "--actor", "xa_a1")
    assert "Đã đăng ký 2 đơn vị của Phường Hoàn Kiếm năm 2025:" in out
    assert "00070-TDP01  Tổ dân phố 1" in out
    assert set(Registration.objects.values_list("unit__code", flat=True)) == {
        "00070-TDP01", "00070-THCS"
    }
    assert set(AuditEvent.objects.filter(verb="registration.register")
               .values_list("actor_label", flat=True)) == {"xa_a1"}  # fmt: skip
    again = run("register", "--year", "2025", "--commune", "00070")
    assert "Không có đơn vị nào của Phường Hoàn Kiếm cần đăng ký thêm năm 2025." in again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "99999"], "Không tìm thấy đơn vị mã “99999” trong năm 2025."),
        (["--unit", "00070-TDP01", "--actor", "khong_co"], "Không có người dùng “khong_co”."),
        # Out of the actor's jurisdiction: not found, as in the API.
        (["--unit", "26734-KP03", "--actor", "xa_a1"], "Không tìm thấy đơn vị mã “26734-KP03”"),
        (["--unit", "00070-THCS", "--actor", "truong_kdc_a1"], "Không tìm thấy đơn vị"),
        (["--commune", "00070-TDP01"], "không phải là xã, phường, đặc khu"),
        (["--unit", "01"], "không thuộc đối tượng đăng ký"),
        (["--unit", "00070-TDP01", "--registered-on", "10/02/2025"],
         "--registered-on: ngày “10/02/2025” không hợp lệ"),
    ],
)
def test_register_errors(personas: Personas, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("register", "--year", "2025", *args)
    assert not Registration.objects.exists()


def test_register_refuses_twice_and_years_out_of_range(tree: Tree) -> None:
    run("register", "--year", "2025", "--unit", "00070-TDP01")
    with pytest.raises(CommandError, match="Tổ dân phố 1 đã đăng ký năm 2025"):
        run("register", "--year", "2025", "--unit", "00070-TDP01")
    with pytest.raises(CommandError, match="Năm phải từ 2012"):
        run("register", "--year", "2011", "--unit", "00070-TDP01")


def test_register_checks_the_actor_s_role(tree: Tree, personas: Personas) -> None:
    from antt.accounts.services import assign_role

    assign_role(actor="test", username="xem_a1", role="viewer", unit=tree.commune_a1)
    with pytest.raises(CommandError, match="không có quyền đăng ký"):
        run("register", "--year", "2025", "--unit", "00070-TDP01", "--actor", "xem_a1")


# --- decide --------------------------------------------------------------------------------------


def test_decide_every_appraised_registration_of_a_body(tree: Tree, personas: Personas) -> None:
    regs = ready_areas(tree, 3)
    # Another commune's appraised area, and one of this commune not yet appraised: not included.
    evidence(tree.area_a2, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    appraised(services.register_unit(actor="test", unit=tree.area_a2, year=YEAR), "test",
              "test", AREA_MEETING)
    services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)

    preview = run("decide", *DECIDE, "--number", "20/QĐ-UBND", "--body", "00070")
    assert "3 hồ sơ năm 2025 đã thẩm định chờ Phường Hoàn Kiếm quyết định:" in preview
    assert "Chưa ban hành quyết định" in preview
    assert not Decision.objects.exists()

    out = run("decide", *DECIDE, "--number", "20/QĐ-UBND", "--body", "00070", "--all-appraised",
              "--result", "00070-X1=not_met", "--actor", "xa_a1")
    decision = Decision.objects.get()
    assert decision.items.count() == 3
    assert decision.issuing_unit == tree.commune_a1
    assert ("Đã ban hành quyết định số 20/QĐ-UBND ngày 10/11/2025 "
            "(Ủy ban nhân dân xã, phường, đặc khu — Phường Hoàn Kiếm): 3 đơn vị, "
            "2 được công nhận, 1 không được công nhận.") in out
    assert "00070-X1  Thôn 1: không được công nhận" in out
    states = dict(Registration.objects.filter(pk__in=[r.pk for r in regs])
                  .values_list("unit__code", "state"))  # fmt: skip
    assert states == {"00070-X0": "decided_met", "00070-X1": "decided_not_met",
                      "00070-X2": "decided_met"}
    assert Registration.objects.get(unit=tree.area_a2).state == "appraised"


def test_decide_listed_units_and_note_a_late_decision(tree: Tree) -> None:
    ready_areas(tree, 2)
    out = run("decide", "--year", "2025", "--signed-on", "2025-11-15", "--signer", "A",
              "--number", "21/QĐ-UBND", "--unit", "00070-X0", "--unit", "00070-X1")
    assert "2 đơn vị, 2 được công nhận" in out
    assert "Lưu ý: 2 đơn vị được quyết định từ ngày hạn trở đi" in out


def test_decide_what_the_province_decides(tree: Tree, personas: Personas) -> None:
    evidence(tree.school_a1, SCHOOL_FACTS, "7.2")
    evidence(tree.enterprise_a1, ENTERPRISE_FACTS, "6.2")
    school = services.register_unit(actor="test", unit=tree.school_a1, year=YEAR)
    appraised(school, "test", "test", ORG_MEETING, chair="Hiệu trưởng")
    enterprise = services.register_unit(actor="test", unit=tree.enterprise_a1, year=YEAR)
    appraised(enterprise, "test", "test", ORG_MEETING, chair="Giám đốc")
    # A commune officer cannot decide what the province decides.
    with pytest.raises(CommandError, match="không có thẩm quyền quyết định công nhận"):
        run("decide", *DECIDE, "--number", "1/QĐ", "--unit", "00070-DN01", "--actor", "xa_a1")
    assert not Decision.objects.exists()
    # The province decides the province-managed enterprise, not the commune's school.
    out = run("decide", *DECIDE, "--number", "2001/QĐ-UBND", "--body", "01", "--all-appraised",
              "--actor", "tinh_a")
    assert "1 đơn vị, 1 được công nhận" in out
    decision = Decision.objects.get()
    assert decision.issuing_unit == tree.province_a
    assert [i.registration.unit.code for i in decision.items.all()] == ["00070-DN01"]
    assert Registration.objects.get(pk=school.pk).state == "appraised"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "00070-TDP01"], "khi hồ sơ đang ở trạng thái “Đã đăng ký”"),
        (["--unit", "00097-TDP02"], "không có hồ sơ đăng ký năm 2025"),
        (["--body", "00070"], "Không có hồ sơ nào năm 2025 đã thẩm định"),
        (["--unit", "00070-TDP01", "--all-appraised"], "--all-appraised chỉ dùng cùng --body"),
        (["--body", "99999", "--all-appraised"], "Không tìm thấy đơn vị mã “99999”"),
        (["--unit", "00070-TDP01", "--result", "00070-TDP01=yes"], "hãy ghi MÃ=met"),
        (["--unit", "00070-TDP01", "--result", "00070-THCS=met"], "không có trong quyết định"),
    ],
)
def test_decide_errors(tree: Tree, args: list[str], message: str) -> None:
    services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    with pytest.raises(CommandError, match=message):
        run("decide", *DECIDE, "--number", "1/QĐ", *args)
    assert not Decision.objects.exists()


def test_decide_refuses_a_bad_date_and_a_number_already_used(tree: Tree) -> None:
    decided(tree, "15/QĐ-UBND", count=1)
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    appraised(services.register_unit(actor="test", unit=tree.area_a1, year=YEAR), "test", "test",
              AREA_MEETING)
    with pytest.raises(CommandError, match="--signed-on: ngày “10/11/2025” không hợp lệ"):
        run("decide", "--year", "2025", "--signed-on", "10/11/2025", "--signer", "A",
            "--number", "16/QĐ", "--unit", "00070-TDP01")
    used = "Số quyết định “15/QĐ-UBND” đã được Phường Hoàn Kiếm sử dụng"
    with pytest.raises(CommandError, match=used):
        run("decide", *DECIDE, "--number", "15/QĐ-UBND", "--unit", "00070-TDP01")
    assert Registration.objects.get(unit=tree.area_a1).state == "appraised"


# --- issue_certificates --------------------------------------------------------------------------


def test_issue_certificates_prints_numbers_and_codes(tree: Tree, personas: Personas) -> None:
    decision = decided(tree)
    out = run("issue_certificates", "--decision", "15/QĐ-UBND", "--issued-on", "2025-11-12",
              "--actor", "xa_a1")
    certs = list(Certificate.objects.order_by("serial"))
    assert [c.serial for c in certs] == [1, 2]
    assert {c.issued_on for c in certs} == {dt.date(2025, 11, 12)}
    assert "Đã cấp 2 giấy công nhận theo quyết định số 15/QĐ-UBND" in out
    for cert in certs:
        assert f"Số {cert.number} — mã xác minh {cert.verification_code} — " in out
    assert set(AuditEvent.objects.filter(verb="certificate.issue", object_id=str(decision.pk))
               .values_list("actor_label", flat=True)) == {"xa_a1"}  # fmt: skip
    again = run("issue_certificates", "--decision", "15/QĐ-UBND")
    assert "Không còn giấy công nhận nào cần cấp theo quyết định số 15/QĐ-UBND." in again


def test_the_same_number_in_two_communes_needs_body(tree: Tree) -> None:
    decided(tree, "1/QĐ-UBND", count=1)
    evidence(tree.area_a2, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = appraised(services.register_unit(actor="test", unit=tree.area_a2, year=YEAR), "test",
                    "test", AREA_MEETING)
    services.decide(actor="test", registrations=[reg], number="1/QĐ-UBND",
                    signed_on=dt.date(2025, 11, 11), signer_name="B")
    with pytest.raises(CommandError, match="Có 2 quyết định cùng số “1/QĐ-UBND”") as error:
        run("issue_certificates", "--decision", "1/QĐ-UBND")
    assert "--body 00097" in str(error.value)
    out = run("issue_certificates", "--decision", "1/QĐ-UBND", "--body", "00097")
    assert "Tổ dân phố 2 (mã 00097-TDP02)" in out
    assert Certificate.objects.get().registration == reg


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--decision", "99/QĐ"], "Không tìm thấy quyết định số “99/QĐ”."),
        (["--decision", "15/QĐ-UBND", "--body", "00097"], "của đơn vị mã “00097”"),
        # Out of the actor's jurisdiction: not found.
        (["--decision", "15/QĐ-UBND", "--actor", "xa_b1"], "Không tìm thấy quyết định"),
        (["--decision", "15/QĐ-UBND", "--actor", "truong_kdc_a1"], "Không tìm thấy quyết định"),
        (["--decision", "15/QĐ-UBND", "--issued-on", "mai"], "--issued-on: ngày “mai”"),
    ],
)
def test_issue_certificates_errors(
    tree: Tree, personas: Personas, args: list[str], message: str
) -> None:
    decided(tree, count=1)
    with pytest.raises(CommandError, match=message):
        run("issue_certificates", *args)
    assert not Certificate.objects.exists()


def test_issue_certificates_refuses_an_annulled_decision(tree: Tree) -> None:
    decision = decided(tree, count=1)
    services.annul_decision(actor="test", decision=decision, reason="Sai", reference="QĐ 3",
                            annulled_on=dt.date(2026, 1, 5))
    with pytest.raises(CommandError, match="Quyết định đã bị hủy bỏ"):
        run("issue_certificates", "--decision", "15/QĐ-UBND")


# --- annul_decision ------------------------------------------------------------------------------


def test_annul_a_decision_and_its_certificates(tree: Tree, personas: Personas) -> None:
    decision = decided(tree)
    services.issue_certificates(actor="test", decision=decision)
    out = run("annul_decision", "--decision", "15/QĐ-UBND", "--reason",
              "Phát hiện vụ trộm cắp chưa được báo cáo", "--reference",
              "Quyết định số 3/QĐ-UBND ngày 05/01/2026", "--date", "2026-01-05",
              "--actor", "xa_a1")
    assert ("Đã hủy bỏ quyết định số 15/QĐ-UBND ngày 10/11/2025 (Ủy ban nhân dân xã, phường, "
            "đặc khu — Phường Hoàn Kiếm) từ ngày 05/01/2026: 2 đơn vị chuyển sang “Quyết định "
            "đã bị hủy bỏ”, 2 giấy công nhận bị hủy.") in out
    decision.refresh_from_db()
    assert (decision.status, decision.annulled_on) == ("annulled", dt.date(2026, 1, 5))
    assert set(Certificate.objects.values_list("status", flat=True)) == {"annulled"}
    assert set(decision.items.values_list("registration__state", flat=True)) == {"annulled"}
    assert AuditEvent.objects.get(verb="decision.annul").actor_label == "xa_a1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reason", " ", "--reference", "QĐ 3"], "Cần ghi lý do và văn bản hủy bỏ"),
        (["--reason", "Sai", "--reference", "QĐ 3", "--date", "5/1/2026"], "--date: ngày"),
        (["--reason", "Sai", "--reference", "QĐ 3", "--actor", "thamdinh_a1"],
         "không có thẩm quyền hủy bỏ quyết định"),
    ],
)
def test_annul_decision_errors(tree: Tree, args: list[str], message: str) -> None:
    from antt.accounts.services import assign_role

    assign_role(actor="test", username="thamdinh_a1", role="committee_member",
                unit=tree.commune_a1)
    decision = decided(tree, count=1)
    with pytest.raises(CommandError, match=message):
        run("annul_decision", "--decision", "15/QĐ-UBND", *args)
    decision.refresh_from_db()
    assert decision.status == "valid"


def test_annulling_twice_is_refused(tree: Tree) -> None:
    decided(tree, count=1)
    args: list[Any] = ["--decision", "15/QĐ-UBND", "--reason", "Sai", "--reference", "QĐ 3"]
    run("annul_decision", *args)
    with pytest.raises(CommandError, match="Quyết định này đã bị hủy bỏ trước đó"):
        run("annul_decision", *args)
