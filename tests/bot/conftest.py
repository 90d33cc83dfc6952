"""Fixtures for the bot tests; the helpers behind them live in bot_helpers.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_helpers import FakeClassifier, RunningBot, start_bot, stop_bot
from slack_standin import SlackStandin


@pytest.fixture
def fake_classifier() -> FakeClassifier:
    return FakeClassifier()


@pytest.fixture
def standin() -> Iterator[SlackStandin]:
    with SlackStandin() as running:
        yield running


@pytest.fixture
def running_bot(standin: SlackStandin, fake_classifier: FakeClassifier) -> Iterator[RunningBot]:
    bot, server = start_bot(standin, fake_classifier)
    try:
        yield bot
    finally:
        stop_bot(bot, server)


@pytest.fixture
def model_dir(request: pytest.FixtureRequest) -> Path:
    """A real tiny trained model, from ``trained_model_dir`` in tests/conftest.py.

    A same-named placeholder here would shadow the real fixture, so this looks it up by name
    instead and skips while tests/conftest.py does not provide it yet.
    """
    try:
        return Path(request.getfixturevalue("trained_model_dir"))
    except pytest.FixtureLookupError:
        pytest.skip("trained_model_dir (tests/conftest.py) is not available yet")
