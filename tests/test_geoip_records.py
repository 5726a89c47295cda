"""GeoIP places read from the raw record are the places geoip2's model objects gave, address for address."""
import random

import geoip2.database
import geoip2.errors

import geo
from webhook.enrich import places
from webhook.enrich.geoip import GeoIP, _public_address


def model_place(reader: geoip2.database.Reader, ip: str):
    """Return the place as it was built from geoip2's City model (the code before raw records), or None."""
    address = _public_address(ip)
    if address is None:
        return None
    try:
        found = reader.city(address)
    except (geoip2.errors.AddressNotFoundError, ValueError):
        return None
    code = found.country.iso_code
    country = (places.country_name(code) if code else None) or found.country.name
    subdivisions = found.subdivisions
    state = subdivisions[0].name if subdivisions else None
    state_code = None
    if code == "US" and subdivisions:
        state_code = places.us_state_code(subdivisions[0].iso_code or "") or places.us_state_code(state or "")
        state = places.us_state_name(state_code) or state
    place = {"city": found.city.name, "state": state, "stateCode": state_code, "country": country,
             "countryCode": code}
    return place if any(place.values()) else None


def addresses(count: int) -> list[str]:
    """Return the tests' own addresses and `count` random IPv4 ones, private and reserved ones among them."""
    rng = random.Random(18)
    fixed = [geo.LONDON_IP, geo.LONDON_IPV6, geo.MOUNTAIN_VIEW_IP, geo.MIAMI_IP, geo.COUNTRY_ONLY_IP,
             geo.UNLISTED_IP, "10.0.0.1", "127.0.0.1", "::1", "2001:4860:4860::8888", "not an ip"]
    return fixed + [".".join(str(rng.randrange(256)) for _ in range(4)) for _ in range(count)]


def test_the_tests_database_gives_the_models_places(tmp_path):
    path = tmp_path / "city.mmdb"
    geo.build_city_mmdb(path)
    ours, reader = GeoIP(str(path)), geoip2.database.Reader(str(path))
    for ip in addresses(200):
        assert ours.lookup(ip) == model_place(reader, ip), ip


def test_the_embedded_database_gives_the_models_places(embedded_geoip_path):
    path = embedded_geoip_path
    ours, reader = GeoIP.open(path), geoip2.database.Reader(path)
    found = 0
    for ip in addresses(3000):
        expected = model_place(reader, ip)
        assert ours.lookup(ip) == expected, ip
        found += expected is not None
    assert found > 1000  # most of IPv4 has a place in DB-IP: the comparison covered real records
