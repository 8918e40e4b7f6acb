"""Unit pages: ``browse`` (list, drill-down, search, detail) and ``imports`` (upload, preview)."""
