"""Process-wide counters and latency summaries an operator can graph.

Exposed two ways, both without a dependency: ``GET /metrics`` in the Prometheus text format
(counters plus a summary with p50/p90/p99 over a sliding window of recent observations), and a
one-line log summary (``summary_line()``) for deployments that only keep logs. The numbers are
per process (one web dyno = one series). Labels are a fixed, small set (surface, status, outcome)
so an attacker cannot blow up the series count; nothing from a message is ever a label.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable

#: Observations kept per latency series for the quantiles (a sliding window, bounded memory).
WINDOW = 2048
QUANTILES = (0.5, 0.9, 0.99)

HELP = {
    "sentiment_requests_total": "HTTP requests by route and status",
    "sentiment_rejected_total": "requests refused before reaching Bolt, by reason",
    "sentiment_acks_total": "Slack requests acknowledged (2xx from Bolt), by surface",
    "sentiment_replies_total": (
        "replies by surface and outcome: delivered, failed, unknown, expired"
    ),
    "sentiment_ack_seconds": "time from request received to HTTP response, by surface",
    "sentiment_reply_seconds": "time from request received to reply outcome, by surface",
    "sentiment_truncated_texts_total": "texts cut to the size limit before scoring",
}
#: Allowed label values; anything else is recorded as "other".
SURFACES = frozenset(
    {"command", "app_mention", "message", "event", "url_verification", "interactive", "other"}
)

Labels = tuple[tuple[str, str], ...]


def _quantile(ordered: list[float], q: float) -> float:
    """Nearest-rank quantile of a sorted, non-empty list."""
    rank = max(1, min(len(ordered), math.ceil(q * len(ordered))))
    return ordered[rank - 1]


def surface_label(surface: str | None) -> str:
    """Clamp a surface name to the known set (bounded cardinality)."""
    return surface if surface in SURFACES else "other"


class Metrics:
    """Thread-safe counters and windowed latency summaries."""

    def __init__(self, window: int = WINDOW) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, dict[Labels, float]] = defaultdict(dict)
        self._latency: dict[str, dict[Labels, deque[float]]] = defaultdict(dict)
        self._latency_sum: dict[str, dict[Labels, float]] = defaultdict(dict)
        self._latency_count: dict[str, dict[Labels, int]] = defaultdict(dict)
        self._window = window
        self.started = time.time()

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            series = self._counters[name]
            series[key] = series.get(key, 0.0) + amount

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            window = self._latency[name].get(key)
            if window is None:
                window = self._latency[name][key] = deque(maxlen=self._window)
            window.append(seconds)
            self._latency_sum[name][key] = self._latency_sum[name].get(key, 0.0) + seconds
            self._latency_count[name][key] = self._latency_count[name].get(key, 0) + 1

    def count(self, name: str, **labels: str) -> float:
        """The counter's value for exactly these labels (0 if never incremented)."""
        key = tuple(sorted(labels.items()))
        with self._lock:
            return self._counters.get(name, {}).get(key, 0.0)

    def total(self, name: str) -> float:
        """The counter summed over all its labels."""
        with self._lock:
            return sum(self._counters.get(name, {}).values())

    def quantiles(self, name: str, **labels: str) -> dict[float, float]:
        """{q: seconds} over the recent window for these labels (empty if nothing observed)."""
        key = tuple(sorted(labels.items()))
        with self._lock:
            ordered = sorted(self._latency.get(name, {}).get(key, ()))
        return {q: _quantile(ordered, q) for q in QUANTILES} if ordered else {}

    def _all_latencies(self, name: str) -> list[float]:
        with self._lock:
            return sorted(v for window in self._latency.get(name, {}).values() for v in window)

    def render(self) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        lines: list[str] = []
        with self._lock:
            counters = {name: dict(series) for name, series in self._counters.items()}
            windows = {
                name: {key: sorted(w) for key, w in series.items()}
                for name, series in self._latency.items()
            }
            sums = {name: dict(s) for name, s in self._latency_sum.items()}
            counts = {name: dict(s) for name, s in self._latency_count.items()}
        for name in sorted(counters):
            lines.append(f"# HELP {name} {HELP.get(name, name)}")
            lines.append(f"# TYPE {name} counter")
            for key, value in sorted(counters[name].items()):
                lines.append(f"{name}{_labels(key)} {_number(value)}")
        for name in sorted(windows):
            lines.append(f"# HELP {name} {HELP.get(name, name)}")
            lines.append(f"# TYPE {name} summary")
            for key, ordered in sorted(windows[name].items()):
                for q in QUANTILES:
                    quantile = (*key, ("quantile", str(q)))
                    lines.append(f"{name}{_labels(quantile)} {_number(_quantile(ordered, q))}")
                lines.append(f"{name}_sum{_labels(key)} {_number(sums[name][key])}")
                lines.append(f"{name}_count{_labels(key)} {counts[name][key]}")
        lines.append("# HELP sentiment_uptime_seconds seconds since the process started")
        lines.append("# TYPE sentiment_uptime_seconds gauge")
        lines.append(f"sentiment_uptime_seconds {_number(time.time() - self.started)}")
        return "\n".join(lines) + "\n"

    def summary_line(self) -> str:
        """One log line with the totals and overall latencies (for log-only deployments)."""

        def ms(name: str) -> str:
            ordered = self._all_latencies(name)
            if not ordered:
                return "-"
            return "/".join(f"{_quantile(ordered, q) * 1000:.0f}" for q in QUANTILES)

        replies = {
            outcome: self._sum_where("sentiment_replies_total", "outcome", outcome)
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

    def _sum_where(self, name: str, label: str, value: str) -> float:
        with self._lock:
            return sum(
                v for key, v in self._counters.get(name, {}).items() if (label, value) in key
            )


def _labels(key: Iterable[tuple[str, str]]) -> str:
    pairs = list(key)
    if not pairs:
        return ""
    escaped = (
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in pairs
    )
    return "{" + ",".join(escaped) + "}"


def _number(value: float) -> str:
    return f"{value:.6g}" if isinstance(value, float) and not value.is_integer() else f"{value:.0f}"


#: The process's registry: everything in the bot records here; tests may build their own.
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
