"""Fill in what a payload leaves out: email, names and place. Never rejects."""

from webhook.enrich.fullnames import find_full_name
from webhook.enrich.geoip import GeoIP
from webhook.enrich.names import capitalise_given, name_lists, names_from_email, split_full_name
from webhook.enrich.places import country_tables, resolve_place, us_state_tables
from webhook.vocabulary import PLACE_FIELDS


def enrich(event: dict, raw: dict, geoip: GeoIP | None) -> tuple[dict, dict, list[str]]:
    """Return (event with names and place filled, sources, warnings) for a validated event."""
    event = dict(event)
    sources, warnings = {}, []
    _fill_names(event, raw, sources)
    _fill_location(event, geoip, sources, warnings)
    return event, sources, warnings


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


def _fill_names(event, raw, sources):
    """Set firstName/lastName: as given, else from a full name, else from the email."""
    first, last = _given(event.get("firstName")), _given(event.get("lastName"))
    event["firstName"], event["lastName"] = first, last
    if first:
        sources["name"] = "payload"
        return
    found = _full_name(event, raw)
    if found is None and (from_email := names_from_email(event.get("email"))):
        found = (*from_email, "email")
    if found:
        event["firstName"], derived_last, sources["name"] = found
        # An explicit lastName still beats a derived one.
        event["lastName"] = last or derived_last
    elif last:
        sources["name"] = "payload"


def _full_name(event, raw):
    """Return (first, last, path) from the event's name or a name field in the payload."""
    if parts := split_full_name(event.get("name")):
        return (*parts, "name")
    return find_full_name(raw)


def _fill_location(event, geoip, sources, warnings):
    """Set the place from the payload's location fields, else from GeoIP of the ip."""
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
    event.update(place or dict.fromkeys(PLACE_FIELDS))
