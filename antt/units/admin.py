from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from antt.units import services
from antt.units.models import Unit, UnitSuccession


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("code", "name", "kind", "subtype", "valid_from", "valid_to", "source")
    list_filter = ("kind", "source")
    search_fields = ("code", "name", "name_folded")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth", "name_folded")

    def get_queryset(self, request: HttpRequest) -> Any:
        return Unit.objects.visible_to(request.user)

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        # Through the services, so admin edits are permission-checked and audited.
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS if f in form.cleaned_data}
        if change:
            original = Unit.objects.get(pk=obj.pk)
            new_parent = form.cleaned_data.get("parent")
            if new_parent is not None and new_parent != original.parent:
                services.move_unit(actor=request.user, unit=original, new_parent=new_parent)
                original.refresh_from_db()
            services.update_unit(actor=request.user, unit=original, **data)
        else:
            code, name = data.pop("code"), data.pop("name")
            created = services.create_unit(
                actor=request.user, code=code, name=name, kind=obj.kind, parent=obj.parent, **data
            )
            obj.pk = created.pk


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin[UnitSuccession]):
    list_display = ("predecessor", "successor", "is_default", "effective_date")
    raw_id_fields = ("predecessor", "successor")
    search_fields = ("predecessor__name", "successor__name", "predecessor__code")
