"""Opens the API's docs page in a real headless browser (Debian's chromium)
and checks that it lists every operation of the API's document.

    python3 infra/browser_check.py BASE_URL [--screenshot FILE]
    python3 infra/browser_check.py --static [--screenshot FILE]

BASE_URL is a running API (`make dev`: http://127.0.0.1:9000). The page
(BASE_URL/api/docs/) is rendered by chromium with a virtual time budget (the
scripts run, nothing waits on the wall clock); its DOM must hold one
Swagger UI operation block per (method, path) of BASE_URL/api/schema/.
`--static` serves the page, its files and docs/openapi.json from this
checkout with a tiny local server instead (no Rust build needed), the way
the `docs` function serves them. The page needs nothing from the internet:
chromium runs with every other host unreachable (--host-resolver-rules), so
a file fetched from a CDN would fail the check.

Standard library only; chromium comes from apt (infra/browser_check.sh
installs it when missing).
"""

import argparse
import html.parser
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METHODS = ("get", "put", "post", "delete", "patch")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("browser check: no chromium (Debian: apt-get install chromium)")


def window_height(operations):
    # Swagger UI renders the blocks that reach the window: past some size
    # (about 140 operations in 2,400 px) the rest never rendered in the
    # headless run. A window as tall as the list (about 60 px a block, and
    # the tag headers) keeps every block in it.
    return max(2400, 80 * operations + 2000)


def browser_args(profile, height=2400):
    return [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={profile}",
        # Only the loopback answers: a CDN reference cannot load.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        "--virtual-time-budget=20000",
        f"--window-size=1280,{height}",
    ]


class Operations(html.parser.HTMLParser):
    """(method, path) of every Swagger UI operation block in a DOM."""

    def __init__(self):
        super().__init__()
        self.blocks = []
        self.method = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "opblock" in classes:
            methods = [c[len("opblock-"):] for c in classes if c[len("opblock-"):] in METHODS]
            self.method = methods[0] if methods else None
        if "opblock-summary-path" in classes and self.method:
            self.blocks.append((self.method, attrs.get("data-path")))


def documented(schema):
    return sorted(
        (method, path)
        for path, item in schema["paths"].items()
        for method in METHODS
        if method in item
    )


def check(base, screenshot=None):
    page = base + "/api/docs/"
    with urllib.request.urlopen(base + "/api/schema/", timeout=30) as response:
        schema = json.load(response)
    expected = documented(schema)
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            browser_args(profile, window_height(len(expected))) + ["--dump-dom", page],
            capture_output=True, text=True, timeout=120,
        )
        if result.returncode != 0:
            sys.exit(f"browser check: chromium failed ({result.returncode}): {result.stderr[-2000:]}")
        if screenshot:
            subprocess.run(
                browser_args(profile) + [f"--screenshot={os.path.abspath(screenshot)}", page],
                capture_output=True, timeout=120, check=True,
            )
            print(f"==> browser check: screenshot in {screenshot}")
    parser = Operations()
    parser.feed(result.stdout)
    rendered = sorted(parser.blocks)
    missing = [op for op in expected if op not in rendered]
    unexpected = [op for op in rendered if op not in expected]
    if missing or unexpected or not expected:
        print(result.stdout[:3000], file=sys.stderr)
        sys.exit(
            f"browser check: {page} lists {len(rendered)} operations, the document "
            f"{len(expected)}; missing {missing}, unexpected {unexpected}"
        )
    print(f"==> browser check: {page} lists all {len(expected)} operations of the document")


# The files of functions/docs, served as the `docs` function serves them.
def static_routes():
    docs = os.path.join(ROOT, "functions", "docs")
    routes = {
        "/api/schema/": (os.path.join(ROOT, "docs", "openapi.json"), "application/json"),
        "/api/docs/": (os.path.join(docs, "src", "index.html"), "text/html; charset=utf-8"),
        "/api/docs/init-js/": (os.path.join(docs, "src", "init.js"), "text/javascript"),
        "/api/docs/swagger-ui-bundle-js/": (os.path.join(docs, "assets", "swagger-ui-bundle.js"), "text/javascript"),
        "/api/docs/swagger-ui-css/": (os.path.join(docs, "assets", "swagger-ui.css"), "text/css"),
    }
    return routes


class Static(http.server.BaseHTTPRequestHandler):
    routes = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if not path.endswith("/"):
            path += "/"
        if path not in self.routes:
            self.send_error(404)
            return
        file, media = self.routes[path]
        with open(file, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base", nargs="?")
    parser.add_argument("--static", action="store_true")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    if args.static:
        Static.routes = static_routes()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Static)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            check(f"http://127.0.0.1:{server.server_address[1]}", args.screenshot)
        finally:
            server.shutdown()
    elif args.base:
        check(args.base.rstrip("/"), args.screenshot)
    else:
        parser.error("a BASE_URL or --static")


if __name__ == "__main__":
    main()
