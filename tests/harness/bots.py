"""Bots for tests and benchmarks: a fake classifier, settings, an in-process server, and the
real ``python -m bot`` as a subprocess (with free ports and a health wait)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import Settings
from model import ModelInfo, Prediction
from tests.harness.standin import SlackStandin

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"


def fake_token(kind: str, rest: str) -> str:
    """A token-shaped test value (``kind`` is xoxb, xoxp or xapp), assembled at run time so the
    source holds no literal that secret scanners would take for a real Slack token."""
    return f"{kind}-{rest}"


BOT_TOKEN = fake_token("xoxb", "test-0000-token")

POSITIVE_WORDS = ("great", "wonderful", "love", "good", "bien", "gut")
NEGATIVE_WORDS = ("awful", "terrible", "hate", "bad", "boring")


class FakeClassifier:
    """Keyword classifier with the model's interface; "meh" is unsure, "boom" raises."""

    def __init__(self) -> None:
        self.info = ModelInfo(path="/fake", version="fake-1", runtime="fake", test_accuracy=0.875)
        self.calls: list[list[str]] = []
        self._lock = threading.Lock()

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        with self._lock:
            self.calls.append(list(texts))
        out = []
        for text in texts:
            lowered = text.lower()
            if "boom" in lowered:
                raise RuntimeError("model exploded")
            if "meh" in lowered:
                p = 0.55
            elif any(w in lowered for w in POSITIVE_WORDS):
                p = 0.93
            elif any(w in lowered for w in NEGATIVE_WORDS):
                p = 0.04
            else:
                p = 0.3
            out.append(Prediction.from_probability(p))
        return out


def make_settings(api_url: str = "https://slack.com/api/", **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "mode": "http",
        "bot_token": BOT_TOKEN,
        "signing_secret": SIGNING_SECRET,
        "api_url": api_url,
        "host": "127.0.0.1",
        "port": 3000,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class RunningBot:
    """The WSGI app served by waitress in this process, wired to the stand-in."""

    url: str
    events_url: str
    secret: str
    standin: SlackStandin
    classifier: FakeClassifier
    wsgi: Any
    bolt: Any


def start_bot(
    standin: SlackStandin, classifier: Any, database: Any = None, **overrides: Any
) -> tuple[RunningBot, Any]:
    """Serve a BotApp (``bot.app.create_app``) with waitress on a free port, in this process.

    ``bolt`` in the result is the BotApp; without ``database`` dedupe is per process.
    """
    from bot.app import create_app
    from bot.runners.http import SlackWsgiApp, bind

    settings = make_settings(standin.api_url, port=0, **overrides)
    wsgi = SlackWsgiApp()
    server = bind(wsgi, settings)
    bolt = create_app(settings, classifier, database=database)
    wsgi.ready(bolt)
    bolt.start()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    server.test_thread = thread
    url = f"http://127.0.0.1:{server.effective_port}"
    bot = RunningBot(url, f"{url}/slack/events", SIGNING_SECRET, standin, classifier, wsgi, bolt)
    return bot, server


def stop_bot(bot: RunningBot, server: Any) -> None:
    """Close every waitress channel from inside its own loop, then wait for replies in flight."""
    from waitress import wasyncore

    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    server.test_thread.join(5)
    server.task_dispatcher.shutdown()
    bot.bolt.shutdown(wait=True)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REPO = Path(__file__).resolve().parents[2]
#: The real process with the keyword classifier instead of the model (tests/harness/fake_bot.py).
FAKE_BOT = (sys.executable, "-m", "tests.harness.fake_bot")
#: The real process, real model.
REAL_BOT = (sys.executable, "-m", "bot")
SLACK_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SCOPES",
    "SLACK_REDIRECT_URI",
    "SLACK_COMMAND",
    "MODEL_DIR",
    "MODEL_RUNTIME",
    "PORT",
    "DATABASE_URL",
    "DATABASE_PATH",
    "WEB_CONCURRENCY",
)


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any Slack/bot configuration."""
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS and k != "LOG_LEVEL"}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


class BotExited(AssertionError):
    """The bot process ended (or never answered) while a test or benchmark waited for it."""


def wait_healthy(
    url: str,
    process: subprocess.Popen | None = None,
    timeout: float = 90,
    statuses: Sequence[str] = ("ok", "degraded"),
) -> dict:
    """``/healthz`` of the bot at ``url`` once it answers 200 with one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BotExited(f"the bot exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                payload = json.loads(response.read())
                if response.status == 200 and payload.get("status") in statuses:
                    return payload
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        time.sleep(0.1)
    raise BotExited(f"the bot did not answer /healthz within {timeout:.0f} s")


@dataclass
class BotProcess:
    """A ``python -m bot`` (or fake_bot) process on its own port, logging to ``log_path``."""

    popen: subprocess.Popen
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    def health(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
            return json.loads(response.read())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, wait up to ``timeout`` s (then SIGKILL); the exit status."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        return self.popen.wait()


def bot_env(standin: SlackStandin | None, port: int, **extra: str) -> dict[str, str]:
    """A clean environment for a bot in HTTP mode talking to ``standin``."""
    settings = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "INFO",
    }
    if standin is not None:
        settings["SLACK_API_URL"] = standin.api_url
    return clean_env(**{**settings, **extra})


def launch_bot(
    standin: SlackStandin | None,
    workdir: Path,
    name: str = "bot",
    *,
    command: Sequence[str] = FAKE_BOT,
    args: Sequence[str] = ("http",),
    port: int = 0,
    new_session: bool = False,
    **env: str,
) -> BotProcess:
    """Start a bot process without waiting for it (``wait_healthy`` / ``start_bot_process``).

    ``new_session`` puts it in its own process group, so a test can signal the whole group the
    way Heroku signals every process of a dyno.
    """
    port = port or free_port()
    log_path = Path(workdir) / f"{name}.log"
    with log_path.open("a") as log:
        popen = subprocess.Popen(
            [*command, *args],
            cwd=workdir,
            env=bot_env(standin, port, **env),
            stdout=log,
            stderr=log,
            start_new_session=new_session,
        )
    return BotProcess(popen, port, log_path)


def start_bot_process(
    standin: SlackStandin | None,
    workdir: Path,
    name: str = "bot",
    *,
    timeout: float = 60,
    statuses: Sequence[str] = ("ok",),
    **kwargs: Any,
) -> BotProcess:
    """Start a bot process and wait until ``/healthz`` says one of ``statuses``."""
    process = launch_bot(standin, workdir, name, **kwargs)
    try:
        wait_healthy(process.url, process.popen, timeout=timeout, statuses=statuses)
    except BotExited as error:
        process.stop()
        raise BotExited(f"{name}: {error}:\n{process.log()}") from None
    return process
