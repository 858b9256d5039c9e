"""Holds N TCP connections to HOST:PORT that never send a byte, for the hostile-input test
(crates/cli/tests/binary/hostile/connections.rs), in a process of its own so that its
file descriptors do not count against the test binary's.

    python3 silent_connections.py HOST PORT N WAIT_SECONDS

Opens the connections one after another, noting when each was opened and when the server
closed it. Prints `open <n> <seconds> <still open>` once all are opened, then waits on
stdin for a line (the test reads the server's metrics meanwhile), then, once all are
closed or WAIT_SECONDS have passed since the first was opened,
`closed <closed> <longest seconds a connection stayed open>`.
"""

import selectors
import socket
import sys
import time


def main() -> None:
    host, port, count, wait = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    selector = selectors.DefaultSelector()
    opened_at = {}
    closed, longest = 0, 0.0

    def reap(timeout: float) -> None:
        nonlocal closed, longest
        for key, _ in selector.select(timeout=timeout):
            sock = key.fileobj
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                selector.unregister(sock)
                longest = max(longest, time.monotonic() - opened_at.pop(sock))
                sock.close()
                closed += 1

    started = time.monotonic()
    for n in range(count):
        sock = socket.create_connection((host, port))
        sock.setblocking(False)
        opened_at[sock] = time.monotonic()
        selector.register(sock, selectors.EVENT_READ)
        if n % 100 == 99:
            reap(0)
    print(f"open {count} {time.monotonic() - started:.2f} {count - closed}", flush=True)
    sys.stdin.readline()
    deadline = started + wait
    while closed < count and time.monotonic() < deadline:
        reap(max(0.0, deadline - time.monotonic()))
    print(f"closed {closed} {longest:.2f}", flush=True)


if __name__ == "__main__":
    main()
