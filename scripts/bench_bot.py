"""Benchmark the Slack bot under a burst of slash commands.

Starts ``python -m bot`` (HTTP mode, the real model from ``--model``) against a local Slack Web
API stand-in, fires ``--requests`` signed ``/sentiment`` commands at once, and prints:

* start-up time until ``/healthz`` answers 200 (Heroku allows 60 s to bind, the bot binds first);
* ack latency p50/p99/max (Slack's limit is 3 s);
* reply latency p50/p99/max: request sent → reply received on its ``response_url``;
* the bot process's peak memory (VmHWM from /proc/<pid>/status) and current RSS.

Exit status 1 if an ack took 3 s or more, or any command did not get exactly one reply.

    python -m scripts.bench_bot                 # the model `model.load()` serves (bundled)
    python -m scripts.bench_bot --model artifacts/model --requests 200 --json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from model.serving.config import serving_model_dir
from scripts.bench_support import memory_mb, percentile, serving_pids
from tests.harness import SlackStandin, clean_env, free_port, post_command, wait_healthy

ROOT = Path(__file__).resolve().parents[1]

SECRET = "bench-signing-secret"
# A stand-in accepts any bot token; SLACK_BOT_TOKEN from the environment wins if set.
TOKEN = os.environ.get("SLACK_BOT_TOKEN") or "-".join(("xoxb", "bench", "token"))
ACK_LIMIT_SECONDS = 3.0


def summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "p50_ms": round(percentile(ms, 50), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        default=str(serving_model_dir()),
        help="model directory (default: what model.load() serves: $MODEL_DIR, else "
        "artifacts/model when built, else the bundled model)",
    )
    parser.add_argument("--requests", type=int, default=50, help="commands in the burst")
    parser.add_argument("--startup-timeout", type=float, default=90)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    model_dir = Path(args.model).resolve()
    if not (model_dir / "manifest.json").is_file():
        print(
            f"error: no trained model at {model_dir}; build one with `make model`", file=sys.stderr
        )
        return 2

    with SlackStandin() as standin, tempfile.TemporaryDirectory() as workdir:
        port = free_port()
        env = clean_env(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=standin.api_url,
            MODEL_DIR=str(model_dir),
            PORT=str(port),
            HOST="127.0.0.1",
            LOG_LEVEL="WARNING",
        )
        log_path = Path(workdir) / "bot.log"
        started = time.monotonic()
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot"], cwd=workdir, env=env, stdout=log, stderr=log
            )
        url = f"http://127.0.0.1:{port}"
        try:
            health = wait_healthy(url, process, args.startup_timeout)
            startup = time.monotonic() - started
            idle_memory = memory_mb(serving_pids(process.pid)[0])

            n = args.requests
            sent_at: dict[str, float] = {}

            def fire(i: int):
                name = f"bench-{i}"
                sent_at[f"/response/{name}"] = time.monotonic()
                return post_command(
                    f"{url}/slack/events",
                    SECRET,
                    f"The film was {'wonderful' if i % 2 else 'a boring mess'} (take {i})",
                    standin.response_url(name),
                )

            with ThreadPoolExecutor(max_workers=n) as pool:
                replies = list(pool.map(fire, range(n)))
            standin.wait_for("response_url", n, timeout=60)
            standin.settle(1.0)
            memory = memory_mb(serving_pids(process.pid)[0])
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()

    calls = standin.calls_to("response_url")
    per_url: dict[str, list[float]] = {}
    for call in calls:
        per_url.setdefault(call.path, []).append(call.at)
    reply_latency = [min(at) - sent_at[path] for path, at in per_url.items() if path in sent_at]
    ack_latency = [r.elapsed for r in replies]
    failed_acks = sum(1 for r in replies if r.status != 200)
    duplicates = sum(len(at) - 1 for at in per_url.values())
    missing = n - len(per_url)

    results = {
        "requests": n,
        "model": {k: health.get(k) for k in ("model_version", "runtime", "test_accuracy")},
        "startup_s": round(startup, 2),
        "ack": summary(ack_latency),
        "reply": summary(reply_latency) if reply_latency else None,
        "failed_acks": failed_acks,
        "missing_replies": missing,
        "duplicate_replies": duplicates,
        "peak_rss_mb": round(memory.get("VmHWM", 0.0), 1),
        "rss_mb": round(memory.get("VmRSS", 0.0), 1),
        "idle_rss_mb": round(idle_memory.get("VmRSS", 0.0), 1),
    }
    ok = (
        failed_acks == 0
        and missing == 0
        and duplicates == 0
        and max(ack_latency) < ACK_LIMIT_SECONDS
    )
    if args.json:
        print(json.dumps({**results, "ok": ok}, indent=2))
    else:
        model = results["model"]
        print(
            f"bot: model {model['model_version']} ({model['runtime']}), "
            f"started in {results['startup_s']} s"
        )
        print(f"burst: {n} concurrent /sentiment commands")
        for name in ("ack", "reply"):
            s = results[name] or {}
            print(
                f"  {name:5} latency  p50 {s.get('p50_ms')} ms   p99 {s.get('p99_ms')} ms   "
                f"max {s.get('max_ms')} ms"
            )
        print(
            f"  replies: {n - missing}/{n} received, {duplicates} duplicates, "
            f"{failed_acks} failed acks"
        )
        print(
            f"memory: peak RSS (VmHWM) {results['peak_rss_mb']} MB, "
            f"RSS after burst {results['rss_mb']} MB, idle {results['idle_rss_mb']} MB"
        )
        print("OK" if ok else "FAILED: see above (acks must be < 3 s, one reply per command)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
