"""`.env.example`, app.json's env and docs/configuration.md come from bot/settings.py."""

from __future__ import annotations

import json
import shutil

from bot_helpers import REPO

from bot import settings_docs
from bot.settings import ENV_FIELDS, SECRET_VARIABLES

GENERATED = (".env.example", "app.json", "docs/configuration.md")
#: Hand-written around a generated table of Heroku config vars.
HEROKU_PAGE = "docs/operations.md"


def test_the_generated_files_match_the_settings_model():
    stale = settings_docs.stale_files(REPO)
    assert stale == [], f"{stale} drifted from bot/settings.py: run `make config-docs`"


def test_changing_one_description_makes_all_three_files_stale_until_regenerated(
    tmp_path, monkeypatch
):
    for relative in (*GENERATED, HEROKU_PAGE):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, tmp_path / relative)
    assert settings_docs.main(["--check", "--root", str(tmp_path)]) == 0

    changed = "The port to listen on; a description changed for this test only."
    monkeypatch.setattr(ENV_FIELDS["PORT"], "description", changed)
    monkeypatch.setattr(ENV_FIELDS["LOG_LEVEL"], "description", changed)
    assert sorted(settings_docs.stale_files(tmp_path)) == sorted(GENERATED)
    assert settings_docs.main(["--check", "--root", str(tmp_path)]) == 1

    assert settings_docs.main(["--root", str(tmp_path)]) == 0
    assert settings_docs.stale_files(tmp_path) == []
    assert changed in (tmp_path / ".env.example").read_text()
    assert changed in (tmp_path / "docs/configuration.md").read_text()
    # PORT is set by Heroku, so app.json shows the change through LOG_LEVEL only.
    app_env = json.loads((tmp_path / "app.json").read_text())["env"]
    assert "PORT" not in app_env and app_env["LOG_LEVEL"]["description"].startswith(changed)

    note = "On Heroku: a note changed for this test only."
    monkeypatch.setitem(ENV_FIELDS["LOG_LEVEL"].json_schema_extra, "heroku", note)
    assert sorted(settings_docs.stale_files(tmp_path)) == ["app.json", HEROKU_PAGE]
    settings_docs.main(["--root", str(tmp_path)])
    assert f"| `LOG_LEVEL` | optional — {note} |" in (tmp_path / HEROKU_PAGE).read_text()


def test_app_json_keeps_everything_but_its_env_block():
    current = json.loads((REPO / "app.json").read_text())
    rendered = json.loads(settings_docs.render_app_json(json.dumps({**current, "env": {}})))
    assert {k: v for k, v in rendered.items() if k != "env"} == {
        k: v for k, v in current.items() if k != "env"
    }
    assert rendered["env"] == settings_docs.app_json_env()


def test_every_variable_is_documented_once_per_file_and_secrets_have_no_value():
    example = (REPO / ".env.example").read_text().splitlines()
    table = (REPO / "docs/configuration.md").read_text()
    for name in ENV_FIELDS:
        assert sum(line.startswith(f"{name}=") for line in example) == 1, name
        assert table.count(f"| `{name}` |") == 1, name
    for name in SECRET_VARIABLES:
        assert f"{name}=" in example and f"| `{name}` | (secret) |" in table
