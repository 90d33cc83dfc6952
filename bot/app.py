"""Build the Bolt app: wiring only, no behaviour (that lives in ``bot.listeners``).

``create_app`` puts together, once per process: the Web API client, the authorization mode
(``bot.auth``), dedupe (``bot.dedupe`` over ``bot.db``), the listeners' dependencies and the
listeners. The result, :class:`BotApp`, is what every runner (HTTP, Socket Mode) serves.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot.analysis import Analyzer, ClassifierLike
from bot.auth import Authorization, build_authorization
from bot.db import Database
from bot.dedupe import Dedupe, make_dedupe_middleware
from bot.listeners import Deps, make_deps_middleware, register
from bot.outgoing.outbox import Outbox
from bot.outgoing.response_url import ResponseSender
from bot.outgoing.web_client import make_web_client
from bot.settings import Settings

#: Threads that score and post replies. Acks never wait for them (they run on the HTTP thread).
LISTENER_THREADS = 16


class _DropTokenUnusedWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and, because we pass our own
    client, warns at start that the token "will be unused". It is used, via ``authorize``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


@dataclass
class BotApp:
    """The Bolt app plus the per-process services the runners start, check and stop."""

    bolt: App
    settings: Settings
    classifier: ClassifierLike
    authorization: Authorization
    dedupe: Dedupe
    outbox: Outbox
    database: Database | None = None

    def start(self) -> None:
        """The process now serves: start background work (auth.test for a single token)."""
        self.authorization.start()

    def health(self) -> dict[str, Any]:
        """What ``/healthz`` reports: degraded while the database fails, never a secret."""
        info = self.classifier.info
        database_ok = self.database.healthy() if self.database is not None else None
        return {
            "status": "degraded" if database_ok is False else "ok",
            "model_version": getattr(info, "version", None),
            "test_accuracy": getattr(info, "test_accuracy", None),
            "runtime": getattr(info, "runtime", None),
            "model_outputs": list(getattr(info, "classes", ()) or ()),
            "decision_rule": getattr(info, "neutral", None),
            "auth": self.authorization.mode,
            "database": None if database_ok is None else ("ok" if database_ok else "failing"),
        }

    def shutdown(self, wait: bool = True) -> None:
        """Let replies in flight finish (``wait``), then release the database."""
        self.bolt.listener_runner.listener_executor.shutdown(wait=wait)
        self.outbox.shutdown(wait=wait)  # replies queued by the listeners above
        if self.database is not None and wait:
            self.database.dispose()


def create_app(
    settings: Settings,
    classifier: ClassifierLike,
    *,
    database: Database | None = None,
    authorization: Authorization | None = None,
    listener_threads: int = LISTENER_THREADS,
) -> BotApp:
    """A Bolt App answering with ``classifier`` (loaded once by the caller, before traffic).

    ``process_before_response=True`` plus ack/lazy listener pairs: the ack is computed on the
    request thread with no I/O but the dedupe claim, the scoring and reply run in a thread pool
    afterwards. Token verification at start is off (no network needed to boot). Without a
    ``database``, dedupe is per process (console, tests); OAuth needs one.
    """
    # No token on the shared client: Bolt copies the client per request and sets the token
    # from authorize(), so the retry handlers and SLACK_API_URL apply to every call.
    client = make_web_client(None, settings.api_url)
    if authorization is None:
        authorization = build_authorization(settings, client, database)
    if database is not None:
        from bot.db.claims import ClaimStore

        dedupe = Dedupe(ClaimStore(database), database)
    else:
        dedupe = Dedupe()
    bolt_logger = logging.getLogger("bot.bolt")
    quiet = _DropTokenUnusedWarning()
    bolt_logger.addFilter(quiet)
    try:
        app = App(
            name="sentiment-bot",
            logger=bolt_logger,
            signing_secret=settings.signing_secret or "",
            client=client,
            token_verification_enabled=False,
            request_verification_enabled=settings.mode != "socket",
            process_before_response=True,
            listener_executor=ThreadPoolExecutor(
                max_workers=listener_threads, thread_name_prefix="bolt-listener"
            ),
            **authorization.bolt_options(),
        )
    finally:
        bolt_logger.removeFilter(quiet)
    sender = ResponseSender()
    outbox = Outbox(deadline_seconds=settings.reply_deadline_seconds, response_sender=sender)
    watch = None
    if database is not None:
        from bot.watch.store import WatchStore

        watch = WatchStore.from_settings(database, settings)
    deps = Deps(
        analyzer=Analyzer(classifier, settings.confidence_threshold),
        outbox=outbox,
        send_response=sender,
        response_type=settings.response_type,
        command=settings.command,
        answered=dedupe,
        watch=watch,
        reaction_confidence=settings.mood_reaction_confidence,
    )
    app.use(make_deps_middleware(deps))
    app.use(make_dedupe_middleware(dedupe))
    authorization.attach(app)
    register(app)
    return BotApp(app, settings, classifier, authorization, dedupe, outbox, database)
