from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from antt.accounts.rules import NATIONWIDE_ROLES, Action, Grant, Role, can


class RoleChoice(models.TextChoices):
    NATIONAL_ADMIN = Role.NATIONAL_ADMIN.value, _("Quản trị toàn quốc")
    PROVINCE_OFFICER = Role.PROVINCE_OFFICER.value, _("Cán bộ cấp tỉnh")
    COMMUNE_OFFICER = Role.COMMUNE_OFFICER.value, _("Cán bộ cấp xã")
    UNIT_HEAD = Role.UNIT_HEAD.value, _("Trưởng khu dân cư / người đứng đầu đơn vị")
    COMMITTEE_MEMBER = Role.COMMITTEE_MEMBER.value, _("Thành viên thẩm định")
    VIEWER = Role.VIEWER.value, _("Người xem")


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)

    # Per-object caches (one request): role grants and the jurisdiction they open.
    _grants_cache: tuple[Grant, ...]
    _paths_cache: tuple[str, ...] | None

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def grants(self) -> tuple[Grant, ...]:
        """Role assignments as pure values, cached for the life of this object (one request)."""
        if not hasattr(self, "_grants_cache"):
            self._grants_cache = tuple(
                Grant(Role(role), path)
                for role, path in self.role_assignments.values_list("role", "unit__path")
            )
        return self._grants_cache

    def jurisdiction_paths(self) -> tuple[str, ...] | None:
        """Subtree roots this user may see; None means the whole country.

        A subtree of a current unit also covers the pre-2025 units it succeeded, so a province
        officer sees the history of the provinces and communes that were merged into theirs.
        """
        if hasattr(self, "_paths_cache"):
            return self._paths_cache
        grants = self.grants()
        paths: tuple[str, ...] | None
        if self.is_superuser or any(g.role in NATIONWIDE_ROLES for g in grants):
            paths = None
        else:
            from antt.units.models import UnitSuccession

            own = {g.path for g in grants}
            history = (
                set(
                    UnitSuccession.objects.filter(successor__path__in=own).values_list(
                        "predecessor__path", flat=True
                    )
                )
                if own
                else set()
            )
            paths = tuple(sorted(_minimal(own | history)))
        self._paths_cache = paths
        return paths

    def can(self, action: Action, unit_path: str) -> bool:
        if self.is_superuser:
            return True
        return can(self.grants(), action, unit_path)


def _minimal(paths: set[str]) -> set[str]:
    """Drop paths already covered by a shorter one, so the SQL has fewer ORs."""
    ordered = sorted(paths, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return set(kept)


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("người dùng"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("đơn vị (phạm vi)"),
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=RoleChoice.choices)
    created_at = models.DateTimeField(_("ngày giao"), auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="role_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
