"""Dependencies point one way: portal -> agreements -> directory; search -> domain apps;
opendata -> search and the domain apps."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "directory": {"portal", "agreements", "search", "opendata"},
    "agreements": {"portal", "search", "opendata"},
    "search": {"portal", "opendata"},
    "opendata": {"portal"},
}


def _imported_top_level_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_does_not_import_against_the_arrow(app):
    offenders = []
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        bad = _imported_top_level_packages(path) & FORBIDDEN[app]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_no_grab_bag_modules():
    grab_bags = {"core", "common", "utils", "misc", "helpers"}
    found = [
        str(p.relative_to(ROOT))
        for app in ("portal", "directory", "agreements", "search")
        for p in (ROOT / app).rglob("*")
        if p.stem in grab_bags
    ]
    assert not found
