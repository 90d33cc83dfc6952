"""Listeners grouped by Slack surface, all registered from here."""

from __future__ import annotations

from typing import Any

from bot.listeners import commands, events
from bot.listeners.deps import Deps


def register(app: Any, deps: Deps) -> None:
    """Attach every listener to ``app``."""
    commands.register(app, deps)
    events.register(app, deps)


__all__ = ["Deps", "register"]
