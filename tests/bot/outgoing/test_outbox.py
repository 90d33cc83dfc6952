"""A flaky Slack: bounded retries, per-destination outbox, one line per lost reply.

Replies go through :class:`bot.outgoing.outbox.Outbox` to the Web API stand-in, which is told to
rate-limit (fractional Retry-After), fail, stall, or drop connections.
"""

from __future__ import annotations

import logging
import socket
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import Metrics
from bot.outgoing.outbox import Outbox
from bot.outgoing.reply_meta import ReplyMeta
from bot.outgoing.retry import (
    BoundedRateLimitRetryHandler,
    parse_retry_after,
    retry_after,
    retry_handlers,
)
from tests.harness import SlackStandin


@pytest.fixture
def outbox():
    box = Outbox(deadline_seconds=6, api_timeout=2, metrics=Metrics())
    yield box
    box.shutdown(wait=True)


def client_for(standin: SlackStandin) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=retry_handlers())


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def reply_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.outbox"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("1.5", 1.5), ("3", 3.0), ([" 2 "], 2.0), ("soon", None), ("-1", None), ("nan", None)],
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value) == seconds


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after": ["4"]}, 4.0),
        ({"RETRY-AFTER": "x"}, None),
        ({"Content-Type": "application/json"}, None),
        (None, None),
    ],
)
def test_retry_after_reads_the_header_in_any_case(headers, seconds):
    assert retry_after(headers) == seconds


def test_rate_limit_wait_is_capped_and_fractional_is_accepted():
    handler = BoundedRateLimitRetryHandler(max_wait=2.0)
    request = HttpRequest(method="POST", url="https://x", headers={})
    for asked, most in (("1.5", 1.7), ("2", 2.0)):
        response = HttpResponse(status_code=429, headers={"Retry-After": [asked]}, body={})
        wait = handler.wait_for(response)
        assert wait <= most
        assert handler.can_retry(state=RetryState(), request=request, response=response)
    too_long = HttpResponse(status_code=429, headers={"Retry-After": ["3600"]}, body={})
    assert handler.wait_for(too_long) <= 2.0
    assert not handler.can_retry(state=RetryState(), request=request, response=too_long)


def test_rate_limit_retry_is_not_started_past_the_deadline():
    handler = BoundedRateLimitRetryHandler(max_wait=10, deadline=time.monotonic() + 1)
    request = HttpRequest(method="POST", url="https://x", headers={})
    response = HttpResponse(status_code=429, headers={"retry-after": ["5"]}, body={})
    assert not handler.can_retry(state=RetryState(), request=request, response=response)


def test_fractional_retry_after_is_honoured(outbox, caplog):
    caplog.set_level(logging.INFO)
    with SlackStandin() as standin:
        standin.fail_next("chat.postMessage", 429, retry_after="0.3")
        standin.fail_next("response_url", 429, retry_after="0.3")
        meta = ReplyMeta(request_id="Ev429", surface="app_mention", team="T1", label="positive")
        outbox.post_message(client_for(standin), channel="C1", message={"text": "hi"}, meta=meta)
        outbox.respond(standin.response_url("r"), {"text": "hi"}, ReplyMeta(request_id="Tr429"))
        assert len(standin.wait_for("chat.postMessage")) == 1
        assert len(standin.wait_for("response_url")) == 1
        assert wait_until(lambda: outbox.pending() == 0)
    assert sum("outcome=delivered" in line for line in reply_lines(caplog)) == 2
    assert any("id=Ev429" in line and "label=positive" in line for line in reply_lines(caplog))


def test_server_errors_are_retried_then_reported_once(outbox, caplog):
    caplog.set_level(logging.INFO)
    with SlackStandin() as standin:
        standin.fail_next("chat.postMessage", 500, 500, 500, 500)
        meta = ReplyMeta(request_id="Ev500", surface="message", team="T1")
        outbox.post_message(client_for(standin), channel="D1", message={"text": "x"}, meta=meta)
        assert wait_until(lambda: outbox.pending() == 0)
        assert len(standin.calls_to("chat.postMessage:failed")) == 3  # first try + 2 retries
    lines = [line for line in reply_lines(caplog) if "Ev500" in line]
    assert len(lines) == 1 and "outcome=failed" in lines[0] and "HTTP 500" in lines[0]


def test_refused_connection_is_reported_with_the_request_id(outbox, caplog):
    caplog.set_level(logging.INFO)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    client = WebClient(token="xoxb-t", base_url=f"http://127.0.0.1:{port}/api/")
    outbox.post_message(client, channel="C9", message={"text": "x"}, meta=ReplyMeta("EvRefused"))
    outbox.respond(f"http://127.0.0.1:{port}/commands/1", {"text": "x"}, ReplyMeta("TrRefused"))
    assert wait_until(lambda: outbox.pending() == 0)
    lines = reply_lines(caplog)
    assert sum("EvRefused" in line and "outcome=failed" in line for line in lines) == 1
    assert sum("TrRefused" in line and "outcome=failed" in line for line in lines) == 1
    assert not any("/commands/1" in line for line in lines)


def test_dropped_connection_is_retried(outbox):
    with SlackStandin() as standin:
        standin.drop_next("response_url")
        outbox.respond(standin.response_url("d"), {"text": "x"}, ReplyMeta("TrDrop"))
        assert len(standin.wait_for("response_url")) == 1
        assert len(standin.calls_to("response_url:dropped")) == 1


def test_timeout_is_not_retried_and_logged_as_unknown(caplog):
    """Slack may post after the client gave up: one call, and no claim that it failed."""
    caplog.set_level(logging.INFO)
    box = Outbox(deadline_seconds=10, api_timeout=0.5, metrics=Metrics())
    try:
        with SlackStandin() as standin:
            standin.stall("chat.postMessage", 1.0)
            meta = ReplyMeta("EvSlow", surface="app_mention")
            box.post_message(client_for(standin), channel="C1", message={"text": "x"}, meta=meta)
            assert len(standin.wait_for("chat.postMessage", timeout=5)) == 1
            standin.settle(1.5)
            assert len(standin.calls_to("chat.postMessage")) == 1
            assert wait_until(lambda: box.pending() == 0)
    finally:
        box.shutdown()
    [line] = [line for line in reply_lines(caplog) if "EvSlow" in line]
    assert "outcome=unknown" in line and "may or may not" in line


def test_stalled_channel_does_not_delay_other_replies(caplog):
    """32 replies to a channel whose chat.postMessage stalls 2 s; another channel's reply and a
    response_url reply still go out at once, and the stalled ones past the deadline are each
    reported once."""
    caplog.set_level(logging.INFO)
    box = Outbox(deadline_seconds=5, api_timeout=3, threads=8, metrics=Metrics())
    try:
        with SlackStandin() as standin:
            standin.stall("chat.postMessage", 2.0, channel="CSLOW")
            client = client_for(standin)
            for i in range(32):
                meta = ReplyMeta(f"EvSlow{i}", surface="app_mention")
                box.post_message(client, channel="CSLOW", message={"text": "x"}, meta=meta)
            time.sleep(0.2)
            started = time.monotonic()
            box.post_message(client, channel="CFAST", message={"text": "x"}, meta=ReplyMeta("F"))
            box.respond(standin.response_url("fast"), {"text": "x"}, ReplyMeta("TrFast"))
            fast = [c for c in standin.wait_for("chat.postMessage", 1, timeout=5)]
            assert standin.wait_for("response_url", 1, timeout=5)
            fast = [c for c in standin.calls_to("chat.postMessage") if c.body["channel"] == "CFAST"]
            assert fast and fast[0].at - started < 1.0
            assert standin.calls_to("response_url")[0].at - started < 1.0
            assert wait_until(lambda: box.pending() == 0, timeout=20)
            slow_calls = [c for c in standin.calls if c.body.get("channel") == "CSLOW"]
            assert len(slow_calls) <= 8  # two at a time for ~5 s, not 32
    finally:
        box.shutdown()
    lines = reply_lines(caplog)
    for i in range(32):
        mine = [line for line in lines if f"id=EvSlow{i} " in line]
        assert len(mine) == 1, (i, mine)
    assert sum("outcome=expired" in line for line in lines) >= 20


def test_outcomes_are_counted(caplog):
    metrics = Metrics()
    box = Outbox(deadline_seconds=5, api_timeout=2, metrics=metrics)
    try:
        with SlackStandin() as standin:
            box.respond(standin.response_url("m"), {"text": "x"}, ReplyMeta("Tr1", "command"))
            assert wait_until(lambda: box.pending() == 0)
    finally:
        box.shutdown()
    assert metrics.count("sentiment_replies_total", surface="command", outcome="delivered") == 1
    assert metrics.quantiles("sentiment_reply_seconds", surface="command")
