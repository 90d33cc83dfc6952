"""The one request id: what a reply's log line, an apology's "ref" and the HTTP log line quote.

Slack's own id for the delivery when there is one (``event_id`` for events, ``trigger_id`` for
commands, shortcuts and actions, the function execution for workflow steps), else a fresh one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

#: Ids are quoted in log lines; Slack's are ~20 characters, anything longer is cut.
MAX_REQUEST_ID_CHARS = 64


def new_request_id() -> str:
    """A fresh 12-character id for a request Slack gave none."""
    return uuid.uuid4().hex[:12]


def request_id_of(body: Mapping[str, Any] | None) -> str:
    """Slack's id for this delivery (``event_id`` / ``trigger_id`` / function execution id),
    else a fresh one."""
    body = body if isinstance(body, Mapping) else {}
    candidates = [body.get("event_id"), body.get("trigger_id")]
    event = body.get("event")
    if isinstance(event, Mapping):
        candidates.append(event.get("function_execution_id"))
    for value in candidates:
        if isinstance(value, str) and value:
            return value[:MAX_REQUEST_ID_CHARS]
    return new_request_id()
