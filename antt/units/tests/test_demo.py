"""The demo loader: real communes get realistic units, every role gets an account; twice is once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from antt.accounts.models import RoleAssignment, User
from antt.core.models import AuditEvent
from antt.units.demo import ACCOUNTS, COMMUNES, DEMO_PASSWORD, DemoDataMissing, load_demo
from antt.units.models import Unit, UnitSource
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
PROVINCES = {"01": "Thành phố Hà Nội", "79": "Thành phố Hồ Chí Minh", "51": "Tỉnh Quảng Ngãi"}
COMMUNE_NAMES = {"00070": "Phường Hoàn Kiếm", "26740": "Phường Sài Gòn", "21211": "Xã Tịnh Khê"}


@pytest.fixture
def divisions(db):
    """Just the official units the demo hangs from (the full `load_divisions` takes seconds)."""
    provinces = {
        code: create_unit(actor="test", code=code, name=name, kind="province", parent=None,
                          valid_from=REFORM, source=UnitSource.OFFICIAL)
        for code, name in PROVINCES.items()
    }
    for commune in COMMUNES:
        create_unit(actor="test", code=commune.code, name=COMMUNE_NAMES[commune.code],
                    kind="commune", parent=provinces[commune.province_code], valid_from=REFORM,
                    source=UnitSource.OFFICIAL)


def test_demo_creates_units_under_real_communes(divisions):
    report = load_demo(actor="test")
    demo = Unit.objects.filter(source=UnitSource.DEMO)
    assert report.units_created == demo.count() == sum(len(c.units) for c in COMMUNES)
    assert set(demo.values_list("parent__code", flat=True)) == set(COMMUNE_NAMES)
    for unit in demo.select_related("parent"):
        assert unit.code.startswith(unit.parent.code + "-")
        assert unit.valid_from == REFORM
    names = set(demo.values_list("name", flat=True))
    assert {"Tổ dân phố 5", "Khu phố 2", "Thôn 3"} <= names


def test_demo_shows_eligible_and_ineligible_organisations(divisions):
    load_demo(actor="test")
    by_code = {u.code: u for u in Unit.objects.filter(source=UnitSource.DEMO)}
    assert by_code["00070-THCS01"].eligibility.eligible
    assert not by_code["00070-TH01"].eligibility.eligible  # primary school
    assert by_code["00070-DN01"].eligibility.eligible  # medium enterprise
    assert not by_code["00070-DN02"].eligibility.eligible  # small enterprise
    assert by_code["00070-CQ01"].eligibility.eligible  # health station
    assert not by_code["21211-CQ02"].eligibility.eligible  # armed forces


def test_demo_creates_one_account_per_role(divisions):
    report = load_demo(actor="test")
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {"national_admin", "province_officer", "commune_officer", "unit_head",
                     "committee_member", "viewer"}
    assert report.users_created == len(ACCOUNTS) == User.objects.count()
    for account in ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.full_name == account.full_name
        validate_password(DEMO_PASSWORD, user)
    officers = RoleAssignment.objects.filter(role="province_officer")
    assert set(officers.values_list("unit__code", flat=True)) == set(PROVINCES)
    communes = RoleAssignment.objects.filter(role="commune_officer")
    assert set(communes.values_list("unit__code", flat=True)) == set(COMMUNE_NAMES)
    head = RoleAssignment.objects.get(role="unit_head")
    assert head.unit.kind == "residential_area"


def test_demo_users_see_their_own_jurisdiction(divisions):
    load_demo(actor="test")
    head = User.objects.get(username="demo_truong_tdp05")
    assert list(Unit.objects.visible_to(head).values_list("code", flat=True)) == ["00070-TDP05"]
    officer = User.objects.get(username="demo_xa_tinhkhe")
    assert {u.parent.code for u in Unit.objects.visible_to(officer).exclude(code="21211")} == {
        "21211"
    }


def test_second_run_changes_nothing(divisions):
    load_demo(actor="test")
    units = list(Unit.objects.order_by("pk").values())
    users = list(User.objects.order_by("pk").values())
    roles = list(RoleAssignment.objects.order_by("pk").values_list("user", "unit", "role"))
    events = AuditEvent.objects.count()

    report = load_demo(actor="test")

    assert not report.changed
    assert report.units_existing == len([u for u in units if u["source"] == "demo"])
    assert list(Unit.objects.order_by("pk").values()) == units
    assert list(User.objects.order_by("pk").values()) == users  # password hashes included
    assert list(RoleAssignment.objects.order_by("pk").values_list("user", "unit", "role")) == roles
    assert AuditEvent.objects.count() == events


def test_demo_writes_are_audited(divisions):
    before = AuditEvent.objects.count()
    report = load_demo(actor="load_demo")
    verbs = list(AuditEvent.objects.order_by("pk")[before:].values_list("verb", flat=True))
    assert verbs.count("unit.create") == report.units_created
    assert verbs.count("role.assign") == len(ACCOUNTS)


def test_command_prints_accounts_password_and_address(divisions):
    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)
    for out in (first.getvalue(), second.getvalue()):
        assert DEMO_PASSWORD in out
        assert "Mở http://127.0.0.1:8000/ và đăng nhập" in out
        for account in ACCOUNTS:
            assert account.username in out
        assert "Phường Hoàn Kiếm (00070)" in out
        assert "Cán bộ cấp xã" in out
    table = first.getvalue().partition("Tài khoản minh hoạ:")[2]
    assert table == second.getvalue().partition("Tài khoản minh hoạ:")[2]  # same table again
    assert "không thay đổi gì" in second.getvalue()


def test_without_divisions_the_command_says_what_to_run(db):
    with pytest.raises(CommandError, match="antt load_divisions"):
        call_command("load_demo", stdout=StringIO())
    with pytest.raises(DemoDataMissing):
        load_demo(actor="test")
    assert not Unit.objects.exists()


def test_demo_code_prints_a_code_the_enrolling_device_accepts(divisions, settings):
    from antt.accounts import twofactor

    settings.ANTT_DEMO = True
    load_demo(actor="test")
    officer = User.objects.get(username="demo_xa_hoankiem")
    device = twofactor.start_enrolment(officer)  # the QR page is open
    out = StringIO()
    call_command("demo_code", "demo_xa_hoankiem", stdout=out, stderr=StringIO())
    code = out.getvalue().strip()
    assert len(code) == 6
    assert device.verify_token(code)


def test_demo_code_serves_only_demo_accounts_of_a_demo_installation(divisions, settings):
    load_demo(actor="test")
    settings.ANTT_DEMO = False
    with pytest.raises(CommandError, match="ANTT_DEMO=1"):
        call_command("demo_code", "demo_xa_hoankiem")
    settings.ANTT_DEMO = True
    User.objects.create_user(username="real_officer", password="x" * 12)
    with pytest.raises(CommandError, match="không phải tài khoản minh hoạ"):
        call_command("demo_code", "real_officer")
    with pytest.raises(CommandError, match="chưa có mã"):
        call_command("demo_code", "demo_xa_saigon")
