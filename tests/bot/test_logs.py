"""Logs an attacker cannot bloat or forge, that never hold a body or a response_url; metrics;
the text-size cap."""

from __future__ import annotations

import io
import logging
import time

import pytest

from bot.logs import RedactingFilter, redact, setup_logging
from bot.markup import MAX_TEXT_CHARS, clean_text, is_over_limit, truncation_note
from bot.metrics import Metrics
from tests.harness import fake_token


def _formatted(message: str, *args, level=logging.INFO, name="x") -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(["s3cr3t-value"]))
    logger = logging.getLogger(f"hardening.{name}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.log(level, message, *args)
    return stream.getvalue()


def test_newlines_in_attacker_text_cannot_forge_lines():
    out = _formatted("command from %s", "ada\n2026-01-01 INFO bot: forged\r\x1b[31m")
    assert out.count("\n") == 1
    assert "\\n2026-01-01 INFO bot: forged\\r\\x1b[31m" in out


def test_huge_messages_are_cut():
    out = _formatted("value %s", "A" * 5_000_000)
    assert len(out) < 5_000
    assert "more characters not logged" in out


@pytest.mark.parametrize(
    "message",
    [
        "Invalid request signature detected (signature: v0=1, timestamp: 1, body: text=private)",
        "Unhandled request ({'text': 'private'})",
        "request body: {'text': 'private'}",
    ],
)
def test_bolt_lines_that_embed_a_body_keep_only_their_first_words(message):
    out = _formatted(message, name="bolt")
    assert "private" not in out and "payload not logged" in out


@pytest.mark.parametrize(
    "text",
    [
        "Going to retry the same request: POST https://hooks.slack.com/commands/T1/123/abcDEF",
        "{'response_url': 'http://127.0.0.1:9999/response/xyz', 'text': 'hi'}",
        "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fsecret&x=1",
    ],
)
def test_response_urls_are_masked(text):
    cleaned = redact(text)
    assert "abcDEF" not in cleaned and "xyz" not in cleaned and "secret" not in cleaned


def test_secrets_are_still_masked():
    assert "s3cr3t-value" not in _formatted("the secret is %s", "s3cr3t-value")


def test_waitress_queue_warnings_are_not_silenced(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("INFO")
        logging.getLogger("waitress.queue").warning("Task queue depth is %d", 7)
        assert "Task queue depth is 7" in capsys.readouterr().err
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])


def test_metrics_render_prometheus_text_and_summary_line():
    metrics = Metrics(window=100)
    for ms in range(1, 101):
        metrics.observe("sentiment_ack_seconds", ms / 1000, surface="command")
    metrics.inc("sentiment_requests_total", route="/slack/events", status="200")
    metrics.inc("sentiment_replies_total", surface="command", outcome="delivered")
    metrics.inc("sentiment_replies_total", surface="command", outcome="unknown")
    text = metrics.render()
    assert "# TYPE sentiment_requests_total counter" in text
    # Histograms (they add up across processes): 50 of the 100 took <= 50 ms, all <= 100 ms.
    assert 'sentiment_ack_seconds_bucket{le="0.05",surface="command"} 50.0' in text
    assert 'sentiment_ack_seconds_bucket{le="0.1",surface="command"} 100.0' in text
    assert 'sentiment_ack_seconds_count{surface="command"} 100' in text
    line = metrics.summary_line()
    assert "requests=1" in line and "replies_delivered=1" in line and "replies_unknown=1" in line
    assert "ack_ms_p50/p90/p99=50/90/99" in line


def test_metric_label_values_are_escaped():
    metrics = Metrics()
    metrics.inc("sentiment_rejected_total", reason='bad "quote" \\ here')
    assert 'reason="bad \\"quote\\" \\\\ here"' in metrics.render()


def test_text_is_cut_to_slacks_limit_before_cleaning():
    huge = "great movie " * 400_000  # 4.8 MB
    started = time.perf_counter()
    cleaned = clean_text(huge)
    assert time.perf_counter() - started < 0.5
    assert len(cleaned) <= MAX_TEXT_CHARS
    assert is_over_limit(huge) and not is_over_limit("x" * MAX_TEXT_CHARS)
    assert "40,000" in truncation_note()


def test_summary_line_is_logged_periodically_while_there_is_traffic(caplog):
    from bot.metrics import start_summary_log

    caplog.set_level(logging.INFO, logger="bot.metrics")
    metrics = Metrics()
    assert start_summary_log(metrics, interval=0.05)
    metrics.inc("sentiment_requests_total", route="/healthz", status="200")
    deadline = time.monotonic() + 5
    while "metrics requests=1" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "metrics requests=1" in caplog.text
    time.sleep(0.2)  # no new traffic: no new line
    assert caplog.text.count("metrics requests=") == 1


def test_redaction_of_tokens_and_secrets():
    text = (
        f"Authorization: Bearer {fake_token('xoxb', '123-456-abcDEF')} and "
        f"{fake_token('xapp', '1-A1-xyz')}, secret mysecretvalue"
    )
    cleaned = redact(text, ["mysecretvalue"])
    assert "abcDEF" not in cleaned and "xyz" not in cleaned and "mysecretvalue" not in cleaned
    assert fake_token("xoxb", "***") in cleaned


def test_redacting_filter_rewrites_records():
    record = logging.LogRecord(
        "x",
        logging.DEBUG,
        __file__,
        1,
        "headers: %s",
        ({"Authorization": fake_token("xoxb", "9-9-z")},),
        None,
    )
    RedactingFilter(["s3cr3t"]).filter(record)
    assert fake_token("xoxb", "9-9-z") not in record.getMessage()
