"""Writes to what a province configures: interpretation settings and add-on criteria.

Each write checks who may configure which province, validates against the criteria sets' data
(a setting's key and value must be declared there) and records an audit event.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from antt.accounts.rules import Action
from antt.core import audit
from antt.standards.catalog import UNIT_KINDS, registry
from antt.standards.models import InterpretationSetting, ProvinceAddonCriterion
from antt.standards.vocab import KIND_LABELS
from antt.units.models import Unit

__all__ = [
    "check_addon",
    "check_setting",
    "check_setting_unique",
    "delete_addon",
    "delete_setting",
    "may_configure",
    "save_addon",
    "save_setting",
]

# There is no separate "configure" action: a province's readings are configured by whoever
# manages the province's root unit (province officers, national administrators).
CONFIGURE = Action.MANAGE_UNITS
FIRST_YEAR = 2012


def may_configure(actor: Any, province: Unit | None) -> bool:
    """National rows need nationwide access; a province's rows need to manage that province.
    A string actor is the system (a command run by the operator)."""
    if isinstance(actor, str):
        return True
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if province is None:
        return bool(actor.jurisdiction_paths() is None)
    return bool(actor.can(CONFIGURE, province.path))


def _require(actor: Any, province: Unit | None) -> None:
    if not may_configure(actor, province):
        raise PermissionDenied(
            _("Chỉ quản trị toàn quốc mới cấu hình được cho toàn quốc.")
            if province is None
            else _("Bạn không có quyền cấu hình cho %(province)s.") % {"province": province}
        )


# --- validation (shared with the admin forms) ---------------------------------------------------


def check_setting(*, criteria_set: str, key: str, value: str) -> None:
    """The key must be a setting the chosen criteria set declares, the value one of its choices."""
    cset = registry().sets.get(criteria_set)
    if cset is None:
        raise ValidationError(
            {"criteria_set": _("Không có bộ tiêu chí “%(code)s”.") % {"code": criteria_set}}
        )
    setting = cset.settings.get(key)
    if setting is None:
        known = ", ".join(cset.settings) or _("(không có)")
        raise ValidationError(
            {
                "key": _(
                    "Bộ tiêu chí %(set)s không có thiết lập “%(key)s”. Các thiết lập: %(known)s."
                )
                % {"set": cset.short_title, "key": key, "known": known}
            }
        )
    if value not in setting.choices:
        allowed = "; ".join(f"{c} ({setting.labels.get(c, c)})" for c in setting.choices)
        raise ValidationError(
            {
                "value": _(
                    "Giá trị “%(value)s” không hợp lệ cho “%(key)s”. Chọn một trong: %(allowed)s."
                )
                % {"value": value, "key": key, "allowed": allowed}
            }
        )


def _check_years(year_from: int | None, year_to: int | None = None) -> dict[str, str]:
    errors = {}
    if year_from is not None and year_from < FIRST_YEAR:
        errors["year_from"] = _("Năm phải từ %(year)s trở đi.") % {"year": FIRST_YEAR}
    if year_from is not None and year_to is not None and year_to < year_from:
        errors["year_to"] = _("“Đến năm” không được trước “từ năm”.")
    return errors


def check_addon(*, code: str, kinds: Any, year_from: int | None, year_to: int | None) -> None:
    errors = _check_years(year_from, year_to)
    if not isinstance(kinds, list) or not kinds:
        errors["kinds"] = _("Chọn ít nhất một loại đơn vị.")
    else:
        unknown = [k for k in kinds if k not in UNIT_KINDS]
        if unknown:
            allowed = ", ".join(f"{k} ({KIND_LABELS[k]})" for k in UNIT_KINDS)
            errors["kinds"] = _("Loại đơn vị không hợp lệ: %(unknown)s. Chỉ nhận: %(allowed)s.") % {
                "unknown": ", ".join(map(str, unknown)),
                "allowed": allowed,
            }
    national = {node.code for cset in registry().sets.values() for node in cset.nodes()}
    if code.strip() in national:
        errors["code"] = _(
            "Mã “%(code)s” trùng với mã một tiêu chí của Bộ Công an; hãy dùng mã riêng của tỉnh "
            "(ví dụ HN.1)."
        ) % {"code": code}
    if errors:
        raise ValidationError(errors)


def check_setting_unique(
    *,
    criteria_set: str,
    key: str,
    province: Unit | None,
    year_from: int | None,
    exclude_pk: int | None = None,
) -> None:
    """The database constraint cannot see duplicates where province or year is empty (NULL)."""
    clash = InterpretationSetting.objects.filter(
        criteria_set=criteria_set, key=key, province=province, year_from=year_from
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            _("Đã có cách hiểu “%(key)s” cho cùng phạm vi và cùng năm áp dụng; hãy sửa dòng đó.")
            % {"key": key}
        )


# --- writes --------------------------------------------------------------------------------------


def _setting_state(s: InterpretationSetting) -> dict[str, Any]:
    return {
        "criteria_set": s.criteria_set,
        "key": s.key,
        "value": s.value,
        "province": s.province.code if s.province is not None else None,
        "year_from": s.year_from,
        "note": s.note,
    }


@transaction.atomic
def save_setting(*, actor: Any, setting: InterpretationSetting) -> InterpretationSetting:
    before: dict[str, Any] = {}
    if setting.pk is not None:
        original = InterpretationSetting.objects.select_related("province").get(pk=setting.pk)
        _require(actor, original.province)
        before = _setting_state(original)
    _require(actor, setting.province)
    check_setting(criteria_set=setting.criteria_set, key=setting.key, value=setting.value)
    errors = _check_years(setting.year_from)
    if errors:
        raise ValidationError(errors)
    check_setting_unique(
        criteria_set=setting.criteria_set,
        key=setting.key,
        province=setting.province,
        year_from=setting.year_from,
        exclude_pk=setting.pk,
    )
    setting.save()
    audit.record(
        actor=actor,
        verb="setting.update" if before else "setting.create",
        obj=setting,
        unit_path=setting.province.path if setting.province is not None else "",
        changes=audit.diff(before, _setting_state(setting)),
    )
    return setting


@transaction.atomic
def delete_setting(*, actor: Any, setting: InterpretationSetting) -> None:
    _require(actor, setting.province)
    state = _setting_state(setting)
    path = setting.province.path if setting.province is not None else ""
    audit.record(
        actor=actor,
        verb="setting.delete",
        obj=setting,
        unit_path=path,
        changes=audit.diff(state, {}),
    )
    setting.delete()


def _addon_state(a: ProvinceAddonCriterion) -> dict[str, Any]:
    return {
        "province": a.province.code if a.province_id else None,
        "code": a.code,
        "text": a.text,
        "reference": a.reference,
        "kinds": list(a.kinds),
        "year_from": a.year_from,
        "year_to": a.year_to,
    }


@transaction.atomic
def save_addon(*, actor: Any, addon: ProvinceAddonCriterion) -> ProvinceAddonCriterion:
    before: dict[str, Any] = {}
    if addon.pk is not None:
        original = ProvinceAddonCriterion.objects.select_related("province").get(pk=addon.pk)
        _require(actor, original.province)
        before = _addon_state(original)
    _require(actor, addon.province)
    addon.code = addon.code.strip()
    check_addon(
        code=addon.code, kinds=addon.kinds, year_from=addon.year_from, year_to=addon.year_to
    )
    if addon.province.kind != "province":
        raise ValidationError({"province": _("Tiêu chí bổ sung phải gắn với một tỉnh.")})
    addon.full_clean()
    addon.save()
    audit.record(
        actor=actor,
        verb="addon.update" if before else "addon.create",
        obj=addon,
        unit_path=addon.province.path,
        changes=audit.diff(before, _addon_state(addon)),
    )
    return addon


@transaction.atomic
def delete_addon(*, actor: Any, addon: ProvinceAddonCriterion) -> None:
    _require(actor, addon.province)
    audit.record(
        actor=actor,
        verb="addon.delete",
        obj=addon,
        unit_path=addon.province.path,
        changes=audit.diff(_addon_state(addon), {}),
    )
    addon.delete()
