"""Throwaway services for the resilience tests: each starts on its own loopback port (or is a
database of its own) and is stopped or dropped by the fixture, never the machine's shared ones."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    """A redis-server on a free loopback port, without persistence, that a test can stop and
    start again on the same port."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the throwaway redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def throwaway_redis(tmp_path):
    redis = ThrowawayRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


class ThrowawayDatabasePort:
    """A TCP relay on a free loopback port to the test database's server: Django is pointed at
    it, and stopping it is the database going away for everyone, while the machine's own
    PostgreSQL keeps running for every other test and user. Started again on the same port,
    the database is back."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        import threading

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener

        def pipe(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                for end in (source, sink):
                    with contextlib.suppress(OSError):
                        end.shutdown(socket.SHUT_RDWR)

        def accept():
            while True:
                try:
                    client, _ = listener.accept()
                except OSError:
                    return  # stopped
                try:
                    server = self._connect_target()
                except OSError:
                    client.close()
                    continue
                server.settimeout(None)
                self.sockets += [client, server]
                threading.Thread(target=pipe, args=(client, server), daemon=True).start()
                threading.Thread(target=pipe, args=(server, client), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()

    def _connect_target(self) -> socket.socket:
        host, port = self.target
        if host.startswith("/"):  # the embedded PostgreSQL listens on a Unix socket only
            server = socket.socket(socket.AF_UNIX)
            server.connect(f"{host}/.s.PGSQL.{port}")
            return server
        return socket.create_connection(self.target, timeout=5)

    def stop(self) -> None:
        """Refuse new connections and cut the open ones, as a database server that went down."""
        if self.listener is not None:
            # shutdown first: close() alone does not wake a thread blocked in accept(), which
            # would go on taking connections.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for end in self.sockets:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        self.sockets = []


@pytest.fixture
def throwaway_database_port(django_db_blocker):
    """Every database connection from here on goes through a relay the test can stop."""
    from django.db import connections

    settings_dict = connections.settings["default"]
    original = (settings_dict["HOST"], settings_dict["PORT"])
    relay = ThrowawayDatabasePort(original[0] or "127.0.0.1", int(original[1] or 5432))
    relay.start()
    # The dict every thread's connection is made from, the live server's included.
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(relay.port)
    with django_db_blocker.unblock():
        connections.close_all()
        # Connections other threads opened before (the live server's) still go straight to
        # the server: end them, in this test database only, so they reconnect through the relay.
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    try:
        yield relay
    finally:
        relay.stop()
        settings_dict["HOST"], settings_dict["PORT"] = original
        with django_db_blocker.unblock():
            connections.close_all()


@pytest.fixture
def throwaway_database(django_db_blocker):
    """The URL of an empty database of our own on the test database's server; dropped after."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    from portal.backup import database_url

    with django_db_blocker.unblock():
        server = database_url()
    name = f"resilience_{secrets.token_hex(4)}"
    maintenance = make_conninfo(server, dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_conninfo(server, dbname=name)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))


# Agreements made through the services, as tests/agreements makes them.
from tests.agreements.conftest import agreement_type, make_agreement  # noqa: E402, F401


class StandInElasticsearch:
    """Just enough of an Elasticsearch node, on a loopback port, for indexing to reach it: the
    aliases exist and bulk requests are recorded and acknowledged. The port stays closed (the
    cluster is unreachable) until `start()`."""

    def __init__(self):
        self.port = free_port()
        self.bulk_documents: list[tuple[str, str]] = []  # (alias, id) of each indexed document
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict | None) -> None:
                raw = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header(
                    "Content-Type", "application/vnd.elasticsearch+json;compatible-with=9"
                )
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(raw)

            def do_HEAD(self):
                self._answer(200 if self.path.startswith("/_alias/") else 404, None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                text = self.rfile.read(length).decode()
                if not self.path.split("?")[0].endswith("/_bulk"):
                    self._answer(404, {"error": "not here", "status": 404})
                    return
                items = []
                for line in (json.loads(row) for row in text.splitlines() if row.strip()):
                    op = next(iter(line))
                    if op in ("index", "delete", "create", "update"):
                        meta = line[op]
                        if op == "index":
                            node.bulk_documents.append((meta["_index"], meta["_id"]))
                        status = 404 if op == "delete" else 201
                        items.append({op: {"_index": meta["_index"], "_id": meta["_id"],
                                           "status": status}})  # fmt: skip
                self._answer(200, {"took": 1, "errors": False, "items": items})

            do_PUT = do_POST

            def do_GET(self):
                self._answer(404, {"error": "not here", "status": 404})

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def stand_in_elasticsearch(settings):
    """ELASTICSEARCH_URL names a loopback port where nothing listens yet."""
    from search.backends import get_backend

    node = StandInElasticsearch()
    settings.ELASTICSEARCH_URL = node.url
    settings.SEARCH_BACKEND = "elasticsearch"
    get_backend.cache_clear()
    try:
        yield node
    finally:
        node.stop()
        get_backend.cache_clear()
