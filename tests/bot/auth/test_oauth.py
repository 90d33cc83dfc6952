"""Multi-workspace mode: the OAuth install flow, per-workspace tokens, uninstall.

Real waitress + Bolt in this process, the Web API stand-in answering ``oauth.v2.access`` and
``auth.test`` per token, installations in a real database (SQLite and PostgreSQL). Slack's
consent page is only a redirect target, so the test follows the flow by hand: GET
/slack/install → 302 with a state → GET /slack/oauth_redirect?code=…&state=… with the cookie.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator

import pytest

from bot.db.claims import ClaimStore
from tests.bot.listener_doubles import label_of
from tests.harness import (
    SIGNING_SECRET,
    SlackStandin,
    command_body,
    event_body,
    fake_token,
    mention_event,
    post,
    start_bot,
    stop_bot,
)

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret-for-tests-0123"
SCOPES = ("commands", "app_mentions:read", "chat:write", "im:history")
TEAM = "T0TEAM002"
TEAM_TOKEN = fake_token("xoxb", "team2-0000-token")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """GET without following redirects: status, headers (lower-case names), body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request("GET", target, headers=headers or {})
    response = connection.getresponse()
    body = response.read().decode()
    result = {k.lower(): v for k, v in response.getheaders()}
    connection.close()
    return response.status, result, body


@pytest.fixture
def oauth_bot(standin: SlackStandin, fake_classifier, migrated_database) -> Iterator:
    bot, server = start_bot(
        standin,
        fake_classifier,
        database=migrated_database,
        bot_token=None,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=SCOPES,
    )
    try:
        yield bot
    finally:
        stop_bot(bot, server)


def install(bot, standin: SlackStandin, code: str = "install-code-2") -> tuple[int, str]:
    standin.add_install_code(
        code, team_id=TEAM, bot_token=TEAM_TOKEN, bot_user_id="UBOT0002", bot_id="BBOT0002"
    )
    status, headers, _ = get(f"{bot.url}/slack/install")
    assert status == 302
    location = urllib.parse.urlsplit(headers["location"])
    assert location.netloc == "slack.com" and location.path == "/oauth/v2/authorize"
    query = urllib.parse.parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [",".join(SCOPES)]
    state = query["state"][0]
    cookie = headers["set-cookie"].split(";")[0]
    status, _, body = get(
        f"{bot.url}/slack/oauth_redirect?code={code}&state={state}", {"Cookie": cookie}
    )
    return status, body


def test_install_stores_the_workspace_and_its_token_answers_it(oauth_bot, standin):
    status, _ = install(oauth_bot, standin)
    assert status == 200
    [exchange] = standin.calls_to("oauth.v2.access")
    assert exchange.body["code"] == "install-code-2"
    store = oauth_bot.bolt.authorization.installation_store
    bot = store.find_bot(enterprise_id=None, team_id=TEAM)
    assert bot is not None and bot.bot_token == TEAM_TOKEN and bot.bot_user_id == "UBOT0002"

    event = mention_event("<@UBOT0002> what a great day", ts="1700000200.000100")
    body = event_body(event, "EvTeam2Mention", team_id=TEAM)
    reply = post(oauth_bot.events_url, body, oauth_bot.secret, content_type="application/json")
    assert reply.status == 200
    [posted] = standin.wait_for("chat.postMessage")
    assert posted.headers["Authorization"] == f"Bearer {TEAM_TOKEN}"
    assert label_of(posted.body["text"]) == "positive"

    body = command_body("I love it", standin.response_url("team2"), team_id=TEAM)
    assert post(oauth_bot.events_url, body, oauth_bot.secret).status == 200
    [answer] = standin.wait_for("response_url")
    assert label_of(answer.body["text"]) == "positive"


def test_a_forged_or_reused_state_is_refused(oauth_bot, standin):
    standin.add_install_code(
        "code-x", team_id=TEAM, bot_token=TEAM_TOKEN, bot_user_id="U2", bot_id="B2"
    )
    status, _, _ = get(f"{oauth_bot.url}/slack/oauth_redirect?code=code-x&state=made-up")
    assert status >= 400
    assert standin.calls_to("oauth.v2.access") == []
    store = oauth_bot.bolt.authorization.installation_store
    assert store.find_bot(enterprise_id=None, team_id=TEAM) is None


def test_a_workspace_that_never_installed_gets_no_reply(oauth_bot, standin):
    event = mention_event("<@UBOT0002> great", ts="1700000201.000100")
    body = event_body(event, "EvStranger", team_id="T0STRANGER")
    post(oauth_bot.events_url, body, oauth_bot.secret, content_type="application/json")
    standin.settle(0.5)
    assert standin.calls_to("chat.postMessage") == []
    assert oauth_bot.classifier.calls == []


def test_uninstall_deletes_the_installation_and_the_claims(oauth_bot, standin, migrated_database):
    install(oauth_bot, standin)
    event = mention_event("<@UBOT0002> great", ts="1700000202.000100")
    body = event_body(event, "EvBeforeUninstall", team_id=TEAM)
    post(oauth_bot.events_url, body, oauth_bot.secret, content_type="application/json")
    standin.wait_for("chat.postMessage")
    claims = ClaimStore(migrated_database)
    assert claims.claim("EvBeforeUninstall", TEAM) is False  # claimed by the delivery above

    uninstalled = event_body({"type": "app_uninstalled"}, "EvUninstall", team_id=TEAM)
    reply = post(
        oauth_bot.events_url, uninstalled, oauth_bot.secret, content_type="application/json"
    )
    assert reply.status == 200
    store = oauth_bot.bolt.authorization.installation_store
    assert store.find_bot(enterprise_id=None, team_id=TEAM) is None
    assert store.find_installation(enterprise_id=None, team_id=TEAM) is None
    assert claims.claim("EvBeforeUninstall", TEAM) is True  # its claims went too

    after = event_body(event, "EvAfterUninstall", team_id=TEAM)
    post(oauth_bot.events_url, after, oauth_bot.secret, content_type="application/json")
    standin.settle(0.5)
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_revoked_bot_token_is_deleted(oauth_bot, standin):
    install(oauth_bot, standin)
    revoked = event_body(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT0002"]}},
        "EvRevoked",
        team_id=TEAM,
    )
    reply = post(oauth_bot.events_url, revoked, oauth_bot.secret, content_type="application/json")
    assert reply.status == 200
    store = oauth_bot.bolt.authorization.installation_store
    assert store.find_bot(enterprise_id=None, team_id=TEAM) is None


def test_healthz_reports_oauth_and_the_database(oauth_bot):
    status, _, body = get(f"{oauth_bot.url}/healthz")
    payload = json.loads(body)
    assert status == 200
    assert payload["auth"] == "oauth" and payload["database"] == "ok"
    assert payload["status"] == "ok"


def test_install_routes_are_not_served_in_single_workspace_mode(running_bot):
    status, _, _ = get(f"{running_bot.url}/slack/install")
    assert status == 404


def test_an_expired_rotating_token_is_refused_with_a_clear_log(oauth_bot, standin, caplog):
    import time

    from slack_sdk.oauth.installation_store import Installation

    store = oauth_bot.bolt.authorization.installation_store
    store.save(
        Installation(
            app_id="A0APP0001",
            team_id=TEAM,
            user_id="U0INSTALLER",
            bot_token=TEAM_TOKEN,
            bot_id="BBOT0002",
            bot_user_id="UBOT0002",
            bot_refresh_token=fake_token("xoxe", "1-refresh"),
            bot_token_expires_at=int(time.time()) - 60,
        )
    )
    event = mention_event("<@UBOT0002> great", ts="1700000203.000100")
    body = event_body(event, "EvExpired", team_id=TEAM)
    post(oauth_bot.events_url, body, oauth_bot.secret, content_type="application/json")
    standin.settle(0.5)
    assert standin.calls_to("chat.postMessage") == []
    assert "token rotation is on" in caplog.text


def test_the_real_process_in_oauth_mode(standin, migrated_database, tmp_path):
    """``python -m bot`` (keyword model) configured by the environment alone."""
    from test_bot_scaleout import start_process

    process = start_process(
        standin,
        migrated_database.url,
        tmp_path,
        "oauth",
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SCOPES=",".join(SCOPES),
    )
    try:
        assert process.health()["auth"] == "oauth"
        status, _ = install(process, standin)
        assert status == 200
        event = mention_event("<@UBOT0002> lovely", ts="1700000204.000100")
        body = event_body(event, "EvRealOauth", team_id=TEAM)
        post(process.events_url, body, SIGNING_SECRET, content_type="application/json")
        [posted] = standin.wait_for("chat.postMessage")
        assert posted.headers["Authorization"] == f"Bearer {TEAM_TOKEN}"
        uninstalled = event_body({"type": "app_uninstalled"}, "EvRealUninstall", team_id=TEAM)
        post(process.events_url, uninstalled, SIGNING_SECRET, content_type="application/json")
        from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

        store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=migrated_database.engine)
        assert store.find_bot(enterprise_id=None, team_id=TEAM) is None
    finally:
        assert process.stop() == 0
    log = process.log_path.read_text()
    assert TEAM_TOKEN not in log and CLIENT_SECRET not in log
