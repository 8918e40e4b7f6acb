"""A fault-injection point for the kill tests, inert unless its environment variable is set.

Bulk services call ``checkpoint("units.import", done)`` inside their transaction as they make
progress. When the environment says ``ANTT_FAULT_PAUSE_AT=units.import:50``, the first call with
``done >= 50`` writes ``done`` to the file named by ``ANTT_FAULT_READY_FILE`` and then sleeps
(``ANTT_FAULT_PAUSE_SECONDS``, default 120), so that a test can SIGKILL the process at a known
point in the middle of the write. Without the variable a checkpoint is one dictionary lookup.

Points: ``units.import`` (units written), ``decision.decide`` (registrations decided),
``certificates.issue`` (certificates numbered), ``certificates.documents`` (PDFs stored).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV_POINT = "ANTT_FAULT_PAUSE_AT"
ENV_READY = "ANTT_FAULT_READY_FILE"
ENV_SECONDS = "ANTT_FAULT_PAUSE_SECONDS"


def checkpoint(name: str, done: int) -> None:
    wanted = os.environ.get(ENV_POINT)
    if not wanted:
        return
    point, _sep, after = wanted.partition(":")
    if point != name or done < int(after or 0):
        return
    os.environ.pop(ENV_POINT)  # pause once
    ready = os.environ.get(ENV_READY)
    if ready:
        Path(ready).write_text(str(done), encoding="utf-8")
    time.sleep(float(os.environ.get(ENV_SECONDS, "120")))
