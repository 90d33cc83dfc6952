"""Attack and fault benchmark for the Slack bot: hostile traffic and a flaky Slack.

Starts the real ``python -m bot`` (HTTP mode, the model ``model.load()`` serves, or ``--model``)
against a local Slack Web API stand-in, then, all on localhost:

1. the ``payload`` command: ``/sentiment the payload arrived and I love it`` must be answered;
2. fuzzing: ``--fuzz`` (default 2,000) requests, most of them signed (valid payloads with odd
   text, broken JSON, arrays, BOMs, invalid UTF-8, wrong field types, deep nesting, 900 KB
   strings, forms that are not Slack payloads), the rest unsigned, mis-signed, stale or with a
   non-numeric timestamp, plus odd methods and paths. Bars: no 5xx, the process alive, RSS back
   under 120 MB afterwards;
3. a 40 MB unsigned POST: 413 (or 401), under 10 KB of log;
4. 300 idle half-open sockets (``POST /slack/events HTTP/1.1`` + one header, then nothing) held
   open while 50 signed commands arrive: all acked within 3 s;
5. faults from the stand-in: 429 with ``Retry-After: 1.5``, 500s, a channel whose
   ``chat.postMessage`` stalls 12 s (32 mentions), refused connections. Bars: every reply is
   either delivered or named by exactly one log line with its request id; an unrelated
   ``/sentiment`` reply is not delayed more than 2 s by the stalled channel.

Prints the figures (``--json`` for JSON); exit status 1 if a bar is missed.

    python -m scripts.bench_attack
    python -m scripts.bench_attack --fuzz 5000 --model artifacts/model
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scripts.bench_support import worker_rss_mb
from tests.harness import (
    BOT_USER_ID,
    SlackStandin,
    clean_env,
    command_body,
    dm_event,
    event_body,
    free_port,
    mention_event,
    wait_healthy,
)

ROOT = Path(__file__).resolve().parents[1]

SECRET = "attack-bench-signing-secret"
# A stand-in accepts any bot token; SLACK_BOT_TOKEN from the environment wins if set.
TOKEN = os.environ.get("SLACK_BOT_TOKEN") or "-".join(("xoxb", "attack", "bench"))
RSS_LIMIT_MB = 120
LOG_LIMIT_BYTES = 10_000
ACK_LIMIT_SECONDS = 3.0
UNRELATED_DELAY_LIMIT_SECONDS = 2.0


# -- process helpers ------------------------------------------------------------------------------


def send(
    url: str,
    body: bytes,
    headers: dict[str, str],
    method: str = "POST",
    timeout: float = 10,
) -> tuple[int, float]:
    """(HTTP status, seconds); status 0 for a connection error, -1 for a timeout."""
    request = urllib.request.Request(url, data=body or None, headers=headers, method=method)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, time.monotonic() - started
    except TimeoutError:
        return -1, time.monotonic() - started
    except (urllib.error.URLError, ConnectionError, OSError):
        return 0, time.monotonic() - started


def signed_headers(body: bytes, content_type: str, timestamp: int | None = None) -> dict:
    """Slack's signature headers for the raw ``body`` (any bytes, like Slack would sign)."""
    from bot.web.verify import signature_for

    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature_for(SECRET, ts, body),
    }


# -- fuzz corpus ----------------------------------------------------------------------------------

ODD_TEXTS = [
    "the payload arrived and I love it",
    "payload=1&payload=2",
    "line one\nINFO bot: forged log line\r\n",
    "\x00\x01\x1b[31m red \x7f",
    "😀" * 500,
    "é" * 10_000,
    "great " * 8_000,  # 48,000 characters: over Slack's limit, cut and noted
    "<@U1> <#C1|x> <!here> <https://x.io|label> :tada:",
    "&amp;&lt;&gt;" * 100,
    "\ud800 lone surrogate",
    "",
    " ",
    "help",
]


def fuzz_case(rng: random.Random, response_url: str, index: int) -> tuple[str, bytes, dict, str]:
    """(kind, body, headers, method+path) of one fuzzed request."""
    kind = rng.choice(
        [
            "command",
            "command",
            "event",
            "json_junk",
            "json_types",
            "bytes",
            "form_junk",
            "deep",
            "big_string",
            "unsigned",
            "bad_signature",
            "stale",
            "bad_timestamp",
            "odd_route",
        ]
    )
    form = "application/x-www-form-urlencoded"
    if kind == "command":
        text = rng.choice(ODD_TEXTS)
        text = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates in a form
        body = command_body(text, response_url, trigger_id=f"Fz{index}").encode()
        return kind, body, signed_headers(body, form), "POST /slack/events"
    if kind == "event":
        text = rng.choice(ODD_TEXTS).encode("utf-8", "replace").decode("utf-8")
        event = rng.choice(
            [
                mention_event(f"<@{BOT_USER_ID}> {text}", ts=f"1700001000.{index:06d}"),
                dm_event(text, ts=f"1700002000.{index:06d}"),
                {"type": "reaction_added", "reaction": "x", "event_ts": "1.1"},
            ]
        )
        body = event_body(event, f"EvFz{index}").encode()
        return kind, body, signed_headers(body, "application/json"), "POST /slack/events"
    if kind == "json_junk":
        body = rng.choice(
            [
                b"{",
                b"[1, 2, 3]",
                b"42",
                b"null",
                '\ufeff{"type": "url_verification"}'.encode(),
                b'{"type": "event_callback", "event": {"type": "app_mention"',
                b'{"a": NaN}',
            ]
        )
        return kind, body, signed_headers(body, "application/json"), "POST /slack/events"
    if kind == "json_types":
        field = rng.choice(["team", "event", "authorizations", "user", "channel", "command"])
        value = rng.choice([5, [], [1, "x"], {"id": []}, "str", None, True, 1.5])
        payload = json.loads(event_body(mention_event("great", ts="1.1"), f"EvTy{index}"))
        payload[field] = value
        body = json.dumps(payload).encode()
        return kind, body, signed_headers(body, "application/json"), "POST /slack/events"
    if kind == "bytes":
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 2000)))
        content_type = rng.choice([form, "application/json", "text/plain", ""])
        return kind, body, signed_headers(body, content_type), "POST /slack/events"
    if kind == "form_junk":
        body = rng.choice(
            [
                b"abc",
                b"payload=%7Bnot+json",
                b"payload=%5B%5D",
                b"&&&==&",
                b"&".join(b"f%d=1" % i for i in range(2000)),
                b"command=%2Fsentiment&text=hi",  # no response_url, no ids
                b"ssl_check=1&token=x",
            ]
        )
        return kind, body, signed_headers(body, form), "POST /slack/events"
    if kind == "deep":
        depth = rng.choice([1000, 100_000])
        body = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
        return kind, body, signed_headers(body, "application/json"), "POST /slack/events"
    if kind == "big_string":
        payload = json.loads(event_body(dm_event("x" * 900_000, ts="1.2"), f"EvBig{index}"))
        body = json.dumps(payload).encode()
        return kind, body, signed_headers(body, "application/json"), "POST /slack/events"
    body = command_body("great", response_url, trigger_id=f"Un{index}").encode()
    if kind == "unsigned":
        return kind, body, {"Content-Type": form}, "POST /slack/events"
    if kind == "bad_signature":
        headers = signed_headers(body, form)
        headers["X-Slack-Signature"] = f"v0={rng.getrandbits(256):064x}"
        return kind, body, headers, "POST /slack/events"
    if kind == "stale":
        return kind, body, signed_headers(body, form, int(time.time()) - 3600), "POST /slack/events"
    if kind == "bad_timestamp":
        headers = signed_headers(body, form)
        headers["X-Slack-Request-Timestamp"] = rng.choice(
            ["soon", "-1", "1e9", "١٢٣".encode().decode("latin-1"), " 1"]
        )
        return kind, body, headers, "POST /slack/events"
    route = rng.choice(["GET /slack/events", "PUT /slack/events", "POST /nope", "GET /../etc"])
    return kind, body, {"Content-Type": form}, route


EXPECTED = {  # what each kind may answer; anything 5xx (or a dropped connection) is a failure
    "command": {200},
    "event": {200},
    "json_junk": {400},
    "json_types": {200, 400},
    "bytes": {400},
    "form_junk": {200, 400},
    "deep": {400},
    "big_string": {200},
    "unsigned": {401},
    "bad_signature": {401},
    "stale": {401},
    "bad_timestamp": {401},
    "odd_route": {404, 405},
}


def run_fuzz(base: str, standin: SlackStandin, count: int, seed: int) -> dict:
    rng = random.Random(seed)
    cases = [fuzz_case(rng, standin.slack_shaped_response_url(f"fz{i}"), i) for i in range(count)]

    def fire(case):
        kind, body, headers, route = case
        method, path = route.split(" ", 1)
        status, _ = send(base + path, body if method != "GET" else b"", headers, method)
        return kind, status

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fire, cases))
    statuses = Counter(status for _, status in results)
    unexpected = Counter((kind, status) for kind, status in results if status not in EXPECTED[kind])
    return {
        "requests": count,
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500 or s <= 0),
        "unexpected": {f"{k}:{s}": n for (k, s), n in unexpected.items()},
    }


# -- the scenarios --------------------------------------------------------------------------------


def command(base: str, text: str, response_url: str, trigger: str, **kw) -> tuple[int, float]:
    body = command_body(text, response_url, trigger_id=trigger).encode()
    form = "application/x-www-form-urlencoded"
    return send(base + "/slack/events", body, signed_headers(body, form), **kw)


def event(base: str, event_payload: dict, event_id: str) -> tuple[int, float]:
    body = event_body(event_payload, event_id).encode()
    return send(base + "/slack/events", body, signed_headers(body, "application/json"))


def half_open_sockets(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
        sockets.append(sock)
    return sockets


def reply_lines(log: str, rid: str) -> list[str]:
    return [line for line in log.splitlines() if f"reply id={rid} " in line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: what model.load() serves)")
    parser.add_argument("--fuzz", type=int, default=2000, help="fuzzed requests (default 2000)")
    parser.add_argument("--idle", type=int, default=300, help="idle half-open sockets")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--keep-log", type=Path, help="copy the bot's log here")
    args = parser.parse_args(argv)

    figures: dict = {}
    bars: dict[str, bool] = {}
    with SlackStandin() as standin, tempfile.TemporaryDirectory() as workdir:
        port = free_port()
        extra = {"MODEL_DIR": str(Path(args.model).resolve())} if args.model else {}
        env = clean_env(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=standin.api_url,
            PORT=str(port),
            HOST="127.0.0.1",
            LOG_LEVEL="INFO",
            # As docs/operations.md advises for a dyno: two malloc arenas (an explicit value wins).
            MALLOC_ARENA_MAX=os.environ.get("MALLOC_ARENA_MAX", "2"),
            **extra,
        )
        log_path = Path(workdir) / "bot.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "http"], cwd=workdir, env=env, stdout=log, stderr=log
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, process)
            figures["rss_start_mb"] = round(worker_rss_mb(process.pid), 1)

            # 1. the payload command
            status, _ = command(
                base,
                "the payload arrived and I love it",
                standin.slack_shaped_response_url("payload"),
                "TrP",
            )
            answered = standin.wait_for("response_url", 1, timeout=10)
            figures["payload_command"] = {"status": status, "answered": bool(answered)}
            bars["payload command answered"] = status == 200 and bool(answered)

            # 2. fuzzing
            started = time.monotonic()
            fuzz = run_fuzz(base, standin, args.fuzz, args.seed)
            fuzz["seconds"] = round(time.monotonic() - started, 1)
            time.sleep(3)  # let replies in flight finish before measuring memory
            fuzz["alive"] = process.poll() is None
            fuzz["rss_after_mb"] = round(worker_rss_mb(process.pid), 1) if fuzz["alive"] else None
            figures["fuzz"] = fuzz
            bars["fuzz: no 5xx, alive"] = fuzz["server_errors"] == 0 and fuzz["alive"]
            bars["fuzz: only expected statuses"] = not fuzz["unexpected"]
            bars[f"fuzz: RSS under {RSS_LIMIT_MB} MB after"] = (
                fuzz["alive"] and fuzz["rss_after_mb"] < RSS_LIMIT_MB
            )

            # 3. a 40 MB unsigned POST
            before = log_path.stat().st_size
            rss_before = worker_rss_mb(process.pid)
            status, seconds = send(
                base + "/slack/events",
                b"text=" + b"A" * 40_000_000,
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            time.sleep(0.5)
            logged = log_path.stat().st_size - before
            figures["post_40mb"] = {
                "status": status,
                "seconds": round(seconds, 3),
                "log_bytes": logged,
                "rss_delta_mb": round(worker_rss_mb(process.pid) - rss_before, 1),
            }
            bars["40 MB POST: 413/401, < 10 KB log"] = (
                status in (401, 413) and logged < LOG_LIMIT_BYTES
            )

            # 4. idle half-open sockets + 50 signed commands
            idle = half_open_sockets(port, args.idle)
            try:
                with ThreadPoolExecutor(max_workers=50) as pool:
                    acks = list(
                        pool.map(
                            lambda i: command(
                                base,
                                f"great {i}",
                                standin.slack_shaped_response_url(f"h{i}"),
                                f"TrH{i}",
                            ),
                            range(50),
                        )
                    )
                health_status, health_seconds = send(base + "/healthz", b"", {}, "GET", timeout=5)
            finally:
                for sock in idle:
                    sock.close()
            figures["half_open"] = {
                "idle_sockets": args.idle,
                "acked_200": sum(s == 200 for s, _ in acks),
                "ack_max_s": round(max(t for _, t in acks), 3),
                "healthz_status": health_status,
                "healthz_s": round(health_seconds, 3),
            }
            bars[f"{args.idle} idle sockets: 50 commands acked < 3 s"] = all(
                s == 200 and t < ACK_LIMIT_SECONDS for s, t in acks
            )

            # 5. faults
            figures["faults"], fault_bars = run_faults(base, standin, log_path)
            bars.update(fault_bars)
            figures["rss_end_mb"] = round(worker_rss_mb(process.pid), 1)
            with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
                metrics = response.read().decode()
            figures["metrics_lines"] = len(metrics.splitlines())
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(40)
                except subprocess.TimeoutExpired:
                    process.kill()
        log_text = log_path.read_text(errors="replace")
        if args.keep_log:
            args.keep_log.write_text(log_text)
        figures["log_bytes_total"] = len(log_text.encode())
        figures["shutdown_logged"] = "shutting down" in log_text
        figures["metrics_summary"] = next(
            (
                line.split(": ", 1)[-1]
                for line in log_text.splitlines()
                if "metrics requests=" in line
            ),
            None,
        )
        bars["no token or secret in the log"] = TOKEN not in log_text and SECRET not in log_text
        # the stand-in's response_urls end in a secret part, like Slack's
        bars["no response_url in the log"] = "s3cretPart" not in log_text

    if args.json:
        print(json.dumps({"figures": figures, "bars": bars}, indent=2))
    else:
        print(json.dumps(figures, indent=2))
        print()
        for name, ok in bars.items():
            print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(bars.values()) else 1


def run_faults(base: str, standin: SlackStandin, log_path: Path) -> tuple[dict, dict]:
    figures: dict = {}
    bars: dict[str, bool] = {}
    rids: list[str] = []

    # 429 with a fractional Retry-After, then 500s
    standin.fail_next("response_url", 429, retry_after="1.5")
    command(base, "great", standin.slack_shaped_response_url("ra"), "TrRetryAfter")
    rids.append("TrRetryAfter")
    standin.fail_next("chat.postMessage", 500, 500)
    event(base, dm_event("great", ts="1700003000.000001"), "EvServerError")
    rids.append("EvServerError")

    # refused connections: a response_url on a port nothing listens on
    dead = free_port()
    command(base, "great", f"http://127.0.0.1:{dead}/commands/T1/1/x", "TrRefused")
    rids.append("TrRefused")

    # a channel whose chat.postMessage stalls 12 s: 32 mentions, then an unrelated command
    standin.stall("chat.postMessage", 12.0, channel="CSTALL")
    for i in range(32):
        payload = mention_event(f"<@{BOT_USER_ID}> great {i}", ts=f"1700004000.{i:06d}")
        payload["channel"] = "CSTALL"
        event(base, payload, f"EvStall{i}")
        rids.append(f"EvStall{i}")
    time.sleep(0.5)
    sent = time.monotonic()
    command(base, "great", standin.slack_shaped_response_url("unrelated"), "TrUnrelated")
    rids.append("TrUnrelated")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
        "/unrelated/" in c.path for c in standin.calls_to("response_url")
    ):
        time.sleep(0.02)
    unrelated = [c for c in standin.calls_to("response_url") if "/unrelated/" in c.path]
    delay = (unrelated[0].at - sent) if unrelated else float("inf")
    figures["unrelated_reply_delay_s"] = round(delay, 3)
    bars["stalled channel delays another reply < 2 s"] = delay < UNRELATED_DELAY_LIMIT_SECONDS

    # every reply ends in exactly one log line with its request id (delivered or not)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        if all(reply_lines(log, rid) for rid in rids):
            break
        time.sleep(0.5)
    standin.stall("chat.postMessage", 0, channel="CSTALL")
    log = log_path.read_text(errors="replace")
    outcomes = Counter()
    missing, duplicated = [], []
    for rid in rids:
        lines = reply_lines(log, rid)
        if not lines:
            missing.append(rid)
        elif len(lines) > 1:
            duplicated.append(rid)
        for line in lines:
            match = re.search(r"outcome=(\w+)", line)
            outcomes[match.group(1) if match else "?"] += 1
    figures["fault_replies"] = {
        "requests": len(rids),
        "outcomes": dict(outcomes),
        "missing_log_line": missing,
        "more_than_one_line": duplicated,
        "retry_after_1_5_delivered": "outcome=delivered"
        in "".join(reply_lines(log, "TrRetryAfter")),
        "server_errors_delivered": "outcome=delivered"
        in "".join(reply_lines(log, "EvServerError")),
        "stall_calls_seen_by_slack": len(
            [c for c in standin.calls if c.body.get("channel") == "CSTALL"]
        ),
    }
    bars["faults: every reply delivered or one log line with its id"] = (
        not missing and not duplicated
    )
    bars["faults: fractional Retry-After and 500s recovered"] = (
        figures["fault_replies"]["retry_after_1_5_delivered"]
        and figures["fault_replies"]["server_errors_delivered"]
    )
    return figures, bars


if __name__ == "__main__":
    sys.exit(main())
