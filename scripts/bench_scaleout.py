"""Benchmark several bot processes sharing one database.

Starts two real ``python -m bot http`` processes (A and B, the real model, the lite runtime) on
two ports, sharing one database (a SQLite file, or PostgreSQL with ``--postgres``: a throwaway
server started here, or ``--database-url``), against a local Slack Web API stand-in, and prints:

* a burst of ``--requests`` concurrent signed ``/sentiment`` commands spread over A and B: ack
  latency p50/p99/max (Slack's limit is 3 s) and replies received (exactly one each);
* ``--events`` events, each delivered to A and then retried three times on B, then once more
  on A after A restarted: how many replies (must equal the number of events);
* memory per process: RSS idle and peak (VmHWM) and PSS, for A, B and a ``WEB_CONCURRENCY=2``
  process tree (gunicorn arbiter + workers), to size a 512 MB dyno.

Exit status 1 if an ack took 3 s or more, or any command or event did not get exactly one reply.

    python -m scripts.bench_scaleout                     # SQLite file
    python -m scripts.bench_scaleout --postgres          # a throwaway PostgreSQL server
    python -m scripts.bench_scaleout --requests 400 --json
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
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from model.serving.config import serving_model_dir
from scripts.bench_support import children, memory_mb, percentile, serving_pids
from tests.harness import (
    SlackStandin,
    clean_env,
    dm_event,
    free_port,
    post_command,
    post_event,
    wait_healthy,
)

ROOT = Path(__file__).resolve().parents[1]

SECRET = "bench-signing-secret"
# A stand-in accepts any bot token; SLACK_BOT_TOKEN from the environment wins if set.
TOKEN = os.environ.get("SLACK_BOT_TOKEN") or "-".join(("xoxb", "bench", "token"))
ACK_LIMIT_SECONDS = 3.0


class BotProcess:
    def __init__(self, name: str, env: dict[str, str], workdir: Path, port: int | None = None):
        self.name = name
        self.port = port or free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.workdir = workdir
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    def start(self, timeout: float = 90) -> float:
        started = time.monotonic()
        with (self.workdir / f"{self.name}.log").open("a") as log:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "bot", "http"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        wait_healthy(self.url, self.popen, timeout=timeout, statuses=("ok",))
        return time.monotonic() - started

    def stop(self) -> int:
        if self.popen is None or self.popen.poll() is not None:
            return self.popen.returncode if self.popen else 0
        self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return -9


def command_burst(standin: SlackStandin, bots: list[BotProcess], n: int) -> dict:
    def fire(i: int):
        target = bots[i % len(bots)].events_url
        return post_command(target, SECRET, f"great movie {i}", standin.response_url(f"c{i}"))

    before = len(standin.calls_to("response_url"))
    started = time.monotonic()
    with ThreadPoolExecutor(min(n, 100)) as pool:
        replies = list(pool.map(fire, range(n)))
    standin.wait_for("response_url", before + n, timeout=120)
    elapsed = time.monotonic() - started
    standin.settle(1.0)
    paths = [c.path for c in standin.calls_to("response_url")[before:]]
    acks = [r.elapsed * 1000 for r in replies]
    return {
        "commands": n,
        "acked_200": sum(r.status == 200 for r in replies),
        "ack_p50_ms": round(percentile(acks, 50), 1),
        "ack_p99_ms": round(percentile(acks, 99), 1),
        "ack_max_ms": round(max(acks), 1),
        "ack_mean_ms": round(statistics.fmean(acks), 1),
        "replies": len(paths),
        "distinct_replies": len(set(paths)),
        "all_replies_in_s": round(elapsed, 2),
    }


def retry_storm(standin: SlackStandin, a: BotProcess, b: BotProcess, n: int) -> dict:
    """Each event: first delivery to A, three retries to B; then A restarts and gets a retry."""
    before = len(standin.calls_to("chat.postMessage"))
    events = [
        (f"EvBench{i}", dm_event(f"good day {i}", ts=f"1700001000.{i:06d}")) for i in range(n)
    ]

    def deliver(item) -> None:
        event_id, event = item
        post_event(a.events_url, SECRET, event, event_id)
        for attempt in (1, 2, 3):
            headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
            post_event(b.events_url, SECRET, event, event_id, extra_headers=headers)

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(deliver, events))
    standin.wait_for("chat.postMessage", before + n, timeout=60)
    a.stop()
    restart_s = a.start()
    headers = {"X-Slack-Retry-Num": "3", "X-Slack-Retry-Reason": "http_timeout"}
    with ThreadPoolExecutor(10) as pool:
        list(
            pool.map(
                lambda item: post_event(
                    a.events_url, SECRET, item[1], item[0], extra_headers=headers
                ),
                events,
            )
        )
    standin.settle(1.5)
    posts = standin.calls_to("chat.postMessage")[before:]
    return {
        "events": n,
        "deliveries": n * 5,
        "replies": len(posts),
        "restart_to_healthy_s": round(restart_s, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(serving_model_dir()), help="model directory")
    parser.add_argument("--requests", type=int, default=200, help="commands in the burst")
    parser.add_argument("--events", type=int, default=50, help="events in the retry storm")
    database = parser.add_mutually_exclusive_group()
    database.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL")
    database.add_argument("--database-url", help="an existing database to share (migrated here)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    model_dir = Path(args.model).resolve()
    if not (model_dir / "manifest.json").is_file():
        print(
            f"error: no trained model at {model_dir}; build one with `make model`", file=sys.stderr
        )
        return 2

    results: dict = {}
    with SlackStandin() as standin, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        workdir.chmod(0o755)
        server = None
        if args.postgres:
            from postgres_server import PostgresServer, PostgresUnavailable

            server = PostgresServer(workdir / "pg")
            try:
                database_url = server.start()
            except PostgresUnavailable as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
        else:
            database_url = args.database_url or f"sqlite:///{workdir / 'shared.sqlite3'}"
        env = clean_env(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=standin.api_url,
            MODEL_DIR=str(model_dir),
            DATABASE_URL=database_url,
            HOST="127.0.0.1",
            LOG_LEVEL="WARNING",
        )
        bots: list[BotProcess] = []
        try:
            migrate = subprocess.run(
                [sys.executable, "-m", "bot", "migrate"],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
            )
            if migrate.returncode != 0:
                print(migrate.stderr, file=sys.stderr)
                return 2
            a, b = BotProcess("a", env, workdir), BotProcess("b", env, workdir)
            bots = [a, b]
            results["database"] = "postgresql" if "postgres" in database_url else "sqlite"
            results["startup_s"] = [round(a.start(), 2), round(b.start(), 2)]
            with urllib.request.urlopen(f"{a.url}/healthz", timeout=5) as response:
                health = json.loads(response.read())
            results["model"] = f"{health.get('model_version')} ({health.get('runtime')})"
            results["idle_memory_mb"] = {
                "a": memory_mb(serving_pids(a.popen.pid)[0]),
                "b": memory_mb(serving_pids(b.popen.pid)[0]),
            }
            results["burst"] = command_burst(standin, bots, args.requests)
            results["after_burst_memory_mb"] = {
                "a": memory_mb(serving_pids(a.popen.pid)[0]),
                "b": memory_mb(serving_pids(b.popen.pid)[0]),
            }
            results["retries"] = retry_storm(standin, a, b, args.events)
            for bot in bots:
                bot.stop()

            multi = BotProcess("multi", {**env, "WEB_CONCURRENCY": "2"}, workdir)
            bots = [multi]
            multi.start()
            command_burst(standin, [multi], 50)
            tree = [multi.popen.pid, *children(multi.popen.pid)]
            results["web_concurrency_2_memory_mb"] = {
                "arbiter": memory_mb(tree[0]),
                "workers": [memory_mb(pid) for pid in tree[1:]],
                "total_rss": round(sum(memory_mb(pid).get("VmRSS", 0) for pid in tree), 1),
                "total_pss": round(sum(memory_mb(pid).get("Pss", 0) for pid in tree), 1),
            }
        finally:
            for bot in bots:
                bot.stop()
            if server is not None:
                server.stop()

    burst, retries = results["burst"], results["retries"]
    ok = (
        burst["ack_max_ms"] < ACK_LIMIT_SECONDS * 1000
        and burst["acked_200"] == burst["commands"]
        and burst["replies"] == burst["distinct_replies"] == burst["commands"]
        and retries["replies"] == retries["events"]
    )
    results["ok"] = ok
    if args.json:
        print(json.dumps(results, indent=2))
        return 0 if ok else 1
    print(
        f"two processes sharing {results['database']}, model {results['model']}; "
        f"started in {results['startup_s']} s"
    )
    print(
        f"burst: {burst['commands']} concurrent /sentiment commands over A and B\n"
        f"  ack p50 {burst['ack_p50_ms']} ms  p99 {burst['ack_p99_ms']} ms  "
        f"max {burst['ack_max_ms']} ms; {burst['acked_200']} acked 200\n"
        f"  replies {burst['replies']} ({burst['distinct_replies']} distinct), "
        f"all in {burst['all_replies_in_s']} s"
    )
    print(
        f"retries: {retries['events']} events x (A + 3 retries on B + 1 on A after restart) = "
        f"{retries['deliveries']} deliveries -> {retries['replies']} replies "
        f"(A back in {retries['restart_to_healthy_s']} s)"
    )
    for name, memory in results["idle_memory_mb"].items():
        after = results["after_burst_memory_mb"][name]
        print(
            f"memory {name}: RSS idle {memory.get('VmRSS')} MB, after burst {after.get('VmRSS')} "
            f"MB, peak {after.get('VmHWM')} MB, PSS {after.get('Pss')} MB"
        )
    multi = results["web_concurrency_2_memory_mb"]
    print(
        f"WEB_CONCURRENCY=2: arbiter {multi['arbiter'].get('VmRSS')} MB + workers "
        f"{[w.get('VmRSS') for w in multi['workers']]} MB = {multi['total_rss']} MB RSS "
        f"({multi['total_pss']} MB PSS, shared pages counted once)"
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
