#!/usr/bin/env python3
"""Signs a webhook body with the Standard Webhooks reference library (PyPI
`standardwebhooks`, pinned in requirements.txt) and prints the three headers as one JSON
object, for the webhook verification tests:

    tests/py/.venv/bin/python tests/py/standard_webhooks_sign.py --secret whsec_... \
        --id msg_1 --body-file body.json [--timestamp UNIX_SECONDS]
"""
import argparse
import datetime
import json
import sys

from standardwebhooks.webhooks import Webhook


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--body-file", required=True)
    parser.add_argument("--timestamp", type=int, default=None)
    args = parser.parse_args()
    with open(args.body_file, encoding="utf-8") as f:
        body = f.read()
    seconds = args.timestamp if args.timestamp is not None else int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    at = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    signature = Webhook(args.secret).sign(args.id, at, body)
    json.dump(
        {"webhook-id": args.id, "webhook-timestamp": str(seconds), "webhook-signature": signature},
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
