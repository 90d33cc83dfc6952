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

import logging
import resource
from typing import Any

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
        "max_request_body_size": max(max_body_bytes + 1, READ_BEFORE_REFUSING_BYTES),
        "max_request_header_size": MAX_HEADER_BYTES,
        "asyncore_use_poll": True,
        "backlog": 1024,
    }


#: Bodies up to this size are read (waitress spools them to a temporary file past 512 KB) so that
#: the app's 413 reaches a client that is still uploading: waitress refuses a larger declared
#: Content-Length before reading it and closes with the body unread, which resets the connection
#: under the client. Nothing over ``max_body_bytes`` reaches Bolt either way (bot.web.guard).
READ_BEFORE_REFUSING_BYTES = 64 * 1024 * 1024


def create_server(app: Any, **options: Any) -> Any:
    """``waitress.create_server`` with these options (a seam for tests and the worker)."""
    from waitress import create_server as waitress_create_server

    return waitress_create_server(app, **options)
