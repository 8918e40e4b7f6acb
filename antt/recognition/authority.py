"""Editing the authority table (who appraises, who decides, by when): national administrators only.

The table is data, not code: after the 2025 reform its rows are the project's reading until the
amended circular is known, so an administrator corrects them here. Every write is validated the
same way from the API, the admin and the CLI, and audited with what changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from antt.accounts.rules import Role
from antt.core import audit
from antt.recognition.models import AuthorityRule, Level
from antt.units.eligibility import ELIGIBLE_KINDS
from antt.units.models import ManagingLevel

__all__ = ["EDITABLE_FIELDS", "can_edit_authority", "save_authority_rule"]

EDITABLE_FIELDS = (
    "unit_kind",
    "managing_level",
    "valid_from",
    "valid_to",
    "appraising_body",
    "deciding_body",
    "deciding_level",
    "signer_title",
    "deadline_month",
    "deadline_day",
    "legal_basis",
    "confirmed",
    "note",
)
REQUIRED_TEXT = ("appraising_body", "deciding_body", "signer_title", "legal_basis")
# A deadline must exist every year: 29/02 is refused, so the check uses a common year.
COMMON_YEAR = 2001


def can_edit_authority(actor: Any) -> bool:
    """Superusers, national administrators and named system actors (the CLI)."""
    if not getattr(actor, "is_authenticated", False):
        return isinstance(actor, str) and bool(actor)
    if actor.is_superuser:
        return True
    return any(g.role is Role.NATIONAL_ADMIN for g in actor.grants())


def _validate(rule: AuthorityRule) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if rule.unit_kind not in ELIGIBLE_KINDS:
        add(
            "unit_kind",
            _("Loại đơn vị phải là một trong: %(kinds)s.")
            % {"kinds": ", ".join(sorted(ELIGIBLE_KINDS))},
        )
    if rule.managing_level and rule.managing_level not in ManagingLevel.values:
        add(
            "managing_level",
            _("Cấp quản lý phải để trống hoặc là một trong: %(levels)s.")
            % {"levels": ", ".join(ManagingLevel.values)},
        )
    if rule.deciding_level not in Level.values:
        add(
            "deciding_level",
            _("Cấp quyết định phải là một trong: %(levels)s.")
            % {"levels": ", ".join(Level.values)},
        )
    try:
        dt.date(COMMON_YEAR, int(rule.deadline_month), int(rule.deadline_day))
    except (TypeError, ValueError, OverflowError):
        add(
            "deadline_day",
            _("Hạn %(day)s/%(month)s không phải là một ngày có trong mọi năm.")
            % {"day": rule.deadline_day, "month": rule.deadline_month},
        )
    if rule.valid_from and rule.valid_to and rule.valid_from > rule.valid_to:
        add("valid_to", _("Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực."))
    for field in REQUIRED_TEXT:
        if not str(getattr(rule, field) or "").strip():
            add(field, _("Trường này không được bỏ trống."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_authority_rule(
    *, actor: Any, rule: AuthorityRule | None = None, **fields: Any
) -> AuthorityRule:
    """Create a rule (``rule=None``) or change some fields of one; validated and audited.

    A rule already used by registrations keeps its row: changing it changes their deadline and
    deciding body too, which is what a correction means. To change the law from a date on, close
    the old row (``valid_to``) and create a new one.
    """
    if not can_edit_authority(actor):
        raise PermissionDenied(
            _("Chỉ quản trị toàn quốc được sửa bảng thẩm quyền xét duyệt, công nhận.")
        )
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("Trường này không sửa được.")] for name in unknown})
    creating = rule is None
    target = AuthorityRule() if rule is None else rule
    before = {} if creating else model_to_dict(target, fields=EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(target, name, value.strip() if isinstance(value, str) else value)
    _validate(target)
    after = model_to_dict(target, fields=EDITABLE_FIELDS)
    changes = audit.diff(before, after)
    if creating:
        target.save()
    elif changes:
        target.save(update_fields=sorted(changes))
    else:
        return target
    audit.record(
        actor=actor,
        verb="authority_rule.create" if creating else "authority_rule.update",
        obj=target,
        unit_path="",  # nationwide: only national users read these events
        changes=changes,
    )
    return target
