"""`make run`: one command that starts everything a developer needs, and stops all of it on Ctrl-C.

Starts the embedded PostgreSQL unless DATABASE_URL is set, migrates, loads reference data and demo
content, then runs the web server, a Celery worker and Celery beat as child processes. Without
REDIS_URL, Celery uses kombu's filesystem transport under var/celery, so no broker is needed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST_PORT = os.environ.get("PORTAL_ADDRESS", "127.0.0.1:8000")
STOP_TIMEOUT_SECONDS = 15


def _run(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)  # noqa: S603


def _spawn(name: str, args: list[str]) -> subprocess.Popen:
    print(f"[make run] starter {name}", flush=True)
    # A new session per child: Ctrl-C reaches only this launcher, which then stops each child
    # in order, so none is left behind (runserver's reloader and Celery's pool included).
    return subprocess.Popen(args, cwd=BASE_DIR, start_new_session=True)  # noqa: S603


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _stop(children: dict[str, subprocess.Popen]) -> None:
    """SIGTERM each child (Celery then shuts its pool down warmly), then clean up its group."""
    for name, proc in children.items():
        if proc.poll() is None:
            print(f"[make run] stopper {name}", flush=True)
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        # Whatever a child left in its session (runserver's reloaded server) goes too.
        _signal_group(proc, signal.SIGTERM)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        from portal import embedded_postgres

        print("[make run] starter innebygd PostgreSQL (var/pgdata)", flush=True)
        os.environ["DATABASE_URL"] = embedded_postgres.start()
    else:
        import psycopg

        from portal.embedded_postgres import database_ensure

        try:
            if database_ensure(os.environ["DATABASE_URL"]):
                print("[make run] opprettet databasen i DATABASE_URL", flush=True)
        except psycopg.Error as exc:
            print(f"[make run] får ikke kontakt med DATABASE_URL: {exc}", file=sys.stderr)
            return 1
    if not os.environ.get("REDIS_URL"):
        for folder in ("queue", "processed", "control"):
            (BASE_DIR / "var" / "celery" / folder).mkdir(parents=True, exist_ok=True)

    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        _run("migrate", "--no-input", "-v", "0")
        _run("setup_portal", "--demo")
        celery = [PYTHON, "-m", "celery", "-A", "portal"]
        children["web"] = _spawn("web", [PYTHON, "manage.py", "runserver", HOST_PORT])
        children["worker"] = _spawn(
            "worker", [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"]
        )
        children["beat"] = _spawn("beat", [*celery, "beat", "--loglevel", "INFO", "--pidfile", ""])
        print(f"[make run] Samarbeidsportalen kjører på http://{HOST_PORT}/ (Ctrl-C stopper)")
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    print(f"[make run] {name} stoppet uventet (kode {proc.returncode})")
                    stopping = True
            time.sleep(0.5)
    except subprocess.CalledProcessError as exc:
        print(f"[make run] oppstarten feilet: {exc}", file=sys.stderr)
        return 1
    finally:
        _stop(children)
        if embedded:
            from portal import embedded_postgres

            print("[make run] stopper innebygd PostgreSQL", flush=True)
            embedded_postgres.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
