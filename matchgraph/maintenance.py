"""Housekeeping after a task rewrites whole tables."""

from collections.abc import Iterable

from django.db import connection


def vacuum_analyze(tables: Iterable[str]) -> None:
    """Reclaim the dead rows a rewrite left, and set visibility maps (index-only scans need
    them) and planner statistics now, rather than whenever autovacuum gets there (if it is
    on at all). VACUUM cannot run inside a transaction: skipped there (tests)."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
