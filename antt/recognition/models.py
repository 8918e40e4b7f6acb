"""The yearly cycle: registration → assessment → dossier → appraisal → decision → certificate.

Nothing is deleted: a returned dossier keeps its history, an annulled decision stays with its
reason, a superseded assessment stays behind the current one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antt.core.scoping import ScopedQuerySet
from antt.recognition.workflow import STATE_LABELS, State

STATE_CHOICES = [(s.value, label) for s, label in STATE_LABELS.items()]


class Level(models.TextChoices):
    COMMUNE = "commune", _("Cấp xã")
    DISTRICT = "district", _("Cấp huyện")
    PROVINCE = "province", _("Cấp tỉnh")
    MINISTRY = "ministry", _("Bộ Công an")


class Result(models.TextChoices):
    MET = "met", _("Đạt")
    NOT_MET = "not_met", _("Chưa đạt")
    PENDING = "pending", _("Chưa có kết quả")


class AuthorityRule(models.Model):
    """Who appraises and who decides (Art. 9–10), effective-dated, editable by an administrator.

    unit kind × managing level × date range → appraising body, deciding body, its level in the
    tree (whose people act), signer and deadline. After 01/07/2025 the rows are the project's
    documented reading, marked unconfirmed until the amended text (TT 48/2025) is known.
    """

    unit_kind = models.CharField(_("loại đơn vị"), max_length=20)
    managing_level = models.CharField(
        _("cấp quản lý"), max_length=20, blank=True, help_text=_("Để trống: mọi cấp quản lý.")
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    appraising_body = models.CharField(_("cơ quan thẩm định"), max_length=255)
    deciding_body = models.CharField(_("cơ quan quyết định, cấp giấy"), max_length=255)
    deciding_level = models.CharField(_("cấp quyết định"), max_length=10, choices=Level.choices)
    signer_title = models.CharField(_("chức danh người ký"), max_length=120)
    deadline_month = models.PositiveSmallIntegerField(_("hạn: tháng"))
    deadline_day = models.PositiveSmallIntegerField(_("hạn: ngày"))
    legal_basis = models.CharField(_("căn cứ"), max_length=255)
    confirmed = models.BooleanField(_("đã có văn bản xác nhận"), default=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("thẩm quyền xét duyệt, công nhận")
        verbose_name_plural = _("thẩm quyền xét duyệt, công nhận")
        ordering = ["unit_kind", "managing_level", "valid_from"]

    def __str__(self) -> str:
        return f"{self.unit_kind}/{self.managing_level or '*'}: {self.deciding_body}"

    def deadline(self, year: int) -> dt.date:
        return dt.date(year, self.deadline_month, self.deadline_day)


class RegistrationQuerySet(ScopedQuerySet["Registration"]):
    unit_path_lookup = "unit__path"

    def for_year(self, year: int) -> RegistrationQuerySet:
        return self.filter(year=year)


class Registration(models.Model):
    """One unit in one year: the aggregate the cycle moves and the reports count."""

    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("đơn vị"),
    )
    year = models.PositiveSmallIntegerField(_("năm"), db_index=True)
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=STATE_CHOICES, default=State.REGISTERED
    )
    result = models.CharField(
        _("kết quả"), max_length=8, choices=Result.choices, default=Result.PENDING
    )
    criteria_set = models.CharField(_("bộ tiêu chí"), max_length=32)
    # Copied at creation so reports group by them without walking the tree (a unit's province
    # and commune at that date; ``unit_kind`` as it was).
    unit_kind = models.CharField(_("loại đơn vị"), max_length=20, db_index=True)
    province = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tỉnh"),
    )
    commune = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã"),
    )
    district = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("huyện (trước 01/7/2025)"),
    )
    # The same place in today's geography (through the old → new mapping, default successor for
    # a split commune): reports over years before the 2025 reform group by these.
    current_province = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tỉnh (địa giới hiện nay)"),
    )
    current_commune = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã (địa giới hiện nay)"),
    )
    authority = models.ForeignKey(
        AuthorityRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thẩm quyền áp dụng"),
    )
    registered_on = models.DateField(_("ngày đăng ký"), null=True, blank=True)
    households_registered = models.PositiveIntegerField(_("số hộ đăng ký"), null=True, blank=True)
    imported = models.BooleanField(
        _("nhập từ hồ sơ giấy"),
        default=False,
        help_text=_("Kết quả lịch sử nhập từ hồ sơ giấy, không đi qua quy trình."),
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người đăng ký"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    submitted_at = models.DateTimeField(_("gửi hồ sơ lúc"), null=True, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("đăng ký phấn đấu")
        verbose_name_plural = _("đăng ký phấn đấu")
        ordering = ["year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="registration_unit_year"),
        ]
        indexes = [
            models.Index(
                fields=["year", "province", "unit_kind", "result"], name="registration_report"
            ),
            models.Index(fields=["year", "commune", "state"], name="registration_worklist"),
            # Covers the reports' counts (reports.statistics.registration_counts) of the country
            # per province and of a province per commune: they read the index only.
            models.Index(
                fields=[
                    "year",
                    "current_province",
                    "current_commune",
                    "unit_kind",
                    "result",
                    "imported",
                ],
                name="registration_report_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.year}"


class Assessment(models.Model):
    """The unit's own meeting (Art. 9.1) — or a written consultation — with the engine's
    verdicts frozen at that moment: later edits of the records never rewrite it."""

    class Mode(models.TextChoices):
        MEETING = "meeting", _("Họp")
        WRITTEN = "written_consultation", _("Lấy ý kiến bằng văn bản")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("đăng ký"),
    )
    mode = models.CharField(
        _("hình thức"), max_length=24, choices=Mode.choices, default=Mode.MEETING
    )
    held_on = models.DateField(_("ngày họp"))
    chair = models.CharField(_("chủ trì"), max_length=150)
    participants = models.JSONField(_("thành phần tham dự"), default=list)
    evaluation = models.JSONField(_("kết quả đánh giá theo tiêu chí (bản chốt)"))
    result = models.CharField(_("kết quả"), max_length=8, choices=Result.choices)
    conclusion = models.TextField(_("kết luận"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("cuộc họp đánh giá")
        verbose_name_plural = _("cuộc họp đánh giá")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.registration} — {self.held_on:%d/%m/%Y}"


class DossierReview(models.Model):
    """The standing office's act on a submitted dossier: returned (with reasons per criterion)
    or appraised."""

    class Outcome(models.TextChoices):
        RETURNED = "returned", _("Trả lại")
        APPRAISED = "appraised", _("Thẩm định đạt yêu cầu")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("đăng ký"),
    )
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices)
    mode = models.CharField(
        _("hình thức thẩm định"),
        max_length=24,
        choices=Assessment.Mode.choices,
        default=Assessment.Mode.MEETING,
    )
    reasons = models.JSONField(_("lý do theo tiêu chí"), default=dict, blank=True)
    note = models.TextField(_("ý kiến"), blank=True)
    proposal = models.CharField(_("đề xuất"), max_length=8, choices=Result.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thẩm định"),
    )
    reviewed_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("thẩm định hồ sơ")
        verbose_name_plural = _("thẩm định hồ sơ")
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.registration} — {self.get_outcome_display()}"


class DecisionQuerySet(ScopedQuerySet["Decision"]):
    unit_path_lookup = "issuing_unit__path"


class Decision(models.Model):
    """Quyết định công nhận: one document listing many units (met or not met)."""

    class Status(models.TextChoices):
        VALID = "valid", _("Có hiệu lực")
        ANNULLED = "annulled", _("Đã hủy bỏ")

    number = models.CharField(_("số quyết định"), max_length=64)
    signed_on = models.DateField(_("ngày ký"))
    year = models.PositiveSmallIntegerField(_("năm công nhận"))
    issuing_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("đơn vị hành chính ban hành"),
    )
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=255)
    signer_name = models.CharField(_("người ký"), max_length=150)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    annulled_on = models.DateField(_("ngày hủy bỏ"), null=True, blank=True)
    annul_reason = models.TextField(_("lý do hủy bỏ"), blank=True)
    annul_reference = models.CharField(_("văn bản hủy bỏ"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người lập"),
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định công nhận")
        verbose_name_plural = _("quyết định công nhận")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuing_unit", "number"], name="decision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"


class DecisionItem(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="items")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="decision_items"
    )
    result = models.CharField(_("kết quả"), max_length=8, choices=Result.choices)

    class Meta:
        verbose_name = _("đơn vị trong quyết định")
        verbose_name_plural = _("đơn vị trong quyết định")
        constraints = [
            models.UniqueConstraint(fields=["decision", "registration"], name="decision_item"),
        ]

    def __str__(self) -> str:
        return f"{self.decision} — {self.registration}"


# What a certificate says once issued. A change is an annulment and a new certificate
# (``services.replace_certificate``); only the annulment fields may still be written.
CERTIFICATE_CONTENT = (
    "registration",
    "decision",
    "issuing_unit",
    "year",
    "serial",
    "number",
    "verification_code",
    "issued_on",
)
_FOREIGN_KEYS = ("registration", "decision", "issuing_unit")
_ATTNAMES = {name: f"{name}_id" if name in _FOREIGN_KEYS else name for name in CERTIFICATE_CONTENT}
_CONTENT_NAMES = frozenset([*_ATTNAMES, *_ATTNAMES.values()])


class CertificateChangeRefused(ValidationError):
    """An issued certificate's content cannot change, it is never deleted, and an annulment is
    final."""


def _refuse(fields: Iterable[str]) -> CertificateChangeRefused:
    return CertificateChangeRefused(
        _(
            "Giấy công nhận đã cấp không được sửa (%(fields)s). Muốn thay đổi nội dung, hãy hủy "
            "bỏ giấy này và cấp giấy mới."
        )
        % {"fields": ", ".join(sorted(fields))}
    )


class CertificateQuerySet(ScopedQuerySet["Certificate"]):
    unit_path_lookup = "registration__unit__path"

    def update(self, **kwargs: Any) -> int:
        content = set(kwargs) & _CONTENT_NAMES
        if content:
            raise _refuse(content)
        if "status" in kwargs and kwargs["status"] != Certificate.Status.ANNULLED:
            raise _refuse(["status"])
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise CertificateChangeRefused(_("Giấy công nhận không bao giờ bị xóa; chỉ có thể hủy bỏ."))


class Certificate(models.Model):
    """Giấy công nhận: numbered per issuing body and year without gaps, verifiable publicly."""

    class Status(models.TextChoices):
        VALID = "valid", _("Còn hiệu lực")
        ANNULLED = "annulled", _("Đã bị hủy bỏ")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="certificates")
    issuing_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị hành chính cấp"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    serial = models.PositiveIntegerField(_("số thứ tự"))
    number = models.CharField(_("số giấy"), max_length=64)
    verification_code = models.CharField(_("mã xác minh"), max_length=32, unique=True)
    issued_on = models.DateField(_("ngày cấp"))
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    annulled_on = models.DateField(_("ngày hủy bỏ"), null=True, blank=True)
    annul_reason = models.TextField(_("lý do hủy bỏ"), blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy công nhận")
        verbose_name_plural = _("giấy công nhận")
        ordering = ["issuing_unit", "year", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_unit", "year", "serial"], name="certificate_serial"
            ),
            models.UniqueConstraint(
                fields=["registration"], condition=Q(status="valid"), name="one_valid_certificate"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk is not None:
            row = Certificate.objects.filter(pk=self.pk).values(*_ATTNAMES.values(), "status")
            stored = row.first()
            if stored is not None:
                changed = [
                    name
                    for name, attname in _ATTNAMES.items()
                    if stored[attname] != getattr(self, attname)
                ]
                if changed:
                    raise _refuse(changed)
                if stored["status"] == self.Status.ANNULLED and self.status != stored["status"]:
                    raise _refuse(["status"])
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise CertificateChangeRefused(_("Giấy công nhận không bao giờ bị xóa; chỉ có thể hủy bỏ."))


class DocumentQuerySet(ScopedQuerySet["Document"]):
    unit_path_lookup = "unit__path"


class Document(models.Model):
    """A file in a dossier, uploaded or generated: typed, checksummed, never served outside the
    jurisdiction of its unit."""

    class Kind(models.TextChoices):
        PARTY_RESOLUTION = "party_resolution", _("Nghị quyết")
        SECURITY_PLAN = "security_plan", _("Kế hoạch bảo đảm ANTT")
        PLEDGE = "pledge", _("Bản đăng ký phấn đấu")
        SUBMISSION = "submission", _("Tờ trình")
        RESULTS_REPORT = "results_report", _("Báo cáo kết quả")
        MEETING_MINUTES = "meeting_minutes", _("Biên bản họp")
        SUPPORTING = "supporting", _("Tài liệu khác")
        DECISION = "decision", _("Quyết định công nhận")
        CERTIFICATE = "certificate", _("Giấy công nhận")

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="documents")
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("loại tài liệu"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("tệp"), upload_to="documents/%Y/%m/")
    filename = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("định dạng"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng"))
    sha256 = models.CharField(_("mã kiểm tra SHA-256"), max_length=64)
    generated = models.BooleanField(_("do hệ thống tạo"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class CertificateCounter(models.Model):
    """The last certificate number given by one issuing body in one year (gap-free numbering)."""

    issuing_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuing_unit", "year"], name="certificate_counter")
        ]

    def __str__(self) -> str:
        return f"{self.issuing_unit_id}/{self.year}: {self.last}"
