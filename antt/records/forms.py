"""Input parsing for the record pages. The decisions (what is acceptable) are the services'."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from antt.records.models import (
    CATEGORY_CHOICES,
    DISCIPLINE_GROUP_CHOICES,
    DISCIPLINE_LEVEL_CHOICES,
    GRAVITY_CHOICES,
    JudgementVerdict,
)
from antt.records.validation import GROUPS_BY_KIND, categories_for, fact_choices
from antt.standards.catalog import Fact

__all__ = [
    "DisciplineForm",
    "FactsForm",
    "FlagsForm",
    "IncidentFilter",
    "IncidentForm",
    "JudgementForm",
    "VoidForm",
    "attach_errors",
]

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]
BLANK = [("", "—")]


class DateInput(forms.DateInput):
    """The phone's date picker; the value travels as YYYY-MM-DD, dd/mm/yyyy is accepted too."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=DATE_INPUTS, widget=DateInput()
    )


def attach_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they name; the rest on top of the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class IncidentForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, required=False)
    date = _date_field(_("Ngày xảy ra"))
    category = forms.ChoiceField(label=_("Loại vụ việc"))
    gravity = forms.ChoiceField(
        label=_("Mức độ (chỉ với tội phạm)"), choices=BLANK + GRAVITY_CHOICES, required=False
    )
    deaths = forms.IntegerField(label=_("Số người chết"), min_value=0, required=False)
    discipline_level = forms.ChoiceField(
        label=_("Hình thức kỷ luật đã áp dụng (nếu có)"),
        choices=BLANK + DISCIPLINE_LEVEL_CHOICES,
        required=False,
    )
    description = forms.CharField(label=_("Tóm tắt"), max_length=500, required=False)
    force_majeure = forms.BooleanField(label=_("Bất khả kháng"), required=False)
    handled_properly = forms.BooleanField(
        label=_("Đã phát hiện kịp thời, hạn chế hậu quả, báo cáo ngay"), required=False
    )
    flags_reason = forms.CharField(
        label=_("Căn cứ xác định (bắt buộc khi đánh dấu một trong hai ô trên)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, kind: str, units: Sequence[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if units:
            self.fields["unit"].choices = list(units)  # type: ignore[attr-defined]
            self.fields["unit"].required = True
        else:
            del self.fields["unit"]
        labels = dict(CATEGORY_CHOICES)
        codes = list(labels) if units else categories_for(kind)
        self.fields["category"].choices = BLANK + [  # type: ignore[attr-defined]
            (c, labels[c]) for c in codes
        ]


class FlagsForm(forms.Form):
    force_majeure = forms.BooleanField(label=_("Bất khả kháng"), required=False)
    handled_properly = forms.BooleanField(
        label=_("Đã phát hiện kịp thời, hạn chế hậu quả, báo cáo ngay"), required=False
    )
    flags_reason = forms.CharField(
        label=_("Căn cứ xác định"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do hủy"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class IncidentFilter(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)
    start = _date_field(_("Từ ngày"), required=False)
    end = _date_field(_("Đến ngày"), required=False)
    voided = forms.BooleanField(label=_("Hiện cả vụ việc đã hủy"), required=False)


class DisciplineForm(forms.Form):
    date = _date_field(_("Ngày quyết định kỷ luật"))
    group = forms.ChoiceField(label=_("Thuộc lực lượng"))
    level = forms.ChoiceField(label=_("Hình thức"), choices=BLANK + DISCIPLINE_LEVEL_CHOICES)
    person = forms.CharField(label=_("Người bị kỷ luật"), max_length=150, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(DISCIPLINE_GROUP_CHOICES)
        self.fields["group"].choices = [  # type: ignore[attr-defined]
            (g, labels[g]) for g in GROUPS_BY_KIND.get(kind, ())
        ]


class JudgementForm(forms.Form):
    criterion_code = forms.ChoiceField(label=_("Tiêu chí"))
    verdict = forms.ChoiceField(
        label=_("Kết luận"), choices=JudgementVerdict.choices, widget=forms.RadioSelect
    )
    override = forms.BooleanField(
        label=_("Điều chỉnh kết quả tính toán"),
        required=False,
        help_text=_("Chọn khi thay kết quả máy tính từ số liệu; phải ghi rõ căn cứ."),
    )
    reason = forms.CharField(
        label=_("Lý do, căn cứ (biên bản cuộc họp …)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Phải ghi lý do của kết luận (căn cứ, biên bản cuộc họp).")},
    )

    def __init__(self, *args: Any, codes: dict[str, tuple[str, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        judged = [(c, f"{c} — {t[:90]}") for c, (t, j) in codes.items() if j]
        computed = [(c, f"{c} — {t[:90]}") for c, (t, j) in codes.items() if not j]
        self.fields["criterion_code"].choices = [  # type: ignore[attr-defined]
            (str(_("Do cuộc họp đánh giá")), judged),
            (str(_("Tính từ số liệu (chỉ điều chỉnh)")), computed),
        ]


def _fact_field(fact: Fact, codes: Sequence[str]) -> forms.Field:
    label = fact.label
    help_text = _("Tiêu chí %(codes)s") % {"codes": ", ".join(codes)}
    if fact.type == "date":
        field: forms.Field = _date_field(label, required=False)
    elif fact.type == "int":
        field = forms.IntegerField(label=label, min_value=0, required=False)
    elif fact.type == "topics":
        field = forms.MultipleChoiceField(
            label=label,
            choices=fact_choices(fact),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    else:  # bool, rating, emulation, choice: a select, "—" meaning not entered yet
        field = forms.ChoiceField(label=label, choices=BLANK + fact_choices(fact), required=False)
    field.help_text = help_text
    return field


class FactsForm(forms.Form):
    """One field per fact the unit kind's criteria read, labelled as in the fact catalogue."""

    def __init__(self, *args: Any, facts: Sequence[tuple[Fact, Sequence[str]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.facts = {fact.name: fact for fact, _codes in facts}
        for fact, codes in facts:
            self.fields[fact.name] = _fact_field(fact, codes)

    @staticmethod
    def initial_from(
        data: dict[str, Any], facts: Sequence[tuple[Fact, Sequence[str]]]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for fact, _codes in facts:
            value = data.get(fact.name)
            if value is None:
                continue
            initial[fact.name] = ("yes" if value else "no") if fact.type == "bool" else value
        return initial

    def values(self) -> dict[str, Any]:
        """What the service receives: a blank field (or no topic ticked) removes the fact."""
        out: dict[str, Any] = {}
        for name, fact in self.facts.items():
            value = self.cleaned_data.get(name)
            if value in ("", [], None):
                out[name] = None
            elif fact.type == "bool":
                out[name] = value == "yes"
            else:
                out[name] = value
        return out
