"""Evaluate the whole country: one process per core over the provinces.

The engine is pure Python, so one process evaluates one province at a time on one core; the
provinces are independent (evidence, Art. 5.4 and the settings never cross a province), so
they are spread over a pool of forked processes, each with its own database connection. Every
process returns the province's ``scope_dict`` (plain data, cheap to send back), never model
instances or evaluation trees. Reads only: nothing is written, so nothing needs to be atomic.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from django.db import connection, connections
from django.utils.translation import gettext as _

from antt.recognition.api import SUMMARY_FIELDS, scope_dict
from antt.recognition.evaluation import EVALUATED_KINDS, evaluate_scope
from antt.units.models import Unit

__all__ = ["evaluate_country", "province_dict", "provinces", "workers"]


def provinces() -> list[Unit]:
    """The provinces of today's map (34 after the 2025 reform), by code."""
    return list(Unit.objects.filter(kind="province", valid_to__isnull=True).order_by("code"))


def province_dict(pk: int, year: int) -> dict[str, Any]:
    """One province's verdicts as ``scope_dict`` gives them (run in a worker process)."""
    root = Unit.objects.get(pk=pk)
    return scope_dict(root, evaluate_scope(root, year, explain=False))


def workers(processes: int | None, tasks: int) -> int:
    """How many processes to use: one per core by default, at most one per province. One (in
    this process) where forking is not available, or inside a transaction: a child would not
    see its uncommitted rows, and closing the connections before forking would end it; and on
    an in-memory SQLite database (tests), which only this process can open."""
    in_memory = connection.vendor == "sqlite" and bool(
        getattr(connection, "is_in_memory_db", lambda: False)()
    )
    if (
        "fork" not in multiprocessing.get_all_start_methods()
        or connection.in_atomic_block
        or in_memory
    ):
        return 1
    wanted = processes if processes is not None else len(os.sched_getaffinity(0))
    return max(1, min(wanted, tasks))


def _fresh_connections() -> None:
    """In a forked child: forget the parent's (closed) connections; each opens its own."""
    connections.close_all()


def evaluate_country(year: int, processes: int | None = None) -> dict[str, Any]:
    """Every province's units for ``year``, shaped like ``scope_dict`` for the whole country:
    the summary per kind summed over the provinces, the units and the ineligible units in
    province order, and each province's own summary under ``provinces``."""
    roots = provinces()
    count = workers(processes, len(roots))
    if count < 2:
        parts = [province_dict(root.pk, year) for root in roots]
    else:
        # Forked children inherit the loaded catalogue and settings (the test database's name
        # too); the parent's connections are closed first so that no socket or file handle is
        # shared between processes.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=_fresh_connections
        ) as pool:
            parts = list(pool.map(province_dict, [r.pk for r in roots], [year] * len(roots)))
    return _merge(parts, year, count)


def _merge(parts: list[dict[str, Any]], year: int, processes: int) -> dict[str, Any]:
    summary: dict[str, dict[str, int]] = {}
    for part in parts:
        for kind, row in part["summary"].items():
            total = summary.setdefault(kind, dict.fromkeys(SUMMARY_FIELDS, 0))
            for column in SUMMARY_FIELDS:
                total[column] += row[column]
    return {
        "scope": "",
        "scope_name": _("Toàn quốc"),
        "year": year,
        "summary": {k: summary[k] for k in EVALUATED_KINDS if k in summary},
        "ineligible": [u for part in parts for u in part["ineligible"]],
        "units": [u for part in parts for u in part["units"]],
        "provinces": [
            {"scope": p["scope"], "scope_name": p["scope_name"], "summary": p["summary"]}
            for p in parts
        ],
        "processes": processes,
    }
