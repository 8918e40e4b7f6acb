"""A job: long work (an import, a scope's evaluation, a batch of certificates, a big export) that
a worker process (`antt run_jobs`) runs outside the web request, with its progress and result.

Jobs are seen by their owner, and by the administrators (roles that assign roles) of the unit they
concern; a job for the whole country (``unit_path`` empty) only by its owner and national admins.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from antt.accounts.rules import GRANTS, NATIONWIDE_ROLES, Action
from antt.core.scoping import ScopedQuerySet, path_filter

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from antt.accounts.models import User


class JobQuerySet(ScopedQuerySet["Job"]):
    unit_path_lookup = "unit_path"

    def visible_to(self, user: User | AnonymousUser | None) -> Self:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        grants = user.grants()  # type: ignore[union-attr]
        if any(g.role in NATIONWIDE_ROLES for g in grants):
            return self
        admin_paths = tuple(g.path for g in grants if Action.ASSIGN_ROLES in GRANTS[g.role])
        mine = models.Q(owner=user)
        if admin_paths:
            mine |= path_filter("unit_path", admin_paths)
        return self.filter(mine)


class Job(models.Model):
    class Kind(models.TextChoices):
        UNITS_IMPORT = "units_import", _("Nhập đơn vị từ tệp")
        INCIDENTS_IMPORT = "incidents_import", _("Nhập sổ vụ việc từ tệp")
        FACTS_IMPORT = "facts_import", _("Nhập số liệu hằng năm từ tệp")
        RESULTS_IMPORT = "results_import", _("Nhập kết quả công nhận từ tệp")
        EVALUATE_SCOPE = "evaluate_scope", _("Đánh giá toàn bộ đơn vị trong phạm vi")
        ISSUE_CERTIFICATES = "issue_certificates", _("Cấp giấy công nhận theo quyết định")
        REPORT_EXPORT = "report_export", _("Xuất báo cáo")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Không thành công")

    kind = models.CharField(_("loại công việc"), max_length=32, choices=Kind.choices)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    title = models.CharField(_("nội dung"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The subtree the job concerns, for scoping ("" for the whole country).
    unit_path = models.CharField(_("đường dẫn đơn vị"), max_length=255, blank=True, db_index=True)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    input_name = models.CharField(_("tệp đầu vào"), max_length=255, blank=True)
    done = models.PositiveIntegerField(_("đã làm"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), default=0)
    message = models.CharField(_("bước hiện tại"), max_length=255, blank=True)
    summary = models.JSONField(_("kết quả"), default=dict, blank=True)
    result_name = models.CharField(_("tệp kết quả"), max_length=255, blank=True)
    result_url = models.CharField(_("liên kết kết quả"), max_length=255, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    worker = models.CharField(_("tiến trình xử lý"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("tín hiệu gần nhất"), null=True, blank=True)
    retry_of = models.ForeignKey(
        "self",
        verbose_name=_("chạy lại của"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retries",
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("công việc chạy nền")
        verbose_name_plural = _("công việc chạy nền")
        indexes = [models.Index(fields=["status", "created_at"], name="jobs_status_created")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def folder(self) -> Path:
        return Path(settings.DATA_DIR) / "jobs" / str(self.pk)

    @property
    def input_path(self) -> Path:
        return self.folder / "input.bin"

    @property
    def result_path(self) -> Path | None:
        return self.folder / "result" / self.result_name if self.result_name else None

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    def summary_value(self, key: str, default: Any = None) -> Any:
        return self.summary.get(key, default) if isinstance(self.summary, dict) else default
