"""Admin forms for what a province configures. Validation is the services' (one rule, two doors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from antt.standards import services
from antt.standards.catalog import UNIT_KINDS, registry
from antt.standards.models import InterpretationSetting, ProvinceAddonCriterion
from antt.standards.vocab import KIND_LABELS

__all__ = ["AddonCriterionForm", "InterpretationSettingForm"]


def _set_choices() -> list[tuple[str, str]]:
    return [(code, f"{s.short_title} ({code})") for code, s in registry().sets.items()]


def _key_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (
            s.short_title,
            [(key, f"{key} — {setting.question}") for key, setting in s.settings.items()],
        )
        for s in registry().sets.values()
        if s.settings
    ]


def _value_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, dict[str, str]] = {}
    for s in registry().sets.values():
        for key, setting in s.settings.items():
            for choice in setting.choices:
                groups.setdefault(key, {})[choice] = (
                    f"{choice} — {setting.labels.get(choice, choice)}"
                )
    return [(key, list(values.items())) for key, values in groups.items()]


class _ActorForm(forms.ModelForm):  # type: ignore[type-arg]
    """The admin sets ``actor`` on the form class it builds for each request."""

    actor: Any = None

    def _add(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for field, messages in exc.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)

    def _check_province(self, province: Any) -> None:
        if self.actor is not None and not services.may_configure(self.actor, province):
            self.add_error(
                "province",
                _("Bạn chỉ cấu hình được cho tỉnh trong phạm vi quản lý của mình.")
                if province is not None
                else _("Chỉ quản trị toàn quốc mới cấu hình được cho toàn quốc: hãy chọn tỉnh."),
            )


class InterpretationSettingForm(_ActorForm):
    criteria_set = forms.ChoiceField(label=_("bộ tiêu chí"), choices=_set_choices)
    key = forms.ChoiceField(label=_("thiết lập"), choices=_key_choices)
    value = forms.ChoiceField(label=_("giá trị"), choices=_value_choices)

    class Meta:
        model = InterpretationSetting
        fields = ["criteria_set", "key", "value", "province", "year_from", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_province(data.get("province"))
        if all(data.get(f) for f in ("criteria_set", "key", "value")):
            try:
                services.check_setting(
                    criteria_set=data["criteria_set"], key=data["key"], value=data["value"]
                )
                services.check_setting_unique(
                    criteria_set=data["criteria_set"],
                    key=data["key"],
                    province=data.get("province"),
                    year_from=data.get("year_from"),
                    exclude_pk=self.instance.pk,
                )
            except ValidationError as exc:
                self._add(exc)
        return data


class AddonCriterionForm(_ActorForm):
    kinds = forms.MultipleChoiceField(
        label=_("áp dụng cho loại đơn vị"),
        choices=[(k, KIND_LABELS[k].capitalize()) for k in UNIT_KINDS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Chọn ít nhất một loại đơn vị."),
            "invalid_choice": _("“%(value)s” không phải là loại đơn vị được xét công nhận."),
        },
    )

    class Meta:
        model = ProvinceAddonCriterion
        fields = ["province", "code", "text", "reference", "kinds", "year_from", "year_to"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "province" in data:
            self._check_province(data["province"])
        if data.get("code") and data.get("kinds") is not None and data.get("year_from"):
            try:
                services.check_addon(
                    code=data["code"],
                    kinds=list(data["kinds"]),
                    year_from=data["year_from"],
                    year_to=data.get("year_to"),
                )
            except ValidationError as exc:
                self._add(exc)
        return data
