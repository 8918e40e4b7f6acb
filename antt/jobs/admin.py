"""Jobs in the admin: to look at, never to edit (a job changes only through its worker)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from antt.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    list_display = ("id", "title", "kind", "status", "owner", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "owner__username", "error")
    date_hierarchy = "created_at"
    list_select_related = ("owner",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
