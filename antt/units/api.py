"""REST API v1 for the unit tree: scoped reads, and writes through the same services as the pages.

Every queryset starts from ``Unit.objects.visible_to(request.user)``: a unit out of the user's
jurisdiction is "not found" (404), never "forbidden". Writes call ``services.create_unit`` /
``update_unit``, which check the MANAGE_UNITS permission (403) and write the audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from antt.core.api import BoundedPagination
from antt.units import services
from antt.units.filters import UnitFilterSet
from antt.units.models import (
    ORGANISATION_KINDS,
    EducationLevel,
    EnterpriseSize,
    ManagingLevel,
    Unit,
    UnitKind,
)
from antt.units.querysets import UnitQuerySet

__all__ = [
    "UnitCreateSerializer",
    "UnitDetailSerializer",
    "UnitSerializer",
    "UnitUpdateSerializer",
    "UnitViewSet",
]

# The official loader owns provinces and communes; people add what lives under a commune.
CREATABLE_KINDS = (UnitKind.RESIDENTIAL_AREA, *ORGANISATION_KINDS)

UNIT_FIELDS = [
    "code",
    "name",
    "kind",
    "kind_display",
    "subtype",
    "parent",
    "parent_name",
    "depth",
    "valid_from",
    "valid_to",
    "managing_level",
    "enterprise_size",
    "education_level",
    "has_party_org",
    "is_armed_forces",
    "latitude",
    "longitude",
    "source",
    "eligibility",
]

DATE_PARAMETER = OpenApiParameter(
    "date",
    OpenApiTypes.DATE,
    description=gettext_lazy("Ngày để tra mã (YYYY-MM-DD), mặc định hôm nay."),
)


# --- serializers: output -------------------------------------------------------------------------


class EligibilitySerializer(serializers.Serializer[Any]):
    eligible = serializers.BooleanField()
    reason = serializers.CharField()
    legal_basis = serializers.CharField()


class UnitLinkSerializer(serializers.Serializer[Any]):
    """Đơn vị ở phía bên kia của một lần sắp xếp (sáp nhập, chia tách)."""

    code = serializers.CharField()
    name = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    is_default = serializers.BooleanField()


def _optional_choice(choices: type[models.TextChoices]) -> serializers.ChoiceField:
    """A choice the unit may leave empty: "" is one of its values in the schema too (the
    schemathesis run found "" answered where the schema allowed only the choices)."""
    return serializers.ChoiceField(choices=choices.choices, allow_blank=True, read_only=True)


class UnitSerializer(serializers.ModelSerializer[Unit]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    managing_level = _optional_choice(ManagingLevel)
    enterprise_size = _optional_choice(EnterpriseSize)
    education_level = _optional_choice(EducationLevel)
    # Shadows ``Field.parent`` for the type checker only: declared fields leave the class.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", read_only=True, allow_null=True
    )
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    eligibility = EligibilitySerializer(read_only=True)

    class Meta:
        model = Unit
        fields = UNIT_FIELDS
        read_only_fields = UNIT_FIELDS


class UnitDetailSerializer(UnitSerializer):
    """Đơn vị, kèm số đơn vị trực thuộc theo loại, đơn vị kế thừa và đơn vị tiền thân."""

    children_counts = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=gettext_lazy("Số đơn vị trực thuộc còn hiệu lực tại ngày tra, theo loại."),
    )
    successors = UnitLinkSerializer(many=True, read_only=True)
    predecessors = UnitLinkSerializer(many=True, read_only=True)

    class Meta(UnitSerializer.Meta):
        fields = [*UNIT_FIELDS, "children_counts", "successors", "predecessors"]
        read_only_fields = fields


# --- serializers: input --------------------------------------------------------------------------


# DRF ships few Vietnamese translations: the input fields carry their own messages.
FIELD_MESSAGES: dict[str, Any] = {
    "required": gettext_lazy("Trường này là bắt buộc."),
    "null": gettext_lazy("Trường này không được để trống."),
    "blank": gettext_lazy("Trường này không được bỏ trống."),
    "max_length": gettext_lazy("Tối đa {max_length} ký tự."),
    "invalid_choice": gettext_lazy("“{input}” không phải là lựa chọn hợp lệ."),
    "min_value": gettext_lazy("Giá trị phải lớn hơn hoặc bằng {min_value}."),
    "max_value": gettext_lazy("Giá trị phải nhỏ hơn hoặc bằng {max_value}."),
}
INVALID_MESSAGES: tuple[tuple[type[serializers.Field[Any, Any, Any, Any]], Any], ...] = (
    (serializers.DateField, gettext_lazy("Ngày không hợp lệ: hãy ghi theo dạng YYYY-MM-DD.")),
    (serializers.FloatField, gettext_lazy("Cần một số hợp lệ.")),
    (serializers.BooleanField, gettext_lazy("Cần giá trị true hoặc false.")),
    (serializers.CharField, gettext_lazy("Cần một chuỗi ký tự.")),
)


# Input serializers parse only: the view passes ``validated_data`` to a service, never ``save()``.
# (Comments, not docstrings: docstrings become the schema's user-facing descriptions.)
class _StrictInput(serializers.ModelSerializer[Unit]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for field in fields.values():
            field.error_messages.update(
                {k: v for k, v in FIELD_MESSAGES.items() if k in field.error_messages}
            )
            for kind, message in INVALID_MESSAGES:
                if isinstance(field, kind):
                    field.error_messages["invalid"] = message
                    break
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Trường này không nhận qua API hoặc không sửa được.")]
                 for name in unknown}
            )
        # The model's check constraint says the same, but only by its name.
        valid_from = attrs.get("valid_from", getattr(self.instance, "valid_from", None))
        valid_to = attrs.get("valid_to", getattr(self.instance, "valid_to", None))
        if valid_from and valid_to and valid_to < valid_from:
            raise serializers.ValidationError(
                {"valid_to": [_("Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực.")]}
            )
        return attrs


ATTRIBUTE_FIELDS = [
    "subtype",
    "valid_from",
    "valid_to",
    "managing_level",
    "enterprise_size",
    "education_level",
    "has_party_org",
    "is_armed_forces",
    "latitude",
    "longitude",
]


INPUT_KWARGS: dict[str, dict[str, Any]] = {
    "code": {"validators": []},
    # Range messages are bound when the field is built, so they are given here.
    "latitude": {"min_value": -90, "max_value": 90, "error_messages": FIELD_MESSAGES},
    "longitude": {"min_value": -180, "max_value": 180, "error_messages": FIELD_MESSAGES},
}


class UnitCreateSerializer(_StrictInput):
    kind = serializers.ChoiceField(
        choices=UnitKind.choices,
        help_text=format_lazy("{} {}.", gettext_lazy("Chỉ nhận:"), ", ".join(CREATABLE_KINDS)),
    )
    parent = serializers.CharField(  # type: ignore[assignment]
        max_length=40, help_text=gettext_lazy("Mã đơn vị cấp trên (xã, phường, đặc khu…).")
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", *ATTRIBUTE_FIELDS]
        validators: list[Any] = []  # the service checks codes over time; no DB lookups here
        extra_kwargs = INPUT_KWARGS

    def validate_kind(self, value: str) -> str:
        # Same enum as the output (one ``KindEnum`` in the schema), narrowed here.
        if value not in CREATABLE_KINDS:
            raise serializers.ValidationError(
                _("Qua API chỉ thêm được khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục; "
                  "tỉnh và xã lấy từ danh mục hành chính chính thức.")
            )
        return value


class UnitUpdateSerializer(_StrictInput):
    class Meta:
        model = Unit
        fields = list(services.EDITABLE_FIELDS)
        validators: list[Any] = []
        extra_kwargs = INPUT_KWARGS


# --- the viewset ---------------------------------------------------------------------------------


@contextmanager
def service_errors() -> Iterator[None]:
    """Django's exceptions from a service, as DRF responses that keep the Vietnamese message."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:  # the model's "__all__", in DRF's spelling
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise serializers.ValidationError(detail) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Danh sách đơn vị trong phạm vi quản lý, còn hiệu lực tại ngày tra")
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Một đơn vị theo mã, tra tại ngày (mặc định hôm nay)"),
        parameters=[DATE_PARAMETER],
    ),
    create=extend_schema(
        summary=gettext_lazy("Thêm khu dân cư, cơ quan, doanh nghiệp hoặc cơ sở giáo dục"),
        request=UnitCreateSerializer,
        responses={201: UnitDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Sửa thông tin một đơn vị"),
        parameters=[DATE_PARAMETER],
        request=UnitUpdateSerializer,
        responses=UnitDetailSerializer,
    ),
)
class UnitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Unit]):
    """Đơn vị trong phạm vi quản lý. Không có xoá: đơn vị chấm dứt bằng ngày hết hiệu lực."""

    # No DELETE and no PUT (405): nothing is deleted in this system.

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = UnitFilterSet
    pagination_class = BoundedPagination

    def get_queryset(self) -> UnitQuerySet:
        return Unit.objects.visible_to(self.request.user).select_related("parent")  # type: ignore[return-value]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return UnitSerializer if self.action == "list" else UnitDetailSerializer

    def get_object(self) -> Unit:
        """The unit the code names on ``?date=`` (default today), among the visible ones."""
        filterset = UnitFilterSet(
            data={"date": self.request.query_params.get("date", "")},
            queryset=self.get_queryset(),
            request=self.request,
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        unit: Unit | None = filterset.qs.filter(code=self.kwargs[self.lookup_field]).first()
        if unit is None:
            raise exceptions.NotFound
        self.day = filterset.day
        return unit

    def retrieve(self, request: Request, code: str) -> Response:
        unit = self.get_object()
        return Response(self.detail_data(unit, self.day))

    def create(self, request: Request) -> Response:
        incoming = UnitCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        parent_code = fields.pop("parent").strip()
        day = fields.get("valid_from") or timezone.localdate()
        parent = self.get_queryset().at_code(parent_code, day).first()
        if parent is None:
            raise exceptions.NotFound(
                _("Không tìm thấy đơn vị cấp trên mã “%(code)s” trong phạm vi quản lý của bạn.")
                % {"code": parent_code}
            )
        with service_errors():
            unit = services.create_unit(actor=request.user, parent=parent, **fields)
        return Response(self.detail_data(unit, day), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, code: str) -> Response:
        unit = self.get_object()
        incoming = UnitUpdateSerializer(unit, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            services.update_unit(actor=request.user, unit=unit, **incoming.validated_data)
        return Response(self.detail_data(unit, self.day))

    def detail_data(self, unit: Unit, day: dt.date) -> dict[str, Any]:
        visible = Unit.objects.visible_to(self.request.user)
        counts = (
            visible.filter(parent=unit)
            .valid_on(day)  # type: ignore[attr-defined]
            .order_by()
            .values("kind")
            .annotate(n=Count("pk"))
        )
        unit.children_counts = {row["kind"]: row["n"] for row in counts}  # type: ignore[attr-defined]
        unit.successors = [  # type: ignore[attr-defined]
            link(s.successor, s.is_default)
            for s in unit.successions.filter(successor__in=visible).select_related("successor")
        ]
        unit.predecessors = [  # type: ignore[attr-defined]
            link(s.predecessor, s.is_default)
            for s in unit.predecessions.filter(predecessor__in=visible).select_related(
                "predecessor"
            )
        ]
        return UnitDetailSerializer(unit).data  # type: ignore[return-value]


def link(unit: Unit, is_default: bool) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "is_default": is_default,
    }
