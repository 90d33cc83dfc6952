"""Watching across processes: two real ``python -m bot`` processes (keyword classifier) share one
database; 120 messages, some delivered to both, some retried, each counted once; the alert fires
once; ``python -m bot digest`` twice posts once; unwatch and uninstall leave no counts.
On SQLite, then PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from watch_helpers import MEMBER, WATCHED, WatchStandin, channel_message, post_watch_command

from bot.channel_mood import whole_percentages
from bot.watch.tables import WATCH_TABLES, hourly_counts
from tests.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    BotProcess,
    FakeClassifier,
    clean_env,
    post_event,
    start_bot_process,
)

ALERTS = "C0ALERTS1"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
SHARES = re.compile(r"(\d+)% positive, (\d+)% negative, (\d+)% no clear sentiment \((\d+) messages")
#: 120 messages: calm, a sour stretch (crosses 40% negative of the last 20 once), calm again.
TEXTS = (
    [f"great work {i}" for i in range(30)]
    + [f"meh, fine {i}" for i in range(10)]
    + [f"this is awful {i}" if i % 3 else f"good point {i}" for i in range(30)]
    + [f"love it {i}" for i in range(50)]
)


@pytest.fixture
def standin() -> Iterator[WatchStandin]:
    with WatchStandin() as running:
        running.set_members(WATCHED, [MEMBER, "UBOT0001"])
        yield running


@pytest.fixture
def two_bots(standin, migrated_database, tmp_path) -> Iterator[tuple[BotProcess, BotProcess]]:
    url = migrated_database.url
    a = start_bot_process(standin, tmp_path, "a", DATABASE_URL=url)
    try:
        b = start_bot_process(standin, tmp_path, "b", DATABASE_URL=url)
    except BaseException:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        assert a.stop() == 0 and b.stop() == 0


def command(process: BotProcess, standin: WatchStandin, text: str, name: str) -> str:
    reply = post_watch_command(process.events_url, SIGNING_SECRET, text, standin.response_url(name))
    assert reply.status == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        calls = [c for c in standin.calls_to("response_url") if c.path.endswith(f"/{name}")]
        if calls:
            return calls[0].body["text"]
        time.sleep(0.02)
    raise AssertionError(f"no answer to {text!r}")


def counted(database) -> Counter:
    with database.engine.connect() as connection:
        rows = connection.execute(select(hourly_counts)).all()
    return Counter(
        {
            "positive": sum(r.positive for r in rows),
            "negative": sum(r.negative for r in rows),
            "neutral": sum(r.neutral for r in rows),
        }
    )


def wait_for_total(database, total: int, timeout: float = 30) -> Counter:
    deadline = time.monotonic() + timeout
    while True:
        found = counted(database)
        if sum(found.values()) >= total or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def digest(database_url: str, standin: WatchStandin, tmp_path) -> subprocess.CompletedProcess:
    env = clean_env(
        DATABASE_URL=database_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=standin.api_url
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "digest"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_watched_channel_counts_once_alerts_once_and_digests_once(
    two_bots, standin, migrated_database, tmp_path
):
    a, b = two_bots
    assert "Watching" in command(a, standin, "watch", "watch")
    assert "Alert set" in command(b, standin, f"alert 40% <#{ALERTS}|alerts>", "alert")
    yesterday = time.time() - 86_400  # inside both `mood 7d` and the digest's week

    def deliver(i: int) -> None:
        event = channel_message(TEXTS[i], f"{yesterday + i:.6f}")
        targets = {0: (a, b), 1: (a,), 2: (b,)}[i % 3]
        for target in targets:  # i % 3 == 0: delivered to both processes
            assert post_event(target.events_url, SIGNING_SECRET, event, f"Ev{i}").status == 200
        if i % 4 == 1:  # Slack retries it, on the other process
            other = b if targets == (a,) else a
            post_event(other.events_url, SIGNING_SECRET, event, f"Ev{i}", extra_headers=RETRY)

    with ThreadPoolExecutor(4) as pool:  # a few at a time keeps the sour stretch in order
        list(pool.map(deliver, range(len(TEXTS))))

    expected = Counter(p.label for p in FakeClassifier().predict(TEXTS))
    assert wait_for_total(migrated_database, len(TEXTS)) == expected
    standin.settle(0.5)
    assert sum(counted(migrated_database).values()) == 120  # nothing late, nothing twice

    shares = whole_percentages(
        {"positive": expected["positive"], "negative": expected["negative"], "unclear": 0}, 120
    )
    mood = SHARES.search(command(a, standin, "mood 7d", "mood"))
    assert mood is not None
    assert tuple(map(int, mood.groups())) == (shares["positive"], shares["negative"], 0, 120)
    assert standin.calls_to("conversations.history") == []

    notices = [c for c in standin.calls_to("chat.postMessage") if c.body["channel"] == ALERTS]
    assert len(notices) == 1 and "were negative" in notices[0].body["text"]

    first = digest(migrated_database.url, standin, tmp_path)
    assert first.returncode == 0, first.stderr
    second = digest(migrated_database.url, standin, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "1 posted" in first.stdout and "0 posted, 1 already posted" in second.stdout
    digests = [c for c in standin.calls_to("chat.postMessage") if "Weekly mood" in c.body["text"]]
    assert len(digests) == 1 and digests[0].body["channel"] == WATCHED
    assert "(120 messages)" in digests[0].body["text"]

    assert "deleted its counts" in command(b, standin, "unwatch", "unwatch")
    assert sum(counted(migrated_database).values()) == 0
    command(a, standin, "watch", "rewatch")
    post_event(a.events_url, SIGNING_SECRET, channel_message("great", f"{time.time():.6f}"), "Ev1k")
    assert sum(wait_for_total(migrated_database, 1).values()) == 1
    assert (
        post_event(b.events_url, SIGNING_SECRET, {"type": "app_uninstalled"}, "EvUn").status == 200
    )
    with migrated_database.engine.connect() as connection:
        for table in WATCH_TABLES:
            assert connection.execute(select(table)).all() == [], table.name
