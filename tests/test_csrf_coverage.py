"""Every cookie-authenticated write needs its CSRF token, though the check runs only on the blueprints with forms."""
from helpers import log_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def exempt(app, csrf, rule) -> bool:
    """Tell whether flask-wtf exempts this rule's view or blueprint from CSRF (the webhook, the API, the feed)."""
    view = app.view_functions[rule.endpoint]
    return (rule.endpoint.split(".")[0] in {bp.name for bp in csrf._exempt_blueprints}
            or f"{view.__module__}.{view.__name__}" in csrf._exempt_views)


def unsafe_calls(app, notification: dict, wanted) -> list[tuple[str, str, str]]:
    """Return (method, path, rule) for each unsafe method of the routes `wanted(rule)` picks, on this notification."""
    calls = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & UNSAFE
        if methods and wanted(rule):
            path = app.url_map.bind("localhost").build(
                rule.endpoint, {name: notification["id"] if "id" in name else "x" for name in rule.arguments})
            calls += [(method, path, rule.rule) for method in sorted(methods)]
    return calls


def test_every_unsafe_route_outside_the_exemptions_refuses_a_write_without_the_token(app, client, stream):
    from webhook.auth import csrf

    log_in(client)
    checked = []
    for method, path, rule in unsafe_calls(app, stream, lambda rule: not exempt(app, csrf, rule)):
        response = client.open(path, method=method, data={"anything": "1"})
        assert response.status_code == 400, (method, path, response.status_code)
        assert "CSRF" in response.get_data(as_text=True), (method, path)
        checked.append((method, rule))
    assert ("POST", "/login") in checked and len(checked) >= 5, checked


def test_a_bearer_header_skips_the_csrf_check_only_when_its_token_is_right(app, client, stream):
    # check_csrf lets any bearer-token API call past (a browser can't be made to send one), so each API view must
    # refuse a wrong token itself, even from a browser that holds the admin's session.
    log_in(client)
    checked = []
    for method, path, rule in unsafe_calls(app, stream, lambda rule: rule.endpoint.startswith("api.")):
        response = client.open(path, method=method, json={"name": "x", "type": "stream"},
                               headers={"Authorization": "Bearer wrong"})
        assert response.status_code == 401, (method, path, response.status_code)
        checked.append((method, rule))
    assert ("DELETE", "/api/notifications/<int:notification_id>") in checked and len(checked) >= 4, checked
    assert client.get(f"/api/notifications/{stream['id']}").status_code == 200  # the session was good throughout


def test_a_view_that_skips_the_csrf_check_without_a_session_sends_the_caller_to_sign_in(app, client, stream):
    # check_csrf passes over a sign_in_first view when there is no admin session: the view itself must stop there.
    marked = unsafe_calls(app, stream, lambda rule: getattr(app.view_functions[rule.endpoint], "sign_in_first", False))
    assert marked, "no view is marked sign_in_first: this test checks nothing"
    for method, path, _rule in marked:
        response = client.open(path, method=method, data={"anything": "1"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, path)
