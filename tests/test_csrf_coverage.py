"""Every cookie-authenticated write needs its CSRF token, though the check runs only on the blueprints with forms."""
from helpers import log_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def exempt(app, csrf, rule) -> bool:
    """Tell whether flask-wtf exempts this rule's view or blueprint from CSRF (the webhook, the API, the feed)."""
    view = app.view_functions[rule.endpoint]
    return (rule.endpoint.split(".")[0] in {bp.name for bp in csrf._exempt_blueprints}
            or f"{view.__module__}.{view.__name__}" in csrf._exempt_views)


def test_every_unsafe_route_outside_the_exemptions_refuses_a_write_without_the_token(app, client, stream):
    from webhook.auth import csrf

    log_in(client)
    checked = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & UNSAFE
        if not methods or exempt(app, csrf, rule):
            continue
        path = app.url_map.bind("localhost").build(
            rule.endpoint, {name: stream["id"] if "id" in name else "x" for name in rule.arguments})
        for method in methods:
            response = client.open(path, method=method, data={"anything": "1"})
            assert response.status_code == 400, (method, path, response.status_code)
            assert "CSRF" in response.get_data(as_text=True), (method, path)
            checked.append((method, rule.rule))
    assert ("POST", "/login") in checked and len(checked) >= 5, checked
