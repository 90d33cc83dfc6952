"""manifest.yml, the README and the config examples agree with the code (surfaces, scopes).

That every registered event listener has a subscription is checked in
tests/bot/listeners/test_registry.py."""

from __future__ import annotations

import json
import re

from bot.analysis import Analysis
from bot.listeners import shortcut, workflow


def _manifest() -> str:
    from tests.harness import REPO

    return (REPO / "manifest.yml").read_text()


def manifest_bot_scopes(text: str) -> set[str]:
    block = re.search(r"^    bot:\n((?:      - .*\n)+)", text, re.M)
    assert block, "no oauth_config.scopes.bot list"
    return set(re.findall(r"- ([a-z_.:]+)", block.group(1)))


def test_manifest_declares_the_surfaces_the_code_listens_for():
    text = _manifest()
    shortcut_entry = re.search(r"^  shortcuts:\n(?:    .*\n)+", text, re.M).group(0)
    assert "type: message" in shortcut_entry
    assert f"callback_id: {shortcut.CALLBACK_ID}" in shortcut_entry
    functions = text[text.index("\nfunctions:") :]
    assert f"\n  {workflow.CALLBACK_ID}:\n" in functions
    inputs = functions[functions.index("input_parameters") : functions.index("output_parameters")]
    assert "\n        text:\n" in inputs
    outputs = functions[functions.index("output_parameters") :]
    for name in workflow.step_outputs(
        Analysis("x", "positive", 0.9, False, False, 0.6, p_positive=0.9)
    ):
        assert f"\n        {name}:\n" in outputs, name
    for event in ("app_mention", "message.im", "app_home_opened", "function_executed"):
        assert re.search(rf"^      - {re.escape(event)}$", text, re.M), event
    for setting in (
        "home_tab_enabled: true",
        "function_runtime: remote",
        "org_deploy_enabled: true",
        "should_escape: true",  # mood needs channel links, not bare names
    ):
        assert setting in text, setting
    assert re.search(r"interactivity:\n    is_enabled: true", text)
    assert text.count("https://YOUR-APP.example.com/slack/events") == 3


def test_every_scope_is_needed_and_justified_in_the_readme():
    from tests.harness import REPO

    scopes = manifest_bot_scopes(_manifest())
    assert scopes == {
        "commands",
        "app_mentions:read",
        "chat:write",
        "im:history",
        "channels:history",
        "groups:history",
        "channels:read",
        "groups:read",
        "reactions:write",
        "im:write",
    }
    privacy = (REPO / "docs" / "privacy.md").read_text()
    privacy = privacy[privacy.index("## Permissions") :]
    privacy = privacy[: privacy.index("\n## ")]
    for scope in scopes:
        assert re.search(rf"^\| `{re.escape(scope)}` \| \S", privacy, re.M), scope
    readme = (REPO / "README.md").read_text()
    assert "Slack surfaces" in readme and "/sentiment mood" in readme


def test_oauth_scope_examples_match_the_manifest():
    """OAuth installs request SLACK_SCOPES: the documented value must be the manifest's scopes."""
    from tests.harness import REPO

    scopes = manifest_bot_scopes(_manifest())
    example = re.search(r"^SLACK_SCOPES=(.*)$", (REPO / ".env.example").read_text(), re.M)
    assert example and set(example.group(1).split(",")) == scopes
    app_json = json.loads((REPO / "app.json").read_text())
    described = re.search(r"\(([a-z_:.,]+)\)", app_json["env"]["SLACK_SCOPES"]["description"])
    assert described and set(described.group(1).split(",")) == scopes
