"""Several processes creating the schema at once: one creates it, the others find it done.

Real processes, started together: ``python -m bot migrate`` on both databases, and web processes
on a new SQLite file (which create the schema themselves at start-up).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from bot.db import Database
from bot.db.schema import SCHEMA_VERSION, check_schema, schema_version
from tests.harness import FAKE_BOT, REAL_BOT, clean_env, launch_bot, wait_healthy

MIGRATORS = 4


def test_migrators_started_together_all_succeed(database_url: str, tmp_path: Path):
    env = clean_env(DATABASE_URL=database_url, LOG_LEVEL="WARNING")
    migrators = [
        subprocess.Popen(
            [*REAL_BOT, "migrate"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(MIGRATORS)
    ]
    outputs = [process.communicate(timeout=120) for process in migrators]
    assert [process.returncode for process in migrators] == [0] * MIGRATORS, outputs
    created = [out for out, _ in outputs if f"0 -> {SCHEMA_VERSION}" in out]
    assert len(created) == 1  # exactly one did the work; the others found it up to date
    assert sum("up to date" in out for out, _ in outputs) == MIGRATORS - 1
    database = Database(database_url)
    try:
        check_schema(database)
        with database.engine.connect() as connection:
            assert [r.version for r in connection.execute(select(schema_version))] == [
                SCHEMA_VERSION
            ]
    finally:
        database.dispose()


def test_two_web_processes_on_a_new_sqlite_file_both_become_healthy(tmp_path: Path):
    for trial in range(3):
        url = f"sqlite:///{tmp_path / f'new-{trial}.sqlite3'}"
        bots = [
            launch_bot(None, tmp_path, f"web{trial}-{i}", command=FAKE_BOT, DATABASE_URL=url)
            for i in range(2)
        ]
        try:
            for bot in bots:
                assert wait_healthy(bot.url, bot.popen, timeout=60)["status"] == "ok", bot.log()
        finally:
            codes = [bot.stop() for bot in bots]
        assert codes == [0, 0], [bot.log() for bot in bots]
        assert sum("created the SQLite schema" in bot.log() for bot in bots) == 1
