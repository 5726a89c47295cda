import pytest

from webhook.enrich import places
from webhook.enrich.places import (
    country_code, country_name, resolve_place, us_state_code, us_state_name,
)

ALIASES = [
    ("UK", "GB"), ("U.K.", "GB"), ("Great Britain", "GB"), ("Britain", "GB"), ("England", "GB"),
    ("Scotland", "GB"), ("Wales", "GB"), ("Northern Ireland", "GB"), ("United Kingdom", "GB"),
    ("Russia", "RU"), ("Russian Federation", "RU"),
    ("South Korea", "KR"), ("Korea", "KR"), ("Republic of Korea", "KR"), ("Korea, Republic of", "KR"),
    ("North Korea", "KP"), ("Turkey", "TR"), ("Türkiye", "TR"), ("Turkiye", "TR"),
    ("Ivory Coast", "CI"), ("Cote d'Ivoire", "CI"), ("Côte d’Ivoire", "CI"),
    ("Holland", "NL"), ("The Netherlands", "NL"), ("Netherlands", "NL"),
    ("USA", "US"), ("U.S.A.", "US"), ("US", "US"), ("U.S.", "US"), ("America", "US"),
    ("United States of America", "US"), ("United States", "US"),
    ("UAE", "AE"), ("United Arab Emirates", "AE"), ("Vatican", "VA"), ("Vatican City", "VA"),
    ("Holy See", "VA"), ("Czech Republic", "CZ"), ("Czechia", "CZ"), ("Macedonia", "MK"),
    ("North Macedonia", "MK"), ("Swaziland", "SZ"), ("Eswatini", "SZ"), ("Burma", "MM"),
    ("Myanmar", "MM"), ("Laos", "LA"), ("Syria", "SY"), ("Moldova", "MD"), ("Tanzania", "TZ"),
    ("Palestine", "PS"), ("Kosovo", "XK"), ("Vietnam", "VN"), ("Viet Nam", "VN"), ("Iran", "IR"),
    ("Bolivia", "BO"), ("Taiwan", "TW"), ("DR Congo", "CD"), ("Cape Verde", "CV"),
    ("East Timor", "TL"), ("Brunei", "BN"), ("Deutschland", "DE"), ("España", "ES"),
    ("St Lucia", "LC"), ("St. Kitts and Nevis", "KN"), ("The Bahamas", "BS"), ("Bosnia", "BA"),
]


@pytest.mark.parametrize(("text", "code"), ALIASES)
def test_country_aliases(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["  united   STATES ", "UNITED STATES", "united-states", "u.s.a"])
def test_country_matching_ignores_case_space_and_punctuation(text):
    assert country_code(text) == "US"


@pytest.mark.parametrize(("code", "expected"), [
    ("us", "US"), ("GB", "GB"), ("USA", "US"), ("GBR", "GB"), ("deu", "DE"), ("XK", "XK"), ("ST", "ST"),
])
def test_country_code_accepts_alpha2_and_alpha3(code, expected):
    assert country_code(code) == expected


@pytest.mark.parametrize("text", ["Narnia", "", "   ", "ZZ", "XYZ", None, 840])
def test_unknown_country_is_none(text):
    assert country_code(text) is None


@pytest.mark.parametrize(("code", "name"), [
    ("US", "United States"), ("GB", "United Kingdom"), ("RU", "Russia"), ("KR", "South Korea"),
    ("KP", "North Korea"), ("VN", "Vietnam"), ("IR", "Iran"), ("TR", "Türkiye"), ("CZ", "Czechia"),
    ("BO", "Bolivia"), ("TW", "Taiwan"), ("LA", "Laos"), ("SY", "Syria"), ("MD", "Moldova"),
    ("TZ", "Tanzania"), ("PS", "Palestine"), ("VA", "Vatican City"), ("XK", "Kosovo"),
    ("VE", "Venezuela"), ("CD", "DR Congo"), ("VI", "U.S. Virgin Islands"), ("DE", "Germany"),
    ("fr", "France"), ("USA", "United States"), (" gb ", "United Kingdom"),
])
def test_country_display_names(code, name):
    assert country_name(code) == name


@pytest.mark.parametrize("code", ["ZZ", "", None, "Germany"])
def test_country_name_of_unknown_code_is_none(code):
    assert country_name(code) is None


@pytest.mark.parametrize(("name", "code"), [
    ("Florida", "FL"), ("florida", "FL"), ("FL", "FL"), ("fl", "FL"), ("California", "CA"),
    ("New York", "NY"), ("District of Columbia", "DC"), ("Washington, D.C.", "DC"),
    ("Washington", "WA"), ("Puerto Rico", "PR"), ("Guam", "GU"), ("U.S. Virgin Islands", "VI"),
    ("American Samoa", "AS"), ("Northern Mariana Islands", "MP"),
    ("United States Minor Outlying Islands", "UM"),
])
def test_us_state_code(name, code):
    assert us_state_code(name) == code


@pytest.mark.parametrize("name", ["Ontario", "England", "", None, "ZZ"])
def test_us_state_code_of_non_state_is_none(name):
    assert us_state_code(name) is None


@pytest.mark.parametrize(("code", "name"), [
    ("FL", "Florida"), ("ca", "California"), ("DC", "District of Columbia"), ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"), ("US-TX", "Texas"),
])
def test_us_state_name(code, name):
    assert us_state_name(code) == name


def test_all_states_dc_and_territories_are_listed():
    assert len(places.us_state_tables()[1]) == 57


def test_tables_are_built_once():
    country_code("France")
    us_state_code("Florida")
    first = places.country_tables()
    country_code("Germany")
    country_name("DE")
    us_state_name("CA")
    assert places.country_tables() is first
    assert places.country_tables.cache_info().misses == 1
    assert places.us_state_tables.cache_info().misses == 1


def place(city=None, state=None, stateCode=None, country=None, countryCode=None):
    return {"city": city, "state": state, "stateCode": stateCode, "country": country,
            "countryCode": countryCode}


@pytest.mark.parametrize(("given", "expected"), [
    (("Miami", "Florida", None, "United States", None),
     place("Miami", "Florida", "FL", "United States", "US")),
    (("Miami", None, "fl", None, "us"), place("Miami", "Florida", "FL", "United States", "US")),
    ((None, "FL", None, "USA", None), place(None, "Florida", "FL", "United States", "US")),
    ((None, None, None, None, "USA"), place(None, None, None, "United States", "US")),
    ((None, None, None, None, "GBR"), place(None, None, None, "United Kingdom", "GB")),
    (("London", "England", None, "uk", None), place("London", "England", None, "United Kingdom", "GB")),
    ((None, None, None, "Russian Federation", None), place(None, None, None, "Russia", "RU")),
    # Outside the US state and stateCode are kept exactly as given.
    (("Toronto", "Ontario", "ON", "Canada", "CA"), place("Toronto", "Ontario", "ON", "Canada", "CA")),
    (("  Miami ", " ", "", "\tUS ", None), place("Miami", None, None, "United States", "US")),
    ((None, None, None, None, None), place()),
])
def test_resolve_place_fills_both_ways(given, expected):
    assert resolve_place(*given) == (expected, [])


def test_full_us_state_name_without_country_gets_its_code_but_no_country():
    assert resolve_place(None, "Florida", None, None, None) == (place(None, "Florida", "FL"), [])


def test_state_code_alone_implies_nothing():
    assert resolve_place(None, None, "FL", None, None) == (place(None, None, "FL"), [])
    assert resolve_place(None, "GA", None, None, None) == (place(None, "GA"), [])


def test_non_us_country_gets_no_us_state_lookup():
    assert resolve_place(None, "Georgia", None, "Canada", None) == (place(None, "Georgia", None, "Canada", "CA"), [])


def test_country_name_and_code_disagree_code_wins():
    result, warnings = resolve_place("Paris", None, None, "France", "DE")
    assert result == place("Paris", None, None, "Germany", "DE")
    assert len(warnings) == 1
    assert "'France'" in warnings[0] and "'DE'" in warnings[0] and "Germany" in warnings[0]


def test_state_name_and_code_disagree_code_wins():
    result, warnings = resolve_place(None, "Florida", "CA", "US", None)
    assert result == place(None, "California", "CA", "United States", "US")
    assert len(warnings) == 1 and "'Florida'" in warnings[0] and "'CA'" in warnings[0]


def test_unresolved_country_is_kept_with_a_warning():
    result, warnings = resolve_place("Gotham", "Arkham", None, " Narnia ", None)
    assert result == place("Gotham", "Arkham", None, "Narnia", None)
    assert len(warnings) == 1 and "'Narnia'" in warnings[0] and warnings[0].endswith(".")


def test_unknown_country_code_is_dropped_with_a_warning_and_the_name_used():
    result, warnings = resolve_place(None, None, None, "France", "ZZ")
    assert result == place(None, None, None, "France", "FR")
    assert len(warnings) == 1 and "'ZZ'" in warnings[0]


def test_unresolved_us_state_is_kept_with_a_warning():
    result, warnings = resolve_place(None, "Gotham", None, "US", None)
    assert result == place(None, "Gotham", None, "United States", "US")
    assert len(warnings) == 1 and "'Gotham'" in warnings[0]


def test_unknown_us_state_code_is_dropped_with_a_warning():
    result, warnings = resolve_place(None, None, "ZZ", "US", None)
    assert result == place(None, None, None, "United States", "US")
    assert len(warnings) == 1 and "'ZZ'" in warnings[0]
