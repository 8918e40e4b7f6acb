"""The read-replica router (config/routers.py): in tests the ``replica`` alias mirrors the
primary's test database (``TEST = {"MIRROR": "default"}``), so which alias a query went to is
seen on each connection's captured queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from antt.accounts.models import User
from antt.recognition.models import Registration
from antt.units.models import Unit
from config.routers import ReplicaRouter, reading_replica

# The mirror is a second connection: tests that query it commit what they write (on SQLite a
# shared in-memory database, whose table locks would otherwise wait on the test's transaction).
BOTH = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@pytest.fixture
def replica_on(transactional_db: None, settings: Any) -> None:
    """Route to the replica. On SQLite it reads the shared in-memory database without taking
    table locks, so a request's own write transaction does not block it."""
    settings.ANTT_READ_REPLICA = True
    replica = connections["replica"]
    if replica.vendor == "sqlite":
        replica.ensure_connection()
        with replica.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


def test_replica_alias_mirrors_the_primary_in_tests(settings: Any) -> None:
    assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"
    assert "config.routers.ReplicaRouter" in settings.DATABASE_ROUTERS


@BOTH
def test_report_reads_go_to_the_replica_inside_the_block(replica_on: None) -> None:
    with reading_replica():
        assert Registration.objects.all().db == "replica"
        assert Unit.objects.filter(kind="province").db == "replica"
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            list(Unit.objects.filter(kind="province"))
    assert len(on_replica.captured_queries) == 1
    assert on_primary.captured_queries == []
    assert Registration.objects.all().db == "default"  # outside the block


@BOTH
def test_users_and_sessions_and_writes_stay_on_the_primary(replica_on: None) -> None:
    router = ReplicaRouter()
    with reading_replica():
        assert User.objects.all().db == "default"  # a fresh login is never lost to lag
        assert router.db_for_write(Unit) == "default"
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            unit = Unit(code="X1", name="Tỉnh thử", kind="province", path="/x/", depth=0)
            unit.save()
        assert on_replica.captured_queries == []
        assert unit._state.db == "default"
    assert router.allow_migrate("replica", "units") is False
    assert router.allow_migrate("default", "units") is True


def test_without_a_replica_everything_reads_the_primary(settings: Any) -> None:
    settings.ANTT_READ_REPLICA = False
    with reading_replica():
        assert Registration.objects.all().db == "default"


@BOTH
def test_report_page_reads_from_the_replica(replica_on: None, client: Any, personas: Any) -> None:
    client.force_login(personas.national_admin)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get("/reports/?year=2025")
    assert response.status_code == 200
    tables = " ".join(q["sql"] for q in on_replica.captured_queries)
    assert "recognition_registration" in tables
    assert "django_session" not in tables
    assert "accounts_user" not in tables
    with CaptureQueriesContext(connections["replica"]) as elsewhere:
        assert client.get("/units/").status_code == 200
    assert elsewhere.captured_queries == []
