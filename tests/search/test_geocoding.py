"""The geocoder against a local stand-in for Kartverket's address API (never the network)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache

from search.geocoding import geocode

ADDRESSES = {"storgata 1 drammen": (59.7441, 10.2046)}


class StandIn(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        query = parse_qs(urlparse(self.path).query)["sok"][0].lower()
        point = ADDRESSES.get(query)
        body = {
            "adresser": [{"representasjonspunkt": {"lat": point[0], "lon": point[1]}}]
            if point
            else []
        }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def geocoder(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/adresser/v1/sok"
    cache.clear()
    yield
    server.shutdown()


def test_known_address_gives_coordinates(geocoder):
    assert geocode("Storgata 1  Drammen") == (59.7441, 10.2046)


def test_unknown_address_gives_none(geocoder):
    assert geocode("Finnesikkeveien 999") is None


def test_unreachable_service_gives_none_without_raising(settings):
    settings.GEOCODER_URL = "http://127.0.0.1:1/sok"
    cache.clear()
    assert geocode("Storgata 1 Drammen") is None


def test_off_without_url(settings):
    settings.GEOCODER_URL = ""
    assert geocode("Storgata 1 Drammen") is None


@pytest.mark.django_db
def test_search_page_sorts_by_distance_from_a_typed_address(client, geocoder, catalogue, shell):
    response = client.get("/tilbud/", {"adresse": "Storgata 1 Drammen", "sort": "distance"})
    hits = response.context["hits"]
    assert hits[0]["url"] == f"/tilbud/{catalogue['lekser_drammen'].pk}/"
    assert hits[0]["distance_km"] < 1


@pytest.mark.django_db
def test_unknown_address_is_explained_and_search_still_works(client, geocoder, catalogue, shell):
    response = client.get("/tilbud/", {"adresse": "Finnesikkeveien 999", "sort": "distance"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vi fant ikke adressen" in html
    assert response.context["total"] > 0


@pytest.mark.django_db
def test_address_field_is_absent_without_a_geocoder(client, settings, catalogue, shell):
    settings.GEOCODER_URL = ""
    assert 'name="adresse"' not in client.get("/tilbud/").content.decode()
