import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

import geo
from webhook.enrich.geoip import DBIP_CREDIT, MAXMIND_CREDIT, GeoIP


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "city.mmdb"
    geo.build_city_mmdb(path)
    return GeoIP.open(str(path))


@pytest.fixture(scope="module")
def embedded(embedded_geoip_path):
    return GeoIP.open(embedded_geoip_path)


@pytest.mark.parametrize(("ip", "expected"), [
    (geo.LONDON_IP, geo.LONDON),
    (geo.LONDON_IPV6, geo.LONDON),
    (geo.MOUNTAIN_VIEW_IP, geo.MOUNTAIN_VIEW),
    (geo.MIAMI_IP, geo.MIAMI),
    (geo.COUNTRY_ONLY_IP, geo.COUNTRY_ONLY),
    (f"::ffff:{geo.MOUNTAIN_VIEW_IP}", geo.MOUNTAIN_VIEW),
    (f"  {geo.MIAMI_IP} ", geo.MIAMI),
])
def test_built_database_answers(built, ip, expected):
    assert built.lookup(ip) == expected


@pytest.mark.parametrize("ip", [
    geo.UNLISTED_IP, "10.1.2.3", "192.168.0.1", "172.16.5.4", "127.0.0.1", "::1", "169.254.1.1",
    "fe80::1", "224.0.0.1", "ff02::1", "240.0.0.1", "0.0.0.0", "::", "100.64.0.1", "192.0.2.1",
    "::ffff:10.0.0.1", "2001:db8::1", "not an ip", "", "8.8.8", "999.1.1.1", None, 8,
])
def test_no_place_without_error(built, ip):
    assert built.lookup(ip) is None


def test_ipv6_address_in_ipv4_only_database_is_none(tmp_path):
    path = tmp_path / "v4.mmdb"
    writer = MMDBWriter(ip_version=4, database_type="GeoIP2-City", languages=["en"], description="v4")
    writer.insert_network(IPSet(["8.8.8.0/24"]), {"country": {"iso_code": "US", "names": {"en": "United States"}}})
    writer.to_db_file(str(path))
    geoip = GeoIP.open(str(path))
    assert geoip.lookup("8.8.8.8")["countryCode"] == "US"
    assert geoip.lookup(geo.LONDON_IPV6) is None


def test_database_that_is_not_city_or_country_is_refused(tmp_path):
    path = tmp_path / "asn.mmdb"
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-ASN", languages=["en"], description="asn")
    writer.insert_network(IPSet(["8.8.8.0/24"]), {"autonomous_system_number": 15169})
    writer.to_db_file(str(path))
    with pytest.raises(ValueError, match="GeoLite2-ASN"):
        GeoIP.open(str(path))


def test_open_is_cached_per_path(built, tmp_path):
    path = tmp_path / "other.mmdb"
    geo.build_city_mmdb(path)
    assert GeoIP.open(str(path)) is GeoIP.open(str(path)) is GeoIP.open(path)
    assert GeoIP.open(str(path)) is not built


@pytest.mark.parametrize("path", ["", None])
def test_open_without_path_is_none(path):
    assert GeoIP.open(path) is None


def test_built_database_credits_maxmind(built):
    assert built.credit == MAXMIND_CREDIT


def test_embedded_database_is_dbip(embedded):
    assert embedded.credit == DBIP_CREDIT == {"name": "DB-IP", "url": "https://db-ip.com"}


@pytest.mark.parametrize("ip", ["8.8.8.8", "::ffff:8.8.8.8"])
def test_embedded_database_gives_us_state_code_from_name(embedded, ip):
    place = embedded.lookup(ip)
    assert place["countryCode"] == "US"
    assert place["country"] == "United States"
    assert place["state"] == "California"
    assert place["stateCode"] == "CA"


def test_embedded_database_london(embedded):
    place = embedded.lookup("81.2.69.160")
    assert (place["countryCode"], place["country"], place["stateCode"]) == ("GB", "United Kingdom", None)


@pytest.mark.parametrize("ip", ["10.1.2.3", "127.0.0.1", "::1"])
def test_embedded_database_private_is_none(embedded, ip):
    assert embedded.lookup(ip) is None
