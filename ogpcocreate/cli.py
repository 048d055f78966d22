"""Command-line commands: ``flask --app ogpcocreate <group> <command>``."""

from __future__ import annotations

import functools
import signal
import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select


def _needs_database(f):
    """Refuse with one line saying what to do when the database cannot be reached or was never migrated."""

    @functools.wraps(f)
    def checked(*args, **kwargs):
        from sqlalchemy import inspect
        from sqlalchemy.exc import SQLAlchemyError

        from .extensions import db

        where = db.engine.url.render_as_string(hide_password=True)
        try:
            migrated = inspect(db.engine).has_table("alembic_version")
        except SQLAlchemyError as exc:
            first_line = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
            raise click.ClickException(f"cannot reach the database {where} ({first_line}); check DATABASE_URL.") from None
        if not migrated:
            raise click.ClickException(f"the database {where} has no tables yet: run "
                                       "`flask --app ogpcocreate db upgrade` first (`make run` does it).")
        return f(*args, **kwargs)

    return checked


class DatabaseGroup(AppGroup):
    """Commands that work on the application's database: each first checks that it is there."""

    def command(self, *args, **kwargs):
        register_command = super().command(*args, **kwargs)
        return lambda f: register_command(_needs_database(f))


users_cli = DatabaseGroup("users", help="Manage accounts.")
audit_cli = DatabaseGroup("audit", help="Check the participation log.")
mail_cli = DatabaseGroup("mail", help="Send the queued e-mails.")
demo_cli = DatabaseGroup("demo", help="Demonstration data.")
repository_cli = DatabaseGroup("repository", help="The public repository: commission reports and search.")
notifications_cli = DatabaseGroup("notifications", help="Notifications of events that happen by the clock.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's e-mail address.")
@click.option("--name", "display_name", prompt=True, help="The name shown publicly.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters.")
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create a site administrator (or make an existing account one). The e-mail counts as confirmed."""
    from .auth.models import User
    from .auth.passwords import password_problem
    from .core.db import utcnow
    from .extensions import db

    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        problem = password_problem(password, [email, display_name])
        if problem:
            raise click.ClickException(problem)
        user = User(email=email, display_name=display_name.strip(), locale="es")
        user.set_password(password)
        db.session.add(user)
    user.is_admin = True
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.session.commit()
    click.echo(f"{email} is a site administrator.")


@users_cli.command("remove-admin")
@click.option("--email", prompt=True, help="The administrator's e-mail address.")
def remove_admin(email: str) -> None:
    """Take the site administrator role from an account (for instance so that its owner can close it).

    The last administrator is kept: without one, nobody could manage the secretariat's seats.
    """
    from .auth.models import User
    from .extensions import db

    user = db.session.scalar(select(User).where(User.email == email.strip().lower(), User.is_admin))
    if user is None:
        raise click.ClickException(f"{email} is not a site administrator.")
    if db.session.scalar(select(func.count(User.id)).where(User.is_admin)) == 1:
        raise click.ClickException("This is the only site administrator: create another one first.")
    user.is_admin = False
    db.session.commit()
    click.echo(f"{user.email} is no longer a site administrator.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 naming the first entry that does not hold."""
    from .core.eventlog import verify

    result = verify()
    if result.ok:
        click.echo(f"OK: {result.checked} entries, chain intact.")
        return
    click.echo(f"FAILED at entry {result.bad_seq}: {result.error} ({result.checked} entries checked before it).", err=True)
    sys.exit(1)


@audit_cli.command("rebuild-tally")
def audit_rebuild_tally() -> None:
    """Recompute the participation tallies from the log (after restoring or bulk-loading a log)."""
    from .extensions import db
    from .reports.tally import rebuild

    rows = rebuild()
    db.session.commit()
    click.echo(f"Participation tally rebuilt from the log: {rows} rows.")


@audit_cli.command("head")
def audit_head() -> None:
    """Print the newest entry's sequence number and hash, to publish or write down as an anchor."""
    from .main.services import chain_head

    head = chain_head()
    click.echo("empty" if head is None else f"{head.seq} {head.hash} {head.occurred_at.isoformat()}")


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running and send as messages fall due (the Procfile worker).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between checks with --loop.")
def mail_send(loop: bool, interval: float) -> None:
    """Send every e-mail that is due, retrying failed ones with back-off."""
    from .core.outbox import send_due
    from .extensions import db

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    if loop:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    while True:
        report = send_due()
        db.session.remove()
        if report.sent or report.failed or not loop:
            click.echo(f"sent {report.sent}, failed {report.failed} (gave up on {report.gave_up})")
        if not loop or stopping:
            return
        slept = 0.0
        while slept < interval and not stopping:
            time.sleep(0.2)
            slept += 0.2
        if stopping:
            return


@notifications_cli.command("tick")
def notifications_tick() -> None:
    """Notify the events whose date has passed (a call opens or closes in 48 hours, a ballot opens...).
    Safe to run as often as you like: each event is notified once."""
    from .extensions import db
    from .notifications.services import tick

    created = tick()
    db.session.commit()
    click.echo(f"{created} new notifications")


@mail_cli.command("digest")
@click.argument("frequency", type=click.Choice(["daily", "weekly"]))
def mail_digest(frequency: str) -> None:
    """Queue one summary per person of every notification of that frequency not yet delivered (run
    `daily` once a day and `weekly` once a week; the worker sends them)."""
    from .extensions import db
    from .notifications.models import Frequency
    from .notifications.services import run_digest, tick

    tick()
    db.session.commit()
    report = run_digest(Frequency(frequency))
    click.echo(f"queued {report.messages} {frequency} digests with {report.notifications} notifications")


@mail_cli.command("status")
def mail_status() -> None:
    """Count messages by status and list the ones given up on."""
    from .core.outbox import MailStatus, OutboxMessage
    from .extensions import db

    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    for status in MailStatus:
        click.echo(f"{status.value}: {counts.get(status, 0)}")
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == MailStatus.FAILED)):
        click.echo(f"  #{message.id} to {message.recipient}: {message.last_error}")


@mail_cli.command("retry")
def mail_retry() -> None:
    """Queue again every message that was given up on."""
    from .core.outbox import retry_failed
    from .extensions import db

    count = retry_failed()
    db.session.commit()
    click.echo(f"{count} message(s) queued again.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has accounts.")
def demo_load(if_empty: bool) -> None:
    """Load the demonstration data: the secretariat, 30+ organisations, citizens."""
    from .auth.models import User
    from .demo import loader
    from .extensions import db

    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("The database already has data; demo data not loaded.")
        return
    loader.load()
    db.session.commit()
    click.echo("Demo data loaded.")


@demo_cli.command("logins")
def demo_logins() -> None:
    """Print the demo accounts and their password."""
    from .demo import loader

    click.echo(loader.logins_text())


@demo_cli.command("generate")
@click.option("--scale", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Units of a real process (200 organisations, 2,000 proposals, 10,000 comments, ~50,000 log "
                   "entries each); 10 for the benchmarks. Fractions are allowed.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Same scale and seed, same data.")
@click.option("--floor", is_flag=True, help="Then time a plain bulk insert of the same rows, for comparison.")
@click.option("--batch", type=click.IntRange(min=1), default=5000, show_default=True, hidden=True)
def demo_generate(scale: float, seed: int, floor: bool, batch: int) -> None:
    """Add a large, deterministic co-creation process for benchmarks (bulk inserts; see demo/generate.py)."""
    from .demo.generate import generate, plain_insert_floor, report

    summary = generate(scale, seed, progress=True, batch=batch)
    measured = plain_insert_floor(summary["rows"], batch=batch) if floor else None
    for line in report(summary, measured):
        click.echo(line)


@repository_cli.command("import-commission-report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_commission_report(file: str) -> None:
    """Record a commission report read from FILE (the plain-text layout of shared/seeds/): every field
    must be found, and a folio already on the record is refused; on any error nothing changes."""
    from .core.errors import ServiceError
    from .extensions import db
    from .repository.services import import_report

    try:
        with open(file, encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text; nothing was saved.") from None
    try:
        report = import_report(text)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Commission report {report.folio} recorded (id {report.id}).")


@repository_cli.command("rebuild-search")
def rebuild_search() -> None:
    """Recompute the search index from the tables (after a bulk load, or to repair it)."""
    from .extensions import db
    from .search.index import rebuild

    count = rebuild()
    db.session.commit()
    click.echo(f"{count} searchable item(s) indexed.")


archive_cli = AppGroup("archive", help="The continuity archive: everything, as one verifiable BagIt package.")


def _advance_with_rate(bar):
    """A progress callback that moves ``bar`` and shows the rows per second so far beside it."""
    started = time.monotonic()

    def advance(n: int) -> None:
        rate = (bar.pos + n) / max(time.monotonic() - started, 1e-6)
        bar.update(n, f"{rate:,.0f} rows/s")

    return advance


@archive_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def archive_export(file: str) -> None:
    """Write every table, the stored files, a data dictionary and the chain's head to FILE (BagIt, tar)."""
    from .archive import services as archive

    total = sum(archive.row_counts().values())
    with click.progressbar(length=total, label="Exporting rows", show_pos=True, show_eta=True,
                           item_show_func=lambda rate: rate) as bar:
        started = time.monotonic()
        description = archive.export(file, _advance_with_rate(bar))
    elapsed = max(time.monotonic() - started, 1e-6)
    head = description["chain_head"]
    click.echo(f"{total} rows in {elapsed:.1f} s ({total / elapsed:.0f} rows/s) written to {file}; "
               f"chain head {'empty' if head is None else head['seq']}.")


@archive_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def archive_import(file: str) -> None:
    """Restore FILE into this empty database, after checking every checksum, the schema and the whole chain."""
    from .archive import services as archive
    from .extensions import db

    bar = advance = None

    def start(description: dict) -> None:
        nonlocal bar, advance
        click.echo(f"Checksums and schema verified ({description['schema_revision']}).")
        bar = click.progressbar(length=sum(description["rows"].values()), label="Importing rows", show_pos=True,
                                show_eta=True, item_show_func=lambda rate: rate)
        bar.__enter__()
        advance = _advance_with_rate(bar)

    started = time.monotonic()
    try:
        description = archive.import_archive(file, lambda n: advance(n), start)
        db.session.commit()
    except archive.ArchiveError as exc:
        db.session.rollback()
        if bar is not None:
            bar.__exit__(None, None, None)
        click.echo(f"Refused: {exc.message} Nothing was imported.", err=True)
        sys.exit(1)
    bar.__exit__(None, None, None)
    total = sum(description["rows"].values())
    elapsed = max(time.monotonic() - started, 1e-6)
    head = description["chain_head"]
    head_text = "empty" if head is None else f"{head['seq']} {head['hash']}"
    click.echo(f"{total} rows imported in {elapsed:.1f} s ({total / elapsed:.0f} rows/s); chain verified, head {head_text}.")


@archive_cli.command("work")
@click.option("--loop", is_flag=True, help="Keep running and prepare archives as the secretariat asks for them.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between checks with --loop.")
def archive_work(loop: bool, interval: float) -> None:
    """Prepare the continuity archives the secretariat asked for (the Procfile's archiver process)."""
    from .archive import services as archive

    while True:
        export = archive.work_once()
        if export is not None:
            click.echo(f"Archive {export.id}: {export.status.value} {export.file_name or export.error or ''}".rstrip())
            continue
        if not loop:
            return
        time.sleep(interval)


def register(app: Flask) -> None:
    for group in (users_cli, audit_cli, mail_cli, demo_cli, repository_cli, archive_cli, notifications_cli):
        app.cli.add_command(group)
