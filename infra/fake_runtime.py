#!/usr/bin/env python3
"""Cold start of one function binary against a local Lambda Runtime API.

    python3 infra/fake_runtime.py --event http|schedule|sqs [--runs 15] BINARY

Serves the Runtime API on a free local port: the first
`GET /2018-06-01/runtime/invocation/next` of a process gets one canned event
(an API Gateway HTTP API v2 `GET /api/health/` for the HTTP functions, an
EventBridge scheduled event for `reminders`), later ones wait; `POST
.../invocation/<id>/response` (or `/error`) records the arrival time. Each run
spawns BINARY with AWS_LAMBDA_RUNTIME_API pointing here (the rest of the
environment is inherited: the caller sets what `make dev` would) and times
spawn -> first response, then kills it. Prints one JSON line: the median, min
and max in milliseconds and the first answer's status.

Python standard library only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


def http_event():
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "GET /api/health/{proxy+}",
        "rawPath": "/api/health/",
        "rawQueryString": "",
        "headers": {
            "accept": "application/json",
            "host": "api.autotrack.test",
            "user-agent": "fake-runtime",
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "api.autotrack.test",
            "domainPrefix": "api",
            "http": {
                "method": "GET",
                "path": "/api/health/",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "fake-runtime",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "GET /api/health/{proxy+}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }


def sqs_event():
    # An empty batch: the worker's cold start and one answer, no job.
    return {"Records": []}


def schedule_event():
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": os.environ.get("AWS_REGION", "eu-west-1"),
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/reminders-hourly"],
        "detail": {},
    }


class Runtime:
    """State of one spawn: the event to hand out once, the answer's arrival."""

    def __init__(self):
        self.lock = threading.Lock()
        self.event = None
        self.request_id = None
        self.answered = threading.Event()
        self.answer_at = None
        self.answer = None

    def arm(self, event):
        with self.lock:
            self.event = event
            self.request_id = str(uuid.uuid4())
            self.answered.clear()
            self.answer_at = None
            self.answer = None

    def take(self):
        with self.lock:
            event, self.event = self.event, None
            return event, self.request_id


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != PREFIX + "/invocation/next":
            return self.reply(404)
        event, request_id = self.server.runtime.take()
        if event is None:
            # One invocation per process: later polls wait until the kill.
            time.sleep(3600)
            return
        body = json.dumps(event).encode()
        deadline = int(time.time() * 1000) + 60_000
        self.reply(
            200,
            body,
            [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                (
                    "Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:eu-west-1:123456789012:function:"
                    + os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local"),
                ),
                ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000"),
            ],
        )

    def do_POST(self):
        at = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith(PREFIX + "/invocation/") and (
            self.path.endswith("/response") or self.path.endswith("/error")
        ):
            runtime = self.server.runtime
            runtime.answer_at = at
            runtime.answer = (self.path.rsplit("/", 1)[1], body)
            runtime.answered.set()
            return self.reply(202, b'{"status":"OK"}')
        if self.path == PREFIX + "/init/error":
            runtime = self.server.runtime
            runtime.answer_at = at
            runtime.answer = ("init/error", body)
            runtime.answered.set()
            return self.reply(202, b'{"status":"OK"}')
        return self.reply(404)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A killed process drops its connections: expected, not an error.
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


def summary(kind, body):
    """The answer in a word: the HTTP status for API Gateway responses."""
    if kind != "response":
        return f"{kind}: {body[:200].decode(errors='replace')}"
    try:
        answer = json.loads(body)
    except ValueError:
        return "response (not JSON)"
    if isinstance(answer, dict) and "statusCode" in answer:
        return f"HTTP {answer['statusCode']}"
    return "ok"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event", choices=["http", "schedule", "sqs"], required=True)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--log", help="append the binary's output to this file")
    parser.add_argument("binary")
    args = parser.parse_args()

    make_event = {"http": http_event, "schedule": schedule_event, "sqs": sqs_event}[args.event]

    output = open(args.log, "ab") if args.log else subprocess.DEVNULL
    times, answers = [], []
    for _ in range(args.runs):
        # A server per spawn: a killed process's late poll for the next
        # event must not take the one meant for the next process.
        server = Server(("127.0.0.1", 0), Handler)
        server.runtime = runtime = Runtime()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}")
        runtime.arm(make_event())
        start = time.perf_counter()
        process = subprocess.Popen(
            [args.binary], env=env, stdout=output, stderr=output
        )
        answered = False
        while time.perf_counter() - start < args.timeout:
            if runtime.answered.wait(0.005):
                answered = True
                break
            if process.poll() is not None:
                sys.exit(f"{args.binary} exited ({process.returncode}) before answering")
        process.kill()
        process.wait()
        server.shutdown()
        server.server_close()
        if not answered:
            sys.exit(f"{args.binary}: no answer within {args.timeout} s")
        times.append((runtime.answer_at - start) * 1000)
        answers.append(summary(*runtime.answer))
    print(
        json.dumps(
            {
                "binary": args.binary,
                "runs": args.runs,
                "median_ms": round(statistics.median(times), 1),
                "min_ms": round(min(times), 1),
                "max_ms": round(max(times), 1),
                "answer": answers[0],
                "same_answer_every_run": len(set(answers)) == 1,
            }
        )
    )


if __name__ == "__main__":
    main()
