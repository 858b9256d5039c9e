#!/usr/bin/env python3
"""Verifies a delivered request with the Standard Webhooks reference library (PyPI
`standardwebhooks`, pinned in requirements.txt), for the delivery tests: exits 0 when the
`webhook-id`, `webhook-timestamp` and `webhook-signature` headers sign the body under the
secret, and 1 (printing the library's error) when they do not.

    tests/py/.venv/bin/python tests/py/standard_webhooks_verify.py --secret whsec_... \
        --headers-file headers.json --body-file body.json
"""
import argparse
import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--headers-file", required=True)
    parser.add_argument("--body-file", required=True)
    args = parser.parse_args()
    with open(args.headers_file, encoding="utf-8") as f:
        headers = json.load(f)
    with open(args.body_file, encoding="utf-8") as f:
        body = f.read()
    try:
        Webhook(args.secret).verify(body, headers)
    except WebhookVerificationError as err:
        print(f"not verified: {err}")
        return 1
    print("verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
