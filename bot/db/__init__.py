"""The bot's database: OAuth installations and state, and the event claims behind dedupe.

One SQLAlchemy engine per process, from ``DATABASE_URL`` (default: a SQLite file, so a single
process needs no setup; PostgreSQL for several processes or dynos). The schema is created and
upgraded by ``python -m bot migrate`` (Heroku's ``release:`` phase); a web process checks the
version at start and names that command when the schema is missing or outdated.

The database is on the ack path (one insert per event), so every call there runs with a
client-side deadline (:meth:`Database.call`): a server that stops answering without refusing (a
hung TCP connection, a held lock) costs at most ``CALL_DEADLINE_SECONDS``, which server-side
timeouts alone cannot promise. :class:`Database` tracks whether the last call failed so
``/healthz`` can say ``degraded``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import redact_url

T = TypeVar("T")

log = logging.getLogger(__name__)

#: The most an ack-path call (a claim, a health probe) may take end to end; past it the call
#: counts as failed and the request is answered without the shared claim. Well under Slack's 3 s.
#: The default of the DATABASE_DEADLINE_SECONDS setting.
CALL_DEADLINE_SECONDS = 1.5
#: Server and driver timeouts behind the deadline, so stuck connections are also freed:
#: libpq's connect_timeout (whole seconds, at least 2), the server's statement_timeout, the wait
#: for a pooled connection, SQLite's lock wait, and TCP's limit for unacknowledged data plus
#: keepalives (a peer that vanished is noticed in seconds, not the kernel's ~15 minutes).
DB_TIMEOUT_SECONDS = 2
STATEMENT_TIMEOUT_MS = 1000
POOL_TIMEOUT_SECONDS = 1.0
SQLITE_BUSY_TIMEOUT_SECONDS = 1.5
TCP_USER_TIMEOUT_MS = 5000
KEEPALIVES_IDLE_SECONDS = 5
#: Threads that run deadline-bound calls; a hung call holds one until its connection breaks.
CALL_THREADS = 4
#: Per process, at most POOL_SIZE + MAX_OVERFLOW = 5 connections, shared by the waitress and
#: listener threads (a claim holds one for about a millisecond). Kept small because hosted
#: PostgreSQL plans cap connections (Heroku's essential-0: 20) and every process has its own
#: pool: processes x 5 must stay under the plan's limit. A thread that waits longer than
#: POOL_TIMEOUT_SECONDS for a connection answers anyway (degraded), like in an outage.
POOL_SIZE = 2
MAX_OVERFLOW = 3
#: While failing, /healthz probes the database at most this often to notice recovery.
PROBE_INTERVAL_SECONDS = 5.0


class SchemaError(Exception):
    """The schema is missing, outdated or newer than this code; ``str()`` names the fix."""


def make_engine(url: str) -> Engine:
    """An engine with timeouts suited to the request path."""
    if url.startswith("sqlite"):
        from sqlalchemy.pool import StaticPool

        kwargs: dict[str, Any] = {
            "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
        }
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool  # one shared in-memory database (tests)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_session)
        return engine
    return create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": DB_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
            "keepalives": 1,
            "keepalives_idle": KEEPALIVES_IDLE_SECONDS,
            "keepalives_interval": 2,
            "keepalives_count": 2,
        },
    )


def _sqlite_session(dbapi_connection: Any, record: Any) -> None:
    """Commits without an fsync each (WAL mode, see bot.db.schema.use_wal): several processes
    claiming at once on one file then wait milliseconds for the write lock, not seconds."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


class DeadlineExceeded(SQLAlchemyError):
    """A database call did not finish within its client-side deadline."""


class Database:
    """The engine plus a health flag that failing calls set and successful calls clear."""

    def __init__(
        self, url: str, engine: Engine | None = None, deadline: float = CALL_DEADLINE_SECONDS
    ):
        self.url = url
        self.deadline = deadline
        self.engine = engine if engine is not None else make_engine(url)
        self._lock = threading.Lock()
        self._failure: str | None = None
        self._last_probe = 0.0
        self._calls = ThreadPoolExecutor(CALL_THREADS, thread_name_prefix="db-call")

    def call(self, work: Callable[[], T], deadline: float | None = None) -> T:
        """``work()`` on a database thread; DeadlineExceeded if it takes over ``deadline`` s.

        A call still queued when its deadline has passed is dropped unrun, so a backlog built
        during a hang does not replay late. One that is running keeps its thread until the
        driver returns (statement or TCP timeout), but the caller is free at the deadline.
        """
        seconds = self.deadline if deadline is None else deadline
        expires = time.monotonic() + seconds

        def bounded() -> T:
            if time.monotonic() > expires:
                raise DeadlineExceeded(f"not started within {seconds:g} s")
            return work()

        future = self._calls.submit(bounded)
        try:
            return future.result(timeout=max(0.0, expires - time.monotonic()))
        except FutureTimeout:
            future.cancel()
            raise DeadlineExceeded(f"no answer within {seconds:g} s") from None

    @property
    def display_url(self) -> str:
        """The URL without its password."""
        return redact_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def mark_ok(self) -> None:
        if self._failure is not None:
            with self._lock:
                if self._failure is not None:
                    log.warning("database reachable again; dedupe is shared again")
                self._failure = None

    def mark_failure(self, error: BaseException) -> None:
        with self._lock:
            first = self._failure is None
            self._failure = type(error).__name__
            self._last_probe = time.monotonic()
        if first:
            log.error(
                "database %s failing (%s): answering without cross-process dedupe",
                self.display_url,
                self._failure,
            )

    def healthy(self) -> bool:
        """True unless the last call failed; while failing, probe now and then to recover."""
        if self._failure is None:
            return True
        if time.monotonic() - self._last_probe >= PROBE_INTERVAL_SECONDS:
            self._last_probe = time.monotonic()
            from bot.db.schema import event_claims

            def probe() -> None:
                # A write to the table claims write to (touching no row): a locked file or a
                # read-only server fails here as a claim would, not just an unreachable one.
                with self.engine.begin() as connection:
                    connection.execute(
                        update(event_claims)
                        .where(event_claims.c.claim_key == "")
                        .values(claimed_at=event_claims.c.claimed_at)
                    )

            try:
                self.call(probe)
                self.mark_ok()
            except SQLAlchemyError:
                pass
        return self._failure is None

    def check_schema(self) -> None:
        """Raise SchemaError unless the schema is exactly the version this code needs."""
        from bot.db.schema import check_schema

        check_schema(self)

    def dispose(self) -> None:
        self._calls.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()


__all__ = ["CALL_DEADLINE_SECONDS", "Database", "DeadlineExceeded", "SchemaError", "make_engine"]
