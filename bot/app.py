"""Build the Bolt app: wiring only, no behaviour (that lives in ``bot.listeners``)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App

from bot.analysis import Analyzer, ClassifierLike
from bot.dedupe import SeenEvents, make_dedupe_middleware
from bot.listeners import Deps, register
from bot.settings import Settings
from bot.slack_api import ResponseSender, make_authorize, make_web_client

#: Threads that score and post replies. Acks never wait for them (they run on the HTTP thread).
LISTENER_THREADS = 16


class _DropTokenUnusedWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and, because we pass our own
    client, warns at start that the token "will be unused". It is used, via ``authorize``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def create_app(
    settings: Settings,
    classifier: ClassifierLike,
    *,
    send_response: ResponseSender | None = None,
    listener_threads: int = LISTENER_THREADS,
) -> App:
    """A Bolt App answering with ``classifier`` (loaded once by the caller, before traffic).

    ``process_before_response=True`` plus ack/lazy listener pairs: the ack is computed on the
    request thread with no I/O, the scoring and reply run in a thread pool afterwards. Token
    verification at start is off (no network needed to boot); ``authorize`` caches auth.test.
    """
    # No token on the shared client: Bolt copies the client per request and sets the token
    # from authorize(), so the retry handlers and SLACK_API_URL apply to every call.
    client = make_web_client(None, settings.api_url)
    authorize = make_authorize(settings.bot_token or "", client)
    bolt_logger = logging.getLogger("bot.bolt")
    quiet = _DropTokenUnusedWarning()
    bolt_logger.addFilter(quiet)
    try:
        app = App(
            name="sentiment-bot",
            logger=bolt_logger,
            signing_secret=settings.signing_secret or "",
            client=client,
            authorize=authorize,
            token_verification_enabled=False,
            request_verification_enabled=settings.mode != "socket",
            process_before_response=True,
            listener_executor=ThreadPoolExecutor(
                max_workers=listener_threads, thread_name_prefix="bolt-listener"
            ),
        )
    finally:
        bolt_logger.removeFilter(quiet)
    app.use(make_dedupe_middleware(SeenEvents()))
    deps = Deps(
        analyzer=Analyzer(classifier, settings.confidence_threshold),
        send_response=send_response or ResponseSender(),
        response_type=settings.response_type,
    )
    register(app, deps)
    app.refresh_authorization = authorize.refresh  # type: ignore[attr-defined]
    return app
