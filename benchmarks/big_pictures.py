"""Big pictures: 8 concurrent 40-megapixel PNGs against gunicorn (the project's gunicorn.conf.py).

    python -m benchmarks.big_pictures [--big 8] [--side 6300]

Sends `--big` POST /api/predict at once, each a 6300x6300 RGBA PNG of a letter (~200 KB on the
wire, 160 MB decoded), while one client keeps sending a normal canvas PNG in a row. Records each
worker's resident memory when idle, its peak during the burst (sampled every 20 ms) and 2 s after,
and how long the normal requests waited. All on 127.0.0.1; bounded in requests and time.
"""

import argparse
import http.client
import threading
import time

from benchmarks.common import canvas_png, print_table, save, summary
from harness.clients import multipart
from harness.pictures import draw_letter, encode
from harness.servers import Gunicorn, memory_mb

TIMEOUT_S = 120


def big_png(side):
    """A letter drawn across a side x side RGBA picture."""
    return encode(draw_letter("a", size=side, width=side // 20, mode="RGBA", ink=(0, 0, 0, 255),
                              paper=(255, 255, 255, 255), scale=side / 280))


def post(server, body, headers):
    """(status, seconds) of one POST /api/predict on a fresh connection."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT_S)
    try:
        connection.request("POST", "/api/predict", body, headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    except (OSError, http.client.HTTPException):
        return None, time.perf_counter() - start
    finally:
        connection.close()


class PeakMemory:
    """The highest RSS (MB) of each of `pids` while the block runs, sampled every 20 ms."""

    def __init__(self, pids):
        self.peak = {pid: 0.0 for pid in pids}
        self._done = threading.Event()

    def _sample(self):
        while not self._done.is_set():
            for pid in self.peak:
                memory = memory_mb(pid)
                if memory:
                    self.peak[pid] = max(self.peak[pid], memory["rss"])
            time.sleep(0.02)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._done.set()
        self._thread.join()


def run(big=8, side=6300):
    big_body, headers = multipart(big_png(side))
    normal_body, _ = multipart(canvas_png())
    with Gunicorn() as server:
        server.wait_for_first_prediction(normal_body, headers)
        for _ in range(200):  # every worker and thread warm
            post(server, normal_body, headers)
        time.sleep(1)
        pids = server.workers()
        idle = {pid: memory_mb(pid)["rss"] for pid in pids}
        answers, normal = [], []
        burst = [threading.Thread(target=lambda: answers.append(post(server, big_body, headers)))
                 for _ in range(big)]
        with PeakMemory(pids) as peak:
            started = time.perf_counter()
            for thread in burst:
                thread.start()
            while any(thread.is_alive() for thread in burst) and time.perf_counter() - started < TIMEOUT_S:
                normal.append(post(server, normal_body, headers))
            for thread in burst:
                thread.join()
            burst_s = time.perf_counter() - started
        time.sleep(2)
        after = {pid: memory_mb(pid)["rss"] for pid in pids}
    result = {
        "big": big, "side": side, "png_bytes": len(big_body), "burst_s": burst_s,
        "big_statuses": sorted(str(status) for status, _ in answers),
        "big_s": summary([seconds for _, seconds in answers]),
        "normal_requests": len(normal), "normal_errors": sum(status != 200 for status, _ in normal),
        "normal_s_max": max(seconds for _, seconds in normal), "normal_ms": summary([s for _, s in normal]),
        "workers_mb": {pid: {"idle": idle[pid], "peak": peak.peak[pid], "after": after[pid],
                             "after_above_idle": after[pid] - idle[pid]} for pid in pids},
    }
    save("big_pictures", result)
    return result


def report(result):
    print(f"{result['big']} concurrent {result['side']}x{result['side']} RGBA PNGs ({result['png_bytes'] / 1000:.0f} KB)"
          f" in {result['burst_s']:.1f} s: statuses {result['big_statuses']}, "
          f"p50 {result['big_s']['p50_ms'] / 1000:.1f} s")
    normal = result["normal_ms"]
    print(f"normal requests meanwhile: {result['normal_requests']}, {result['normal_errors']} errors, "
          f"p50 {normal['p50_ms']:.0f} ms, max {result['normal_s_max'] * 1000:.0f} ms")
    rows = [(pid, m["idle"], m["peak"], m["after"], m["after_above_idle"]) for pid, m in result["workers_mb"].items()]
    print_table(rows, ["worker pid", "idle RSS MB", "peak RSS MB", "RSS MB 2 s after", "after - idle MB"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", type=int, default=8, help="big pictures sent at once")
    parser.add_argument("--side", type=int, default=6300, help="their side in pixels")
    args = parser.parse_args(argv)
    report(run(args.big, args.side))


if __name__ == "__main__":
    main()
