"""`flask --app app …` commands for owners who live in a terminal."""
import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from marshmallow import ValidationError

from . import store
from .db import describe
from .links import absolute_url
from .schemas import notification_schema

notifications_cli = AppGroup("notifications", help="Create and list notifications.")


@notifications_cli.command("create")
@click.option("--name", required=True, help="What you call it, e.g. 'Recent purchases'.")
@click.option("--type", "type_", type=click.Choice(["stream", "conversion"]), required=True)
@click.option("--message", help="The text after the name: 'purchased', 'signed up', …")
def create_command(name: str, type_: str, message: str | None):
    """Create a notification and print its webhook URL."""
    given = {"name": name, "type": type_, **({"message": message} if message is not None else {})}
    try:
        fields = notification_schema.load(given)
    except ValidationError as exc:
        raise click.UsageError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.messages.items())) from None
    notification = store.create_notification(**fields)
    click.echo(absolute_url("hooks.receive", token=notification["webhook_token"]))


@notifications_cli.command("list")
def list_command():
    """List the notifications with their webhook URLs and event counts."""
    rows = store.list_notifications()
    if not rows:
        click.echo("No notifications yet: flask --app app notifications create --name … --type stream")
    for n in rows:
        url = absolute_url("hooks.receive", token=n["webhook_token"])
        click.echo(f"{n['id']}\t{n['type']}\t{n['name']}\t{n['event_count_24h']} in 24 h\t{url}")


@click.command("info")
@with_appcontext
def info_command():
    """Print where to open Proofhook and the admin token to log in with."""
    click.echo(f"Admin:        {absolute_url('admin.notifications')}")
    click.echo(f"Log in with:  {current_app.config['ADMIN_TOKEN']}")
    click.echo(f"Database:     {describe(current_app.config)}")
    click.echo(f"GeoIP:        {current_app.config['GEOIP_DATABASE'] or 'off'}")


def init_app(app) -> None:
    """Register the commands."""
    app.cli.add_command(notifications_cli)
    app.cli.add_command(info_command)
