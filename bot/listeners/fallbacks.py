"""Acks for what no surface handles: other events, unknown buttons, shortcuts and views.

Registered after every surface (``CATCH_ALL``): Bolt runs the first listener that matches, so
these only see what nothing else took. Without them Bolt answers 404, which Slack retries and
counts as a failure (and shows the user an error for interactions). Each is acked with an empty
200 and logged in one line with its request id; nothing is answered.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.request_ids import request_id_of

#: Registered after every other listener module (see ``bot.listeners.register``).
CATCH_ALL = True

ANYTHING = re.compile(r".*")

log = logging.getLogger("bot.listeners")


def ack_event(ack: Ack) -> None:
    """Other events: the manifest does not subscribe to them, but if one arrives, drop it."""
    ack()


def ack_unknown_interaction(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """A button, menu, shortcut or view nothing here knows (e.g. from an older message)."""
    ack()
    kind = body.get("type") if isinstance(body.get("type"), str) else "interaction"
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    name = (first.get("action_id") if isinstance(first, dict) else None) or body.get("callback_id")
    log.info(
        "id=%s surface=%s: no listener for %s %r; acked",
        context.get("request_id") or request_id_of(body),
        context.get("surface") or "interactive",
        kind,
        str(name)[:64] if name else "-",
    )


def register(app: App) -> None:
    """Ack anything left over, so Slack always gets its 200."""
    app.event(ANYTHING)(ack_event)
    app.action(ANYTHING)(ack_unknown_interaction)
    app.shortcut(ANYTHING)(ack_unknown_interaction)
    app.view(ANYTHING)(ack_unknown_interaction)
    app.options(ANYTHING)(ack_unknown_interaction)
