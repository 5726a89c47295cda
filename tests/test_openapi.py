"""/openapi.json: a valid OpenAPI 3.1 document that describes every route, and that the app lives up to."""
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from helpers import ADMIN_TOKEN, webhook_path
from webhook import create_app

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """Turn a Werkzeug rule (`/a/<int:id>`) into an OpenAPI path (`/a/{id}`)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


@pytest.fixture
def spec(client) -> dict:
    """Return the served OpenAPI document."""
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_the_description_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_every_route_is_described_and_nothing_else(app, spec):
    # Flask's own /static/<path> serves the stylesheet and script; it is not part of the interface.
    routes = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules() if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
    }
    described = {(path, method) for path, item in spec["paths"].items() for method in item if method != "parameters"}
    assert routes - described == set(), "routes without a description in webhook/blueprints/openapi/__init__.py"
    assert described - routes == set(), "described operations the app doesn't have"


def test_the_schemas_come_from_marshmallow(spec):
    schemas = spec["components"]["schemas"]
    event = schemas["StreamEvent"]
    assert event["required"] == ["email"]
    assert event["properties"]["products"]["items"] == {"$ref": "#/components/schemas/Product"}
    assert schemas["Product"]["required"] == ["name"]
    assert set(schemas["Error"]["required"]) == {"code", "status", "message"}
    notification = schemas["NotificationObject"]
    assert "signed" in notification["properties"] and "signing_secret" not in notification["properties"]
    assert schemas["Notification"]["properties"]["signing_secret"]["writeOnly"] is True
    assert "required" not in schemas["NotificationUpdate"]
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "the admin token",
    }


def test_the_described_notification_object_is_what_the_api_answers(spec, make_notification):
    properties = spec["components"]["schemas"]["NotificationObject"]["properties"]
    assert set(make_notification()) == set(properties)


# --- schemathesis: generated requests against the app ---------------------------------------------

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {"pages": 5}  # Pages without a session or CSRF token answer 302/400 at once: a few calls suffice.
DEFAULT_EXAMPLES = 30


def fuzz_operation(operation, path_parameters: dict, headers: dict) -> int:
    """Send generated requests to one operation; fail on a 5xx or an answer the description doesn't allow."""
    known = {name: value for name, value in path_parameters.items()
             if f"{{{name}}}" in operation.path}
    calls = []

    tag = (operation.definition.raw.get("tags") or [""])[0]

    @settings(max_examples=EXAMPLES.get(tag, DEFAULT_EXAMPLES), deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(path_parameters=known))
    def run(case):
        """Send one generated request and validate the answer."""
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        calls.append(response.status_code)

    run()
    return len(calls)


@pytest.mark.slow
def test_the_app_answers_as_described(app_config):
    app = create_app({**app_config, "RATE_LIMIT": 0})
    client = app.test_client()
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    hook = client.post("/api/notifications", json={"name": "w", "type": "stream"}, headers=auth).get_json()
    target = client.post("/api/notifications", json={"name": "a", "type": "stream"}, headers=auth).get_json()
    client.post(webhook_path(target), json={"email": "john.smith@example.com", "productName": "Hat"})
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    path_parameters = {"token": webhook_path(hook).rsplit("/", 1)[1], "notification_id": target["id"]}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Delete last, so the other operations meet a notification that exists.
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    sent = sum(fuzz_operation(op, path_parameters, auth) for op in operations)
    assert sent >= len(operations)


@pytest.mark.parametrize("field", ["firstName", "lastName", "city", "stateCode", "currency", "productName"])
def test_blank_text_fields_count_as_absent(client, stream, field):
    # Found by the fuzzer above: a blank string became None and then met a length check (a 500).
    response = client.post(webhook_path(stream), json={"email": "john.smith@example.com", field: ""})
    assert response.status_code == 201, response.get_json()
