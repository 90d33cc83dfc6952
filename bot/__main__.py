"""``python -m bot [http|socket|console|migrate]``: validate settings, load the model, serve.

Without a mode: HTTP if any Slack credential is set, else the console. ``migrate`` creates or
upgrades the database schema and exits (the Procfile's ``release:`` phase). Every failure a user
can cause (settings, model, database schema, Socket Mode connection, a busy port) ends in one
``error:`` paragraph and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.settings import MODES, Settings, SettingsError, load_settings, read_environment

log = logging.getLogger("bot")

EXIT_USAGE = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Slack sentiment bot. HTTP mode serves POST /slack/events and GET /healthz "
        "on $PORT; socket mode connects with SLACK_APP_TOKEN; console mode (the default when no "
        "Slack credentials are set) answers lines from stdin; migrate creates or upgrades the "
        "database schema (DATABASE_URL) and exits; digest posts each watched channel's weekly "
        "mood once per week and exits.",
    )
    parser.add_argument("mode", nargs="?", default="auto", choices=MODES, help="default: auto")
    return parser.parse_args(argv)


def classifier_loader(settings: Settings):
    """Load the model the settings name; the model package reads no environment for the bot."""

    def load():
        import model

        return model.load(settings.model_dir, runtime=settings.model_runtime)

    return load


def migrate(settings: Settings) -> int:
    """``python -m bot migrate``: bring the schema to this code's version."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import Database, SchemaError
    from bot.db.schema import migrate as run_migrations

    database = Database(settings.database_url)
    try:
        before, after = run_migrations(database)
    except SchemaError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as error:
        first_line = str(error).splitlines()[0][:300] if str(error) else ""
        print(
            f"error: cannot migrate {database.display_url} ({type(error).__name__}: "
            f"{first_line}); check DATABASE_URL",
            file=sys.stderr,
        )
        return EXIT_USAGE
    finally:
        database.dispose()
    if before == after:
        print(f"database {database.display_url}: schema version {after}, up to date")
    else:
        print(f"database {database.display_url}: schema version {before} -> {after}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    env = read_environment()
    try:
        settings = load_settings(args.mode, env)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE

    from bot.logs import setup_logging

    level = settings.log_level
    if settings.mode == "console" and "LOG_LEVEL" not in settings.explicit:
        level = "WARNING"  # keep the console's stderr to the intro and real problems
    setup_logging(level, settings.secrets)

    if settings.mode == "migrate":
        return migrate(settings)
    if settings.mode == "digest":
        from bot.watch.digest import main as digest

        return digest(settings)

    import model
    from bot.runners import RunnerError, run, runner_for

    try:
        return run(runner_for(settings.mode, settings, classifier_loader(settings)))
    except (model.ModelError, RunnerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        if settings.mode == "http" and error.errno in (98, 48, 10048):  # EADDRINUSE
            print(f"error: port {settings.port} is already in use; set PORT", file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == "__main__":
    sys.exit(main())
