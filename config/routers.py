"""Reports read from a PostgreSQL read replica when one is configured (docs/operations/scaling.md).

``ANTT_REPLICA_DATABASE_URL`` adds the ``replica`` database alias (a streaming replica of the
primary). During a request to the report pages or the reports API
(``ReportsOnReplicaMiddleware``), or inside ``reading_replica()``, reads of the data the reports
aggregate (units, records, the cycle, the standards) go to the replica. Everything else reads
from the primary: sessions, users, permissions, so that a login is never lost to replication
lag. Writes always go to the primary. Without a replica every query goes to ``default``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# The apps whose tables the reports read; auth, sessions and OTP devices stay on the primary.
REPORTED_APPS = frozenset({"units", "records", "recognition", "standards", "reports"})
REPORT_PATHS = ("/reports/", "/api/v1/reports/")

_reading = ContextVar("antt_reading_replica", default=False)


def replica_enabled() -> bool:
    return bool(getattr(settings, "ANTT_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def reading_replica() -> Iterator[None]:
    """Route the reports' reads inside the block to the replica (when there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Django database router: see the module's docstring."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if _reading.get() and model._meta.app_label in REPORTED_APPS and replica_enabled():
            return REPLICA
        return "default"

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a replica follows the primary; it is never migrated itself


class ReportsOnReplicaMiddleware:
    """Report pages and the reports API read from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(REPORT_PATHS):
            with reading_replica():
                return self.get_response(request)
        return self.get_response(request)
