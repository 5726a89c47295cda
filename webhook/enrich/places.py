"""Countries and US states by name or code, from tables built once per process."""

import functools
import re
import unicodedata

import pycountry

from webhook.enrich.place_aliases import (
    COUNTRY_ALIASES, DISPLAY_NAMES, US_STATE_ALIASES, US_STATE_DISPLAY,
)


def normalize_key(text):
    """Fold case, accents and punctuation so spellings of one name compare equal."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " and ")
    # Apostrophes and dots vanish ("U.S.A." -> "usa"); other punctuation separates.
    text = re.sub(r"['’.]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    # "St Lucia" means Saint Lucia, but a lone "ST" is São Tomé's code.
    return re.sub(r"\bst (?=\w)", "saint ", text)


@functools.cache
def country_tables():
    """Build the key-to-code and code-to-name country tables (once per process)."""
    by_key, names = {}, {}
    for country in pycountry.countries:
        code = country.alpha_2
        names[code] = DISPLAY_NAMES.get(code) or getattr(country, "common_name", None) or country.name
        for text in (country.alpha_2, country.alpha_3, country.name,
                     getattr(country, "official_name", None), getattr(country, "common_name", None)):
            if text:
                by_key.setdefault(normalize_key(text), code)
    names["XK"] = DISPLAY_NAMES["XK"]
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            by_key[normalize_key(alias)] = code
    for code, name in names.items():
        by_key.setdefault(normalize_key(name), code)
    by_key["xk"] = "XK"
    return by_key, names


@functools.cache
def us_state_tables():
    """Build the key-to-code and code-to-name tables of US states, DC and territories."""
    by_key, names = {}, {}
    for sub in pycountry.subdivisions.get(country_code="US"):
        code = sub.code.removeprefix("US-")
        names[code] = US_STATE_DISPLAY.get(code, sub.name)
        by_key[normalize_key(sub.name)] = code
        by_key[code.lower()] = code
    for code, aliases in US_STATE_ALIASES.items():
        for alias in aliases:
            by_key[normalize_key(alias)] = code
    return by_key, names


def country_code(name_or_code: str) -> str | None:
    """Return the ISO alpha-2 code for a country name, alias or alpha-2/alpha-3 code."""
    if not isinstance(name_or_code, str) or not name_or_code.strip():
        return None
    return country_tables()[0].get(normalize_key(name_or_code))


def country_name(code: str) -> str | None:
    """Return the common English name for an alpha-2 (or alpha-3) country code."""
    if not isinstance(code, str) or not code.strip():
        return None
    code = code.strip().upper()
    if len(code) == 3:
        code = country_code(code)
    return country_tables()[1].get(code)


def us_state_code(name: str) -> str | None:
    """Return the two-letter code of a US state, DC or territory given by name or code."""
    if not isinstance(name, str) or not name.strip():
        return None
    return us_state_tables()[0].get(normalize_key(name))


def us_state_name(code: str) -> str | None:
    """Return the name of a US state, DC or territory from its two-letter code."""
    if not isinstance(code, str) or not code.strip():
        return None
    return us_state_tables()[1].get(code.strip().upper().removeprefix("US-"))


def resolve_place(
    city: str | None, state: str | None, state_code: str | None,
    country: str | None, country_code: str | None,
) -> tuple[dict, list[str]]:
    """Fill country and (US only) state names and codes from each other; never fail."""
    city, state, state_code, country, code = map(_clean, (city, state, state_code, country, country_code))
    warnings = []
    given_country = country or code
    country, code = _resolve_country(country, code, warnings)
    # With no country at all, only a full US state name is clear enough to act on.
    us_by_state_name = (
        not given_country and state is not None and _us_state_by_name(state)
        and (state_code is None or us_state_code(state_code) == _us_state_by_name(state))
    )
    if code == "US" or us_by_state_name:
        state, state_code = _resolve_us_state(state, state_code, warnings)
    place = {"city": city, "state": state, "stateCode": state_code, "country": country, "countryCode": code}
    return place, warnings


def _clean(value):
    """Trim a place field; empty means missing."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _find_country(text):
    """Look a country name, alias or code up in the country table."""
    return country_tables()[0].get(normalize_key(text)) if text else None


def _us_state_by_name(text):
    """Return a US state code only when the text is a state's name, not a code."""
    code = us_state_code(text)
    return code if code and normalize_key(text) != code.lower() else None


def _resolve_country(name, code, warnings):
    """Return (display name, code) from a given country name and code; the code wins."""
    by_code = _find_country(code)
    if code and not by_code:
        warnings.append(f"Country code '{code}' is not an ISO 3166 country code, so it was left out.")
    by_name = _find_country(name)
    if by_code:
        display = country_tables()[1][by_code]
        if name and by_name != by_code:
            warnings.append(
                f"Country '{name}' does not match country code '{code}'; "
                f"the code wins, so the country is {display} ({by_code})."
            )
        return display, by_code
    if by_name:
        return country_tables()[1][by_name], by_name
    if name:
        warnings.append(f"Country '{name}' was not recognised, so it is shown as given without a country code.")
    return name, None


def _resolve_us_state(name, code, warnings):
    """Return (state name, state code) for the US from a given name and code; the code wins."""
    by_code = us_state_code(code) if code else None
    if code and not by_code:
        warnings.append(f"State code '{code}' is not a US state code, so it was left out.")
    by_name = us_state_code(name) if name else None
    if by_code:
        display = us_state_name(by_code)
        if name and by_name != by_code:
            warnings.append(
                f"State '{name}' does not match state code '{code}'; "
                f"the code wins, so the state is {display} ({by_code})."
            )
        return display, by_code
    if by_name:
        return us_state_name(by_name), by_name
    if name:
        warnings.append(f"State '{name}' is not a US state, so it is shown as given without a state code.")
    return name, None
