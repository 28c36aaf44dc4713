import base64
import hashlib
import json
from pathlib import Path

import pytest

from portal import vendor_assets


def test_integrity_check_accepts_matching_and_rejects_tampered_data():
    data = b"body{}"
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    vendor_assets.verify_integrity(data, integrity)
    with pytest.raises(vendor_assets.IntegrityError):
        vendor_assets.verify_integrity(data + b" ", integrity)


def test_manifest_pins_versions_and_hashes_from_the_npm_registry_only():
    manifest = json.loads(vendor_assets.MANIFEST.read_text())
    names = {p["name"] for p in manifest["packages"]}
    assert {"@navikt/ds-css", "htmx.org", "axe-core"} <= names
    for package in manifest["packages"]:
        assert package["tarball"].startswith("https://registry.npmjs.org/")
        assert package["version"] in package["tarball"]
        assert package["integrity"].startswith("sha512-")
    ds_css = next(p for p in manifest["packages"] if p["name"] == "@navikt/ds-css")
    assert ds_css["version"].startswith("8.")


def test_served_css_loads_fonts_from_this_site_only():
    css = (vendor_assets.BASE_DIR / "portal/static/vendor/aksel/index.css").read_text()
    assert "cdn.nav.no" not in css
    assert "https://" not in css.replace("https://www.w3.org", "")
    fonts = vendor_assets.BASE_DIR / "portal/static/vendor/fonts"
    for name in vendor_assets.FONT_URL.findall(
        "https://cdn.nav.no/aksel/fonts/SourceSans3-normal.woff2"
    ):
        assert (fonts / name).exists()


def test_rewrite_points_font_urls_at_local_files():
    css = 'src:url("https://cdn.nav.no/aksel/fonts/SourceSans3-italic-latin_ext.woff2")'
    assert vendor_assets.rewrite_font_urls(css, "../fonts/") == (
        'src:url("../fonts/SourceSans3-italic-latin_ext.woff2")'
    )
    assert Path(vendor_assets.MANIFEST).name == "vendor_assets.json"
