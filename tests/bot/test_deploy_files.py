"""Procfile, app.json, requirements.txt, manifest.yml, .env.example and the docs agree."""

from __future__ import annotations

import json
import re

from bot import settings
from tests.harness import REPO

#: Config vars a Heroku app gets without declaring them: from the platform, or from an add-on.
PLATFORM_VARIABLES = {"PORT"}
ADDON_VARIABLES = {"heroku-postgresql": {"DATABASE_URL"}}
#: The secrets the default formation (web, single workspace) cannot start without.
REQUIRED_ON_HEROKU = {"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"}
ENV_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def procfile() -> dict[str, str]:
    entries = {}
    for line in (REPO / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            kind, command = line.split(":", 1)
            entries[kind.strip()] = command.strip()
    return entries


def app_json() -> dict:
    return json.loads((REPO / "app.json").read_text())


def env_example_names() -> set[str]:
    text = (REPO / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def secret_names() -> set[str]:
    declared = getattr(settings, "SECRET_VARIABLES", None)
    names = set(declared) if declared else set(settings.SLACK_CREDENTIALS)
    return names | {n for n in env_example_names() if re.search(r"TOKEN|SECRET", n)}


def docs_section(title: str, page: str = "docs/operations.md") -> str:
    text = (REPO / page).read_text()
    match = re.search(rf"^(#+) {re.escape(title)}\n(.*?)(?=^#{{1,3}} )", text, re.M | re.S)
    assert match, f"{page} has no section {title!r}"
    return match.group(2)


def addon_services(app: dict) -> set[str]:
    return {(a["plan"] if isinstance(a, dict) else a).split(":")[0] for a in app.get("addons", [])}


def test_procfile_has_web_and_worker():
    entries = procfile()
    assert entries["web"] == "python -m bot http"
    assert entries["worker"] == "python -m bot socket"
    assert "--preload" not in "\n".join(entries.values())


def test_manifest_declares_command_events_scopes_and_urls():
    manifest = (REPO / "manifest.yml").read_text()
    assert "command: /sentiment" in manifest
    for event in ("- app_mention", "- message.im"):
        assert event in manifest
    for scope in ("commands", "app_mentions:read", "chat:write", "im:history"):
        assert re.search(rf"- {re.escape(scope)}\b", manifest)
    assert manifest.count("/slack/events") >= 2  # slash command URL + event request URL
    assert "messages_tab_enabled: true" in manifest


def test_env_example_lists_every_variable_without_values_for_secrets():
    example = (REPO / ".env.example").read_text()
    names = {*settings.WHERE, *settings.SLACK_CREDENTIALS, "MODEL_DIR"}
    for name in names:
        assert re.search(rf"^{name}=", example, re.MULTILINE), name
    for secret in secret_names():
        assert re.search(rf"^{secret}=$", example, re.MULTILINE), secret


def test_docs_configuration_table_covers_every_variable():
    docs = (REPO / "docs" / "configuration.md").read_text()
    for name in {*settings.WHERE, "MODEL_DIR"}:
        assert f"| `{name}` |" in docs, name


# --- Heroku: one push, or the Heroku Button --------------------------------------------------


def test_app_json_declares_every_config_var_with_a_description():
    app = app_json()
    provided = PLATFORM_VARIABLES.union(
        *(ADDON_VARIABLES.get(s, set()) for s in addon_services(app))
    )
    missing = env_example_names() - provided - set(app["env"])
    assert not missing, f"app.json env does not declare {sorted(missing)}"
    for name, spec in app["env"].items():
        assert isinstance(spec, dict) and spec.get("description", "").strip(), name
        assert "required" in spec, f"{name}: say whether it is required"
    assert not set(app["env"]) & provided, "do not declare what Heroku or an add-on sets"


def test_app_json_secrets_are_never_defaulted_and_the_needed_ones_are_required():
    env = app_json()["env"]
    for name in secret_names() & set(env):
        assert "value" not in env[name] and "generator" not in env[name], name
    for name in REQUIRED_ON_HEROKU:
        assert env[name]["required"] is True, name


def test_app_json_formation_matches_the_procfile_and_database_addon_is_declared():
    app, processes = app_json(), procfile()
    long_running = set(processes) - {"release"}
    assert set(app["formation"]) == long_running
    assert app["formation"]["web"]["quantity"] >= 1
    assert sum(p["quantity"] for p in app["formation"].values()) == 1, "run one of web/worker"
    if "DATABASE_URL" in env_example_names() or "release" in processes:
        assert "heroku-postgresql" in addon_services(app)


def test_requirements_and_python_version_give_the_serving_install():
    requirements = [
        line.split("#")[0].strip()
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    assert requirements == ["."], "serve what `pip install .` serves: no extras, no TensorFlow"
    pyproject = (REPO / "pyproject.toml").read_text()  # tomllib needs 3.11; we support 3.10
    dependencies = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.M | re.S).group(1)
    assert "tensorflow" not in dependencies.lower()
    version = (REPO / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.\d+", version), "Heroku takes a major version such as 3.11"
    minimum = re.search(r'^requires-python = ">=([\d.]+)"', pyproject, re.M).group(1)
    assert tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split(".")))


def test_docs_deploy_section_matches_procfile_and_app_json():
    section = docs_section("Deploying to Heroku")
    app, processes = app_json(), procfile()
    for kind, command in processes.items():
        assert f"{kind}: {command}" in section, f"Procfile line {kind!r} not shown"
    for name in app["env"]:
        assert f"`{name}`" in section, f"{name} (app.json) not in the deploy section"
    for service in addon_services(app):
        assert service in section
    known = set(app["env"]) | env_example_names() | PLATFORM_VARIABLES
    known |= {v for vs in ADDON_VARIABLES.values() for v in vs}
    unknown = {n for n in ENV_NAME.findall(section) if n not in known}
    assert not unknown, f"the deploy section names variables nothing reads: {sorted(unknown)}"
    for path in ("requirements.txt", ".python-version", "Procfile", "app.json"):
        assert path in section
    assert "git push heroku main" in section
