"""Holds N TCP connections to HOST:PORT that never send a byte, for the hostile-input test
(crates/cli/tests/binary/hostile/connections.rs), in a process of its own so that its
file descriptors do not count against the test binary's.

    python3 silent_connections.py HOST PORT N WAIT_SECONDS

Prints `open <n> <seconds>` once all are connected (and how long that took), then waits on stdin for a line (the test has
read the server's metrics), then `closed <n> <seconds>`: how many the server closed within
WAIT_SECONDS, and when the last one closed.
"""

import selectors
import socket
import sys
import time


def main() -> None:
    host, port, count, wait = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    sockets = []
    started = time.monotonic()
    for _ in range(count):
        sock = socket.create_connection((host, port))
        sock.setblocking(False)
        sockets.append(sock)
    print(f"open {len(sockets)} {time.monotonic() - started:.2f}", flush=True)
    sys.stdin.readline()
    selector = selectors.DefaultSelector()
    for sock in sockets:
        selector.register(sock, selectors.EVENT_READ)
    closed, last = 0, 0.0
    deadline = started + wait
    while closed < count and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
            sock = key.fileobj
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                selector.unregister(sock)
                sock.close()
                closed += 1
                last = time.monotonic() - started
    print(f"closed {closed} {last:.2f}", flush=True)


if __name__ == "__main__":
    main()
