"""A dyno restart with several workers: SIGTERM to the whole process group loses no reply.

Heroku sends SIGTERM to every process of the dyno (the gunicorn arbiter and each worker), then
SIGKILL after 30 s. Here a real ``WEB_CONCURRENCY=2`` bot in its own process group has 30
commands and 5 mentions in flight, each reply taking 2.5 s at the Slack stand-in, when the group
gets SIGTERM (once, or twice 1 s apart): every reply must still be delivered and the bot must
exit 0 well before 30 s.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.harness import (
    SIGNING_SECRET,
    SlackStandin,
    launch_bot,
    mention_event,
    post_command,
    post_event,
    wait_healthy,
)

COMMANDS, MENTIONS = 30, 5
REPLY_SECONDS = 2.5


def restart_probe(standin: SlackStandin, workdir: Path, signals: int) -> dict:
    """One trial; what was delivered and how the bot ended."""
    database = f"sqlite:///{workdir / 'probe.sqlite3'}"
    bot = launch_bot(
        standin, workdir, f"probe-{signals}", new_session=True, WEB_CONCURRENCY="2",
        DATABASE_URL=database,
    )  # fmt: skip
    try:
        wait_healthy(bot.url, bot.popen, timeout=60, statuses=("ok",))
        standin.stall("response_url", REPLY_SECONDS)
        standin.stall("chat.postMessage", REPLY_SECONDS)

        def command(i: int) -> int:
            url = standin.response_url(f"probe{i}")
            return post_command(bot.events_url, SIGNING_SECRET, f"great {i}", url).status

        def mention(i: int) -> int:
            event = mention_event(f"good {i}", ts=f"1700001000.{i:06d}")
            return post_event(bot.events_url, SIGNING_SECRET, event, f"EvProbe{i}").status

        with ThreadPoolExecutor(16) as pool:
            acks = list(pool.map(command, range(COMMANDS))) + list(pool.map(mention, range(5)))
        assert acks == [200] * (COMMANDS + MENTIONS)
        stopped = time.monotonic()
        os.killpg(bot.pid, signal.SIGTERM)
        if signals > 1:
            time.sleep(1)
            os.killpg(bot.pid, signal.SIGTERM)
        code = bot.popen.wait(40)
        exit_seconds = time.monotonic() - stopped
        standin.settle(0.5)
        return {
            "code": code,
            "exit_seconds": exit_seconds,
            "commands": len(standin.calls_to("response_url")),
            "mentions": len(standin.calls_to("chat.postMessage")),
            "log": bot.log(),
        }
    finally:
        if bot.popen.poll() is None:
            os.killpg(bot.pid, signal.SIGKILL)
            bot.popen.wait()


@pytest.mark.parametrize("signals", [1, 2], ids=["one SIGTERM", "a second SIGTERM 1 s later"])
def test_sigterm_to_the_group_drains_every_reply(signals: int, tmp_path: Path):
    with SlackStandin() as standin:
        result = restart_probe(standin, tmp_path, signals)
    assert result["commands"] == COMMANDS, result["log"][-3000:]
    assert result["mentions"] == MENTIONS, result["log"][-3000:]
    assert result["code"] == 0 and result["exit_seconds"] < 30
    assert "Traceback" not in result["log"]
