"""An embedded PostgreSQL (the `pgserver` package) for machines with no DATABASE_URL.

Its data lives under .data/postgres and it keeps running between commands, so only the
first start pays the `initdb` cost."""

import logging
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from config.env import DATA_DIR

DATABASE_NAME = "unfragile"
PGDATA = DATA_DIR / "postgres"

logging.getLogger("pgserver").setLevel(logging.WARNING)


def embedded_database_settings() -> dict:
    """Start (or reuse) the embedded server and return Django DATABASES settings for it."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs complains about XDG_RUNTIME_DIR
        import pgserver

        PGDATA.parent.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(PGDATA, cleanup_mode=None)
    _ensure_database(server)
    socket_dir = _socket_dir(server.get_uri())
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": socket_dir,
        "PORT": "",
    }


def _socket_dir(uri: str) -> str:
    query = parse_qs(urlparse(uri).query)
    return str(Path(query["host"][0]))


def _ensure_database(server) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
