"""Slow and stalled clients against gunicorn alone, and behind nginx with deploy/nginx's site config.

    python -m benchmarks.slow_clients [--seconds 6] [--threads 4]

16 connections send one byte and hold; 8 more send a request one byte every 100 ms. Meanwhile
normal requests (POST /api/predict with a canvas PNG, each on a fresh connection) are timed. All
on 127.0.0.1; every client stops by itself after --seconds, and gunicorn and nginx are stopped.
"""

import argparse

from benchmarks.common import canvas_png, print_table, save
from harness.clients import STALLED, TRICKLING, SlowClients, multipart, timed_predict
from harness.servers import Gunicorn, Nginx


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
