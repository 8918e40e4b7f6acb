"""REST API v1 for the statistics: one year (``/reports/summary/``) and several years
(``/reports/review/``), as JSON or — ``?format=xlsx|docx|pdf`` — as the exporters' file.

The scope is looked up in ``Unit.objects.visible_to(request.user)``: a scope outside the user's
jurisdiction is 404, like a code that does not exist; the whole country (``VN``, the default) is
only for nationwide users. The dictionaries are ``antt.reports.statistics.summary`` and
``antt.reports.review.review``, also printed by ``antt report … --format json``; the serializers
below document them in the schema and shape every response.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.reports import statistics
from antt.reports.review import YearsError, parse_years, review
from antt.reports.statistics import FILE_FORMATS, GEOGRAPHIES, NATIONAL_CODE, Scope
from antt.units.models import Unit

__all__ = ["FIRST_YEAR", "ReviewView", "SummaryView", "visible_scope"]

FIRST_YEAR = 2012  # TT 23/2012 applies from 11/06/2012


# --- files ---------------------------------------------------------------------------------------


class _FileRenderer(BaseRenderer):
    """Lets ``?format=xlsx`` (or the Accept header) choose a file; the view builds the bytes."""

    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        return data if isinstance(data, bytes) else b""


class XlsxRenderer(_FileRenderer):
    media_type = FILE_FORMATS["xlsx"]
    format = "xlsx"


class DocxRenderer(_FileRenderer):
    media_type = FILE_FORMATS["docx"]
    format = "docx"


class PdfRenderer(_FileRenderer):
    media_type = FILE_FORMATS["pdf"]
    format = "pdf"


# --- serializers (schema and shape) --------------------------------------------------------------
# Plain strings rather than choice fields where other apps' enums of the same name would collide.


class ReportRowSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(
        help_text=gettext_lazy(
            "residential_area, commune, agency, enterprise, school hoặc organization (cơ quan, "
            "doanh nghiệp, cơ sở giáo dục gộp lại)"
        )
    )
    kind_label = serializers.CharField()
    eligible = serializers.IntegerField(help_text=gettext_lazy("Số đơn vị thuộc đối tượng"))
    registered = serializers.IntegerField(help_text=gettext_lazy("Số đơn vị đã đăng ký"))
    met = serializers.IntegerField(help_text=gettext_lazy("Số đơn vị đạt"))
    not_met = serializers.IntegerField(help_text=gettext_lazy("Số đơn vị chưa đạt"))
    pending = serializers.IntegerField(help_text=gettext_lazy("Đã đăng ký, chưa có kết quả"))
    rate = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("met / registered; null khi chưa có đăng ký")
    )
    rate_display = serializers.CharField(help_text=gettext_lazy("Ví dụ “97,75%”"))
    rate_eligible = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("met / eligible (nếu báo cáo chọn mẫu số này)")
    )
    rate_eligible_display = serializers.CharField()


class ReportScopeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text=gettext_lazy("Mã đơn vị; VN là toàn quốc"))
    name = serializers.CharField()
    kind = serializers.CharField()
    level = serializers.CharField(
        help_text=gettext_lazy("national, province, district, commune hoặc unit")
    )
    geography = serializers.CharField(
        help_text=gettext_lazy(
            "current: địa giới hiện nay (qua bảng chuyển đổi); historical: địa giới trước 01/7/2025"
        )
    )
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)


class ReportWindowSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    criteria_set = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    assumed = serializers.BooleanField()


class ReportCriteriaSetSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    short_title = serializers.CharField()
    title = serializers.CharField()
    windows = ReportWindowSerializer(many=True)


class FailedCriterionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    explanation = serializers.CharField()
    points = serializers.ListField(child=serializers.CharField())


class ReportUnitSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    registered = serializers.BooleanField()
    state = serializers.CharField(allow_null=True)
    state_label = serializers.CharField()
    result = serializers.CharField(allow_null=True, help_text=gettext_lazy("met, not_met, pending"))
    result_label = serializers.CharField()
    imported = serializers.BooleanField(help_text=gettext_lazy("Kết quả nhập từ hồ sơ giấy"))
    criteria_set = serializers.CharField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    failed_criteria = serializers.ListField(child=serializers.CharField())
    failed_points = serializers.ListField(child=serializers.CharField())
    failed_details = FailedCriterionSerializer(many=True)
    note = serializers.CharField(allow_blank=True)


class ReportChildSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("null: đơn vị không thuộc đơn vị con nào")
    )
    name = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    geography = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    rows = ReportRowSerializer(many=True)
    units = ReportUnitSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("Phạm vi tỉnh, huyện: các đơn vị chưa đạt của đơn vị con"),
    )


class ReportSummarySerializer(serializers.Serializer[Any]):
    """Kết quả một năm của một phạm vi: theo loại đơn vị và theo đơn vị con."""

    year = serializers.IntegerField()
    scope = ReportScopeSerializer()
    legal_basis = serializers.CharField(help_text=gettext_lazy("Ví dụ “TT 124/2021”"))
    criteria_set = ReportCriteriaSetSerializer()
    denominator = serializers.CharField(help_text=gettext_lazy("Mẫu số của rate: registered"))
    denominator_label = serializers.CharField()
    rows = ReportRowSerializer(many=True)
    children = ReportChildSerializer(many=True)
    units = ReportUnitSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("Phạm vi xã hoặc một đơn vị: mọi đơn vị, đã đăng ký hay chưa"),
    )
    notes = serializers.ListField(child=serializers.CharField())
    generated_at = serializers.DateTimeField()


class ReportBreakSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text=gettext_lazy("criteria_change hoặc reform_2025"))
    years = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2)
    message = serializers.CharField()


class ReportYearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    legal_basis = serializers.CharField()
    criteria_set = ReportCriteriaSetSerializer()
    breaks = serializers.ListField(
        child=serializers.CharField(),
        help_text=gettext_lazy("Các mốc gián đoạn giữa năm trước trong chuỗi và năm này"),
    )
    rows = ReportRowSerializer(many=True)


class ReportReviewSerializer(serializers.Serializer[Any]):
    """Sơ kết, tổng kết nhiều năm: từng năm với căn cứ pháp lý, và cảnh báo gián đoạn."""

    years = serializers.ListField(child=serializers.IntegerField())
    scope = ReportScopeSerializer()
    denominator = serializers.CharField()
    denominator_label = serializers.CharField()
    series = ReportYearSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    breaks = ReportBreakSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    generated_at = serializers.DateTimeField()


# --- query parameters ----------------------------------------------------------------------------


def last_year() -> int:
    return timezone.localdate().year


class _ScopeQuery(serializers.Serializer[Any]):
    scope = serializers.CharField(max_length=40, required=False, default=NATIONAL_CODE)
    geography = serializers.ChoiceField(
        choices=GEOGRAPHIES,
        required=False,
        default="auto",
        error_messages={"invalid_choice": gettext_lazy("Chỉ nhận auto, current hoặc historical.")},
    )


class SummaryQuery(_ScopeQuery):
    year = serializers.IntegerField(
        min_value=FIRST_YEAR,
        error_messages={
            "required": gettext_lazy("Thiếu năm báo cáo (?year=YYYY)."),
            "invalid": gettext_lazy("Năm báo cáo phải là một số, ví dụ 2024."),
            "min_value": gettext_lazy("Năm báo cáo phải từ {min_value} trở đi."),
        },
    )

    def validate_year(self, value: int) -> int:
        if value > last_year():
            raise serializers.ValidationError(
                _("Năm báo cáo không được sau năm hiện tại (%(year)s).") % {"year": last_year()}
            )
        return value


class ReviewQuery(_ScopeQuery):
    years = serializers.CharField(
        error_messages={"required": gettext_lazy("Thiếu các năm (?years=2021-2025).")}
    )

    def validate_years(self, value: str) -> list[int]:
        try:
            years = parse_years(value, FIRST_YEAR, last_year())
        except YearsError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if not years:  # ";" or "," alone: no year at all (a 500 found by the schemathesis run)
            raise serializers.ValidationError(_("Thiếu các năm (?years=2021-2025)."))
        return years


SCOPE_PARAMETERS = [
    OpenApiParameter(
        "scope",
        OpenApiTypes.STR,
        description=gettext_lazy(
            "Mã đơn vị (tỉnh, xã, huyện cũ, khu dân cư…); mặc định VN: toàn quốc (chỉ người dùng "
            "toàn quốc). Ngoài phạm vi quản lý: 404."
        ),
    ),
    OpenApiParameter(
        "geography",
        OpenApiTypes.STR,
        enum=list(GEOGRAPHIES),
        description=gettext_lazy(
            "auto (mặc định): đơn vị mang mã này hiện nay, nếu không có thì đơn vị của năm báo "
            "cáo; current: đơn vị hiện nay; historical: đơn vị của năm báo cáo (địa giới cũ)."
        ),
    ),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", *FILE_FORMATS],
        description=gettext_lazy("json (mặc định) hoặc tệp xlsx, docx, pdf"),
    ),
]
FILE_RESPONSES = {
    (200, media): OpenApiResponse(OpenApiTypes.BINARY, description=f"Tệp {fmt.upper()}")
    for fmt, media in FILE_FORMATS.items()
}
ERROR_RESPONSES = {
    400: OpenApiResponse(description=gettext_lazy("Thiếu hoặc sai tham số")),
    404: OpenApiResponse(description=gettext_lazy("Ngoài phạm vi quản lý hoặc không có")),
    503: OpenApiResponse(description=gettext_lazy("Chưa cài đặt bộ xuất tệp")),
}


# --- views ---------------------------------------------------------------------------------------


def visible_scope(request: Request, code: str, year: int, geography: str) -> Scope:
    user: Any = request.user
    scope = statistics.find_scope(
        code,
        year,
        units=Unit.objects.visible_to(user),
        nationwide=user.jurisdiction_paths() is None,
        geography=geography,
    )
    if scope is None:
        raise exceptions.NotFound(
            _(
                "Không tìm thấy đơn vị mã “%(code)s” trong năm %(year)s trong phạm vi quản lý "
                "của bạn."
            )
            % {"code": code, "year": year}
        )
    return scope


def _query(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    # An empty parameter means the same as none. ``format`` is the renderer's business.
    data = {k: v for k, v in request.query_params.items() if str(v).strip() and k != "format"}
    incoming = serializer_class(data=data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


class _ReportView(APIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, XlsxRenderer, DocxRenderer, PdfRenderer]
    report = ""

    def handle_exception(self, exc: Exception) -> Response:
        # An error is JSON, whatever file was asked for.
        if getattr(self.request, "accepted_renderer", None) is not None and (
            self.request.accepted_renderer.format in FILE_FORMATS
        ):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def respond(self, request: Request, data: dict[str, Any], shape: Any) -> Any:
        fmt = request.accepted_renderer.format
        if fmt not in FILE_FORMATS:
            return Response(shape(data).data)
        try:
            content = statistics.export(self.report, fmt, data)
        except statistics.ExportUnavailable as exc:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(content, content_type=FILE_FORMATS[fmt])
        name = statistics.file_name(self.report, data, fmt)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class SummaryView(_ReportView):
    """Thống kê một năm cho một phạm vi."""

    report = "summary"

    @extend_schema(
        summary=gettext_lazy(
            "Thống kê một năm: theo loại đơn vị (thuộc đối tượng, đăng ký, đạt, tỷ lệ) và theo "
            "đơn vị con"
        ),
        parameters=[
            OpenApiParameter(
                "year",
                OpenApiTypes.INT,
                required=True,
                description=gettext_lazy("Năm công nhận, từ 2012 đến năm hiện tại"),
            ),
            *SCOPE_PARAMETERS,
        ],
        responses={
            (200, "application/json"): ReportSummarySerializer,
            **FILE_RESPONSES,
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Any:
        query = _query(SummaryQuery, request)
        scope = visible_scope(request, query["scope"], query["year"], query["geography"])
        return self.respond(
            request, statistics.summary(scope, query["year"]), ReportSummarySerializer
        )


class ReviewView(_ReportView):
    """Sơ kết, tổng kết nhiều năm cho một phạm vi."""

    report = "review"

    @extend_schema(
        summary=gettext_lazy(
            "Nhiều năm: từng năm theo loại đơn vị, căn cứ pháp lý của năm, cảnh báo khi chuỗi đi "
            "qua năm 2021 → 2022 (đổi tiêu chí) hoặc mốc sắp xếp 01/7/2025"
        ),
        parameters=[
            OpenApiParameter(
                "years",
                OpenApiTypes.STR,
                required=True,
                description=gettext_lazy("Khoảng năm (2021-2025) hoặc danh sách (2021,2023,2025)"),
            ),
            *SCOPE_PARAMETERS,
        ],
        responses={
            (200, "application/json"): ReportReviewSerializer,
            **FILE_RESPONSES,
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Any:
        query = _query(ReviewQuery, request)
        years = query["years"]
        scope = visible_scope(request, query["scope"], years[-1], query["geography"])
        return self.respond(request, review(scope, years), ReportReviewSerializer)
