"""Hostile traffic at the HTTP edge: body cap, signature on raw bytes, safe parsing.

The handler is exercised in-process through WSGI calls with a real Bolt app (no sockets), plus
one test with a real waitress server and idle half-open sockets.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.signature import SignatureVerifier

from bot.metrics import METRICS, Metrics
from bot.web import SlackEventsHandler, guard, waitress_options
from bot.web.body import MalformedBody, ParsedBoltRequest, parse_body
from bot.web.verify import signature_for, verification_failure
from tests.harness import command_body, event_body, mention_event, sign

SECRET = "hardening-secret-0123456789"


def _bolt_app(seen: list) -> App:
    app = App(
        signing_secret=SECRET,
        authorize=lambda **kw: AuthorizeResult(
            enterprise_id=None, team_id=kw.get("team_id"), bot_token="x", bot_user_id="UBOT"
        ),
        token_verification_enabled=False,
        process_before_response=True,
    )

    def ack_command(ack, command, context):
        seen.append(("command", command.get("text"), context.get("request_id")))
        ack()

    def lazy_command(command, context):
        seen.append(("lazy", command.get("text"), context.get("request_id")))

    app.command("/sentiment")(ack=ack_command, lazy=[lazy_command])

    @app.event("app_mention")
    def mention(ack, event):
        seen.append(("mention", event.get("text"), None))
        ack()

    return app


class Wsgi:
    """Call a WSGI app directly and collect status, headers and body."""

    def __init__(self, app):
        self.app = app

    def call(self, body: bytes, headers: dict[str, str] | None = None, **environ) -> tuple:
        captured = {}

        def start_response(status, response_headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = dict(response_headers)

        env = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/slack/events",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "wsgi.input": io.BytesIO(body),
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            env[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
        env.update(environ)
        out = b"".join(self.app(env, start_response))
        return captured["status"], out


def signed(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> dict:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature_for(SECRET, timestamp, body),
    }


@pytest.fixture
def seen() -> list:
    return []


@pytest.fixture
def handler(seen) -> SlackEventsHandler:
    return SlackEventsHandler(_bolt_app(seen), SECRET, max_body_bytes=100_000, metrics=Metrics())


@pytest.fixture
def wsgi(handler) -> Wsgi:
    return Wsgi(guard(handler, max_body_bytes=100_000, metrics=handler.metrics))


def _wait_for(seen: list, kind: str, timeout: float = 5.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [s for s in seen if s[0] == kind]
        if found:
            return found
        time.sleep(0.02)
    return []


# -- 1. "payload" in a command ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["the payload arrived and I love it", "payload", "payload=1&payload=2"]
)
def test_command_mentioning_payload_is_dispatched(wsgi, seen, text):
    body = command_body(text, "https://hooks.slack.com/commands/T1/1/x").encode()
    status, _ = wsgi.call(body, signed(body))
    assert status == 200
    assert ("command", text, "T1.TRIGGER") in seen
    # the lazy listener gets its own copy of the request: it must be parsed the same way
    assert [s[1] for s in _wait_for(seen, "lazy")] == [text]


def test_channel_named_payload_is_dispatched(wsgi, seen):
    fields = dict(urllib.parse.parse_qsl(command_body("great", "https://x/commands/1")))
    fields["channel_name"] = "payload-team"
    body = urllib.parse.urlencode(fields).encode()
    assert wsgi.call(body, signed(body))[0] == 200
    assert seen[0][:2] == ("command", "great")


def test_bolt_parser_still_has_the_payload_bug():
    """Documents the upstream cause; when this fails, Bolt fixed it and bot.web.body can go."""
    from slack_bolt.request.internals import parse_body as bolt_parse_body

    raw = command_body("the payload arrived", "https://x/commands/1")
    assert bolt_parse_body(raw, "application/x-www-form-urlencoded") == {}
    assert parse_body(raw, "application/x-www-form-urlencoded")["text"] == "the payload arrived"


def test_real_interactive_payload_is_still_parsed():
    action = {"action_id": "a1", "type": "button"}
    payload = {"type": "block_actions", "actions": [action]}
    raw = urllib.parse.urlencode({"payload": json.dumps(payload)})
    assert parse_body(raw, "application/x-www-form-urlencoded")["type"] == "block_actions"


def test_parsed_request_survives_copying_for_lazy_listeners():
    raw = command_body("payload here", "https://x/commands/1")
    request = ParsedBoltRequest(
        raw_body=raw, body=parse_body(raw, None), headers={}, context={"request_id": "r1"}
    )
    copy = request.to_copyable()
    assert copy.body["text"] == "payload here" and copy.context["request_id"] == "r1"
    assert copy.context.team_id == "T0TEAM001"


# -- 4. junk gets 401 (unsigned) or 400 (signed), never 500 ------------------------------------

JUNK = [
    b"{not json",
    b"[1, 2, 3]",
    "\ufeff{}".encode(),
    b"\xff\xfe\xfd invalid utf-8",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"type": "event_callback", "event": "not an object"}',
    b'{"type": "event_callback", "event": {"type": 5}}',
    b'{"team": 5, "command": "/sentiment"}',
    b'{"authorizations": "x"}',
    b'{"authorizations": [1]}',
    b'{"user": {"id": []}}',
    b"payload=%7Bnot+json",
    b"payload=%5B1%5D",
    b"&".join(b"f%d=1" % i for i in range(1000)),
]


@pytest.mark.parametrize("body", JUNK)
def test_unsigned_junk_is_401(wsgi, body, caplog):
    caplog.set_level(logging.INFO)
    status, out = wsgi.call(body, {"Content-Type": "application/json"})
    assert status == 401
    assert json.loads(out) == {"error": "invalid request"}
    lines = [r for r in caplog.records if r.name == "bot.http"]
    assert len(lines) == 1 and "status=401" in lines[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("body", JUNK)
def test_signed_junk_is_400(wsgi, body, seen, caplog):
    caplog.set_level(logging.INFO)
    status, _ = wsgi.call(body, signed(body, "application/json"))
    assert status == 400
    assert seen == []
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("not-a-number", "v0=abc"),
        ("", "v0=abc"),
        ("1" * 40, "v0=abc"),
        (None, None),
        ("१२३", "v0=abc"),  # non-ASCII digits: str.isdigit() is True, int() accepts them
    ],
)
def test_bad_timestamp_headers_are_401(wsgi, timestamp, signature):
    headers = {"Content-Type": "application/json"}
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
        headers["X-Slack-Signature"] = signature
    assert wsgi.call(b"{}", headers)[0] == 401


def test_verification_agrees_with_slack_sdk():
    verifier = SignatureVerifier(SECRET)
    now = int(time.time())
    for body in ["token=x&text=hi", '{"a": 1}', "é ✓ 😀", ""]:
        expected = verifier.generate_signature(timestamp=str(now), body=body)
        assert signature_for(SECRET, str(now), body.encode()) == expected
        assert verification_failure(SECRET, body.encode(), str(now), expected) is None
    headers = sign(SECRET, "x=1", now)
    assert verifier.is_valid(
        "x=1", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    stale = str(now - 301)
    assert verification_failure(SECRET, b"x", stale, signature_for(SECRET, stale, b"x"))


def test_forged_request_logs_one_short_line_without_the_body(wsgi, caplog):
    caplog.set_level(logging.DEBUG)
    body = b"text=" + b"A" * 90_000 + b"\nFAKE LOG LINE"
    status, _ = wsgi.call(
        body,
        {"X-Slack-Signature": "v0=" + "0" * 64, "X-Slack-Request-Timestamp": str(int(time.time()))},
    )
    assert status == 401
    assert "AAAA" not in caplog.text and "FAKE LOG LINE" not in caplog.text
    assert len(caplog.text) < 500


# -- 2. body size --------------------------------------------------------------------------


def test_declared_oversize_body_is_413_without_reading(wsgi, handler):
    class Exploding(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body must not be read")

    status, out = wsgi.call(b"", {}, CONTENT_LENGTH="40000000", **{"wsgi.input": Exploding()})
    assert status == 413 and json.loads(out) == {"error": "request too large"}
    assert handler.metrics.count("sentiment_rejected_total", reason="body too large") == 1


def test_undeclared_oversize_body_is_413_after_reading_at_most_the_limit(handler):
    stream = io.BytesIO(b"x" * 500_000)
    status, _ = Wsgi(handler).call(b"", {}, CONTENT_LENGTH="", **{"wsgi.input": stream})
    assert status == 413
    assert stream.tell() == handler.max_body_bytes + 1


def test_metrics_endpoint_counts_requests(wsgi, handler, seen):
    body = command_body("great", "https://x/commands/1").encode()
    wsgi.call(body, signed(body))
    wsgi.call(b"junk", {})
    status, out = wsgi.call(b"", {}, REQUEST_METHOD="GET", PATH_INFO="/metrics")
    text = out.decode()
    assert status == 200
    assert 'sentiment_requests_total{route="/slack/events",status="200"} 1' in text
    assert 'sentiment_requests_total{route="/slack/events",status="401"} 1' in text
    assert 'sentiment_acks_total{surface="command"} 1' in text
    assert 'sentiment_ack_seconds_count{surface="command"} 1' in text
    assert "great" not in text


def test_request_log_line_has_id_team_surface_and_no_text(wsgi, caplog):
    caplog.set_level(logging.INFO)
    event = mention_event("<@UBOT> a secret sentence", ts="1.2")
    body = event_body(event, "EvLog1").encode()
    assert wsgi.call(body, signed(body, "application/json"))[0] == 200
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.http"]
    assert line.startswith("request id=EvLog1 team=T0TEAM001 surface=app_mention status=200 ms=")
    assert "secret sentence" not in caplog.text


def test_bolt_error_is_500_with_one_line(handler, caplog):
    class Broken:
        def dispatch(self, request):
            raise RuntimeError("bug")

    handler.bolt_app = Broken()
    body = command_body("great", "https://x/commands/1").encode()
    caplog.set_level(logging.INFO)
    assert Wsgi(handler).call(body, signed(body))[0] == 500


def test_unhandled_bolt_response_passes_through(handler):
    class NotFound:
        def dispatch(self, request):
            return BoltResponse(status=404, body={"error": "unhandled request"})

    handler.bolt_app = NotFound()
    body = command_body("great", "https://x/commands/1").encode()
    status, out = Wsgi(handler).call(body, signed(body))
    assert status == 404 and json.loads(out) == {"error": "unhandled request"}


# -- 3. idle half-open sockets -----------------------------------------------------------------


def _stop(server, thread: threading.Thread) -> None:
    """Close every channel from inside waitress's own loop, then wait for the loop to end.

    ``server.close()`` from another thread leaves the loop running on closed descriptors, which
    later tests' sockets then reuse."""
    from waitress import wasyncore

    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    thread.join(5)
    server.task_dispatcher.shutdown()
    assert not thread.is_alive()


def _half_open(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
    return sock


def test_server_answers_while_150_half_open_sockets_idle():
    """waitress's defaults (100 connections, 120 s idle timeout) time out here."""
    from waitress import create_server

    def hello(environ, start_response):
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    options = waitress_options(max_body_bytes=1000, idle_timeout=15)
    server = create_server(hello, host="127.0.0.1", port=0, threads=2, **options)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    idle = []
    try:
        idle = [_half_open(server.effective_port) for _ in range(150)]
        started = time.monotonic()
        url = f"http://127.0.0.1:{server.effective_port}/healthz"
        with urllib.request.urlopen(url, timeout=3) as response:
            assert response.read() == b"ok"
        assert time.monotonic() - started < 3
    finally:
        for sock in idle:
            sock.close()
        _stop(server, thread)


def test_40_mb_post_gets_its_413_even_from_a_client_still_uploading():
    """waitress refusing before reading closes with the body unread: urllib then sees
    "connection reset". So waitress reads it (to a temporary file) and the guard refuses it."""
    from bot.web import create_server

    def never(environ, start_response):
        raise AssertionError("an oversized body must not reach the app")

    options = waitress_options(max_body_bytes=1_000_000)
    app = guard(never, max_body_bytes=1_000_000)
    server = create_server(app, host="127.0.0.1", port=0, threads=1, **options)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}/slack/events"
        request = urllib.request.Request(url, data=b"x" * 40_000_000, method="POST")
        before = METRICS.count("sentiment_rejected_total", reason="body too large")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 413
        after = METRICS.count("sentiment_rejected_total", reason="body too large")
        assert after == before + 1
    finally:
        _stop(server, thread)


def test_waitress_options_cap_body_and_use_poll():
    options = waitress_options(max_body_bytes=1_000_000)
    # Over the cap: refused by bot.web.guard after waitress read it, or by waitress unread.
    assert 1_000_001 <= options["max_request_body_size"] <= 64 * 1024 * 1024
    assert options["asyncore_use_poll"] is True
    assert options["connection_limit"] >= 300 and options["channel_timeout"] <= 30


def test_parse_body_raises_malformed_for_scalars():
    with pytest.raises(MalformedBody):
        parse_body("5", "application/json")


def test_signed_form_that_is_no_slack_payload_is_400_but_ssl_check_passes(wsgi):
    for body, status in ((b"abc=1", 400), (b"", 400), (b"ssl_check=1&token=x", 200)):
        assert wsgi.call(body, signed(body))[0] == status, body
