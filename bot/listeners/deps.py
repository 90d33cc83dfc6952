"""What the listeners need, bundled so it is injected once and faked easily in tests."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.analysis import Analyzer
from bot.dedupe import SeenEvents

SendResponse = Callable[[str, dict[str, Any]], bool]


@dataclass
class Deps:
    """The analyzer, the response_url sender and reply settings shared by all listeners."""

    analyzer: Analyzer
    send_response: SendResponse
    response_type: str = "ephemeral"
    #: (channel, ts) of messages already answered: one message can arrive both as
    #: ``app_mention`` and as ``message.im``; whichever comes first is answered.
    answered: SeenEvents = field(default_factory=SeenEvents)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("bot"))


def request_id(body: dict[str, Any]) -> str:
    """An id to quote in an apology and in the matching log line."""
    for key in ("event_id", "trigger_id"):
        if body.get(key):
            return str(body[key])
    return uuid.uuid4().hex[:12]
