"""Console mode and the ``python -m bot`` entry point's user-facing failures."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bot.analysis import Analyzer
from bot.runners import console
from tests.harness import clean_env, fake_token


def run_bot(*args: str, stdin: str = "", cwd: Path, env: dict[str, str], timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def test_console_answers_each_line(fake_classifier):
    stdin = io.StringIO("what a wonderful day\n\nhelp\nterrible film\nboom\n")
    stdout, stderr = io.StringIO(), io.StringIO()
    status = console.run(Analyzer(fake_classifier), stdin, stdout, stderr)
    assert status == 0
    lines = stdout.getvalue().splitlines()
    assert lines[0] == 'positive (93% confident): "what a wonderful day"'
    assert lines[1].startswith("Type a message")
    assert lines[2].startswith("negative (96% confident)")
    assert len(lines) == 3
    assert "No Slack credentials" in stderr.getvalue()
    assert "could not score" in stderr.getvalue()


def test_console_low_confidence_note(fake_classifier):
    stdout = io.StringIO()
    console.run(Analyzer(fake_classifier), io.StringIO("meh\n"), stdout, io.StringIO())
    assert "Low confidence" in stdout.getvalue()


def test_missing_settings_exit_2_without_secrets(tmp_path: Path):
    env = clean_env(SLACK_BOT_TOKEN=fake_token("xoxp", "NOT-A-BOT-TOKEN-shh"), PORT="nope")
    result = run_bot(cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "PORT is malformed" in result.stderr
    assert "NOT-A-BOT-TOKEN" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_socket_mode_without_tokens_exit_2(tmp_path: Path):
    result = run_bot("socket", cwd=tmp_path, env=clean_env(), timeout=60)
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_missing_model_is_one_clear_error(tmp_path: Path):
    env = clean_env(MODEL_DIR=str(tmp_path / "no-model-here"))
    result = run_bot(stdin="great\n", cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("error:") == 1
    assert "Traceback" not in result.stderr


def test_dotenv_in_working_directory_is_used(tmp_path: Path):
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={fake_token('xoxb', 'from-dotenv')}\n")
    result = run_bot(cwd=tmp_path, env=clean_env(), timeout=60)
    assert result.returncode == 2  # HTTP mode now, and the signing secret is missing
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr


def test_piped_console_with_a_real_model(model_dir: Path, tmp_path: Path):
    env = clean_env(MODEL_DIR=str(model_dir))
    result = run_bot(stdin="what a wonderful day\n", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("positive (")
    assert "% confident" in result.stdout
