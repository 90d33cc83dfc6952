"""What a reply's log line says about it: ids, surface, team, label, never the text."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReplyMeta:
    """The request a reply answers, as the outbox logs and counts it."""

    request_id: str
    surface: str = "other"
    team: str | None = None
    label: str | None = None
    #: ``time.monotonic()`` when the request arrived (its deadline counts from there).
    received_at: float | None = None

    @classmethod
    def from_context(
        cls,
        context: Mapping[str, Any] | None,
        request_id: str | None = None,
        surface: str = "other",
    ) -> ReplyMeta:
        """Request id, surface, team and arrival time recorded by ``bot.web.events``;
        ``request_id`` and ``surface`` are used when the context has none (Socket Mode)."""
        context = context or {}
        return cls(
            request_id=context.get("request_id") or request_id or "-",
            surface=context.get("surface") or surface,
            team=context.get("team_id"),
            received_at=context.get("received_at"),
        )

    def labelled(self, label: str | None) -> ReplyMeta:
        """The same reply, now that the verdict is known."""
        return dataclasses.replace(self, label=label)
