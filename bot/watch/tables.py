"""The tables behind channel watching: settings per watched channel, hourly counts, the alert
window. None holds message text, a user id or a message id (see docs/mood.md).

They are declared on ``bot.db.schema.metadata``, so ``python -m bot migrate`` (and the implicit
creation of a fresh SQLite file) creates them with the rest of the schema.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, String, Table
from sqlalchemy.engine import Connection

from bot.db.schema import metadata

#: One row per watched channel: what the channel's watchers chose. Destinations are
#: conversation ids (a channel, or the DM channel of whoever set the alert), never user ids.
watched_channels = Table(
    "mood_watched_channels",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("channel_id", String(32), primary_key=True),
    Column("watched_at", Float, nullable=False),
    #: Where the weekly digest goes (the channel itself unless another was named at watch time).
    Column("digest_destination", String(32), nullable=False),
    #: The ISO week ("2026-W49") whose digest was last posted: run twice, post once.
    Column("digest_week", String(10), nullable=True),
    Column("reactions_enabled", Boolean, nullable=False, default=False),
    #: Negative share (0-1) among the last N messages that triggers a notice; None: no alert.
    Column("alert_threshold", Float, nullable=True),
    Column("alert_destination", String(32), nullable=True),
    #: False from a notice until the share falls below the threshold again.
    Column("alert_armed", Boolean, nullable=False, default=True),
    Column("alert_fired_at", Float, nullable=True),
    #: How many messages were counted since watching began (orders the alert window).
    Column("message_seq", Integer, nullable=False, default=0),
)

#: Per workspace, channel and hour (whole hours since the epoch, UTC): how many messages were
#: positive, negative and without clear sentiment. Nothing else.
hourly_counts = Table(
    "mood_hourly_counts",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("channel_id", String(32), primary_key=True),
    Column("hour", Integer, primary_key=True),
    Column("positive", Integer, nullable=False, default=0),
    Column("negative", Integer, nullable=False, default=0),
    Column("neutral", Integer, nullable=False, default=0),
)

#: The alert window: the labels of the channel's last N counted messages, as a ring of N slots
#: (slot = message_seq mod N). Only a label per slot: no id, text, author or time.
alert_window = Table(
    "mood_alert_window",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("channel_id", String(32), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("label", String(8), nullable=False),
)

WATCH_TABLES = (watched_channels, hourly_counts, alert_window)


def create_watch_tables(connection: Connection) -> None:
    """Schema step: create the watching tables where they are missing (safe to repeat)."""
    metadata.create_all(connection, tables=list(WATCH_TABLES))
