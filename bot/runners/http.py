"""HTTP mode: gunicorn manages the processes, waitress serves HTTP in each, Bolt answers.

Routes: ``POST /slack/events`` (commands and events, signatures verified by Bolt: 401 when forged
or older than 5 minutes), ``GET /healthz`` (200 with ``ok`` or ``degraded`` once the model is
loaded, 503 before) and, in OAuth mode, ``GET /slack/install`` and ``GET /slack/oauth_redirect``.

``python -m bot http`` runs gunicorn's arbiter in this process (gunicorn's documented custom
application API, :class:`GunicornApp`): it binds ``$HOST:$PORT`` first (Heroku's 60 s boot check
passes even with a slow model), then forks ``WEB_CONCURRENCY`` workers, each of which loads the
model, opens the database and serves with waitress (:mod:`bot.runners.waitress_worker`, which
says why not gunicorn's own threads). Connections that arrive meanwhile wait in the listen
backlog. SIGTERM drains every worker within ``graceful_timeout`` (< Heroku's 30 s), exit 0.
Metrics from all workers add up (prometheus_client's multiprocess mode, a fresh directory per
start). docs/operations.md describes the process model for operators.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.auth import INSTALL_PATH, REDIRECT_PATH
from bot.runners.base import Runner, open_database
from bot.settings import AUTH_OAUTH, Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 8
#: Heroku sends SIGKILL 30 s after SIGTERM: gunicorn kills a worker still draining after this.
GRACEFUL_TIMEOUT_SECONDS = 25
#: Within it, how long a worker waits for the bot's replies in flight before it exits anyway.
DRAIN_SECONDS = 20
#: A worker that stops reporting (stuck, not just busy: its loop runs apart from requests) for
#: this long is replaced by gunicorn; also the bound on loading the model in a new worker.
WORKER_TIMEOUT_SECONDS = 60


def _json(start_response: Callable[..., Any], status: str, payload: dict) -> Iterable[bytes]:
    from bot.web.events import respond

    return respond(start_response, int(status.split()[0]), json.dumps(payload))


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
        # POST /slack/events: verify on raw bytes, payload-safe parsing, 400/401 (bot/web).
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


def server_options(settings: Settings, threads: int = SERVER_THREADS) -> dict[str, Any]:
    """waitress's options: threads plus the limits of :func:`bot.web.waitress_options`."""
    from bot.web import waitress_options

    return {
        "threads": threads,
        "ident": "sentiment-bot",
        "clear_untrusted_proxy_headers": True,
        **waitress_options(
            max_body_bytes=settings.max_body_bytes, idle_timeout=settings.idle_timeout_seconds
        ),
    }


def bind(wsgi_app: SlackWsgiApp, settings: Settings, threads: int = SERVER_THREADS) -> Any:
    """A waitress server for ``wsgi_app`` in this process (tests, tools); binds immediately."""
    from bot.web import create_server, guard

    app = guard(wsgi_app, max_body_bytes=settings.max_body_bytes)
    options = server_options(settings, threads)
    return create_server(app, host=settings.host, port=settings.port, **options)


def check_port_free(settings: Settings) -> None:
    """Raise OSError (EADDRINUSE) now, not after gunicorn's five retries, if the port is taken."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((settings.host, settings.port))


def fresh_metrics_dir() -> Path:
    """A new, empty directory for prometheus_client's multiprocess files, named in the
    environment before bot.metrics (and so prometheus_client) is imported: prometheus_client
    picks its mode from there at import."""
    directory = Path(tempfile.mkdtemp(prefix="sentiment-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


class GunicornApp(BaseApplication):
    """gunicorn's documented custom application: its settings from ours, the app per worker."""

    def __init__(self, runner: HttpRunner) -> None:
        self.runner = runner
        super().__init__()

    def load_config(self) -> None:
        settings = self.runner.settings
        config = {
            "bind": [f"{settings.host}:{settings.port}"],
            "workers": settings.web_concurrency,
            "worker_class": "bot.runners.waitress_worker.WaitressWorker",
            "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
            "timeout": WORKER_TIMEOUT_SECONDS,
            "backlog": 1024,
            "proc_name": "sentiment-bot",
            "child_exit": _child_exit,
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> Any:  # in each worker, after the fork
        return self.runner.serve_in_worker()


def _child_exit(arbiter: Any, worker: Any) -> None:
    """gunicorn hook in the arbiter (a SIGCHLD handler): a worker exited; its live gauges go,
    its counters stay. bot.metrics is imported by ``HttpRunner.start``: never import in here."""
    sys.modules["bot.metrics"].mark_process_dead(worker.pid)


class HttpRunner(Runner):
    """The gunicorn arbiter (this process) and, after the fork, one serving worker."""

    def __init__(self, settings: Settings, load_classifier: Callable[[], Any]):
        super().__init__(settings, load_classifier)
        self.wsgi = SlackWsgiApp()
        self.bot: Any = None
        self.metrics_dir: Path | None = None
        self.arbiter_pid = os.getpid()

    def start(self) -> None:
        self.arbiter_pid = os.getpid()
        check_port_free(self.settings)
        self.metrics_dir = fresh_metrics_dir()
        import bot.metrics  # noqa: F401 - now, in multiprocess mode (see _child_exit)

        # A new SQLite file gets its schema once here, not by every worker (safe either way).
        open_database(self.settings).dispose()
        log.info(
            "binding http://%s:%s, starting %s worker process(es)",
            self.settings.host,
            self.settings.port,
            self.settings.web_concurrency,
        )

    def wait(self) -> int:
        try:
            GunicornApp(self).run()
        except SystemExit as done:  # the arbiter ends by sys.exit(status)
            return done.code if isinstance(done.code, int) else 0
        return 0

    def stop(self) -> None:
        if self.metrics_dir is not None and os.getpid() == self.arbiter_pid:
            shutil.rmtree(self.metrics_dir, ignore_errors=True)

    # -- in a worker ----------------------------------------------------------------------------

    def serve_in_worker(self) -> Any:
        """Load the model, open the database, build the app; the WSGI app gunicorn serves."""
        from bot.app import create_app
        from bot.metrics import start_summary_log
        from bot.web import guard

        start_summary_log()  # this worker's one-line totals every 5 minutes of traffic
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
        return guard(self.wsgi, max_body_bytes=self.settings.max_body_bytes)

    def drain(self, seconds: float = DRAIN_SECONDS) -> None:
        """Finish the replies in flight (bounded), then log what is left, with request ids."""
        if self.bot is None:
            return
        from bot.metrics import METRICS

        done = threading.Event()

        def shutdown() -> None:
            self.bot.shutdown(wait=True)
            done.set()

        threading.Thread(target=shutdown, name="drain", daemon=True).start()
        if not done.wait(seconds):
            reason = f"the worker stopped after draining for {seconds:.0f} s"
            left = self.bot.outbox.abandon(reason) if self.bot.outbox is not None else "?"
            log.error("drain: %s replies still in flight after %.0f s; exiting", left, seconds)
        log.info("%s", METRICS.summary_line())
