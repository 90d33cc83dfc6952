"""HTTP mode: waitress (a production WSGI server, threads) in front of Bolt.

Routes: ``POST /slack/events`` (commands and events, signatures verified by Bolt: 401 when forged
or older than 5 minutes), ``GET /healthz`` (200 with ``ok`` or ``degraded`` once the model is
loaded, 503 before) and, in OAuth mode, ``GET /slack/install`` and ``GET /slack/oauth_redirect``.

Start-up order matters on Heroku: the port is bound first (so the 60 s boot check passes even
with a slow model), then the model is loaded and the database checked, then requests are served.
Connections that arrive meanwhile wait in the listen backlog; nothing is scored before the model
is ready. With ``WEB_CONCURRENCY`` > 1 the bound socket is shared by that many forked worker
processes (forked *before* the model is loaded: each process owns its model, no ``--preload``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from bot.auth import INSTALL_PATH, REDIRECT_PATH
from bot.runners.base import Runner, open_database
from bot.settings import AUTH_OAUTH, Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 8
#: Heroku sends SIGKILL 30 s after SIGTERM; workers get a little less to drain.
DRAIN_SECONDS = 25


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
        self.events: Callable[..., Iterable[bytes]] | None = None
        self.bot: Any = None
        self.oauth = False

    def ready(self, bot_app: Any) -> None:
        """Start answering: the model is loaded and the app (``bot.app.BotApp``) built."""
        from slack_bolt.adapter.wsgi import SlackRequestHandler

        from bot.web import SlackEventsHandler

        self.handler = SlackRequestHandler(bot_app.bolt, path=EVENTS_PATH)
        # POST /slack/events: verify on raw bytes, payload-safe parsing, 400/401 (issue 11).
        self.events = SlackEventsHandler(
            bot_app.bolt,
            bot_app.settings.signing_secret or "",
            max_body_bytes=bot_app.settings.max_body_bytes,
        )
        self.oauth = bot_app.authorization.mode == AUTH_OAUTH
        self.bot = bot_app

    def health(self) -> tuple[str, dict]:
        if self.handler is None or self.bot is None:
            return "503 Service Unavailable", {"status": "loading"}
        return "200 OK", self.bot.health()

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            status, payload = self.health()
            return _json(start_response, status, payload)
        slack_route = (path == EVENTS_PATH and method == "POST") or (
            self.oauth and path in (INSTALL_PATH, REDIRECT_PATH) and method == "GET"
        )
        if slack_route:
            if self.handler is None:
                return _json(start_response, "503 Service Unavailable", {"status": "loading"})
            if self.events is not None and path == EVENTS_PATH:
                return self.events(environ, start_response)
            return self.handler(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})


def listen(settings: Settings) -> socket.socket:
    """Bind and listen on ``settings.host:port`` (EADDRINUSE surfaces as OSError)."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def bind(
    wsgi_app: SlackWsgiApp,
    settings: Settings,
    threads: int = SERVER_THREADS,
    sock: socket.socket | None = None,
) -> Any:
    """Create the waitress server; this binds and listens immediately (or adopts ``sock``)."""
    from bot.web import create_server, guard, waitress_options

    options: dict[str, Any] = {
        "threads": threads,
        "ident": "sentiment-bot",
        "clear_untrusted_proxy_headers": True,
        "backlog": 1024,
        # Body cap, idle timeout, connection limit, poll() (issue 11; see bot.web).
        **waitress_options(
            max_body_bytes=settings.max_body_bytes, idle_timeout=settings.idle_timeout_seconds
        ),
    }
    app = guard(wsgi_app, max_body_bytes=settings.max_body_bytes)
    if sock is not None:
        return create_server(app, sockets=[sock], **options)
    return create_server(app, host=settings.host, port=settings.port, **options)


class HttpRunner(Runner):
    """One HTTP process, or a supervisor of ``WEB_CONCURRENCY`` forked workers."""

    def __init__(self, settings: Settings, load_classifier: Callable[[], Any]):
        super().__init__(settings, load_classifier)
        self.wsgi = SlackWsgiApp()
        self.server: Any = None
        self.bot: Any = None
        self.sock: socket.socket | None = None
        self.workers: list[int] = []

    # -- one serving process ----------------------------------------------------------------

    def start(self) -> None:
        settings = self.settings
        if settings.web_concurrency > 1:
            self.sock = listen(settings)
            log.info(
                "bound http://%s:%s, starting %s worker processes",
                settings.host,
                settings.port,
                settings.web_concurrency,
            )
            self._prepare_shared_state()
            self.workers = [self._fork_worker(i) for i in range(settings.web_concurrency)]
            return
        self.server = bind(self.wsgi, settings)
        log.info("bound http://%s:%s, loading the model", settings.host, settings.port)
        self._load_and_ready()

    def _load_and_ready(self) -> None:
        from bot.app import create_app

        classifier = self.load_classifier()
        database = open_database(self.settings)
        self.bot = create_app(self.settings, classifier, database=database)
        self.wsgi.ready(self.bot)
        self.bot.start()
        info = classifier.info
        log.info(
            "ready: POST %s and GET %s on port %s (model %s, runtime %s, auth %s, database %s)",
            EVENTS_PATH,
            HEALTH_PATH,
            self.settings.port,
            getattr(info, "version", "?"),
            getattr(info, "runtime", "?"),
            self.bot.authorization.mode,
            database.display_url,
        )

    def wait(self) -> int:
        if self.workers:
            return self._supervise()
        self.server.run()
        # waitress catches the SystemExit that SIGTERM raises and returns: say so here.
        log.info("shutting down")
        return 0

    def stop(self) -> None:
        if self.workers:
            self._stop_workers()
            return
        if self.server is not None:
            self.server.close()
        if self.bot is not None:
            # Let replies already being scored/posted finish (Heroku allows 30 s after SIGTERM).
            self.bot.shutdown(wait=True)
            from bot.metrics import METRICS

            log.info("%s", METRICS.summary_line())

    # -- WEB_CONCURRENCY workers ----------------------------------------------------------------

    def _prepare_shared_state(self) -> None:
        """Create a fresh SQLite schema once, before the workers race to."""
        from bot.runners.base import open_database

        open_database(self.settings).dispose()

    def _fork_worker(self, index: int) -> int:
        pid = os.fork()
        if pid:
            return pid
        status = 0
        try:
            signal.signal(signal.SIGTERM, _worker_sigterm)
            self.workers = []
            self.server = bind(self.wsgi, self.settings, sock=self.sock)
            self._load_and_ready()
            log.info("worker %s (pid %s) serving", index, os.getpid())
            self.server.run()
        except (SystemExit, KeyboardInterrupt):  # SIGTERM from the supervisor, Ctrl-C
            pass
        except BaseException:
            log.exception("worker %s failed", index)
            status = 1
        finally:
            try:
                if self.server is not None:
                    self.server.close()
                if self.bot is not None:
                    self.bot.shutdown(wait=True)
            finally:
                sys.stderr.flush()
                os._exit(status)
        return 0  # not reached

    def _supervise(self) -> int:
        """Wait for the workers; if one dies, stop the others and fail (the platform restarts)."""
        while self.workers:
            pid, status = os.wait()
            if pid in self.workers:
                self.workers.remove(pid)
                code = os.waitstatus_to_exitcode(status)
                log.error("worker pid %s exited with %s; stopping", pid, code)
                return 1
        return 0

    def _stop_workers(self) -> None:
        for pid in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + DRAIN_SECONDS
        while self.workers and time.monotonic() < deadline:
            for pid in list(self.workers):
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done:
                    self.workers.remove(pid)
            time.sleep(0.05)
        for pid in self.workers:
            os.kill(pid, signal.SIGKILL)
        if self.sock is not None:
            self.sock.close()


def _worker_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)
