"""Demo data: residential areas and organisations in three real communes, and one user per role.

Runs on top of the official divisions (``antt load_divisions``) and writes only through the
services (``create_unit``, ``assign_role``), so everything it creates is audited. Idempotent:
what already exists is left as it is, so a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from antt.accounts.models import RoleAssignment, RoleChoice, User
from antt.accounts.services import assign_role
from antt.units.divisions import REFORM_DATE
from antt.units.models import Unit, UnitKind, UnitSource
from antt.units.services import create_unit

__all__ = ["DEMO_PASSWORD", "DemoDataMissing", "DemoReport", "load_demo"]

# One password for every demo account; it passes Django's validators (checked on every run).
DEMO_PASSWORD = "antt-demo-2025"  # noqa: S105 (demo only, printed on purpose)
DEMO_VALID_FROM = REFORM_DATE


class DemoDataMissing(Exception):
    """The official divisions the demo hangs from are not loaded."""


@dataclass(frozen=True)
class DemoUnit:
    suffix: str  # the code is "<commune code>-<suffix>"
    name: str
    kind: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCommune:
    province_code: str
    code: str
    units: tuple[DemoUnit, ...]


def _area(suffix: str, name: str, subtype: str) -> DemoUnit:
    return DemoUnit(suffix, name, UnitKind.RESIDENTIAL_AREA, {"subtype": subtype})


def _school(suffix: str, name: str, level: str) -> DemoUnit:
    return DemoUnit(
        suffix, name, UnitKind.SCHOOL,
        {"education_level": level, "managing_level": "commune", "has_party_org": True},
    )


def _enterprise(suffix: str, name: str, size: str, *, party: bool) -> DemoUnit:
    return DemoUnit(
        suffix, name, UnitKind.ENTERPRISE,
        {"enterprise_size": size, "managing_level": "province", "has_party_org": party},
    )


def _agency(suffix: str, name: str, level: str = "commune", **attrs: Any) -> DemoUnit:
    return DemoUnit(
        suffix, name, UnitKind.AGENCY, {"managing_level": level, "has_party_org": True, **attrs}
    )


COMMUNES: tuple[DemoCommune, ...] = (
    DemoCommune("01", "00070", (  # Phường Hoàn Kiếm, Thành phố Hà Nội
        _area("TDP05", "Tổ dân phố 5", "to_dan_pho"),
        _area("TDP12", "Tổ dân phố 12", "to_dan_pho"),
        _school("THCS01", "Trường THCS Hoàn Kiếm", "lower_secondary"),
        _school("TH01", "Trường Tiểu học Hàng Gai", "primary"),
        _enterprise("DN01", "Công ty cổ phần Du lịch Hồ Gươm", "medium", party=True),
        _enterprise("DN02", "Công ty TNHH Thủ công mỹ nghệ Hàng Bạc", "small", party=False),
        _agency("CQ01", "Trạm Y tế phường Hoàn Kiếm"),
    )),
    DemoCommune("79", "26740", (  # Phường Sài Gòn, Thành phố Hồ Chí Minh
        _area("KP02", "Khu phố 2", "khu_pho"),
        _area("KP07", "Khu phố 7", "khu_pho"),
        _enterprise("DN01", "Công ty cổ phần Thương mại Bến Thành", "large", party=True),
        _agency("CQ01", "Trạm Y tế phường Sài Gòn"),
    )),
    DemoCommune("51", "21211", (  # Xã Tịnh Khê, Tỉnh Quảng Ngãi
        _area("THON03", "Thôn 3", "thon"),
        _area("THON05", "Thôn 5", "thon"),
        _school("THCS01", "Trường THCS Tịnh Khê", "lower_secondary"),
        _school("TH01", "Trường Tiểu học Tịnh Khê", "primary"),
        _school("MN01", "Trường Mầm non Tịnh Khê", "preschool"),
        _enterprise("DN01", "Công ty TNHH Chế biến thủy sản Tịnh Khê", "medium", party=True),
        _enterprise("DN02", "Công ty TNHH Vật liệu xây dựng Sơn Tịnh", "small", party=False),
        _agency("CQ01", "Trạm Y tế xã Tịnh Khê"),
        _agency("CQ02", "Đồn Biên phòng Tịnh Khê", "ministry", is_armed_forces=True),
    )),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    unit_code: str  # a demo code like "00070-TDP05", or an official one

    @property
    def role_label(self) -> str:
        return str(RoleChoice(self.role).label)


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo_quantri", "Nguyễn Văn An", "national_admin", "01"),
    DemoAccount("demo_tinh_hanoi", "Trần Thị Bình", "province_officer", "01"),
    DemoAccount("demo_tinh_hcm", "Lê Văn Cường", "province_officer", "79"),
    DemoAccount("demo_tinh_quangngai", "Phạm Thị Dung", "province_officer", "51"),
    DemoAccount("demo_xa_hoankiem", "Hoàng Minh Đức", "commune_officer", "00070"),
    DemoAccount("demo_xa_saigon", "Võ Thị Hoa", "commune_officer", "26740"),
    DemoAccount("demo_xa_tinhkhe", "Đặng Văn Giang", "commune_officer", "21211"),
    DemoAccount("demo_truong_tdp05", "Bùi Thị Hạnh", "unit_head", "00070-TDP05"),
    DemoAccount("demo_thamdinh", "Đỗ Văn Khoa", "committee_member", "01"),
    DemoAccount("demo_xem", "Ngô Thị Lan", "viewer", "51"),
)


@dataclass(frozen=True)
class AccountRow:
    """One printed line: who logs in, as what, over which unit."""

    username: str
    full_name: str
    role_label: str
    unit_code: str
    unit_name: str


@dataclass
class DemoReport:
    units_created: int = 0
    units_existing: int = 0
    users_created: int = 0
    roles_assigned: int = 0
    accounts: list[AccountRow] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    @property
    def changed(self) -> bool:
        return bool(self.units_created or self.users_created or self.roles_assigned)


def _official(code: str, kind: str, province_code: str | None = None) -> Unit:
    unit = (
        Unit.objects.at_code(code, DEMO_VALID_FROM)
        .filter(kind=kind, source=UnitSource.OFFICIAL)
        .select_related("parent")
        .first()
    )
    wrong_province = province_code is not None and (
        unit is None or unit.parent is None or unit.parent.code != province_code
    )
    if unit is None or wrong_province:
        raise DemoDataMissing(
            f"Chưa có đơn vị hành chính mã {code} ({UnitKind(kind).label}) trong danh mục hiện "
            "hành. Hãy nạp danh mục chính thức trước: “antt load_divisions”."
        )
    return unit


@transaction.atomic
def load_demo(*, actor: Any) -> DemoReport:
    report = DemoReport()
    units: dict[str, Unit] = {}
    for commune_data in COMMUNES:
        units[commune_data.province_code] = _official(commune_data.province_code, "province")
        commune = _official(commune_data.code, "commune", commune_data.province_code)
        units[commune.code] = commune
        for spec in commune_data.units:
            code = f"{commune.code}-{spec.suffix}"
            unit = Unit.objects.filter(code=code, valid_from=DEMO_VALID_FROM).first()
            if unit is None:
                unit = create_unit(
                    actor=actor, code=code, name=spec.name, kind=spec.kind, parent=commune,
                    source=UnitSource.DEMO, valid_from=DEMO_VALID_FROM, **spec.attrs,
                )
                report.units_created += 1
            else:
                report.units_existing += 1
            units[code] = unit

    for account in ACCOUNTS:
        unit = units[account.unit_code]
        user = User.objects.filter(username=account.username).first()
        if user is None:
            validate_password(DEMO_PASSWORD, User(username=account.username))
        had_role = user is not None and RoleAssignment.objects.filter(
            user=user, unit=unit, role=account.role
        ).exists()
        user, _, created = assign_role(
            actor=actor, username=account.username, role=account.role, unit=unit,
            password=DEMO_PASSWORD if user is None else None,
        )
        if created:
            report.users_created += 1
            User.objects.filter(pk=user.pk, full_name="").update(full_name=account.full_name)
        if not had_role:
            report.roles_assigned += 1
        report.accounts.append(AccountRow(
            account.username, account.full_name, account.role_label, unit.code, unit.name
        ))
    return report
