"""Read-only audit log API: the events within the user's jurisdiction (by ``unit_path``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.pagination import LimitOffsetPagination

from antt.core.models import AuditEvent, AuditEventQuerySet

__all__ = ["AuditEventSerializer", "AuditEventViewSet", "BoundedPagination"]


class BoundedPagination(LimitOffsetPagination):
    """``?limit=`` as the settings say (default 100), but never a whole table in one response."""

    max_limit = 1000


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = AuditEvent
        # No ids or paths: internal keys stay internal; object_repr names the object.
        fields = ["created_at", "actor", "verb", "object_type", "object_repr", "changes",
                  "ip_address"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Nhật ký hệ thống trong phạm vi quản lý, mới nhất trước"))
)
class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[AuditEvent]):
    """Nhật ký thao tác trong phạm vi quản lý.

    Sự kiện không gắn với đơn vị (đăng nhập, cấp mã truy cập) chỉ người dùng toàn quốc xem được.
    """

    serializer_class = AuditEventSerializer
    pagination_class = BoundedPagination
    filterset_fields = ["verb"]

    def get_queryset(self) -> AuditEventQuerySet:
        return AuditEvent.objects.visible_to(self.request.user)  # type: ignore[return-value]
