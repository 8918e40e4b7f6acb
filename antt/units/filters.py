"""Unit list filters, one FilterSet for the API and the HTML list.

The date filter has a default (today) and the parent filter resolves its code at that same date,
so validity is applied in ``filter_queryset`` before the other filters run.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from antt.units.models import Unit, UnitKind
from antt.units.querysets import UnitQuerySet

ISO_DATE = "%Y-%m-%d"


class UnitFilterSet(django_filters.FilterSet):
    date = django_filters.DateFilter(
        method="filter_date",
        input_formats=[ISO_DATE],
        label=_("Ngày hiệu lực (YYYY-MM-DD, mặc định hôm nay)"),
        error_messages={"invalid": _("Ngày không hợp lệ: hãy ghi theo dạng YYYY-MM-DD.")},
    )
    kind = django_filters.ChoiceFilter(
        choices=UnitKind.choices,
        label=_("Loại đơn vị"),
        error_messages={
            "invalid_choice": format_lazy(
                "{} {}.",
                _("Loại đơn vị “%(value)s” không hợp lệ. Các loại:"),
                ", ".join(UnitKind.values),
            )
        },
    )
    parent = django_filters.CharFilter(
        method="filter_parent", label=_("Mã đơn vị cấp trên (tra tại cùng ngày)")
    )
    code = django_filters.CharFilter(field_name="code", label=_("Mã đơn vị"))
    search = django_filters.CharFilter(
        method="filter_search", label=_("Tìm theo tên hoặc mã (không phân biệt dấu)")
    )

    class Meta:
        model = Unit
        fields = ["date", "kind", "parent", "code", "search"]

    @property
    def day(self) -> dt.date:
        """The date the list is valid on: the ``date`` parameter, or today."""
        chosen: dt.date | None = self.form.cleaned_data.get("date")
        return chosen or timezone.localdate()

    def filter_queryset(self, queryset: UnitQuerySet) -> UnitQuerySet:  # type: ignore[override]
        return super().filter_queryset(queryset.valid_on(self.day))  # type: ignore[no-any-return]

    def filter_date(self, queryset: UnitQuerySet, name: str, value: dt.date) -> UnitQuerySet:
        return queryset  # already applied in filter_queryset, with its default

    def filter_parent(self, queryset: UnitQuerySet, name: str, value: str) -> UnitQuerySet:
        return queryset.filter(parent__in=Unit.objects.at_code(value.strip(), self.day))

    def filter_search(self, queryset: UnitQuerySet, name: str, value: str) -> UnitQuerySet:
        return queryset.search(value)
