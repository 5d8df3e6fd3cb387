"""Background reading through Celery: pages read per minute with 1 and 2 worker processes, the wait
from sending a job to its first progress, and the memory of a worker process.

    python -m benchmarks.jobs [--jobs 6] [--pages 3]

A real redis-server (harness.servers.Redis) and `celery -A worker worker` (as `make worker` runs it)
with --concurrency 1, then 2; the jobs are sent and followed through the app (Flask's test client)
on one SQLite database. The pages are A4 at 200 dpi, eight lines written in a handwriting font
(Debian's fonts-dancingscript), read with the English dictionary. Saved as results/jobs.json.
"""

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from benchmarks.common import print_table, save
from harness.servers import CeleryWorker, Redis, children, memory_mb
from webapp import create_app

FONT = "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf"
LINES = ["Dear Anna, thank you for the letter", "and the photos of the garden in May.",
         "We will come by train on Sunday", "and stay until the end of the week.",
         "The children want to see the sea", "and the old lighthouse by the harbour.",
         "Write soon and tell us the news,", "with love from all of us, Paul"]
POLL_S = 0.02


def page_pdf(pages):
    """A PDF of `pages` A4 pages at 200 dpi, eight handwritten lines each."""
    font = ImageFont.truetype(FONT, 64)
    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(LINES):
        draw.text((150, 200 + 140 * n), line, font=font, fill=0)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", save_all=True, append_images=[page] * (pages - 1), resolution=200)
    return buffer.getvalue()


def cpu_s(pids):
    """CPU seconds the processes have used (user and system): unlike the wall time, hardly raised by
    other work on the same cores."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def submit(client, pdf):
    response = client.post("/api/jobs", data={"image": (io.BytesIO(pdf), "letter.pdf"), "language": "en"})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["url"]


def follow(client, urls, sent):
    """Seconds from each job's sending to a worker taking it, to its first page read, and to its end."""
    taken, first, end = {}, {}, {}
    while len(end) < len(urls):
        for url in urls:
            if url in end:
                continue
            answer = client.get(url).get_json()
            assert answer["state"] != "failed", answer
            if answer["state"] != "queued" and url not in taken:
                taken[url] = time.perf_counter() - sent[url]
            if answer["progress"]["done"] >= 1 and url not in first:
                first[url] = time.perf_counter() - sent[url]
            if answer["state"] == "done":
                end[url] = time.perf_counter() - sent[url]
        time.sleep(POLL_S)
    return [taken[url] for url in urls], [first[url] for url in urls], [end[url] for url in urls]


def measure(redis_url, processes, jobs, pages):
    with tempfile.TemporaryDirectory(prefix="letter-scanner-jobs-") as folder:
        settings = {"REDIS_URL": redis_url, "DATABASE_URL": f"sqlite:///{folder}/jobs.sqlite3"}
        client = create_app({"TESTING": True, "SECRET_KEY": "benchmark", **settings}).test_client()
        with CeleryWorker(concurrency=processes, **{f"FLASK_{k}": v for k, v in settings.items()}) as worker:
            warm = [submit(client, page_pdf(1)) for _ in range(processes)]  # each process makes its interpreters
            follow(client, warm, {url: time.perf_counter() for url in warm})
            # The wait for a job on idle workers, three times.
            taken, first = [], []
            for _ in range(3):
                url = submit(client, page_pdf(1))
                times = follow(client, [url], {url: time.perf_counter()})
                taken.append(times[0][0])
                first.append(times[1][0])
            pdf = page_pdf(pages)
            pool = children(worker.process.pid)
            cpu_before = cpu_s(pool)
            start = time.perf_counter()
            sent = {}
            for _ in range(jobs):
                url = submit(client, pdf)
                sent[url] = time.perf_counter()
            _, _, ends = follow(client, list(sent), sent)
            elapsed = max(sent[url] - start + end for url, end in zip(sent, ends))
            cpu = cpu_s(pool) - cpu_before
            memory = [memory_mb(pid) for pid in pool]
            main = memory_mb(worker.process.pid)
    return {"processes": processes, "jobs": jobs, "pages_per_job": pages, "seconds": elapsed,
            "pages_per_minute": 60 * jobs * pages / elapsed, "taken_s": statistics.median(taken), "first_page_s": statistics.median(first),
            "cpu_s_per_page": cpu / (jobs * pages), "pool_process_mb": memory, "main_process_mb": main}


def run(jobs=6, pages=3):
    with Redis() as redis:
        runs = [measure(redis.url, processes, jobs, pages) for processes in (1, 2)]
    # The machine's load (1-minute average) at the end: other work on its cores lowers the figures.
    result = {"runs": runs, "speedup_2_over_1": runs[1]["pages_per_minute"] / runs[0]["pages_per_minute"],
              "cores": os.cpu_count(), "load_average_1min": os.getloadavg()[0]}
    save("jobs", result)
    return result


def report(result):
    rows = [(r["processes"], r["pages_per_minute"], r["cpu_s_per_page"], r["taken_s"], r["first_page_s"],
             statistics.mean(m["pss"] for m in r["pool_process_mb"]), r["main_process_mb"]["pss"])
            for r in result["runs"]]
    print_table(rows, ["worker processes", "pages/min", "CPU s a page", "s to taken", "s to first page read",
                       "PSS MB a pool process", "PSS MB main process"])
    print(f"2 processes read {result['speedup_2_over_1']:.2f}x the pages of 1 "
          f"({result['cores']} cores, load average {result['load_average_1min']:.1f})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=6, help="jobs sent at once")
    parser.add_argument("--pages", type=int, default=3, help="pages a job")
    args = parser.parse_args(argv)
    report(run(args.jobs, args.pages))


if __name__ == "__main__":
    main()
