"""The schema and ``python -m bot migrate``.

Tables: slack_sdk's SQLAlchemy installation and OAuth-state stores (created even in
single-workspace mode, so switching to OAuth needs no new migration), the ``event_claims`` table
behind dedupe, and ``bot_schema_version`` with one row saying which version is installed.

Each entry of :data:`MIGRATIONS` upgrades from the previous version; ``migrate`` runs the ones
not yet applied in one transaction, and is safe to run twice (Heroku runs it on every release)
and at the same time from several processes: the transaction first takes a lock that only one
migrator holds (PostgreSQL: a transaction-level advisory lock; SQLite: ``BEGIN IMMEDIATE``, the
database's write lock), then reads the version, so a second migrator waits and finds the work
done. Both databases roll DDL back with the transaction, so a failed step leaves nothing half.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.db import Database, SchemaError

log = logging.getLogger(__name__)

MIGRATE_COMMAND = "python -m bot migrate"

metadata = MetaData()

#: One row per claimed event id (or answered message): ids, team ids and times only, never text.
event_claims = Table(
    "event_claims",
    metadata,
    Column("claim_key", String(200), primary_key=True),
    Column("team_id", String(32), nullable=True, index=True),
    Column("claimed_at", Float, nullable=False, index=True),
)

schema_version = Table(
    "bot_schema_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)


#: slack_sdk's OAuth state table, declared apart (its own MetaData, so migrate never creates it
#: from here) for purging: the store deletes a state when it is used, never when it expires.
_oauth_states = Table("slack_oauth_states", MetaData(), Column("expire_at", DateTime))


def purge_expired_oauth_states(connection: Connection) -> int:
    """Delete install links' states that expired unused; return how many."""
    if not inspect(connection).has_table(_oauth_states.name):
        return 0
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # the store writes naive UTC
    return connection.execute(delete(_oauth_states).where(_oauth_states.c.expire_at < now)).rowcount


def _create_v1(connection: Connection) -> None:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    # The stores only need an engine to be built; their table definitions are what we want.
    engine = connection.engine
    installation_store = SQLAlchemyInstallationStore(client_id="migrate", engine=engine)
    state_store = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    installation_store.metadata.create_all(connection)
    state_store.metadata.create_all(connection)
    metadata.create_all(connection)


def _create_v2(connection: Connection) -> None:
    """Channel watching's tables (declared in bot.watch.tables)."""
    from bot.watch.tables import create_watch_tables

    create_watch_tables(connection)


#: version -> the step that creates it from version - 1.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _create_v1, 2: _create_v2}
SCHEMA_VERSION = max(MIGRATIONS)


def installed_version(connection: Connection) -> int:
    """The schema version recorded in the database; 0 when there is no schema yet."""
    if not inspect(connection).has_table(schema_version.name):
        return 0
    version = connection.execute(select(schema_version.c.version)).scalar()
    return int(version or 0)


#: How long a migrator waits for another one to finish (both databases).
MIGRATION_LOCK_SECONDS = 60
#: pg_advisory_xact_lock key: any constant that no other code on the server uses.
_ADVISORY_LOCK_KEY = 0x5E17_B07


def _lock_for_migration(connection: Connection) -> None:
    """Make this transaction the only migrator; others wait here (up to the lock timeout)."""
    if connection.dialect.name == "postgresql":
        # The web processes' statement_timeout (bot.db) is far too short to wait for a peer.
        connection.execute(text(f"SET LOCAL statement_timeout = {MIGRATION_LOCK_SECONDS * 1000}"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {MIGRATION_LOCK_SECONDS * 1000}")
        # pysqlite opens no transaction before DDL: take the write lock explicitly.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def use_wal(database: Database) -> None:
    """Put a SQLite file in WAL mode (persistent; readers never wait for the writer, commits are
    cheap). Best effort: a peer holding a lock just leaves it for the next start."""
    if database.dialect != "sqlite" or database.url in ("sqlite://", "sqlite:///:memory:"):
        return
    try:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode = WAL")
    except SQLAlchemyError as error:
        log.info("SQLite WAL mode not set this time (%s)", type(error).__name__)


def migrate(database: Database) -> tuple[int, int]:
    """Bring the schema to SCHEMA_VERSION; return (version before, version after)."""
    use_wal(database)
    with database.engine.begin() as connection:
        _lock_for_migration(connection)
        before = installed_version(connection)
        if before > SCHEMA_VERSION:
            raise SchemaError(
                f"the database is at schema version {before}, newer than this code's "
                f"{SCHEMA_VERSION}; deploy the newer code"
            )
        for version in range(before + 1, SCHEMA_VERSION + 1):
            log.info("migrating the database to schema version %s", version)
            MIGRATIONS[version](connection)
            metadata.create_all(connection, tables=[schema_version])
            connection.execute(schema_version.delete())
            connection.execute(schema_version.insert().values(id=1, version=version))
    return before, SCHEMA_VERSION


def check_schema(database: Database) -> None:
    """Raise SchemaError (naming the fix) unless the schema is exactly SCHEMA_VERSION."""
    try:
        with database.engine.connect() as connection:
            version = installed_version(connection)
    except SQLAlchemyError as error:
        raise SchemaError(
            f"cannot reach the database {database.display_url} ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:200]}); check DATABASE_URL"
        ) from None
    if version == 0:
        raise SchemaError(
            f"the database {database.display_url} has no schema yet: run `{MIGRATE_COMMAND}` "
            "(on Heroku the Procfile's release phase runs it on every deploy)"
        )
    if version < SCHEMA_VERSION:
        raise SchemaError(
            f"the database {database.display_url} is at schema version {version}, this code "
            f"needs {SCHEMA_VERSION}: run `{MIGRATE_COMMAND}`"
        )
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"the database {database.display_url} is at schema version {version}, newer than "
            f"this code's {SCHEMA_VERSION}: deploy the newer code"
        )


def prepare(database: Database) -> None:
    """At start: a brand-new SQLite file gets its schema (zero setup); anything else is checked.

    Only a fresh local file is migrated implicitly; a shared database (PostgreSQL) or an
    existing file with an older schema is left to the explicit command. Processes starting
    together on one new file all call :func:`migrate`: the first creates the schema, the others
    wait for its lock and find it done.
    """
    if database.dialect == "sqlite":
        use_wal(database)
        with database.engine.connect() as connection:
            empty = not inspect(connection).get_table_names()
        if empty:
            before, _ = migrate(database)
            if before == 0:
                log.info("created the SQLite schema in %s", database.display_url)
            return
    check_schema(database)
