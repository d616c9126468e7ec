"""Local front door of `make dev`: listens where the API is served and
forwards every request to `cargo lambda watch` unchanged, except one kind.

cargo lambda's watch server turns a request into an API Gateway event and
reads the body as text when the content type is missing, text/* or
application/json. A body of such a type that is not valid UTF-8 then fails
inside the watch server itself (a text/plain 500, the function never runs).
Deployed, API Gateway never hands the function an event it cannot decode:
bodies it does not pass as text arrive base64-encoded (`isBase64Encoded`).
So this proxy sends exactly those requests the way API Gateway does, as an
HTTP API (payload 2.0) event with a base64 body, to the watch server's
invoke endpoint for the function the workspace router names; the function
answers (400 JSON for a body that is not UTF-8, 415 for an untyped one).

Standard library only: usage `python3 infra/dev_proxy.py LISTEN_PORT WATCH_PORT`.
"""

import base64
import http.client
import http.server
import json
import sys
import time
import tomllib
import uuid

HOST = "127.0.0.1"


def routes():
    """(pattern, function) of the workspace's watch router, longest first."""
    with open("Cargo.toml", "rb") as f:
        router = tomllib.load(f)["workspace"]["metadata"]["lambda"]["watch"]["router"]
    return sorted(router.items(), key=lambda item: -len(item[0]))


def function_for(path, table):
    for pattern, function in table:
        if pattern.endswith("{*path}"):
            if path.startswith(pattern[: -len("{*path}")]):
                return function
        elif path == pattern:
            return function
    return None


def decoded_as_text_by_watch(content_type):
    """cargo lambda's own rule for passing a body as text."""
    if content_type is None:
        return True
    return content_type.startswith("text/") or content_type.startswith("application/json")


def is_utf8(body):
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


class Proxy(http.server.BaseHTTPRequestHandler):
    watch_port = 9001
    table = []

    def log_message(self, *args):
        pass

    def body(self):
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def handle_any(self):
        body = self.body()
        if body and decoded_as_text_by_watch(self.headers.get("content-type")) and not is_utf8(body):
            self.invoke_as_api_gateway(body)
        else:
            self.forward(body)

    def forward(self, body):
        upstream = http.client.HTTPConnection(HOST, self.watch_port, timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "transfer-encoding"}
        headers["content-length"] = str(len(body))
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                self.send_header(name, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def invoke_as_api_gateway(self, body):
        path, _, query = self.path.partition("?")
        function = function_for(path, self.table)
        if function is None:
            return self.reply(404, {}, json.dumps({"detail": "Not found."}).encode())
        now = time.time()
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "requestContext": {
                "stage": "$default",
                "routeKey": "$default",
                "requestId": str(uuid.uuid4()),
                "domainName": "localhost",
                "http": {
                    "method": self.command,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": self.headers.get("user-agent", ""),
                },
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "body": base64.b64encode(body).decode("ascii"),
            "isBase64Encoded": True,
        }
        upstream = http.client.HTTPConnection(HOST, self.watch_port, timeout=600)
        upstream.request(
            "POST",
            f"/2015-03-31/functions/{function}/invocations",
            body=json.dumps(event).encode(),
            headers={"content-type": "application/json"},
        )
        answer = json.loads(upstream.getresponse().read() or b"{}")
        payload = answer.get("body") or ""
        payload = base64.b64decode(payload) if answer.get("isBase64Encoded") else payload.encode()
        headers = dict(answer.get("headers") or {})
        self.reply(int(answer.get("statusCode", 502)), headers, payload, answer.get("cookies") or [])

    def reply(self, status, headers, payload, cookies=()):
        self.send_response(status)
        headers.setdefault("content-type", "application/json")
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        for cookie in cookies:
            self.send_header("set-cookie", cookie)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    # Every method reaches the API, which answers its JSON 405 to the ones
    # it does not route (the contract fuzzer sends TRACE, for one).
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any
    do_TRACE = do_CONNECT = handle_any

    def __getattr__(self, name):
        # Any other method (QUERY...) too.
        if name.startswith("do_"):
            return self.handle_any
        raise AttributeError(name)


def main():
    listen_port, watch_port = int(sys.argv[1]), int(sys.argv[2])
    Proxy.watch_port = watch_port
    Proxy.table = routes()
    server = http.server.ThreadingHTTPServer((HOST, listen_port), Proxy)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
