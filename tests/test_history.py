"""History in and out: importing backfill files and exporting events, through the CLI, the page and the API."""
import csv
import io
import json
import sqlite3

import psycopg
import pytest

from geo import LONDON_IP
from helpers import csrf_token_from, log_in, platform_fixture, webhook_path
from webhook import history
from webhook.storage import event_store, notification_store
from webhook.vocabulary import EVENT_COLUMNS, now_ms

DAY_S = 24 * 60 * 60
OLD = 1_600_000_000  # 2020-09-13, in seconds
# How an event arrived is not the order's: an imported copy arrived by import (see test_proof.py).
COMPARED = (*(key for key in EVENT_COLUMNS if key not in ("arrival", "signatureScheme")), "products",
            "dedupKey", "cancelledAt")

GOOD_CSV = (
    "email,timestamp,firstName,city,countryCode,productName,productLink,products,id,total,currency\n"
    "john.smith@example.com,1600000000,,Miami,US,Sneakers,https://example.com/s,,A1,25,usd\n"
    'jane@example.com,2020-01-02T03:04:05Z,Jane,London,GB,,,"[{""name"":""Hat"",""link"":""https://example.com/h"",'
    '""price"":9},{""name"":""Cap"",""link"":""https://example.com/c"",""price"":19}]",A2,,\n'
    "\n"
    "'=cmd@example.com,1600000500000,'@Bob,,,,,,A3,,\n"
)


def events_of(app, notification_id: int) -> list[dict]:
    """Return a notification's stored events, oldest first."""
    with app.app_context():
        return list(event_store.iter_events(notification_id))


def import_text(app, notification: dict, text: str | bytes, fmt: str = "csv", dry_run: bool = False):
    """Import a file's content into a notification and return the report."""
    content = text.encode() if isinstance(text, str) else text
    with app.app_context():
        return history.import_history(notification_store.get_notification(notification["id"]), content, fmt, dry_run)


def statuses(report) -> list[tuple[int, str]]:
    """Return (line, status) for every row of a report."""
    return [(row.line, row.status) for row in report.rows]


# --- good files ----------------------------------------------------------------------------------


def test_a_csv_imports_every_row_through_the_webhook_pipeline(app, stream):
    report = import_text(app, stream, GOOD_CSV)
    assert statuses(report) == [(2, "imported"), (3, "imported"), (5, "imported")]
    john, jane, bob = sorted(events_of(app, stream["id"]), key=lambda e: e["dedupKey"])
    # Names from the email, places completed, currency upper-cased: the webhook's enrichment.
    assert (john["firstName"], john["lastName"], john["country"], john["currency"], john["total"]) == (
        "John", "Smith", "United States", "USD", 25.0
    )
    assert john["timestamp"] == OLD * 1000 and john["dedupKey"] == "A1"
    # products is JSON in its cell; the most expensive one is shown.
    assert [p["name"] for p in jane["products"]] == ["Hat", "Cap"] and jane["productName"] == "Cap"
    assert jane["timestamp"] == 1577934245000 and jane["country"] == "United Kingdom"
    # A leading apostrophe before a formula character is the export's escape: stripped on import.
    assert bob["email"] == "=cmd@example.com" and bob["firstName"] == "@Bob"
    assert bob["raw"]["email"] == "=cmd@example.com" and "cancelledAt" not in bob["raw"]


def test_a_spreadsheet_csv_with_a_byte_order_mark_and_crlf_imports(app, stream):
    text = "\ufeffemail,timestamp,firstName\r\na@example.com,1600000000,'+Ann\r\nb@example.com,1600000001,'Twas\r\n"
    report = import_text(app, stream, text)
    assert statuses(report) == [(2, "imported"), (3, "imported")]
    assert [e["firstName"] for e in events_of(app, stream["id"])] == ["+Ann", "'Twas"]


def test_json_lines_import_with_products_as_an_array_or_a_json_string(app, stream):
    lines = [
        {"email": "a@example.com", "timestamp": OLD, "products": [{"name": "Mug", "link": "https://example.com/m"}]},
        {"email": "b@example.com", "timestamp": str(OLD), "ip": LONDON_IP, "orderId": 7},
        {"email": "c@example.com", "timestamp": OLD, "products": '[{"name": "Pen", "link": "https://example.com/p"}]'},
    ]
    text = "\r\n".join(json.dumps(line) for line in lines) + "\n\n"
    report = import_text(app, stream, text, "jsonl")
    assert statuses(report) == [(1, "imported"), (2, "imported"), (3, "imported")]
    a, b, c = sorted(events_of(app, stream["id"]), key=lambda e: e["email"])
    assert a["productName"] == "Mug" and c["productName"] == "Pen"
    assert b["city"] == "London" and b["sources"]["location"] == "geoip" and b["dedupKey"] == "7"


def test_old_timestamps_stay_old(app, stream, client, admin_headers):
    report = import_text(app, stream, f"email,timestamp\nold@example.com,{OLD}\nnew@example.com,{now_ms()}\n")
    assert report.totals["imported"] == 2
    shown = client.get(f"/api/notifications/{stream['id']}", headers=admin_headers).get_json()
    assert shown["event_count"] == 2 and shown["event_count_24h"] == 1


def test_a_conversion_notification_imports_counts_with_their_times(app, conversion, client, admin_headers):
    report = import_text(app, conversion, f"timestamp,id\n{OLD},c1\n{now_ms()},c2\n{OLD},c1\n")
    assert [row.status for row in report.rows] == ["imported", "imported", "duplicate"]
    shown = client.get(f"/api/notifications/{conversion['id']}", headers=admin_headers).get_json()
    assert shown["event_count"] == 2 and shown["event_count_24h"] == 1


# --- per-row outcomes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, reason",
    [
        ("x@example.com,,A,,", "timestamp: Missing: every history row needs the time of its order."),
        ("x@example.com,soon,A,,", "timestamp: Must be a number of seconds or milliseconds, or an ISO-8601 string."),
        ("x@example.com,4000000000,A,,", "timestamp: Must not be more than a day in the future."),
        (f"not-an-email,{OLD},A,,", "email: Not a valid email address: An email address must have an @-sign."),
        (f",{OLD},A,,", "email: Missing data for required field."),
        (f'x@example.com,{OLD},A,"[{{""link"":1}}]",', "products.0.name: Missing data for required field."),
        (f"x@example.com,{OLD},A,not json,", "products: Must be a JSON array of products, but it is not valid JSON"),
        (f"x@example.com,{OLD},A,,yesterday", "cancelledAt: Must be a number of seconds or milliseconds"),
    ],
)
def test_invalid_rows_are_rejected_with_the_webhook_messages(app, stream, line, reason):
    text = f"email,timestamp,id,products,cancelledAt\n{line}\ngood@example.com,{OLD},B,,\n"
    report = import_text(app, stream, text)
    assert statuses(report) == [(2, "rejected"), (3, "imported")]
    assert report.rows[0].reason.startswith(reason)
    assert [e["dedupKey"] for e in events_of(app, stream["id"])] == ["B"]


def test_a_conversion_row_with_a_bad_time_is_rejected_not_counted_now(app, conversion):
    report = import_text(app, conversion, '{"timestamp": "soon"}\n{"guid": "g"}\n', "jsonl")
    assert [row.reason.split(":")[0] for row in report.rows] == ["timestamp", "timestamp"]
    assert events_of(app, conversion["id"]) == []


def test_duplicates_in_the_file_and_in_the_database_are_skipped(app, stream, client):
    posted = client.post(webhook_path(stream), json={"email": "w@example.com", "id": "W1"})
    assert posted.status_code == 201
    text = f"email,timestamp,id\na@example.com,{OLD},A1\nb@example.com,{OLD},A1\nw@example.com,{OLD},W1\n"
    report = import_text(app, stream, text)
    assert statuses(report) == [(2, "imported"), (3, "duplicate"), (4, "duplicate")]
    assert len(events_of(app, stream["id"])) == 2
    again = import_text(app, stream, text)
    assert [row.status for row in again.rows] == ["duplicate"] * 3


def fixture_body(name: str) -> tuple[dict, dict]:
    """Return (body, headers) of a recorded platform webhook."""
    recorded = platform_fixture(f"{name}.json")
    return recorded["body"], recorded["headers"]


def test_platform_payloads_are_mapped_and_cancellations_are_not_replayed(app, stream):
    paid, _ = fixture_body("stripe_charge_succeeded")
    refunded, _ = fixture_body("stripe_charge_refunded")
    report = import_text(app, stream, json.dumps(paid) + "\n" + json.dumps(refunded) + "\n", "jsonl")
    assert statuses(report) == [(1, "imported"), (2, "ignored")]
    assert report.rows[1].reason.startswith("It cancels order ")
    [event] = events_of(app, stream["id"])
    assert event["email"] == "lena.schmidt@example.com" and event["sources"]["mapping"] == "stripe"
    assert event["timestamp"] == paid["created"] * 1000 and event["cancelledAt"] is None


def test_a_dry_run_reports_like_a_real_run_and_stores_nothing(app, stream):
    text = GOOD_CSV + f"dup@example.com,{OLD},,,,,,,A1,,\nbad,{OLD},,,,,,,A9,,\n"
    dry = import_text(app, stream, text, dry_run=True)
    assert dry.dry_run and events_of(app, stream["id"]) == []
    real = import_text(app, stream, text)
    assert statuses(dry) == statuses(real) == [
        (2, "imported"), (3, "imported"), (5, "imported"), (6, "duplicate"), (7, "rejected")
    ]
    assert len(events_of(app, stream["id"])) == 3


# --- malformed files import nothing --------------------------------------------------------------

BROKEN = {
    "bad UTF-8": (b"email,timestamp\nj\xe9@example.com,1600000000\n", "csv", "must be UTF-8"),
    "ragged CSV": (f"email,timestamp\na@example.com,{OLD}\nb@example.com,{OLD},extra\n", "csv", "Line 3 has 3 cells"),
    "bad quoting": (f'email,timestamp\n"a@example.com"x,{OLD}\n', "csv", "can't be read"),
    "unknown header only": ("colour,size\nred,XL\n", "csv", "must be a header row"),
    "data as header": (f"a@example.com,{OLD}\nb@example.com,{OLD}\n", "csv", "must be a header row"),
    "repeated column": (f"email,email,timestamp\na@example.com,b@example.com,{OLD}\n", "csv", "more than once"),
    "unnamed column": (f"email,,timestamp\na@example.com,x,{OLD}\n", "csv", "Column 2"),
    "empty": ("", "csv", "The file is empty"),
    "blank lines": ("\n \n", "jsonl", "The file is empty"),
    "header only": ("email,timestamp\n", "csv", "no rows"),
    "bad JSON line": (f'{{"email": "a@example.com", "timestamp": {OLD}}}\n{{"email": \n', "jsonl", "Line 2"),
    "array line": (f'{{"email": "a@example.com", "timestamp": {OLD}}}\n[1]\n', "jsonl", "Line 2 is not a JSON object"),
    "NaN in JSON": ('{"email": "a@example.com", "timestamp": NaN}\n', "jsonl", "NaN"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_malformed_file_imports_nothing(app, stream, name):
    content, fmt, message = BROKEN[name]
    with pytest.raises(history.FileRejected, match=message):
        import_text(app, stream, content, fmt)
    assert events_of(app, stream["id"]) == []


@pytest.fixture
def small_limits(app_config):
    """Return an app with tiny limits: bodies of 1000 bytes, imports of 3 rows or 4000 bytes."""
    from webhook import create_app

    return create_app({**app_config, "MAX_BODY_BYTES": 1000, "MAX_IMPORT_ROWS": 3, "MAX_IMPORT_BYTES": 4000})


def test_row_and_size_limits_refuse_the_whole_file(small_limits):
    with small_limits.app_context():
        notification = notification_store.create_notification(name="n", type="stream", message="bought")
    rows = "".join(f"u{i}@example.com,{OLD}\n" for i in range(4))
    with pytest.raises(history.FileRejected, match="4 rows; at most 3"):
        import_text(small_limits, notification, "email,timestamp\n" + rows)
    with pytest.raises(history.FileRejected, match="larger than 4000 bytes"):
        import_text(small_limits, notification, "email,timestamp\n" + "x" * 4000)
    assert events_of(small_limits, notification["id"]) == []


def test_a_failure_while_storing_leaves_nothing(app, stream):
    good = ({"timestamp": OLD * 1000, "email": "a@example.com"}, {}, "k1")
    broken = ({"email": "b@example.com"}, {}, "k2")  # no timestamp: the NOT NULL column fails the insert
    with app.app_context():
        with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
            event_store.insert_events(stream["id"], [good, good, broken])
    assert events_of(app, stream["id"]) == []


# --- the CLI -------------------------------------------------------------------------------------


def test_the_cli_prints_the_report_and_totals(runner, app, stream, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(GOOD_CSV + f"bad,{OLD},,,,,,,A9,,\n")
    dry = runner.invoke(args=["events", "import", str(path), "--notification", str(stream["id"]), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 imported, 0 duplicate, 0 ignored, 1 rejected (dry run: nothing was stored)." in dry.output
    assert events_of(app, stream["id"]) == []
    result = runner.invoke(args=["events", "import", str(path), "--notification", str(stream["id"])])
    assert result.exit_code == 0, result.output
    assert "line 2\timported" in result.output and "line 6\trejected\temail: Not a valid email" in result.output
    assert result.output.strip().endswith("3 imported, 0 duplicate, 0 ignored, 1 rejected.")
    assert len(events_of(app, stream["id"])) == 3


def test_the_cli_refuses_a_malformed_file_with_a_nonzero_exit(runner, app, stream, tmp_path):
    path = tmp_path / "orders.jsonl"
    path.write_text(f'{{"email": "a@example.com", "timestamp": {OLD}}}\nnot json\n')
    result = runner.invoke(args=["events", "import", str(path), "--notification", str(stream["id"])])
    assert result.exit_code != 0 and "Line 2" in result.output and "Nothing was imported" in result.output
    assert events_of(app, stream["id"]) == []
    missing = runner.invoke(args=["events", "import", str(path), "--notification", "999"])
    assert missing.exit_code != 0 and "no notification 999" in missing.output


def test_the_format_comes_from_the_option_the_extension_or_the_content():
    assert history.format_for("a.CSV") == "csv" and history.format_for("a.ndjson") == "jsonl"
    assert history.format_for("a.csv", "jsonl") == "jsonl"
    assert history.format_for("export", None, b'  {"email": 1}') == "jsonl"
    assert history.format_for("export", None, b"email,timestamp") == "csv"


# --- the upload form -----------------------------------------------------------------------------


def upload(client, notification: dict, content: bytes, filename: str = "orders.csv", **form):
    """Post a file to the notification page's import form with its CSRF token."""
    page = client.get(f"/notifications/{notification['id']}")
    data = {"csrf_token": csrf_token_from(page.text), "file": (io.BytesIO(content), filename), **form}
    return client.post(f"/notifications/{notification['id']}/import", data=data, content_type="multipart/form-data")


def test_the_page_imports_an_uploaded_file_and_lists_the_rows(client, app, stream):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}")
    assert "Import history" in page.text and 'enctype="multipart/form-data"' in page.text
    content = (GOOD_CSV + f"<b>@example.com,{OLD},,,,,,,A9,,\n").encode()
    response = upload(client, stream, content, filename="<i>orders</i>.csv")
    assert response.status_code == 200
    assert "3 imported, 0 duplicate, 0 ignored, 1 rejected." in response.text
    assert "&lt;i&gt;orders&lt;/i&gt;.csv" in response.text and "<i>orders" not in response.text
    assert "Not a valid email address" in response.text
    assert len(events_of(app, stream["id"])) == 3
    # The counts on the same page already include the imported events.
    assert "3 events, 0 in the last 24 hours" in response.text


def test_the_page_lists_only_the_rows_not_imported_of_a_large_file(client, app, stream):
    log_in(client)
    rows = "".join(f"u{i}@example.com,{OLD}\n" for i in range(150)) + f"broken,{OLD}\n"
    response = upload(client, stream, ("email,timestamp\n" + rows).encode())
    assert "150 imported, 0 duplicate, 0 ignored, 1 rejected." in response.text
    assert response.text.count("<td>imported</td>") == 0 and response.text.count("<td>rejected</td>") == 1
    assert "Showing the rows that were not imported" in response.text


def test_a_dry_run_upload_stores_nothing(client, app, stream):
    log_in(client)
    response = upload(client, stream, GOOD_CSV.encode(), dry_run="1")
    assert "dry run: nothing was stored" in response.text and "3 would be imported" in response.text
    assert events_of(app, stream["id"]) == []


def test_a_malformed_upload_says_why_and_stores_nothing(client, app, stream):
    log_in(client)
    response = upload(client, stream, b"colour,size\nred,XL\n")
    assert response.status_code == 422 and "Nothing was imported" in response.text
    assert upload(client, stream, b"", filename="").status_code == 422
    assert events_of(app, stream["id"]) == []


def test_an_upload_needs_the_session_and_the_csrf_token(client, app, stream):
    data = {"file": (io.BytesIO(GOOD_CSV.encode()), "orders.csv")}
    anonymous = client.post(f"/notifications/{stream['id']}/import", data=data, content_type="multipart/form-data")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    log_in(client)
    data = {"file": (io.BytesIO(GOOD_CSV.encode()), "orders.csv")}
    forged = client.post(f"/notifications/{stream['id']}/import", data=data, content_type="multipart/form-data")
    assert forged.status_code == 400
    assert events_of(app, stream["id"]) == []


def test_an_upload_may_exceed_the_webhook_body_limit_but_not_the_import_limit(small_limits):
    client = small_limits.test_client()
    log_in(client)
    with small_limits.app_context():
        notification = notification_store.create_notification(name="n", type="stream", message="bought")
    rows = "".join(f"someone.with.a.long.name{i}@example.com,{OLD}\n" for i in range(3))
    content = ("email,timestamp" + " " * 1200 + "\n" + rows).encode()  # over 1000 bytes, under 4000
    response = upload(client, notification, content)
    assert response.status_code == 200 and "3 imported" in response.text
    too_big = upload(client, notification, b"email,timestamp\n" + b"x" * 100_000)
    assert too_big.status_code == 413
    # The webhook keeps its own, smaller limit.
    webhook = client.post(f"/webhooks/{notification['webhook_token']}", json={"x": "y" * 2000})
    assert webhook.status_code == 413


# --- export --------------------------------------------------------------------------------------


def test_the_csv_export_needs_the_admin(client, stream, admin_headers):
    path = f"/api/notifications/{stream['id']}/events.csv"
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(path, headers=admin_headers).status_code == 200
    assert client.get("/api/notifications/999/events.csv", headers=admin_headers).status_code == 404
    log_in(client)
    assert client.get(path).status_code == 200


def test_the_csv_export_streams_every_event_with_a_filename(client, app, stream, admin_headers):
    client.post(webhook_path(stream), json={"email": "=1+2@example.com", "firstName": "-Bob", "id": "X"})
    import_text(app, stream, "email,timestamp\n" + "".join(f"u{i}@example.com,{OLD + i}\n" for i in range(1500)))
    response = client.get(f"/api/notifications/{stream['id']}/events.csv", headers=admin_headers)
    assert response.mimetype == "text/csv" and response.is_streamed
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="proofhook-notification-{stream["id"]}-events.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1501 and list(rows[0]) == list(history.EXPORT_FIELDS)
    assert [row["timestamp"] for row in rows[:2]] == [str(OLD * 1000), str((OLD + 1) * 1000)]
    newest = rows[-1]
    # Formula-looking cells are defused for spreadsheets.
    assert newest["email"] == "'=1+2@example.com" and newest["firstName"] == "'-Bob" and newest["id"] == "X"
    assert "raw" not in newest
    with_payload = client.get(f"/api/notifications/{stream['id']}/events.csv?raw=1", headers=admin_headers)
    last = list(csv.DictReader(io.StringIO(with_payload.text)))[-1]
    assert json.loads(last["raw"]) == {"email": "=1+2@example.com", "firstName": "-Bob", "id": "X"}


def test_the_cli_exports_csv_and_json_lines(runner, app, stream, tmp_path):
    import_text(app, stream, GOOD_CSV)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        args=["events", "export", "--notification", str(stream["id"]), "--format", "jsonl", "--raw", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["A2", "A1", "A3"] and all("raw" in r for r in records)
    assert records[0]["products"][0]["name"] == "Hat" and "lastName" not in records[0]
    printed = runner.invoke(args=["events", "export", "--notification", str(stream["id"])])
    assert printed.output.splitlines()[0] == ",".join(history.EXPORT_FIELDS)
    assert runner.invoke(args=["events", "export", "--notification", "999"]).exit_code != 0


# --- round trip ----------------------------------------------------------------------------------


def fill_with_varied_events(app, client, notification: dict) -> None:
    """Store events of many shapes: products, platform line items without links, GeoIP, a cancellation."""
    path = webhook_path(notification)
    bodies = [
        {"email": "john.smith@example.com", "city": "Miami", "state": "Florida", "countryCode": "US",
         "products": [{"name": "Hat", "link": "https://example.com/h", "price": 9.5, "quantity": 2}],
         "total": 19, "currency": "eur", "guid": "g-1", "id": "o-1", "timestamp": OLD},
        {"email": "info@example.com", "ip": LONDON_IP, "id": "o-2", "timestamp": OLD + 60},
        {"email": "ann@example.com", "name": "Ann O'Neil", "productName": "=HYPERLINK(\"x\")", "id": "o-3"},
        {"email": "zoë@example.com", "firstName": "Zoë", "city": "Zürich", "country": "Switzerland"},
    ]
    for body in bodies:
        assert client.post(path, json=body).status_code == 201
    # A Shopify order: its line items have no links, which the import must take back.
    shopify, headers = fixture_body("shopify_orders_create")
    headers = {key: value for key, value in headers.items() if key.lower().startswith("x-shopify")}
    assert client.post(path, json=shopify, headers=headers).status_code == 201
    with app.app_context():
        assert event_store.hide_event(notification["id"], "o-2")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_then_import_round_trips(runner, app, client, make_notification, tmp_path, fmt):
    source, target = make_notification(name="source"), make_notification(name="target")
    fill_with_varied_events(app, client, source)
    out = tmp_path / f"events.{fmt}"
    exported = runner.invoke(args=["events", "export", "--notification", str(source["id"]), "--format", fmt,
                                   "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    imported = runner.invoke(args=["events", "import", str(out), "--notification", str(target["id"])])
    assert imported.exit_code == 0, imported.output
    before, after = events_of(app, source["id"]), events_of(app, target["id"])
    assert len(after) == len(before) >= 5
    assert [{k: e[k] for k in COMPARED} for e in after] == [{k: e[k] for k in COMPARED} for e in before]
    assert any(e["cancelledAt"] for e in after) and any(e["products"] for e in after)
    assert {e["arrival"] for e in after} == {"imported"}
    # Back into the source: every event with an id is a duplicate; one that came without any id can't be
    # recognised (as with the webhook, where a repeat without an id is stored again).
    keyless = sum(1 for e in before if e["dedupKey"] is None)
    assert keyless == 1
    again = runner.invoke(args=["events", "import", str(out), "--notification", str(source["id"])])
    assert f"{keyless} imported, {len(before) - keyless} duplicate, 0 ignored, 0 rejected." in again.output
    assert len(events_of(app, source["id"])) == len(before) + keyless


def test_the_api_export_imports_back_through_the_page(client, app, make_notification, admin_headers):
    source, target = make_notification(name="source"), make_notification(name="target")
    fill_with_varied_events(app, client, source)
    exported = client.get(f"/api/notifications/{source['id']}/events.csv?raw=1", headers=admin_headers)
    log_in(client)
    response = upload(client, target, exported.data, filename="export.csv")
    assert response.status_code == 200 and "0 rejected" in response.text
    before, after = events_of(app, source["id"]), events_of(app, target["id"])
    assert [{k: e[k] for k in COMPARED} for e in after] == [{k: e[k] for k in COMPARED} for e in before]
