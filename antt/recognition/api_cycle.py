"""REST API v1 for the yearly cycle: registrations and their steps, decisions, certificates, and
the authority table.

Every object is fetched through its scoped queryset (``visible_to(request.user)``), unit codes in
a request body through ``Unit.objects.visible_to``: out of jurisdiction is 404. Each step calls
the same service as the pages and the CLI, which re-checks who may act (403), moves the
registration with a conditional update (a lost race is 409) and writes the audit log.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

from django.db import IntegrityError
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from antt.core.api import BoundedPagination
from antt.recognition import authority, services
from antt.recognition.api import (
    FIRST_YEAR,
    RESULT_LABELS,
    EvaluationSerializer,
    last_year,
    unit_for_year,
)
from antt.recognition.filters import (
    CertificateFilterSet,
    DecisionFilterSet,
    RegistrationFilterSet,
)
from antt.recognition.models import (
    Assessment,
    AuthorityRule,
    Certificate,
    Decision,
    DecisionItem,
    DossierReview,
    Registration,
    Result,
)
from antt.recognition.workflow import State, TransitionError
from antt.units.api import FIELD_MESSAGES, INVALID_MESSAGES, service_errors
from antt.units.models import Unit, UnitKind

__all__ = [
    "AuthorityRuleViewSet",
    "CertificateViewSet",
    "DecisionViewSet",
    "RegistrationViewSet",
    "certificate_issuer",
    "is_late",
]

UNDECIDED = frozenset(
    {State.REGISTERED, State.ASSESSED, State.SUBMITTED, State.RETURNED, State.APPRAISED}
)
# One enum per field name in the schema: the codes only (labels differ between models).
RESULTS = list(RESULT_LABELS)
STATUSES = [Decision.Status.VALID.value, Decision.Status.ANNULLED.value]
PROPOSALS = [(Result.MET.value, Result.MET.label), (Result.NOT_MET.value, Result.NOT_MET.label)]


# --- errors --------------------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy(
        "Hồ sơ vừa được người khác cập nhật: hãy tải lại rồi thao tác lại."
    )
    default_code = "conflict"


@contextmanager
def cycle_errors() -> Iterator[None]:
    """A service's exceptions as responses with its Vietnamese message: a lost race or a step
    the current state does not allow is 409, invalid input 400, not allowed to act 403."""
    with service_errors():
        try:
            yield
        except services.ConcurrentChange as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        except TransitionError as exc:
            raise Conflict(str(exc)) from exc


def check_version(registration: Registration, expected: int | None) -> None:
    if expected is not None and expected != registration.version:
        raise Conflict(
            _(
                "Hồ sơ của %(unit)s đã thay đổi (phiên bản hiện tại %(current)s, bạn gửi "
                "phiên bản %(expected)s). Hãy tải lại, xem thay đổi rồi thao tác lại."
            )
            % {
                "unit": registration.unit.name,
                "current": registration.version,
                "expected": expected,
            }
        )


CONFLICT = OpenApiResponse(
    description=gettext_lazy(
        "Hồ sơ đã thay đổi (expected_version khác) hoặc vừa được người khác cập nhật, "
        "hoặc trạng thái hiện tại không cho phép thao tác này"
    )
)
ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(description=gettext_lazy("Dữ liệu không hợp lệ (thông báo tiếng Việt)")),
    403: OpenApiResponse(description=gettext_lazy("Xem được nhưng không có thẩm quyền thao tác")),
    404: OpenApiResponse(description=gettext_lazy("Ngoài phạm vi quản lý hoặc không có")),
}


# --- input ---------------------------------------------------------------------------------------

EXTRA_MESSAGES: dict[str, Any] = {
    "not_a_list": gettext_lazy("Cần một danh sách."),
    "not_a_dict": gettext_lazy("Cần một đối tượng JSON (tên: giá trị)."),
    "empty": gettext_lazy("Danh sách không được rỗng."),
    "datetime": gettext_lazy("Cần một ngày (YYYY-MM-DD), không phải ngày giờ."),
    "max_string_length": gettext_lazy("Số quá lớn."),
}
# Upper bounds of the columns numbers are compared with or stored in: a larger number is a 400,
# not an OverflowError (SQLite) or a DataError (PostgreSQL) — found by the schemathesis run.
INT_MAX = 2**31 - 1  # integer columns (version, households)
ID_MAX = 2**63 - 1  # bigint primary keys
NUMBER_MESSAGES: dict[str, Any] = {
    **FIELD_MESSAGES,
    "invalid": gettext_lazy("Cần một số nguyên hợp lệ."),
}


def _in_vietnamese(field: serializers.Field[Any, Any, Any, Any]) -> None:
    messages = {**FIELD_MESSAGES, **EXTRA_MESSAGES}
    field.error_messages.update({k: v for k, v in messages.items() if k in field.error_messages})
    if isinstance(field, serializers.IntegerField):
        field.error_messages["invalid"] = NUMBER_MESSAGES["invalid"]
    for kind, message in INVALID_MESSAGES:
        if isinstance(field, kind):
            field.error_messages["invalid"] = message
            break
    child = getattr(field, "child", None)
    if isinstance(child, serializers.Field) and not isinstance(child, _Strict):
        _in_vietnamese(child)


# Input serializers parse only: views pass ``validated_data`` to a service.
# (Comments, not docstrings: docstrings become the schema's descriptions.)
class _Strict:
    # Vietnamese messages on every field, and a 400 for a field the endpoint does not take.
    default_error_messages: ClassVar[dict[str, Any]] = {
        "invalid": gettext_lazy("Dữ liệu không hợp lệ: cần một đối tượng JSON."),
    }

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields: dict[str, serializers.Field[Any, Any, Any, Any]] = super().get_fields()  # type: ignore[misc]
        for field in fields.values():
            _in_vietnamese(field)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Trường này không nhận qua API.")] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class _Input(_Strict, serializers.Serializer[Any]):
    """A request body that refuses fields it does not declare."""


def _year_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=FIRST_YEAR,
        error_messages=NUMBER_MESSAGES,
        help_text=gettext_lazy("Năm công nhận, từ 2012 đến năm sau năm hiện tại."),
    )


def _check_year(value: int) -> int:
    if value > last_year() + 1:
        raise serializers.ValidationError(
            _("Năm không được sau năm %(year)s.") % {"year": last_year() + 1}
        )
    return value


class VersionedInput(_Input):
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=INT_MAX,
        error_messages=NUMBER_MESSAGES,
        help_text=gettext_lazy(
            "Phiên bản hồ sơ người dùng đang xem (trường version); khác phiên bản hiện tại: 409."
        ),
    )


class RegistrationCreateInput(_Input):
    unit = serializers.CharField(max_length=40, help_text=gettext_lazy("Mã đơn vị đăng ký."))
    year = _year_field()
    registered_on = serializers.DateField(required=False, allow_null=True)
    households_registered = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=INT_MAX,
        error_messages=NUMBER_MESSAGES,
    )

    def validate_year(self, value: int) -> int:
        return _check_year(value)


class BulkRegistrationInput(_Input):
    commune = serializers.CharField(
        max_length=40, help_text=gettext_lazy("Mã xã, phường, đặc khu.")
    )
    year = _year_field()
    registered_on = serializers.DateField(required=False, allow_null=True)

    def validate_year(self, value: int) -> int:
        return _check_year(value)


class ParticipantInput(_Input):
    name = serializers.CharField(max_length=150)
    role = serializers.CharField(
        max_length=40,
        allow_blank=True,
        required=False,
        default="",
        help_text=gettext_lazy(
            "Vai trò theo Điều 9.1: party_cell_secretary, front_work_committee, "
            "grassroots_police (khu dân cư); party_committee, grassroots_police, "
            "managing_authority (cơ quan, doanh nghiệp, nhà trường)."
        ),
    )


class AssessInput(VersionedInput):
    held_on = serializers.DateField()
    chair = serializers.CharField(max_length=150)
    participants = ParticipantInput(many=True, required=False)
    mode = serializers.ChoiceField(choices=Assessment.Mode.choices, default=Assessment.Mode.MEETING)
    conclusion = serializers.CharField(allow_blank=True, required=False, default="")


class ReturnInput(VersionedInput):
    reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text=gettext_lazy('Lý do theo tiêu chí: {"4.1": "Thiếu danh sách hộ"}.'),
    )
    note = serializers.CharField(allow_blank=True, required=False, default="")


class AppraiseInput(VersionedInput):
    proposal = serializers.ChoiceField(choices=PROPOSALS)
    note = serializers.CharField(allow_blank=True, required=False, default="")
    mode = serializers.ChoiceField(choices=Assessment.Mode.choices, default=Assessment.Mode.MEETING)


class DecisionCreateInput(_Input):
    registrations = serializers.ListField(
        child=serializers.IntegerField(
            min_value=1, max_value=ID_MAX, error_messages=NUMBER_MESSAGES
        ),
        allow_empty=False,
        help_text=gettext_lazy("Mã số (id) các hồ sơ đã thẩm định, cùng năm và cùng cơ quan."),
    )
    number = serializers.CharField(max_length=64)
    signed_on = serializers.DateField()
    signer_name = serializers.CharField(max_length=150)
    results = serializers.DictField(
        child=serializers.ChoiceField(choices=PROPOSALS),
        required=False,
        default=dict,
        help_text=gettext_lazy('Kết quả khác đề xuất thẩm định, theo id hồ sơ: {"12": "not_met"}.'),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        chosen = set(attrs["registrations"])
        results: dict[int, str] = {}
        for key, value in attrs.get("results", {}).items():
            if not str(key).isdigit() or int(key) not in chosen:
                raise serializers.ValidationError(
                    {
                        "results": [
                            _("“%(key)s” không phải là hồ sơ trong quyết định.") % {"key": key}
                        ]
                    }
                )
            results[int(key)] = value
        attrs["results"] = results
        return attrs


class CertificatesInput(_Input):
    issued_on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("Mặc định hôm nay.")
    )


class AnnulInput(_Input):
    reason = serializers.CharField()
    reference = serializers.CharField(
        max_length=255, help_text=gettext_lazy("Văn bản hủy bỏ: số, ngày.")
    )
    annulled_on = serializers.DateField()


# --- output --------------------------------------------------------------------------------------


class FrozenEvaluationSerializer(EvaluationSerializer):
    """Kết quả đánh giá theo tiêu chí, chốt tại cuộc họp (không đổi khi số liệu thay đổi sau)."""

    unit_name = None  # type: ignore[assignment]


@extend_schema_field(FrozenEvaluationSerializer)
class FrozenEvaluationField(serializers.JSONField):
    """Stored as it was computed: shown as it is, never recomputed."""


class ParticipantSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    role = serializers.CharField(required=False)


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    result = serializers.ChoiceField(choices=RESULTS)
    participants = ParticipantSerializer(many=True)
    evaluation = FrozenEvaluationField()
    recorded_by = serializers.CharField(allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "mode",
            "held_on",
            "chair",
            "participants",
            "result",
            "conclusion",
            "evaluation",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class DossierReviewSerializer(serializers.ModelSerializer[DossierReview]):
    reasons = serializers.DictField(child=serializers.CharField())
    # Plain text: its own enum would collide with the request's ``proposal``.
    proposal = serializers.CharField(help_text=gettext_lazy("met, not_met, hoặc rỗng"))
    reviewed_by = serializers.CharField(allow_null=True)

    class Meta:
        model = DossierReview
        fields = [
            "id",
            "outcome",
            "mode",
            "reasons",
            "note",
            "proposal",
            "reviewed_by",
            "reviewed_at",
        ]
        read_only_fields = fields


class AuthoritySummarySerializer(serializers.ModelSerializer[AuthorityRule]):
    class Meta:
        model = AuthorityRule
        fields = [
            "id",
            "appraising_body",
            "deciding_body",
            "deciding_level",
            "signer_title",
            "legal_basis",
            "confirmed",
        ]
        read_only_fields = fields


class DecisionSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    signed_on = serializers.DateField()
    issuing_body = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)
    result = serializers.ChoiceField(choices=RESULTS)


class CertificateSummarySerializer(serializers.ModelSerializer[Certificate]):
    status = serializers.ChoiceField(choices=STATUSES)

    class Meta:
        model = Certificate
        fields = ["id", "number", "verification_code", "issued_on", "status"]
        read_only_fields = fields


def is_late(registration: Registration, today: dt.date) -> bool:
    """Decided on or after the deadline, or still undecided when it has passed (D7: recorded,
    never refused)."""
    due = services.deadline(registration)
    if due is None:
        return False
    if registration.decided_on is not None:
        return registration.decided_on >= due
    return registration.state in UNDECIDED and today >= due


class RegistrationSerializer(serializers.ModelSerializer[Registration]):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    state_label = serializers.CharField(source="get_state_display")
    result = serializers.ChoiceField(choices=RESULTS)
    province = serializers.CharField(source="province.code")
    commune = serializers.CharField(source="commune.code", allow_null=True)
    deadline = serializers.SerializerMethodField(
        help_text=gettext_lazy("Quyết định phải ký trước ngày này (Điều 9.1).")
    )
    late = serializers.SerializerMethodField(
        help_text=gettext_lazy("Quyết định ký từ ngày hạn trở đi, hoặc đã quá hạn mà chưa có.")
    )

    class Meta:
        model = Registration
        fields = [
            "id",
            "unit",
            "unit_name",
            "unit_kind",
            "year",
            "state",
            "state_label",
            "result",
            "criteria_set",
            "province",
            "commune",
            "registered_on",
            "households_registered",
            "imported",
            "decided_on",
            "deadline",
            "late",
            "version",
        ]
        read_only_fields = fields

    def get_deadline(self, registration: Registration) -> dt.date | None:
        return services.deadline(registration)

    def get_late(self, registration: Registration) -> bool:
        return is_late(registration, timezone.localdate())


class RegistrationDetailSerializer(RegistrationSerializer):
    """Hồ sơ một đơn vị trong một năm: cuộc họp hiện hành (kết quả chốt), các lần thẩm định,
    quyết định và giấy công nhận."""

    authority = AuthoritySummarySerializer(allow_null=True)
    assessment = serializers.SerializerMethodField()
    reviews = DossierReviewSerializer(many=True)
    decision = serializers.SerializerMethodField()
    certificate = serializers.SerializerMethodField()

    class Meta(RegistrationSerializer.Meta):
        fields = [
            *RegistrationSerializer.Meta.fields,
            "submitted_at",
            "authority",
            "assessment",
            "reviews",
            "decision",
            "certificate",
        ]
        read_only_fields = fields

    @extend_schema_field(AssessmentSerializer(allow_null=True))
    def get_assessment(self, registration: Registration) -> dict[str, Any] | None:
        current = services.current_assessment(registration)
        return AssessmentSerializer(current).data if current else None  # type: ignore[return-value]

    @extend_schema_field(DecisionSummarySerializer(allow_null=True))
    def get_decision(self, registration: Registration) -> dict[str, Any] | None:
        item = (
            registration.decision_items.select_related("decision")
            .order_by("-decision__signed_on", "-id")
            .first()
        )
        if item is None:
            return None
        d = item.decision
        return {
            "id": d.pk,
            "number": d.number,
            "signed_on": d.signed_on,
            "issuing_body": d.issuing_body,
            "status": d.status,
            "result": item.result,
        }

    @extend_schema_field(CertificateSummarySerializer(allow_null=True))
    def get_certificate(self, registration: Registration) -> dict[str, Any] | None:
        cert = registration.certificates.order_by("-issued_on", "-id").first()
        return CertificateSummarySerializer(cert).data if cert else None  # type: ignore[return-value]


class BulkRegistrationSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text=gettext_lazy("Số đơn vị vừa đăng ký."))
    results = RegistrationSerializer(many=True)


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    body = serializers.CharField(source="issuing_unit.code")
    body_name = serializers.CharField(source="issuing_unit.name")
    units = serializers.IntegerField(source="item_count", help_text=gettext_lazy("Số đơn vị."))
    status = serializers.ChoiceField(choices=STATUSES)

    class Meta:
        model = Decision
        fields = [
            "id",
            "number",
            "signed_on",
            "year",
            "body",
            "body_name",
            "issuing_body",
            "signer_name",
            "signer_title",
            "status",
            "annulled_on",
            "annul_reason",
            "annul_reference",
            "units",
        ]
        read_only_fields = fields


class DecisionItemSerializer(serializers.ModelSerializer[DecisionItem]):
    result = serializers.ChoiceField(choices=RESULTS)
    registration = serializers.IntegerField(source="registration_id")
    unit = serializers.CharField(source="registration.unit.code")
    unit_name = serializers.CharField(source="registration.unit.name")
    unit_kind = serializers.CharField(source="registration.unit_kind")
    state = serializers.CharField(
        source="registration.state", help_text=gettext_lazy("Trạng thái hiện tại của hồ sơ.")
    )

    class Meta:
        model = DecisionItem
        fields = ["registration", "unit", "unit_name", "unit_kind", "result", "state"]
        read_only_fields = fields


class DecisionDetailSerializer(DecisionSerializer):
    """Quyết định công nhận và các đơn vị trong quyết định."""

    items = DecisionItemSerializer(many=True)

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "items"]
        read_only_fields = fields


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    unit = serializers.CharField(source="registration.unit.code")
    unit_name = serializers.CharField(source="registration.unit.name")
    decision_number = serializers.CharField(source="decision.number")
    issuing_body = serializers.CharField(source="decision.issuing_body")
    status = serializers.ChoiceField(choices=STATUSES)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "serial",
            "verification_code",
            "year",
            "issued_on",
            "status",
            "annulled_on",
            "annul_reason",
            "registration",
            "unit",
            "unit_name",
            "decision",
            "decision_number",
            "issuing_body",
        ]
        read_only_fields = fields


class AuthorityRuleSerializer(serializers.ModelSerializer[AuthorityRule]):
    class Meta:
        model = AuthorityRule
        fields = ["id", *authority.EDITABLE_FIELDS]
        read_only_fields = fields


class AuthorityRuleInput(_Strict, serializers.ModelSerializer[AuthorityRule]):
    unit_kind = serializers.CharField(
        max_length=20,
        help_text=gettext_lazy("residential_area, commune, agency, enterprise, school"),
    )
    managing_level = serializers.CharField(
        max_length=20,
        allow_blank=True,
        required=False,
        help_text=gettext_lazy("Để trống (mọi cấp) hoặc commune, district, province, ministry."),
    )
    # Bounded here (and so in the schema): SQLite gives the model's small integers no range, and
    # a month of 508799 reached date() as an OverflowError (found by the schemathesis run).
    deadline_month = serializers.IntegerField(min_value=1, max_value=12)
    deadline_day = serializers.IntegerField(min_value=1, max_value=31)

    class Meta:
        model = AuthorityRule
        fields = list(authority.EDITABLE_FIELDS)


# --- registrations -------------------------------------------------------------------------------


def certificate_issuer() -> Callable[..., Any]:
    """``documents.issue_certificates_with_documents`` (certificates with their files) once that
    module exists, else the bare service. Both take ``actor, decision, issued_on``."""
    if importlib.util.find_spec("antt.recognition.documents") is None:
        return services.issue_certificates
    documents = importlib.import_module("antt.recognition.documents")
    issuer: Callable[..., Any] = getattr(
        documents, "issue_certificates_with_documents", services.issue_certificates
    )
    return issuer


def _parse(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    incoming = serializer_class(data=request.data)
    incoming.is_valid(raise_exception=True)
    return dict(incoming.validated_data)


def _unit_not_found(code: str, year: int) -> exceptions.NotFound:
    return exceptions.NotFound(
        _("Không tìm thấy đơn vị mã “%(code)s” trong năm %(year)s trong phạm vi quản lý của bạn.")
        % {"code": code, "year": year}
    )


def _action_schema(summary: Any, request: Any) -> Any:
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: RegistrationDetailSerializer, **ERRORS, 409: CONFLICT},
    )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Hồ sơ đăng ký trong phạm vi quản lý")),
    retrieve=extend_schema(
        summary=gettext_lazy("Một hồ sơ: cuộc họp, thẩm định, quyết định, giấy công nhận, hạn"),
        responses={200: RegistrationDetailSerializer, 404: ERRORS[404]},
    ),
    create=extend_schema(
        summary=gettext_lazy("Đăng ký phấn đấu cho một đơn vị"),
        request=RegistrationCreateInput,
        responses={201: RegistrationDetailSerializer, **ERRORS, 409: CONFLICT},
    ),
)
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Registration]
):
    """Đăng ký phấn đấu “An toàn về an ninh, trật tự” và các bước của năm."""

    filterset_class = RegistrationFilterSet
    pagination_class = BoundedPagination

    def get_queryset(self) -> Any:
        queryset = Registration.objects.visible_to(self.request.user).select_related(
            "unit", "province", "commune", "authority"
        )
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(
            Prefetch("reviews", DossierReview.objects.select_related("reviewed_by"))
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return RegistrationSerializer if self.action == "list" else RegistrationDetailSerializer

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=pk)
        return Response(RegistrationDetailSerializer(fresh).data, status=code)

    def create(self, request: Request) -> Response:
        data = _parse(RegistrationCreateInput, request)
        code, year = data.pop("unit").strip(), data["year"]
        unit = unit_for_year(Unit.objects.visible_to(request.user), code, year)
        if unit is None:
            raise _unit_not_found(code, year)
        with cycle_errors():
            registration = services.register_unit(actor=request.user, unit=unit, **data)
        return self._detail(registration.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy(
            "Đăng ký một lần mọi khu dân cư, cơ quan, nhà trường do xã quản lý chưa đăng ký"
        ),
        request=BulkRegistrationInput,
        responses={
            201: BulkRegistrationSerializer,
            200: OpenApiResponse(
                BulkRegistrationSerializer,
                description=gettext_lazy("Không còn đơn vị nào cần đăng ký: danh sách rỗng"),
            ),
            **ERRORS,
            409: CONFLICT,
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = _parse(BulkRegistrationInput, request)
        code, year = data["commune"].strip(), data["year"]
        commune = unit_for_year(Unit.objects.visible_to(request.user), code, year)
        if commune is None:
            raise _unit_not_found(code, year)
        if commune.kind != UnitKind.COMMUNE:
            raise serializers.ValidationError(
                {
                    "commune": [
                        _("%(name)s không phải là xã, phường, đặc khu.") % {"name": commune.name}
                    ]
                }
            )
        try:
            with cycle_errors():
                created = services.register_units(
                    actor=request.user,
                    commune=commune,
                    year=year,
                    registered_on=data.get("registered_on"),
                )
        except IntegrityError as exc:  # someone registered one of them at the same moment
            raise Conflict(
                _("Một số đơn vị của %(name)s vừa được đăng ký năm %(year)s: hãy thử lại.")
                % {"name": commune.name, "year": year}
            ) from exc
        fresh = self.get_queryset().filter(pk__in=[r.pk for r in created])
        return Response(
            {"created": len(created), "results": RegistrationSerializer(fresh, many=True).data},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _act(
        self,
        request: Request,
        input_class: type[serializers.Serializer[Any]],
        step: Callable[[Registration, dict[str, Any]], object],
    ) -> Response:
        registration = self.get_object()
        data = _parse(input_class, request)
        check_version(registration, data.pop("expected_version", None))
        with cycle_errors():
            step(registration, data)
        return self._detail(registration.pk)

    @_action_schema(
        gettext_lazy("Ghi nhận cuộc họp đánh giá (chốt kết quả theo tiêu chí)"), AssessInput
    )
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str) -> Response:
        def step(registration: Registration, data: dict[str, Any]) -> object:
            return services.record_assessment(
                actor=request.user,
                registration=registration,
                participants=data.pop("participants", []),
                **data,
            )

        return self._act(request, AssessInput, step)

    @_action_schema(gettext_lazy("Gửi hồ sơ đề nghị công nhận"), VersionedInput)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        def step(registration: Registration, data: dict[str, Any]) -> object:
            return services.submit_dossier(actor=request.user, registration=registration)

        return self._act(request, VersionedInput, step)

    @_action_schema(gettext_lazy("Trả lại hồ sơ kèm lý do theo tiêu chí"), ReturnInput)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        def step(registration: Registration, data: dict[str, Any]) -> object:
            return services.return_dossier(actor=request.user, registration=registration, **data)

        return self._act(request, ReturnInput, step)

    @_action_schema(gettext_lazy("Thẩm định hồ sơ, đề xuất đạt hoặc chưa đạt"), AppraiseInput)
    @action(detail=True, methods=["post"])
    def appraise(self, request: Request, pk: str) -> Response:
        def step(registration: Registration, data: dict[str, Any]) -> object:
            return services.appraise_dossier(actor=request.user, registration=registration, **data)

        return self._act(request, AppraiseInput, step)


# --- decisions -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Quyết định công nhận do đơn vị trong phạm vi ban hành")
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Một quyết định và các đơn vị trong quyết định"),
        responses={200: DecisionDetailSerializer, 404: ERRORS[404]},
    ),
    create=extend_schema(
        summary=gettext_lazy("Ban hành một quyết định cho nhiều hồ sơ đã thẩm định"),
        request=DecisionCreateInput,
        responses={201: DecisionDetailSerializer, **ERRORS, 409: CONFLICT},
    ),
)
class DecisionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Decision]
):
    """Quyết định công nhận: một văn bản, nhiều đơn vị (đạt hoặc không đạt)."""

    filterset_class = DecisionFilterSet
    pagination_class = BoundedPagination

    def get_queryset(self) -> Any:
        queryset = (
            Decision.objects.visible_to(self.request.user)
            .select_related("issuing_unit")
            .annotate(item_count=Count("items"))
        )
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(
            Prefetch(
                "items",
                DecisionItem.objects.select_related("registration__unit").order_by(
                    "registration__unit__path"
                ),
            )
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return DecisionSerializer if self.action == "list" else DecisionDetailSerializer

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=pk)
        return Response(DecisionDetailSerializer(fresh).data, status=code)

    def create(self, request: Request) -> Response:
        data = _parse(DecisionCreateInput, request)
        ids = list(dict.fromkeys(data.pop("registrations")))
        found = {
            r.pk: r
            for r in Registration.objects.visible_to(request.user)
            .filter(pk__in=ids)
            .select_related("unit", "authority")
        }
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise exceptions.NotFound(
                _("Không tìm thấy hồ sơ %(ids)s trong phạm vi quản lý của bạn.")
                % {"ids": ", ".join(missing)}
            )
        try:
            with cycle_errors():
                decision = services.decide(
                    actor=request.user, registrations=[found[pk] for pk in ids], **data
                )
        except IntegrityError as exc:  # the body already has a decision with this number
            raise serializers.ValidationError(
                {
                    "number": [
                        _("Số quyết định “%(number)s” đã được cơ quan này dùng.")
                        % {"number": data["number"].strip()}
                    ]
                }
            ) from exc
        return self._detail(decision.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Cấp giấy công nhận cho các đơn vị được công nhận chưa có giấy"),
        request=CertificatesInput,
        responses={
            201: CertificateSerializer(many=True),
            200: OpenApiResponse(
                CertificateSerializer(many=True),
                description=gettext_lazy("Không còn giấy nào cần cấp: danh sách rỗng"),
            ),
            **ERRORS,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def certificates(self, request: Request, pk: str) -> Response:
        decision = self.get_object()
        data = _parse(CertificatesInput, request)
        before = set(decision.certificates.values_list("pk", flat=True))
        with cycle_errors():
            certificate_issuer()(
                actor=request.user, decision=decision, issued_on=data.get("issued_on")
            )
        issued = (
            Certificate.objects.visible_to(request.user)
            .filter(decision=decision)
            .exclude(pk__in=before)
            .select_related("registration__unit", "decision")
            .order_by("serial")
        )
        data_out = CertificateSerializer(issued, many=True).data
        return Response(
            data_out, status=status.HTTP_201_CREATED if data_out else status.HTTP_200_OK
        )

    @extend_schema(
        summary=gettext_lazy("Hủy bỏ quyết định (lý do, văn bản hủy bỏ); hủy các giấy đã cấp"),
        request=AnnulInput,
        responses={200: DecisionDetailSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def annul(self, request: Request, pk: str) -> Response:
        decision = self.get_object()
        data = _parse(AnnulInput, request)
        with cycle_errors():
            services.annul_decision(actor=request.user, decision=decision, **data)
        return self._detail(decision.pk)


# --- certificates --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Giấy công nhận của đơn vị trong phạm vi quản lý")),
    retrieve=extend_schema(summary=gettext_lazy("Một giấy công nhận")),
)
class CertificateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Certificate]
):
    """Giấy công nhận: số liên tục theo cơ quan cấp và năm, có mã xác minh."""

    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    pagination_class = BoundedPagination

    def get_queryset(self) -> Any:
        return Certificate.objects.visible_to(self.request.user).select_related(
            "registration__unit", "decision"
        )


# --- the authority table -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Bảng thẩm quyền thẩm định, quyết định và hạn")),
    retrieve=extend_schema(summary=gettext_lazy("Một dòng của bảng thẩm quyền")),
    create=extend_schema(
        summary=gettext_lazy("Thêm một dòng (quản trị toàn quốc)"),
        request=AuthorityRuleInput,
        responses={201: AuthorityRuleSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Sửa một dòng (quản trị toàn quốc)"),
        request=AuthorityRuleInput,
        responses={200: AuthorityRuleSerializer, **ERRORS},
    ),
)
class AuthorityRuleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[AuthorityRule]
):
    """Ai thẩm định, ai quyết định, hạn nào (Điều 9–10): mọi người dùng xem được, chỉ quản trị
    toàn quốc sửa được."""

    serializer_class = AuthorityRuleSerializer
    pagination_class = BoundedPagination

    def get_queryset(self) -> Any:
        # The law, the same for everyone: not scoped by jurisdiction.
        return AuthorityRule.objects.all()

    def _may_edit(self, request: Request) -> None:
        if not authority.can_edit_authority(request.user):
            raise exceptions.PermissionDenied(
                _("Chỉ quản trị toàn quốc được sửa bảng thẩm quyền xét duyệt, công nhận.")
            )

    def create(self, request: Request) -> Response:
        self._may_edit(request)
        incoming = AuthorityRuleInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        with cycle_errors():
            rule = authority.save_authority_rule(actor=request.user, **incoming.validated_data)
        return Response(AuthorityRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        rule = self.get_object()
        self._may_edit(request)
        incoming = AuthorityRuleInput(rule, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        with cycle_errors():
            rule = authority.save_authority_rule(
                actor=request.user, rule=rule, **incoming.validated_data
            )
        return Response(AuthorityRuleSerializer(rule).data)
