"""The real ``python -m bot`` (waitress, real model) against the Slack stand-in.

Needs a trained model: skipped until tests/conftest.py provides ``trained_model_dir``.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.bot.listener_doubles import label_of
from tests.harness import (
    BOT_TOKEN,
    BOT_USER_ID,
    REAL_BOT,
    SIGNING_SECRET,
    BotProcess,
    SlackStandin,
    dm_event,
    launch_bot,
    mention_event,
    post_command,
    post_event,
    wait_healthy,
)


@pytest.fixture
def bot_process(model_dir: Path, tmp_path: Path) -> Iterator[tuple[BotProcess, SlackStandin]]:
    with SlackStandin() as standin:
        bot = launch_bot(
            standin,
            tmp_path,
            command=REAL_BOT,
            args=(),
            MODEL_DIR=str(model_dir),
            LOG_LEVEL="DEBUG",
        )
        try:
            wait_healthy(bot.url, bot.popen)
            yield bot, standin
        finally:
            bot.stop()


def test_real_bot_end_to_end(bot_process):
    bot, standin = bot_process
    health = wait_healthy(bot.url, bot.popen)
    assert health["status"] == "ok" and health["model_version"]

    reply = post_command(
        bot.events_url, SIGNING_SECRET, "what a wonderful day", standin.response_url("c")
    )
    assert reply.status == 200 and reply.elapsed < 3
    reply = post_command(bot.events_url, SIGNING_SECRET, "", standin.response_url("empty"))
    assert reply.status == 200
    calls = {c.path: c.body for c in standin.wait_for("response_url", 2, timeout=20)}
    assert label_of(calls["/response/c"]["text"]) == "positive"
    assert "Usage" in calls["/response/empty"]["text"]

    event = mention_event(f"<@{BOT_USER_ID}> what a wonderful day", ts="1700000100.000100")
    assert post_event(bot.events_url, SIGNING_SECRET, event, "EvSubMention").status == 200
    dm = dm_event("what a wonderful day", ts="1700000101.000100")
    assert post_event(bot.events_url, SIGNING_SECRET, dm, "EvSubDm").status == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert (
        post_event(bot.events_url, SIGNING_SECRET, dm, "EvSubDm", extra_headers=retry).status == 200
    )
    posts = standin.wait_for("chat.postMessage", 2, timeout=20)
    standin.settle(1.0)
    posts = standin.calls_to("chat.postMessage")
    assert len(posts) == 2
    threads = {p.body["channel"]: p.body.get("thread_ts") for p in posts}
    assert threads == {"C0CHAN001": "1700000100.000100", "D0DM00001": None}

    before = len(standin.calls)
    forged = post_command(bot.events_url, "wrong-secret", "great", standin.response_url("f"))
    stale = post_command(
        bot.events_url,
        SIGNING_SECRET,
        "great",
        standin.response_url("s"),
        timestamp=int(time.time()) - 600,
    )
    assert (forged.status, stale.status) == (401, 401)
    standin.settle(0.5)
    assert len(standin.calls) == before

    bot.popen.send_signal(signal.SIGTERM)
    assert bot.popen.wait(30) == 0
    log = bot.log()
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log


def test_real_bot_fifty_concurrent_commands(bot_process):
    bot, standin = bot_process
    n = 50

    def fire(i: int):
        return post_command(
            bot.events_url, SIGNING_SECRET, f"great movie {i}", standin.response_url(f"b{i}")
        )

    with ThreadPoolExecutor(max_workers=n) as pool:
        replies = list(pool.map(fire, range(n)))
    assert all(r.status == 200 for r in replies)
    assert max(r.elapsed for r in replies) < 3
    standin.wait_for("response_url", n, timeout=30)
    standin.settle(0.5)
    paths = sorted(c.path for c in standin.calls_to("response_url"))
    assert paths == sorted(f"/response/b{i}" for i in range(n))
