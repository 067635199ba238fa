"""A throw-away PostGIS server on 127.0.0.1, for benchmarks and oracle tests.

``with postgis() as dsn:`` yields a libpq connection string of a database with the
``postgis`` extension, and removes everything it created on exit:

- if ``LAHAN_GEO_POSTGIS_DSN`` is set (a CI service container, a developer's own
  server), that DSN is yielded as is and nothing is started or stopped;
- otherwise the PostgreSQL server binaries (Debian: ``/usr/lib/postgresql/<v>/bin``,
  or ``LAHAN_GEO_PG_BINDIR``) and the PostGIS extension files must be installed
  (Debian: ``apt-get install postgresql-15-postgis-3``). A cluster is created with
  ``initdb`` in a temporary directory, started with ``pg_ctl`` listening on
  127.0.0.1 only, on a free port, with a random password; as root, the server runs
  as the ``postgres`` user (``runuser``), or as a dedicated system user created for
  the purpose when there is none.

The context manager is idempotent and re-entrant: nested ``with postgis()`` blocks
in one process share one server, which stops when the outermost block exits (and at
interpreter exit at the latest). :func:`postgis_problem` says, without starting
anything, why a server cannot be had (for ``pytest.skip``); :class:`PostGISUnavailable`
is raised when starting fails, with the server log's tail.

The module needs only the standard library (SQL is run with the server's ``psql``),
so a test can load it by path::

    import importlib.util, pathlib
    path = pathlib.Path(__file__).parents[1] / "benchmarks" / "postgis.py"
    spec = importlib.util.spec_from_file_location("lahan_geo_bench_postgis", path)
    pg = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pg)
    reason = pg.postgis_problem()
    if reason:
        pytest.skip(reason)
    with pg.postgis() as dsn:
        ...  # psycopg.connect(dsn)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = [
    "ENV_BINDIR",
    "ENV_DSN",
    "PostGISServer",
    "PostGISUnavailable",
    "find_bindir",
    "postgis",
    "postgis_problem",
]

#: Use this existing server instead of starting one.
ENV_DSN = "LAHAN_GEO_POSTGIS_DSN"
#: Directory holding initdb, pg_ctl, psql (default: the newest Debian one with PostGIS).
ENV_BINDIR = "LAHAN_GEO_PG_BINDIR"

#: Settings for a disposable benchmark server: no durability, memory for index builds,
#: no JIT (it compiles PostGIS queries for nothing: their cost estimates are huge).
DEFAULT_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "8GB",
    "shared_buffers": "1GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "1GB",
    "dynamic_shared_memory_type": "mmap",
    "jit": "off",
    "logging_collector": "off",
}

_SERVICE_USER = "lahan_geo_pg"


class PostGISUnavailable(RuntimeError):  # noqa: N818 - reads as a state, like FileNotFoundError
    """No PostGIS server can be started here (the message says why)."""


def find_bindir() -> Path | None:
    """Return the directory with ``initdb``/``pg_ctl``/``psql`` whose PostGIS is installed."""
    given = os.environ.get(ENV_BINDIR)
    if given:
        return Path(given) if (Path(given) / "pg_ctl").exists() else None
    candidates = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                    key=lambda p: _version_key(p.parent.name), reverse=True)
    candidates.extend(debian)
    for bindir in candidates:
        if (bindir / "initdb").exists() and _postgis_control(bindir) is not None:
            return bindir
    return candidates[0] if candidates and (candidates[0] / "initdb").exists() else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit())


def _postgis_control(bindir: Path) -> Path | None:
    share = None
    pg_config = bindir / "pg_config"
    if pg_config.exists():
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            share = subprocess.run([str(pg_config), "--sharedir"], capture_output=True,
                                   text=True, check=True, timeout=10).stdout.strip()
    if not share and bindir.parent.parent.name == "postgresql":  # Debian layout
        share = f"/usr/share/postgresql/{bindir.parent.name}"
    control = Path(share or "/nonexistent") / "extension" / "postgis.control"
    return control if control.exists() else None


def postgis_problem() -> str | None:
    """Return why :func:`postgis` cannot yield a database here, or None when it can."""
    if os.environ.get(ENV_DSN):
        return None
    bindir = find_bindir()
    if bindir is None:
        return ("PostgreSQL server binaries not found (Debian: apt-get install "
                f"postgresql-15-postgis-3, or set {ENV_BINDIR}, or {ENV_DSN} for a running "
                "server)")
    if _postgis_control(bindir) is None:
        return (f"PostgreSQL found in {bindir} but not the PostGIS extension (Debian: "
                f"apt-get install postgresql-{bindir.parent.name}-postgis-3)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser, so the server cannot run as another user"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostGISServer:
    """One temporary PostgreSQL cluster with PostGIS; ``start``/``stop`` are idempotent.

    Parameters
    ----------
    settings : mapping, optional
        Server settings (``postgres -c name=value``) on top of :data:`DEFAULT_SETTINGS`.
    database : str, default "lahan_geo"
        Database created with the ``postgis`` extension; the DSN points at it.
    """

    def __init__(self, settings: Mapping[str, str] | None = None, database: str = "lahan_geo"
                 ) -> None:
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        self.database = database
        self.dsn: str | None = None
        self.bindir: Path | None = None
        self.port: int | None = None
        self._root: Path | None = None
        self._user: str | None = None
        self._password = secrets.token_hex(16)
        self._lock = threading.Lock()

    # -- helpers ----------------------------------------------------------------------
    def _run_as(self, argv: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        if self._user is not None:
            argv = ["runuser", "-u", self._user, "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=True, **kw)

    def _service_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        for name in ("postgres", _SERVICE_USER):
            with contextlib.suppress(KeyError):
                pwd.getpwnam(name)
                return name
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", _SERVICE_USER],
                       capture_output=True, text=True, check=True)
        return _SERVICE_USER

    def _psql(self, sql: str, database: str) -> str:
        env = {**os.environ, "PGPASSWORD": self._password}
        done = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "lahan", "-d", database, "-At", "-c", sql],
            capture_output=True, text=True, env=env, timeout=120, check=False)
        if done.returncode:
            raise PostGISUnavailable(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def _log_tail(self) -> str:
        log = self._root / "server.log" if self._root else None
        if log is None or not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-15:])

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> str:
        """Start the server (once) and return its DSN."""
        with self._lock:
            if self.dsn is not None:
                return self.dsn
            problem = postgis_problem()
            if problem:
                raise PostGISUnavailable(problem)
            self.bindir = find_bindir()
            try:
                self._user = self._service_user()
            except (OSError, subprocess.CalledProcessError) as err:
                raise PostGISUnavailable(f"cannot find or create a non-root user: {err}") from None
            self._root = Path(tempfile.mkdtemp(prefix="lahan_geo_pg_"))
            try:
                self._start()
            except BaseException:
                self._teardown()
                raise
            atexit.register(self.stop)
            return self.dsn

    def _start(self) -> None:
        assert self._root is not None and self.bindir is not None
        data = self._root / "data"
        pwfile = self._root / "pw"
        pwfile.write_text(self._password + "\n")
        if self._user is not None:
            info = pwd.getpwnam(self._user)
            for path in (self._root, pwfile):
                os.chown(path, info.pw_uid, info.pw_gid)
        pwfile.chmod(0o600)
        try:
            self._run_as([str(self.bindir / "initdb"), "-D", str(data), "-U", "lahan",
                          f"--pwfile={pwfile}", "-A", "scram-sha-256", "-E", "UTF8",
                          "--locale=C", "--no-sync"], timeout=180)
        except subprocess.CalledProcessError as err:
            raise PostGISUnavailable(f"initdb failed: {err.stderr.strip()[-500:]}") from None
        pwfile.unlink()
        self.port = _free_port()
        options = " ".join(
            [f"-c listen_addresses=127.0.0.1 -c port={self.port}",
             f"-c unix_socket_directories={self._root}"]
            + [f"-c {k}={v}" for k, v in self.settings.items()])
        try:
            self._run_as([str(self.bindir / "pg_ctl"), "-D", str(data), "-l",
                          str(self._root / "server.log"), "-o", options, "-w", "-t", "120",
                          "start"], timeout=180)
        except subprocess.CalledProcessError as err:
            raise PostGISUnavailable(
                f"pg_ctl start failed: {err.stderr.strip()[-300:]}\n{self._log_tail()}") from None
        self._psql(f'CREATE DATABASE "{self.database}"', "postgres")
        self._psql("CREATE EXTENSION IF NOT EXISTS postgis", self.database)
        self.dsn = (f"host=127.0.0.1 port={self.port} dbname={self.database} user=lahan "
                    f"password={self._password}")

    def version(self) -> str:
        """Return the PostgreSQL, PostGIS and GEOS versions of the running server."""
        if self.dsn is None:
            raise PostGISUnavailable("the server is not running")
        pg = self._psql("SHOW server_version", self.database).strip()
        gis = self._psql("SELECT postgis_lib_version() || ' GEOS ' || postgis_geos_version()",
                         self.database).strip()
        return f"PostgreSQL {pg}, PostGIS {gis}"

    def backend_peak_rss_mb(self, backend_pid: int) -> float | None:
        """Return a server process's peak resident memory (VmHWM) in MiB, if readable."""
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{backend_pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        return None

    def stop(self) -> None:
        """Stop the server and remove its directory (safe to call more than once)."""
        with self._lock:
            self._teardown()

    def _teardown(self) -> None:
        root, self._root = self._root, None
        self.dsn = None
        if root is None:
            return
        data = root / "data"
        if (data / "postmaster.pid").exists() and self.bindir is not None:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self._run_as([str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                              "-w", "-t", "60", "stop"], timeout=90)
        shutil.rmtree(root, ignore_errors=True)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_shared: PostGISServer | None = None
_users = 0
_shared_lock = threading.Lock()


@contextlib.contextmanager
def postgis(settings: Mapping[str, str] | None = None) -> Iterator[str]:
    """Yield the DSN of a PostGIS database on 127.0.0.1 (see the module docstring).

    Nested uses share one server; ``settings`` apply only when the server is started
    by this call.
    """
    global _shared, _users
    external = os.environ.get(ENV_DSN)
    if external:
        yield external
        return
    with _shared_lock:
        if _shared is None:
            _shared = PostGISServer(settings)
        server = _shared
        _users += 1
    try:
        yield server.start()
    finally:
        with _shared_lock:
            _users -= 1
            if _users == 0:
                server.stop()
                _shared = None


def shared_server() -> PostGISServer | None:
    """Return the server :func:`postgis` started in this process (None if external/none)."""
    return _shared


if __name__ == "__main__":
    reason = postgis_problem()
    if reason:
        print(f"PostGIS unavailable: {reason}")
    else:
        with postgis() as dsn:
            print("started:", shared_server().version())
            print("dsn:", dsn.rsplit(" password=", 1)[0], "password=...")
        print("stopped and removed")
