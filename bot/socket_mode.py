"""Socket Mode: the app opens a WebSocket to Slack, so no public URL is needed.

Good for development behind a firewall and for a Heroku ``worker`` dyno. Slack Bolt's built-in
Socket Mode client is used (no extra dependency); acks travel back over the socket.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any

from bot.analysis import ClassifierLike
from bot.settings import Settings

log = logging.getLogger(__name__)


class SocketModeError(Exception):
    """Socket Mode could not connect; ``str()`` is for the person at the terminal."""


def _raise_system_exit(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def connect(app: Any, settings: Settings) -> Any:
    """Open the Socket Mode connection; a SocketModeError (with the fix) if Slack says no."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    handler = SocketModeHandler(app, app_token=settings.app_token)
    try:
        handler.connect()
        return handler
    except SlackApiError as error:
        handler.close()
        code = error.response.get("error") if error.response is not None else "unknown"
        raise SocketModeError(
            f"Slack refused the Socket Mode connection ({code}). Check SLACK_APP_TOKEN (an "
            "app-level token with connections:write) and that Socket Mode is enabled under "
            "https://api.slack.com/apps → your app → Socket Mode."
        ) from None
    except Exception as error:
        handler.close()
        raise SocketModeError(
            f"could not reach Slack at {settings.api_url} to open Socket Mode "
            f"({type(error).__name__}); check the network and SLACK_API_URL."
        ) from None


def run(settings: Settings, load_classifier: Callable[[], ClassifierLike]) -> None:
    """Load the model, connect, and block until SIGTERM/SIGINT."""
    from bot.app import create_app

    classifier = load_classifier()
    app = create_app(settings, classifier)
    try:
        handler = connect(app, settings)
    except SocketModeError:
        app.listener_runner.listener_executor.shutdown(wait=False)
        raise
    app.refresh_authorization()
    info = classifier.info
    log.info(
        "connected in Socket Mode (model %s, runtime %s)",
        getattr(info, "version", "?"),
        getattr(info, "runtime", "?"),
    )
    signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        signal.pause()
    except (KeyboardInterrupt, SystemExit):
        log.info("shutting down")
    finally:
        handler.close()
        app.listener_runner.listener_executor.shutdown(wait=True)
