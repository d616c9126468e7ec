#!/usr/bin/env bash
# make fuzz: contract fuzzing of a running API with Schemathesis, from the
# API's own OpenAPI document (GET /api/schema/). Every documented operation
# gets examples generated from the schema and their negative cases; the run
# fails on a 5xx, a status code or body the document does not list, a wrong
# content type, a valid input refused or an invalid one accepted, a method
# the document does not list that is not a 405, or a slow answer.
#
#   bash infra/fuzz.sh [BASE_URL]        (default http://127.0.0.1:9000,
#                                         the API of `make dev`)
#
# Bounded, it stops by itself: FUZZ_EXAMPLES test cases at most per
# operation and phase (default 50; CI: 10), FUZZ_MAX_TIME seconds for the
# whole run (default 600; CI: 240), then `timeout` as a last resort.
# FUZZ_SEED makes a run repeatable (the seed of a run is printed).
# FUZZ_ALIASES=0 skips the aliases (`x-alias-of`: the handler of another
# path, fuzzed there).
# FUZZ_ARGS adds Schemathesis options, e.g.
#   FUZZ_ARGS="--include-path-regex ^/api/settings" bash infra/fuzz.sh
#
# A token: a fresh user registers through the API (POST
# /api/users/register/ answers its tokens) and every request carries its
# access token (public operations accept a valid one); a new user takes
# over whenever an operation (logout) revoked it: infra/fuzz_hooks.py.
# The catalogue's writes are staff-only: FUZZ_STAFF_EMAIL and
# FUZZ_STAFF_PASSWORD name a staff account they run as (`make test` creates
# one on its own stack; against `make dev`, with no BASE_URL given, one is
# created here with `make staff`). Without one they are fuzzed as an
# ordinary user (all 403).
# The checks are chosen in infra/schemathesis.toml (not with `--checks`,
# which would override the per-operation settings there). Reports (JUnit,
# and a pytest file that replays each failure) go to .local/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh
ensure_tools

LOCAL_DEV=0
[ -z "${1:-${BASE_URL:-}}" ] && LOCAL_DEV=1
BASE_URL="${1:-${BASE_URL:-http://127.0.0.1:9000}}"
BASE_URL="${BASE_URL%/}"
if [ "${CI:-}" = true ]; then
  EXAMPLES="${FUZZ_EXAMPLES:-10}"
  MAX_TIME="${FUZZ_MAX_TIME:-240}"
else
  EXAMPLES="${FUZZ_EXAMPLES:-50}"
  MAX_TIME="${FUZZ_MAX_TIME:-600}"
fi
REPORTS=.local/fuzz
mkdir -p "$REPORTS"

# The document must answer first (a fresh `make dev` compiles on first call).
for _ in $(seq 1 120); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=5)" \
    "$BASE_URL/api/schema/" 2>/dev/null; then
    break
  fi
  sleep 2
done

# The token: infra/fuzz_hooks.py (Schemathesis hooks) registers a fresh
# user through the API and puts its access token on every request; when a
# request answers 401 (a logout fuzzed a moment ago revoked that user's
# tokens), Schemathesis asks it for a new user and replays the request.
if [ -z "${FUZZ_STAFF_EMAIL:-}" ] && [ "$LOCAL_DEV" = 1 ]; then
  FUZZ_STAFF_EMAIL="fuzz-staff-$(python3 -c 'import secrets; print(secrets.token_hex(4))')@example.com"
  FUZZ_STAFF_PASSWORD="Fuzz-Staff-$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"
  EMAIL="$FUZZ_STAFF_EMAIL" PASSWORD="$FUZZ_STAFF_PASSWORD" bash infra/staff.sh
fi
if [ -z "${FUZZ_STAFF_EMAIL:-}" ]; then
  echo "==> no staff account (FUZZ_STAFF_EMAIL): the catalogue's writes run as an ordinary user"
fi
export FUZZ_STAFF_EMAIL="${FUZZ_STAFF_EMAIL:-}" FUZZ_STAFF_PASSWORD="${FUZZ_STAFF_PASSWORD:-}"
export SCHEMATHESIS_HOOKS="$PWD/infra/fuzz_hooks.py"
export FUZZ_BASE_URL="$BASE_URL" FUZZ_ALIASES="${FUZZ_ALIASES:-1}"
# No __pycache__ next to it (`cargo lambda watch` restarts on tree changes).
export PYTHONDONTWRITEBYTECODE=1

# infra/schemathesis.toml: the checks of the run, and the operations that
# may refuse valid data for business reasons (wrong credentials or codes,
# taken addresses...).
# Schemathesis keeps a cache in its working directory: inside the
# git-ignored .local/fuzz/, because `cargo lambda watch` restarts every
# function when a file of the tree changes (requests in flight then fail).
CONFIG="$PWD/infra/schemathesis.toml"
cd "$REPORTS"
echo "==> schemathesis: $BASE_URL/api/schema/, $EXAMPLES examples per operation, at most $MAX_TIME s"
# shellcheck disable=SC2086
timeout --kill-after=30 "$((MAX_TIME + 120))" \
  schemathesis --config-file "$CONFIG" run "$BASE_URL/api/schema/" \
  --url "$BASE_URL" \
  --phases examples,coverage,fuzzing \
  --max-examples "$EXAMPLES" \
  --max-time "$MAX_TIME" \
  --max-response-time 5 \
  --request-timeout 15 \
  --workers "${FUZZ_WORKERS:-1}" \
  --generation-database none \
  ${FUZZ_SEED:+--seed "$FUZZ_SEED"} \
  --report junit,pytest \
  --report-dir . \
  --no-color \
  ${FUZZ_ARGS:-}
