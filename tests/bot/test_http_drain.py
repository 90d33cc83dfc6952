"""A worker's drain deadline: replies it cannot finish are logged by request id, not dropped."""

from __future__ import annotations

import logging
import time

from tests.harness import SIGNING_SECRET, command_body, make_settings, post, start_bot, stop_bot


def test_a_drain_past_its_deadline_logs_each_reply_left_with_its_request_id(
    standin, fake_classifier, caplog
):
    from bot.runners.http import HttpRunner

    bot, server = start_bot(standin, fake_classifier)
    try:
        standin.stall("response_url", 3.0)  # Slack answers after the drain deadline
        url = standin.response_url("slow")
        body = command_body("great", url, trigger_id="TrSlow1")
        reply = post(bot.events_url, body, SIGNING_SECRET)
        assert reply.status == 200
        deadline = time.monotonic() + 5
        while bot.bolt.outbox.pending() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert bot.bolt.outbox.pending() == 1
        runner = HttpRunner(make_settings(standin.api_url), lambda: fake_classifier)
        runner.bot = bot.bolt
        caplog.set_level(logging.INFO)
        started = time.monotonic()
        runner.drain(seconds=0.5)
        assert time.monotonic() - started < 2.0
        time.sleep(3.0)  # the send completes after all: it must not be logged a second time
    finally:
        stop_bot(bot, server)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("reply id=")]
    assert len(lines) == 1, lines
    assert "id=TrSlow1" in lines[0] and "outcome=unknown" in lines[0]
    assert "reason=the worker stopped after draining for" in lines[0]
    assert "drain: 1 replies still in flight" in caplog.text
