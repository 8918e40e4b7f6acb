"""Lockouts from django-axes go to the audit log like every other sign-in event."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out  # type: ignore[import-untyped]
from django.dispatch import receiver

from antt.core import audit


@receiver(user_locked_out, dispatch_uid="antt-audit-lockout")
def audit_lockout(sender: Any, request: Any, username: str | None, ip_address: str | None,
                  **kwargs: Any) -> None:
    audit.record(
        actor=f"anonymous:{username or ''}"[:150],
        verb="auth.locked_out",
        object_repr=(username or "")[:255],
        ip_address=ip_address,
    )
