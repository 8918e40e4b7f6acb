"""`antt run_jobs [--once] [--poll S] [--heartbeat S] [--max-jobs N]`: the background worker.

Claims queued jobs one at a time and runs them; between jobs it marks as failed the running jobs
whose worker died. SIGTERM or SIGINT (systemd stop, Ctrl-C, `make run` ending) lets the current
job finish, then exits. Several workers may run side by side: each job is claimed by one only.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from antt.jobs.services import claim_next_job, fail_stale_jobs, run_job, worker_name


class Command(BaseCommand):
    help = (
        "Chạy các công việc nền (nhập tệp lớn, đánh giá cả phạm vi, cấp giấy công nhận hàng loạt, "
        "xuất báo cáo lớn). Dừng bằng SIGTERM/Ctrl-C: công việc đang chạy được làm xong rồi mới "
        "thoát."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Chạy hết các công việc đang chờ rồi thoát."
        )
        parser.add_argument(
            "--poll", type=float, default=1.0, help="Số giây chờ giữa hai lần tìm việc mới."
        )
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=10.0,
            help="Số giây giữa hai tín hiệu “còn chạy” của công việc đang làm.",
        )
        parser.add_argument(
            "--max-jobs",
            type=int,
            default=0,
            help="Thoát sau chừng ấy công việc (0: không giới hạn).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda _signum, _frame: stop.set())
        name = worker_name()
        verbosity = options["verbosity"]
        if verbosity:
            self.stdout.write(f"run_jobs: worker {name} ready")
        ran = 0
        while not stop.is_set():
            if not connection.in_atomic_block:  # reconnect after a database restart
                close_old_connections()
            for stale in fail_stale_jobs():
                self.stderr.write(f"run_jobs: job {stale.pk} interrupted, marked failed")
            job = claim_next_job(name)
            if job is None:
                if options["once"]:
                    break
                stop.wait(options["poll"])
                continue
            if verbosity:
                self.stdout.write(f"run_jobs: job {job.pk} ({job.kind}) started")
            ended = run_job(job, heartbeat=options["heartbeat"] or None)
            if verbosity:
                self.stdout.write(f"run_jobs: job {ended.pk} {ended.status}")
            ran += 1
            if options["max_jobs"] and ran >= options["max_jobs"]:
                break
        if not connection.in_atomic_block:  # a worker thread leaves no session behind
            connection.close()
