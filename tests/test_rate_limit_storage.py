"""The limiter's in-memory storage counts right when many threads count at once."""

import threading

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from webapp.rate_limit_storage import SCHEME, ThreadSafeMemoryStorage


def hammer(hit, threads=16, each=500):
    """Call hit(i) from many threads at once; return the exceptions raised."""
    problems, start = [], threading.Barrier(threads)

    def worker():
        start.wait()
        for i in range(each):
            try:
                hit(i)
            except Exception as error:  # noqa: BLE001 - any error is the finding
                problems.append(error)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return problems


def test_the_scheme_names_the_thread_safe_storage():
    assert isinstance(storage_from_string(f"{SCHEME}://"), ThreadSafeMemoryStorage)


def test_many_threads_count_every_hit_without_an_error():
    storage = storage_from_string(f"{SCHEME}://")
    fixed, moving = FixedWindowRateLimiter(storage), MovingWindowRateLimiter(storage)
    limit = parse("100000 per hour")
    assert hammer(lambda i: (fixed.hit(limit, "fixed"), moving.hit(limit, "moving", str(i % 7)))) == []
    assert storage.get(limit.key_for("fixed")) == 16 * 500
