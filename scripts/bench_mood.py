"""Benchmark channel watching: ack latency with and without counting, and memory.

Starts ``python -m bot`` (HTTP mode, the real model; the bundled one by default) against a local
Web API stand-in and a fresh database in which one channel is watched, then sends, over
``--connections`` concurrent connections, bursts of ``--events`` signed ``message.channels``
events into an unwatched and a watched channel (after a warm-up; by default in the order
unwatched, watched, watched, unwatched, so both see the same drift in machine load), and prints:

* ack latency p50/p99/max per burst, and the watched/unwatched p99 ratio (bar: at most 1.5x,
  and under Slack's 3 s: scoring and counting happen after the ack);
* how long until every watched message was counted (read from the database), and that each was
  counted exactly once;
* the bot's peak RSS (VmHWM from /proc; bar: at most 110 MB).

Exit status 1 when a bar is missed.

    python -m scripts.bench_mood
    python -m scripts.bench_mood --events 200 --connections 20 --database-url postgresql://…
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.db import Database
from bot.db.schema import migrate
from bot.watch.store import WatchStore
from bot.watch.tables import hourly_counts
from model.serving.config import serving_model_dir
from scripts.bench_bot import summary
from scripts.bench_support import memory_mb, percentile
from tests.harness import (
    REAL_BOT,
    SIGNING_SECRET,
    TEAM_ID,
    SlackStandin,
    launch_bot,
    post_event,
    wait_healthy,
)

WATCHED, UNWATCHED = "C0WATCH01", "C0QUIET01"
RATIO_LIMIT = 1.5
ACK_LIMIT_SECONDS = 3.0
RSS_LIMIT_MB = 110.0
SENTENCES = (
    "The release went out smoothly, great work everyone",
    "This build keeps failing and it is really frustrating",
    "Can someone review my pull request when you have time",
    "I love how quickly support answered the customer",
    "The meeting moved to 3pm tomorrow",
    "Honestly this outage was a terrible experience for our users",
)


def message(i: int, channel: str) -> dict:
    ts = f"{time.time():.6f}"
    text = f"{SENTENCES[i % len(SENTENCES)]} ({i})"
    return {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": "U0MEMBER1",
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }


RUN = f"{time.time():.0f}"  # event ids are claimed for an hour: a new set per run


def burst(url: str, channel: str, start: int, n: int, connections: int) -> list[float]:
    """Send ``n`` events into ``channel`` over ``connections`` threads; their ack times (s)."""

    def fire(i: int) -> float:
        event_id = f"EvBench{RUN}{channel}{i}"
        reply = post_event(url, SIGNING_SECRET, message(i, channel), event_id)
        if reply.status != 200:
            raise RuntimeError(f"event {i} answered {reply.status}")
        return reply.elapsed

    with ThreadPoolExecutor(connections) as pool:
        return list(pool.map(fire, range(start, start + n)))


def counted(database: Database) -> int:
    with database.engine.connect() as connection:
        rows = connection.execute(hourly_counts.select()).all()
    return sum(r.positive + r.negative + r.neutral for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(serving_model_dir()), help="model directory")
    parser.add_argument("--events", type=int, default=200, help="events per burst")
    parser.add_argument("--connections", type=int, default=20, help="concurrent connections")
    parser.add_argument("--warmup", type=int, default=20, help="events into each channel first")
    parser.add_argument(
        "--rounds", type=int, default=2, choices=(1, 2), help="1: U W; 2: U W W U (default)"
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    with SlackStandin() as standin, tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        database = Database(url)
        migrate(database)
        store = WatchStore(database)
        store.forget_team(TEAM_ID)
        store.watch(TEAM_ID, WATCHED)
        process = launch_bot(
            standin,
            Path(workdir),
            "bench",
            command=REAL_BOT,
            args=("http",),
            DATABASE_URL=url,
            MODEL_DIR=str(Path(args.model).resolve()),
            LOG_LEVEL="WARNING",
        )
        try:
            wait_healthy(process.url, process.popen)
            n, c = args.events, args.connections
            burst(process.events_url, UNWATCHED, 0, args.warmup, c)
            burst(process.events_url, WATCHED, 500, args.warmup, c)
            quiet: list[float] = []
            watched: list[float] = []
            before = time.monotonic()
            # unwatched, watched, watched, unwatched: both see the same drift in machine load
            for r, channel in enumerate(
                (UNWATCHED, WATCHED, WATCHED, UNWATCHED)[: 2 * args.rounds]
            ):
                acks = burst(process.events_url, channel, 1000 * (r + 1), n, c)
                (watched if channel == WATCHED else quiet).extend(acks)
                time.sleep(0.5)
            total = args.warmup + len(watched)
            deadline = time.monotonic() + 120
            while counted(database) < total and time.monotonic() < deadline:
                time.sleep(0.05)
            counted_after = time.monotonic() - before
            standin.settle(1.0)
            final_count = counted(database)
            memory = memory_mb(process.pid)
        finally:
            status = process.stop()
            log_tail = process.log().splitlines()[-20:]
            store.forget_team(TEAM_ID)
            database.dispose()

    ratio = percentile(watched, 99) / max(percentile(quiet, 99), 1e-6)
    results = {
        "events_per_burst": n,
        "bursts_per_channel": args.rounds,
        "connections": c,
        "unwatched_ack": summary(quiet),
        "watched_ack": summary(watched),
        "p99_ratio": round(ratio, 2),
        "all_counted_after_s": round(counted_after, 2),
        "counted": final_count,
        "expected_counted": total,
        "peak_rss_mb": memory.get("VmHWM"),
        "rss_mb": memory.get("VmRSS"),
        "exit_status": status,
    }
    bars = {
        f"watched ack p99 <= {RATIO_LIMIT}x unwatched": ratio <= RATIO_LIMIT,
        f"every ack < {ACK_LIMIT_SECONDS:.0f} s": max(quiet + watched) < ACK_LIMIT_SECONDS,
        "each watched message counted once": final_count == total,
        f"peak RSS <= {RSS_LIMIT_MB:.0f} MB": (memory.get("VmHWM") or 1e9) <= RSS_LIMIT_MB,
    }
    ok = all(bars.values())
    if not ok:
        print("\n".join(["bot log (last lines):", *log_tail]), file=sys.stderr)
    if args.json:
        print(json.dumps({**results, "bars": bars, "ok": ok}, indent=2))
    else:
        for name in ("unwatched_ack", "watched_ack"):
            s = results[name]
            print(
                f"{name:14} p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  max {s['max_ms']} ms "
                f"({args.rounds} x {n} events, {c} connections)"
            )
        print(f"p99 ratio watched/unwatched: {results['p99_ratio']}")
        print(
            f"counted {final_count}/{total} watched messages, all within "
            f"{results['all_counted_after_s']} s of the burst's start"
        )
        print(f"peak RSS (VmHWM) {results['peak_rss_mb']} MB, RSS at the end {results['rss_mb']}")
        for name, passed in bars.items():
            print(f"  {'ok  ' if passed else 'FAIL'} {name}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
