"""Production settings pass Django's deployment checks, and the pages carry a Content-Security-
Policy that no template needs to weaken (no inline script, no inline event handler)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANTT_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        ANTT_DEBUG="0",
        ANTT_SECRET_KEY=secrets.token_urlsafe(50),
        ANTT_REQUIRE_SECRET="1",
        ANTT_ALLOWED_HOSTS="antt.example.gov.vn",
        ANTT_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'antt.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["ANTT_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "ANTT_SECRET_KEY must be set in production" in result.stderr


def test_the_http_demo_turns_https_off_and_says_so_in_check_deploy(tmp_path: Path) -> None:
    """`make run` serves the demo over plain HTTP on the loopback (ANTT_HTTPS=0): it works,
    and the deployment check does say it is not fit for production."""
    result = manage(production_env(tmp_path, ANTT_HTTPS="0"), "check", "--deploy")
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
    assert "security.W008" in result.stderr + result.stdout  # no HTTPS redirect


def test_pages_carry_the_security_headers(client: Any, personas: Any) -> None:
    client.force_login(personas.commune_a1_officer)
    response = client.get("/units/")
    policy = response["Content-Security-Policy"]
    directives = {
        name: value
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
        if name
    }
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def template_files() -> list[Path]:
    return sorted(
        path
        for base in (ROOT / "templates", ROOT / "antt")
        for path in base.rglob("*.html")
        # Documents rendered to PDF on the server (WeasyPrint), never served to a browser.
        if "/docs/" not in str(path) and "/pdf/" not in str(path)
    )


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_needs_inline_script_or_style(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static file"
    assert not INLINE_HANDLER.search(text), "inline event handler (onclick=…): use app.js"
    assert not INLINE_STYLE.search(text), "inline style: use app.css (style-src 'self')"


def test_the_qr_code_svg_carries_no_inline_style(personas: Any) -> None:
    from antt.accounts import twofactor

    svg = twofactor.qr_svg(twofactor.start_enrolment(personas.commune_a1_officer))
    assert "<svg" in svg
    assert not INLINE_STYLE.search(svg)
