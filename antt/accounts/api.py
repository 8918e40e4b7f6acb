"""``/api/v1/me/``: who the token or session belongs to, and over which units they hold roles."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.accounts.models import RoleAssignment, User

__all__ = ["MeSerializer", "MeView", "RoleSerializer"]


class RoleSerializer(serializers.ModelSerializer[RoleAssignment]):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_kind = serializers.CharField(source="unit.kind", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_display", "unit_code", "unit_name", "unit_kind", "created_at"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer[User]):
    roles = serializers.SerializerMethodField()
    nationwide = serializers.SerializerMethodField(
        help_text=_("Có quyền xem toàn quốc (quản trị toàn quốc).")
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "nationwide", "roles"]
        read_only_fields = fields

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, user: User) -> list[dict[str, Any]]:
        assignments = user.role_assignments.select_related("unit").order_by("unit__path", "role")
        return RoleSerializer(assignments, many=True).data  # type: ignore[return-value]

    def get_nationwide(self, user: User) -> bool:
        return user.jurisdiction_paths() is None


class MeView(APIView):
    @extend_schema(summary=_("Người dùng hiện tại và các vai trò"), responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(cast(User, request.user)).data)  # IsAuthenticated
