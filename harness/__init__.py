"""What the tests and the benchmarks share: drawn letters, and the app served by gunicorn and nginx on loopback."""
