"""Fixtures of the browser journeys: Debian's Chromium driven by Playwright against
pytest-django's live server, on a fresh database for every journey.

Screenshots go to a temporary folder, or to the folder named by ``ANTT_E2E_SCREENSHOTS`` (e.g.
``docs/huong-dan/img`` to refresh the user guide's pictures). The axe-core tally of the run is
written to ``var/e2e-axe.json``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings
from playwright.sync_api import Browser, sync_playwright
from pytest_django.live_server_helper import LiveServer

from antt.e2e.pages import ROOT, AxeLog, Ui

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="package")
def migrated_rows(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The rows the migrations wrote (the authority table …), as serialized when the test
    database was made, taken before Playwright starts: its event loop gives the tests' thread
    a fresh database connection object, without them. After the last journey's flush they are
    written back, for the tests that run after these."""
    rows = str(getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", ""))
    yield rows
    if rows:
        with django_db_blocker.unblock():
            connections[DEFAULT_DB_ALIAS].creation.deserialize_db_from_string(rows)


@pytest.fixture
def _migrated_rows_back(migrated_rows: str) -> None:
    """Hand them to this journey's connection, so the serialized rollback puts them back."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not getattr(connection, "_test_serialized_contents", None):
        connection._test_serialized_contents = migrated_rows  # type: ignore[attr-defined]


@pytest.fixture(scope="package")
def browser(migrated_rows: str) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told that this one is safe (only for these tests).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                # Vietnamese browser (chromium-l10n): date fields show ngày/tháng/năm.
                args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                      "--font-render-hinting=none", "--lang=vi-VN"],
                env={**os.environ, "LANGUAGE": "vi"},
            )
            yield chromium
            chromium.close()


@pytest.fixture(scope="package")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("ANTT_E2E_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="package")
def axe_log() -> Iterator[AxeLog]:
    """What axe-core found on every page, written to var/e2e-axe.json (not committed)."""
    log = AxeLog()
    yield log
    folder = ROOT / "var"
    folder.mkdir(exist_ok=True)
    log.write(folder / "e2e-axe.json")


@pytest.fixture(scope="package")
def live_server(django_db_setup: None) -> Iterator[LiveServer]:
    """pytest-django's live server, speaking plain HTTP on the loopback as `make run` does
    (ANTT_HTTPS=0). The security middleware reads these settings once, when the server builds
    it, so they are set around the start only."""
    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _server_settings(settings: Any, tmp_path: Path, live_server: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANTT_PUBLIC_URL = live_server.url  # the QR code points back to this server


def _ui(browser: Browser, live_server: Any, shots: Path, axe_log: AxeLog, *,
        phone: bool) -> Iterator[Ui]:
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=1,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    ui = Ui(page=page, base_url=live_server.url, shots=shots, axe=axe_log, phone=phone)
    try:
        yield ui
    finally:
        context.close()
    ui.assert_accessible()


# A journey's database is committed for the live server to see, then emptied: the rows that
# migrations write (the authority table …) are put back for every journey (serialized rollback).
@pytest.fixture
def desk(_migrated_rows_back: None, django_db_serialized_rollback: None,
         browser: Browser, live_server: Any, shots: Path, axe_log: AxeLog,
         transactional_db: None) -> Iterator[Ui]:
    yield from _ui(browser, live_server, shots, axe_log, phone=False)


@pytest.fixture
def phone(_migrated_rows_back: None, django_db_serialized_rollback: None,
          browser: Browser, live_server: Any, shots: Path, axe_log: AxeLog,
          transactional_db: None) -> Iterator[Ui]:
    yield from _ui(browser, live_server, shots, axe_log, phone=True)
