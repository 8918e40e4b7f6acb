"""Admin for what a province configures: interpretation settings and add-on criteria.

Lists are scoped to the user's jurisdiction; writes go through ``standards.services`` so they are
permission-checked and audited like any other write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from antt.core.scoping import path_filter
from antt.standards import services
from antt.standards.forms import AddonCriterionForm, InterpretationSettingForm
from antt.standards.models import InterpretationSetting, ProvinceAddonCriterion
from antt.units.models import Unit, UnitKind


class _ProvinceConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:  # type: ignore[type-arg]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]  # a fresh class per request
        return form  # type: ignore[no-any-return]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "province":
            kwargs["queryset"] = (
                Unit.objects.visible_to(request.user)
                .filter(kind=UnitKind.PROVINCE)
                .order_by("-valid_to", "code")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        return obj is None or services.may_configure(request.user, obj.province)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may(request, obj)


@admin.register(InterpretationSetting)
class InterpretationSettingAdmin(_ProvinceConfigAdmin):
    form = InterpretationSettingForm
    list_display = ("key", "value", "criteria_set", "province", "year_from", "note")
    list_filter = ("criteria_set", "key")
    search_fields = ("key", "value", "note", "province__name")
    list_select_related = ("province",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[InterpretationSetting]:
        qs = super().get_queryset(request).select_related("province")
        user: Any = request.user
        paths = user.jurisdiction_paths() if user.is_authenticated else ()
        if paths is None:
            return qs
        if not paths:
            return qs.none()
        # The national readings apply to every province: shown to all, editable nationally only.
        return qs.filter(Q(province__isnull=True) | path_filter("province__path", paths))

    def save_model(
        self, request: HttpRequest, obj: InterpretationSetting, form: Any, change: bool
    ) -> None:
        services.save_setting(actor=request.user, setting=obj)

    def delete_model(self, request: HttpRequest, obj: InterpretationSetting) -> None:
        services.delete_setting(actor=request.user, setting=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset.select_related("province"):
            services.delete_setting(actor=request.user, setting=obj)


@admin.register(ProvinceAddonCriterion)
class ProvinceAddonCriterionAdmin(_ProvinceConfigAdmin):
    form = AddonCriterionForm
    list_display = ("code", "province", "year_from", "year_to", "reference")
    list_filter = ("year_from",)
    search_fields = ("code", "text", "reference", "province__name")
    list_select_related = ("province",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProvinceAddonCriterion]:
        return ProvinceAddonCriterion.objects.visible_to(request.user).select_related("province")

    def save_model(
        self, request: HttpRequest, obj: ProvinceAddonCriterion, form: Any, change: bool
    ) -> None:
        services.save_addon(actor=request.user, addon=obj)

    def delete_model(self, request: HttpRequest, obj: ProvinceAddonCriterion) -> None:
        services.delete_addon(actor=request.user, addon=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset.select_related("province"):
            services.delete_addon(actor=request.user, addon=obj)
