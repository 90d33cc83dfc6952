"""Authorization, one pluggable piece: which bot token answers a request from which workspace.

Two implementations share one small interface (:class:`Authorization`):

* :class:`~bot.auth.single.SingleTokenAuthorization`: ``SLACK_BOT_TOKEN``, one workspace;
* :class:`~bot.auth.oauth.OAuthAuthorization`: Slack's OAuth v2 install flow, installations in
  the database, any number of workspaces.

``bot.app`` asks the chosen one for its Bolt options and lets it attach what it needs (the
uninstall listeners); runners call ``start()`` once the process serves. Nothing else in the bot
knows which mode is active, except ``/healthz``, which reports ``mode``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from bot.settings import AUTH_OAUTH, Settings

#: The OAuth install flow's two routes, served by the HTTP runner in OAuth mode.
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.db import Database


class Authorization(Protocol):
    """What the app needs from an authorization mode."""

    #: "single-workspace" or "oauth", reported by /healthz.
    mode: str

    def bolt_options(self) -> dict[str, Any]:
        """Keyword arguments for ``slack_bolt.App`` (``authorize``, ``oauth_settings`` …)."""
        ...

    def attach(self, app: Any) -> None:
        """Register what this mode needs on the built app (e.g. uninstall listeners)."""
        ...

    def start(self) -> None:
        """Called once the process serves: background warm-up, never blocking."""
        ...


def build_authorization(
    settings: Settings, client: WebClient, database: Database | None
) -> Authorization:
    """The authorization mode ``settings`` asks for (validated by ``load_settings``)."""
    if settings.auth_mode == AUTH_OAUTH:
        from bot.auth.oauth import OAuthAuthorization

        if database is None:
            raise ValueError("OAuth installs need a database")
        return OAuthAuthorization(settings, database)
    from bot.auth.single import SingleTokenAuthorization

    return SingleTokenAuthorization(settings.bot_token or "", client)


__all__ = ["Authorization", "build_authorization"]
