"""Fill in what a payload leaves out: email, names and place. Never rejects."""

from webhook.enrich.fullnames import find_full_name
from webhook.enrich.geoip import GeoIP
from webhook.enrich.names import capitalise_given, name_lists, names_from_email, split_full_name
from webhook.enrich.places import country_tables, resolve_place, us_state_tables
from webhook.vocabulary import PLACE_FIELDS


def enrich(event: dict, payload: dict, geoip: GeoIP | None, full_name=None) -> tuple[dict, dict, list[str]]:
    """Return (the event with its names and place filled in, sources, warnings); the given event is left as it is.

    Every name and place field is set, None where none was found. `payload` is the body as it came, searched for
    a full name when neither the event nor `full_name` (what a platform's mapping calls the buyer) gives one.
    """
    sources, warnings = {}, []
    names = _names(event, payload, full_name, sources)
    place = _place(event, geoip, sources, warnings)
    return {**event, **names, **place}, sources, warnings


def preload() -> None:
    """Build the name and place tables now, so that no request pays for them."""
    name_lists()
    country_tables()
    us_state_tables()


def _given(value):
    """Return a trimmed string, or None for missing and blank values."""
    if value is None:
        return None
    text = capitalise_given(str(value))
    return text or None


def _names(event, payload, full_name, sources) -> dict:
    """Return firstName/lastName: as given, else from a full name, else from the email."""
    first, last = _given(event.get("firstName")), _given(event.get("lastName"))
    if first:
        sources["name"] = "payload"
        return {"firstName": first, "lastName": last}
    found = _full_name(full_name, payload)
    if found is None and (from_email := names_from_email(event.get("email"))):
        found = (*from_email, "email")
    if found:
        first, derived_last, sources["name"] = found
        # An explicit lastName still beats a derived one.
        return {"firstName": first, "lastName": last or derived_last}
    if last:
        sources["name"] = "payload"
    return {"firstName": None, "lastName": last}


def _full_name(full_name, payload):
    """Return (first, last, path) from the mapped full name, else from a name field in the payload."""
    if parts := split_full_name(full_name):
        return (*parts, "name")
    return find_full_name(payload)


def _place(event, geoip, sources, warnings) -> dict:
    """Return the place from the payload's location fields, else from GeoIP of the ip, else no place."""
    given = {field: _given(event.get(field)) for field in PLACE_FIELDS}
    if any(given.values()):
        place, place_warnings = resolve_place(
            given["city"], given["state"], given["stateCode"], given["country"], given["countryCode"]
        )
        warnings.extend(place_warnings)
        sources["location"] = "payload"
    else:
        place = geoip.lookup(event.get("ip")) if geoip else None
        if place:
            sources["location"] = "geoip"
    return place or dict.fromkeys(PLACE_FIELDS)
