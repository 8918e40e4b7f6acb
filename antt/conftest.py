"""Fixtures shared by tests in several apps that start real processes on a database of their own
(``antt.core.tests.livedb``): ``template`` (one migrated database per module) and ``live``."""

import pytest
from django.core.cache import cache

from antt.core.tests.livedb import live, template

__all__ = ["live", "template"]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: tests build data without audit events (so the data
    version of antt.core.cache stays "0"), and a rolled-back test's entries must not leak."""
    cache.clear()
