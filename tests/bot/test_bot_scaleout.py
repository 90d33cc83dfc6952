"""Several processes, one database: every event answered once, whatever process gets it.

Processes are the real ``python -m bot`` (through tests/harness/fake_bot.py, which swaps only the
model for the keyword classifier) on their own ports, sharing a SQLite file or a PostgreSQL
database. The Web API stand-in counts the replies.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    BotProcess,
    SlackStandin,
    dm_event,
    mention_event,
    post_command,
    post_event,
    start_bot,
    start_bot_process,
    stop_bot,
)

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def start_process(
    standin: SlackStandin, database_url: str, tmp_path: Path, name: str, port: int = 0, **env: str
) -> BotProcess:
    return start_bot_process(standin, tmp_path, name, port=port, DATABASE_URL=database_url, **env)


@pytest.fixture
def shared_database(migrated_database) -> str:
    """A migrated database URL that several processes share."""
    return migrated_database.url


@pytest.fixture
def two_bots(standin, shared_database, tmp_path) -> Iterator[tuple[BotProcess, BotProcess]]:
    a = start_process(standin, shared_database, tmp_path, "a")
    try:
        b = start_process(standin, shared_database, tmp_path, "b")
    except BaseException:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        assert a.stop() == 0 and b.stop() == 0
        for process in (a, b):
            assert BOT_TOKEN not in process.log_path.read_text()


def test_retries_on_the_other_process_and_after_a_restart_get_one_reply(
    two_bots, standin, shared_database, tmp_path
):
    a, b = two_bots
    event = dm_event("good stuff", ts="1700000300.000100")
    assert post_event(a.events_url, SIGNING_SECRET, event, "EvCross1").status == 200
    standin.wait_for("chat.postMessage")
    for attempt in range(1, 4):  # Slack's three retries, all to B
        headers = {**RETRY, "X-Slack-Retry-Num": str(attempt)}
        reply = post_event(b.events_url, SIGNING_SECRET, event, "EvCross1", extra_headers=headers)
        assert reply.status == 200
    assert a.stop() == 0
    restarted = start_process(standin, shared_database, tmp_path, "a", port=a.port)
    a.popen = restarted.popen  # the fixture stops the restarted process
    reply = post_event(a.events_url, SIGNING_SECRET, event, "EvCross1", extra_headers=RETRY)
    assert reply.status == 200
    standin.settle(0.7)
    assert len(standin.calls_to("chat.postMessage")) == 1
    assert "skipping duplicate delivery of EvCross1" in b.log_path.read_text()


def test_simultaneous_deliveries_to_both_processes_are_answered_once(two_bots, standin):
    a, b = two_bots
    n = 40

    def deliver(i: int) -> list[int]:
        event = dm_event(f"great number {i}", ts=f"1700000400.{i:06d}")
        with ThreadPoolExecutor(2) as pool:
            replies = pool.map(
                lambda target: post_event(target, SIGNING_SECRET, event, f"EvBoth{i}"),
                (a.events_url, b.events_url),
            )
            return [r.status for r in replies]

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(deliver, range(n)))
    assert statuses == [[200, 200]] * n
    standin.wait_for("chat.postMessage", n, timeout=30)
    standin.settle(0.7)
    texts = sorted(c.body["text"] for c in standin.calls_to("chat.postMessage"))
    assert len(texts) == n == len(set(texts))


def test_one_message_as_mention_on_a_and_dm_on_b_is_answered_once(two_bots, standin):
    a, b = two_bots
    ts = "1700000500.000100"
    mention = {**mention_event("great", ts=ts), "channel": "D0DM00001", "channel_type": "im"}
    post_event(a.events_url, SIGNING_SECRET, mention, "EvSameA")
    post_event(b.events_url, SIGNING_SECRET, dm_event("great", ts=ts), "EvSameB")
    standin.wait_for("chat.postMessage")
    standin.settle(0.7)
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_two_hundred_concurrent_commands_over_both_processes(two_bots, standin):
    a, b = two_bots
    n = 200

    def fire(i: int):
        target = (a, b)[i % 2].events_url
        return post_command(
            target, SIGNING_SECRET, f"great movie {i}", standin.response_url(f"c{i}")
        )

    with ThreadPoolExecutor(100) as pool:
        replies = list(pool.map(fire, range(n)))
    assert [r.status for r in replies] == [200] * n
    assert max(r.elapsed for r in replies) < 3.0
    standin.wait_for("response_url", n, timeout=60)
    standin.settle(0.7)
    paths = sorted(c.path for c in standin.calls_to("response_url"))
    assert paths == sorted(f"/response/c{i}" for i in range(n))


def test_web_concurrency_forks_workers_that_share_the_port(standin, shared_database, tmp_path):
    process = start_process(standin, shared_database, tmp_path, "multi", WEB_CONCURRENCY="2")
    try:
        children = Path(f"/proc/{process.popen.pid}/task/{process.popen.pid}/children")
        if children.exists():
            assert len(children.read_text().split()) == 2
        n = 40
        with ThreadPoolExecutor(20) as pool:
            replies = list(
                pool.map(
                    lambda i: post_command(
                        process.events_url,
                        SIGNING_SECRET,
                        f"great {i}",
                        standin.response_url(f"w{i}"),
                    ),
                    range(n),
                )
            )
        assert [r.status for r in replies] == [200] * n
        standin.wait_for("response_url", n, timeout=30)
        standin.settle(0.5)
        assert len(standin.calls_to("response_url")) == n
        log = process.log_path.read_text()
        assert log.count("serving") >= 2  # "worker 0 (pid …) serving", "worker 1 …"
    finally:
        assert process.stop() == 0


def test_healthz_is_degraded_while_the_database_fails(
    standin, fake_classifier, tmp_path, monkeypatch
):
    from bot.db import Database
    from bot.db.schema import event_claims, migrate

    monkeypatch.setattr("bot.db.PROBE_INTERVAL_SECONDS", 0)
    database = Database(f"sqlite:///{tmp_path / 'outage.sqlite3'}")
    migrate(database)
    bot, server = start_bot(standin, fake_classifier, database=database)

    def health() -> dict:
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
            return json.loads(response.read())

    try:
        assert health()["status"] == "ok" and health()["database"] == "ok"
        with database.engine.begin() as connection:
            event_claims.drop(connection)
        event = dm_event("great", ts="1700000600.000100")
        assert post_event(bot.events_url, SIGNING_SECRET, event, "EvOutage").status == 200
        standin.wait_for("chat.postMessage")  # answered despite the outage
        payload = health()
        assert payload["status"] == "degraded" and payload["database"] == "failing"
        post_event(bot.events_url, SIGNING_SECRET, event, "EvOutage", extra_headers=RETRY)
        standin.settle(0.5)
        assert len(standin.calls_to("chat.postMessage")) == 1  # this process remembers it
        with database.engine.begin() as connection:
            event_claims.create(connection)
        assert health()["status"] == "ok" and health()["database"] == "ok"
    finally:
        stop_bot(bot, server)
