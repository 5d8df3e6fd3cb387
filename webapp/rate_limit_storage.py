"""The rate limiter's in-memory storage, made safe for gunicorn's threads.

limits 5.8.0 (the latest release) can start the same expiry timer twice when two threads count
a hit at the same moment: "threads can only be started once", a 500 for the person sending a
correction (seen once in 8,000 posts from 16 threads). The upstream fix (alisaifee/limits#352)
is not released yet; this storage lets one thread at a time count.

With FLASK_REDIS_URL set, the limiter counts in Redis instead (`storage_uri`), shared by every
worker and host that uses the same Redis.
"""

import threading

from limits.storage import MemoryStorage

SCHEME = "threadsafe-memory"
PER_PROCESS_SCHEMES = ("memory", SCHEME)


def storage_uri(redis_url):
    """The limiter's storage: Redis when a URL is given, else this process's memory."""
    return redis_url or f"{SCHEME}://"


def per_process(uri):
    """Whether a storage URI keeps its counts in this process only."""
    return uri.split("://", 1)[0] in PER_PROCESS_SCHEMES


class ThreadSafeMemoryStorage(MemoryStorage):
    """`memory://` with its counting serialised; registered as `threadsafe-memory://`."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._counting = threading.Lock()

    def incr(self, *args, **kwargs):
        with self._counting:
            return super().incr(*args, **kwargs)

    def decr(self, *args, **kwargs):
        with self._counting:
            return super().decr(*args, **kwargs)

    def acquire_entry(self, *args, **kwargs):
        with self._counting:
            return super().acquire_entry(*args, **kwargs)
