"""Hostile input for the fuzz tests, and the one way every request is sent and judged.

Values are sent as raw, percent-encoded UTF-8 with lone surrogates passed through
(`surrogatepass`): that is the malformed UTF-8 a broken or hostile client really sends, which
Django must decode without failing. The test client would refuse to encode them itself."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

from django.apps import apps
from django.core.cache import cache
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Every test: the same examples on every run (CI must be stable), no example database
# between runs, and no per-example deadline (the first request of a test warms caches).
FUZZ = settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    "\ud800",
    "x\udfffy",
    "\u202eevil.exe\u202c",
    "مرحبا بالعالم",
    "😀🇳🇴👩\u200d👩\u200d👧",
    "e\u0301\u0301\u0301\u0301",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "\ufeff\u200b\u2028\u2029",
    "\r\nSet-Cookie: a=b",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ 7*7 }}{% debug %}",
    "' OR '1'='1' --",
    "'; DROP TABLE directory_offer; --",
    "1 UNION SELECT password FROM portal_user",
    "\\",
    "../../../../etc/passwd",
    "x" * 5000,
    "å" * 300,
    "0",
    "-1",
    "-0",
    "1e308",
    "NaN",
    "inf",
    "99999999999999999999999",
    "-9223372036854775809",
    "2147483648",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "10000-01-01",
    "-0001-01-01",
    "1970-01-01T00:00:00+99:00",
    "25:61",
    "91.0",
    "-181.0",
    "59.9,10.7",
    "null",
    "[]",
    "{}",
    "true",
]

# The values every form and parameter meets in the sweeps, whatever hypothesis draws besides.
SWEEP = [
    "a\x00b",
    "\ud800",
    "\u202eevil.exe\u202c",
    "😀🇳🇴👩\u200d👩\u200d👧",
    "e\u0301\u0301\u0301\u0301",
    "<script>alert(1)</script>",
    "'; DROP TABLE directory_offer; --",
    "x" * 5000,
    "-1",
    "99999999999999999999999",
    "NaN",
    "10000-01-01",
    "2026-02-30",
    "-181.0",
]
assert set(SWEEP) <= set(NASTY)

# Text from every plane, surrogates and control characters included.
any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)

nasty_value = st.one_of(
    st.sampled_from(NASTY),
    any_text,
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(lambda d: d.isoformat()),
)


def mutated(baseline: dict, fields: list[str] | None = None, max_size: int = 3):
    """The baseline POST with one to `max_size` of its fields replaced by hostile values."""
    keys = fields or list(baseline)
    return st.dictionaries(st.sampled_from(keys), nasty_value, min_size=1, max_size=max_size).map(
        lambda changes: {**baseline, **changes}
    )


def query_params(names: list[str]):
    """A query string's worth of hostile parameters; names may repeat, as in ?a=1&a=2."""
    return st.lists(st.tuples(st.sampled_from(names), nasty_value), max_size=4)


def _encode(value) -> str:
    return quote_plus(str(value).encode("utf-8", "surrogatepass"))


def path_segment(value) -> str:
    """A value as one percent-encoded path segment (a "/" in it stays encoded)."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def encode(data) -> str:
    """Form-encode a dict (list values repeat the key) or a list of pairs, byte for byte."""
    pairs = data.items() if isinstance(data, dict) else data
    out = []
    for key, value in pairs:
        for item in value if isinstance(value, list | tuple) else [value]:
            out.append(f"{_encode(key)}={_encode(item)}")
    return "&".join(out)


def get(client, path: str, params=()):
    cache.clear()  # rate-limit counters: every example gets a real answer, not a 429
    query = encode(params)
    response = client.get(f"{path}?{query}" if query else path)
    assert response.status_code < 500, (path, params, response.status_code)
    return response


def post(client, path: str, data):
    cache.clear()
    response = client.post(
        path, data=encode(data), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500, (path, data, response.status_code)
    return response


# Tables whose rows a user's submission may add or change. Sessions, caches and the search
# index's bookkeeping are left out: a rejected form may still touch a session.
_IGNORED = {"sessions.session", "search.searchword"}


def row_counts() -> dict[str, int]:
    """Rows in every table of the portal's own apps, Wagtail's core and allauth."""
    labels = {"portal", "directory", "agreements", "opendata", "search", "wagtailcore"}
    labels |= {"account", "mfa", "auth"}
    counts = {}
    for model in apps.get_models():
        key = model._meta.label_lower
        if model._meta.app_label in labels and key not in _IGNORED and not model._meta.proxy:
            counts[key] = model._default_manager.count()
    return counts


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before[key] for key in before if after[key] != before[key]}
