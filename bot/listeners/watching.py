"""Channel watching's Slack surfaces (the logic lives in ``bot.watch``).

* ``message`` events in public and private channels: acked at once; the lazy listener scores
  and counts the message if its channel is watched (``bot.watch.counting``).
* ``/sentiment watch | unwatch | alert | reactions``: dispatched from the slash command's lazy
  listener (``bot.listeners.commands``), answered privately through the ``response_url``.
* App Home: the *Channel mood* section's channel picker and *Stop watching* buttons.
* ``channel_deleted`` / ``channel_archive`` / ``group_deleted`` / ``group_archive``: the
  channel's counts are deleted; ``app_uninstalled``: the workspace's (a middleware, so it also
  runs in OAuth mode, whose own uninstall listener answers that event).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.listeners.deps import Deps, deps_of
from bot.listeners.reply_path import meta_for, send
from bot.outgoing.destinations import HomeTab, ResponseUrl
from bot.views import View
from bot.watch.control import (
    Caller,
    WatchUsageError,
    parse_watch_command,
    run_watch_command,
)
from bot.watch.counting import WATCHED_CHANNEL_TYPES, count_message
from bot.watch.home_section import UNWATCH_ACTION, WATCH_PICK_ACTION, watch_blocks

log = logging.getLogger(__name__)

NO_DATABASE = (
    "Watching needs the app's database (DATABASE_URL), and it is not available right now. "
    "Please try again later or tell the app's admin."
)
SURFACE = "command"
#: One message at a time is scored and counted per process (well over 100 a second): a burst
#: then takes one of the database pool's connections, one thread's share of the CPU and at
#: most one SQLite write lock, and the acks (which need all three) keep theirs; the other
#: listener threads wait here without working. Measured with scripts/bench_mood.py.
COUNTING_SLOTS = threading.BoundedSemaphore(1)
#: After each message the counting thread pauses this long, so that during a burst the acks
#: (Python code too) get most of the interpreter; a burst of 200 is still counted in ~2 s.
COUNTING_PAUSE_SECONDS = 0.01
CHANNEL_GONE_EVENTS = ("channel_deleted", "channel_archive", "group_deleted", "group_archive")


def is_watch_command(text: str) -> bool:
    """True for ``watch`` / ``unwatch`` / ``alert`` / ``reactions`` (even with a usage error)."""
    try:
        return parse_watch_command(text) is not None
    except WatchUsageError:
        return True


def _bot_user_id(context: BoltContext | dict[str, Any], body: dict[str, Any]) -> str | None:
    known = context.get("bot_user_id")
    if known:
        return str(known)
    for authorization in body.get("authorizations") or []:
        if authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None


def watch_reply(
    deps: Deps, client: WebClient, command: dict[str, Any], bot_user_id: str | None
) -> str:
    """The answer to one watch subcommand (after doing it)."""
    try:
        parsed = parse_watch_command(command.get("text", ""))
    except WatchUsageError as error:
        return str(error)
    if parsed is None:
        return "That is not a watch command."
    if deps.watch is None:
        return NO_DATABASE
    caller = Caller(
        team_id=str(command.get("team_id") or ""),
        channel_id=str(command.get("channel_id") or ""),
        user_id=str(command.get("user_id") or ""),
        bot_user_id=bot_user_id,
    )
    try:
        return run_watch_command(deps.watch, client, caller, parsed)
    except SQLAlchemyError as error:
        deps.logger.warning("watch command failed: %s", type(error).__name__)
        return NO_DATABASE


def answer_watch(
    body: dict[str, Any], command: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Run a watch subcommand and answer privately through the command's response_url."""
    deps = deps_of(context)
    response_url = command.get("response_url")
    if not isinstance(response_url, str) or not response_url:
        return
    meta = meta_for(context, body, SURFACE)
    text = watch_reply(deps, client, command, _bot_user_id(context, body))
    destination = ResponseUrl(response_url, deps.outbox.response_sender)
    payload = {"text": text, "response_type": "ephemeral"}
    send(deps, payload=payload, meta=meta, destination=destination, label="watch")


def ack_quietly(ack: Ack) -> None:
    """Acked with an empty 200 before any work (scoring and counting come after)."""
    ack()


def is_channel_message(event: dict[str, Any]) -> bool:
    """Matcher: messages in public and private channels (DMs go to bot.listeners.events)."""
    return event.get("channel_type") in WATCHED_CHANNEL_TYPES


def count_channel_message(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Lazy listener: count the message if its channel is watched; failures are logged."""
    deps = deps_of(context)
    if deps.watch is None:
        return
    with COUNTING_SLOTS:
        _count(deps, body, event, client, context)
        time.sleep(COUNTING_PAUSE_SECONDS)  # leave the interpreter to the acks for a moment


def _count(
    deps: Deps,
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> None:
    assert deps.watch is not None
    try:
        count_message(
            deps.watch,
            deps.analyzer,
            client,
            str(body.get("team_id") or context.get("team_id") or ""),
            event,
            bot_user_id=_bot_user_id(context, body),
            reaction_confidence=deps.reaction_confidence,
        )
    except SQLAlchemyError as error:
        deps.logger.warning("counting a message failed: %s", type(error).__name__)
    except Exception:
        deps.logger.exception("scoring a watched channel's message failed")


def forget_channel(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    """Lazy listener: a deleted or archived channel's counts are deleted."""
    deps = deps_of(context)
    channel = event.get("channel")
    if isinstance(channel, dict):
        channel = channel.get("id")
    if deps.watch is None or not channel:
        return
    try:
        if deps.watch.unwatch(str(body.get("team_id") or ""), str(channel)):
            deps.logger.info("channel %s gone (%s): its counts are deleted", channel, event["type"])
    except SQLAlchemyError as error:
        deps.logger.warning("deleting a gone channel's counts failed: %s", type(error).__name__)


def forget_uninstalled_team(
    body: dict[str, Any], context: BoltContext, next: Callable[[], Any]
) -> Any:
    """Global middleware: ``app_uninstalled`` deletes the workspace's watching, then goes on."""
    event = body.get("event") or {}
    deps = context.get("deps")
    team_id = body.get("team_id")
    if event.get("type") == "app_uninstalled" and deps is not None and deps.watch and team_id:
        try:
            removed = deps.watch.forget_team(str(team_id))
            log.info("app uninstalled from %s: %s watched channels deleted", team_id, removed)
        except SQLAlchemyError as error:
            log.warning("deleting an uninstalled workspace's counts failed: %s", error)
    return next()


# -- App Home -------------------------------------------------------------------------------------


def home_section(deps: Deps, team_id: str | None, note: str | None = None) -> list[dict[str, Any]]:
    """The *Channel mood* blocks for the Home tab (empty without a database)."""
    if deps.watch is None or not team_id:
        return []
    try:
        watched = deps.watch.watched(team_id)
    except SQLAlchemyError:
        return []
    return watch_blocks(watched, note)


def with_watching(deps: Deps, view: View, team_id: str | None, note: str | None = None) -> View:
    """``view`` (the Home tab) with the *Channel mood* section appended."""
    return {**view, "blocks": [*view.get("blocks", []), *home_section(deps, team_id, note)]}


def toggle_from_home(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Lazy listener for the picker and the buttons: watch or unwatch, then re-publish."""
    deps = deps_of(context)
    user = (body.get("user") or {}).get("id")
    action = (body.get("actions") or [{}])[0]
    team_id = str((body.get("team") or {}).get("id") or context.get("team_id") or "")
    if not user or deps.watch is None:
        return
    if action.get("action_id") == WATCH_PICK_ACTION:
        channel, text = action.get("selected_conversation"), "watch"
    else:
        channel, text = action.get("value"), "unwatch"
    if not channel:
        return
    command = {"text": text, "team_id": team_id, "channel_id": channel, "user_id": user}
    note = watch_reply(deps, client, command, _bot_user_id(context, body))
    from bot.views import home_view

    info = getattr(getattr(deps.analyzer, "classifier", None), "info", None)
    meta = meta_for(context, body, "home")
    view = with_watching(deps, home_view(info), team_id, note)
    send(deps, payload=view, meta=meta, destination=HomeTab(client, user, team_id), label="watch")


def register(app: App) -> None:
    """Wire the message counting, channel-gone events and the Home tab's controls.

    ``bot.listeners.messages`` takes only DMs, so channel messages reach this listener.
    """
    app.use(forget_uninstalled_team)
    app.event("message", matchers=[is_channel_message])(
        ack=ack_quietly, lazy=[count_channel_message]
    )
    for name in CHANNEL_GONE_EVENTS:
        app.event(name)(ack=ack_quietly, lazy=[forget_channel])
    app.action(WATCH_PICK_ACTION)(ack=ack_quietly, lazy=[toggle_from_home])
    app.action(UNWATCH_ACTION)(ack=ack_quietly, lazy=[toggle_from_home])
