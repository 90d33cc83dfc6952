"""What the listeners need, bundled once per process and handed to them through Bolt's context.

A global middleware (:func:`make_deps_middleware`) puts the one :class:`Deps` at
``context["deps"]`` for every request, so listeners are plain module-level functions::

    def answer_sentiment(body: dict, command: dict, context: BoltContext) -> None:
        deps = deps_of(context)

and a test calls them with ``context=BoltContext({"deps": Deps(...)})``, no app needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import BoltContext

from bot.analysis import Analyzer
from bot.dedupe import Dedupe
from bot.outgoing.outbox import Outbox
from bot.settings import DEFAULT_COMMAND, DEFAULT_MOOD_REACTION_CONFIDENCE
from bot.watch.store import WatchStore

SendResponse = Callable[[str, dict[str, Any]], bool]


@dataclass
class Deps:
    """The analyzer, the outbox and reply settings shared by all listeners."""

    analyzer: Analyzer
    #: Sends every reply off the listener threads, per destination, within a deadline.
    outbox: Outbox
    #: Posts to a response_url at once and says whether it arrived: for progress notes that
    #: must not wait behind the reply (``bot.outgoing.response_url.ResponseSender``).
    send_response: SendResponse
    response_type: str = "ephemeral"
    #: The slash command this app answers (exact match), ``SLACK_COMMAND``.
    command: str = DEFAULT_COMMAND
    #: Messages already answered: one message can arrive both as ``app_mention`` and as
    #: ``message.im`` (two event ids, maybe two processes); whichever is claimed first answers.
    answered: Dedupe = field(default_factory=Dedupe)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("bot"))
    #: Channel watching's tables (``bot.watch.store.WatchStore``); None without a database.
    watch: WatchStore | None = None
    #: Emoji reactions in watched channels that opted in need at least this confidence.
    reaction_confidence: float = DEFAULT_MOOD_REACTION_CONFIDENCE

    def __deepcopy__(self, memo: dict[int, Any]) -> Deps:
        # Bolt deep-copies the context for lazy listeners; the services are shared, not copied.
        return self

    def __copy__(self) -> Deps:
        return self


def deps_of(context: Mapping[str, Any] | None) -> Deps:
    """The Deps a listener was given; a clear error when the middleware is missing."""
    deps = context.get("deps") if context is not None else None
    if not isinstance(deps, Deps):
        raise LookupError("context['deps'] is not set: create the app with bot.app.create_app")
    return deps


def make_deps_middleware(deps: Deps) -> Callable[..., Any]:
    """Bolt global middleware that hands ``deps`` to every listener via ``context``."""

    def inject_deps(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["deps"] = deps
        return next()

    return inject_deps
