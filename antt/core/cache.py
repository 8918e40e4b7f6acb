"""Cache the result of an expensive read (national aggregates) until the data changes.

Every data write in ANTT goes through ``antt.core.audit.record`` (bulk writers record one event
per run), so the id of the latest *data* audit event is a version of the data: a key holding it
changes with any write, and a stale entry is simply never read again. Security events (logins,
2FA, lockouts, the 403/404 denials of ``AuditDenialsMiddleware``) change no data and must not
empty the cache, or every refused request would make the next page cold again.

Cache plain data (dicts, lists, dataclasses: picklable), never rendered HTML that holds a CSRF
token. docs/dev/decisions/0009-cache-keyed-on-data-version.md says why this design.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import router
from django.db.models import Q

T = TypeVar("T")

# Audit verbs that record who came, not what changed: they never invalidate.
SECURITY_VERB_PREFIXES = ("auth.", "access.")

# Bounded life, even though the key changes with every write: two transactions can commit out
# of id order (the later id first), so a reader may see version N without the write holding
# id N-1 and cache its result under N. The next write heals it; the TTL bounds it when none comes.
DEFAULT_TIMEOUT = 300

KEY_PREFIX = "antt:agg"
_MISSING = object()  # a computed None is a value too


def _data_writes() -> Q:
    query = Q()
    for prefix in SECURITY_VERB_PREFIXES:
        query &= ~Q(verb__startswith=prefix)
    return query


def data_version() -> str:
    """Id and time of the latest data write's audit event (``"0"`` before any).

    One indexed query: it walks the primary key backwards and stops at the first event that is
    not a security one. Not memoised per request on purpose: a view that writes and then reads
    in the same request must see the new version. The time is part of it because a restored
    backup can hand out an id again (the sequence goes back with the data).

    Read on the database the aggregates are read from (the read replica for report pages, see
    config/routers.py), so that a lagging replica's data is never filed under the primary's
    newer version.
    """
    audit_event = apps.get_model("core", "AuditEvent")
    alias = router.db_for_read(apps.get_model("units", "Unit"))
    latest = (
        audit_event.objects.using(alias)
        .filter(_data_writes())
        .order_by("-id")
        .values_list("id", "created_at")
        .first()
    )
    if latest is None:
        return "0"
    event_id, created_at = latest
    return f"{event_id}.{created_at.timestamp():.6f}"


def cache_key(parts: tuple[Hashable, ...], version: str) -> str:
    # Hashed: parts hold unit paths and user input, and memcached-style backends refuse long
    # keys or spaces. repr() keeps the types apart (2025 vs "2025").
    digest = hashlib.sha256(repr((parts, version)).encode()).hexdigest()
    return f"{KEY_PREFIX}:{digest}"


def cached(
    parts: tuple[Hashable, ...], compute: Callable[[], T], *, timeout: int = DEFAULT_TIMEOUT
) -> T:
    """``compute()``'s result for these parts at the current data version, from the cache when
    it is there. ``parts`` must name everything the result depends on besides the data: the
    page, the scope (unit path), the year, the language when it holds translated text."""
    # The version is read before computing: a write landing during the computation then files
    # newer data under an older key, which is harmless, never older data under a newer key.
    key = cache_key(parts, data_version())
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value  # type: ignore[no-any-return]
