"""Clients of the app on 127.0.0.1: the POST /api/predict upload, and slow and stalled connections."""

import http.client
import socket
import threading
import time

BOUNDARY = "benchmark-boundary"
STALLED = 16  # connections that send one byte and hold
TRICKLING = 8  # connections that send a request one byte every TRICKLE_S
TRICKLE_S = 0.1
TRICKLED_REQUEST = (b"POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b"X-Pad: " + b"a" * 4000)


def multipart(png):
    """The body and headers of a POST /api/predict upload."""
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="canvas.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode() + png + f"\r\n--{BOUNDARY}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def send(connection, body, headers):
    """POST /api/predict on a kept-alive connection; the response status."""
    connection.request("POST", "/api/predict", body, headers)
    response = connection.getresponse()
    response.read()
    return response.status


def timed_predict(port, body, headers, timeout):
    """Seconds for one POST /api/predict on a fresh connection, or None if no 200 came within `timeout`."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        return time.perf_counter() - start if send(connection, body, headers) == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


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
