"""``/api/v1/me/``: who the token or session belongs to, and over which units they hold roles."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.accounts import services
from antt.accounts.models import RoleAssignment, User
from antt.accounts.rules import GRANTS, Action

__all__ = ["MeSerializer", "MeView", "RoleSerializer", "TokenDetailView", "TokenListView"]


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
    # Plain text, not format "email": most accounts have none, and "" is no e-mail address
    # (the schemathesis run found the answer breaking its own schema).
    email = serializers.CharField(read_only=True)
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


class TokenSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    created = serializers.DateTimeField(read_only=True)


class IssueTokenSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)


class IssuedTokenSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    key = serializers.CharField(help_text=_("Chỉ hiện một lần, khi cấp."))


class TokenListView(APIView):
    """Mã API: của chính mình và của người dùng mình quản trị; không bao giờ hiện lại khoá.

    Chỉ dùng được trong phiên đăng nhập đã xác thực hai lớp, không dùng bằng mã API."""

    authentication_classes = [SessionAuthentication]

    @extend_schema(summary=_("Danh sách mã API"), responses=TokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        tokens = services.tokens_visible_to(cast(User, request.user))
        return Response(TokenSerializer(tokens, many=True).data)

    @extend_schema(
        summary=_("Cấp mã API mới (khoá chỉ hiện một lần)"),
        request=IssueTokenSerializer,
        responses={201: IssuedTokenSerializer},
    )
    def post(self, request: Request) -> Response:
        actor = cast(User, request.user)
        incoming = IssueTokenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        username = incoming.validated_data["username"]
        owner = User.objects.filter(username=username).first()
        if owner is None or not services.may_manage_tokens_of(actor, owner):
            if not any(Action.ASSIGN_ROLES in GRANTS[g.role] for g in actor.grants()):
                raise exceptions.PermissionDenied(_("Chỉ cán bộ quản trị mới cấp mã API."))
            raise exceptions.NotFound(
                _("Không có người dùng “%(username)s” trong phạm vi bạn quản trị.")
                % {"username": username}
            )
        token = services.issue_token(actor=actor, user=owner)
        return Response(
            IssuedTokenSerializer({"username": owner.username, "key": token.key}).data,
            status=status.HTTP_201_CREATED,
        )


class TokenDetailView(APIView):
    authentication_classes = [SessionAuthentication]

    @extend_schema(summary=_("Thu hồi mã API của một người dùng"), responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        actor = cast(User, request.user)
        token = services.tokens_visible_to(actor).filter(user__username=username).first()
        if token is None:
            raise exceptions.NotFound
        services.revoke_token(actor=actor, user=token.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
