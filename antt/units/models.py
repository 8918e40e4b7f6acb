from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from antt.units import eligibility
from antt.units.querysets import UnitQuerySet


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Huyện, quận, thị xã, thành phố thuộc tỉnh")
    COMMUNE = "commune", _("Xã, phường, đặc khu")
    RESIDENTIAL_AREA = "residential_area", _("Khu dân cư")
    AGENCY = "agency", _("Cơ quan")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    SCHOOL = "school", _("Cơ sở giáo dục")


ADMINISTRATIVE_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)
ORGANISATION_KINDS = (UnitKind.AGENCY, UnitKind.ENTERPRISE, UnitKind.SCHOOL)

# Which kinds may stand directly under which: the tree is checked on every write.
ALLOWED_PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    UnitKind.PROVINCE: (None,),
    UnitKind.DISTRICT: (UnitKind.PROVINCE,),
    UnitKind.COMMUNE: (UnitKind.PROVINCE, UnitKind.DISTRICT),
    UnitKind.RESIDENTIAL_AREA: (UnitKind.COMMUNE,),
    UnitKind.AGENCY: (UnitKind.COMMUNE, UnitKind.DISTRICT, UnitKind.PROVINCE),
    UnitKind.ENTERPRISE: (UnitKind.COMMUNE, UnitKind.DISTRICT, UnitKind.PROVINCE),
    UnitKind.SCHOOL: (UnitKind.COMMUNE, UnitKind.DISTRICT, UnitKind.PROVINCE),
}


class ManagingLevel(models.TextChoices):
    COMMUNE = "commune", _("Cấp xã")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")
    PROVINCE = "province", _("Cấp tỉnh")
    MINISTRY = "ministry", _("Bộ, ngành trung ương")


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", _("Siêu nhỏ")
    SMALL = "small", _("Nhỏ")
    MEDIUM = "medium", _("Vừa")
    LARGE = "large", _("Lớn")


class EducationLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Mầm non, nhà trẻ")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    MULTI_LEVEL = "multi_level", _("Nhiều cấp học")
    VOCATIONAL = "vocational", _("Giáo dục nghề nghiệp")
    HIGHER = "higher", _("Đại học, cao đẳng")


class UnitSource(models.TextChoices):
    OFFICIAL = "official", _("Danh mục hành chính chính thức")
    IMPORT = "import", _("Nhập từ tệp")
    MANUAL = "manual", _("Nhập tay")
    DEMO = "demo", _("Dữ liệu minh hoạ")


class Unit(models.Model):
    """One node of the single tree: province → (district) → commune → areas and organisations."""

    code = models.CharField(_("mã"), max_length=40, db_index=True)
    name = models.CharField(_("tên"), max_length=255)
    name_folded = models.CharField(
        _("tên không dấu"), max_length=255, db_index=True, editable=False
    )
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices, db_index=True)
    subtype = models.CharField(
        _("loại hình"),
        max_length=40,
        blank=True,
        help_text=_("xã/phường/đặc khu, thôn/tổ dân phố…"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("đường dẫn"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("cấp trong cây"), editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    managing_level = models.CharField(
        _("cấp quản lý"), max_length=20, choices=ManagingLevel.choices, blank=True
    )
    enterprise_size = models.CharField(
        _("quy mô doanh nghiệp"), max_length=10, choices=EnterpriseSize.choices, blank=True
    )
    education_level = models.CharField(
        _("cấp học"), max_length=20, choices=EducationLevel.choices, blank=True
    )
    has_party_org = models.BooleanField(_("có tổ chức Đảng"), null=True, blank=True)
    is_armed_forces = models.BooleanField(_("thuộc lực lượng vũ trang"), default=False)

    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    source = models.CharField(
        _("nguồn"), max_length=10, choices=UnitSource.choices, default=UnitSource.MANUAL
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_valid_from"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_from__isnull=True), name="unit_code_open_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "kind"], name="unit_parent_kind"),
            # Covers the reports' count of eligible units (reports.statistics.eligible_counts):
            # an index scan instead of a table scan at 250,000 units.
            models.Index(
                fields=[
                    "kind",
                    "valid_from",
                    "valid_to",
                    "enterprise_size",
                    "education_level",
                    "is_armed_forces",
                    "parent",
                    "path",
                ],
                name="unit_eligible_cover",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @cached_property
    def eligibility(self) -> eligibility.Eligibility:
        return eligibility.assess(
            kind=self.kind,
            enterprise_size=self.enterprise_size,
            education_level=self.education_level,
            is_armed_forces=self.is_armed_forces,
        )

    @property
    def is_legacy(self) -> bool:
        return self.valid_to is not None and self.valid_to < dt.date(2025, 7, 1)


class UnitSuccession(models.Model):
    """Old unit → new unit across a reorganisation (the 2025 reform). A split has several rows."""

    predecessor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="successions", verbose_name=_("đơn vị cũ")
    )
    successor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="predecessions", verbose_name=_("đơn vị mới")
    )
    effective_date = models.DateField(_("ngày hiệu lực"))
    is_default = models.BooleanField(
        _("đơn vị mới mặc định"),
        default=True,
        help_text=_("Với xã bị chia tách: nơi thống kê được tính về khi không có lựa chọn khác."),
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_pair")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
