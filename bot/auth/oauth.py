"""Multi-workspace authorization: Slack's OAuth v2 install flow, installations in the database.

``GET /slack/install`` redirects to Slack's consent page with a one-time ``state``;
``GET /slack/oauth_redirect`` exchanges the code (``oauth.v2.access`` on ``SLACK_API_URL``) and
stores the installation. Both are Bolt's ``OAuthFlow`` with slack_sdk's SQLAlchemy stores, so
every process sharing the database sees every installation and every pending state.

Requests are authorized from the stored installation without calling Slack (Bolt's default
``InstallationStoreAuthorize`` calls ``auth.test`` before each ack): the bot's user id and bot
id were recorded at install time.

``app_uninstalled`` deletes the workspace's installations, bots and event claims;
``tokens_revoked`` deletes the bot or the users whose tokens were revoked (both with Bolt's
``TokenRevocationListeners``; manifest.yml subscribes to both events).

Token rotation is off (``token_rotation_enabled: false`` in manifest.yml): with rotation, each
workspace's bot token expires every 12 hours and must be refreshed by exactly one process
before it expires, with the new token written back before any other process uses the old one;
processes and dynos racing to refresh would need a cross-process lock that the stores do not
provide. Without rotation a bot token lives until the app is uninstalled or the token revoked,
both of which delete it here.
"""

from __future__ import annotations

import logging
from time import time
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.listener.builtins import TokenRevocationListeners
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.auth import INSTALL_PATH, REDIRECT_PATH
from bot.db import Database
from bot.settings import AUTH_OAUTH, Settings

log = logging.getLogger(__name__)

#: How long an install link's ``state`` stays valid.
STATE_EXPIRATION_SECONDS = 600


class InstallationAuthorize(Authorize):
    """Authorize a request with the bot of its workspace's installation; no network call."""

    def __init__(self, store: SQLAlchemyInstallationStore):
        super().__init__()
        self.store = store

    def __call__(
        self,
        *,
        context: Any,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult | None:
        is_enterprise_install = bool(context.get("is_enterprise_install"))
        bot = self.store.find_bot(
            enterprise_id=enterprise_id,
            team_id=None if is_enterprise_install else team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is None or not bot.bot_token:
            log.info("no installation for team %s; the request is refused", team_id)
            return None
        if bot.bot_token_expires_at is not None and bot.bot_token_expires_at <= time():
            log.error(
                "the bot token of team %s expired: token rotation is on for this app, which the "
                "bot does not support; turn it off (manifest token_rotation_enabled: false) and "
                "reinstall",
                team_id,
            )
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
        )


class OAuthAuthorization:
    """Installations and OAuth state in slack_sdk's SQLAlchemy stores."""

    mode = AUTH_OAUTH

    def __init__(self, settings: Settings, database: Database):
        self.settings = settings
        self.database = database
        self.installation_store = SQLAlchemyInstallationStore(
            client_id=settings.client_id or "", engine=database.engine, logger=log
        )
        self.state_store = SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS, engine=database.engine, logger=log
        )
        self.authorize = InstallationAuthorize(self.installation_store)

    def oauth_settings(self) -> OAuthSettings:
        return OAuthSettings(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret,
            scopes=list(self.settings.scopes),
            redirect_uri=self.settings.redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=self.installation_store,
            installation_store_bot_only=True,
            state_store=self.state_store,
            state_expiration_seconds=STATE_EXPIRATION_SECONDS,
            # A direct link to Slack's consent page, no intermediate "Add to Slack" page.
            install_page_rendering_enabled=False,
        )

    def bolt_options(self) -> dict[str, Any]:
        return {
            "oauth_settings": self.oauth_settings(),
            "installation_store": self.installation_store,
            "installation_store_bot_only": True,
            "authorize": self.authorize,
        }

    def attach(self, app: App) -> None:
        """Uninstalls and revoked tokens delete what belongs to that workspace: Bolt's own
        :class:`TokenRevocationListeners` delete the installations and bots, and an uninstall
        also forgets the workspace's event claims."""
        from bot.db.claims import ClaimStore

        revocation = TokenRevocationListeners(self.installation_store)
        claims = ClaimStore(self.database)

        def delete_workspace(ack: Ack, context: BoltContext, logger: logging.Logger) -> None:
            ack()
            revocation.handle_app_uninstalled_events(context)
            if context.team_id:
                claims.forget_team(context.team_id)
            logger.info("app uninstalled from %s: installation and claims deleted", context.team_id)

        def delete_revoked_tokens(
            ack: Ack, event: dict[str, Any], context: BoltContext, logger: logging.Logger
        ) -> None:
            ack()
            revocation.handle_tokens_revoked_events(event, context)
            logger.info("tokens revoked in %s: deleted", context.team_id)

        app.event("app_uninstalled")(delete_workspace)
        app.event("tokens_revoked")(delete_revoked_tokens)

    def start(self) -> None:
        """Nothing to warm up: each request reads its workspace's installation."""
