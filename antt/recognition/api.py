"""REST API v1 for evaluations: one unit and year, or a whole scope.

Every unit is looked up through ``Unit.objects.visible_to(request.user)``: out of jurisdiction is
404. The dictionaries built here are also what ``antt evaluate --format json`` prints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.api import BoundedPagination
from antt.recognition.evaluation import (
    EVALUATED_KINDS,
    ScopeResult,
    evaluate_scope,
    evaluate_unit,
    reference_day,
)
from antt.standards.rules import NOT_MET, Evaluation, NodeResult
from antt.units.models import Unit
from antt.units.querysets import UnitQuerySet

__all__ = [
    "FIRST_YEAR",
    "ScopeEvaluationView",
    "UnitEvaluationView",
    "evaluation_dict",
    "last_year",
    "scope_dict",
    "unit_for_year",
]

FIRST_YEAR = 2012  # TT 23/2012 applies from 11/06/2012: nothing before can be evaluated
RESULT_LABELS: dict[str, str] = {
    "met": "Đạt",
    "not_met": "Không đạt",
    "pending": "Chưa đủ căn cứ",
}


def last_year() -> int:
    return timezone.localdate().year


def unit_for_year(units: UnitQuerySet, code: str, year: int) -> Unit | None:
    """The unit ``code`` names for ``year``: the one valid on the year's reference day, else any
    unit with that code valid at some point of the year (the latest)."""
    unit = units.at_code(code, reference_day(year)).first()
    if unit is not None:
        return unit
    return (
        units.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=dt.date(year, 12, 31)),
            Q(valid_to__isnull=True) | Q(valid_to__gte=dt.date(year, 1, 1)),
            code=code,
        )
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )


def evaluation_dict(unit: Unit, ev: Evaluation) -> dict[str, Any]:
    data = ev.as_dict()
    return {"unit": data.pop("unit"), "unit_name": unit.name, **data}


def _codes(nodes: tuple[NodeResult, ...], verdicts: tuple[str, ...]) -> list[str]:
    return [n.code for n in nodes if n.verdict in verdicts]


SUMMARY_FIELDS = ("met", "not_met", "pending", "total", "ineligible")


def scope_summary_header() -> list[str]:
    """Column titles of ``scope_dict``'s summary: the kind, then ``SUMMARY_FIELDS`` in order."""
    return [
        _("Loại đơn vị"),
        _("Đạt"),
        _("Không đạt"),
        _("Chưa đủ căn cứ"),
        _("Tổng"),
        _("Không thuộc đối tượng"),
    ]


def scope_dict(root: Unit, result: ScopeResult) -> dict[str, Any]:
    """The summary per kind, the units with their result, and the units not eligible."""
    summary = result.summary()
    for unit, _reason in result.ineligible:
        row = summary.setdefault(unit.kind, {"met": 0, "not_met": 0, "pending": 0, "total": 0})
        row["ineligible"] = row.get("ineligible", 0) + 1
    ordered = {
        k: {c: summary[k].get(c, 0) for c in SUMMARY_FIELDS}
        for k in EVALUATED_KINDS
        if k in summary
    }
    units = [
        {
            "unit": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "standard": ev.standard,
            "result": ev.result,
            "failed": _codes(ev.criteria, (NOT_MET,)),
            "pending": _codes(ev.criteria, ("needs_judgement", "missing_data")),
        }
        for unit, ev in sorted(result.evaluations, key=lambda pair: pair[0].path)
    ]
    return {
        "scope": root.code,
        "scope_name": root.name,
        "year": result.year,
        "summary": ordered,
        "ineligible": [
            {"unit": u.code, "name": u.name, "kind": u.kind, "reason": reason}
            for u, reason in sorted(result.ineligible, key=lambda pair: pair[0].path)
        ],
        "units": units,
    }


# --- query parameters ----------------------------------------------------------------------------


YEAR_MESSAGES: dict[str, Any] = {
    "required": gettext_lazy("Thiếu năm đánh giá (?year=YYYY)."),
    "null": gettext_lazy("Thiếu năm đánh giá (?year=YYYY)."),
    "invalid": gettext_lazy("Năm đánh giá phải là một số, ví dụ 2025."),
    "min_value": gettext_lazy("Năm đánh giá phải từ {min_value} trở đi."),
    "max_string_length": gettext_lazy("Năm đánh giá không hợp lệ."),
}


class YearQuery(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=FIRST_YEAR, error_messages=YEAR_MESSAGES)

    def validate_year(self, value: int) -> int:
        if value > last_year():
            raise serializers.ValidationError(
                _("Năm đánh giá không được sau năm hiện tại (%(year)s).") % {"year": last_year()}
            )
        return value


class ScopeQuery(YearQuery):
    scope = serializers.CharField(
        max_length=40,
        error_messages={
            "required": gettext_lazy("Thiếu mã đơn vị cần đánh giá (?scope=MÃ)."),
            "blank": gettext_lazy("Thiếu mã đơn vị cần đánh giá (?scope=MÃ)."),
            "max_length": gettext_lazy("Mã đơn vị tối đa {max_length} ký tự."),
        },
    )


YEAR_PARAMETER = OpenApiParameter(
    "year",
    OpenApiTypes.INT,
    required=True,
    description=gettext_lazy("Năm công nhận (năm kết thúc kỳ đánh giá), từ 2012 đến năm hiện tại."),
)


# --- serializers (schema and shape) --------------------------------------------------------------

VERDICTS = ["met", "not_met", "needs_judgement", "missing_data"]


# Plain strings where a second enum would collide with ``verdict``'s in the schema.
class JudgementSerializer(serializers.Serializer[Any]):
    verdict = serializers.CharField(help_text=gettext_lazy("met hoặc not_met"))
    reason = serializers.CharField()
    by = serializers.CharField()
    override = serializers.BooleanField()


class CriterionResultSerializer(serializers.Serializer[Any]):
    """Kết quả một tiêu chí hoặc một điểm; ``points`` chứa các điểm của nó."""

    code = serializers.CharField()
    verdict = serializers.ChoiceField(choices=VERDICTS)
    explanation = serializers.CharField(help_text=gettext_lazy("Giải thích bằng tiếng Việt"))
    reference = serializers.CharField()
    via = serializers.CharField(
        required=False,
        help_text=gettext_lazy("Tiêu chí áp dụng lại điểm này (ví dụ 5.2 áp dụng 4.3.a)"),
    )
    computed_verdict = serializers.CharField(
        required=False,
        help_text=gettext_lazy("Kết quả tính toán (như verdict) khi đã bị điều chỉnh"),
    )
    judgement = JudgementSerializer(required=False)


CriterionResultSerializer._declared_fields["points"] = CriterionResultSerializer(
    many=True, required=False
)


class EvaluationSerializer(serializers.Serializer[Any]):
    """Kết quả đánh giá một đơn vị trong một năm."""

    unit = serializers.CharField()
    unit_name = serializers.CharField()
    year = serializers.IntegerField()
    standard = serializers.CharField(help_text=gettext_lazy("Mã bộ tiêu chí, ví dụ tt124-2021"))
    window = serializers.ListField(
        child=serializers.DateField(),
        min_length=2,
        max_length=2,
        help_text=gettext_lazy("Kỳ đánh giá: ngày bắt đầu, ngày kết thúc"),
    )
    result = serializers.ChoiceField(choices=list(RESULT_LABELS))
    criteria = CriterionResultSerializer(many=True)
    settings = serializers.DictField(
        child=serializers.CharField(),
        help_text=gettext_lazy("Các cách hiểu quy định đã dùng"),
    )


class KindSummarySerializer(serializers.Serializer[Any]):
    met = serializers.IntegerField()
    not_met = serializers.IntegerField()
    pending = serializers.IntegerField()
    total = serializers.IntegerField()
    ineligible = serializers.IntegerField()


class UnitResultSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    standard = serializers.CharField()
    result = serializers.ChoiceField(choices=list(RESULT_LABELS))
    failed = serializers.ListField(child=serializers.CharField())
    pending = serializers.ListField(child=serializers.CharField())


class IneligibleSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    reason = serializers.CharField()


class ScopeEvaluationSerializer(serializers.Serializer[Any]):
    """Tổng hợp theo loại đơn vị và kết quả từng đơn vị (phân trang)."""

    scope = serializers.CharField()
    scope_name = serializers.CharField()
    year = serializers.IntegerField()
    summary = serializers.DictField(child=KindSummarySerializer())
    ineligible = IneligibleSerializer(many=True)
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = UnitResultSerializer(many=True)


class ProblemSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    reason = serializers.CharField(required=False)


# --- views ---------------------------------------------------------------------------------------


def parse(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    # An empty ``?year=`` means the same as none: "missing", not "not a number".
    data = {k: v for k, v in request.query_params.items() if str(v).strip()}
    incoming = serializer_class(data=data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


def visible_unit(request: Request, code: str, year: int) -> Unit:
    unit = unit_for_year(Unit.objects.visible_to(request.user), code, year)  # type: ignore[arg-type]
    if unit is None:
        raise exceptions.NotFound(
            _(
                "Không tìm thấy đơn vị mã “%(code)s” trong năm %(year)s trong phạm vi quản lý "
                "của bạn."
            )
            % {"code": code, "year": year}
        )
    return unit


def not_eligible(unit: Unit) -> Response:
    reason = unit.eligibility.reason
    return Response(
        {
            "detail": _("%(name)s không thuộc đối tượng xét công nhận: %(reason)s")
            % {"name": unit.name, "reason": reason},
            "reason": reason,
        },
        status=status.HTTP_409_CONFLICT,
    )


class UnitEvaluationView(APIView):
    """Đánh giá một đơn vị theo bộ tiêu chí của năm."""

    @extend_schema(
        summary=gettext_lazy("Kết quả đánh giá một đơn vị trong một năm, từng tiêu chí"),
        parameters=[YEAR_PARAMETER],
        responses={
            200: EvaluationSerializer,
            400: OpenApiResponse(description=gettext_lazy("Thiếu năm hoặc năm không hợp lệ")),
            404: OpenApiResponse(description=gettext_lazy("Ngoài phạm vi quản lý hoặc không có")),
            409: OpenApiResponse(
                ProblemSerializer,
                description=gettext_lazy("Đơn vị không thuộc đối tượng xét công nhận"),
            ),
        },
    )
    def get(self, request: Request, code: str) -> Response:
        year = parse(YearQuery, request)["year"]
        unit = visible_unit(request, code, year)
        if not unit.eligibility.eligible:
            return not_eligible(unit)
        ev = evaluate_unit(unit, year)
        return Response(EvaluationSerializer(evaluation_dict(unit, ev)).data)


class ScopeEvaluationView(APIView):
    """Đánh giá mọi đơn vị dưới một đơn vị (tỉnh, xã…)."""

    pagination_class = BoundedPagination

    @extend_schema(
        summary=gettext_lazy("Đánh giá toàn bộ đơn vị trong một phạm vi: tổng hợp và danh sách"),
        parameters=[
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                required=True,
                description=gettext_lazy("Mã đơn vị gốc của phạm vi (tỉnh, xã…)"),
            ),
            YEAR_PARAMETER,
            OpenApiParameter(
                "limit", OpenApiTypes.INT, description=gettext_lazy("Số đơn vị mỗi trang")
            ),
            OpenApiParameter(
                "offset", OpenApiTypes.INT, description=gettext_lazy("Vị trí bắt đầu")
            ),
        ],
        responses={
            200: ScopeEvaluationSerializer,
            400: OpenApiResponse(description=gettext_lazy("Thiếu hoặc sai tham số")),
            404: OpenApiResponse(description=gettext_lazy("Ngoài phạm vi quản lý hoặc không có")),
        },
    )
    def get(self, request: Request) -> Response:
        query = parse(ScopeQuery, request)
        root = visible_unit(request, query["scope"].strip(), query["year"])
        data = scope_dict(root, evaluate_scope(root, query["year"]))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(data.pop("units"), request, view=self)  # type: ignore[arg-type]
        data.update(
            count=paginator.count,
            next=paginator.get_next_link(),
            previous=paginator.get_previous_link(),
            results=page,
        )
        return Response(ScopeEvaluationSerializer(data).data)
