"""Counters and latency histograms an operator can graph, on prometheus_client.

``GET /metrics`` serves the Prometheus text format. With several worker processes (gunicorn,
``WEB_CONCURRENCY`` > 1) prometheus_client's multiprocess mode is on: every process writes its
values to files in ``PROMETHEUS_MULTIPROC_DIR`` (a fresh directory per start, see
:mod:`bot.runners.http`) and a scrape on any worker adds up all of them, so one scrape counts
every request whichever worker took it. Without that directory (tests, console) the numbers are
this process's.

Latencies are histograms (``sentiment_ack_seconds_bucket``/``_sum``/``_count``; quantiles come
from ``histogram_quantile()`` in Prometheus), which add up across processes; the old per-process
sliding-window summary lines (``quantile="0.5"``) are gone. The one-line log summary
(``summary_line()``, for deployments that only keep logs) keeps this process's recent window.
Labels are a fixed small set (surface, status, outcome, reason); nothing from a message is ever
a label.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import deque

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

disable_created_metrics()  # no *_created series: they do not add up across processes

#: Observations kept per latency series for the log line's percentiles (bounded memory).
WINDOW = 2048
QUANTILES = (0.5, 0.9, 0.99)
#: Histogram buckets (seconds) around Slack's 3 s ack limit.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sentiment_requests_total": ("HTTP requests by route and status", ("route", "status")),
    "sentiment_rejected_total": ("requests refused before reaching Bolt, by reason", ("reason",)),
    "sentiment_acks_total": (
        "Slack requests acknowledged (2xx from Bolt), by surface",
        ("surface",),
    ),
    "sentiment_replies_total": (
        "replies by surface and outcome: delivered, failed, unknown, expired",
        ("surface", "outcome"),
    ),
    "sentiment_truncated_texts_total": ("texts cut to the size limit before scoring", ()),
}
HISTOGRAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sentiment_ack_seconds": ("time from request received to HTTP response", ("surface",)),
    "sentiment_reply_seconds": ("time from request received to reply outcome", ("surface",)),
}
#: Allowed label values; anything else is recorded as "other".
SURFACES = frozenset(
    {"command", "app_mention", "message", "event", "url_verification", "interactive", "other"}
)


def surface_label(surface: str | None) -> str:
    """Clamp a surface name to the known set (bounded cardinality)."""
    return surface if surface in SURFACES else "other"


def multiprocess_dir() -> str | None:
    """The directory of prometheus_client's multiprocess mode, if it is on in this process."""
    return os.environ.get(MULTIPROC_ENV) or None


def _quantile(ordered: list[float], q: float) -> float:
    """Nearest-rank quantile of a sorted, non-empty list."""
    rank = max(1, min(len(ordered), math.ceil(q * len(ordered))))
    return ordered[rank - 1]


def _key(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


class Metrics:
    """The bot's metrics in their own registry (tests build their own instance)."""

    def __init__(self, window: int = WINDOW) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.counters = {
            name: Counter(name, text, labels, registry=self.registry)
            for name, (text, labels) in COUNTERS.items()
        }
        self.histograms = {
            name: Histogram(name, text, labels, buckets=BUCKETS, registry=self.registry)
            for name, (text, labels) in HISTOGRAMS.items()
        }
        self.uptime = Gauge(
            "sentiment_uptime_seconds",
            "seconds since the oldest live process started",
            registry=self.registry,
            multiprocess_mode="livemax",
        )
        self.started = time.time()
        self._lock = threading.Lock()
        self._counts: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
        self._windows: dict[str, dict[tuple[tuple[str, str], ...], deque[float]]] = {}
        self._window = window

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        counter = self.counters[name]
        (counter.labels(**labels) if labels else counter).inc(amount)
        with self._lock:
            series = self._counts.setdefault(name, {})
            series[_key(labels)] = series.get(_key(labels), 0.0) + amount

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        self.histograms[name].labels(**labels).observe(seconds)
        with self._lock:
            windows = self._windows.setdefault(name, {})
            window = windows.get(_key(labels))
            if window is None:
                window = windows[_key(labels)] = deque(maxlen=self._window)
            window.append(seconds)

    def count(self, name: str, **labels: str) -> float:
        """This process's count for exactly these labels (0 if never incremented)."""
        with self._lock:
            return self._counts.get(name, {}).get(_key(labels), 0.0)

    def total(self, name: str) -> float:
        """This process's counter summed over all its labels."""
        with self._lock:
            return sum(self._counts.get(name, {}).values())

    def quantiles(self, name: str, **labels: str) -> dict[float, float]:
        """{q: seconds} over this process's recent window (empty if nothing observed)."""
        with self._lock:
            ordered = sorted(self._windows.get(name, {}).get(_key(labels), ()))
        return {q: _quantile(ordered, q) for q in QUANTILES} if ordered else {}

    def render(self) -> str:
        """The Prometheus text format: every live and exited worker's values when several
        processes share a multiprocess directory, else this registry's."""
        self.uptime.set(time.time() - self.started)
        directory = multiprocess_dir()
        if directory is None:
            return generate_latest(self.registry).decode()
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry).decode()

    def summary_line(self) -> str:
        """One log line with this process's totals and recent latencies (log-only deployments)."""

        def ms(name: str) -> str:
            with self._lock:
                ordered = sorted(v for w in self._windows.get(name, {}).values() for v in w)
            if not ordered:
                return "-"
            return "/".join(f"{_quantile(ordered, q) * 1000:.0f}" for q in QUANTILES)

        with self._lock:
            replies = {
                outcome: sum(
                    v
                    for key, v in self._counts.get("sentiment_replies_total", {}).items()
                    if ("outcome", outcome) in key
                )
                for outcome in ("delivered", "failed", "unknown", "expired")
            }
        return (
            f"metrics requests={self.total('sentiment_requests_total'):.0f} "
            f"rejected={self.total('sentiment_rejected_total'):.0f} "
            f"acks={self.total('sentiment_acks_total'):.0f} "
            + " ".join(f"replies_{k}={v:.0f}" for k, v in replies.items())
            + f" ack_ms_p50/p90/p99={ms('sentiment_ack_seconds')}"
            f" reply_ms_p50/p90/p99={ms('sentiment_reply_seconds')}"
        )


def mark_process_dead(pid: int) -> None:
    """A worker exited: drop its live gauges (its counters stay in the totals)."""
    if multiprocess_dir() is not None:
        prometheus_multiprocess.mark_process_dead(pid)


#: The process's metrics: everything in the bot records here.
METRICS = Metrics()

#: How often the one-line summary is logged while there is traffic.
SUMMARY_INTERVAL_SECONDS = 300.0
_summary_started = threading.Event()


def start_summary_log(
    metrics: Metrics = METRICS, interval: float = SUMMARY_INTERVAL_SECONDS
) -> bool:
    """Log ``metrics.summary_line()`` every ``interval`` seconds when requests came in since the
    last line (for deployments that keep logs but scrape nothing). Once per process for the
    process's registry."""
    if metrics is METRICS:
        if _summary_started.is_set():
            return False
        _summary_started.set()
    log = logging.getLogger("bot.metrics")

    def loop() -> None:
        seen = metrics.total("sentiment_requests_total")
        while True:
            time.sleep(interval)
            now = metrics.total("sentiment_requests_total")
            if now != seen:
                log.info("%s", metrics.summary_line())
                seen = now

    threading.Thread(target=loop, name="metrics-summary", daemon=True).start()
    return True
