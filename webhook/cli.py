"""`flask --app app …` commands for owners who live in a terminal: notifications, events, db, info."""
import os
import re
from contextlib import closing
from datetime import datetime, timezone

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from marshmallow import ValidationError

from . import history
from .storage import connection, event_purge, maintenance, migrate, notification_store, outages
from .enrich.emails import mention_pattern, email_or_none
from .links import absolute_url
from .schemas.settings import notification_schema
from .vocabulary import DAY_MS, HOUR_MS, now_ms

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
    notification = notification_store.create_notification(**fields)
    click.echo(absolute_url("hooks.receive", token=notification["webhook_token"]))


@notifications_cli.command("list")
def list_command():
    """List the notifications with their webhook URLs and event counts."""
    rows = notification_store.list_notifications()
    if not rows:
        click.echo("No notifications yet: flask --app app notifications create --name … --type stream")
    for n in rows:
        url = absolute_url("hooks.receive", token=n["webhook_token"])
        click.echo(f"{n['id']}\t{n['type']}\t{n['name']}\t{n['event_count_24h']} in 24 h\t{url}")


events_cli = AppGroup("events", help="Import and export events; purge old ones; erase a person's.")


notification_option = click.option(
    "--notification", "notification_id", type=int, required=True, help="The notification's id."
)


def cli_notification(notification_id: int) -> dict:
    """Return the notification with this id, or stop with a usage error."""
    found = notification_store.get_notification(notification_id)
    if found is None:
        raise click.UsageError(f"There is no notification {notification_id}; see `notifications list`.")
    return found


@events_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@notification_option
@click.option("--format", "fmt", type=click.Choice(history.FORMATS), help="Default: by the file's extension.")
@click.option("--dry-run", is_flag=True, help="Check every row and report, but store nothing.")
def import_command(file: str, notification_id: int, fmt: str | None, dry_run: bool):
    """Import a CSV or JSON-lines file of past events and report what became of each row."""
    notification = cli_notification(notification_id)
    limit = current_app.config["MAX_IMPORT_BYTES"]
    if os.path.getsize(file) > limit:
        raise click.ClickException(f"{file} is larger than {limit} bytes (PROOFHOOK_MAX_IMPORT_BYTES); split it.")
    with open(file, "rb") as handle:
        content = handle.read()
    try:
        report = history.import_history(notification, content, history.format_for(file, fmt, content), dry_run)
    except history.FileRejected as exc:
        raise click.ClickException(f"{file}: {exc} Nothing was imported.") from None
    for row in report.rows:
        click.echo(f"line {row.line}\t{row.status}" + (f"\t{row.reason}" if row.reason else ""))
        for warning in row.warnings:
            click.echo(f"line {row.line}\twarning\t{warning}")
    totals = ", ".join(f"{count} {status}" for status, count in report.totals.items())
    click.echo(f"{totals}{' (dry run: nothing was stored)' if dry_run else ''}.")


@events_cli.command("export")
@notification_option
@click.option("--format", "fmt", type=click.Choice(history.FORMATS), default="csv", show_default=True)
@click.option("--raw", "with_payload", is_flag=True, help="Add each event's payload as it was received.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-", help="Default: stdout.")
def export_command(notification_id: int, fmt: str, with_payload: bool, output):
    """Write a notification's events, oldest first, in the format the import reads."""
    cli_notification(notification_id)
    records = history.export_records(notification_id, with_payload)
    lines = history.csv_lines(records, with_payload) if fmt == "csv" else history.jsonl_lines(records)
    for line in lines:
        output.write(line)


@click.command("info")
@with_appcontext
def info_command():
    """Print where to open Proofhook and where its admin token is (never the token: logs are kept)."""
    click.echo(f"Admin:        {absolute_url('admin.notifications')}")
    click.echo(f"Log in with:  {admin_token_source()}")
    click.echo(f"Database:     {connection.describe(current_app.config)}")
    click.echo(f"GeoIP:        {current_app.config['GEOIP_DATABASE'] or 'off'}")


def admin_token_source() -> str:
    """Say where the admin token comes from: the environment, or the file it was generated into."""
    kept_in = current_app.config["ADMIN_TOKEN_FILE"]
    return f"the admin token in {kept_in}" if kept_in else "the PROOFHOOK_ADMIN_TOKEN you set"


AGE_UNITS_MS = {"d": DAY_MS, "h": HOUR_MS}


def parse_age(text: str) -> int:
    """Return milliseconds for an age like "90d" or "12h", or raise a usage error."""
    match = re.fullmatch(r"\s*([0-9]{1,6})\s*([dh])\s*", text.lower())
    if match is None:
        raise click.BadParameter("Give a number of days or hours, like 90d or 12h.", param_hint="--older-than")
    return int(match[1]) * AGE_UNITS_MS[match[2]]


@events_cli.command("purge")
@click.option("--older-than", "age", required=True, help="How old an event must be to go: 90d, 12h, …")
def purge_command(age: str):
    """Delete events whose timestamp is older than the given age."""
    before = now_ms() - parse_age(age)
    deleted = event_purge.purge_events(before)
    moment = datetime.fromtimestamp(before / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"Deleted {deleted} event{'' if deleted == 1 else 's'} from before {moment}.")


@events_cli.command("erase")
@click.option("--email", required=True, help="The address whose events must go (GDPR erasure).")
def erase_command(email: str):
    """Delete every event that holds this email address anywhere, the raw payload included."""
    # Normalized as the webhook does, so "Jo@Example.COM " finds what was stored as "Jo@example.com".
    address = email_or_none(email)
    if address is None:
        raise click.BadParameter(f"{email!r} is not an email address.", param_hint="--email")
    with maintenance.scrubbing(connection.get_db()):
        erased = event_purge.delete_events(event_purge.events_matching(mention_pattern(address)))
    click.echo(f"Erased {erased} event{'' if erased == 1 else 's'} holding {address}.")


db_cli = AppGroup("db", help="Manage the database.")


@db_cli.command("upgrade")
def upgrade_command():
    """Create the database or bring its schema up to date."""
    conn = connection.get_db()
    applied = migrate.upgrade(conn)
    version = migrate.schema_version(conn)
    click.echo(f"Applied {', '.join(applied)}." if applied else f"The database schema is up to date (version {version}).")


@db_cli.command("copy")
@click.option("--to", "to", required=True, metavar="URL",
              help="The database to fill: postgresql://user:password@host/dbname (or an SQLite file).")
@click.option("--force", is_flag=True, help="Replace the data the target already holds.")
def copy_command(to: str, force: bool):
    """Copy this installation's data into another database (ids and timestamps kept), then verify the counts."""
    try:
        with closing(connection.open_database(to, current_app.config)) as target_conn:
            copied = maintenance.copy_database(connection.get_db(), target_conn, force)
    except maintenance.CopyError as exc:
        raise click.ClickException(str(exc)) from None
    except outages.DATABASE_ERRORS as exc:
        raise click.ClickException(f"Nothing was copied: {exc}") from None
    for table, n in copied.items():
        click.echo(f"{table}: {n} row{'' if n == 1 else 's'}")
    click.echo(f"Copied to {connection.describe({'DATABASE': to})} and verified: the row counts match.")


@db_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Overwrite TARGET if it exists.")
def backup_command(target: str, force: bool):
    """Copy the database to TARGET while the server keeps running (SQLite's online backup)."""
    if current_app.config.get("DATABASE_URL"):
        raise click.ClickException("This installation uses PostgreSQL: back it up with pg_dump (see the README).")
    if os.path.exists(target) and not force:
        raise click.UsageError(f"{target} exists; choose a new file or pass --force.")
    if os.path.exists(target):
        os.remove(target)
    check = maintenance.backup(connection.get_db(), target)
    if check != "ok":
        raise click.ClickException(f"The copy in {target} failed its integrity check: {check}")
    size = os.path.getsize(target)
    click.echo(f"Backed up {current_app.config['DATABASE']} to {target} ({size:,} bytes, integrity ok).")


def init_app(app) -> None:
    """Register the commands."""
    app.cli.add_command(notifications_cli)
    app.cli.add_command(events_cli)
    app.cli.add_command(info_command)
    app.cli.add_command(db_cli)
