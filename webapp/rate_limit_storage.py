"""The rate limiter's in-memory storage, made safe for gunicorn's threads.

limits 5.8.0 (the latest release) can start the same expiry timer twice when two threads count
a hit at the same moment: "threads can only be started once", a 500 for the person sending a
correction (seen once in 8,000 posts from 16 threads). The upstream fix (alisaifee/limits#352)
is not released yet; this storage lets one thread at a time count.
"""

import threading

from limits.storage import MemoryStorage

SCHEME = "threadsafe-memory"


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
