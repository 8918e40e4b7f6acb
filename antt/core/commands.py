"""What every import command does with a checked file's problems, the same way."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

__all__ = ["refuse_on_errors"]


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
