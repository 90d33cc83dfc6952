"""Fixtures for the bot tests; the helpers behind them live in tests/harness."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import FakeClassifier, RunningBot, SlackStandin, start_bot, stop_bot


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


# -- databases ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL: ``TEST_DATABASE_URL`` (.ci/run starts one), else one started here.

    With SENTIMENT_REQUIRE_DATA=1 (CI) an unavailable server fails the tests instead of skipping.
    """
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    from postgres_server import PostgresServer, PostgresUnavailable

    directory = Path(tempfile.mkdtemp(prefix="sentiment-pg-"))
    directory.chmod(0o755)
    server = PostgresServer(directory / "pg")
    try:
        url = server.start()
    except PostgresUnavailable as error:
        shutil.rmtree(directory, ignore_errors=True)
        message = f"PostgreSQL unavailable: {error}"
        if os.environ.get("SENTIMENT_REQUIRE_DATA"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _fresh_postgres_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """CREATE DATABASE with a unique name; returns its SQLAlchemy URL and a dropper."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bot.settings import database_url

    admin_url = database_url({"DATABASE_URL": server_url})
    name = f"bot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        message = f"PostgreSQL at {make_url(admin_url).host} unusable: {error}"
        if os.environ.get("SENTIMENT_REQUIRE_DATA"):
            pytest.fail(message)
        pytest.skip(message)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


@pytest.fixture
def postgres_database_url(postgres_server: str) -> Iterator[str]:
    """An empty PostgreSQL database (no schema) as a SQLAlchemy URL."""
    url, drop = _fresh_postgres_database(postgres_server)
    try:
        yield url
    finally:
        drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema) as a SQLAlchemy URL: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    url, drop = _fresh_postgres_database(request.getfixturevalue("postgres_server"))
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def migrated_database(database_url: str) -> Iterator[Any]:
    """A ``bot.db.Database`` on ``database_url`` with the schema created."""
    from bot.db import Database
    from bot.db.schema import migrate

    database = Database(database_url)
    migrate(database)
    try:
        yield database
    finally:
        database.dispose()
