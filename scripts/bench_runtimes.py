"""Benchmark the two runtimes side by side: ``python scripts/bench_runtimes.py [--model DIR]``.

Without ``--model`` it measures the model ``model.load()`` serves (the bundled one on a fresh
clone: lite only, since the bundle carries no SavedModel; ``--model artifacts/model`` after
``make model`` gives both columns).

For each of ``lite`` (NumPy) and ``tensorflow`` it measures, in fresh processes:
  * process start -> first prediction (wall time from spawn to the first answer),
  * peak RSS (VmHWM) of a serving process: the whole bot in HTTP mode, answering signed
    slash commands whose replies go to a local sink,
  * one-message latency p50 / p99 (``predict([text])``, 1,000 calls),
  * 1,000-message batch throughput (``predict(texts)``, best of 5),
then prints both columns and the tensorflow / lite ratios. Figures, not pass/fail: this is a
benchmark, so noisy machines do not make tests flaky.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from model.serving.config import serving_model_dir

ROOT = Path(__file__).resolve().parents[1]
RUNTIMES = ("lite", "tensorflow")
SIGNING_SECRET = "bench-signing-secret"

MESSAGES = [
    "I loved every minute of it",
    "A dull, lifeless mess",
    "what a wonderful day",
    "the deploy failed again, this is so frustrating",
    "great job on the release everyone!",
    "meh, it was fine I guess",
    "This is the worst meeting of the week",
    "thanks so much, really appreciate the help",
    "not bad at all",
    "terrible, boring, awful",
]

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import model
classifier = model.load(sys.argv[1], runtime=sys.argv[2])
classifier.predict(["warm-up"])
print("FIRST", flush=True)
messages = json.loads(sys.argv[3])
texts = [f"{messages[i % len(messages)]} #{i}" for i in range(1000)]
latencies = []
for text in texts:
    start = time.perf_counter()
    classifier.predict([text])
    latencies.append(time.perf_counter() - start)
latencies.sort()
runs = []
for _ in range(5):
    start = time.perf_counter()
    classifier.predict(texts)
    runs.append(time.perf_counter() - start)
print(json.dumps({"p50_ms": latencies[499] * 1e3, "p99_ms": latencies[989] * 1e3,
                  "throughput_per_s": len(texts) / min(runs)}), flush=True)
"""


def measure_predictions(model_dir: str, runtime: str) -> dict:
    """Start -> first prediction, latency and throughput, in one fresh process."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, model_dir, runtime, json.dumps(MESSAGES)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = child.stdout.readline()
    first_s = time.perf_counter() - started
    if first.strip() != "FIRST":
        raise SystemExit(f"{runtime}: child failed: {child.stderr.read()[-2000:]}")
    figures = json.loads(child.stdout.readline())
    child.wait(timeout=600)
    return {"start_to_first_prediction_s": first_s, **figures}


class _Sink(BaseHTTPRequestHandler):
    """Receives the bot's response_url replies."""

    received = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with _Sink.lock:
            _Sink.received += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _signed_command(port: int, text: str, response_url: str) -> int:
    body = urllib.parse.urlencode(
        {
            "command": "/sentiment",
            "text": text,
            "response_url": response_url,
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": "T1",
            "trigger_id": "1.2",
        }
    )
    timestamp = str(int(time.time()))
    digest = hmac.new(
        SIGNING_SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256
    ).hexdigest()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def measure_serving_rss(model_dir: str, runtime: str, commands: int = 50) -> dict:
    """Peak RSS of ``python -m bot http`` after loading and answering ``commands`` commands."""
    sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    _Sink.received = 0
    port = _free_port()
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MODEL_DIR": model_dir,
        "MODEL_RUNTIME": runtime,
        "PORT": str(port),
        # The local sink accepts any token; an environment SLACK_BOT_TOKEN wins if set.
        "SLACK_BOT_TOKEN": os.environ.get("SLACK_BOT_TOKEN") or "-".join(("xoxb", "bench")),
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "LOG_LEVEL": "WARNING",
        "SLACK_API_URL": f"http://127.0.0.1:{sink.server_address[1]}/api/",
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "http"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if bot.poll() is not None or time.time() > deadline:
                raise SystemExit(f"bot did not become healthy: {bot.stderr.read()[-2000:]}")
            time.sleep(0.1)
        response_url = f"http://127.0.0.1:{sink.server_address[1]}/response"
        for i in range(commands):
            _signed_command(port, f"{MESSAGES[i % len(MESSAGES)]} #{i}", response_url)
        deadline = time.time() + 30
        while _Sink.received < commands and time.time() < deadline:
            time.sleep(0.05)
        status = Path(f"/proc/{bot.pid}/status").read_text()
        peak_kb = int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
        )
        return {"serving_peak_rss_mb": peak_kb / 1024, "replies": _Sink.received}
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        sink.shutdown()


def available_runtimes(model_dir: Path) -> list[str]:
    """lite when the model has a portable form; tensorflow when it has a SavedModel and TF is
    installed (the bundled model ships the portable form only)."""
    import importlib.util

    found = ["lite"] if (model_dir / "portable").is_dir() else []
    if (model_dir / "saved_model").is_dir() and importlib.util.find_spec("tensorflow"):
        found.append("tensorflow")
    if not found:
        raise SystemExit(f"error: no model at {model_dir}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model",
        default=str(serving_model_dir()),
        help="model directory (default: what model.load() serves: $MODEL_DIR, else "
        "artifacts/model when built, else the bundled model, which has no TensorFlow form)",
    )
    parser.add_argument("--json", action="store_true", help="print figures as JSON too")
    args = parser.parse_args(argv)
    results = {}
    runtimes = available_runtimes(Path(args.model))
    for runtime in runtimes:
        print(f"measuring {runtime} ...", file=sys.stderr, flush=True)
        results[runtime] = {
            **measure_predictions(args.model, runtime),
            **measure_serving_rss(args.model, runtime),
        }
    rows = [
        ("start -> first prediction (s)", "start_to_first_prediction_s", "{:.3f}"),
        ("serving peak RSS, whole bot (MB)", "serving_peak_rss_mb", "{:.0f}"),
        ("one message p50 (ms)", "p50_ms", "{:.3f}"),
        ("one message p99 (ms)", "p99_ms", "{:.3f}"),
        ("1,000-message batch (msg/s)", "throughput_per_s", "{:,.0f}"),
    ]
    print(f"\nmodel: {args.model}")
    print(f"{'':34}{'lite':>12}{'tensorflow':>12}{'tf / lite':>11}")
    for label, key, fmt in rows:
        cells = [fmt.format(results[r][key]) if r in results else "n/a" for r in RUNTIMES]
        ratio = (
            f"{results['tensorflow'][key] / results['lite'][key]:>10.1f}x"
            if len(results) == 2
            else f"{'':>11}"
        )
        print(f"{label:34}{cells[0]:>12}{cells[1]:>12}{ratio}")
    replies = ", ".join(f"{r} {results[r]['replies']}" for r in runtimes)
    print(f"replies received: {replies} (of 50 each)")
    if "tensorflow" not in runtimes:
        print("tensorflow: n/a (this model has no SavedModel or TensorFlow is not installed)")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
