"""Turning a typed address into coordinates, for «avstand fra adresse».

Production uses Kartverket's open address service (GEOCODER_URL, e.g.
https://ws.geonorge.no/adresser/v1/sok). Without GEOCODER_URL the feature is off and the search
page does not offer it. Tests point GEOCODER_URL at a local stand-in, never the network.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
CACHE_SECONDS = 24 * 3600


def geocoding_enabled() -> bool:
    return bool(settings.GEOCODER_URL)


def geocode(address: str) -> tuple[float, float] | None:
    """(latitude, longitude) of the best match, or None when nothing matched or the service
    did not answer in time (the caller shows a message; search still works)."""
    address = " ".join((address or "").split())[:200]
    if not address or not geocoding_enabled():
        return None
    key = "geocode:" + urllib.parse.quote(address.lower())
    cached = cache.get(key)
    if cached is not None:
        return tuple(cached) if cached else None
    params = urllib.parse.urlencode({"sok": address, "treffPerSide": 1, "utkoordsys": 4258})
    url = f"{settings.GEOCODER_URL}?{params}"
    try:
        with urllib.request.urlopen(url, timeout=settings.GEOCODER_TIMEOUT_SECONDS) as response:  # noqa: S310 - configured https URL
            data = json.load(response)
        point = data["adresser"][0]["representasjonspunkt"]
        result = (float(point["lat"]), float(point["lon"]))
    except (IndexError, KeyError):
        result = None
    except (OSError, ValueError) as exc:
        logger.warning("Geocoder did not answer: %s", exc.__class__.__name__)
        return None  # not cached: try again next time
    cache.set(key, list(result) if result else [], CACHE_SECONDS)
    return result
