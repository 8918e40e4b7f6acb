from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

from antt.accounts import services
from antt.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    inlines = [RoleAssignmentInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("ANTT", {"fields": ("full_name",)}))  # type: ignore[misc]
    list_display = ("username", "full_name", "email", "is_active", "is_staff")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ("user", "role", "unit", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "unit__code", "unit__name")
    autocomplete_fields = ["user", "unit"]

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        # Through the service, so the assignment is permission-checked and audited like the CLI's.
        if change:
            services.revoke_role(
                actor=request.user, assignment=RoleAssignment.objects.get(pk=obj.pk)
            )
        _, assignment, _ = services.assign_role(
            actor=request.user, username=obj.user.username, role=obj.role, unit=obj.unit
        )
        obj.pk = assignment.pk

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        services.revoke_role(actor=request.user, assignment=obj)


# DRF's token admin lists the keys themselves; tokens are listed (without keys) and revoked on
# /accounts/tokens/ instead.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
