"""The dataset generator's writer: ``antt.core.bulk`` (shared with the imports), named here for
the bench modules that import it from ``antt.bench.writer``."""

from __future__ import annotations

from antt.core.bulk import Table, lock, reserve_ids

__all__ = ["Table", "lock", "reserve_ids"]
