"""Socket Mode: the app opens a WebSocket to Slack, so no public URL is needed.

Good for development behind a firewall and for a Heroku ``worker`` dyno. Slack Bolt's built-in
Socket Mode client is used (no extra dependency); acks travel back over the socket.
"""

from __future__ import annotations

import logging
import signal
from typing import Any

from bot.runners.base import Runner, RunnerError, open_database
from bot.settings import Settings

log = logging.getLogger(__name__)


class SocketModeError(RunnerError):
    """Socket Mode could not connect; ``str()`` is for the person at the terminal."""


def connect(bolt_app: Any, settings: Settings) -> Any:
    """Open the Socket Mode connection; a SocketModeError (with the fix) if Slack says no."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    from bot.outgoing.slack_errors import slack_error_code

    handler = SocketModeHandler(bolt_app, app_token=settings.app_token)
    try:
        handler.connect()
        return handler
    except SlackApiError as error:
        handler.close()
        code = slack_error_code(error) or "unknown"
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


class SocketRunner(Runner):
    """Load the model, connect, and block until SIGTERM/SIGINT."""

    bot: Any = None
    handler: Any = None

    def start(self) -> None:
        from bot.app import create_app

        classifier = self.load_classifier()
        database = open_database(self.settings)
        self.bot = create_app(self.settings, classifier, database=database)
        self.handler = connect(self.bot.bolt, self.settings)
        self.bot.start()
        info = classifier.info
        log.info(
            "connected in Socket Mode (model %s, runtime %s, database %s)",
            getattr(info, "version", "?"),
            getattr(info, "runtime", "?"),
            database.display_url,
        )

    def wait(self) -> int:
        signal.pause()
        return 0

    def stop(self) -> None:
        if self.handler is not None:
            self.handler.close()
        if self.bot is not None:
            self.bot.shutdown(wait=self.handler is not None)
