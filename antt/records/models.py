"""What evidence is made of: the incident register, yearly facts, discipline, judgements.

Nothing here is deleted: a wrong incident is voided with a reason, a judgement is superseded by a
newer one. Every row names who recorded it.
"""

from __future__ import annotations

from typing import Generic, Self, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from antt.core.scoping import ScopedQuerySet
from antt.standards.vocab import (
    CRIME_GRAVITY,
    DISCIPLINE_GROUPS,
    DISCIPLINE_LEVELS,
    INCIDENT_CATEGORIES,
)

CATEGORY_CHOICES = [(k, v[:1].upper() + v[1:]) for k, v in INCIDENT_CATEGORIES.items()]
GRAVITY_CHOICES = [(k, label.capitalize()) for k, (_rank, label) in CRIME_GRAVITY.items()]
DISCIPLINE_LEVEL_CHOICES = [(k, label.capitalize()) for k, (_r, label) in DISCIPLINE_LEVELS.items()]
DISCIPLINE_GROUP_CHOICES = [(k, v[:1].upper() + v[1:]) for k, v in DISCIPLINE_GROUPS.items()]


_M = TypeVar("_M", bound=models.Model)


class UnitScopedQuerySet(ScopedQuerySet[_M], Generic[_M]):
    unit_path_lookup = "unit__path"


class VoidableQuerySet(UnitScopedQuerySet[_M], Generic[_M]):
    def active(self) -> Self:
        return self.filter(voided_at__isnull=True)


class IncidentQuerySet(VoidableQuerySet["Incident"]):
    """The incident register, scoped by unit."""


class YearFactsQuerySet(UnitScopedQuerySet["YearFacts"]):
    """Yearly facts, scoped by unit."""


class DisciplinaryActionQuerySet(VoidableQuerySet["DisciplinaryAction"]):
    """Disciplinary actions, scoped by unit."""


class JudgementQuerySet(UnitScopedQuerySet["CriterionJudgement"]):
    """Criterion judgements, scoped by unit."""


class Incident(models.Model):
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("đơn vị")
    )
    date = models.DateField(_("ngày xảy ra"), db_index=True)
    category = models.CharField(_("loại vụ việc"), max_length=48, choices=CATEGORY_CHOICES)
    gravity = models.CharField(
        _("mức độ tội phạm"), max_length=24, choices=GRAVITY_CHOICES, blank=True
    )
    deaths = models.PositiveSmallIntegerField(_("số người chết"), null=True, blank=True)
    discipline_level = models.CharField(
        _("hình thức kỷ luật đã áp dụng"),
        max_length=24,
        choices=DISCIPLINE_LEVEL_CHOICES,
        blank=True,
        help_text=_("Với vụ việc của cán bộ, người lao động, người dạy, người học."),
    )
    description = models.CharField(_("tóm tắt"), max_length=500, blank=True)
    # D14: these two flags are a person's decision, recorded with its author and reason.
    force_majeure = models.BooleanField(_("bất khả kháng"), default=False)
    handled_properly = models.BooleanField(
        _("phát hiện kịp thời, hạn chế hậu quả, báo cáo ngay"), default=False
    )
    flags_reason = models.CharField(_("căn cứ xác định"), max_length=500, blank=True)
    flags_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người xác định"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now_add=True)
    voided_at = models.DateTimeField(_("thời điểm hủy"), null=True, blank=True)
    void_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("vụ việc")
        verbose_name_plural = _("sổ vụ việc")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"], name="incident_unit_date")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} — {self.date:%d/%m/%Y}"


class YearFacts(models.Model):
    """The yearly facts of one unit, keyed by the names of the standards' fact catalogue."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="year_facts", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    data = models.JSONField(_("số liệu"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người cập nhật"),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = YearFactsQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu năm")
        verbose_name_plural = _("số liệu năm")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="year_facts_unique")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.year}"


class DisciplinaryAction(models.Model):
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="disciplinary_actions",
        verbose_name=_("đơn vị"),
    )
    date = models.DateField(_("ngày quyết định kỷ luật"))
    group = models.CharField(_("thuộc lực lượng"), max_length=24, choices=DISCIPLINE_GROUP_CHOICES)
    level = models.CharField(_("hình thức"), max_length=24, choices=DISCIPLINE_LEVEL_CHOICES)
    person = models.CharField(_("người bị kỷ luật"), max_length=150, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now_add=True)
    voided_at = models.DateTimeField(_("thời điểm hủy"), null=True, blank=True)
    void_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True)

    objects = DisciplinaryActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("kỷ luật")
        verbose_name_plural = _("kỷ luật")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} — {self.date:%d/%m/%Y}"


class JudgementVerdict(models.TextChoices):
    MET = "met", _("Đạt")
    NOT_MET = "not_met", _("Không đạt")


class CriterionJudgement(models.Model):
    """A person's verdict on one criterion for one unit and year: a judgement the law leaves to
    the meeting, or an override of a computed verdict (then the reason is mandatory).
    The newest row per (unit, year, code) is in force; older ones stay as history."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="judgements", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    criterion_code = models.CharField(_("tiêu chí"), max_length=16)
    verdict = models.CharField(_("kết luận"), max_length=8, choices=JudgementVerdict.choices)
    override = models.BooleanField(_("điều chỉnh kết quả tính toán"), default=False)
    reason = models.CharField(_("lý do"), max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    recorded_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    objects = JudgementQuerySet.as_manager()

    class Meta:
        verbose_name = _("đánh giá tiêu chí")
        verbose_name_plural = _("đánh giá tiêu chí")
        ordering = ["unit", "year", "criterion_code", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["unit", "year"], name="judgement_unit_year")]

    def __str__(self) -> str:
        return f"{self.criterion_code}: {self.get_verdict_display()}"
