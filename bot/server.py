"""HTTP mode: waitress (a production WSGI server, one process, threads) in front of Bolt.

Routes: ``POST /slack/events`` (commands and events, signatures verified by Bolt: 401 when forged
or older than 5 minutes) and ``GET /healthz`` (200 with the model's version and test accuracy
once it is loaded, 503 before).

Start-up order matters on Heroku: the port is bound first (so the 60 s boot check passes even
with a slow model), then the model is loaded, then requests are served. Connections that arrive
while the model loads wait in the listen backlog; nothing is scored before the model is ready.
No fork after loading (no ``--preload``): one process owns one model.
"""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable, Iterable
from typing import Any

from bot.analysis import ClassifierLike
from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 8


def _json(start_response: Callable[..., Any], status: str, payload: dict) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class SlackWsgiApp:
    """The process's WSGI application; Slack traffic is refused (503) until ``ready()``."""

    def __init__(self) -> None:
        self.handler: Callable[..., Iterable[bytes]] | None = None
        self.model_info: Any = None

    def ready(self, bolt_app: Any, model_info: Any) -> None:
        """Start answering: the model is loaded and the Bolt app built."""
        from slack_bolt.adapter.wsgi import SlackRequestHandler

        self.handler = SlackRequestHandler(bolt_app, path=EVENTS_PATH)
        self.model_info = model_info

    def health(self) -> tuple[str, dict]:
        if self.handler is None or self.model_info is None:
            return "503 Service Unavailable", {"status": "loading"}
        info = self.model_info
        return "200 OK", {
            "status": "ok",
            "model_version": getattr(info, "version", None),
            "test_accuracy": getattr(info, "test_accuracy", None),
            "runtime": getattr(info, "runtime", None),
        }

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            status, payload = self.health()
            return _json(start_response, status, payload)
        if path == EVENTS_PATH and method == "POST":
            if self.handler is None:
                return _json(start_response, "503 Service Unavailable", {"status": "loading"})
            return self.handler(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})


def bind(wsgi_app: SlackWsgiApp, settings: Settings, threads: int = SERVER_THREADS) -> Any:
    """Create the waitress server; this binds and listens on ``settings.port`` immediately."""
    from waitress import create_server

    return create_server(
        wsgi_app,
        host=settings.host,
        port=settings.port,
        threads=threads,
        ident="sentiment-bot",
        clear_untrusted_proxy_headers=True,
    )


def _raise_system_exit(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def serve(settings: Settings, load_classifier: Callable[[], ClassifierLike]) -> None:
    """Bind, load the model, then serve until SIGTERM/SIGINT (draining replies in flight)."""
    from bot.app import create_app

    wsgi_app = SlackWsgiApp()
    server = bind(wsgi_app, settings)
    bolt_app = None
    try:
        log.info("bound http://%s:%s, loading the model", settings.host, settings.port)
        classifier = load_classifier()
        info = classifier.info
        bolt_app = create_app(settings, classifier)
        wsgi_app.ready(bolt_app, info)
        bolt_app.refresh_authorization()
        log.info(
            "ready: POST %s and GET %s on port %s (model %s, runtime %s, test accuracy %s)",
            EVENTS_PATH,
            HEALTH_PATH,
            settings.port,
            getattr(info, "version", "?"),
            getattr(info, "runtime", "?"),
            getattr(info, "test_accuracy", None),
        )
        signal.signal(signal.SIGTERM, _raise_system_exit)
        server.run()
    except (KeyboardInterrupt, SystemExit):
        log.info("shutting down")
    finally:
        server.close()
        if bolt_app is not None:
            # Let replies already being scored/posted finish (Heroku allows 30 s after SIGTERM).
            bolt_app.listener_runner.listener_executor.shutdown(wait=True)
