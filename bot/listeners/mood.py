"""``/sentiment mood [#channel] [count] [24h|7d|30d]``: the mood of a channel.

Dispatched from the slash command's lazy listener (the ack has already been sent), answering
only the caller via the command's ``response_url``.

* A watched channel (``bot.watch``) is answered from its hourly counts: no history call.
* Any other channel falls back to ``conversations.history`` within Slack's limits for apps
  outside the Marketplace: at most PAGE_SIZE (15) messages per request, one request a minute.
  People's messages are scored through the Analyzer; the reply has shares, a small text chart,
  the trend, permalinks (never quotes) to the most positive and the most negative message, how
  many messages were read, and a suggestion to watch the channel. Nothing read is stored.

Rate limits: a 429 is retried after Slack's ``Retry-After`` (bounded: at most MAX_ATTEMPTS tries
and MAX_WAIT_SECONDS per wait, enough for Slack's one-minute window); the user is told when the
bot has to wait, and plainly when it gives up.

Replies go straight to ``response_url`` (``deps.send_response``, with its retries) rather than
through the outbox: waiting out a rate limit can take longer than the outbox's reply deadline,
and a response_url stays valid for 30 minutes.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy.exc import SQLAlchemyError

from bot.channel_mood import (
    DM_NOT_SUPPORTED,
    MAX_COUNT,
    MoodRequest,
    MoodUsageError,
    explain_history_error,
    human_texts,
    mood_message,
    parse_mood_command,
    summarise,
)
from bot.listeners.deps import deps_of
from bot.outgoing.retry import retry_after
from bot.outgoing.slack_errors import slack_error_code
from bot.replies import apology
from bot.watch.periods import DEFAULT_PERIOD, PERIODS
from bot.watch.store import WatchStore
from bot.watch.summaries import mood_from_counts

MAX_ATTEMPTS = 3
MAX_WAIT_SECONDS = 65.0
DEFAULT_WAIT_SECONDS = 1.0
#: Waits at least this long are announced to the user before sleeping.
ANNOUNCE_WAIT_SECONDS = 3.0
#: Slack's cap per history request for apps outside the Marketplace (2025 rate-limit change).
PAGE_SIZE = 15
MAX_PAGES = 8

#: Replaced in tests to avoid real sleeping.
sleep: Callable[[float], None] = time.sleep


def is_mood_command(text: str, channel_id: str = "", channel_name: str | None = None) -> bool:
    """True when the command text asks for a channel's mood (even with a usage error)."""
    try:
        return parse_mood_command(text, channel_id or "C0", channel_name) is not None
    except MoodUsageError:
        return True


class HistoryError(Exception):
    """Reading history failed; ``str()`` is the explanation for the user."""


@dataclass
class History:
    """What was read: raw messages (newest first) and notes for the user."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def without_rate_limit_retries(client: Any) -> Any:
    """A copy of ``client`` whose 429s reach this module (its other retries are kept).

    The shared client retries 429s itself, sleeping whatever Retry-After says; for history the
    wait is bounded here and the user is told about it.
    """
    handlers = getattr(client, "retry_handlers", None)
    if handlers is None:
        return client
    clone = copy.copy(client)
    clone.retry_handlers = [h for h in handlers if not isinstance(h, RateLimitErrorRetryHandler)]
    return clone


def _retry_after(error: SlackApiError) -> float:
    """Slack's Retry-After for this 429 (DEFAULT_WAIT_SECONDS when it sent none)."""
    wait = retry_after(getattr(error.response, "headers", None))
    return DEFAULT_WAIT_SECONDS if wait is None else wait


def _is_rate_limited(error: SlackApiError) -> bool:
    status = getattr(error.response, "status_code", None)
    return status == 429 or slack_error_code(error) == "ratelimited"


def read_history(
    client: Any,
    request: MoodRequest,
    *,
    bot_user_id: str | None,
    notify: Callable[[str], None],
) -> History:
    """Read enough recent messages for ``request.count`` human texts (at most MAX_PAGES pages
    of PAGE_SIZE).

    Raises HistoryError with a plain explanation when nothing could be read.
    """
    history = History()
    cursor: str | None = None
    announced = False
    for _page in range(MAX_PAGES):
        attempt = 0
        while True:
            attempt += 1
            try:
                kwargs: dict[str, Any] = {"channel": request.channel_id, "limit": PAGE_SIZE}
                if cursor:
                    kwargs["cursor"] = cursor
                response = client.conversations_history(**kwargs)
                break
            except SlackApiError as error:
                if not _is_rate_limited(error):
                    needed = error.response.get("needed") if error.response is not None else None
                    raise HistoryError(
                        explain_history_error(
                            slack_error_code(error), request.channel_id, needed=needed
                        )
                    ) from None
                wait = _retry_after(error)
                if attempt >= MAX_ATTEMPTS or wait > MAX_WAIT_SECONDS:
                    if history.messages:
                        history.notes.append(
                            "Slack rate-limited further reading, so this covers the messages "
                            "read so far."
                        )
                        return history
                    if wait > MAX_WAIT_SECONDS:
                        raise HistoryError(
                            "Slack is rate-limiting how often I can read channel history and "
                            f"asks me to wait {wait:.0f} s. Please try again in a minute or two."
                        ) from None
                    raise HistoryError(
                        explain_history_error("ratelimited", request.channel_id, attempts=attempt)
                    ) from None
                if wait >= ANNOUNCE_WAIT_SECONDS and not announced:
                    notify(
                        f"Slack is rate-limiting reads of channel history; I'll try again in "
                        f"{wait:.0f} s."
                    )
                    announced = True
                sleep(wait)
        history.messages.extend(response.get("messages") or [])
        if len(human_texts(history.messages, bot_user_id, request.count)) >= request.count:
            break
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not response.get("has_more") or not cursor:
            break
    return history


def permalink(client: Any, channel: str, ts: str, logger: Any) -> str | None:
    """The message's permalink, or None (the reply then says "link unavailable")."""
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as error:
        logger.warning("chat.getPermalink failed: %s", slack_error_code(error))
    except Exception as error:
        logger.warning("chat.getPermalink failed: %s", type(error).__name__)
    return None


def ephemeral(text: str) -> dict[str, Any]:
    return {"text": text, "response_type": "ephemeral"}


def mood_reply(
    deps: Any,
    client: Any,
    command: dict[str, Any],
    *,
    bot_user_id: str | None,
    notify: Callable[[str], None],
) -> dict[str, Any]:
    """The whole mood flow for one command; always returns a message for the user."""
    channel_id = command.get("channel_id") or ""
    try:
        request = parse_mood_command(
            command.get("text", ""), channel_id, command.get("channel_name")
        )
    except MoodUsageError as error:
        return ephemeral(str(error))
    if request is None:  # callers check is_mood_command first; be safe anyway
        return ephemeral("That is not a mood command.")
    if request.channel_id.startswith("D"):
        return ephemeral(DM_NOT_SUPPORTED)
    store = deps.watch
    team_id = str(command.get("team_id") or "")
    try:
        watched = store is not None and store.get(team_id, request.channel_id) is not None
    except SQLAlchemyError as error:
        deps.logger.warning("reading the watch of a channel failed: %s", type(error).__name__)
        watched = False
    if store is not None and watched:
        return {**counts_reply(store, team_id, request, time.time()), "response_type": "ephemeral"}
    try:
        history = read_history(
            without_rate_limit_retries(client), request, bot_user_id=bot_user_id, notify=notify
        )
    except HistoryError as error:
        return ephemeral(str(error))
    except Exception as error:
        deps.logger.warning("conversations.history failed: %s", type(error).__name__)
        return ephemeral(
            "I couldn't reach Slack to read the channel's messages. Please try again in a moment."
        )
    messages = human_texts(
        history.messages, bot_user_id, min(request.count, MAX_COUNT), deps.analyzer.clean
    )
    try:
        analyses = [deps.analyzer.analyse(m.text) for m in messages]
        summary = summarise(messages, analyses, deps.analyzer.threshold)
    except Exception:
        ref = str(command.get("trigger_id") or "mood")
        deps.logger.exception("scoring failed for channel mood (request id %s)", ref)
        return {**apology(ref), "response_type": "ephemeral"}
    links = {}
    for scored in (summary.most_positive, summary.most_negative):
        if scored is not None and scored.ts:
            links[scored.ts] = permalink(client, request.channel_id, scored.ts, deps.logger)
    message = mood_message(
        request.channel_id,
        summary,
        links,
        requested=request.count,
        capped_from=request.capped_from,
        notes=[*history.notes, read_note(history, request)],
    )
    return {**message, "response_type": "ephemeral"}


def counts_reply(
    store: WatchStore, team_id: str, request: MoodRequest, now: float
) -> dict[str, Any]:
    """The mood of a watched channel over the asked period (default 7d), from its counts."""
    period = PERIODS.get(request.period or "") or DEFAULT_PERIOD
    start, end = period.span(now)
    before_start, before_end = period.previous_span(now)
    current = store.hours(team_id, request.channel_id, start, end)
    previous = store.hours(team_id, request.channel_id, before_start, before_end)
    return mood_from_counts(request.channel_id, period, current, previous, start)


def read_note(history: History, request: MoodRequest) -> str:
    """How much history was read, and the better way: watching."""
    pages = max(1, -(-len(history.messages) // PAGE_SIZE))
    period = f" over {request.period}" if request.period else ""
    return (
        f"I read {len(history.messages)} messages of history ({pages} request"
        f"{'s' if pages != 1 else ''} of at most {PAGE_SIZE}, Slack's limit for this app). "
        f"For this channel's mood{period} from live counts, without reading history, a member "
        "can run `/sentiment watch`."
    )


def answer_mood(command: dict[str, Any], client: Any, context: Any) -> None:
    """Answer ``/sentiment mood ...`` through the command's response_url (ephemeral)."""
    deps = deps_of(context)
    response_url = command.get("response_url")
    if not response_url:
        deps.logger.warning("mood command without response_url; nothing to answer")
        return

    def notify(text: str) -> None:
        deps.send_response(response_url, ephemeral(text))

    bot_user_id = context.get("bot_user_id") if context is not None else None
    reply = mood_reply(deps, client, command, bot_user_id=bot_user_id, notify=notify)
    deps.send_response(response_url, reply)
