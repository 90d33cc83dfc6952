"""What the listeners need, bundled once per process and handed to them through Bolt's context.

A global middleware (:func:`make_deps_middleware`) puts the one :class:`Deps` at
``context["deps"]`` for every request, so listeners are plain module-level functions::

    def answer_sentiment(body, command, context) -> None:
        deps = context["deps"]

and a test calls them with ``context={"deps": Deps(...)}``, no app or closure needed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.analysis import Analyzer
from bot.dedupe import Dedupe
from bot.settings import DEFAULT_COMMAND

SendResponse = Callable[[str, dict[str, Any]], bool]


@dataclass
class Deps:
    """The analyzer, the response_url sender and reply settings shared by all listeners."""

    analyzer: Analyzer
    send_response: SendResponse
    response_type: str = "ephemeral"
    #: The slash command this app answers (exact match), ``SLACK_COMMAND``.
    command: str = DEFAULT_COMMAND
    #: Messages already answered: one message can arrive both as ``app_mention`` and as
    #: ``message.im`` (two event ids, maybe two processes); whichever is claimed first answers.
    answered: Dedupe = field(default_factory=Dedupe)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("bot"))
    #: Sends replies off the listener threads, per destination, within a deadline
    #: (``bot.slack_api.Outbox``); None: listeners send inline (unit tests).
    outbox: Any = None

    def __deepcopy__(self, memo: dict) -> Deps:
        # Bolt deep-copies the context for lazy listeners; the services are shared, not copied.
        return self

    def __copy__(self) -> Deps:
        return self


def deps_of(context: Any) -> Deps:
    """The Deps a listener was given; a clear error when the middleware is missing."""
    deps = context.get("deps") if context is not None else None
    if deps is None:
        raise LookupError("context['deps'] is not set: create the app with bot.app.create_app")
    return deps


def make_deps_middleware(deps: Deps) -> Callable[..., Any]:
    """Bolt global middleware that hands ``deps`` to every listener via ``context``."""

    def inject_deps(context: Any, next: Any) -> Any:
        context["deps"] = deps
        return next()

    return inject_deps


def request_id(body: dict[str, Any]) -> str:
    """An id to quote in an apology and in the matching log line."""
    for key in ("event_id", "trigger_id"):
        if body.get(key):
            return str(body[key])
    return uuid.uuid4().hex[:12]
