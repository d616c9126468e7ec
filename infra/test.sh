#!/usr/bin/env bash
# make test: installs what is missing, starts an emulator of its own on a free
# port (and a second one for the tests' e-mail), lints the template, builds
# then runs every test of the workspace. Each step prints its duration.
#
# With cargo-nextest installed (`cargo nextest --version`), the tests run
# under it: every test in a process of its own, all binaries' tests
# scheduled together on every core (cargo test runs one binary after
# another). Each test creates its own table, and the processes inherit the
# emulators' addresses (AWS_ENDPOINT_URL, TEST_MAIL_ENDPOINT_URL), so they
# share them as threads did. Without nextest (or with USE_CARGO_TEST=1):
# cargo test.
# Arguments go to the runner (a test name filter, for instance).
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh

phase "tool install" ensure_tools
phase "ocr engine" ensure_ocr
# The docs function embeds the docs page's files (functions/docs/build.rs).
phase "docs assets" bash infra/docs_assets.sh
emulator_env
mkdir -p .local
trap stop_emulator EXIT
EMULATOR_SERIAL=1 start_emulator "$(free_port)" .local/moto-test.log
start_mail_emulator "$(free_port)" .local/moto-test-mail.log

echo "==> cfn-lint template.yaml"
phase cfn-lint cfn-lint template.yaml

if cargo nextest --version >/dev/null 2>&1 && [ "${USE_CARGO_TEST:-}" != 1 ]; then
  echo "==> cargo nextest run --workspace"
  phase "test build" cargo nextest run --workspace --locked --no-run
  phase "test run" cargo nextest run --workspace --locked --no-fail-fast "$@"
  # nextest does not run doctests: cargo test does, when there are any.
  if grep -rqE '^\s*//[/!].*```' --include='*.rs' shared/src functions/*/src infra/src; then
    phase "doctests" cargo test --workspace --locked --doc
  fi
else
  echo "==> cargo test --workspace"
  phase "test build" cargo test --workspace --locked --no-run
  phase "test run" cargo test --workspace --locked "$@"
fi

# The whole API in one process (`autotrack-local serve`, infra/src/serve.rs)
# against the test emulator, on a fresh table: the binary the test build
# just built (same profile and features), built here only if it is missing.
SERVER_BIN="${CARGO_TARGET_DIR:-target}/debug/autotrack-local"
if [ ! -x "$SERVER_BIN" ]; then
  phase "local API build" cargo build -p infra --bin autotrack-local --locked
fi
trap 'stop_local_api; stop_emulator' EXIT
phase "local API start" start_local_api "$SERVER_BIN" "$(free_port)" .local/local-api-test.log

# The docs page in a real headless browser, served by the docs function:
# every operation of the served document must be listed
# (infra/browser_check.py).
phase "browser check" bash infra/browser_check.sh "$LOCAL_API_URL"

# Contract fuzzing of the documented operations (infra/fuzz.sh), bounded
# for CI: FUZZ_EXAMPLES cases per operation and phase, FUZZ_MAX_TIME
# seconds in all (the fuzzing phase repeats until the budget is spent).
# Aliases (`x-alias-of`, the handler of another path) are left out here
# (FUZZ_ALIASES=0); `make fuzz` runs them. Any finding fails the build; the
# replay file is in .local/fuzz/. FUZZ=0 skips it.
# FUZZ_SCOPE: Schemathesis options narrowing the run (empty: every
# canonical operation, within the budget below on 2 cores; README), e.g.
# FUZZ_SCOPE="--include-path-regex ^/api/settings/" while fixing findings.
FUZZ_SCOPE="${FUZZ_SCOPE:-}"
if [ "${FUZZ:-1}" != 0 ]; then
  # A staff account on the same table, for the catalogue's writes.
  FUZZ_STAFF_EMAIL="fuzz-staff-$(python3 -c 'import secrets; print(secrets.token_hex(4))')@example.com"
  FUZZ_STAFF_PASSWORD="Fuzz-Staff-$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"
  TABLE_NAME="$LOCAL_API_TABLE_NAME" "$SERVER_BIN" staff "$FUZZ_STAFF_EMAIL" "$FUZZ_STAFF_PASSWORD"
  export FUZZ_STAFF_EMAIL FUZZ_STAFF_PASSWORD
  phase "fuzz" env CI=true FUZZ_ALIASES="${FUZZ_ALIASES:-0}" \
    FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-5}" FUZZ_MAX_TIME="${FUZZ_MAX_TIME:-300}" \
    FUZZ_ARGS="$FUZZ_SCOPE ${FUZZ_ARGS:-}" \
    bash infra/fuzz.sh "$LOCAL_API_URL"
fi
