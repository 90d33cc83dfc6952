"""``python -m bot.settings_docs [--check]`` (or ``make config-docs``): write the config docs.

The field descriptions of :class:`bot.settings.Settings` are the single source of three files:
``.env.example``, the ``env`` block of ``app.json`` (the rest of that file is kept as it is) and
``docs/configuration.md``; it also fills the Heroku config-var table of ``docs/operations.md``
(between two marker comments, the rest of that page is hand-written). Run this after adding or
changing a setting and commit the result;
``--check`` only reports which files are stale (exit 1), which is what
``tests/bot/test_settings_docs.py`` checks.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.settings import ENV_FIELDS

REPO = Path(__file__).resolve().parents[1]
GENERATED_BY = "`make config-docs`"


def _extra(info: Any) -> dict[str, Any]:
    return dict(info.json_schema_extra or {})


def example_value(info: Any) -> str:
    """What ``.env.example`` sets: empty for secrets and unset defaults, else example/default."""
    extra = _extra(info)
    if extra.get("secret"):
        return ""
    if extra.get("example") is not None:
        return str(extra["example"])
    return default_text(info.default)


def default_text(value: Any) -> str:
    """A default as a user would type it."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


def _groups() -> dict[str, list[tuple[str, Any]]]:
    groups: dict[str, list[tuple[str, Any]]] = {}
    for name, info in ENV_FIELDS.items():
        groups.setdefault(_extra(info)["group"], []).append((name, info))
    return groups


def render_env_example() -> str:
    """``.env.example``: every variable with its description as a comment."""
    lines = [
        f"# Generated from bot/settings.py by {GENERATED_BY}; edit the descriptions there.",
        "# Copy to .env (never commit .env) and fill in. Real environment variables win over",
        "# this file. With none of the SLACK_* credentials set, `python -m bot` starts the",
        "# offline console. Secrets are left empty here on purpose.",
    ]
    for group, fields in _groups().items():
        lines += ["", f"# --- {group} ---"]
        for name, info in fields:
            lines.append("")
            lines += textwrap.wrap(
                info.description,
                width=98,
                initial_indent="# ",
                subsequent_indent="# ",
                break_on_hyphens=False,
            )
            default = default_text(info.default)
            if default and not _extra(info).get("secret") and _extra(info).get("example"):
                lines.append(f"# Default: {default}.")
            lines.append(f"{name}={example_value(info)}")
    return "\n".join(lines) + "\n"


def app_json_env() -> dict[str, dict[str, Any]]:
    """The ``env`` block of ``app.json``; what Heroku or an add-on sets is left out."""
    env: dict[str, dict[str, Any]] = {}
    for name, info in ENV_FIELDS.items():
        extra = _extra(info)
        if extra.get("heroku_sets"):
            continue
        description = info.description
        default = default_text(info.default)
        if default and not extra.get("secret"):
            description += f" Default: {default}."
        if extra.get("heroku"):
            description += " " + extra["heroku"]
        env[name] = {"description": description, "required": bool(extra.get("heroku_required"))}
    return env


def render_app_json(current: str) -> str:
    """``app.json`` as it is, with its ``env`` block regenerated."""
    app = json.loads(current)
    app["env"] = app_json_env()
    return json.dumps(app, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_configuration_md() -> str:
    """``docs/configuration.md``: how settings are read, then one table per group."""
    lines = [
        "# Configuration",
        "",
        f"<!-- Generated from bot/settings.py by {GENERATED_BY} (python -m bot.settings_docs).",
        "Edit the field descriptions there and rerun the command; tests/bot/test_settings_docs.py",
        "fails while this file is stale. -->",
        "",
        "The bot reads every setting from environment variables, and from a `.env` file in the",
        "working directory for those the environment does not set (copy",
        "[`.env.example`](../.env.example) to `.env`). `python -m bot` checks them all at start",
        "and, when something is missing or malformed, prints one message listing every problem",
        "and where to get the value, then exits with status 2. Secret values (tokens, secrets,",
        "the database password) are never printed: not in that message, not in logs, not in",
        "`repr(settings)`.",
        "",
        "With none of the Slack credentials set, `python -m bot` starts the offline console.",
        "On Heroku the same variables are config vars; [`app.json`](../app.json) declares them.",
        "",
        "To add a setting, add one field to `Settings` in [`bot/settings.py`](../bot/settings.py)",
        "and run `make config-docs`; it rewrites `.env.example`, the `env` block of `app.json`",
        "and this page.",
    ]
    for group, fields in _groups().items():
        lines += ["", f"## {group}", "", "| Variable | Default | Description |", "|---|---|---|"]
        for name, info in fields:
            default = default_text(info.default)
            shown = f"`{default}`" if default else "(unset)"
            if _extra(info).get("secret"):
                shown = "(secret)"
            lines.append(f"| `{name}` | {_cell(shown)} | {_cell(info.description)} |")
    return "\n".join(lines) + "\n"


HEROKU_START = "<!-- heroku-config-vars: generated by `make config-docs` -->"
HEROKU_END = "<!-- /heroku-config-vars -->"


def render_heroku_table(current: str) -> str:
    """``docs/operations.md`` with the table of config vars between its markers regenerated."""
    rows = ["| variable | on Heroku |", "| --- | --- |"]
    for name, info in ENV_FIELDS.items():
        extra = _extra(info)
        need = "" if extra.get("heroku_sets") else "optional"
        if extra.get("heroku_required"):
            need = "**required**"
        note = " — ".join(part for part in (need, extra.get("heroku") or "") if part)
        rows.append(f"| `{name}` | {_cell(note)} |")
    block = "\n".join([HEROKU_START, *rows, HEROKU_END])
    start, end = current.find(HEROKU_START), current.find(HEROKU_END)
    if start < 0 or end < start:
        raise SystemExit(f"docs/operations.md lacks the markers {HEROKU_START} ... {HEROKU_END}")
    return current[:start] + block + current[end + len(HEROKU_END) :]


#: Each generated file: its path in the repository and how to render it from its current text.
TARGETS: dict[str, Callable[[str], str]] = {
    ".env.example": lambda _current: render_env_example(),
    "app.json": render_app_json,
    "docs/configuration.md": lambda _current: render_configuration_md(),
    "docs/operations.md": render_heroku_table,
}


def stale_files(root: Path = REPO) -> list[str]:
    """The generated files whose content differs from what the settings model gives."""
    stale = []
    for relative, render in TARGETS.items():
        path = root / relative
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if render(current) != current:
            stale.append(relative)
    return stale


def write_files(root: Path = REPO) -> list[str]:
    """Regenerate every target; returns those that changed."""
    changed = []
    for relative in stale_files(root):
        path = root / relative
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TARGETS[relative](current), encoding="utf-8")
        changed.append(relative)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.settings_docs", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale files, write nothing")
    parser.add_argument("--root", type=Path, default=REPO, help="repository root (default: here)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.root)
        for relative in stale:
            print(f"{relative} is stale: run `make config-docs`", file=sys.stderr)
        return 1 if stale else 0
    for relative in write_files(args.root):
        print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
