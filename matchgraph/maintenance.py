"""Housekeeping for tasks that rewrite whole tables: rebuild a table as a fresh copy and
swap it in under the table's own names, and vacuum afterwards."""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

# Index names are unique per schema, so a copy's indexes are built under this suffix and
# renamed when the old table is gone.
FRESH_SUFFIX = "_next"
# PostgreSQL cuts longer names silently; a cut name could not be renamed back.
MAX_NAME_LENGTH = 63
INDEX_DEFINITION = re.compile(r"^(CREATE (?:UNIQUE )?INDEX )\S+( ON (?:ONLY )?)\S+( USING .*)$")


@dataclass(frozen=True)
class _Shape:
    """What a copy must be given to stand in for its table. Checks, defaults, identity and
    NOT NULL come with `CREATE TABLE ... LIKE`; the rest is read from the catalogue."""

    table: str
    fresh: str
    indexes: list[tuple[str, str]]  # (name, definition): indexes no constraint owns
    keyed_constraints: list[tuple[str, str]]  # primary key, unique, exclusion: own an index
    foreign_keys: list[tuple[str, str]]
    identity_sequences: list[tuple[str, str]]  # (column, sequence name)


@contextmanager
def tables_rebuilt(cursor, tables: Iterable[str]) -> Iterator[dict[str, str]]:
    """Yield an empty copy of each table ({table: copy}) to fill in bulk. When the block
    ends, every copy is given its table's indexes and constraints, then each replaces its
    table under the same names (index, constraint and identity-sequence names included:
    migrations keep working).

    Run it in a transaction: readers see the old tables until commit. Building each index
    once after the fill is far cheaper than maintaining it row by row, and leaves no dead
    rows; the swap itself only drops and renames, so the exclusive lock it takes (held until
    commit) comes as late as possible. Every copy is indexed before any table is swapped: a
    reader waiting on the first swapped table then waits for renames, not index builds. The
    tables must not be referenced by foreign keys (the old table is dropped)."""
    shapes = [_copy(cursor, table) for table in tables]
    yield {shape.table: shape.fresh for shape in shapes}
    for shape in shapes:
        _index_and_constrain(cursor, shape)
    for shape in shapes:
        _swap_in(cursor, shape)


def _fresh_name(name: str) -> str:
    fresh = f"{name}{FRESH_SUFFIX}"
    if len(fresh) > MAX_NAME_LENGTH:
        raise ValueError(f"{name!r} is too long to rebuild under a temporary name")
    return fresh


def _copy(cursor, table: str) -> _Shape:
    """An empty copy of `table` without indexes, and the shape it must be given."""
    fresh = _fresh_name(table)
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid"
        "  AND k.conrelid = i.indrelid) "
        "ORDER BY c.relname",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x', 'f') ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT attname, pg_get_serial_sequence(%s, attname) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "AND attidentity <> '' ORDER BY attnum",
        [table, table],
    )
    sequences = [(column, _unqualified(name)) for column, name in cursor.fetchall()]
    cursor.execute(f"DROP TABLE IF EXISTS {fresh}")
    cursor.execute(f"CREATE TABLE {fresh} (LIKE {table} INCLUDING ALL EXCLUDING INDEXES)")
    return _Shape(
        table=table,
        fresh=fresh,
        indexes=indexes,
        keyed_constraints=[(name, sql) for name, kind, sql in constraints if kind != "f"],
        foreign_keys=[(name, sql) for name, kind, sql in constraints if kind == "f"],
        identity_sequences=sequences,
    )


def _unqualified(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _index_and_constrain(cursor, shape: _Shape) -> None:
    """Build on the copy every index and constraint its table has (index-owning ones under
    temporary names), and gather its planner statistics."""
    for name, definition in shape.indexes:
        cursor.execute(_index_on(definition, name=_fresh_name(name), table=shape.fresh))
    for name, definition in shape.keyed_constraints:
        cursor.execute(f"ALTER TABLE {shape.fresh} ADD CONSTRAINT {_fresh_name(name)} {definition}")
    # Constraint names are per table: a foreign key takes its own name at once.
    for name, definition in shape.foreign_keys:
        cursor.execute(f"ALTER TABLE {shape.fresh} ADD CONSTRAINT {name} {definition}")
    cursor.execute(f"ANALYZE {shape.fresh}")


def _index_on(definition: str, *, name: str, table: str) -> str:
    """`definition` (as pg_get_indexdef gives it) for an index `name` on `table`."""
    rewritten, found = INDEX_DEFINITION.subn(rf"\g<1>{name}\g<2>{table}\g<3>", definition)
    if not found:
        raise ValueError(f"cannot rebuild an index defined as {definition!r}")
    return rewritten


def _swap_in(cursor, shape: _Shape) -> None:
    """Replace the table with its copy and give back every name the table had."""
    table = shape.table
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {shape.fresh} RENAME TO {table}")
    for name, _ in shape.indexes:
        cursor.execute(f"ALTER INDEX {_fresh_name(name)} RENAME TO {name}")
    for name, _ in shape.keyed_constraints:  # renames the constraint's index too
        cursor.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {_fresh_name(name)} TO {name}")
    for column, sequence in shape.identity_sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} RENAME TO {sequence}")


def vacuum_analyze(tables: Iterable[str]) -> None:
    """Reclaim the dead rows a rewrite left, and set visibility maps (index-only scans need
    them) and planner statistics now, rather than whenever autovacuum gets there (if it is
    on at all). VACUUM cannot run inside a transaction: skipped there (tests)."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
