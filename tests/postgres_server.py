"""A real PostgreSQL server for the tests: initdb in a temporary directory, started with pg_ctl as
an unprivileged user (PostgreSQL refuses to run as root), listening on a Unix socket only.

Debian's postgresql package puts the server's programs in /usr/lib/postgresql/<major>/bin;
`.ci/run` installs it where it is missing.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "policyhub"


def server_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("PostgreSQL's server programs (pg_ctl, initdb) are not installed: "
                       "apt-get install postgresql (as .ci/run does)")


class PostgresServer:
    def __init__(self, fsync: bool = False) -> None:
        """`fsync=False` (tests): faster, and durable enough for data thrown away at the end."""
        self.fsync = "on" if fsync else "off"
        self.bin = server_bin()
        self.root = Path(tempfile.mkdtemp(prefix="policyhub-pg-"))
        self.data, self.socket_dir = self.root / "data", self.root / "socket"
        self.socket_dir.mkdir()
        self._user = None
        if os.geteuid() == 0:  # run the server as an unprivileged user: postgres (the package's) or nobody
            name = "postgres" if _user_exists("postgres") else "nobody"
            entry = pwd.getpwnam(name)
            self._user = name
            for path in (self.root, self.socket_dir):  # initdb makes the data directory, pg_ctl writes the log here
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._databases = itertools.count(1)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                  "--no-instructions", "--locale=C")
        self.resume()

    def _run(self, *argv: str) -> None:
        if self._user is not None:
            argv = ("runuser", "-u", self._user, "--", *argv)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            log = (self.root / "server.log").read_text() if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}\n{log}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"policyhub_test_{os.getpid()}_{next(self._databases)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def pause(self) -> None:
        """Stop the server (keeping its data): the store is down."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' -c fsync={self.fsync} "
                   "-c max_connections=200 -c shared_buffers=32MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start")


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
