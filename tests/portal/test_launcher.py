"""`make run` serves the portal with worker and beat, and Ctrl-C leaves nothing running."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_launcher_serves_the_portal_and_ctrl_c_stops_everything(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "PORTAL_ADDRESS": f"127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
    }
    env.pop("REDIS_URL", None)  # the filesystem broker: no server needed
    launcher = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "portal.launcher"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "out.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            assert launcher.poll() is None, (tmp_path / "out.log").read_text()
            time.sleep(1)
        assert status == 200, (tmp_path / "out.log").read_text()
        assert '"broker": {"status": "ok", "transport": "filesystem"}' in body
        status, home = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "Samarbeidsportalen" in home
        children = psutil.Process(launcher.pid).children(recursive=True)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        assert "runserver" in names and "worker" in names and "beat" in names
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=60)
    assert launcher.returncode == 0, (tmp_path / "out.log").read_text()
    time.sleep(1)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
