"""Parse a verified Slack request body, and hand it to Bolt without Bolt re-parsing it.

Why not Bolt's own parser: ``slack_bolt.request.internals.parse_body`` (slack_bolt 1.30) decides
that a form body is an interactive payload when the raw string merely *contains* ``payload``
(``if "payload" in body``), then looks for a ``payload=`` key, finds none and returns ``{}``. So
``/sentiment the payload arrived`` or a channel named ``payload-team`` reached no listener (HTTP
404 "unhandled request"). It also lets ``json.loads`` errors, JSON arrays and deeply nested JSON
escape as exceptions (HTTP 500). Here a form body is an interactive payload only when it has a
top-level ``payload`` *key*, and anything malformed raises :class:`MalformedBody` (HTTP 400).

The raw body is never altered (Bolt verifies the signature over it again).
:class:`ParsedBoltRequest` carries the parsed dict, also into the copies Bolt makes for lazy
listeners.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context

#: More form fields than any Slack payload has (a slash command has about 13).
MAX_FORM_FIELDS = 200

#: Fields Bolt or the listeners read, with the types Slack sends. A signed body with another
#: type here is malformed (400), instead of an AttributeError/TypeError deep inside Bolt (500).
_STR = (str,)
_STR_OR_DICT = (str, dict)


def _fields(*groups: tuple[str, tuple[type, ...]]) -> dict[str, tuple[type, ...]]:
    """``{field: types}`` from ``("field field ...", types)`` groups."""
    return {name: types for spec, types in groups for name in spec.split()}


TOP_LEVEL_TYPES = _fields(
    (
        "type token team_id enterprise_id user_id channel_id command text response_url "
        "trigger_id api_app_id event_id challenge callback_id function_execution_id "
        "bot_access_token",
        _STR,
    ),
    ("team enterprise user channel", _STR_OR_DICT),
    ("view container message event function_data", (dict,)),
    ("authorizations actions response_urls", (list,)),
    ("is_enterprise_install is_ext_shared_channel", (bool, str)),
)
EVENT_TYPES = _fields(
    (
        "type subtype text ts thread_ts event_ts channel_type bot_id team user_team "
        "function_execution_id bot_access_token",
        _STR,
    ),
    ("user channel", _STR_OR_DICT),
    ("bot_profile message previous_message item function inputs", (dict,)),
)
AUTHORIZATION_TYPES: dict[str, tuple[type, ...]] = {
    "enterprise_id": _STR,
    "team_id": _STR,
    "user_id": _STR,
    "is_bot": (bool,),
    "is_enterprise_install": (bool, str),
}


class MalformedBody(ValueError):
    """A signed body that is not a Slack payload; ``str()`` is a short reason for the log."""


def content_type_of(headers: dict[str, str]) -> str | None:
    """The media type without parameters, lower-cased (as Bolt compares it)."""
    value = headers.get("content-type")
    if not value:
        return None
    return value.split(";")[0].strip().lower() or None


def _load_json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedBody(f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise MalformedBody(f"{what} is JSON but not an object")
    return value


def _check_types(data: dict[str, Any], expected: dict[str, tuple[type, ...]], where: str) -> None:
    for key, types in expected.items():
        value = data.get(key)
        if value is not None and not isinstance(value, types):
            raise MalformedBody(f"{where}{key} has an unexpected type")


#: Fields Bolt reads as ``body.get(name, {}).get(...)`` or ``body[name]``: null is malformed.
NEVER_NULL = ("event", "view", "workflow_step", "container", "message", "actions")
#: Payload types and the fields Bolt indexes without checking, with their required types.
REQUIRED_BY_TYPE: dict[str, dict[str, tuple[type, ...]]] = {
    "event_callback": {"event": (dict,)},
    "block_actions": {"actions": (list,)},
    "block_suggestion": {"action_id": _STR},
    "view_submission": {"view": (dict,)},
    "view_closed": {"view": (dict,)},
    "shortcut": {"callback_id": _STR},
    "message_action": {"callback_id": _STR},
    "interactive_message": {"callback_id": _STR, "actions": (list,)},
    "dialog_submission": {"callback_id": _STR},
    "workflow_step_edit": {"callback_id": _STR},
}


def check_shape(body: dict[str, Any]) -> None:
    """Raise MalformedBody when a field Bolt or the listeners read has the wrong type."""
    try:
        _check_shape(body)
    except (TypeError, AttributeError, KeyError, IndexError):
        raise MalformedBody("unexpected structure") from None


def _check_shape(body: dict[str, Any]) -> None:
    _check_types(body, TOP_LEVEL_TYPES, "")
    for name in NEVER_NULL:
        if name in body and body[name] is None:
            raise MalformedBody(f"{name} is null")
    kind = body.get("type")
    required = REQUIRED_BY_TYPE.get(kind, {}) if isinstance(kind, str) else {}
    for name, types in required.items():
        if not isinstance(body.get(name), types):
            raise MalformedBody(f"{body['type']} without a usable {name}")
    for action in body.get("actions") or []:
        if not isinstance(action, dict):
            raise MalformedBody("actions holds a non-object")
        if body.get("type") == "block_actions" and not isinstance(action.get("action_id"), str):
            raise MalformedBody("an action without an action_id")
    if body.get("type") in ("block_actions", "interactive_message") and not body.get("actions"):
        raise MalformedBody("no actions")
    for authorization in body.get("authorizations") or []:
        if not isinstance(authorization, dict):
            raise MalformedBody("authorizations holds a non-object")
        _check_types(authorization, AUTHORIZATION_TYPES, "authorizations.")
    event = body.get("event")
    if isinstance(event, dict):
        _check_types(event, EVENT_TYPES, "event.")
        if body.get("type") == "event_callback" and not isinstance(event.get("type"), str):
            raise MalformedBody("event without a type")
    view = body.get("view")
    if isinstance(view, dict):
        _check_types(view, {"callback_id": _STR, "id": _STR, "team_id": _STR}, "view.")
        if str(body.get("type")).startswith("view_") and not isinstance(view.get("type"), str):
            raise MalformedBody("a view without a type")
    for name in ("team", "enterprise", "user", "channel"):
        nested = body.get(name)
        if isinstance(nested, dict) and not isinstance(nested.get("id", ""), str):
            raise MalformedBody(f"{name}.id has an unexpected type")


def parse_body(raw: str, content_type: str | None) -> dict[str, Any]:
    """The payload dict of a Slack request body (form, JSON, or form with a ``payload`` key)."""
    if not raw:
        return {}
    if content_type == "application/json" or raw.startswith("{"):
        body = _load_json_object(raw, "the body")
    else:
        try:
            fields = parse_qsl(raw, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
        except ValueError:
            raise MalformedBody("the form has too many fields") from None
        body = dict(fields)
        if "payload" in body:  # an interactive payload: form field ``payload`` holding JSON
            body = _load_json_object(body["payload"], "the payload field")
    check_shape(body)
    return body


class ParsedBoltRequest(BoltRequest):
    """A BoltRequest built from an already-parsed body (see the module docstring for why).

    ``BoltRequest.__init__`` parses ``body`` itself with the buggy parser, and ``to_copyable()``
    (used for every lazy listener) re-parses ``raw_body`` again; both are bypassed here.
    """

    def __init__(
        self,
        *,
        raw_body: str,
        body: dict[str, Any],
        query: Any = None,
        headers: Any = None,
        context: dict[str, Any] | None = None,
    ):
        super().__init__(body="", query=query, headers=headers, context=context, mode="http")
        self.raw_body = raw_body
        self.body = body
        self.context = build_context(BoltContext(context or {}), body)

    def to_copyable(self) -> ParsedBoltRequest:
        return ParsedBoltRequest(
            raw_body=self.raw_body,
            body=self.body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
        )
