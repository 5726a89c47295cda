"""The vocabulary is the one list of the event's fields: the schemas, the export and the docs follow it."""
from contextlib import closing

from webhook import history
from webhook.storage.connection import open_database, target
from webhook.blueprints.openapi.answers import EventSchema
from webhook.schemas.events import StreamEventSchema
from webhook.vocabulary import EVENT_COLUMNS, EVENT_FIELDS, JSON_COLUMNS, PLACE_FIELDS


def test_every_field_a_sender_gives_is_read_by_the_input_schema():
    given = {name for name, field in EVENT_FIELDS.items() if field.exported}
    assert given <= set(StreamEventSchema().fields)


def test_every_field_is_documented_in_the_openapi_event():
    assert set(EVENT_FIELDS) <= set(EventSchema().fields)


def test_every_field_is_stored_in_a_column_or_as_json():
    assert set(EVENT_COLUMNS) | set(JSON_COLUMNS) == set(EVENT_FIELDS)
    assert not set(EVENT_COLUMNS) & set(JSON_COLUMNS)


def test_every_column_the_vocabulary_names_is_made_by_the_migrations(app):
    # The other half of adding a field: its migration. A field added to the vocabulary alone fails here.
    with closing(open_database(target(app.config), app.config)) as conn:
        made = {column[0] for column in conn.execute("SELECT * FROM events LIMIT 0").description}
    assert set(EVENT_COLUMNS.values()) | set(JSON_COLUMNS) <= made, sorted(set(EVENT_COLUMNS.values()) - made)


def test_the_export_writes_the_exported_fields_in_the_vocabulary_order():
    exported = [name for name, field in EVENT_FIELDS.items() if field.exported]
    assert list(history.EXPORT_FIELDS[: len(exported)]) == exported


def test_the_place_fields_are_the_ones_the_input_schema_takes_from_location():
    loaded = StreamEventSchema().load({"email": "jo@example.com", "location": dict.fromkeys(PLACE_FIELDS, "X")})
    assert {name for name in PLACE_FIELDS if name in loaded} == set(PLACE_FIELDS)
