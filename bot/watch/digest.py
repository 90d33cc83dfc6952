"""``python -m bot digest``: post each watched channel's past week, once per week.

A one-off process (Heroku Scheduler, cron, or a ``digest:`` Procfile entry), no model needed.
For every watched channel it claims the current ISO week (``mood_watched_channels.digest_week``,
an atomic update), posts the digest of the seven full days before today (UTC) to the
destination chosen at watch time, and gives the claim back if the post fails so the next run
retries. Run it twice in a week and the second run posts nothing. It also purges counts older
than the retention period. See docs/mood.md for scheduling.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.watch.control import post
from bot.watch.periods import SECONDS_PER_HOUR, WEEK
from bot.watch.store import WatchStore
from bot.watch.summaries import digest_message

log = logging.getLogger(__name__)

ClientFor = Callable[[str], Any]


@dataclass
class DigestRun:
    """What one run did, per channel."""

    posted: int = 0
    already_posted: int = 0
    failed: int = 0
    purged_hours: int = 0


def week_key(now: float) -> str:
    """The ISO week of ``now`` (UTC), e.g. ``2026-W49``: one digest per channel per key."""
    year, week, _ = datetime.fromtimestamp(now, tz=timezone.utc).isocalendar()
    return f"{year}-W{week:02d}"


def digest_span(now: float) -> tuple[int, int]:
    """The seven full days (in hours) before today's midnight, UTC."""
    end = int(now // SECONDS_PER_HOUR) // 24 * 24
    return end - WEEK.hours, end


def run_digest(store: WatchStore, client_for: ClientFor, now: float | None = None) -> DigestRun:
    """Post the week's digest of every watched channel that has not had it this week."""
    now = time.time() if now is None else now
    run = DigestRun(purged_hours=store.purge(now))
    week = week_key(now)
    start, end = digest_span(now)
    for watch in store.watched():
        if not store.claim_digest(watch.team_id, watch.channel_id, week):
            run.already_posted += 1
            continue
        hours = store.hours(watch.team_id, watch.channel_id, start, end)
        before = store.hours(watch.team_id, watch.channel_id, start - WEEK.hours, start)
        message = digest_message(watch.channel_id, hours, before, start, WEEK)
        client = client_for(watch.team_id)
        if client is not None and post(client, watch.digest_destination, message):
            run.posted += 1
            continue
        store.release_digest(watch.team_id, watch.channel_id, week, watch.digest_week)
        run.failed += 1
    return run


def token_lookup(settings: Any, database: Any) -> Callable[[str], str | None]:
    """team id -> bot token: ``SLACK_BOT_TOKEN`` for one workspace, else the installations."""
    if settings.bot_token:
        return lambda team_id: settings.bot_token
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    installations = SQLAlchemyInstallationStore(
        client_id=settings.client_id or "", engine=database.engine, logger=log
    )

    def token(team_id: str) -> str | None:
        bot = installations.find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None

    return token


def main(settings: Any) -> int:
    """The ``digest`` mode: one run, a one-line summary, exit 0 (2 if nothing could be read)."""
    import sys

    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import Database, SchemaError
    from bot.outgoing.web_client import make_web_client

    database = Database(settings.database_url)
    try:
        database.check_schema()
        token = token_lookup(settings, database)

        def client_for(team_id: str) -> Any:
            bot_token = token(team_id)
            return make_web_client(bot_token, settings.api_url) if bot_token else None

        run = run_digest(WatchStore.from_settings(database, settings), client_for)
    except (SchemaError, SQLAlchemyError) as error:
        print(f"error: digest: {error}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(
        f"digest: {run.posted} posted, {run.already_posted} already posted this week, "
        f"{run.failed} failed; {run.purged_hours} expired hourly counts purged"
    )
    return 0
