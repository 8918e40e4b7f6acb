"""Soak test: the production server on loopback under mixed reads and writes, no write lost.

    make soak                                  # SQLite, 20 clients, 600 s
    SOAK_SECONDS=60 SOAK_CLIENTS=20 make soak  # shorter
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make soak   # PostgreSQL

What it does:
1. a fresh database: a new SQLite file in a temporary directory, or, when DATABASE_URL names a
   PostgreSQL server, a new database ``antt_soak_<pid>`` on it (dropped at the end);
2. ``antt migrate``, ``collectstatic``, then seeds one province, one commune per client and one
   commune officer per client (with a password for the pages and an API token);
3. starts gunicorn (the production server, ``config.wsgi``) on 127.0.0.1 with DEBUG off;
4. runs the clients for the given time: each logs in to the pages, then loops over a weighted
   mix of page reads, API list reads and API writes (a new residential area through
   ``POST /api/v1/units/``, then its registration through ``POST /api/v1/registrations/``);
5. stops the server and counts, straight from the database, the units and registrations whose
   creation the server acknowledged with 201.

It prints requests, req/s, p50/p95/max latency, errors by kind, and writes acknowledged / found /
lost, and exits 1 on any error or any lost write.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
YEAR = 2025
PASSWORD = "Soak-mat-khau-2025"  # noqa: S105 — a throw-away database
PROVINCE = "01"

# (weight, kind, name): the mix each client draws from.
MIX = [
    (10, "page", "work_list"),
    (8, "page", "unit_list"),
    (6, "page", "unit_detail"),
    (5, "page", "cycle"),
    (10, "api", "units"),
    (8, "api", "registrations"),
    (4, "api", "me"),
    (4, "api", "audit"),
    (12, "write", "unit"),
    (8, "write", "registration"),
]


# ---------------------------------------------------------------- seeding (runs in a child)


def seed(clients: int) -> None:
    """Province, one commune and one officer per client; prints the tokens as JSON."""
    import datetime as dt

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from antt.accounts.services import assign_role, issue_token
    from antt.units.services import create_unit

    reform = dt.date(2025, 7, 1)
    province = create_unit(
        actor="soak", code=PROVINCE, name="Thành phố Hà Nội", kind="province", parent=None,
        valid_from=reform,
    )
    out = []
    for i in range(clients):
        code = f"{10000 + i:05d}"
        commune = create_unit(
            actor="soak", code=code, name=f"Phường Thử tải {i + 1}", kind="commune",
            parent=province, subtype="ward", valid_from=reform,
        )
        username = f"soak{i:02d}"
        user, _, _ = assign_role(
            actor="soak", username=username, role="commune_officer", unit=commune,
            password=PASSWORD,
        )
        out.append({"username": username, "commune": code, "token": issue_token(
            actor="soak", user=user).key})
    print(json.dumps(out))


def count(codes_file: str) -> None:
    """Units and registrations (year YEAR) among the given codes, straight from the database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from antt.recognition.models import Registration
    from antt.units.models import Unit

    data = json.loads(Path(codes_file).read_text())
    units = set(Unit.objects.filter(code__startswith="SOAK-").values_list("code", flat=True))
    regs = set(
        Registration.objects.filter(year=YEAR, unit__code__startswith="SOAK-").values_list(
            "unit__code", flat=True
        )
    )
    print(json.dumps({
        "units_found": len(units & set(data["units"])),
        "registrations_found": len(regs & set(data["registrations"])),
        "units_total": len(units),
        "registrations_total": len(regs),
    }))


# ---------------------------------------------------------------- the clients


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    by_name: Counter[str] = field(default_factory=Counter)
    acked_units: list[str] = field(default_factory=list)
    acked_registrations: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    def done(self, name: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_name[name] += 1
            if error is not None:
                self.errors[f"{name}: {error.splitlines()[0][:80]}"] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{name}: {error[:400]}")


class Client(threading.Thread):
    def __init__(self, base: str, account: dict[str, str], deadline: float, tally: Tally,
                 think: float, seed_value: int) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.account = account
        self.deadline = deadline
        self.tally = tally
        self.think = think
        self.rng = random.Random(seed_value)  # noqa: S311 — a load mix, not a secret
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.mine: list[str] = []  # units created, not yet registered
        self.seq = 0

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                api: bool = False, form: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = {"Accept-Language": "vi"}
        data = None
        if api:
            headers["Authorization"] = f"Token {self.account['token']}"
            headers["Accept"] = "application/json"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        req = urllib.request.Request(  # noqa: S310 — http://127.0.0.1 only
            self.base + path, data=data, method=method, headers=headers
        )
        opener = urllib.request.build_opener() if api else self.opener
        try:
            with opener.open(req, timeout=120) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def login(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        status, page = self.request("POST", "/accounts/login/", form={
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": self.account["username"],
            "password": PASSWORD,
        })
        if status != 200 or b'name="password"' in page:
            raise RuntimeError(f"login refused: HTTP {status}")

    def one(self, kind: str, name: str) -> None:
        commune = self.account["commune"]
        started = time.perf_counter()
        error: str | None = None
        try:
            if kind == "page":
                path = {
                    "work_list": "/",
                    "unit_list": "/units/",
                    "unit_detail": f"/units/{commune}/",
                    "cycle": f"/cycle/{YEAR}/",
                }[name]
                status, body = self.request("GET", path)
                if status != 200:
                    error = f"HTTP {status}"
            elif kind == "api":
                path = {
                    "units": "/api/v1/units/?limit=20",
                    "registrations": f"/api/v1/registrations/?year={YEAR}&limit=20",
                    "me": "/api/v1/me/",
                    "audit": "/api/v1/audit/?limit=20",
                }[name]
                status, body = self.request("GET", path, api=True)
                if status != 200:
                    error = f"HTTP {status}"
                else:
                    json.loads(body)
            elif name == "unit" or not self.mine:
                name = "unit"
                self.seq += 1
                code = f"SOAK-{self.account['username']}-{self.seq:06d}"
                status, body = self.request("POST", "/api/v1/units/", api=True, body={
                    "code": code, "name": f"Tổ dân phố thử tải {self.seq}",
                    "kind": "residential_area", "parent": commune, "subtype": "to_dan_pho",
                    "valid_from": "2025-07-01",
                })
                if status == 201 and json.loads(body)["code"] == code:
                    with self.tally.lock:
                        self.tally.acked_units.append(code)
                    self.mine.append(code)
                else:
                    error = f"HTTP {status} {body[:200]!r}"
            else:
                code = self.mine.pop(0)
                status, body = self.request("POST", "/api/v1/registrations/", api=True, body={
                    "unit": code, "year": YEAR})
                if status == 201 and json.loads(body)["unit"] == code:
                    with self.tally.lock:
                        self.tally.acked_registrations.append(code)
                else:
                    error = f"HTTP {status} {body[:200]!r}"
        except (OSError, ValueError, KeyError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        self.tally.done(f"{kind}:{name}", time.perf_counter() - started, error)

    def run(self) -> None:
        weights = [w for w, _k, _n in MIX]
        try:
            self.login()
        except (OSError, RuntimeError) as exc:
            self.tally.done("login", 0.0, str(exc))
            return
        while time.monotonic() < self.deadline:
            _w, kind, name = self.rng.choices(MIX, weights)[0]
            self.one(kind, name)
            if self.think:
                time.sleep(self.rng.uniform(0, 2 * self.think))


# ---------------------------------------------------------------- orchestration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start-up (exit {server.returncode})")
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within a minute")


def run_django(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 — our own interpreter and arguments
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("SOAK_CLIENTS", 20)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SOAK_WORKERS", 3)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("SOAK_THREADS", 4)))
    parser.add_argument("--think", type=float, default=float(os.environ.get("SOAK_THINK", 0.05)),
                        help="mean pause between a client's requests, seconds")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="antt-soak-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ANTT_DATA_DIR": str(tmp),
        "ANTT_DEBUG": "0",
        "ANTT_HTTPS": "0",  # plain HTTP on the loopback, as `make run`
        "ANTT_SECRET_KEY": secrets.token_urlsafe(50),
        "ANTT_ALLOWED_HOSTS": "127.0.0.1",
        "ANTT_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    })
    server_url = os.environ.get("DATABASE_URL", "")
    pg_db = ""
    if server_url.startswith(("postgres://", "postgresql://")):
        pg_db = f"antt_soak_{os.getpid()}"
        pg_admin(server_url, f'CREATE DATABASE "{pg_db}"')
        parts = urllib.parse.urlsplit(server_url)
        env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{pg_db}"))
        vendor = "PostgreSQL"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'soak.sqlite3'}"
        vendor = "SQLite"
    server: subprocess.Popen[bytes] | None = None
    try:
        antt = str(BIN / "antt")
        run_django(env, antt, "migrate", "--noinput", "-v0")
        run_django(env, antt, "collectstatic", "--noinput", "-v0")
        accounts = json.loads(run_django(env, __file__, "--seed", str(args.clients)))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--worker-class", "gthread",
             "--threads", str(args.threads), "--timeout", "120",
             "--error-logfile", "-", "--log-level", "warning"],
            env=env, cwd=ROOT,
        )
        wait_until_up(base, server)
        print(f"== Soak on {vendor}: {args.clients} clients for {args.seconds:.0f} s against "
              f"gunicorn ({args.workers} workers × {args.threads} threads) at {base}", flush=True)
        tally = Tally()
        started = time.monotonic()
        deadline = started + args.seconds
        clients = [Client(base, accounts[i], deadline, tally, args.think, i)
                   for i in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        server = None
        codes = tmp / "acked.json"
        codes.write_text(json.dumps({"units": tally.acked_units,
                                     "registrations": tally.acked_registrations}))
        found = json.loads(run_django(env, __file__, "--count", str(codes)))
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if pg_db:
            pg_admin(server_url, f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)

    return report(vendor, tally, elapsed, found)


def report(vendor: str, tally: Tally, elapsed: float, found: dict[str, int]) -> int:
    total = len(tally.latencies)
    errors = sum(tally.errors.values())
    lat = sorted(tally.latencies)
    pct = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0.0] * 99
    acked = len(tally.acked_units) + len(tally.acked_registrations)
    found_n = found["units_found"] + found["registrations_found"]
    lost = acked - found_n
    print(f"database           {vendor}")
    print(f"duration           {elapsed:.0f} s")
    print(f"requests           {total}  ({total / elapsed:.1f} req/s)")
    print(f"latency            p50 {pct[49] * 1000:.0f} ms, p95 {pct[94] * 1000:.0f} ms, "
          f"max {lat[-1] * 1000 if lat else 0:.0f} ms")
    print("by request         " + ", ".join(f"{k} {v}" for k, v in sorted(tally.by_name.items())))
    print(f"errors             {errors}")
    for kind, n in tally.errors.most_common(10):
        print(f"  {n} × {kind}")
    for sample in tally.samples:
        print(f"  e.g. {sample}")
    print(f"writes acknowledged {acked}  (units {len(tally.acked_units)}, "
          f"registrations {len(tally.acked_registrations)})")
    print(f"writes found        {found_n}  (units {found['units_found']}, "
          f"registrations {found['registrations_found']}; in the database in all: units "
          f"{found['units_total']}, registrations {found['registrations_total']})")
    print(f"writes lost         {lost}")
    ok = errors == 0 and lost == 0 and total > 0
    print("RESULT             " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        sys.path.insert(0, str(ROOT))
        seed(int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--count":
        sys.path.insert(0, str(ROOT))
        count(sys.argv[2])
    else:
        sys.exit(main())
