"""The aggregate cache: a data write empties it, a login or a refusal doesn't; keys are per part."""

import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from antt.accounts.services import record_failed_login, record_login
from antt.core import cache as aggregate_cache
from antt.core.cache import cached, data_version
from antt.core.models import AuditEvent
from antt.units.services import update_unit

pytestmark = pytest.mark.django_db


class Counter:
    """A compute function that says how often it ran and returns its run number."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_second_read_comes_from_the_cache(tree):
    compute = Counter()
    assert cached(("page", "/1/", 2025), compute) == 1
    assert cached(("page", "/1/", 2025), compute) == 1
    assert compute.calls == 1


def test_a_write_through_a_service_invalidates(tree, personas):
    compute = Counter()
    cached(("page", tree.province_a.path, 2025), compute)
    before = data_version()
    update_unit(actor=personas.province_a_officer, unit=tree.enterprise_a1, enterprise_size="small")
    assert data_version() != before
    assert cached(("page", tree.province_a.path, 2025), compute) == 2


def test_logins_and_failed_logins_do_not_invalidate(tree, personas):
    update_unit(actor="test", unit=tree.area_a1, name="Tổ dân phố 1 mới")
    compute = Counter()
    cached(("page", 2025), compute)
    before = data_version()
    record_login(user=personas.province_a_officer, ip_address="127.0.0.1")
    record_failed_login(username="nobody", ip_address="127.0.0.1")
    assert data_version() == before
    assert cached(("page", 2025), compute) == 1


def test_a_refused_request_does_not_invalidate(tree, personas):
    client = Client()
    client.force_login(personas.commune_a1_officer)
    before = data_version()
    response = client.get(f"/units/{tree.commune_b1.code}/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(verb="access.not_found").exists()
    assert data_version() == before


def test_values_are_kept_per_scope_and_year(tree):
    compute = Counter()
    assert cached(("page", "/1/", 2025), compute) == 1
    assert cached(("page", "/2/", 2025), compute) == 2
    assert cached(("page", "/1/", 2024), compute) == 3
    assert cached(("page", "/1/", "2025"), compute) == 4  # types kept apart
    assert cached(("page", "/1/", 2025), compute) == 1


def test_a_computed_none_is_cached_too(tree):
    calls: list[int] = []

    def compute() -> None:
        calls.append(1)

    cached(("none",), compute)
    cached(("none",), compute)
    assert len(calls) == 1


def test_entries_have_a_bounded_lifetime(tree, monkeypatch):
    seen: dict[str, Any] = {}

    def spy_set(key: str, value: Any, timeout: int) -> None:
        seen["timeout"] = timeout

    monkeypatch.setattr(cache, "set", spy_set)
    cached(("ttl",), lambda: 1)
    assert seen["timeout"] == aggregate_cache.DEFAULT_TIMEOUT
    assert 0 < aggregate_cache.DEFAULT_TIMEOUT <= 600
    cached(("ttl", 2), lambda: 1, timeout=30)
    assert seen["timeout"] == 30


def test_a_cache_url_shares_one_redis_cache_between_workers() -> None:
    """Settings only (no Redis server needed): ANTT_CACHE_URL selects Django's RedisCache."""
    code = "import config.settings as s; print(s.CACHES['default']['BACKEND'])"
    env = {**os.environ, "ANTT_CACHE_URL": "redis://127.0.0.1:6379/9"}
    out = subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    env.pop("ANTT_CACHE_URL")
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"
