"""A database that hangs (accepts, then never answers) costs an ack at most the call deadline.

PostgreSQL sits behind tests.harness.StallProxy, which stops forwarding bytes without closing
anything: the connection pool's sockets stay open and silent, like a network that drops packets.
For SQLite the equivalent is a write lock that another connection holds.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.db import CALL_DEADLINE_SECONDS, Database
from bot.db.claims import ClaimStore
from bot.db.schema import migrate
from bot.dedupe import Dedupe
from tests.harness import (
    SIGNING_SECRET,
    SlackStandin,
    StallProxy,
    mention_event,
    post_event,
    start_bot_process,
)

#: What a claim may take on a hung database: the deadline plus scheduling slack on 2 busy cores.
ACK_PATH_BUDGET = CALL_DEADLINE_SECONDS + 0.5


@pytest.fixture
def proxied_postgres(postgres_database_url: str) -> Iterator[tuple[str, StallProxy]]:
    """A migrated PostgreSQL database reached through a StallProxy: (proxied URL, proxy)."""
    url = postgres_database_url
    direct = Database(url)
    migrate(direct)
    direct.dispose()
    parsed = make_url(url)
    with StallProxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
        proxied = parsed.set(host="127.0.0.1", port=proxy.port)
        try:
            yield proxied.render_as_string(hide_password=False), proxy
        finally:
            proxy.resume()


def _timed_claims(dedupe: Dedupe, keys: list[str]) -> list[tuple[bool, float]]:
    """Claim ``keys`` concurrently (like concurrent acks); (answered?, seconds) for each."""

    def one(key: str) -> tuple[bool, float]:
        started = time.monotonic()
        answered = dedupe.first_time(key, "T1")
        return answered, time.monotonic() - started

    with ThreadPoolExecutor(len(keys)) as pool:
        return list(pool.map(one, keys))


def test_claims_on_a_hung_postgres_fail_within_the_deadline(proxied_postgres, monkeypatch):
    monkeypatch.setattr("bot.db.PROBE_INTERVAL_SECONDS", 0)
    url, proxy = proxied_postgres
    database = Database(url)
    dedupe = Dedupe(ClaimStore(database), database)
    try:
        assert dedupe.first_time("EvWarm", "T1") and database.healthy()  # pool connections open
        proxy.stall()
        results = _timed_claims(dedupe, [f"EvHung{i}" for i in range(8)])
        assert [answered for answered, _ in results] == [True] * 8  # answered, not silenced
        assert max(seconds for _, seconds in results) < ACK_PATH_BUDGET
        started = time.monotonic()
        assert database.healthy() is False  # /healthz: degraded, and the probe is bounded too
        assert time.monotonic() - started < ACK_PATH_BUDGET
        assert dedupe.first_time("EvHung0", "T1") is False  # this process remembers it
        proxy.resume()
        deadline = time.monotonic() + 10
        while not database.healthy() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert database.healthy()
        assert dedupe.first_time("EvAfter", "T1") is True
    finally:
        proxy.resume()
        database.dispose()


def test_claims_on_a_locked_sqlite_file_fail_within_the_deadline(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("bot.db.PROBE_INTERVAL_SECONDS", 0)
    path = tmp_path / "locked.sqlite3"
    database = Database(f"sqlite:///{path}")
    migrate(database)
    dedupe = Dedupe(ClaimStore(database), database)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        assert dedupe.first_time("EvWarm") and database.healthy()
        holder.execute("BEGIN EXCLUSIVE")  # another process stuck mid-transaction
        results = _timed_claims(dedupe, [f"EvLocked{i}" for i in range(4)])
        assert [answered for answered, _ in results] == [True] * 4
        assert max(seconds for _, seconds in results) < ACK_PATH_BUDGET
        assert database.healthy() is False
        holder.execute("ROLLBACK")
        assert database.healthy() and dedupe.first_time("EvAfter") is True
    finally:
        holder.close()
        database.dispose()


def test_a_bot_on_a_hung_postgres_acks_answers_and_never_answers_twice(
    proxied_postgres, tmp_path: Path
):
    """Slack re-sends an event whose ack took over 3 s; acks stay under it, so none repeat."""
    url, proxy = proxied_postgres
    with SlackStandin() as standin:
        bot = start_bot_process(standin, tmp_path, "hung", DATABASE_URL=url)
        try:
            warm = post_event(bot.events_url, SIGNING_SECRET, mention_event("good"), "EvWarm")
            assert warm.status == 200
            standin.wait_for("chat.postMessage", 1)
            proxy.stall()
            acks: list[float] = []
            sent = 0
            for i in range(12):
                event = mention_event(f"great {i}", ts=f"1700000900.{i:06d}")
                reply = post_event(bot.events_url, SIGNING_SECRET, event, f"EvStall{i}")
                assert reply.status == 200
                acks.append(reply.elapsed)
                sent += 1
                if reply.elapsed > 3.0:  # what Slack would do: deliver it again
                    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
                    post_event(
                        bot.events_url, SIGNING_SECRET, event, f"EvStall{i}", extra_headers=retry
                    )
            assert bot.health()["status"] == "degraded"
            assert max(acks) < 3.0, acks
            standin.wait_for("chat.postMessage", 1 + sent, timeout=30)
            proxy.resume()
            standin.settle(1.0)
            texts = [call.body.get("thread_ts") for call in standin.calls_to("chat.postMessage")]
            assert len(texts) == 1 + sent  # every mention answered exactly once
            assert "dedupe claim of EvStall0 failed (DeadlineExceeded" in bot.log()
        finally:
            proxy.resume()
            assert bot.stop() == 0
