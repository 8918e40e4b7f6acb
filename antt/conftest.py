"""Fixtures shared by tests in several apps that start real processes on a database of their own
(``antt.core.tests.livedb``): ``template`` (one migrated database per module) and ``live``."""

from antt.core.tests.livedb import live, template

__all__ = ["live", "template"]
