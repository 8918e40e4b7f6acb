"""Exit 0 when the PostgreSQL server named by the URL answers within two seconds."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=2).close()
except (psycopg.Error, IndexError):
    sys.exit(1)
