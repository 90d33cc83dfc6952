"""A local stand-in for Slack: the Web API the bot calls, and a sender of signed requests.

The server half answers ``auth.test`` and ``chat.postMessage`` under ``/api/`` and accepts
``response_url`` posts under ``/response/<id>``, recording every call (with arrival time) so a
test can assert exactly how many replies were sent. It can be told to fail the next N calls of a
method with 429 or 500 to exercise the retry handlers. For the other surfaces it also answers
``conversations.history`` (from ``set_history``), ``chat.getPermalink``, ``views.publish`` /
``views.open``, ``chat.postEphemeral`` and ``functions.completeSuccess`` / ``completeError``;
``fail_api`` makes the next call of a method answer a Web API error such as ``not_in_channel``.
For OAuth installs, ``oauth.v2.access`` exchanges the codes registered with
``add_install_code`` and ``auth.test`` answers the identity of the token it is called with.

Fault injection (for the hardening tests and ``scripts/bench_attack.py``): ``fail_next`` takes a
``retry_after`` (fractional values like "1.5" included); ``stall`` makes a method (optionally
only for one channel) answer after a delay, recording the call once the delay is over, the way
Slack may post a message after the client gave up; ``drop_next`` closes the connection without
an answer. A refused connection is simply a URL whose port nothing listens on.

The client half builds real Slack payloads and signs them with slack_sdk's SignatureVerifier.

Also usable from the command line for manual runs::

    python -m tests.harness.standin --port 8900
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_sdk.signature import SignatureVerifier

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0TEAM001"
API_APP_ID = "A0APP0001"


@dataclass
class Call:
    """One request the bot made to the stand-in."""

    path: str
    method: str  # Web API method ("chat.postMessage") or "response_url"
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class SlackStandin:
    """A threaded HTTP server imitating the parts of Slack the bot talks to."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, auth_test: bool = True):
        self.calls: list[Call] = []
        self.auth_test_enabled = auth_test
        self.failures: dict[str, list[int]] = defaultdict(list)
        self.retry_after: dict[str, str] = {}
        self.stalls: dict[tuple[str, str | None], tuple[float, int | None]] = {}
        self.drops: dict[str, int] = defaultdict(int)
        #: conversations.history: channel id -> messages, newest first (see set_history).
        self.history: dict[str, list[dict[str, Any]]] = {}
        #: Web API error codes to answer the next calls of a method with (see fail_api).
        self.api_errors: dict[str, list[dict[str, Any]]] = defaultdict(list)
        #: OAuth: install code -> what oauth.v2.access returns for it (see add_install_code);
        #: bot token -> the identity auth.test returns for it.
        self.install_codes: dict[str, dict[str, Any]] = {}
        self.token_identities: dict[str, dict[str, Any]] = {}
        self._cond = threading.Condition()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                standin._handle(self, raw)

            def do_GET(self) -> None:  # slack_sdk reads conversations.history & co. with GET
                standin._handle(self, urllib.parse.urlsplit(self.path).query)

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default (5) drops SYNs under a burst: 1 s stalls

        self.server = Server((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """What to put in SLACK_API_URL."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base_url}/response/{name}"

    def slack_shaped_response_url(self, name: str) -> str:
        """A response_url shaped like Slack's (``/commands/<team>/<id>/<secret>``); its calls
        are recorded as ``response_url`` with this path."""
        return f"{self.base_url}/commands/{TEAM_ID}/{name}/s3cretPart0123456789"

    def start(self) -> SlackStandin:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> SlackStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- behaviour -------------------------------------------------------------------------

    def fail_next(self, method: str, *statuses: int, retry_after: str | None = None) -> None:
        """Answer the next calls of ``method`` with these HTTP statuses (429, 500, ...).

        ``retry_after`` is the Retry-After header sent with a 429 (default "0").
        """
        self.failures[method].extend(statuses)
        if retry_after is not None:
            self.retry_after[method] = retry_after

    def stall(
        self, method: str, seconds: float, *, channel: str | None = None, count: int | None = None
    ) -> None:
        """Delay answers to ``method`` (only to ``channel`` if given) by ``seconds``.

        ``count`` limits it to the next N such calls; ``seconds=0`` ends the stall.
        """
        if seconds <= 0:
            self.stalls.pop((method, channel), None)
        else:
            self.stalls[(method, channel)] = (seconds, count)

    def set_history(self, channel: str, messages: list[dict[str, Any]]) -> None:
        """What conversations.history returns for ``channel`` (newest first, pages of ``limit``)."""
        self.history[channel] = list(messages)

    def fail_api(self, method: str, error: str, **extra: Any) -> None:
        """Answer the next call of ``method`` with HTTP 200 ``{"ok": false, "error": error}``."""
        self.api_errors[method].append({"ok": False, "error": error, **extra})

    def add_install_code(
        self,
        code: str,
        *,
        team_id: str,
        bot_token: str,
        bot_user_id: str,
        bot_id: str,
        scope: str = "commands,app_mentions:read,chat:write,im:history",
    ) -> None:
        """Make ``oauth.v2.access`` exchange ``code`` for ``bot_token`` of workspace ``team_id``;
        ``auth.test`` with that token then answers that workspace's bot identity."""
        self.install_codes[code] = {
            "ok": True,
            "app_id": API_APP_ID,
            "authed_user": {"id": "U0INSTALLER"},
            "scope": scope,
            "token_type": "bot",
            "access_token": bot_token,
            "bot_user_id": bot_user_id,
            "team": {"id": team_id, "name": f"Team {team_id}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        self.token_identities[bot_token] = {
            "team_id": team_id,
            "team": f"Team {team_id}",
            "user_id": bot_user_id,
            "bot_id": bot_id,
        }

    def _oauth_access(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.install_codes.get(str(body.get("code")))
        return answer if answer is not None else {"ok": False, "error": "invalid_code"}

    def drop_next(self, method: str, count: int = 1) -> None:
        """Close the connection without answering the next ``count`` calls of ``method``."""
        self.drops[method] += count

    def _stall_for(self, method: str, body: dict) -> float:
        with self._cond:
            for key in ((method, body.get("channel")), (method, None)):
                if key in self.stalls:
                    seconds, count = self.stalls[key]
                    if count is not None:
                        if count <= 1:
                            del self.stalls[key]
                        else:
                            self.stalls[key] = (seconds, count - 1)
                    return seconds
        return 0.0

    def _handle(self, handler: BaseHTTPRequestHandler, raw: str) -> None:
        path = urllib.parse.urlsplit(handler.path).path
        content_type = handler.headers.get("Content-Type", "")
        if "json" in content_type:
            body = json.loads(raw or "{}")
        else:
            body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
        if path.startswith("/api/"):
            method = path[len("/api/") :]
        elif path.startswith(("/response/", "/commands/")):
            method = "response_url"
        else:
            self._reply(handler, 404, {"ok": False, "error": "not_found"})
            return
        with self._cond:
            pending = self.failures.get(method)
            status = pending.pop(0) if pending else None
            dropped = status is None and self.drops.get(method, 0) > 0
            if dropped:
                self.drops[method] -= 1
        if dropped:
            self._record(path, method + ":dropped", body, handler)
            handler.close_connection = True
            return
        stall = self._stall_for(method, body)
        if stall:
            time.sleep(stall)
        if status is not None:
            self._record(path, method + ":failed", body, handler)
            retry_after = self.retry_after.get(method, "0")
            headers = {"Retry-After": retry_after} if status == 429 else {}
            self._reply(handler, status, {"ok": False, "error": "ratelimited"}, headers)
            return
        if method == "auth.test":
            if not self.auth_test_enabled:
                self._reply(handler, 404, {"ok": False, "error": "unknown_method"})
                return
            token = handler.headers.get("Authorization", "").removeprefix("Bearer ")
            identity = self.token_identities.get(token) or {
                "team": "Stand-in",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
            self._reply(
                handler,
                200,
                {
                    "ok": True,
                    "url": "https://standin.slack.com/",
                    "user": "sentiment",
                    "is_enterprise_install": False,
                    **identity,
                },
            )
            return
        if method == "oauth.v2.access":
            self._record(path, method, body, handler)
            self._reply(handler, 200, self._oauth_access(body))
            return
        self._record(path, method, body, handler)
        if method == "response_url":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", "2")
            try:
                handler.end_headers()
                handler.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (stalls)
                handler.close_connection = True
            return
        if method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            self._reply(
                handler, 200, {"ok": True, "channel": body.get("channel"), "ts": ts, "message": {}}
            )
            return
        answer = self._surface_answer(method, body)
        if answer is not None:
            self._reply(handler, 200, answer)
            return
        self._reply(handler, 200, {"ok": False, "error": "unknown_method"})

    def _surface_answer(self, method: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """Answers for the methods the shortcut, App Home, workflow step and mood use."""
        with self._cond:
            pending = self.api_errors.get(method)
            if pending:
                return pending.pop(0)
        if method == "conversations.history":
            messages = self.history.get(str(body.get("channel")))
            if messages is None:
                return {"ok": False, "error": "channel_not_found"}
            start = int(body.get("cursor") or 0)
            limit = int(body.get("limit") or 100)
            page = messages[start : start + limit]
            more = start + limit < len(messages)
            return {
                "ok": True,
                "messages": page,
                "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""},
            }
        if method == "chat.getPermalink":
            channel, ts = body.get("channel"), str(body.get("message_ts", ""))
            url = f"https://standin.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": url}
        if method in ("views.publish", "views.open", "views.update"):
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": "V0VIEW001", **(view or {})}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{time.time():.6f}"}
        if method in ("functions.completeSuccess", "functions.completeError"):
            return {"ok": True}
        return None

    def _record(self, path: str, method: str, body: dict, handler: BaseHTTPRequestHandler) -> None:
        call = Call(path=path, method=method, body=body, headers=dict(handler.headers.items()))
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    @staticmethod
    def _reply(
        handler: BaseHTTPRequestHandler, status: int, payload: dict, headers: dict | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        try:
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (stall tests)
            handler.close_connection = True

    # -- assertions ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until at least ``count`` calls of ``method`` arrived; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    return found
                self._cond.wait(remaining)

    def settle(self, quiet: float = 0.5) -> None:
        """Wait until no call has arrived for ``quiet`` seconds (to catch late duplicates)."""
        while True:
            with self._cond:
                last = self.calls[-1].at if self.calls else 0.0
            idle = time.monotonic() - last
            if idle >= quiet:
                return
            time.sleep(quiet - idle)


# -- signed requests, as Slack sends them -------------------------------------------------------


def sign(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The X-Slack-Signature / X-Slack-Request-Timestamp headers for ``body``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = SignatureVerifier(signing_secret).generate_signature(
        timestamp=str(timestamp), body=body
    )
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}


def command_body(
    text: str,
    response_url: str,
    command: str = "/sentiment",
    trigger_id: str = "T1.TRIGGER",
    team_id: str = TEAM_ID,
) -> str:
    """A slash-command payload (form-encoded), as Slack posts it."""
    return urllib.parse.urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": team_id,
            "team_domain": "standin",
            "channel_id": "C0CHAN001",
            "channel_name": "general",
            "user_id": "U0HUMAN01",
            "user_name": "ada",
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def event_body(event: dict[str, Any], event_id: str = "Ev0000001", team_id: str = TEAM_ID) -> str:
    """An Events API ``event_callback`` envelope (JSON), as Slack posts it."""
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": team_id,
            "api_app_id": API_APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-standin",
        }
    )


def mention_event(text: str, ts: str = "1700000000.000100", thread_ts: str | None = None) -> dict:
    event = {
        "type": "app_mention",
        "user": "U0HUMAN01",
        "text": text,
        "ts": ts,
        "channel": "C0CHAN001",
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm_event(text: str, ts: str = "1700000000.000200", **extra: Any) -> dict:
    event = {
        "type": "message",
        "channel": "D0DM00001",
        "user": "U0HUMAN01",
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
    }
    event.update(extra)
    return event


@dataclass
class Reply:
    status: int
    body: str
    elapsed: float


def post(
    url: str,
    body: str,
    signing_secret: str,
    *,
    content_type: str = "application/x-www-form-urlencoded",
    timestamp: int | None = None,
    extra_headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Reply:
    """POST ``body`` to the bot, signed with ``signing_secret``; return status and body."""
    headers = {"Content-Type": content_type, **sign(signing_secret, body, timestamp)}
    headers.update(extra_headers or {})
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.read().decode(), time.monotonic() - started)
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read().decode(), time.monotonic() - started)


def post_command(url: str, secret: str, text: str, response_url: str, **kw: Any) -> Reply:
    return post(url, command_body(text, response_url), secret, **kw)


def post_event(url: str, secret: str, event: dict, event_id: str, **kw: Any) -> Reply:
    return post(url, event_body(event, event_id), secret, content_type="application/json", **kw)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8900)
    args = parser.parse_args()
    with SlackStandin(port=args.port) as standin:
        print(f"SLACK_API_URL={standin.api_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
