#!/usr/bin/env python3
"""Signs a Stripe webhook delivery the way Stripe does, for local tries.

    python3 infra/stripe_sign.py EVENT_FILE [--set TEXT=VALUE ...]
                                 [--secret SECRET] [--timestamp T] [--curl BASE_URL]

EVENT_FILE is an API Gateway HTTP API (v2) event whose body is a Stripe
event (events/stripe-webhook-checkout-completed.json). Each `--set`
replaces TEXT by VALUE in the body (the placeholders `<user id>`,
`<subscription id>`), then the `stripe-signature` header is computed again:
`t=<T>,v1=<hex HMAC-SHA256 of "<T>.<body>" keyed with SECRET>`
(shared/src/stripe/signature.rs). T defaults to now (the webhook refuses a
signature more than 300 s away from its clock); SECRET to
$STRIPE_WEBHOOK_SECRET, else `whsec_local_dev_only` (`make dev`'s).

Prints the signed event (for `cargo lambda invoke --data-file`), or with
`--curl BASE_URL` a curl command posting the body and header to
BASE_URL + the event's path (`make dev`: http://127.0.0.1:9000).
Standard library only.
"""

import argparse
import hashlib
import hmac
import json
import os
import shlex
import sys
import time

LOCAL_SECRET = "whsec_local_dev_only"


def signature(secret: str, timestamp: int, body: str) -> str:
    signed = f"{timestamp}.{body}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("event_file")
    parser.add_argument("--set", action="append", default=[], metavar="TEXT=VALUE")
    parser.add_argument("--secret", default=os.environ.get("STRIPE_WEBHOOK_SECRET") or LOCAL_SECRET)
    parser.add_argument("--timestamp", type=int, default=None)
    parser.add_argument("--curl", metavar="BASE_URL")
    args = parser.parse_args()

    with open(args.event_file, encoding="utf-8") as f:
        event = json.load(f)
    body = event["body"]
    for pair in args.set:
        text, sep, value = pair.partition("=")
        if not sep or text not in body:
            print(f"--set {pair!r}: {text!r} is not in the body", file=sys.stderr)
            return 2
        body = body.replace(text, value)
    # A rotation's comma-separated secrets: sign with the first.
    secret = args.secret.split(",")[0].strip()
    timestamp = int(time.time()) if args.timestamp is None else args.timestamp
    event["body"] = body
    event["headers"]["stripe-signature"] = signature(secret, timestamp, body)

    if args.curl:
        url = args.curl.rstrip("/") + event["rawPath"]
        print(
            shlex.join(
                [
                    "curl", "-s", "-X", "POST", url,
                    "-H", "content-type: application/json",
                    "-H", f"stripe-signature: {event['headers']['stripe-signature']}",
                    "--data-binary", body,
                ]
            )
        )
    else:
        json.dump(event, sys.stdout, indent=2, ensure_ascii=False)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
