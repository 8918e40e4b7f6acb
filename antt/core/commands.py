"""What the commands share: who acts (``--actor``), and how an import refuses a bad file."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.accounts.models import User

__all__ = ["actor_from", "add_actor_argument", "refuse_on_errors"]


def add_actor_argument(parser: CommandParser, system_actor: str) -> None:
    parser.add_argument(
        "--actor",
        help=f"Tên đăng nhập người thực hiện (mặc định: tác nhân hệ thống “{system_actor}”).",
    )


def actor_from(username: str | None, system_actor: str) -> User | str:
    """The named user (their permissions and jurisdiction apply), or the trusted system actor."""
    if not username:
        return system_actor
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise CommandError(_("Không có người dùng “%(name)s”.") % {"name": username}) from exc


def refuse_on_errors(
    command: BaseCommand, *, filename: str, warnings: Iterable[object], errors: list[object]
) -> None:
    """Warnings and errors to stderr; any error ends the command nonzero, nothing written."""
    for warning in warnings:
        command.stderr.write(str(warning))
    if errors:
        for error in errors:
            command.stderr.write(str(error))
        raise CommandError(
            _("Không nhập tệp “%(file)s”: %(count)s lỗi. Chưa ghi gì vào cơ sở dữ liệu.")
            % {"file": filename, "count": len(errors)}
        )
