"""``/metrics`` with several worker processes: one scrape counts every worker's requests."""

from __future__ import annotations

import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.harness import SIGNING_SECRET, SlackStandin, post_command, start_bot_process

COMMANDS = 100


def _sample(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.M)
    assert match, f"{series} missing from:\n{text}"
    return float(match.group(1))


def _trial(tmp_path: Path, name: str) -> tuple[str, list[int]]:
    """100 commands to a 2-worker bot: (one /metrics scrape, each worker's own ack count)."""
    with SlackStandin() as standin:
        bot = start_bot_process(standin, tmp_path, name, WEB_CONCURRENCY="2")
        try:

            def command(i: int) -> int:
                url = standin.response_url(f"m{i}")
                return post_command(bot.events_url, SIGNING_SECRET, f"great {i}", url).status

            with ThreadPoolExecutor(20) as pool:
                statuses = list(pool.map(command, range(COMMANDS)))
            assert statuses == [200] * COMMANDS
            standin.wait_for("response_url", COMMANDS, timeout=60)
            with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
                text = response.read().decode()
        finally:
            assert bot.stop() == 0
    # Each worker logs its own totals when it stops.
    totals = re.findall(r"metrics requests=\d+ rejected=\d+ acks=(\d+)", bot.log())
    return text, [int(n) for n in totals]


def test_one_scrape_counts_the_commands_of_both_workers(tmp_path: Path):
    # The kernel decides which worker accepts; on a busy machine one may take them all, so
    # up to three bots are tried until both workers have had a share.
    for trial in range(3):
        text, per_worker = _trial(tmp_path, f"metrics{trial}")
        assert len(per_worker) == 2 and sum(per_worker) == COMMANDS
        assert _sample(text, 'sentiment_acks_total{surface="command"}') == COMMANDS
        series = 'sentiment_requests_total{route="/slack/events",status="200"}'
        assert _sample(text, series) == COMMANDS
        assert _sample(text, 'sentiment_ack_seconds_count{surface="command"}') == COMMANDS
        delivered = 'sentiment_replies_total{outcome="delivered",surface="command"}'
        assert _sample(text, delivered) == COMMANDS
        if min(per_worker) > 0:
            return
    raise AssertionError(f"one worker took every command in 3 trials: {per_worker}")
