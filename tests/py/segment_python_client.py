#!/usr/bin/env python3
"""Sends identify, track, page, group and alias to a Segment-compatible endpoint through
the real segment-analytics-python SDK (its queue, consumer thread and batching), then
flush()es and shutdown()s. Exits 0 only when the SDK reports every message delivered.

    tests/py/.venv/bin/python tests/py/segment_python_client.py \
        --host http://127.0.0.1:8080 --key WRITE_KEY --run RUN_ID

stdout: one JSON object {"sdk", "version", "messages": [{type, messageId, ...fields}]}.
stderr + non-zero exit on any delivery error; the SDK's retries are capped so a failing
or silent server ends the run within about 15 s.
"""

import argparse
import json
import logging
import os
import sys
import threading
import uuid

import segment.analytics as analytics
from segment.analytics.client import Client

SDK = "segment-analytics-python"
HARD_DEADLINE_S = 15.0  # last resort if flush() never returns


def die(msg, code=1):
    sys.stderr.write("%s: %s\n" % (SDK, msg))
    sys.stderr.flush()
    os._exit(code)


class SdkLog(logging.Handler):
    """Reads the SDK's own log: "making request: <body>" is logged right before each POST
    and "data uploaded successfully" right after a 2xx, both from the single consumer
    thread, so together they say which messageIds were delivered. Warnings and errors
    go to stderr."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.state_lock = threading.Lock()
        self.in_flight = []
        self.delivered = set()
        self.requests = 0

    def emit(self, record):
        msg = record.msg
        with self.state_lock:
            if msg == "making request: %s":
                self.requests += 1
                try:
                    self.in_flight = [m.get("messageId") for m in json.loads(record.args[0])["batch"]]
                except Exception:  # noqa: BLE001 - keep the SDK thread alive
                    self.in_flight = []
            elif msg == "data uploaded successfully":
                self.delivered.update(self.in_flight)
                self.in_flight = []
        if record.levelno >= logging.WARNING:
            sys.stderr.write("%s: [sdk %s] %s\n" % (SDK, record.levelname, record.getMessage()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", required=True, help="base URL; the SDK appends /v1/batch")
    ap.add_argument("--key", required=True, help="write key")
    ap.add_argument("--run", required=True, help="run id used in userId/anonymousId")
    args = ap.parse_args()
    run = args.run

    watchdog = threading.Timer(HARD_DEADLINE_S, die, args=("no confirmed delivery within %d s" % HARD_DEADLINE_S, 3))
    watchdog.daemon = True
    watchdog.start()

    log = SdkLog()
    seg_log = logging.getLogger("segment")
    seg_log.setLevel(logging.DEBUG)
    seg_log.addHandler(log)
    seg_log.propagate = False

    errors = []

    def on_error(err, batch):
        ids = [m.get("messageId") for m in batch]
        errors.append("%s (%s: %s)" % (err, type(err).__name__, ", ".join(str(i) for i in ids)))

    # Module-level configuration, as the SDK documents it.
    analytics.write_key = args.key
    analytics.host = args.host
    analytics.on_error = on_error
    analytics.max_retries = 2  # default 10
    analytics.timeout = 3  # seconds per request; default 15
    # The module-level settings have no knob for the retry-time budgets (12 h of backoff,
    # 30 min of obeying 429 Retry-After by default), so the default client is built here
    # from those settings plus the two budgets; the calls below still go through the
    # module-level API and the SDK's queue and consumer thread.
    analytics.default_client = Client(
        analytics.write_key,
        host=analytics.host,
        on_error=analytics.on_error,
        max_retries=analytics.max_retries,
        timeout=analytics.timeout,
        gzip=analytics.gzip,
        max_total_backoff_duration=10,
        max_rate_limit_duration=10,
    )

    messages = [
        {"type": "identify", "messageId": str(uuid.uuid4()), "userId": "user_" + run, "anonymousId": "anon_" + run,
         "traits": {"email": "jane@example.com", "plan": "premium"}},
        {"type": "track", "messageId": str(uuid.uuid4()), "anonymousId": "anon_" + run, "event": "Product Added",
         "properties": {"product_id": "SKU-1234", "price": 79.99}},
        {"type": "page", "messageId": str(uuid.uuid4()), "anonymousId": "anon_" + run, "name": "Pricing",
         "properties": {"path": "/pricing", "url": "https://shop.example.com/pricing"}},
        {"type": "group", "messageId": str(uuid.uuid4()), "userId": "user_" + run, "groupId": "org_555",
         "traits": {"name": "Acme Corp"}},
        {"type": "alias", "messageId": str(uuid.uuid4()), "previousId": "anon_" + run, "userId": "user_" + run},
    ]
    snake = {"messageId": "message_id", "userId": "user_id", "anonymousId": "anonymous_id", "groupId": "group_id",
             "previousId": "previous_id"}
    for m in messages:
        kwargs = {snake.get(k, k): v for k, v in m.items() if k != "type"}
        queued, _ = getattr(analytics, m["type"])(**kwargs)
        if not queued:
            errors.append("%s %s: the SDK's queue refused it" % (m["type"], m["messageId"]))

    analytics.flush()  # blocks until the consumer has handled every queued message
    analytics.shutdown()
    watchdog.cancel()

    problems = list(errors)
    for m in messages:
        if m["messageId"] not in log.delivered and not errors:
            problems.append("%s %s: not in any request the SDK reported delivered" % (m["type"], m["messageId"]))
    if problems:
        die("delivery failed:\n  " + "\n  ".join(problems))

    sys.stdout.write(json.dumps({"sdk": SDK, "version": analytics.VERSION, "messages": messages}) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
