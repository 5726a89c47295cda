"""Proofhook: social-proof notifications fed by webhooks."""
import inspect
import os
from contextlib import closing

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config
from .json_provider import OrjsonProvider


class Proofhook(Flask):
    """Flask, telling a plain `def` from an `async def` by its code's flags rather than by inspecting it."""

    def ensure_sync(self, func):
        """Return a plain function (or bound method) as it is; anything else goes through Flask's own check."""
        # Flask asks it of the view and of every hook on each request, and its inspect call unwraps each one
        # first. A function's (or a bound method's) code says directly whether it is a coroutine function.
        code = getattr(func, "__code__", None)
        plain = code is not None and not code.co_flags & inspect.CO_COROUTINE
        if plain and not hasattr(func, "_is_coroutine_marker"):  # Python 3.12's inspect.markcoroutinefunction
            return func
        return super().ensure_sync(func)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and wire the Proofhook application."""
    app = Proofhook(__name__, instance_relative_config=True, template_folder="../templates")
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.load(app.instance_path, test_config))
    app.json = OrjsonProvider(app)
    app.json.sort_keys = False  # answers read in the order they are built: status first, then the event
    startup(app)
    return app


def startup(app: Flask) -> None:
    """Wire the app's parts and do the start-up work, in an order each step's comment explains."""
    from . import auth, cli, errors, headers, intake, links, retention
    from .blueprints import admin, api, feed, hooks, openapi, proof
    from .storage import connection, migrate, notification_store

    # 1. ProxyFix first, so it wraps Flask itself: every later layer of the app reads the client's address and
    #    scheme as the trusted proxies report them. (The feed shortcut, step 6, goes outside it: a feed read
    #    needs neither.)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    # 2. Links before any route: the `int` converter is looked up when a route is added, so a blueprint
    #    registered before this step would keep Werkzeug's unbounded one (an id past 64 bits was a 500).
    links.init_app(app)
    # 3. The connections (per thread for SQLite, a pool for PostgreSQL) before anything that reads or writes.
    connection.init_app(app)
    # 4. The schema, on a connection of its own closed at once (no pool opened before gunicorn forks). Every
    #    start migrates, so no deploy can serve on an old schema; instances starting together take turns.
    #    `flask db upgrade` stays for migrating ahead of a rolling deploy; `make run` does not run it too.
    with closing(connection.open_database(connection.target(app.config), app.config)) as conn:
        migrate.upgrade(conn)
    connection.remember_file(app)
    # 5. GeoIP and lookup tables once per process, before the fork; a bad GeoIP path stops the start here.
    intake.init_app(app)
    # 6. The app-wide handlers and hooks, then the blueprints, in the order they always had. feed.init_app also
    #    wraps the WSGI app in the feed shortcut, outermost of all, so a feed read whose body this process has
    #    built is answered before Flask's request machinery starts.
    errors.init_app(app)
    auth.init_app(app)
    headers.init_app(app)
    cli.init_app(app)
    app.register_blueprint(hooks.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    feed.init_app(app)
    app.register_blueprint(openapi.bp)
    proof.init_app(app)
    retention.init_app(app)
    with app.app_context():
        # 7. Start-up writes, after the migration that made their columns: notifications made before the feed
        #    existed (migration 0003) get their public keys.
        notification_store.ensure_public_keys()
        # 8. Last: the start-up work used this thread's SQLite connection. Close it, so that none crosses
        #    gunicorn's fork (preload_app): SQLite forbids using one connection in two processes.
        connection.drop_thread_connection(app)
