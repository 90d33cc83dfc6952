"""A throwaway PostgreSQL server for the database tests: initdb + pg_ctl in a temporary directory.

PostgreSQL refuses to run as root, so as root the server runs as the unprivileged ``nobody``
(``runuser``/``setpriv``); as anyone else it runs as that user. Trust authentication on
127.0.0.1 and a socket directory inside the temporary directory: nothing outside it is touched.

Used by the ``postgres_url`` fixture (tests/bot/conftest.py) and by ``.ci/run``::

    python tests/bot/postgres_server.py start /tmp/pg   # prints the URL, leaves it running
    python tests/bot/postgres_server.py stop /tmp/pg
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

SEARCH_DIRS = ("/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/local/bin")
UNPRIVILEGED_USER = "nobody"


class PostgresUnavailable(Exception):
    """No PostgreSQL binaries here, or the server would not start; ``str()`` says which."""


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for directory in SEARCH_DIRS:
        candidate = Path(directory) / name
        if candidate.is_file():
            return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", UNPRIVILEGED_USER, "--", *command]
    return [
        "setpriv",
        "--reuid",
        UNPRIVILEGED_USER,
        "--regid",
        "nogroup",
        "--clear-groups",
        *command,
    ]


class PostgresServer:
    """initdb, start on a free localhost port, stop; ``url`` is a SQLAlchemy URL."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.port_file = self.directory / "port"

    @property
    def url(self) -> str:
        port = self.port_file.read_text().strip()
        return f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def start(self) -> str:
        initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
        if not initdb or not pg_ctl:
            raise PostgresUnavailable("PostgreSQL is not installed (no initdb/pg_ctl on PATH)")
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, UNPRIVILEGED_USER)
            self.directory.chmod(0o755)
            # The server user must be able to reach the directory through its parents.
            for parent in self.directory.parents:
                if parent == Path("/") or parent.stat().st_mode & 0o001:
                    continue
                raise PostgresUnavailable(f"{parent} is not traversable by {UNPRIVILEGED_USER}")
        port = _free_port()
        steps = [
            [
                initdb,
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            [
                pg_ctl,
                "-D",
                str(self.data),
                "-l",
                str(self.directory / "server.log"),
                "-w",
                "-t",
                "30",
                "-o",
                f"-p {port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                "start",
            ],
        ]
        for step in steps:
            result = subprocess.run(
                _as_server_user(step), capture_output=True, text=True, timeout=60
            )
            if result.returncode != 0:
                log = self.directory / "server.log"
                detail = (result.stderr or result.stdout).strip()
                if log.exists():
                    detail += "\n" + log.read_text()[-2000:]
                raise PostgresUnavailable(f"{Path(step[0]).name} failed: {detail[-3000:]}")
        self.port_file.write_text(str(port))
        return self.url

    def stop(self) -> None:
        pg_ctl = find_binary("pg_ctl")
        if pg_ctl and (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user([pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit(f"usage: {sys.argv[0]} start|stop DIRECTORY")
    server = PostgresServer(Path(sys.argv[2]))
    if sys.argv[1] == "start":
        try:
            print(server.start())
        except PostgresUnavailable as error:
            sys.exit(f"error: {error}")
    else:
        server.stop()
