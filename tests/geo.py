"""Build a small City-shaped .mmdb for tests, with known answers to assert on."""

from mmdb_writer import MMDBWriter, MmdbU32
from netaddr import IPSet

LONDON_IP = "81.2.69.160"
LONDON = {"city": "London", "state": "England", "stateCode": None,
          "country": "United Kingdom", "countryCode": "GB"}
LONDON_IPV6 = "2a02:c7f::1"
MOUNTAIN_VIEW_IP = "8.8.8.8"
MOUNTAIN_VIEW = {"city": "Mountain View", "state": "California", "stateCode": "CA",
                 "country": "United States", "countryCode": "US"}
# Like DB-IP: the subdivision has a name but no ISO code.
MIAMI_IP = "141.92.55.102"
MIAMI = {"city": "Miami", "state": "Florida", "stateCode": "FL",
         "country": "United States", "countryCode": "US"}
COUNTRY_ONLY_IP = "185.53.178.7"
COUNTRY_ONLY = {"city": None, "state": None, "stateCode": None,
                "country": "Russia", "countryCode": "RU"}
UNLISTED_IP = "1.1.1.1"


def _country(code, name, geoname_id):
    """Return a country record as MaxMind writes it."""
    return {"geoname_id": MmdbU32(geoname_id), "iso_code": code, "names": {"en": name}}


def _city(name, country, subdivision=None, lat=0.0, lon=0.0):
    """Return a City record; subdivision is (iso_code or None, English name)."""
    record = {"city": {"names": {"en": name}}, "country": country,
              "location": {"latitude": lat, "longitude": lon}}
    if subdivision:
        code, sub_name = subdivision
        record["subdivisions"] = [{"names": {"en": sub_name}, **({"iso_code": code} if code else {})}]
    return record


def build_city_mmdb(path):
    """Write the test City database to path."""
    gb = _country("GB", "United Kingdom", 2635167)
    us = _country("US", "United States", 6252001)
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoIP2-City",
                        languages=["en"], description="Proofhook test City database")
    writer.insert_network(IPSet(["81.2.69.0/24"]), _city("London", gb, ("ENG", "England"), 51.5142, -0.0931))
    writer.insert_network(IPSet(["2a02:c7f::/32"]), _city("London", gb, ("ENG", "England"), 51.5142, -0.0931))
    writer.insert_network(IPSet(["8.8.8.0/24"]), _city("Mountain View", us, ("CA", "California"), 37.386, -122.0838))
    writer.insert_network(IPSet(["141.92.55.0/24"]), _city("Miami", us, (None, "Florida"), 25.7617, -80.1918))
    # The country's English name is the ISO one on purpose: lookups must show "Russia".
    writer.insert_network(IPSet(["185.53.178.0/24"]), {"country": _country("RU", "Russian Federation", 2017370)})
    writer.to_db_file(str(path))
