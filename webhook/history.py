"""History in and out: a backfill file (CSV or JSON lines) becomes events; stored events become a file.

No Flask request in here, so the `flask events` commands and the upload page share every rule. Each row goes
through intake.build_event, the webhook's own pipeline, with the webhook's dedup keys.
"""
import csv
import io
import json
from dataclasses import dataclass, field

from flask import current_app
from marshmallow import ValidationError

from . import intake
from .storage import event_store
from .body import decode_utf8, load_json
from .schemas.events import stream_event_schema
from .schemas.fields import Timestamp, parse_timestamp
from .vocabulary import EVENT_FIELDS

FORMATS = ("csv", "jsonl")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
# The columns of an export, in order; all of them are read back by the import.
EXPORT_FIELDS = (*(name for name, field in EVENT_FIELDS.items() if field.exported), "id", "cancelledAt")
# Columns that describe our stored event rather than the order: the import reads them itself.
OWN_COLUMNS = ("cancelledAt", "raw")
# A CSV header must name at least one of these, or its first line is not a header.
KNOWN_COLUMNS = frozenset(stream_event_schema.fields) | set(intake.ID_KEYS) | set(EXPORT_FIELDS) | {"raw"}
# A spreadsheet runs a cell starting with one of these as a formula; "'" is the escape itself.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
TIMESTAMP = Timestamp()


class FileRejected(Exception):
    """The file as a whole can't be read (encoding, structure, header, limits): nothing of it is imported."""


@dataclass
class RowResult:
    """What became of one row: imported, duplicate, ignored or rejected, and why."""

    line: int
    status: str = "rejected"
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Report:
    """The outcome of one import, row by row."""

    rows: list[RowResult]
    dry_run: bool = False

    @property
    def totals(self) -> dict:
        """Count the rows per status, every status present."""
        counts = dict.fromkeys(("imported", "duplicate", "ignored", "rejected"), 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts


def format_for(filename: str | None, given: str | None = None, content: bytes = b"") -> str:
    """Return the file's format: as given, else by extension, else "jsonl" if it starts with "{", else "csv"."""
    if given:
        return given
    name = (filename or "").lower()
    for extension, fmt in EXTENSIONS.items():
        if name.endswith(extension):
            return fmt
    return "jsonl" if content.lstrip()[:1] == b"{" else "csv"


def import_history(notification: dict, content: bytes, fmt: str, dry_run: bool = False) -> Report:
    """Check the whole file, then store its valid rows in one transaction; raise FileRejected if malformed."""
    limit = current_app.config["MAX_IMPORT_BYTES"]
    if len(content) > limit:
        raise FileRejected(f"The file is larger than {limit} bytes (PROOFHOOK_MAX_IMPORT_BYTES); split it.")
    rows = read_rows(content, fmt)
    results, pending = [], []
    geoip = intake.geoip()
    for line, data in rows:
        result = RowResult(line)
        results.append(result)
        try:
            outcome, payload = build_row(notification, data, geoip)
        except ValidationError as exc:
            result.reason = describe_errors(exc.messages)
            continue
        result.warnings = outcome.warnings
        if outcome.ignored or outcome.cancels:
            result.status = "ignored"
            result.reason = outcome.ignored or f"It cancels order {outcome.cancels}; an import only adds orders."
            continue
        pending.append((result, (outcome.event, payload, outcome.dedup_key)))
    stored = event_store.insert_events(notification["id"], [item for _, item in pending], keep=not dry_run)
    for (result, _item), created in zip(pending, stored):
        result.status = "imported" if created else "duplicate"
        if not created:
            result.reason = "An event with the same id is already stored (or earlier in this file)."
    return Report(results, dry_run)


def build_row(notification: dict, data: dict, geoip) -> tuple[intake.Outcome, dict]:
    """Run one row through the webhook's pipeline; return (its outcome, the payload as received, to keep)."""
    payload = {key: value for key, value in data.items() if key not in OWN_COLUMNS}
    if payload.get("timestamp") is not None:
        # Checked here too, so a conversion's bad time is a rejection with its reason, not a dropped field.
        try:
            TIMESTAMP.deserialize(payload["timestamp"])
        except ValidationError as exc:
            raise ValidationError({"timestamp": exc.messages}) from None
    cancelled = None
    if data.get("cancelledAt") is not None:
        try:
            cancelled = parse_timestamp(data["cancelledAt"])
        except ValidationError as exc:
            raise ValidationError({"cancelledAt": exc.messages}) from None
    if isinstance(payload.get("products"), str):
        try:
            payload["products"] = load_json(payload["products"])
        except ValueError as exc:
            raise ValidationError({"products": [f"Must be a JSON array of products, but {exc}."]}) from None
    outcome = intake.build_event(notification, payload, {}, geoip, history=True)
    if outcome.event is not None:
        # Never "verified": a file proves nothing about where its rows came from.
        outcome.event["arrival"] = "imported"
    if outcome.event is not None and cancelled is not None:
        outcome.event["cancelledAt"] = cancelled
    return outcome, payload


def describe_errors(messages, prefix: str = "") -> str:
    """Flatten marshmallow's nested messages to "products.0.link: Missing data…; email: …"."""
    if isinstance(messages, dict):
        return "; ".join(describe_errors(value, f"{prefix}{key}.") for key, value in messages.items())
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return f"{prefix.rstrip('.')}: {' '.join(messages)}" if prefix else " ".join(messages)
    return "; ".join(describe_errors(item, prefix) for item in messages)


def read_rows(content: bytes, fmt: str) -> list[tuple[int, dict]]:
    """Return every row as (line number, fields) — the whole file, or FileRejected before any is used."""
    try:
        text = decode_utf8(content)
    except ValueError as exc:
        raise FileRejected(f"The file must be UTF-8, but {exc}.") from None
    if not text.strip():
        raise FileRejected("The file is empty.")
    rows = read_csv(text) if fmt == "csv" else read_jsonl(text)
    limit = current_app.config["MAX_IMPORT_ROWS"]
    if len(rows) > limit:
        raise FileRejected(f"The file has {len(rows)} rows; at most {limit} (PROOFHOOK_MAX_IMPORT_ROWS) at once.")
    if not rows:
        raise FileRejected("The file has a header but no rows.")
    return rows


def read_csv(text: str) -> list[tuple[int, dict]]:
    """Read CSV with a header row of field names; empty cells are absent, every row as long as the header."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, header, last_line = [], None, 0
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank lines
            if header is None:
                header = read_header(cells)
                continue
            if len(cells) != len(header):
                raise FileRejected(f"Line {line} has {len(cells)} cells, but the header has {len(header)}.")
            rows.append((line, {name: unescape(cell) for name, cell in zip(header, cells) if cell.strip()}))
    except csv.Error as exc:
        raise FileRejected(f"The CSV can't be read near line {reader.line_num}: {exc}.") from None
    return rows


def read_header(cells: list[str]) -> list[str]:
    """Return the column names of a header row, or FileRejected if it isn't one."""
    names = [cell.strip() for cell in cells]
    if "" in names:
        raise FileRejected(f"Column {names.index('') + 1} of the header row has no name.")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise FileRejected(f"The header row names {', '.join(repeated)} more than once.")
    if not KNOWN_COLUMNS.intersection(names):
        raise FileRejected(
            "The first line must be a header row naming the fields, e.g. "
            f"{','.join(EXPORT_FIELDS[:4])}; this one names none of them."
        )
    return names


def read_jsonl(text: str) -> list[tuple[int, dict]]:
    """Read JSON lines: one JSON object per line, blank lines skipped."""
    rows = []
    # Split on "\n" only: JSON strings may hold U+2028, which str.splitlines would break on.
    for line, chunk in enumerate(text.split("\n"), 1):
        if not chunk.strip():
            continue
        try:
            value = load_json(chunk)
        except ValueError as exc:
            raise FileRejected(f"Line {line} is not a JSON object: {exc}.") from None
        if not isinstance(value, dict):
            raise FileRejected(f"Line {line} is not a JSON object.")
        rows.append((line, value))
    return rows


def escape(text: str) -> str:
    """Defuse a CSV cell a spreadsheet would run as a formula by prefixing "'" (the import strips it)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape(text: str) -> str:
    """Undo escape(): drop the "'" put before a formula character (a plain "'Twas" stays as it is)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def export_records(notification_id: int, with_payload: bool = False):
    """Yield each stored event, oldest first, as a dict of the export's fields (and `raw` if asked)."""
    for event in event_store.iter_events(notification_id):
        record = {name: event.get(name) for name in EXPORT_FIELDS}
        record["id"] = event["dedupKey"]
        if with_payload:
            record["raw"] = event["raw"]
        yield record


def csv_lines(records, with_payload: bool = False):
    """Yield an export as CSV text: the header, then one line per record (JSON in `products`/`raw`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = [*EXPORT_FIELDS, "raw"] if with_payload else list(EXPORT_FIELDS)
    writer.writerow(names)
    yield buffer.getvalue()
    for record in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(record.get(name)) for name in names])
        yield buffer.getvalue()


def csv_cell(value) -> str:
    """Write one value as the import reads it back: JSON for structures, ms integers, defused text."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str):
        return escape(value)
    return str(value)


def jsonl_lines(records):
    """Yield an export as JSON lines, absent fields left out."""
    for record in records:
        yield json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False) + "\n"
