"""Where a reply goes. Each destination names its outbox lane and knows how to send one payload.

A lane is one destination's queue (see :mod:`bot.outgoing.outbox`): a channel whose
``chat.postMessage`` stalls holds up its own lane only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk import WebClient

from bot.outgoing.response_url import ResponseSender
from bot.outgoing.web_client import client_until

Payload = dict[str, Any]


class Destination(Protocol):
    """Somewhere a reply can be sent, by one call that ends by a deadline."""

    @property
    def lane(self) -> str:
        """Replies with the same lane are sent a few at a time, in order."""
        ...

    def send(self, payload: Payload, deadline: float, max_timeout: float) -> str | None:
        """Send ``payload`` by ``deadline``, no attempt waiting over ``max_timeout`` seconds;
        None when delivered, else a short reason. Timeouts raise."""
        ...


@dataclass(frozen=True)
class ChannelPost:
    """``chat.postMessage`` to a channel, a DM (a user id opens the app's DM) or a thread."""

    client: WebClient
    channel: str
    thread_ts: str | None = None
    team: str | None = None

    @property
    def lane(self) -> str:
        return f"chat:{self.team}:{self.channel}"

    def send(self, payload: Payload, deadline: float, max_timeout: float) -> str | None:
        client_until(self.client, deadline, max_timeout).chat_postMessage(
            channel=self.channel, thread_ts=self.thread_ts, **payload
        )
        return None


@dataclass(frozen=True)
class EphemeralPost:
    """``chat.postEphemeral``: a message only ``user`` sees in ``channel``."""

    client: WebClient
    channel: str
    user: str
    team: str | None = None

    @property
    def lane(self) -> str:
        return f"chat:{self.team}:{self.channel}"

    def send(self, payload: Payload, deadline: float, max_timeout: float) -> str | None:
        client_until(self.client, deadline, max_timeout).chat_postEphemeral(
            channel=self.channel, user=self.user, **payload
        )
        return None


@dataclass(frozen=True)
class ResponseUrl:
    """A slash command's, shortcut's or button's ``response_url`` (valid for 30 minutes)."""

    url: str
    sender: ResponseSender

    @property
    def lane(self) -> str:
        return f"url:{self.url}"

    def send(self, payload: Payload, deadline: float, max_timeout: float) -> str | None:
        return self.sender.send(self.url, payload, deadline)


@dataclass(frozen=True)
class HomeTab:
    """``views.publish``: the payload is the whole Home tab view for ``user``."""

    client: WebClient
    user: str
    team: str | None = None

    @property
    def lane(self) -> str:
        return f"home:{self.team}:{self.user}"

    def send(self, payload: Payload, deadline: float, max_timeout: float) -> str | None:
        client_until(self.client, deadline, max_timeout).views_publish(
            user_id=self.user, view=payload
        )
        return None


@dataclass(frozen=True)
class StepResult:
    """A workflow step's end: ``{"outputs": {...}}`` completes it, ``{"error": "..."}`` fails it.

    ``complete`` and ``fail`` are Bolt's (``functions.completeSuccess`` / ``completeError``).
    """

    complete: Callable[..., Any]
    fail: Callable[..., Any]
    execution: str

    @property
    def lane(self) -> str:
        return f"step:{self.execution}"

    def send(self, payload: Payload, deadline: float, max_timeout: float) -> str | None:
        if "outputs" in payload:
            self.complete(outputs=payload["outputs"])
        else:
            self.fail(error=str(payload.get("error") or "the step failed"))
        return None
