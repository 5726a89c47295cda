import pytest

import geo
from webhook.enrich import enrich, names, places, preload
from webhook.enrich.fullnames import find_full_name
from webhook.enrich.geoip import GeoIP

NO_PLACE = dict.fromkeys(["city", "state", "stateCode", "country", "countryCode"])


@pytest.fixture(scope="module")
def geoip(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "city.mmdb"
    geo.build_city_mmdb(path)
    return GeoIP.open(str(path))


def test_explicit_names_are_only_trimmed(geoip):
    event = {"email": "info@example.com", "firstName": "  mary ", "lastName": " o'brien ", "name": "Jane Doe"}
    result, sources, warnings = enrich(event, {"name": "Jane Doe"}, geoip)
    assert (result["firstName"], result["lastName"]) == ("mary", "o'brien")
    assert sources == {"name": "payload"}
    assert warnings == []


def test_explicit_first_name_without_last_name_derives_nothing():
    result, sources, _ = enrich({"email": "john.smith@example.com", "firstName": "Johnny"}, {}, None)
    assert (result["firstName"], result["lastName"]) == ("Johnny", None)
    assert sources == {"name": "payload"}


def test_explicit_last_name_beats_derived_one():
    result, sources, _ = enrich({"email": "john.smith@example.com", "lastName": "Smythe"}, {}, None)
    assert (result["firstName"], result["lastName"]) == ("John", "Smythe")
    assert sources == {"name": "email"}


def test_blank_explicit_names_count_as_missing():
    result, sources, _ = enrich({"email": "john.smith@example.com", "firstName": " ", "lastName": ""}, {}, None)
    assert (result["firstName"], result["lastName"]) == ("John", "Smith")
    assert sources == {"name": "email"}


def test_full_name_handed_over_by_a_mapping():
    # Not in the payload as it came: only the hand-over can name her.
    event = {"email": "info@example.com"}
    result, sources, _ = enrich(event, {}, None, full_name="anna van der berg")
    assert (result["firstName"], result["lastName"]) == ("Anna", "van der Berg")
    assert sources == {"name": "name"}


@pytest.mark.parametrize(("payload", "path", "expected"), [
    ({"fullName": "Mary-Jane Smith"}, "fullName", ("Mary-Jane", "Smith")),
    ({"full_name": "SMITH, JOHN"}, "full_name", ("John", "Smith")),
    ({"customer": {"name": "Patrick McDonald"}}, "customer.name", ("Patrick", "McDonald")),
    ({"customer_name": "Jane Doe"}, "customer_name", ("Jane", "Doe")),
    ({"order": {"billing_name": "Jane Doe"}}, "order.billing_name", ("Jane", "Doe")),
    ({"buyer": {"name": "Jane Doe"}}, "buyer.name", ("Jane", "Doe")),
    ({"data": {"object": {"customer_details": {"name": "Jane Doe"}}}},
     "data.object.customer_details.name", ("Jane", "Doe")),
    ({"customer": {"name": "ACME Inc"}, "billing": {"name": "Jane Doe"}}, "billing.name", ("Jane", "Doe")),
])
def test_full_name_found_in_the_payload(payload, path, expected):
    result, sources, _ = enrich({"email": "info@example.com"}, payload, None)
    assert (result["firstName"], result["lastName"]) == expected
    assert sources == {"name": path}


@pytest.mark.parametrize("payload", [
    {"products": [{"name": "Blue Shoes"}]},
    {"shop": {"name": "Jane Doe"}},
    {"line_items": [{"title": "Sneakers", "name": "Sneakers"}]},
    {"name": "ACME Inc"},
    {"customer": {"name": "sales@example.com"}},
])
def test_things_and_companies_are_not_people(payload):
    assert find_full_name(payload) is None
    result, sources, _ = enrich({"email": "info@example.com"}, payload, None)
    assert (result["firstName"], result["lastName"]) == (None, None)
    assert "name" not in sources


def test_rejected_event_name_falls_back_to_the_email():
    result, sources, _ = enrich({"email": "maryjones@example.com", "name": "ACME Inc"}, {"name": "ACME Inc"}, None)
    assert (result["firstName"], result["lastName"]) == ("Mary", "Jones")
    assert sources == {"name": "email"}


def test_role_address_gives_no_name():
    result, sources, _ = enrich({"email": "noreply@example.com"}, {}, None)
    assert (result["firstName"], result["lastName"]) == (None, None)
    assert sources == {}


def test_geoip_fills_the_place(geoip):
    result, sources, warnings = enrich({"email": "info@example.com", "ip": geo.MIAMI_IP}, {}, geoip)
    assert {k: result[k] for k in NO_PLACE} == geo.MIAMI
    assert sources == {"location": "geoip"}
    assert warnings == []


def test_any_given_location_field_turns_geoip_off(geoip):
    event = {"email": "info@example.com", "ip": geo.MOUNTAIN_VIEW_IP, "city": "Paris"}
    result, sources, _ = enrich(event, {}, geoip)
    assert {k: result[k] for k in NO_PLACE} == {**NO_PLACE, "city": "Paris"}
    assert sources == {"location": "payload"}


def test_payload_location_is_resolved_with_warnings(geoip):
    event = {"ip": geo.LONDON_IP, "city": " Miami ", "state": "FL", "country": "France", "countryCode": "us"}
    result, sources, warnings = enrich(event, {}, geoip)
    assert {k: result[k] for k in NO_PLACE} == geo.MIAMI
    assert sources == {"location": "payload"}
    assert len(warnings) == 1 and "'France'" in warnings[0]


def test_blank_location_fields_do_not_turn_geoip_off(geoip):
    event = {"ip": geo.LONDON_IP, "city": "  ", "country": ""}
    result, sources, _ = enrich(event, {}, geoip)
    assert {k: result[k] for k in NO_PLACE} == geo.LONDON
    assert sources == {"location": "geoip"}


@pytest.mark.parametrize("ip", [geo.UNLISTED_IP, "10.1.2.3", "junk", None])
def test_no_place_found(geoip, ip):
    result, sources, warnings = enrich({"ip": ip}, {}, geoip)
    assert {k: result[k] for k in NO_PLACE} == NO_PLACE
    assert sources == {} and warnings == []


def test_without_geoip_there_is_no_place():
    result, sources, _ = enrich({"ip": geo.LONDON_IP}, {}, None)
    assert result["country"] is None and sources == {}


def test_other_fields_pass_through_and_the_input_is_not_changed(geoip):
    event = {"email": "john.smith@example.com", "ip": geo.LONDON_IP, "productName": "Sneakers",
             "products": [{"name": "Sneakers"}], "timestamp": 1528611279398}
    before = dict(event)
    result, sources, _ = enrich(event, {}, geoip)
    assert event == before
    assert result == {**before, "firstName": "John", "lastName": "Smith", **geo.LONDON}
    assert sources == {"name": "email", "location": "geoip"}


def test_preload_builds_the_tables_once():
    preload()
    preload()
    assert names.name_lists.cache_info().misses == 1
    assert places.country_tables.cache_info().misses == 1
    assert places.us_state_tables.cache_info().misses == 1
