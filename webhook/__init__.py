"""Proofhook: social-proof notifications fed by webhooks."""
import os
from contextlib import closing

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config
from .json_provider import OrjsonProvider


def create_app(test_config: dict | None = None) -> Flask:
    """Create and wire the Proofhook application."""
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates")
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.load(app.instance_path, test_config))
    app.json = OrjsonProvider(app)
    app.json.sort_keys = False  # answers read in the order they are built: status first, then the event
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    from . import auth, cli, errors, headers, intake, links, retention
    from .blueprints import admin, api, feed, hooks, openapi, proof
    from .storage import connection, migrate

    links.init_app(app)
    connection.init_app(app)
    # A connection of its own, closed at once: no pool is opened before gunicorn forks its workers.
    with closing(connection.open_database(connection.target(app.config), app.config)) as conn:
        migrate.upgrade(conn)
    connection.remember_file(app)
    intake.init_app(app)
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
        # Start-up work (public keys) used this thread's connection: close it, so none crosses gunicorn's fork.
        connection.drop_thread_connection(app)
    return app
