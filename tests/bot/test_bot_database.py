"""The database: schema and migrate, event claims, and dedupe through a database outage.

Each test runs twice, on a SQLite file and on PostgreSQL (see conftest.database_url).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, update

from bot.db import Database, SchemaError
from bot.db import schema as schema_module
from bot.db.claims import ClaimStore
from bot.db.schema import check_schema, event_claims, migrate, prepare, schema_version
from bot.dedupe import Dedupe
from tests.harness import FAKE_BOT, clean_env, free_port


def test_migrate_creates_every_table_and_is_idempotent(database_url: str):
    database = Database(database_url)
    try:
        with pytest.raises(SchemaError, match="python -m bot migrate"):
            check_schema(database)
        assert migrate(database) == (0, schema_module.SCHEMA_VERSION)
        tables = set(inspect(database.engine).get_table_names())
        assert {"event_claims", "bot_schema_version"} <= tables
        assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= tables
        check_schema(database)
        assert migrate(database) == (schema_module.SCHEMA_VERSION,) * 2
        with database.engine.connect() as connection:
            rows = connection.execute(select(schema_version)).all()
        assert [row.version for row in rows] == [schema_module.SCHEMA_VERSION]
    finally:
        database.dispose()


def test_outdated_and_newer_schemas_name_the_fix(migrated_database, monkeypatch):
    current = schema_module.SCHEMA_VERSION
    applied = []
    monkeypatch.setitem(
        schema_module.MIGRATIONS, current + 1, lambda connection: applied.append(current + 1)
    )
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", current + 1)
    with pytest.raises(SchemaError) as caught:
        check_schema(migrated_database)
    assert f"version {current}" in str(caught.value)
    assert "python -m bot migrate" in str(caught.value)
    assert migrate(migrated_database) == (current, current + 1) and applied == [current + 1]
    check_schema(migrated_database)

    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", current)
    with pytest.raises(SchemaError, match="newer than this code"):
        check_schema(migrated_database)


def test_prepare_creates_a_fresh_sqlite_file_but_not_a_shared_database(database_url: str):
    database = Database(database_url)
    try:
        if database.dialect == "sqlite":
            prepare(database)  # zero setup for one process
            check_schema(database)
        else:
            with pytest.raises(SchemaError, match="python -m bot migrate"):
                prepare(database)
    finally:
        database.dispose()


def test_a_claim_is_granted_once(migrated_database):
    claims = ClaimStore(migrated_database)
    assert claims.claim("Ev1", "T1") is True
    assert claims.claim("Ev1", "T1") is False
    assert claims.claim("Ev2", "T1") is True


def test_concurrent_claims_from_two_engines_grant_exactly_one(migrated_database):
    """Two engines stand for two processes; 16 threads race for each of 20 keys."""
    other = Database(migrated_database.url)
    stores = [ClaimStore(migrated_database), ClaimStore(other)]
    granted: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def race(index: int) -> None:
        barrier.wait()
        for key in range(20):
            if stores[index % 2].claim(f"EvRace{key}", "T1"):
                with lock:
                    granted.append(f"EvRace{key}")

    threads = [threading.Thread(target=race, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()
    assert sorted(granted) == sorted(f"EvRace{key}" for key in range(20))


def test_claims_are_purged_after_the_ttl_and_per_team(migrated_database):
    now = [1000.0]
    claims = ClaimStore(migrated_database, ttl=60, clock=lambda: now[0])
    claims.claim("EvOld", "T1")
    claims.claim("EvTeam2", "T2")
    now[0] += 61
    assert claims.purge() == 2
    assert claims.claim("EvOld", "T1") is True  # forgotten after the TTL
    now[0] += 121  # past the TTL and the purge interval: the next claim purges by itself
    assert claims.claim("EvNew", "T1") is True
    assert claims.claim("EvOld", "T1") is True
    claims.claim("EvOther", "T2")
    assert claims.forget_team("T1") == 2
    with migrated_database.engine.connect() as connection:
        assert connection.execute(select(event_claims.c.claim_key)).all() == [("EvOther",)]


def test_claims_store_ids_and_times_only(migrated_database):
    ClaimStore(migrated_database).claim("EvPrivacy", "T9")
    columns = {c["name"] for c in inspect(migrated_database.engine).get_columns("event_claims")}
    assert columns == {"claim_key", "team_id", "claimed_at"}


def test_dedupe_answers_through_an_outage_and_reports_it(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("bot.db.PROBE_INTERVAL_SECONDS", 0)
    database = Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    migrate(database)
    dedupe = Dedupe(ClaimStore(database), database)
    assert dedupe.first_time("EvBefore") and database.healthy()

    with database.engine.begin() as connection:  # the table disappears: every claim fails
        event_claims.drop(connection)
    assert dedupe.first_time("EvDuring") is True  # answered, not silenced
    assert database.healthy() is False  # the probe reads the claims table, which is gone
    assert dedupe.first_time("EvDuring") is False  # this process still remembers it

    with database.engine.begin() as connection:
        event_claims.create(connection)
    assert dedupe.first_time("EvAfter") is True
    assert database.healthy()
    database.dispose()


def test_unreachable_postgres_degrades_instead_of_failing(monkeypatch):
    monkeypatch.setattr("bot.db.PROBE_INTERVAL_SECONDS", 0)
    database = Database("postgresql+psycopg://nobody@127.0.0.1:9/none")  # discard port
    dedupe = Dedupe(ClaimStore(database), database)
    assert dedupe.first_time("EvOutage") is True
    assert database.healthy() is False
    assert dedupe.first_time("EvOutage") is False
    database.dispose()


def test_migrate_command_and_a_web_process_facing_no_schema(database_url: str, tmp_path: Path):
    """``python -m bot migrate`` creates the schema; before that, PostgreSQL refuses to serve."""
    env = clean_env(DATABASE_URL=database_url, LOG_LEVEL="WARNING")
    if not database_url.startswith("sqlite"):
        from tests.harness import BOT_TOKEN, SIGNING_SECRET

        web_env = {**env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
        web_env.update(PORT=str(free_port()), HOST="127.0.0.1")
        web = subprocess.run(
            [*FAKE_BOT, "http"],
            env=web_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert web.returncode == 2
        assert "python -m bot migrate" in web.stderr and "Traceback" not in web.stderr
    first = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0, first.stderr
    assert f"-> {schema_module.SCHEMA_VERSION}" in first.stdout
    second = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 0 and "up to date" in second.stdout


def test_migrate_command_with_an_unreachable_database_is_one_clear_error(tmp_path: Path):
    env = clean_env(DATABASE_URL="postgres://bot:hunter2secret@127.0.0.1:9/bot")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot migrate") and "DATABASE_URL" in result.stderr
    assert "hunter2secret" not in result.stderr and "Traceback" not in result.stderr


def test_schema_version_row_is_updated_not_duplicated(migrated_database, monkeypatch):
    with migrated_database.engine.begin() as connection:
        connection.execute(update(schema_version).values(version=0))
    for version in schema_module.MIGRATIONS:
        monkeypatch.setitem(schema_module.MIGRATIONS, version, lambda connection: None)
    migrate(migrated_database)
    with migrated_database.engine.connect() as connection:
        rows = connection.execute(select(schema_version.c.version)).all()
    assert rows == [(schema_module.SCHEMA_VERSION,)]


def test_expired_install_states_are_purged_with_the_claims(migrated_database):
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    expired = SQLAlchemyOAuthStateStore(expiration_seconds=-60, engine=migrated_database.engine)
    live = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=migrated_database.engine)
    old_state, new_state = expired.issue(), live.issue()
    ClaimStore(migrated_database).purge()
    with migrated_database.engine.connect() as connection:
        states = connection.execute(select(live.oauth_states.c.state)).scalars().all()
    assert states == [new_state] and old_state not in states
    assert live.consume(new_state) is True
