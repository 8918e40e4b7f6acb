"""What a province configures without code: interpretation settings and add-on criteria."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antt.core.scoping import ScopedQuerySet


class AddonCriterionQuerySet(ScopedQuerySet["ProvinceAddonCriterion"]):
    unit_path_lookup = "province__path"


class InterpretationSetting(models.Model):
    """A choice on one of the law's open questions (REGULATION.md §13), nationally or for one
    province, for all years or from one year on. The most specific row wins."""

    criteria_set = models.CharField(_("bộ tiêu chí"), max_length=32, default="tt124-2021")
    key = models.CharField(_("thiết lập"), max_length=64)
    value = models.CharField(_("giá trị"), max_length=64)
    province = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "province"},
        related_name="+",
        verbose_name=_("tỉnh (để trống: toàn quốc)"),
    )
    year_from = models.PositiveSmallIntegerField(_("áp dụng từ năm"), null=True, blank=True)
    note = models.CharField(_("căn cứ, ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("cách hiểu quy định")
        verbose_name_plural = _("cách hiểu quy định")
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "key", "province", "year_from"],
                name="interpretation_setting_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class ProvinceAddonCriterion(models.Model):
    """Art. 8.1: “tiêu chí khác do UBND tỉnh quy định”, ANDed with the national set.
    Judged by the meeting (the province's text rarely reduces to a count)."""

    province = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "province"},
        related_name="addon_criteria",
        verbose_name=_("tỉnh"),
    )
    code = models.CharField(_("mã tiêu chí"), max_length=16)
    text = models.TextField(_("nội dung"))
    reference = models.CharField(_("căn cứ (số quyết định của UBND tỉnh)"), max_length=255)
    kinds = models.JSONField(_("áp dụng cho loại đơn vị"), default=list)
    year_from = models.PositiveSmallIntegerField(_("từ năm"))
    year_to = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)

    objects = AddonCriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiêu chí bổ sung của tỉnh")
        verbose_name_plural = _("tiêu chí bổ sung của tỉnh")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "code", "year_from"], name="addon_criterion_unique"
            ),
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year_to__gte=models.F("year_from")),
                name="addon_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.province}"
