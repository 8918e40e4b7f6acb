"""Filters of the cycle's lists (registrations, decisions, certificates), shared by the API and the
pages. Codes are matched as they were when the registration was made (a province or commune code
of that year): with ``year`` this names one place even where codes were reused after 2025."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from antt.recognition.models import Certificate, Decision, Registration
from antt.recognition.workflow import STATE_LABELS, State
from antt.units.eligibility import ELIGIBLE_KINDS
from antt.units.models import UnitKind

__all__ = ["CertificateFilterSet", "DecisionFilterSet", "RegistrationFilterSet"]

YEAR_ERRORS = {"invalid": _("Năm phải là một số, ví dụ 2025.")}
KINDS = sorted(ELIGIBLE_KINDS)


def _choice_error(label: Any, values: list[str]) -> dict[str, Any]:
    return {
        "invalid_choice": format_lazy(
            "{} “%(value)s” {} {}.", label, _("không hợp lệ. Các giá trị:"), ", ".join(values)
        )
    }


class RegistrationFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        field_name="year", label=_("Năm công nhận"), error_messages=YEAR_ERRORS
    )
    state = django_filters.ChoiceFilter(
        field_name="state",
        choices=[(s.value, label) for s, label in STATE_LABELS.items()],
        label=_("Trạng thái"),
        error_messages=_choice_error(_("Trạng thái"), [s.value for s in State]),
    )
    kind = django_filters.ChoiceFilter(
        field_name="unit_kind",
        choices=[(k, UnitKind(k).label) for k in KINDS],
        label=_("Loại đơn vị"),
        error_messages=_choice_error(_("Loại đơn vị"), KINDS),
    )
    commune = django_filters.CharFilter(
        field_name="commune__code", label=_("Mã xã, phường, đặc khu (tại năm đăng ký)")
    )
    province = django_filters.CharFilter(
        field_name="province__code", label=_("Mã tỉnh, thành phố (tại năm đăng ký)")
    )

    class Meta:
        model = Registration
        fields = ["year", "state", "kind", "commune", "province"]


class DecisionFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        field_name="year", label=_("Năm công nhận"), error_messages=YEAR_ERRORS
    )
    status = django_filters.ChoiceFilter(
        field_name="status",
        choices=Decision.Status.choices,
        label=_("Tình trạng"),
        error_messages=_choice_error(_("Tình trạng"), list(Decision.Status.values)),
    )
    body = django_filters.CharFilter(
        field_name="issuing_unit__code", label=_("Mã đơn vị hành chính ban hành")
    )
    number = django_filters.CharFilter(field_name="number", label=_("Số quyết định"))

    class Meta:
        model = Decision
        fields = ["year", "status", "body", "number"]


class CertificateFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        field_name="year", label=_("Năm công nhận"), error_messages=YEAR_ERRORS
    )
    status = django_filters.ChoiceFilter(
        field_name="status",
        choices=Certificate.Status.choices,
        label=_("Tình trạng"),
        error_messages=_choice_error(_("Tình trạng"), list(Certificate.Status.values)),
    )

    class Meta:
        model = Certificate
        fields = ["year", "status"]
