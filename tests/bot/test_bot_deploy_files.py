"""Procfile, manifest.yml, .env.example and the docs agree with the code."""

from __future__ import annotations

import re

from bot_helpers import REPO

from bot.settings import SLACK_CREDENTIALS, WHERE


def test_procfile_has_web_and_worker():
    lines = (REPO / "Procfile").read_text().splitlines()
    assert "web: python -m bot http" in lines
    assert "worker: python -m bot socket" in lines
    assert "--preload" not in "\n".join(lines)


def test_manifest_declares_command_events_scopes_and_urls():
    manifest = (REPO / "manifest.yml").read_text()
    assert "command: /sentiment" in manifest
    for event in ("- app_mention", "- message.im"):
        assert event in manifest
    for scope in ("commands", "app_mentions:read", "chat:write", "im:history"):
        assert re.search(rf"- {re.escape(scope)}\b", manifest)
    assert manifest.count("/slack/events") == 2  # slash command URL + event request URL
    assert "messages_tab_enabled: true" in manifest


def test_env_example_lists_every_variable_without_values_for_secrets():
    example = (REPO / ".env.example").read_text()
    names = {*WHERE, *SLACK_CREDENTIALS, "MODEL_DIR"}
    for name in names:
        assert re.search(rf"^{name}=", example, re.MULTILINE), name
    for secret in SLACK_CREDENTIALS:
        assert re.search(rf"^{secret}=$", example, re.MULTILINE)


def test_docs_configuration_table_covers_every_variable():
    docs = (REPO / "README.md").read_text()
    for name in {*WHERE, "MODEL_DIR"}:
        assert f"| `{name}` |" in docs, name
