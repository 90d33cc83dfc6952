"""The lifecycle every runner follows, and the start-up steps they share."""

from __future__ import annotations

import logging
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from bot.analysis import ClassifierLike
from bot.settings import Settings

log = logging.getLogger(__name__)


class RunnerError(Exception):
    """The runner cannot start (connection refused, schema missing …); ``str()`` is the fix."""


def _raise_system_exit(signum: int, frame: Any) -> None:
    raise SystemExit(0)


class Runner(ABC):
    """start → wait → stop. ``stop`` runs even when ``start`` failed half-way."""

    def __init__(self, settings: Settings, load_classifier: Callable[[], ClassifierLike]):
        self.settings = settings
        self.load_classifier = load_classifier

    @abstractmethod
    def start(self) -> None:
        """Acquire what serving needs; raise RunnerError with a user-facing message."""

    @abstractmethod
    def wait(self) -> int:
        """Serve until told to stop; return the exit status."""

    @abstractmethod
    def stop(self) -> None:
        """Finish work in flight and release resources; safe after a partial start."""


def run(runner: Runner) -> int:
    """Run ``runner`` through its lifecycle; SIGTERM and Ctrl-C stop it gracefully (exit 0)."""
    previous = signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        runner.start()
        return runner.wait()
    except (KeyboardInterrupt, SystemExit):
        log.info("shutting down")
        return 0
    finally:
        try:
            runner.stop()
        finally:
            signal.signal(signal.SIGTERM, previous)


def open_database(settings: Settings) -> Any:
    """The process's Database, schema checked (a fresh SQLite file gets one automatically).

    A missing or outdated schema is a RunnerError naming ``python -m bot migrate``. An
    unreachable server is not: the bot starts degraded (answers, no shared dedupe, /healthz
    says so) rather than staying silent through a database outage.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import Database, SchemaError
    from bot.db.schema import prepare

    database = Database(settings.database_url, deadline=settings.database_deadline_seconds)
    try:
        prepare(database)
    except SchemaError as error:
        database.dispose()
        raise RunnerError(str(error)) from None
    except SQLAlchemyError as error:
        if database.dialect == "sqlite":
            database.dispose()
            raise RunnerError(
                f"cannot open the SQLite database {database.display_url} "
                f"({type(error).__name__}); check DATABASE_PATH / DATABASE_URL"
            ) from None
        database.mark_failure(error)
        log.error(
            "database %s unreachable at start (%s); serving degraded until it answers",
            database.display_url,
            type(error).__name__,
        )
    return database
