"""Real databases for tests that start real processes (kill tests, concurrent issuing, backups).

The suite's own test database lives inside a transaction that other processes cannot see, so
these tests use a database of their own, on the same vendor as the run: a SQLite file, or a
PostgreSQL database ``antt_live_<pid>_<n>`` on the suite's server, dropped afterwards. It is
migrated once per test module into a template (a file copied, or ``CREATE DATABASE … TEMPLATE``)
so each test starts from a fresh, migrated database in well under a second.

``LiveDB.run_python(code)`` runs code in a child process with Django set up on that database and
returns what it printed: seeding and inspecting go through the ORM, the same on both vendors.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
ANTT = str(Path(sys.executable).parent / "antt")
_counter = itertools.count()

PRELUDE = """
import os, json, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
"""


def vendor() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite"


def _pg_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _pg_admin(sql: str) -> None:
    with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@dataclass
class LiveDB:
    """One database plus its data directory (uploaded and generated files)."""

    vendor: str
    url: str
    name: str  # the SQLite file or the PostgreSQL database
    data_dir: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ANTT_", "DATABASE_URL", "PYTEST", "DJANGO_"))
        }
        env.update(
            DATABASE_URL=self.url,
            ANTT_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="config.settings",
            ANTT_DEBUG="0",
            ANTT_MANIFEST_STATIC="0",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def antt(
        self, *args: str, check: bool = True, timeout: float = 300, **env: str
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 — our own console script
            [ANTT, *args],
            env=self.env(**env),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"antt {' '.join(args)} → {done.returncode}\n{done.stderr}")
        return done

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603
            [ANTT, *args],
            env=self.env(**env),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run_python(self, code: str, timeout: float = 300) -> Any:
        """Run ``code`` with Django set up; it prints one JSON value, returned decoded."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", PRELUDE + code],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"child failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def drop(self) -> None:
        if self.vendor == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)


@dataclass
class Template:
    """A migrated database that fresh ones are copied from."""

    db: LiveDB

    @classmethod
    def create(cls, directory: Path) -> Template:
        db = _new(directory, "template")
        db.antt("migrate", "--noinput", "-v0")
        return cls(db)

    def clone(self, directory: Path) -> LiveDB:
        db = _new(directory, "db", create=False)
        if db.vendor == "postgresql":
            _pg_admin(f'CREATE DATABASE "{db.name}" TEMPLATE "{self.db.name}"')
        else:
            shutil.copyfile(self.db.name, db.name)
        return db

    def drop(self) -> None:
        self.db.drop()


def _new(directory: Path, label: str, create: bool = True) -> LiveDB:
    data_dir = directory / f"{label}-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    if vendor() == "postgresql":
        name = f"antt_live_{os.getpid()}_{next(_counter)}"
        if create:
            _pg_admin(f'CREATE DATABASE "{name}"')
        return LiveDB("postgresql", _pg_url(name), name, data_dir)
    path = directory / f"{label}.sqlite3"
    return LiveDB("sqlite", f"sqlite:///{path}", str(path), data_dir)


def wait_for_file(path: Path, proc: subprocess.Popen[str], seconds: float = 120) -> str:
    """Wait until the fault hook says the process is paused mid-way; its progress count."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if path.exists() and path.read_text():
            return path.read_text()
        if proc.poll() is not None:
            raise AssertionError(f"the process ended before the fault point:\n{proc.stderr.read()}")  # type: ignore[union-attr]
        time.sleep(0.05)
    raise AssertionError("the fault point was not reached in time")


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


# Fixtures: a test module imports them (``from antt.core.tests.livedb import live, template``).


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    """One migrated database per test module."""
    made = Template.create(tmp_path_factory.mktemp("live-template"))
    yield made
    made.drop()


@pytest.fixture
def live(template: Template, tmp_path: Path) -> Iterator[LiveDB]:
    """A fresh copy of the template for one test, dropped afterwards."""
    db = template.clone(tmp_path)
    yield db
    db.drop()
