"""Benchmark: a big units import in the request (inline) vs through a background job.

    .venv/bin/python scripts/bench_jobs.py                 # SQLite, 20,000 rows
    .venv/bin/python scripts/bench_jobs.py --rows 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python scripts/bench_jobs.py

A fresh database (a SQLite file in a temporary directory, or a new PostgreSQL database
``antt_bench_jobs_<pid>`` dropped at the end), one province and one commune, then:

1. inline: ``import_parsed`` of N new residential areas, as the upload page does for small files;
2. job: N other residential areas through ``enqueue_job`` and the real worker (``antt run_jobs``
   in a subprocess, already started, as under ``make run``), first the check (dry run), then
   the import, while this process reads the
   job row every 0.1 s the way the progress page does. It reports the time to done, the
   progress states seen, and the slowest read of the job row (on SQLite the worker's write
   transaction must not block the page).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _database(tmp: Path) -> tuple[str, str | None]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"antt_bench_jobs_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return url.rsplit("/", 1)[0] + "/" + name, name
    return f"sqlite:///{tmp / 'bench.sqlite3'}", None


def _drop(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _csv(prefix: str, parent: str, rows: int) -> bytes:
    lines = ["code,name,kind,parent_code,valid_from"]
    lines += [
        f"{parent}-{prefix}{i:06d},Tổ dân phố {prefix}{i},khu dân cư,{parent},2025-07-01"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="antt-bench-jobs-"))
    server = os.environ.get("DATABASE_URL", "")
    url, pg_name = _database(tmp)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ANTT_DATA_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    antt = str(ROOT / ".venv" / "bin" / "antt")
    try:
        subprocess.run([antt, "migrate", "--noinput", "-v0"], check=True, env=env)  # noqa: S603
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        return _run(args.rows, antt, env)
    finally:
        if pg_name:
            from django.db import connections

            connections.close_all()
            _drop(server, pg_name)


def _run(rows: int, antt: str, env: dict[str, str]) -> int:
    import datetime as dt

    from antt.accounts.services import assign_role
    from antt.jobs.models import Job
    from antt.jobs.services import enqueue_job
    from antt.units.import_service import import_parsed
    from antt.units.imports import parse_units_file
    from antt.units.models import Unit
    from antt.units.services import create_unit

    day = dt.date(2025, 7, 1)
    province = create_unit(actor="bench", code="01", name="Tỉnh", kind="province", parent=None,
                           valid_from=day)
    commune = create_unit(actor="bench", code="00070", name="Xã", kind="commune",
                          parent=province, valid_from=day, subtype="ward")
    officer, _, _ = assign_role(actor="bench", username="xa", role="commune_officer",
                                unit=commune)
    vendor = Unit.objects.get(pk=commune.pk).code
    print(f"database: {env['DATABASE_URL'].split('://')[0]}, rows: {rows:,}")

    data = _csv("A", vendor, rows)
    start = time.perf_counter()
    parsed = parse_units_file(data, "a.csv")
    parsed_at = time.perf_counter()
    report = import_parsed(actor=officer, parsed=parsed, dry_run=False)
    inline = time.perf_counter() - start
    if not report.written or report.created != rows:
        raise SystemExit(f"inline import failed: {report.errors[:3]}")
    print(f"inline import: {inline:.1f} s (parse {parsed_at - start:.1f} s)")

    data = _csv("B", vendor, rows)
    worker = subprocess.Popen(  # noqa: S603
        [antt, "run_jobs", "--max-jobs", "2", "--poll", "0.1"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    if worker.stdout is None or "ready" not in worker.stdout.readline():
        raise SystemExit("the worker did not start")  # up, as under `make run`
    for dry_run in (True, False):
        job = enqueue_job(actor=officer, kind=Job.Kind.UNITS_IMPORT, title="bench",
                          params={"dry_run": dry_run}, input_bytes=data, input_name="b.csv")
        start = time.perf_counter()
        seen: list[tuple[float, str, int, int, str]] = []
        slowest = 0.0
        while True:
            before = time.perf_counter()
            state = Job.objects.values_list("status", "done", "total", "message").get(pk=job.pk)
            slowest = max(slowest, time.perf_counter() - before)
            if not seen or seen[-1][1:] != state:
                seen.append((time.perf_counter() - start, *state))
            if state[0] in ("done", "failed"):
                break
            time.sleep(0.1)
        label = "job check (dry run)" if dry_run else "job import"
        print(f"{label}: {seen[-1][0]:.1f} s from enqueue to {seen[-1][1]}; "
              f"slowest progress read {slowest * 1000:.0f} ms; progress seen:")
        for at, status, done, total, message in seen:
            print(f"  {at:6.1f} s  {status:<8} {done}/{total}  {message}")
    worker.wait(timeout=60)
    created = Unit.objects.filter(code__startswith=f"{vendor}-B").count()
    print(f"units written by the job: {created:,}")
    return 0 if created == rows else 1


if __name__ == "__main__":
    sys.exit(main())
