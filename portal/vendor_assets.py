"""Fetch the pinned front-end packages from the npm registry and verify them.

Runs at setup (`make assets`), needs no Node.js, and writes only into git-ignored folders. Every
tarball is checked against the integrity hash recorded in vendor_assets.json before anything is
extracted; a mismatch stops setup. Nav's CSS points at fonts on cdn.nav.no, so those URLs are
rewritten to the self-hosted copies: the site loads nothing from other hosts at run time.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MANIFEST = Path(__file__).with_name("vendor_assets.json")
CACHE_DIR = BASE_DIR / "var" / "cache" / "npm"
FONT_URL = re.compile(r"https://cdn\.nav\.no/aksel/fonts/(SourceSans3-[a-z_-]+\.woff2)")


class IntegrityError(RuntimeError):
    pass


def verify_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in ("sha512", "sha384", "sha256"):
        raise IntegrityError(f"Ukjent integritetsalgoritme: {algorithm}")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise IntegrityError(f"Integritetssjekk feilet: ventet {expected}, fikk {actual}")


def _download(package: dict) -> bytes:
    cached = CACHE_DIR / f"{package['name'].replace('/', '__')}-{package['version']}.tgz"
    if cached.exists():
        data = cached.read_bytes()
        try:
            verify_integrity(data, package["integrity"])
            return data
        except IntegrityError:
            cached.unlink()
    if not package["tarball"].startswith("https://registry.npmjs.org/"):
        raise IntegrityError(f"{package['name']}: bare npm-registeret er tillatt som kilde")
    with urllib.request.urlopen(package["tarball"], timeout=60) as response:  # noqa: S310
        data = response.read()
    verify_integrity(data, package["integrity"])
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data


def rewrite_font_urls(css: str, font_base_url: str) -> str:
    return FONT_URL.sub(lambda m: f"{font_base_url}{m.group(1)}", css)


def fetch_all(*, base_dir: Path = BASE_DIR, force: bool = False) -> list[Path]:
    """Fetch every package in the manifest; returns the files written."""
    manifest = json.loads(MANIFEST.read_text())
    written: list[Path] = []
    for package in manifest["packages"]:
        targets = {src: base_dir / dest for src, dest in package["files"].items()}
        stamp = base_dir / "var" / "cache" / "stamps" / f"{package['name'].replace('/', '__')}"
        if (
            not force
            and all(t.exists() for t in targets.values())
            and stamp.exists()
            and stamp.read_text() == package["integrity"]
        ):
            continue
        data = _download(package)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for src, target in targets.items():
                member = tar.extractfile(src)
                if member is None:
                    raise IntegrityError(f"{package['name']}: {src} finnes ikke i pakken")
                content = member.read()
                if package.get("rewrite_font_urls"):
                    # The CSS lives in vendor/aksel/, the fonts in vendor/fonts/.
                    content = rewrite_font_urls(content.decode(), "../fonts/").encode()
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                written.append(target)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(package["integrity"])
    return written


def main() -> int:
    try:
        written = fetch_all(force="--force" in sys.argv)
    except (IntegrityError, OSError) as exc:
        print(f"Kunne ikke hente front-end-pakker: {exc}", file=sys.stderr)
        return 1
    print(f"Front-end-pakker er på plass ({len(written)} filer oppdatert).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
