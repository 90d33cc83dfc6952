"""Event claims: one atomic insert-if-absent per event id, shared by every process.

A delivery is answered by whichever process inserts its key first; every other delivery of the
same key (Slack's retries, on any process, before or after a restart) finds the row and is
skipped. ``INSERT … ON CONFLICT DO NOTHING`` makes the check-and-set one statement in both
SQLite and PostgreSQL, so there is no window between "is it there?" and "insert it".
Rows hold the key, the team id and the time, and are purged after the TTL.

A claim runs under the database's client-side deadline (:meth:`bot.db.Database.call`): it is on
the ack path, and a hung server must cost at most ``CALL_DEADLINE_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete

from bot.db import Database
from bot.db.schema import event_claims, purge_expired_oauth_states

#: Slack retries within minutes; an hour covers them with a wide margin.
DEFAULT_TTL_SECONDS = 3600.0
#: Purge expired rows at most this often (per process).
PURGE_INTERVAL_SECONDS = 60.0


def dialect_insert(dialect: str) -> Callable[..., Any]:
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` / ``on_conflict_do_update``
    (also used by bot.watch.store)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert
    raise ValueError(f"unsupported database dialect {dialect!r}")


class ClaimStore:
    """The ``event_claims`` table."""

    def __init__(
        self,
        database: Database,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ):
        self.database = database
        self.ttl = ttl
        self.clock = clock
        self._insert = dialect_insert(database.dialect)
        self._next_purge = 0.0
        self._purge_lock = threading.Lock()

    def claim(self, key: str, team_id: str | None = None) -> bool:
        """Insert ``key``; True if this call inserted it (first delivery), False if present.

        Raises SQLAlchemyError when the database fails or misses the deadline
        (:class:`bot.db.DeadlineExceeded`); the caller decides what then.
        """
        now = self.clock()
        statement = (
            self._insert(event_claims)
            .values(claim_key=key[:200], team_id=team_id, claimed_at=now)
            .on_conflict_do_nothing(index_elements=["claim_key"])
            .returning(event_claims.c.claim_key)
        )

        def insert() -> bool:
            # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT via SQLAlchemy.
            with self.database.engine.begin() as connection:
                inserted = connection.execute(statement).first() is not None
            self._maybe_purge(now)
            return inserted

        return self.database.call(insert)

    def _maybe_purge(self, now: float) -> None:
        if now < self._next_purge or not self._purge_lock.acquire(blocking=False):
            return
        try:
            self._next_purge = now + PURGE_INTERVAL_SECONDS
            self.purge(now)
        finally:
            self._purge_lock.release()

    def purge(self, now: float | None = None) -> int:
        """Delete claims older than the TTL (and expired OAuth states); return how many claims."""
        cutoff = (self.clock() if now is None else now) - self.ttl
        with self.database.engine.begin() as connection:
            result = connection.execute(
                delete(event_claims).where(event_claims.c.claimed_at < cutoff)
            )
            purge_expired_oauth_states(connection)
        return result.rowcount

    def forget_team(self, team_id: str) -> int:
        """Delete every claim of one workspace (on uninstall); return how many."""
        with self.database.engine.begin() as connection:
            result = connection.execute(
                delete(event_claims).where(event_claims.c.team_id == team_id)
            )
        return result.rowcount
