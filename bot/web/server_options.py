"""waitress options that keep slow, idle or oversized clients from taking the server down.

waitress's defaults allowed 100 connections, closed idle ones after 120 s and used ``select()``:
about 98 sockets that sent half a request and stopped made every signed command and ``/healthz``
wait until they timed out. Idle and half-open sockets cost waitress one channel (a few KB),
not a worker thread (requests reach the threads only once complete), so the cure is a higher
connection limit, a short idle timeout, and ``poll()`` (``select()`` fails above 1,024 file
descriptors). Measured with ``scripts/bench_attack.py``: 300 idle half-open sockets, then 50
signed commands, all acked well within Slack's 3 s.

Remaining limit, by design: more than ``connection_limit`` sockets held open at once, each
sending a byte more often than ``channel_timeout``, still fills the server; that is a flood for
the platform in front (Heroku's router, a load balancer), not something one process can absorb.
"""

from __future__ import annotations

import functools
import logging
import resource
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.metrics import METRICS, Metrics, start_summary_log

log = logging.getLogger("bot.http")

DEFAULT_CONNECTION_LIMIT = 1000
DEFAULT_IDLE_TIMEOUT_SECONDS = 15
#: How often waitress looks for idle channels (its default, 30 s, would add up to 30 s).
CLEANUP_INTERVAL_SECONDS = 2
#: Slack's request headers are well under 8 KB.
MAX_HEADER_BYTES = 32 * 1024
#: File descriptors the process needs besides client sockets (listener, model, logs, Slack).
_SPARE_FDS = 64


def fit_connection_limit(wanted: int) -> int:
    """``wanted``, or what RLIMIT_NOFILE allows after raising the soft limit as far as we may."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        needed = wanted + _SPARE_FDS
        if soft != resource.RLIM_INFINITY and soft < needed:
            target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    except (ValueError, OSError):  # not permitted here: keep what we have
        return wanted
    if soft != resource.RLIM_INFINITY and soft < wanted + _SPARE_FDS:
        fitted = max(16, soft - _SPARE_FDS)
        log.warning(
            "open-file limit %d allows only %d connections (wanted %d); raise `ulimit -n`",
            soft,
            fitted,
            wanted,
        )
        return fitted
    return wanted


def waitress_options(
    *,
    max_body_bytes: int,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """Keyword arguments for ``waitress.create_server`` (on top of host, port, threads)."""
    return {
        "connection_limit": fit_connection_limit(connection_limit),
        "channel_timeout": idle_timeout,
        "cleanup_interval": min(CLEANUP_INTERVAL_SECONDS, idle_timeout),
        # waitress answers 413 itself, before reading, when Content-Length >= this.
        "max_request_body_size": max_body_bytes + 1,
        "max_request_header_size": MAX_HEADER_BYTES,
        "asyncore_use_poll": True,
        "backlog": 1024,
    }


#: After refusing a body (413), how long and how much of the rest of it is read and dropped.
LINGER_SECONDS = 3.0
LINGER_MAX_BYTES = 64 * 1024 * 1024


def _lingering_channel_class() -> type:
    """waitress's HTTPChannel that, after a 413, drains the client's body before closing.

    waitress answers 413 before reading the body (good: no memory, no disk) and then closes the
    socket with the client's unread bytes in it, which makes the kernel send a reset; a client
    still uploading (Python's urllib, curl without ``Expect``) then sees "connection reset"
    instead of the 413. Like nginx's ``lingering_close``, this half-closes after the response and
    reads and drops what is still coming, for at most ``LINGER_SECONDS`` / ``LINGER_MAX_BYTES``,
    so the client reads its 413. Dropped bytes are never stored.
    """
    import socket
    import time

    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.utilities import RequestEntityTooLarge

    class LingeringChannel(HTTPChannel):
        linger_until: float | None = None
        lingered = 0
        refused_body = False

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            channel = self

            class Parser(HTTPRequestParser):
                def received(self, data: bytes) -> int:
                    consumed = super().received(data)
                    if isinstance(self.error, RequestEntityTooLarge) and not channel.refused_body:
                        channel.refused_body = True
                        METRICS.inc("sentiment_rejected_total", reason="body too large")
                        log.info(
                            "rejected status=413 reason='body too large' bytes=%s",
                            self.content_length or "chunked",
                        )
                    return consumed

            self.parser_class = Parser
            super().__init__(*args, **kwargs)

        def handle_close(self) -> None:
            if self.linger_until is None and self.refused_body and self.connected:
                try:
                    self.socket.shutdown(socket.SHUT_WR)
                except OSError:
                    return super().handle_close()
                self.linger_until = time.monotonic() + LINGER_SECONDS
                self.will_close = False
                return
            super().handle_close()

        def readable(self) -> bool:
            return True if self.linger_until is not None else super().readable()

        def writable(self) -> bool:
            if self.linger_until is not None:
                return self.will_close  # maintenance (idle timeout) can still close it
            return super().writable()

        def handle_write(self) -> None:
            if self.linger_until is not None:
                return super().handle_close()
            super().handle_write()

        def handle_read(self) -> None:
            if self.linger_until is None:
                return super().handle_read()
            try:
                data = self.recv(64 * 1024)
            except OSError:
                data = b""
            self.lingered += len(data)
            if not data or self.lingered > LINGER_MAX_BYTES or time.monotonic() > self.linger_until:
                super().handle_close()

    return LingeringChannel


#: glibc's M_ARENA_MAX option number (malloc.h).
_M_ARENA_MAX = -8
MALLOC_ARENAS = 2


@functools.cache
def _libc() -> Any:
    """glibc through ctypes, looked up once per process (``find_library`` runs ``ldconfig``);
    None off glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018 - both exist on glibc only
    except (OSError, AttributeError):
        return None
    return libc


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's per-thread malloc arenas (like ``MALLOC_ARENA_MAX=2``, which Heroku advises).

    The server runs dozens of threads (waitress, Bolt's listeners, the outbox); glibc gives
    threads their own arenas and keeps what a burst freed in them, so after 2,000 fuzzed
    requests RSS stayed at 128 MB instead of returning under 100 MB. Call before the threads
    start; an explicit ``MALLOC_ARENA_MAX`` in the environment wins. No-op off glibc.
    """
    import os

    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    libc = _libc()
    return bool(libc is not None and libc.mallopt(_M_ARENA_MAX, arenas))


#: How often the trimmer looks for a burst that has ended.
TRIM_INTERVAL_SECONDS = 1.0
_trimmer_started = threading.Event()


def start_memory_trimmer(
    interval: float = TRIM_INTERVAL_SECONDS,
    metrics: Metrics = METRICS,
    trim: Callable[[int], Any] | None = None,
) -> bool:
    """Give memory freed by a burst back to the OS once traffic has paused (``malloc_trim``).

    Python frees the objects of a burst (2,000 fuzzed requests, a flood of commands), but glibc
    keeps the pages in its heaps, so RSS stays at the burst's high-water mark and a 512 MB dyno
    running several processes has less room for the next one. A daemon thread checks every
    ``interval`` seconds; when requests came in since its last look and none in the last
    interval, it calls ``malloc_trim(0)`` (a few ms). One trimmer per process, like the summary
    log (a ``trim`` given explicitly always gets its own). No-op off glibc. Measured with
    ``scripts/bench_attack.py``: RSS 115 MB right after 2,000 fuzzed requests without it, 104 MB
    with it (91.6 MB before the fuzz).
    """
    if trim is None:
        libc = _libc()
        if libc is None or _trimmer_started.is_set():
            return False
        _trimmer_started.set()
        trim = libc.malloc_trim

    def loop() -> None:
        trimmed_at = seen = metrics.total("sentiment_requests_total")
        while True:
            time.sleep(interval)
            now = metrics.total("sentiment_requests_total")
            if now == seen and now != trimmed_at:  # a burst came and has paused
                trim(0)
                trimmed_at = now
            seen = now

    threading.Thread(target=loop, name="memory-trimmer", daemon=True).start()
    return True


def create_server(app: Any, **options: Any) -> Any:
    """``waitress.create_server`` whose connections drain a refused body (see above), in a
    process whose malloc arenas are capped (:func:`limit_malloc_arenas`)."""
    from waitress import create_server as waitress_create_server
    from waitress.server import BaseWSGIServer

    limit_malloc_arenas()
    start_summary_log()
    start_memory_trimmer()

    server = waitress_create_server(app, **options)
    channel_class = _lingering_channel_class()
    servers = [server] if isinstance(server, BaseWSGIServer) else list(server.map.values())
    for each in servers:
        if isinstance(each, BaseWSGIServer):
            each.channel_class = channel_class
    return server
