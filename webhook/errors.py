"""One error shape for every API and webhook route; an HTML page for browsers."""
from http import HTTPStatus

from flask import current_app, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from .body import BodyError
from .storage.connection import drop_thread_connection
from .storage.outages import (
    CONFLICT_ERRORS, REFUSED_VALUE_ERRORS, UNAVAILABLE_ERRORS, is_conflict, refused_value_message, unavailable_message,
)

# Paths whose clients are programs: they always get JSON, whatever they accept.
JSON_PREFIXES = ("/api/", "/webhooks/", "/feed/")


def wants_json() -> bool:
    """Tell whether this request's client expects JSON rather than a page."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(code: int, message: str, errors: dict | None = None, headers: dict | None = None):
    """Build the error answer: `{"code","status","message","errors"?}` as JSON, or an HTML page."""
    status = HTTPStatus(code).phrase
    if wants_json():
        payload = {"code": code, "status": status, "message": message}
        if errors:
            payload["errors"] = errors
        response = jsonify(payload)
    else:
        response = render_template("error.html", code=code, status=status, message=message, errors=errors)
    return response, code, headers or {}


def handle_http_exception(exc: HTTPException):
    """Answer any HTTP error (routing 404/405 included) in the one shape."""
    headers = dict(exc.get_headers())
    headers.pop("Content-Type", None)
    return error_response(exc.code or 500, exc.description or HTTPStatus(exc.code).description, headers=headers)


def handle_validation_error(exc: ValidationError):
    """Answer a schema failure with 422 and the messages per field."""
    errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return error_response(422, "The request has invalid fields; see errors.", errors=errors)


def handle_body_error(exc: BodyError):
    """Answer a body we could not read (400) or of a type we don't take (415)."""
    return error_response(exc.status, exc.message)


def handle_database_error(exc: Exception):
    """Answer a database that is busy, full, read-only or unreachable with 503; re-raise anything else."""
    message = unavailable_message(exc)
    if message is None:
        raise exc
    if not current_app.config.get("DATABASE_URL"):
        # A connection opened while the disk was read-only (or the file was replaced) would stay broken
        # for its thread: the next request opens a fresh one, and so service resumes by itself.
        drop_thread_connection(current_app)
    # The owner learns of it from the log; the sender retries on 503 by itself. The route, not the path:
    # a webhook path holds its secret token.
    route = request.url_rule.rule if request.url_rule else request.path
    current_app.logger.warning("Answered 503 to %s %s: SQLite says %r", request.method, route, str(exc))
    return error_response(503, message, headers={"Retry-After": "5"})


def handle_refused_value(exc: Exception):
    """Answer a value the database refuses (a NUL character on PostgreSQL) with 400; re-raise anything else."""
    message = refused_value_message(exc)
    if message is None:
        raise exc
    return error_response(400, message)


def handle_conflict(exc: Exception):
    """Answer a write that lost a race for a unique value with 409; re-raise any other integrity error."""
    if not is_conflict(exc):
        raise exc
    return error_response(409, "That conflicts with something stored meanwhile; nothing was changed. Retry.")


def init_app(app) -> None:
    """Register the error handlers on the app."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(BodyError, handle_body_error)
    for error in UNAVAILABLE_ERRORS:
        app.register_error_handler(error, handle_database_error)
    for error in REFUSED_VALUE_ERRORS:
        app.register_error_handler(error, handle_refused_value)
    for error in CONFLICT_ERRORS:
        app.register_error_handler(error, handle_conflict)
