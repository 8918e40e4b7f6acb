"""Writes about people: accounts, role assignments, tokens, and the audit of logins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from antt.accounts.models import RoleAssignment, RoleChoice, User
from antt.accounts.rules import GRANTS, Action
from antt.core import audit
from antt.core.scoping import path_filter
from antt.units.models import Unit


@transaction.atomic
def assign_role(
    *, actor: Any, username: str, role: str, unit: Unit, password: str | None = None
) -> tuple[User, RoleAssignment, bool]:
    """Give ``username`` the ``role`` over ``unit``'s subtree, creating the user when missing."""
    if role not in RoleChoice.values:
        raise ValidationError(
            _("Vai trò “%(role)s” không tồn tại. Các vai trò: %(roles)s.")
            % {"role": role, "roles": ", ".join(RoleChoice.values)}
        )
    if isinstance(actor, User) and not actor.can(Action.ASSIGN_ROLES, unit.path):
        raise PermissionDenied(_("Bạn không có quyền phân quyền tại đơn vị này."))
    if password:
        # The password policy (AUTH_PASSWORD_VALIDATORS): length, common, similar to the name.
        validate_password(password, User(username=username))
    user, created = User.objects.get_or_create(username=username)
    if created or password:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    if created:
        audit.record(actor=actor, verb="user.create", obj=user, unit_path=unit.path)
    if role == RoleChoice.NATIONAL_ADMIN and not (user.is_staff and user.is_superuser):
        # The national administrator keeps the configuration (authority table, settings, roles)
        # in the admin site, which needs Django's staff and superuser flags.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
        audit.record(actor=actor, verb="user.grant_admin", obj=user, unit_path=unit.path)
    assignment, new = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    if new:
        audit.record(
            actor=actor,
            verb="role.assign",
            obj=assignment,
            unit_path=unit.path,
            changes={"user": username, "role": role, "unit": unit.code},
        )
    return user, assignment, created


@transaction.atomic
def revoke_role(*, actor: Any, assignment: RoleAssignment) -> None:
    if isinstance(actor, User) and not actor.can(Action.ASSIGN_ROLES, assignment.unit.path):
        raise PermissionDenied(_("Bạn không có quyền phân quyền tại đơn vị này."))
    audit.record(
        actor=actor,
        verb="role.revoke",
        obj=assignment,
        unit_path=assignment.unit.path,
        changes={"user": assignment.user.username, "role": assignment.role},
    )
    assignment.delete()


@transaction.atomic
def issue_token(*, actor: Any, user: User) -> Token:
    """A fresh API token for ``user``; the previous one stops working. The key is shown once,
    by the caller; lists never show it."""
    if isinstance(actor, User) and not may_manage_tokens_of(actor, user):
        raise PermissionDenied(_("Chỉ cán bộ quản trị phụ trách người dùng này mới cấp mã API."))
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(actor=actor, verb="token.issue", obj=user)
    return token


@transaction.atomic
def revoke_token(*, actor: Any, user: User) -> None:
    """Revoke ``user``'s API token: the owner or an administrator over the owner's units."""
    if isinstance(actor, User) and actor.pk != user.pk and not may_manage_tokens_of(actor, user):
        raise PermissionDenied(_("Bạn không có quyền thu hồi mã API của người dùng này."))
    deleted, _rows = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=actor, verb="token.revoke", obj=user)


def may_manage_tokens_of(actor: User, user: User) -> bool:
    """Administrators issue and revoke tokens of the users whose every role lies in a subtree
    where they assign roles; a user with no role only by a nationwide administrator."""
    if actor.jurisdiction_paths() is None and actor.can(Action.ASSIGN_ROLES, "/"):
        return True
    paths = list(user.role_assignments.values_list("unit__path", flat=True))
    return bool(paths) and all(actor.can(Action.ASSIGN_ROLES, p) for p in paths)


def tokens_visible_to(actor: User) -> Any:
    """The tokens a user may list: their own, plus those of the users they administer."""
    tokens = Token.objects.select_related("user").order_by("user__username")
    paths = actor.jurisdiction_paths()
    if paths is None and actor.can(Action.ASSIGN_ROLES, "/"):
        return tokens
    admin_paths = tuple(
        g.path for g in actor.grants() if Action.ASSIGN_ROLES in GRANTS[g.role]
    )
    if not admin_paths:
        return tokens.filter(user=actor)
    elsewhere = RoleAssignment.objects.exclude(path_filter("unit__path", admin_paths))
    administered = User.objects.filter(
        path_filter("role_assignments__unit__path", admin_paths)
    ).exclude(pk__in=elsewhere.values("user_id"))
    return tokens.filter(models.Q(user=actor) | models.Q(user__in=administered))


def record_login(*, user: User, ip_address: str | None) -> None:
    audit.record(actor=user, verb="auth.login", obj=user, ip_address=ip_address)


def record_failed_login(*, username: str, ip_address: str | None) -> None:
    audit.record(
        actor=f"anonymous:{username}"[:150],
        verb="auth.login_failed",
        object_repr=username[:255],
        ip_address=ip_address,
    )


def record_password_change(*, user: User, ip_address: str | None) -> None:
    audit.record(actor=user, verb="auth.password_change", obj=user, ip_address=ip_address)


def record_logout(*, user: User, ip_address: str | None) -> None:
    audit.record(actor=user, verb="auth.logout", obj=user, ip_address=ip_address)
