# Schemathesis hooks of infra/fuzz.sh (loaded through SCHEMATHESIS_HOOKS):
# where the fuzzer's access token comes from, and which operations run.
#
# Some operations end every session of their caller when they succeed:
# logout always does (it revokes the user's tokens), and change-password,
# delete-account and reset-password would with the right password or link.
# With one token given on the command line, every operation fuzzed after
# the first logout only saw 401s (and a 401 counts as an accepted answer to
# valid data), so it was not fuzzed at all.
#
# Here the token is Schemathesis's dynamic auth: a fresh user registers
# through the API (POST /api/users/register/ answers its tokens) and its
# access token goes on every request. When an answer is a 401, Schemathesis
# drops the cached token, asks `get` for a new one and replays the request
# once (its reactive re-authentication, `retry_on` 401): after a logout, the
# next request runs as a new user and is fuzzed for real. A 401 that a new
# token does not cure (a bad refresh token on POST /api/token/refresh/) marks
# that operation as one whose 401 is not about the token, so it costs one
# registration only.
#
# The catalogue's writes (brands and models, spec 3.2.10-11; plans, spec 9)
# are staff-only, like the subscriptions' stats and the Stripe webhook's
# events (spec 10.2.10, 11.2): as an ordinary user they only ever answer
# 403. With a staff account given (FUZZ_STAFF_EMAIL, FUZZ_STAFF_PASSWORD;
# infra/fuzz.sh creates one on a local stack) those operations run with its
# token instead: it signs in again whenever a token is refused. Its password
# is never fuzzed (none of them asks for one), so it cannot lock itself out.
#
# FUZZ_ALIASES=0 leaves out the aliases (operations marked `x-alias-of`: the
# same handler as their seed path, docs/openapi-design.md), to fit a run in
# a smaller budget (`make test`); `make fuzz` runs them all.
#
# Environment: FUZZ_BASE_URL (the API's root URL, set by infra/fuzz.sh),
# FUZZ_ALIASES, FUZZ_STAFF_EMAIL and FUZZ_STAFF_PASSWORD.
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request

import schemathesis

BASE_URL = os.environ["FUZZ_BASE_URL"].rstrip("/")
WITH_ALIASES = os.environ.get("FUZZ_ALIASES", "1") != "0"
STAFF_EMAIL = os.environ.get("FUZZ_STAFF_EMAIL", "")
STAFF_PASSWORD = os.environ.get("FUZZ_STAFF_PASSWORD", "")
# The staff's write operations: the car catalogue's, at their seed paths
# and their aliases, and the plans'.
CATALOGUE_PATHS = r"^/api/((vehicles/)?(brands|models)|plans)/"
CATALOGUE_WRITES = r"^(POST|PUT|PATCH|DELETE)$"
# The staff-only operations, every method: the subscriptions' counts and
# the Stripe webhook's stored events (their seed paths and aliases).
STAFF_ONLY_PATHS = r"^/api/(subscriptions/stats|(webhooks/)?events)/"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Access tokens live 60 minutes: renew well before, whatever happens.
REFRESH_SECONDS = 1800

_lock = threading.Lock()
_registered = 0


def post_json(path: str, body: dict) -> dict:
    """POSTs `body` to the API and answers the decoded JSON answer; an
    HTTP error is raised with its status."""
    request = urllib.request.Request(
        BASE_URL + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def register() -> str:
    """Registers a new user and answers its access token. A 503 (the
    request outlived its deadline on a busy machine) is retried."""
    global _registered
    for attempt in range(1, 4):
        email = f"fuzz-{secrets.token_hex(6)}@example.com"
        password = "Fuzz-" + secrets.token_urlsafe(12)
        body = {
            "email": email,
            "password": password,
            "password_confirm": password,
            "first_name": "Fuzz",
            "last_name": "Tester",
        }
        try:
            answer = post_json("/api/users/register/", body)
        except urllib.error.HTTPError as e:
            message = f"POST /api/users/register/ answered {e.code}: {e.read()[:300]!r}"
            print(f"fuzz: {message}", file=sys.stderr, flush=True)
            if e.code == 503 and attempt < 3:
                time.sleep(1)
                continue
            raise RuntimeError(message) from e
        with _lock:
            _registered += 1
            count = _registered
        if count == 1 or count % 50 == 0:
            print(f"fuzz: user {count} registered ({email})", file=sys.stderr, flush=True)
        return answer["tokens"]["access"]
    raise AssertionError("unreachable")


def staff_sign_in() -> str:
    """Signs the staff account in and answers its access token."""
    try:
        answer = post_json(
            "/api/users/login/", {"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
        )
    except urllib.error.HTTPError as e:
        message = f"staff sign-in answered {e.code}: {e.read()[:300]!r}"
        raise RuntimeError(message) from e
    return answer["tokens"]["access"]


# Providers are asked in the order they are registered: the staff one
# first, for the catalogues' writes and the staff-only operations only
# (two `apply_to` filters: either selects an operation).
if STAFF_EMAIL and STAFF_PASSWORD:

    @schemathesis.auth(refresh_interval=REFRESH_SECONDS).apply_to(
        path_regex=CATALOGUE_PATHS, method_regex=CATALOGUE_WRITES
    ).apply_to(path_regex=STAFF_ONLY_PATHS)
    class StaffUser:
        def get(self, case, context):
            return staff_sign_in()

        def set(self, case, data, context):
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.auth(refresh_interval=REFRESH_SECONDS)
class FreshUser:
    def get(self, case, context):
        return register()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def before_load_schema(context, raw_schema):
    """Without aliases: drops every operation marked `x-alias-of` (and a
    path left with none)."""
    if WITH_ALIASES:
        return
    paths = raw_schema.get("paths", {})
    for path in list(paths):
        item = paths[path]
        for method in METHODS:
            if isinstance(item.get(method), dict) and "x-alias-of" in item[method]:
                del item[method]
        if not any(method in item for method in METHODS):
            del paths[path]
