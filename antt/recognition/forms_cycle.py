"""Input parsing for the cycle pages. What is acceptable is the services' decision: these forms
only turn the POST into the services' arguments (and a service's error into a form error)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from antt.recognition.models import Assessment, Document, Result
from antt.recognition.services import MEETING_ROLES
from antt.recognition.workflow import STATE_LABELS
from antt.units.models import UnitKind

__all__ = [
    "AnnulForm",
    "AppraiseForm",
    "AssessmentForm",
    "CertifyForm",
    "DecideForm",
    "RegisterUnitForm",
    "RegistrationFilter",
    "ReturnForm",
    "UploadForm",
    "attach_errors",
    "reason_field",
]

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
EXTRA_PARTICIPANTS = 4
DECISION_RESULTS = [(Result.MET.value, _("Đạt")), (Result.NOT_MET.value, _("Chưa đạt"))]
BLANK = [("", _("Tất cả"))]


class DateInput(forms.DateInput):
    """dd/mm/yyyy whatever the browser's language (a date picker would follow the browser's
    locale, often mm/dd/yyyy); yyyy-mm-dd is accepted too."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {
            "inputmode": "numeric",
            "placeholder": _("ngày/tháng/năm"),
            "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}",
            "autocomplete": "off",
            **kwargs.pop("attrs", {}),
        }
        super().__init__(format="%d/%m/%Y", attrs=attrs, **kwargs)


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUTS,
        widget=DateInput(),
        help_text=_("Ngày/tháng/năm, ví dụ 15/11/2025."),
        error_messages={"invalid": _("Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm.")},
    )


def attach_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's errors next to the fields they name; the rest on top of the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class VersionedForm(forms.Form):
    """Carries the dossier's version as the page showed it: a stale page cannot overwrite."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


# ---------------------------------------------------------------- the list and registration


class RegistrationFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=BLANK + [(s.value, label) for s, label in STATE_LABELS.items()],
    )
    kind = forms.ChoiceField(
        label=_("Loại đơn vị"),
        required=False,
        choices=BLANK
        + [(k.value, k.label) for k in UnitKind if k not in (UnitKind.PROVINCE, UnitKind.DISTRICT)],
    )
    commune = forms.IntegerField(label=_("Xã, phường, đặc khu"), required=False)
    commune_code = forms.CharField(label=_("Mã xã"), required=False, max_length=40)
    province = forms.IntegerField(required=False, widget=forms.HiddenInput)
    late = forms.BooleanField(label=_("Chỉ hồ sơ trễ hạn, quá hạn"), required=False)
    todo = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Tên hoặc mã đơn vị"), required=False, max_length=100)


class RegisterUnitForm(forms.Form):
    code = forms.CharField(label=_("Mã đơn vị"), max_length=40)
    registered_on = date_field(_("Ngày đăng ký"), required=False)
    households_registered = forms.IntegerField(
        label=_("Số hộ đăng ký (khu dân cư)"), required=False, min_value=0
    )


class BulkRegisterForm(forms.Form):
    registered_on = date_field(_("Ngày đăng ký"), required=False)


# ---------------------------------------------------------------- the unit's meeting


class AssessmentForm(VersionedForm):
    held_on = date_field(_("Ngày họp (hoặc ngày tổng hợp ý kiến)"))
    mode = forms.ChoiceField(
        label=_("Hình thức"),
        choices=Assessment.Mode.choices,
        initial=Assessment.Mode.MEETING,
        widget=forms.RadioSelect,
    )
    chair = forms.CharField(label=_("Người chủ trì"), max_length=150)
    conclusion = forms.CharField(
        label=_("Kết luận của cuộc họp"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def __init__(self, *args: Any, unit_kind: str, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.required_roles: dict[str, str] = dict(MEETING_ROLES.get(unit_kind, {}))
        for role, label in self.required_roles.items():
            self.fields[f"role_{role}"] = forms.CharField(
                label=label[:1].upper() + label[1:], required=False, max_length=150
            )
        for i in range(EXTRA_PARTICIPANTS):
            self.fields[f"extra_{i}_name"] = forms.CharField(
                label=_("Họ và tên"), required=False, max_length=150
            )
            self.fields[f"extra_{i}_role"] = forms.CharField(
                label=_("Chức danh, đơn vị"), required=False, max_length=150
            )

    def role_fields(self) -> list[forms.BoundField]:
        return [self[f"role_{role}"] for role in self.required_roles]

    def extra_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (i + 1, self[f"extra_{i}_name"], self[f"extra_{i}_role"])
            for i in range(EXTRA_PARTICIPANTS)
        ]

    def has_extra(self) -> bool:
        return any(
            (self[f"extra_{i}_name"].value() or "").strip() for i in range(EXTRA_PARTICIPANTS)
        )

    def participants(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        out = [
            {"name": data[f"role_{role}"].strip(), "role": role}
            for role in self.required_roles
            if data.get(f"role_{role}", "").strip()
        ]
        for i in range(EXTRA_PARTICIPANTS):
            name = data.get(f"extra_{i}_name", "").strip()
            if name:
                out.append({"name": name, "role": data.get(f"extra_{i}_role", "").strip()})
        return out


# ---------------------------------------------------------------- the standing office


def reason_field(code: str) -> str:
    return "reason_" + "".join(c if c.isalnum() else "_" for c in code)


class ReturnForm(VersionedForm):
    """One reason per criterion of the frozen evaluation, and a general note."""

    note = forms.CharField(
        label=_("Ý kiến chung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def __init__(self, *args: Any, criteria: Sequence[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.codes = [code for code, _label in criteria]
        for code, label in criteria:
            self.fields[reason_field(code)] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=2000,
            )

    def reasons(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(reason_field(code), "").strip()
            for code in self.codes
            if self.cleaned_data.get(reason_field(code), "").strip()
        }

    def reason_bound(self, code: str) -> forms.BoundField:
        return self[reason_field(code)]


class AppraiseForm(VersionedForm):
    proposal = forms.ChoiceField(
        label=_("Đề xuất"), choices=DECISION_RESULTS, widget=forms.RadioSelect
    )
    mode = forms.ChoiceField(
        label=_("Hình thức thẩm định"),
        choices=Assessment.Mode.choices,
        initial=Assessment.Mode.MEETING,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Ý kiến thẩm định"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại tài liệu"),
        choices=[
            (k.value, k.label)
            for k in Document.Kind
            if k not in (Document.Kind.DECISION, Document.Kind.CERTIFICATE)
        ],
    )
    file = forms.FileField(label=_("Tệp"))


# ---------------------------------------------------------------- decision and certificates


class DecideForm(forms.Form):
    number = forms.CharField(label=_("Số quyết định"), max_length=64)
    signed_on = date_field(_("Ngày ký"))
    signer_name = forms.CharField(label=_("Người ký"), max_length=150)


def chosen_results(data: Mapping[str, Any], ids: Sequence[int]) -> dict[int, str]:
    """``result_<id>`` of the rows on the page: met / not met only."""
    out = {}
    for pk in ids:
        value = data.get(f"result_{pk}")
        if value in (Result.MET, Result.NOT_MET):
            out[pk] = str(value)
    return out


class CertifyForm(forms.Form):
    issued_on = date_field(_("Ngày cấp"))


class AnnulForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do hủy bỏ"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    reference = forms.CharField(
        label=_("Văn bản hủy bỏ (số, ngày)"),
        max_length=255,
        help_text=_("Ví dụ: Quyết định số 3/QĐ-UBND ngày 05/01/2026"),
    )
    annulled_on = date_field(_("Ngày hủy bỏ"))
