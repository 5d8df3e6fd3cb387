"""Slow and stalled clients against gunicorn alone, and behind nginx with deploy/nginx's site config.

    python -m benchmarks.slow_clients [--seconds 6] [--threads 4]

16 connections send one byte and hold; 8 more send a request one byte every 100 ms. Meanwhile
normal requests (POST /api/predict with a canvas PNG, each on a fresh connection) are timed. All
on 127.0.0.1; every client stops by itself after --seconds, and gunicorn and nginx are stopped.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import canvas_png, print_table, save
from benchmarks.http_load import Gunicorn, free_port, multipart

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "letter-scanner.conf"
STALLED = 16  # connections that send one byte and hold
TRICKLING = 8  # connections that send a request one byte every TRICKLE_S
TRICKLE_S = 0.1
TRICKLED_REQUEST = b"POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + b"X-Pad: " + b"a" * 4000


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

    def __init__(self, upstream_port, binary=None):
        self.upstream_port = upstream_port
        self.binary = binary or shutil.which("nginx") or "/usr/sbin/nginx"
        self.port = free_port()

    def config(self, prefix):
        temp_paths = "".join(f"    {kind}_temp_path {prefix}/{kind};\n"
                             for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""  # else workers run as nobody, locked out of prefix
        return (f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
                f"error_log {prefix}/error.log warn;\nevents {{ worker_connections 512; }}\n"
                f"http {{\n    access_log off;\n{temp_paths}{site_on(self.port, self.upstream_port)}}}\n")

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
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # fast shutdown of master and workers
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.prefix.cleanup()

    def error_log(self):
        path = Path(self.prefix.name, "error.log")
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def _stall(port, until):
    """One byte of a request, then nothing until `until` (or until the server hangs up)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"P")
            sock.settimeout(max(0.01, until - time.monotonic()))
            sock.recv(1)  # returns early only if the server closes the connection
    except OSError:
        pass


def _trickle(port, until):
    """A request sent one byte every TRICKLE_S until `until` (or until the server hangs up)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            for byte in TRICKLED_REQUEST:
                if time.monotonic() >= until:
                    return
                sock.sendall(bytes([byte]))
                time.sleep(TRICKLE_S)
    except OSError:
        pass


class SlowClients:
    """STALLED stalled and TRICKLING trickling connections to 127.0.0.1:port, for `seconds`."""

    def __init__(self, port, seconds):
        self.port, self.seconds = port, seconds

    def __enter__(self):
        until = time.monotonic() + self.seconds
        self.threads = [threading.Thread(target=_stall, args=(self.port, until)) for _ in range(STALLED)]
        self.threads += [threading.Thread(target=_trickle, args=(self.port, until)) for _ in range(TRICKLING)]
        for thread in self.threads:
            thread.start()
        time.sleep(0.5)  # every connection made and its first byte in
        return self

    def __exit__(self, *exc_info):
        for thread in self.threads:
            thread.join(self.seconds + 5)


def timed_predict(port, body, headers, timeout):
    """Seconds for one POST /api/predict on a fresh connection, or None if no 200 came within `timeout`."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/api/predict", body, headers)
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - start if response.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def under_attack(port, body, headers, seconds, requests=3):
    """Seconds each of `requests` normal predictions in a row took while slow clients held the server
    (a stalled server answers once they give up)."""
    with SlowClients(port, seconds):
        return [timed_predict(port, body, headers, seconds + 10) for _ in range(requests)]


def run(seconds=6.0, threads=4):
    """gunicorn (1 worker, `threads` threads) alone, then behind nginx; saved as results/slow_clients.json."""
    body, headers = multipart(canvas_png())
    result = {"stalled": STALLED, "trickling": TRICKLING, "attack_s": seconds, "threads": threads}
    with Gunicorn(WEB_CONCURRENCY="1", THREADS=str(threads), FLASK_PROXY_FIX="1") as server:
        server.wait_for_first_prediction(body, headers)
        result["gunicorn_quiet_s"] = timed_predict(server.port, body, headers, 5)
        result["gunicorn_alone_s"] = under_attack(server.port, body, headers, seconds)
        with Nginx(server.port) as proxy:
            result["nginx_quiet_s"] = timed_predict(proxy.port, body, headers, 5)
            result["behind_nginx_s"] = under_attack(proxy.port, body, headers, seconds)
    save("slow_clients", result)
    return result


def report(result):
    print(f"{result['stalled']} stalled + {result['trickling']} trickling connections for {result['attack_s']} s, "
          f"gunicorn 1 worker x {result['threads']} threads; seconds per normal POST /api/predict "
          "(- : no answer)")
    rows = []
    for name, quiet, attacked in [("gunicorn alone", "gunicorn_quiet_s", "gunicorn_alone_s"),
                                  ("behind nginx", "nginx_quiet_s", "behind_nginx_s")]:
        rows.append((name, result[quiet], *("-" if t is None else t for t in result[attacked])))
    print_table(rows, ["server", "quiet", "attacked 1", "attacked 2", "attacked 3"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0, help="how long the slow clients hold on")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads (THREADS)")
    args = parser.parse_args(argv)
    report(run(args.seconds, args.threads))


if __name__ == "__main__":
    main()
