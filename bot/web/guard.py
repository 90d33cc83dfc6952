"""WSGI middleware around the whole app: body-size cap, ``GET /metrics``, request counting.

The cap is checked on the declared Content-Length before anything is read, so a 40 MB POST costs
one log line and no memory (waitress also refuses it before reading, see
:mod:`bot.web.server_options`; this layer keeps the promise under any WSGI server).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from bot.metrics import METRICS, Metrics
from bot.web.events import DEFAULT_MAX_BODY_BYTES, error_body, respond

log = logging.getLogger("bot.http")

METRICS_PATH = "/metrics"
#: Routes counted by name; anything else is counted as "other" (bounded label values).
KNOWN_ROUTES = frozenset(
    {"/slack/events", "/healthz", METRICS_PATH, "/slack/install", "/slack/oauth_redirect"}
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def guard(
    app: WsgiApp,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    metrics: Metrics = METRICS,
) -> WsgiApp:
    """Wrap ``app``: 413 for a declared body over the cap, ``/metrics``, per-route counters."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        route = path if path in KNOWN_ROUTES else "other"
        method = environ.get("REQUEST_METHOD", "GET")

        def counting_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            metrics.inc("sentiment_requests_total", route=route, status=status.split(" ", 1)[0])
            return (
                start_response(status, headers, exc_info)
                if exc_info
                else start_response(status, headers)
            )

        if path == METRICS_PATH and method in ("GET", "HEAD"):
            return respond(
                counting_start_response,
                200,
                metrics.render(),
                content_type="text/plain; version=0.0.4; charset=utf-8",
            )
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = -1
        if declared < 0:
            log.info("rejected status=400 reason='bad Content-Length' route=%s", route)
            metrics.inc("sentiment_rejected_total", reason="bad Content-Length")
            return respond(counting_start_response, 400, error_body("bad Content-Length"))
        if declared > max_body_bytes:
            log.info(
                "rejected status=413 reason='body too large' bytes=%d route=%s", declared, route
            )
            metrics.inc("sentiment_rejected_total", reason="body too large")
            return respond(counting_start_response, 413, error_body("request too large"))
        return app(environ, counting_start_response)

    return guarded
