"""What every benchmark shares: the project on the import path, settings that cannot touch
the development site, and a scratch database beside the development one.

Import this module first, before Django is set up."""

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Local-memory cache and eager tasks: a scratch catalog's cached figures (document counts,
# categories, versions) must never overwrite the development site's in a shared Redis, and
# queued tasks must never reach a worker attached to another database.
os.environ.pop("REDIS_URL", None)


def scratch_name(name: str) -> str:
    """`<development database>_<name>_bench`."""
    from django.db import connection

    return f"{connection.settings_dict['NAME']}_{name}_bench"


@contextmanager
def scratch_database(
    name: str,
    *,
    keep: bool = False,
    reuse: bool = False,
    bring_up_to_date: Callable[[], None] | None = None,
) -> Iterator[str]:
    """Point the default connection at `scratch_name(name)` for the block: created and
    migrated afresh, or with `reuse` the one a `keep` run left (then migrated, or
    `bring_up_to_date`). Dropped afterwards unless `keep`."""
    from django.core.management import call_command
    from django.db import connection

    original = connection.settings_dict["NAME"]
    bench = scratch_name(name)
    if reuse:
        connection.close()
        connection.settings_dict["NAME"] = bench
        if bring_up_to_date:
            bring_up_to_date()
        else:
            call_command("migrate", verbosity=0)
    else:
        connection.settings_dict["TEST"]["NAME"] = bench
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield bench
    finally:
        connection.close()
        if keep:
            print(f"kept database {bench}: benchmarks run on it again with --reuse")
        else:
            connection.creation.destroy_test_db(original, verbosity=0)
