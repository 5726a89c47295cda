"""GeoIP's integer-range check for public IPv4 addresses gives ipaddress's answer."""
import ipaddress
import random

from webhook.enrich.geoip import NOT_PUBLIC_V4, NOT_PUBLIC_V4_ENDS, NOT_PUBLIC_V4_STARTS, _public_address


def ipaddress_answer(number: int) -> bool:
    """Return what the check was before: global and not multicast, as ipaddress tells it."""
    address = ipaddress.IPv4Address(number)
    return address.is_global and not address.is_multicast


def test_every_edge_of_every_range_is_judged_as_ipaddress_judges_it():
    edges = set()
    for text in NOT_PUBLIC_V4:
        network = ipaddress.IPv4Network(text)
        for number in (int(network.network_address), int(network.broadcast_address)):
            edges.update({number - 1, number, number + 1})
    edges.update(NOT_PUBLIC_V4_STARTS + NOT_PUBLIC_V4_ENDS)
    edges = {number for number in edges if 0 <= number < 2**32}
    for number in sorted(edges):
        address = str(ipaddress.IPv4Address(number))
        assert (_public_address(address) is not None) == ipaddress_answer(number), address


def test_random_addresses_are_judged_as_ipaddress_judges_them():
    draw = random.Random(18)
    for _ in range(20000):
        number = draw.randrange(2**32)
        address = str(ipaddress.IPv4Address(number))
        assert (_public_address(address) is not None) == ipaddress_answer(number), address


def test_mapped_and_ipv6_addresses_keep_their_answers():
    assert _public_address("::ffff:8.8.8.8") == "8.8.8.8"
    assert _public_address("::ffff:10.0.0.1") is None
    assert _public_address("2001:4860:4860::8888") == "2001:4860:4860::8888"
    assert _public_address("fe80::1") is None
    assert _public_address("ff02::1") is None
