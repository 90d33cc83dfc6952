"""Single-workspace authorization: the one bot token from ``SLACK_BOT_TOKEN``."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.outgoing.slack_errors import slack_error_code
from bot.settings import AUTH_SINGLE

log = logging.getLogger(__name__)

#: auth.test errors that mean the token itself is bad, so requests cannot be served.
FATAL_AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


def make_authorize(
    token: str, client: WebClient, retry_interval: float = 60.0
) -> Callable[..., AuthorizeResult | None]:
    """A Bolt ``authorize`` function for one bot token that caches ``auth.test``.

    Bolt's default single-team authorization calls ``auth.test`` inside the first request (before
    the ack, so a slow Slack can push that ack past 3 s) and fails every request while the call
    fails. This one never calls Slack on the request path: ``auth.test`` runs in a background
    thread (at start-up via ``authorize.refresh()``, then at most once per ``retry_interval``
    until it succeeds). Until then requests are authorized with the token and an unknown
    ``bot_user_id``; the listeners fall back to the event's ``authorizations``. A token Slack
    rejects (``invalid_auth`` …) yields None, so Bolt answers with its "not installed" error.
    """
    lock = threading.Lock()
    state: dict[str, Any] = {"auth": None, "next_try": 0.0, "fatal": None, "running": False}

    def fetch() -> None:
        try:
            response = client.auth_test(token=token)
            state["auth"] = {
                k: response.get(k) for k in ("user_id", "bot_id", "team_id", "enterprise_id")
            }
            state["fatal"] = None
            log.info("authorized as bot user %s", state["auth"]["user_id"])
        except SlackApiError as error:
            code = slack_error_code(error)
            if code in FATAL_AUTH_ERRORS:
                state["fatal"] = code
                log.error("Slack rejected SLACK_BOT_TOKEN (%s); check the token", code)
            else:
                log.warning("auth.test failed (%s); continuing without bot user id", code)
        except Exception as error:
            log.warning(
                "auth.test unavailable (%s); continuing without bot user id",
                type(error).__name__,
            )
        finally:
            state["running"] = False

    def refresh(wait: bool = False) -> None:
        """Start ``auth.test`` in the background unless it succeeded or ran recently."""
        with lock:
            if state["auth"] is not None or state["running"]:
                return
            if time.monotonic() < state["next_try"]:
                return
            state["running"] = True
            state["next_try"] = time.monotonic() + retry_interval
        thread = threading.Thread(target=fetch, name="auth-test", daemon=True)
        thread.start()
        if wait:
            thread.join()

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult | None:
        refresh()
        if state["fatal"]:
            return None
        auth = state["auth"] or {}
        return AuthorizeResult(
            enterprise_id=enterprise_id or auth.get("enterprise_id"),
            team_id=team_id or auth.get("team_id"),
            bot_token=token,
            bot_user_id=auth.get("user_id"),
            bot_id=auth.get("bot_id"),
        )

    authorize.refresh = refresh  # type: ignore[attr-defined]
    return authorize


class SingleTokenAuthorization:
    """Every request is answered with ``SLACK_BOT_TOKEN``; ``auth.test`` is cached."""

    mode = AUTH_SINGLE

    def __init__(self, token: str, client: WebClient, retry_interval: float = 60.0):
        self.authorize = make_authorize(token, client, retry_interval)

    def bolt_options(self) -> dict[str, Any]:
        return {"authorize": self.authorize}

    def attach(self, app: Any) -> None:
        """Nothing to attach: uninstalling the single-workspace app just invalidates the token."""

    def start(self) -> None:
        self.authorize.refresh()  # type: ignore[attr-defined]
