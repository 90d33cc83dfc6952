"""The watching tables on SQLite and PostgreSQL: exactly-once counts, alerts, purges, the schema."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import inspect, select

from bot.db.schema import SCHEMA_VERSION, event_claims, metadata, migrate
from bot.watch.store import WatchStore, claim_key
from bot.watch.tables import WATCH_TABLES, alert_window, hourly_counts, watched_channels

TEAM, CHANNEL, OTHER = "T0TEAM001", "C0CHAN001", "C0OTHER01"
HOUR = 1_764_000_000 // 3600


class Clock:
    def __init__(self, now: float = HOUR * 3600 + 120.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(migrated_database, clock) -> WatchStore:
    return WatchStore(migrated_database, clock=clock)


def ts(i: int, hour: int = HOUR) -> str:
    return f"{hour * 3600 + i}.{i:06d}"


def test_migrate_creates_the_watch_tables(migrated_database):
    with migrated_database.engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
    assert {t.name for t in WATCH_TABLES} <= names
    assert migrate(migrated_database) == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_watch_is_announced_once_and_unwatch_deletes_the_counts(store):
    assert store.watch(TEAM, CHANNEL) is True
    assert store.watch(TEAM, CHANNEL) is False
    assert store.get(TEAM, CHANNEL).digest_destination == CHANNEL
    assert store.count(TEAM, CHANNEL, ts(1), "positive").counted
    assert store.unwatch(TEAM, CHANNEL) is True
    assert store.get(TEAM, CHANNEL) is None
    assert store.hours(TEAM, CHANNEL, 0, HOUR + 10) == []
    with store.database.engine.connect() as connection:
        assert connection.execute(select(alert_window)).all() == []
    assert store.count(TEAM, CHANNEL, ts(2), "positive").counted is False  # not watched now
    assert store.unwatch(TEAM, CHANNEL) is False


def test_each_message_is_counted_once_however_often_it_arrives(store):
    store.watch(TEAM, CHANNEL)
    labels = ["positive", "negative", "neutral", "positive"]
    for i, label in enumerate(labels):
        assert store.count(TEAM, CHANNEL, ts(i), label).counted
        assert not store.count(TEAM, CHANNEL, ts(i), label).counted  # a retry
    [row] = store.hours(TEAM, CHANNEL, HOUR, HOUR + 1)
    assert (row.positive, row.negative, row.neutral) == (2, 1, 1)
    with store.database.engine.connect() as connection:
        keys = {r.claim_key for r in connection.execute(select(event_claims.c.claim_key))}
    assert claim_key(TEAM, CHANNEL, ts(0)) in keys


def test_concurrent_deliveries_from_many_threads_count_once(store, migrated_database):
    store.watch(TEAM, CHANNEL)
    other = WatchStore(migrated_database, clock=store.clock)  # a second process's store
    barrier = threading.Barrier(8)

    def deliver(i: int) -> int:
        if i < 8:
            barrier.wait()
        target = (store, other)[i % 2]
        return int(target.count(TEAM, CHANNEL, ts(i // 2), "negative").counted)

    with ThreadPoolExecutor(8) as pool:
        counted = sum(pool.map(deliver, range(40)))
    assert counted == 20
    [row] = store.hours(TEAM, CHANNEL, HOUR, HOUR + 1)
    assert row.negative == 20


def test_the_alert_fires_once_when_the_negative_share_crosses(store, clock):
    store.watch(TEAM, CHANNEL)
    assert store.set_alert(TEAM, CHANNEL, 0.4, "C0ALERTS1")
    fired = []
    labels = ["positive"] * 20 + ["negative"] * 12 + ["positive"] * 30 + ["negative"] * 12
    for i, label in enumerate(labels):
        result = store.count(TEAM, CHANNEL, ts(i), label)
        if result.alert:
            fired.append((i, result.alert))
    # the 8th negative makes 8 of the last 20; the second sour spell falls in the cooldown
    assert [i for i, _ in fired] == [27]
    notice = fired[0][1]
    assert (notice.negative, notice.window, notice.destination) == (8, 20, "C0ALERTS1")
    assert notice.share == pytest.approx(0.4)


def test_the_alert_rearms_after_recovery_and_the_cooldown(store, clock):
    store.watch(TEAM, CHANNEL)
    store.set_alert(TEAM, CHANNEL, 0.5, CHANNEL)
    spell = ["negative"] * 20 + ["positive"] * 20
    fired = [store.count(TEAM, CHANNEL, ts(i), lab).alert for i, lab in enumerate(spell)]
    clock.now += store.cooldown + 1
    fired += [store.count(TEAM, CHANNEL, ts(100 + i), lab).alert for i, lab in enumerate(spell)]
    assert sum(1 for a in fired if a is not None) == 2


def test_forget_team_and_retention(store, clock):
    store.watch(TEAM, CHANNEL)
    store.watch(TEAM, OTHER)
    store.watch("T0OTHER01", CHANNEL)
    old_hour = HOUR - store.retention_days * 24 - 1
    store.count(TEAM, CHANNEL, ts(1, old_hour), "positive")
    store.count(TEAM, CHANNEL, ts(2), "positive")
    store.count("T0OTHER01", CHANNEL, ts(3), "negative")
    # the app purged the expired hour by itself while counting
    assert [h.hour for h in store.hours(TEAM, CHANNEL, 0, HOUR + 1)] == [HOUR]
    clock.now += (store.retention_days * 24 + 1) * 3600
    assert store.purge() == 2  # both workspaces' remaining hours have expired now
    later = HOUR + store.retention_days * 24
    store.count(TEAM, CHANNEL, ts(4, later), "neutral")
    store.count("T0OTHER01", CHANNEL, ts(5, later), "neutral")
    assert store.forget_team(TEAM) == 2
    with store.database.engine.connect() as connection:
        teams = {r.team_id for r in connection.execute(select(hourly_counts.c.team_id))}
        watched = {r.team_id for r in connection.execute(select(watched_channels.c.team_id))}
    assert teams == watched == {"T0OTHER01"}


def test_the_digest_is_claimed_once_per_week(store):
    store.watch(TEAM, CHANNEL)
    assert store.claim_digest(TEAM, CHANNEL, "2026-W49")
    assert not store.claim_digest(TEAM, CHANNEL, "2026-W49")
    store.release_digest(TEAM, CHANNEL, "2026-W49", None)
    assert store.claim_digest(TEAM, CHANNEL, "2026-W49")
    assert store.claim_digest(TEAM, CHANNEL, "2026-W50")


#: Column names (or parts of them) that would hold a message's words or a person.
FORBIDDEN = ("text", "message", "user", "author", "body", "content", "word", "ts", "quote")


def test_no_watching_column_can_hold_text_or_a_user_id():
    allowed = {"message_seq"}  # an integer counter
    for table in WATCH_TABLES:
        assert table in metadata.sorted_tables
        for column in table.columns:
            if column.name in allowed:
                assert str(column.type) == "INTEGER"
                continue
            parts = column.name.lower().split("_")
            assert not any(bad in parts for bad in FORBIDDEN), (table.name, column.name)
            length = getattr(column.type, "length", None)
            assert length is None or length <= 32, (table.name, column.name)
