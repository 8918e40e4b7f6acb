"""Vietnamese presentation helpers for templates: ``{% load vn %}``.

Formatting only (dates, numbers, percentages, labels); no business decisions. The two layout
helpers at the end read the user's grants through ``accounts.rules`` and decide nothing new.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from antt.accounts.rules import GRANTS, Action

register = template.Library()

EMPTY = "—"

SUBTYPE_LABELS = {
    # provinces
    "province": _("Tỉnh"),
    "central_city": _("Thành phố trực thuộc trung ương"),
    # districts (before 01/07/2025)
    "rural_district": _("Huyện"),
    "urban_district": _("Quận"),
    "district_town": _("Thị xã"),
    "provincial_city": _("Thành phố thuộc tỉnh"),
    # communes
    "rural_commune": _("Xã"),
    "ward": _("Phường"),
    "township": _("Thị trấn"),
    "special_zone": _("Đặc khu"),
    "island_district": _("Huyện đảo không có đơn vị cấp xã"),
    # residential areas
    "thon": _("Thôn"),
    "xom": _("Xóm"),
    "ap": _("Ấp"),
    "ban": _("Bản"),
    "buon": _("Buôn"),
    "lang": _("Làng"),
    "phum": _("Phum"),
    "soc": _("Sóc"),
    "to_dan_pho": _("Tổ dân phố"),
    "khu_pho": _("Khu phố"),
    "khu_dan_cu": _("Khu dân cư"),
}


@register.filter
def date_vn(value: dt.date | dt.datetime | None) -> str:
    """15/11/2025 (a datetime is shown in local time: 08:30 15/11/2025)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def number_vn(value: Any, decimal_pos: int | None = None) -> str:
    """1.234 and 1.234,5 in Vietnamese (the active language's separators), rounded half up."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    if decimal_pos is not None:  # Django's number_format truncates: round first
        number = number.quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)
    return formats.number_format(
        number, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True
    )


@register.filter
def percent_vn(value: Any, decimal_pos: int = 2) -> str:
    """A ratio as a percentage: 0.9775 → 97,75%."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{number_vn(number * 100, decimal_pos)}%"


@register.filter
def subtype_label(value: str) -> str:
    """The Vietnamese name of a unit's subtype code ("ward" → Phường); unknown codes as they are."""
    if not value:
        return EMPTY
    return str(SUBTYPE_LABELS.get(value, value))


@register.filter
def may_manage_units(user: Any) -> bool:
    """Whether some grant lets the user create or import units somewhere (for the menu only)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(Action.MANAGE_UNITS in GRANTS[g.role] for g in user.grants())


@register.filter
def role_labels(user: Any) -> str:
    """The user's roles in words, without a query beyond the cached grants."""
    if not getattr(user, "is_authenticated", False):
        return ""
    from antt.accounts.models import RoleChoice

    labels = dict.fromkeys(str(RoleChoice(g.role).label) for g in user.grants())
    return ", ".join(labels)


@register.simple_tag
def demo_mode() -> bool:
    """True in development or when the ``ANTT_DEMO`` setting is on."""
    return bool(settings.DEBUG or settings.ANTT_DEMO)
