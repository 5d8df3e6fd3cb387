"""The app served on 127.0.0.1 as in production: gunicorn with the project's gunicorn.conf.py, and
Debian's nginx with the shipped site config in front of it; each stopped on exit."""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.clients import send

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "letter-scanner.conf"
START_TIMEOUT_S = 120


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb(pid):
    """A process's memory in MB, or None if it is gone: VmRSS ("rss"), its private part RssAnon
    ("anon"), and Pss ("pss": shared library pages divided among the processes sharing them)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text() + Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key: int(fields[name].split()[0]) / 1024 for key, name in
            [("rss", "VmRSS"), ("anon", "RssAnon"), ("pss", "Pss")]}


def stop(process, timeout):
    """SIGTERM to the process group of a server started in its own session, SIGKILL if its leader is
    still there after `timeout` seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Gunicorn:
    """gunicorn -c gunicorn.conf.py wsgi:app in its own process group, stopped on exit."""

    def __init__(self, python=sys.executable, args=(), **env):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        self.process = None
        self.python, self.args = python, list(args)  # the interpreter and extra gunicorn options
        self.env = env  # extra environment, e.g. WEB_CONCURRENCY="1"

    def __enter__(self):
        # A secret key of its own unless told one (several app hosts share theirs).
        env = {**os.environ, "FLASK_SECRET_KEY": secrets.token_hex(), **self.env, "BIND": f"127.0.0.1:{self.port}"}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [self.python, "-m", "gunicorn", "-c", "gunicorn.conf.py", *self.args, "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True,
        )
        return self

    def __exit__(self, *exc_info):
        stop(self.process, 20)
        self.log.close()

    def log_tail(self, size=3000):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-size:]

    def workers(self):
        """PIDs of gunicorn's worker processes (the master's children)."""
        return children(self.process.pid)

    def worker_memory(self):
        return {pid: memory_mb(pid) for pid in self.workers()}

    def wait_for_first_prediction(self, body, headers):
        """Seconds from process start to the first 200 from POST /api/predict."""
        deadline = self.started + START_TIMEOUT_S
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            connection = self.connect()
            try:
                if send(connection, body, headers) == 200:
                    return time.perf_counter() - self.started
            except (OSError, http.client.HTTPException):
                pass
            finally:
                connection.close()
            time.sleep(0.05)
        raise RuntimeError(f"no successful prediction within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get_json(self, path):
        return self.request("GET", path)[1]

    def request(self, method, path, body=None, headers=None):
        """(status, parsed JSON body) of one request on a fresh connection."""
        connection = self.connect()
        try:
            connection.request(method, path, body, headers or {})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()


def site_on(port, upstream_port):
    """The shipped site config, listening on 127.0.0.1:port in front of gunicorn on upstream_port."""
    text = SITE.read_text()
    for pattern, replacement in [
        (r"server unix:/run/letter-scanner/gunicorn\.sock", f"server 127.0.0.1:{upstream_port}"),
        (r"listen 80;", f"listen 127.0.0.1:{port};"),
        (r"listen \[::\]:80;\n", ""),
    ]:
        text, count = re.subn(pattern, replacement, text)
        if count != 1:
            raise RuntimeError(f"{SITE} changed: {pattern!r} found {count} times")
    return text


class Nginx:
    """Debian's nginx in the foreground (no daemon) with the shipped site config, in a temporary
    prefix that holds its configuration, pid, logs and buffers; stopped on exit."""

    def __init__(self, upstream_port, binary=None, site=site_on):
        self.upstream_port = upstream_port
        self.binary = binary or shutil.which("nginx") or "/usr/sbin/nginx"
        self.port = free_port()
        self.site = site  # site(port, upstream_port): the server configuration

    def config(self, prefix):
        temp_paths = "".join(f"    {kind}_temp_path {prefix}/{kind};\n"
                             for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""  # else workers run as nobody, locked out of prefix
        return (f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
                f"error_log {prefix}/error.log warn;\nevents {{ worker_connections 512; }}\n"
                f"http {{\n    access_log off;\n{temp_paths}{self.site(self.port, self.upstream_port)}}}\n")

    def test_config(self):
        """`nginx -t` on the configuration; returns its output."""
        with tempfile.TemporaryDirectory(prefix="letter-scanner-nginx-") as prefix:
            Path(prefix, "nginx.conf").write_text(self.config(prefix))
            done = subprocess.run([self.binary, "-t", "-p", prefix, "-c", f"{prefix}/nginx.conf", "-e",
                                   f"{prefix}/error.log"], capture_output=True, text=True, timeout=30)
            if done.returncode != 0:
                raise RuntimeError(done.stderr)
            return done.stderr

    def __enter__(self):
        self.prefix = tempfile.TemporaryDirectory(prefix="letter-scanner-nginx-")
        prefix = self.prefix.name
        Path(prefix, "nginx.conf").write_text(self.config(prefix))
        self.process = subprocess.Popen(
            [self.binary, "-p", prefix, "-c", f"{prefix}/nginx.conf", "-e", f"{prefix}/error.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}: {self.error_log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"nginx did not listen within 10 s: {self.error_log()}")

    def __exit__(self, *exc_info):
        stop(self.process, 10)  # SIGTERM: fast shutdown of master and workers
        self.prefix.cleanup()

    def error_log(self):
        path = Path(self.prefix.name, "error.log")
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


class Redis:
    """Debian's redis-server on 127.0.0.1 in a temporary folder, without persistence; `url` is its
    redis:// address. Stopped on exit."""

    BINARY = "/usr/bin/redis-server"

    def __enter__(self):
        if not Path(self.BINARY).exists():
            raise RuntimeError("Redis is needed: apt-get install redis-server (`make test` does it)")
        self.folder = Path(tempfile.mkdtemp(prefix="letter-scanner-redis-"))
        self.port = free_port()
        self.process = subprocess.Popen(
            [self.BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.folder,
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while not _answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                stop(self.process, 5)
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        return self

    def __exit__(self, *exc_info):
        stop(self.process, 10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Postgres:
    """Debian's PostgreSQL on 127.0.0.1 in a temporary folder (run as the postgres user when we are
    root: it refuses root); `url` is its SQLAlchemy address without a database name. Stopped on exit."""

    def __enter__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not found:
            raise RuntimeError("PostgreSQL is needed: apt-get install postgresql (`make test` does it)")
        self.bin_dir = found[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="letter-scanner-pg-"))
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.data = self.folder / "data"
        subprocess.run([*self.as_user, self.bin_dir / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                        "--no-sync"], check=True, stdout=subprocess.DEVNULL)
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        subprocess.run([*self.as_user, self.bin_dir / "pg_ctl", "-D", self.data, "-o", options,
                        "-l", self.folder / "log", "-w", "start"], check=True, stdout=subprocess.DEVNULL)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc_info):
        subprocess.run([*self.as_user, self.bin_dir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self):
        """The URL of a fresh, empty database on this server."""
        import psycopg

        name = "letter_scanner_" + secrets.token_hex(4)
        with psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql") + "/postgres",
                             autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"{self.url}/{name}"


class CeleryWorker:
    """`celery -A worker worker` (the job workers of `make worker`) in its own process group, with
    `env` (FLASK_REDIS_URL, FLASK_DATABASE_URL, …); ready on enter, stopped on exit. `kill()` kills
    it at once, its pool processes too, as a lost machine would."""

    def __init__(self, concurrency=1, python=sys.executable, **env):
        self.concurrency, self.python, self.env = concurrency, python, env
        self.process = None

    def __enter__(self):
        self.log = tempfile.NamedTemporaryFile(prefix="letter-scanner-worker-", suffix=".log")
        env = {**os.environ, "FLASK_SECRET_KEY": secrets.token_hex(), **self.env}
        self.process = subprocess.Popen(
            [self.python, "-m", "celery", "-A", "worker", "worker", "--loglevel=INFO", "--without-gossip",
             "--without-mingle", "--without-heartbeat", f"--concurrency={self.concurrency}"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while " ready." not in self.log_tail(100_000):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"the Celery worker did not start:\n{self.log_tail()}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc_info):
        stop(self.process, 20)
        self.log.close()

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def pids(self):
        """The worker's processes: the main one and its pool's."""
        return [self.process.pid, *children(self.process.pid)]

    def log_tail(self, size=3000):
        return Path(self.log.name).read_text(errors="replace")[-size:]


def children(pid):
    """PIDs of a process's children."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # the field after the state is the parent PID
            pids.append(int(stat.parent.name))
    return sorted(pids)
