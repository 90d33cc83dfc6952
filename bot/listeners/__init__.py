"""Listeners grouped by Slack surface, one module each, all registered from here.

Each surface module has plain listener functions (dependencies come from ``context["deps"]``,
see ``deps.py``) and a ``register(app)``. To add a surface, import its module and add it to
:data:`SURFACES`. The catch-all that acks unknown events is always registered last.
"""

from __future__ import annotations

from typing import Any

from bot.listeners import commands, events, home, shortcut, workflow
from bot.listeners.deps import Deps, make_deps_middleware

#: Surface modules, registered in this order (Bolt runs the first listener that matches).
SURFACES = (
    commands,
    events,
    shortcut,
    home,
    workflow,
)


def register(app: Any) -> None:
    """Attach every surface's listeners to ``app``, then the catch-all for other events."""
    for surface in SURFACES:
        surface.register(app)
    events.register_catch_all(app)


__all__ = ["SURFACES", "Deps", "make_deps_middleware", "register"]
