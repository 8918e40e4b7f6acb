"""The main pages under 20 concurrent clients against gunicorn on the loopback, and the number
of SQL queries each page makes (in-process, ``CaptureQueriesContext``).

The clients are signed in as a national administrator whose session is already verified by
two-factor authentication (django-otp keeps the device in the session, as after a real login).
Gunicorn runs as ``bench_measure`` says (``2 × cores + 1`` sync workers: the pages are CPU-bound
Python, so threads would not add throughput, and the spare worker covers the time one spends
waiting on the database). Each page gets an untimed concurrent warm-up before it is timed.
"""

from __future__ import annotations

import http.client
import math
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
from django.core.cache import cache
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
REQUESTS_PER_CLIENT = 5
WARM_UP_PER_CLIENT = 2


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
    """The queries of each page, and one request's time with the page cache empty (the first
    visit after a data write, in each worker when the cache is per process) and then full."""
    cache.clear()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie()
    out = []
    for name, url in pages(year, commune_code):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, secure=True)
        cold = time.perf_counter() - start
        queries = len(ctx.captured_queries)  # now: the next request empties the log
        start = time.perf_counter()
        client.get(url, secure=True)
        warm = time.perf_counter() - start
        note = f"{label}, HTTP {response.status_code}"
        out += [
            Figure(db, f"số câu SQL: {name}", queries, "câu", note=note),
            Figure(db, "  một yêu cầu, bộ đệm trống", cold * 1000, "ms"),
            Figure(db, "  một yêu cầu, bộ đệm sẵn", warm * 1000, "ms"),
        ]
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
    # A new connection per request, as a browser's would be: gunicorn's sync workers close
    # each connection after its response (no keep-alive).
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
    response = conn.getresponse()
    response.read()
    return int(response.status)


def _clients(port: int, url: str, cookie: str, per_client: int) -> Load:
    """``CLIENTS`` threads, started together, each sending ``per_client`` requests in turn.

    Threads are enough on the client side: each spends its time waiting for the server, and the
    GIL is released while it does."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_line = threading.Barrier(CLIENTS + 1)

    def client() -> None:
        start_line.wait()
        for _i in range(per_client):
            start = time.perf_counter()
            try:
                failed = _get(port, url, cookie) != 200
            except OSError:
                failed = True
            with lock:
                latencies.append(time.perf_counter() - start)
                errors[0] += failed

    threads = [threading.Thread(target=client) for _i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start_line.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(time.perf_counter() - start, latencies, errors[0])


def percentile(latencies: list[float], fraction: float) -> float:
    """Nearest rank: the smallest latency that ``fraction`` of the requests did not exceed."""
    ordered = sorted(latencies)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def load(db: str, year: int, commune_code: str, workers: int) -> list[Figure]:
    """Each page: a warm-up round, untimed, then the timed round; as a production server runs.

    The warm-up sends ``CLIENTS × WARM_UP_PER_CLIENT`` concurrent requests so that every worker
    (each a process of its own, with its own cache of antt.core.cache) has loaded its code and
    filled its cache before timing; sequential requests could all land on one worker. Its
    errors still count.
    """
    cookie = session_cookie()
    out = []
    with gunicorn(workers) as port:
        for name, url in pages(year, commune_code):
            warm = _clients(port, url, cookie, WARM_UP_PER_CLIENT)
            result = _clients(port, url, cookie, REQUESTS_PER_CLIENT)
            note = (
                f"{len(result.latencies)} yêu cầu, {CLIENTS} máy khách, {workers} worker, "
                f"sau {len(warm.latencies)} yêu cầu làm nóng"
            )
            out += [
                Figure(
                    db,
                    f"{name}: p95",
                    percentile(result.latencies, 0.95) * 1000,
                    "ms",
                    300,
                    note=note,
                ),
                Figure(db, "  p50", statistics.median(result.latencies) * 1000, "ms"),
                Figure(db, "  yêu cầu mỗi giây", len(result.latencies) / result.seconds, "req/s"),
                Figure(db, "  lỗi", warm.errors + result.errors, "lỗi", 0),
            ]
    return out
