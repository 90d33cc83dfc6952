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


def test_one_scrape_counts_the_commands_of_both_workers(tmp_path: Path):
    with SlackStandin() as standin:
        bot = start_bot_process(standin, tmp_path, "metrics", WEB_CONCURRENCY="2")
        try:
            with ThreadPoolExecutor(20) as pool:
                statuses = list(
                    pool.map(
                        lambda i: (
                            post_command(
                                bot.events_url,
                                SIGNING_SECRET,
                                f"great {i}",
                                standin.response_url(f"m{i}"),
                            ).status
                        ),
                        range(COMMANDS),
                    )
                )
            assert statuses == [200] * COMMANDS
            standin.wait_for("response_url", COMMANDS, timeout=60)
            with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
                text = response.read().decode()
        finally:
            assert bot.stop() == 0
    assert _sample(text, 'sentiment_acks_total{surface="command"}') == COMMANDS
    assert _sample(text, 'sentiment_requests_total{route="/slack/events",status="200"}') == COMMANDS
    assert _sample(text, 'sentiment_ack_seconds_count{surface="command"}') == COMMANDS
    delivered = 'sentiment_replies_total{outcome="delivered",surface="command"}'
    assert _sample(text, delivered) == COMMANDS
    # Both workers took a share (each logs its own totals when it stops).
    per_worker = [
        int(n) for n in re.findall(r"metrics requests=\d+ rejected=\d+ acks=(\d+)", bot.log())
    ]
    assert len(per_worker) == 2 and all(n > 0 for n in per_worker) and sum(per_worker) == COMMANDS
