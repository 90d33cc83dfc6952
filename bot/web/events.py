"""``POST /slack/events``: verify, parse, dispatch to Bolt, answer, log one line.

Replaces ``slack_bolt.adapter.wsgi.SlackRequestHandler`` (which reads any body whole, lets Bolt
parse before verifying, and turns malformed input into 500s). Order of work, cheapest first:

1. read at most ``max_body_bytes`` + 1 bytes: more is 413 (waitress already refuses a larger
   Content-Length before reading it; this also covers chunked bodies);
2. signature and timestamp on the raw bytes (:mod:`bot.web.verify`): failure is 401;
3. UTF-8 and payload parsing (:mod:`bot.web.body`): a signed but malformed body is 400;
4. Bolt dispatch with the parsed body (:class:`~bot.web.body.ParsedBoltRequest`).

Every request ends in exactly one log line: ``request id=… team=… surface=… status=… ms=…`` for
Slack's, ``rejected status=… reason=…`` for the rest. Never the body, the text or a
``response_url``. The request id (Slack's ``event_id`` or ``trigger_id``) and the arrival time
go into Bolt's context as ``request_id`` / ``received_at`` so the reply's log line matches.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from bot.metrics import METRICS, Metrics, surface_label
from bot.request_ids import request_id_of
from bot.web.body import MalformedBody, ParsedBoltRequest, content_type_of, parse_body
from bot.web.verify import verification_failure

log = logging.getLogger("bot.http")

#: Slack's payloads are a few KB (a slash command with 4,000 characters of text is < 20 KB; an
#: event with blocks and attachments rarely over 100 KB). 1 MB leaves a wide margin.
DEFAULT_MAX_BODY_BYTES = 1_000_000

StartResponse = Callable[..., Any]


def respond(
    start_response: StartResponse,
    status: int,
    body: str | bytes = b"",
    content_type: str = "application/json",
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    """Send a complete response with Content-Length; returns the WSGI body iterable."""
    data = body.encode() if isinstance(body, str) else body
    phrase = HTTPStatus(status).phrase
    start_response(
        f"{status} {phrase}",
        [("Content-Type", content_type), ("Content-Length", str(len(data))), *headers],
    )
    return [data]


def error_body(message: str) -> str:
    return json.dumps({"error": message})


def read_body(environ: dict[str, Any], limit: int) -> bytes | None:
    """The request body, or None when it is longer than ``limit`` bytes (never reads more)."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    try:
        declared = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        declared = -1
    if declared > limit:
        return None
    to_read = declared if declared >= 0 else limit + 1
    data = stream.read(to_read) if to_read else b""
    if len(data) > limit:
        return None
    return data


def request_headers(environ: dict[str, Any]) -> dict[str, str]:
    """Lower-case header names (``x-slack-signature``…) from the WSGI environ."""
    headers = {}
    for key, value in environ.items():
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers[key.lower().replace("_", "-")] = value
        elif key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = value
    return headers


def surface_of(body: dict[str, Any]) -> str:
    """Which Slack surface sent this: command, app_mention, message, event, ... (for logs)."""
    if body.get("command"):
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        event_type = (body.get("event") or {}).get("type")
        return event_type if event_type in ("app_mention", "message") else "event"
    if kind == "url_verification":
        return "url_verification"
    if kind:
        return "interactive"
    return "other"


class SlackEventsHandler:
    """WSGI app for ``POST /slack/events`` in front of a Bolt ``App``."""

    def __init__(
        self,
        bolt_app: Any,
        signing_secret: str,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        metrics: Metrics = METRICS,
        clock: Callable[[], float] = time.time,
    ):
        self.bolt_app = bolt_app
        self.signing_secret = signing_secret
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics
        self.clock = clock

    def reject(
        self, start_response: StartResponse, status: int, reason: str, size: int | None
    ) -> list[bytes]:
        self.metrics.inc("sentiment_rejected_total", reason=reason)
        log.info(
            "rejected status=%d reason=%r bytes=%s",
            status,
            reason,
            "-" if size is None else size,
        )
        message = {401: "invalid request", 413: "request too large"}.get(status, reason)
        return respond(start_response, status, error_body(message))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.monotonic()
        raw = read_body(environ, self.max_body_bytes)
        if raw is None:
            return self.reject(start_response, 413, "body too large", None)
        headers = request_headers(environ)
        failure = verification_failure(
            self.signing_secret,
            raw,
            headers.get("x-slack-request-timestamp"),
            headers.get("x-slack-signature"),
            now=self.clock(),
        )
        if failure is not None:
            return self.reject(start_response, 401, failure, len(raw))
        try:
            text = raw.decode("utf-8")
            body = parse_body(text, content_type_of(headers))
        except UnicodeDecodeError:
            return self.reject(start_response, 400, "body is not UTF-8", len(raw))
        except MalformedBody as error:
            return self.reject(start_response, 400, str(error), len(raw))

        surface = surface_of(body)
        if surface == "other" and "ssl_check" not in body:
            # Signed, parsed, but no command, event or interactive payload: nothing Slack sends.
            return self.reject(start_response, 400, "not a Slack payload", len(raw))
        rid = request_id_of(body)
        context = {"request_id": rid, "received_at": started, "surface": surface}
        try:
            request = ParsedBoltRequest(
                raw_body=text,
                body=body,
                query=environ.get("QUERY_STRING", ""),
                headers=headers,
                context=context,
            )
        except Exception as error:  # Bolt could not read ids out of a well-typed body
            return self.reject(
                start_response, 400, f"unusable payload ({type(error).__name__})", len(raw)
            )
        team = request.context.team_id or "-"
        try:
            response = self.bolt_app.dispatch(request)
        except Exception:
            log.exception("request id=%s surface=%s: Bolt failed", rid, surface)
            response = None
        status = response.status if response is not None else 500
        elapsed = time.monotonic() - started
        label = surface_label(surface)
        self.metrics.observe("sentiment_ack_seconds", elapsed, surface=label)
        if 200 <= status < 300:
            self.metrics.inc("sentiment_acks_total", surface=label)
        log.info(
            "request id=%s team=%s surface=%s status=%d ms=%.1f",
            rid,
            team,
            surface,
            status,
            elapsed * 1000,
        )
        if response is None:
            return respond(start_response, 500, error_body("internal error"))
        headers_out = [
            (name, value)
            for name, values in response.headers.items()
            if name.lower() not in ("content-length", "content-type")
            for value in values
        ]
        content_type = (response.headers.get("content-type") or ["application/json"])[0]
        return respond(start_response, status, response.body or "", content_type, headers_out)
