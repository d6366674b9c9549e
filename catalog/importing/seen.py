"""The slugs an import run has met, with the line each was first met on.

Kept in a temporary table rather than in memory: a run over a list of a million records
would otherwise hold a million slugs in the process until it ends. One statement per batch
(two when the batch repeats slugs), and the table goes with the run."""

from django.db import connection

TABLE = "import_seen_slugs"


class SeenSlugs:
    def __enter__(self) -> "SeenSlugs":
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {TABLE} "
                f"(slug text PRIMARY KEY, line integer NOT NULL); TRUNCATE {TABLE}"
            )
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        # After a failure the table is left to the rollback (or to the next run's TRUNCATE):
        # a statement in an aborted transaction would hide the failure.
        if exc_type is None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def repeats(self, slugs_and_lines: list[tuple[str, int]]) -> dict[int, tuple[str, int]]:
        """Remember the batch's slugs; {line: (slug, first line)} for each one met before,
        in an earlier batch or earlier in this one."""
        first_in_batch: dict[str, int] = {}
        repeated: dict[int, tuple[str, int]] = {}
        for slug, line in slugs_and_lines:
            first = first_in_batch.setdefault(slug, line)
            if first != line:
                repeated[line] = (slug, first)
        if not first_in_batch:
            return repeated
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (slug, line) SELECT * FROM unnest(%s::text[], %s::int[]) "
                "ON CONFLICT (slug) DO NOTHING RETURNING slug",
                [list(first_in_batch), list(first_in_batch.values())],
            )
            new = {slug for (slug,) in cursor.fetchall()}
            known = [slug for slug in first_in_batch if slug not in new]
            if known:
                cursor.execute(f"SELECT slug, line FROM {TABLE} WHERE slug = ANY(%s)", [known])
                earlier = dict(cursor.fetchall())
                for slug in known:
                    repeated[first_in_batch[slug]] = (slug, earlier[slug])
        return repeated
