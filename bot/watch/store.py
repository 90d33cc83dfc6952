"""Watching on and off, each channel's choices, and counting a message exactly once.

Counting is one transaction per message, in this order so that every process agrees:

1. ``UPDATE mood_watched_channels SET message_seq = message_seq + 1 … RETURNING``: no row means
   the channel is not watched (any more), and nothing is written. The row stays locked until
   commit, so messages of one channel are counted one after another across processes.
2. the dedupe claim (``event_claims``, the table behind ``bot.dedupe``) for the message's
   ``team:channel:ts``: ``INSERT … ON CONFLICT DO NOTHING``. A duplicate (a retry, a second
   process, a replay after a restart) finds the claim and the whole transaction rolls back.
3. ``INSERT … ON CONFLICT DO UPDATE`` of the hour's counter, and of the alert window's slot.
4. the alert decision, an update of the same locked row: a notice fires in exactly one process.

Because claim and count commit together, a crash between them counts nothing rather than twice.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from bot.db import Database
from bot.db.claims import dialect_insert
from bot.db.schema import event_claims
from bot.settings import (
    DEFAULT_MOOD_ALERT_COOLDOWN_MINUTES,
    DEFAULT_MOOD_ALERT_WINDOW,
    DEFAULT_MOOD_RETENTION_DAYS,
    Settings,
)
from bot.watch.tables import alert_window, hourly_counts, watched_channels

log = logging.getLogger(__name__)

LABELS = ("positive", "negative", "neutral")
SECONDS_PER_HOUR = 3600
#: An alert looks at no fewer of the latest messages than this.
MIN_ALERT_WINDOW = 20
#: Tries of one message's counting transaction when it meets a lock (see WatchStore.count).
COUNT_ATTEMPTS = 10
#: Delete expired counts at most this often (per process).
PURGE_INTERVAL_SECONDS = 3600.0


@dataclass(frozen=True)
class ChannelWatch:
    """A watched channel and what its watchers chose."""

    team_id: str
    channel_id: str
    watched_at: float
    digest_destination: str
    digest_week: str | None
    reactions_enabled: bool
    alert_threshold: float | None
    alert_destination: str | None


@dataclass(frozen=True)
class AlertNotice:
    """An alert that fired: the figures for the notice, and where it goes."""

    team_id: str
    channel_id: str
    destination: str
    negative: int
    window: int
    threshold: float

    @property
    def share(self) -> float:
        return self.negative / self.window if self.window else 0.0


@dataclass(frozen=True)
class Counted:
    """What counting one message did."""

    counted: bool
    #: Only set when ``counted``: react to the message (the channel opted in).
    reactions_enabled: bool = False
    alert: AlertNotice | None = None


@dataclass(frozen=True)
class HourCounts:
    """One hour's counts (``hour``: whole hours since the epoch, UTC)."""

    hour: int
    positive: int
    negative: int
    neutral: int

    @property
    def total(self) -> int:
        return self.positive + self.negative + self.neutral


def claim_key(team_id: str, channel_id: str, ts: str) -> str:
    """The dedupe claim for one message: the same message is the same key in every process."""
    return f"mood:{team_id}:{channel_id}:{ts}"


class WatchStore:
    """The watching tables, through one ``bot.db.Database``."""

    def __init__(
        self,
        database: Database,
        *,
        retention_days: int = DEFAULT_MOOD_RETENTION_DAYS,
        alert_window_size: int = DEFAULT_MOOD_ALERT_WINDOW,
        alert_cooldown_seconds: float = DEFAULT_MOOD_ALERT_COOLDOWN_MINUTES * 60.0,
        clock: Callable[[], float] = time.time,
    ):
        if alert_window_size < MIN_ALERT_WINDOW:
            raise ValueError(f"the alert window must be at least {MIN_ALERT_WINDOW} messages")
        self.database = database
        self.retention_days = retention_days
        self.window_size = alert_window_size
        self.cooldown = alert_cooldown_seconds
        self.clock = clock
        self._insert = dialect_insert(database.dialect)
        self._next_purge = 0.0
        self._purge_lock = threading.Lock()

    @classmethod
    def from_settings(cls, database: Database, settings: Settings) -> WatchStore:
        """The store with the retention and alert settings (MOOD_*)."""
        return cls(
            database,
            retention_days=settings.mood_retention_days,
            alert_window_size=settings.mood_alert_window,
            alert_cooldown_seconds=settings.mood_alert_cooldown_minutes * 60.0,
        )

    # -- watching on and off ------------------------------------------------------------------

    def watch(self, team_id: str, channel_id: str, digest_destination: str | None = None) -> bool:
        """Start watching; True if this call started it (False: it was already watched).

        Only the call that returns True announces it, so the channel is told once.
        """
        statement = (
            self._insert(watched_channels)
            .values(
                team_id=team_id,
                channel_id=channel_id,
                watched_at=self.clock(),
                digest_destination=digest_destination or channel_id,
                reactions_enabled=False,
                alert_armed=True,
                message_seq=0,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "channel_id"])
            .returning(watched_channels.c.channel_id)
        )
        with self.database.engine.begin() as connection:
            return connection.execute(statement).first() is not None

    def unwatch(self, team_id: str, channel_id: str) -> bool:
        """Stop watching and delete every count of the channel; True if it was watched."""
        with self.database.engine.begin() as connection:
            removed = connection.execute(
                delete(watched_channels).where(_channel(watched_channels, team_id, channel_id))
            ).rowcount
            for table in (hourly_counts, alert_window):
                connection.execute(delete(table).where(_channel(table, team_id, channel_id)))
        return bool(removed)

    def forget_team(self, team_id: str) -> int:
        """Delete everything about a workspace (uninstall); return how many channels it had."""
        with self.database.engine.begin() as connection:
            removed = connection.execute(
                delete(watched_channels).where(watched_channels.c.team_id == team_id)
            ).rowcount
            for table in (hourly_counts, alert_window):
                connection.execute(delete(table).where(table.c.team_id == team_id))
        return removed

    def get(self, team_id: str, channel_id: str) -> ChannelWatch | None:
        """The channel's watch, or None when it is not watched."""
        with self.database.engine.connect() as connection:
            row = connection.execute(
                select(watched_channels).where(_channel(watched_channels, team_id, channel_id))
            ).first()
        return _watch(row) if row is not None else None

    def is_watched(self, team_id: str, channel_id: str) -> bool:
        """Like ``get``, retried like ``count`` (the counting path's first question)."""
        return _retrying(lambda: self.get(team_id, channel_id)) is not None

    def watched(self, team_id: str | None = None) -> list[ChannelWatch]:
        """Every watched channel (of one workspace, if given), oldest watch first."""
        query = select(watched_channels).order_by(watched_channels.c.watched_at)
        if team_id is not None:
            query = query.where(watched_channels.c.team_id == team_id)
        with self.database.engine.connect() as connection:
            return [_watch(row) for row in connection.execute(query)]

    def set_alert(
        self, team_id: str, channel_id: str, threshold: float | None, destination: str | None
    ) -> bool:
        """Set (or with ``threshold=None`` clear) the channel's alert; False if not watched."""
        return self._update(
            team_id,
            channel_id,
            alert_threshold=threshold,
            alert_destination=destination if threshold is not None else None,
            alert_armed=True,
        )

    def set_reactions(self, team_id: str, channel_id: str, enabled: bool) -> bool:
        """Turn the channel's emoji reactions on or off; False if it is not watched."""
        return self._update(team_id, channel_id, reactions_enabled=enabled)

    def _update(self, team_id: str, channel_id: str, **values: Any) -> bool:
        with self.database.engine.begin() as connection:
            return bool(
                connection.execute(
                    update(watched_channels)
                    .where(_channel(watched_channels, team_id, channel_id))
                    .values(**values)
                ).rowcount
            )

    # -- counting -------------------------------------------------------------------------------

    def count(self, team_id: str, channel_id: str, ts: str, label: str) -> Counted:
        """Count one scored message once (see the module docstring); never stores its text.

        A transaction that meets a lock it cannot wait out (SQLite's busy timeout, PostgreSQL's
        statement timeout, both short because the ack path shares the database) rolled back
        entirely, so it is simply tried again, up to COUNT_ATTEMPTS times: this runs after the
        ack, where a short wait costs nothing.
        """
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}")
        now = self.clock()
        hour = int(float(ts) // SECONDS_PER_HOUR)
        counted = _retrying(lambda: self._count_once(team_id, channel_id, ts, hour, label, now))
        self._maybe_purge(now)
        return counted

    def _count_once(
        self, team_id: str, channel_id: str, ts: str, hour: int, label: str, now: float
    ) -> Counted:
        with self.database.engine.connect() as connection:
            transaction = connection.begin()
            try:
                counted = self._count_in(connection, team_id, channel_id, ts, hour, label, now)
            except BaseException:
                transaction.rollback()
                raise
            if counted.counted:
                transaction.commit()
            else:
                transaction.rollback()
        return counted

    def _count_in(
        self,
        connection: Connection,
        team_id: str,
        channel_id: str,
        ts: str,
        hour: int,
        label: str,
        now: float,
    ) -> Counted:
        w = watched_channels.c
        row = connection.execute(
            update(watched_channels)
            .where(_channel(watched_channels, team_id, channel_id))
            .values(message_seq=w.message_seq + 1)
            .returning(
                w.message_seq,
                w.reactions_enabled,
                w.alert_threshold,
                w.alert_destination,
                w.alert_armed,
                w.alert_fired_at,
            )
        ).first()
        if row is None:
            return Counted(False)  # not watched
        claimed = connection.execute(
            self._insert(event_claims)
            .values(claim_key=claim_key(team_id, channel_id, ts), team_id=team_id, claimed_at=now)
            .on_conflict_do_nothing(index_elements=["claim_key"])
            .returning(event_claims.c.claim_key)
        ).first()
        if claimed is None:
            return Counted(False)  # already counted, by this process or another
        counts = hourly_counts.c
        connection.execute(
            self._insert(hourly_counts)
            .values(
                team_id=team_id,
                channel_id=channel_id,
                hour=hour,
                **{name: int(name == label) for name in LABELS},
            )
            .on_conflict_do_update(
                index_elements=["team_id", "channel_id", "hour"],
                set_={label: counts[label] + 1},
            )
        )
        connection.execute(
            self._insert(alert_window)
            .values(
                team_id=team_id,
                channel_id=channel_id,
                slot=row.message_seq % self.window_size,
                label=label,
            )
            .on_conflict_do_update(
                index_elements=["team_id", "channel_id", "slot"], set_={"label": label}
            )
        )
        alert = None
        if row.alert_threshold is not None and row.alert_destination:
            alert = self._decide_alert(connection, team_id, channel_id, row, now)
        return Counted(True, reactions_enabled=bool(row.reactions_enabled), alert=alert)

    def _decide_alert(
        self, connection: Connection, team_id: str, channel_id: str, row: Any, now: float
    ) -> AlertNotice | None:
        """Fire (once) when the window's negative share reaches the threshold; re-arm below it."""
        slots = alert_window.c
        total, negative = connection.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((slots.label == "negative", 1), else_=0)), 0),
            ).where(_channel(alert_window, team_id, channel_id), slots.slot < self.window_size)
        ).one()
        if total < self.window_size:
            return None  # fewer than N messages so far: no share to judge
        share = negative / total
        where = _channel(watched_channels, team_id, channel_id)
        if share < row.alert_threshold:
            if not row.alert_armed:
                connection.execute(update(watched_channels).where(where).values(alert_armed=True))
            return None
        cooled = row.alert_fired_at is None or now - row.alert_fired_at >= self.cooldown
        if not (row.alert_armed and cooled):
            return None
        connection.execute(
            update(watched_channels).where(where).values(alert_armed=False, alert_fired_at=now)
        )
        return AlertNotice(
            team_id,
            channel_id,
            row.alert_destination,
            int(negative),
            int(total),
            float(row.alert_threshold),
        )

    # -- reading and purging --------------------------------------------------------------------

    def hours(
        self, team_id: str, channel_id: str, start_hour: int, end_hour: int
    ) -> list[HourCounts]:
        """The channel's hourly counts with ``start_hour <= hour < end_hour``, oldest first."""
        c = hourly_counts.c
        query = (
            select(c.hour, c.positive, c.negative, c.neutral)
            .where(
                _channel(hourly_counts, team_id, channel_id),
                c.hour >= start_hour,
                c.hour < end_hour,
            )
            .order_by(c.hour)
        )
        with self.database.engine.connect() as connection:
            return [HourCounts(*row) for row in connection.execute(query)]

    def claim_digest(self, team_id: str, channel_id: str, week: str) -> bool:
        """Mark ``week``'s digest as posted; True for the one run that should post it."""
        w = watched_channels.c
        with self.database.engine.begin() as connection:
            return bool(
                connection.execute(
                    update(watched_channels)
                    .where(
                        _channel(watched_channels, team_id, channel_id),
                        or_(w.digest_week.is_(None), w.digest_week != week),
                    )
                    .values(digest_week=week)
                ).rowcount
            )

    def release_digest(
        self, team_id: str, channel_id: str, week: str, previous: str | None
    ) -> None:
        """Undo ``claim_digest`` after the post failed, so the next run tries again."""
        w = watched_channels.c
        with self.database.engine.begin() as connection:
            connection.execute(
                update(watched_channels)
                .where(_channel(watched_channels, team_id, channel_id), w.digest_week == week)
                .values(digest_week=previous)
            )

    def purge(self, now: float | None = None) -> int:
        """Delete hourly counts older than the retention period; return how many rows."""
        now = self.clock() if now is None else now
        cutoff_hour = int(now // SECONDS_PER_HOUR) - self.retention_days * 24
        with self.database.engine.begin() as connection:
            return connection.execute(
                delete(hourly_counts).where(hourly_counts.c.hour < cutoff_hour)
            ).rowcount

    def _maybe_purge(self, now: float) -> None:
        if now < self._next_purge or not self._purge_lock.acquire(blocking=False):
            return
        try:
            self._next_purge = now + PURGE_INTERVAL_SECONDS
            self.purge(now)
        except Exception as error:  # retention is retried at the next interval
            log.warning("purging old mood counts failed: %s", type(error).__name__)
        finally:
            self._purge_lock.release()


T = TypeVar("T")


def _retrying(work: Callable[[], T]) -> T:
    """``work()``, tried again (up to COUNT_ATTEMPTS times, ~4 s in all) after an
    OperationalError: a lock it could not wait out, rolled back entirely."""
    for attempt in range(1, COUNT_ATTEMPTS):
        try:
            return work()
        except OperationalError:
            time.sleep(random.uniform(0.05, 0.15) * attempt)
    return work()


def _channel(table: Any, team_id: str, channel_id: str) -> Any:
    return and_(table.c.team_id == team_id, table.c.channel_id == channel_id)


def _watch(row: Any) -> ChannelWatch:
    return ChannelWatch(
        team_id=row.team_id,
        channel_id=row.channel_id,
        watched_at=row.watched_at,
        digest_destination=row.digest_destination,
        digest_week=row.digest_week,
        reactions_enabled=bool(row.reactions_enabled),
        alert_threshold=row.alert_threshold,
        alert_destination=row.alert_destination,
    )
