"""The main pages under 20 concurrent clients against gunicorn on the loopback, and the number
of SQL queries each page makes (in-process, ``CaptureQueriesContext``).

The clients are signed in as a national administrator whose session is already verified by
two-factor authentication (django-otp keeps the device in the session, as after a real login).
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped,unused-ignore]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped,unused-ignore]

from antt.accounts.models import RoleChoice, User
from antt.accounts.services import assign_role
from antt.bench.figures import Figure
from antt.units.models import Unit

USERNAME = "bench_admin"
CLIENTS = 20
REQUESTS_PER_CLIENT = 3


def pages(year: int, commune_code: str) -> list[tuple[str, str]]:
    return [
        ("danh sách công việc /", f"/?year={year}"),
        ("danh sách đơn vị /units/", "/units/"),
        ("trang đơn vị theo năm", f"/units/{commune_code}/{year}/"),
        ("trang báo cáo /reports/", f"/reports/?year={year}"),
    ]


def session_cookie() -> str:
    """A verified session of the national administrator (created once per database)."""
    root = Unit.objects.filter(kind="province", valid_to__isnull=True).order_by("code").first()
    if root is None:
        raise RuntimeError("no province: load the divisions first")
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user, _grant, _new = assign_role(
            actor="bench", username=USERNAME, role=RoleChoice.NATIONAL_ADMIN, unit=root
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return str(session.session_key)


def query_counts(db: str, year: int, commune_code: str, label: str) -> list[Figure]:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie()
    out = []
    for name, url in pages(year, commune_code):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, secure=True)
        note = f"{label}, HTTP {response.status_code}"
        out.append(Figure(db, f"số câu SQL: {name}", len(ctx.captured_queries), "câu", note=note))
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(workers: int) -> Iterator[int]:
    port = _free_port()
    env = {
        **os.environ,
        "ANTT_DEBUG": "0",
        "ANTT_HTTPS": "0",
        "ANTT_MANIFEST_STATIC": "0",
        "ANTT_ALLOWED_HOSTS": "127.0.0.1",
    }
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(cmd, env=env)  # noqa: S603 (our interpreter, fixed arguments)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/accounts/login/")
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


@dataclass
class Load:
    seconds: float
    latencies: list[float]
    errors: int


def _get(port: int, url: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
    response = conn.getresponse()
    response.read()
    return int(response.status)


def _warm(port: int, url: str, cookie: str) -> None:
    """One request per worker first: the first request of a process loads its code."""
    for _i in range(4):
        _get(port, url, cookie)


def _hammer(port: int, url: str, cookie: str) -> Load:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        for _i in range(REQUESTS_PER_CLIENT):
            start = time.perf_counter()
            try:
                failed = _get(port, url, cookie) != 200
            except OSError:
                failed = True
            with lock:
                latencies.append(time.perf_counter() - start)
                errors[0] += failed

    threads = [threading.Thread(target=client) for _i in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(time.perf_counter() - start, latencies, errors[0])


def load(db: str, year: int, commune_code: str, workers: int) -> list[Figure]:
    cookie = session_cookie()
    out = []
    with gunicorn(workers) as port:
        for name, url in pages(year, commune_code):
            _warm(port, url, cookie)
            result = _hammer(port, url, cookie)
            ordered = sorted(result.latencies)
            p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
            out += [
                Figure(
                    db,
                    f"{name}: p95",
                    p95 * 1000,
                    "ms",
                    300,
                    note=f"{len(ordered)} yêu cầu, {CLIENTS} máy khách",
                ),
                Figure(db, "  p50", statistics.median(ordered) * 1000, "ms"),
                Figure(db, "  yêu cầu mỗi giây", len(ordered) / result.seconds, "req/s"),
                Figure(db, "  lỗi", result.errors, "lỗi", 0),
            ]
    return out
