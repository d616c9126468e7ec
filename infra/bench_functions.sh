#!/usr/bin/env bash
# make bench-functions: release size and cold start of every function.
#
# 1. Builds every function for Lambda (arm64, `cargo lambda build --release
#    --arm64`) and records each deployed binary's size (the release profile
#    strips symbols).
# 2. Builds them for this machine (`cargo build --release`) and times their
#    cold start: infra/fake_runtime.py serves the Lambda Runtime API, spawns
#    the binary RUNS times (default 15) with the environment `make dev` sets
#    (against an emulator of its own, table bootstrapped) and times spawn ->
#    first response (a GET /api/health/ for the HTTP functions, a scheduled
#    event for reminders, an empty SQS batch for the workers).
#
# Prints the README's markdown table ("Functions: size and cold start"):
# paste the header lines and rows over the previous ones. Sizes are in MB
# (10^6 bytes). Usage: bash infra/bench_functions.sh [FUNCTION...]
# BUILD=0 measures the binaries already built (a size reads "not built"
# when its arm64 binary is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh

ALL=(users vehicles maintenances notifications garages documents diagnostics plans subscriptions stripe-webhook ai-assistant settings health reminders ocr-worker ai-worker)
[ "$#" -gt 0 ] && FUNCTIONS=("$@") || FUNCTIONS=("${ALL[@]}")
RUNS="${RUNS:-15}"
packages=()
for f in "${FUNCTIONS[@]}"; do packages+=(-p "$f"); done

phase "tool install" ensure_tools
if [ "${BUILD:-1}" != 0 ]; then
  phase "arm64 release build" cargo lambda build --release --arm64 --locked "${packages[@]}"
  phase "x86_64 release build" cargo build --release --locked "${packages[@]}"
fi

emulator_env
mkdir -p .local
trap stop_emulator EXIT
start_emulator "$(free_port)" .local/moto-bench-functions.log
export TABLE_NAME=autotrack BUCKET_NAME=autotrack-documents
export MAIL_FROM=noreply@autotrack.local FRONTEND_URL=http://localhost:3000
export JWT_SECRET="bench-only-secret-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
export RUST_LOG=info
# The Stripe functions as deployed: subscriptions with an API key (its
# client, and the CA roots it reads, built at cold start; no call is made),
# the webhook with its signing secret. Not the local simulator.
unset STRIPE_SIMULATOR
export STRIPE_SECRET_KEY="sk_test_bench_only" STRIPE_WEBHOOK_SECRET="whsec_bench_only"
cargo run --quiet --locked -p infra --bin autotrack-local -- bootstrap .local/bench-stack.env >/dev/null
set -a; . .local/bench-stack.env; set +a
# What Lambda itself sets (lambda_runtime reads them at start).
export AWS_LAMBDA_FUNCTION_VERSION='$LATEST' AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256
export AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/bench AWS_LAMBDA_LOG_STREAM_NAME=bench

rows=()
for f in "${FUNCTIONS[@]}"; do
  # cargo lambda's copy, else the build's own output (the same binary).
  bytes=$(stat -c %s "target/lambda/$f/bootstrap" 2>/dev/null ||
    stat -c %s "target/aarch64-unknown-linux-gnu/release/$f" 2>/dev/null || echo 0)
  event=http
  [ "$f" = reminders ] && event=schedule
  [ "$f" = ocr-worker ] && event=sqs
  [ "$f" = ai-worker ] && event=sqs
  # The assistant as deployed with a key: its model client built at cold
  # start (no call is made), with the template's bounds. The AI worker is
  # measured offline, as before.
  model=()
  [ "$f" = ai-assistant ] &&
    model=(OPENAI_API_KEY=sk-bench-only OPENAI_TIMEOUT_SECONDS=7 OPENAI_ATTEMPTS=1)
  result=$(env "${model[@]}" AWS_LAMBDA_FUNCTION_NAME="$f" python3 infra/fake_runtime.py --event "$event" --runs "$RUNS" --log ".local/bench-functions-$f.log" "target/release/$f")
  echo "==> $f: $bytes bytes (arm64), $result"
  rows+=("$(python3 -c '
import json, sys
name, size, result = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
shown = f"{size / 1e6:.2f} MB" if size else "not built"
median, answer = result["median_ms"], result["answer"]
print(f"| {name} | {shown} | {median:.0f} ms | {answer} |")
' "$f" "$bytes" "$result")")
done

commit="$(git rev-parse --short HEAD)"
git diff --quiet HEAD -- Cargo.toml Cargo.lock shared functions || commit="$commit (with local changes)"
cpu="$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo
echo "Measured $(date -u +%Y-%m-%d) on $(uname -m), ${cpu:-unknown CPU}, $(nproc) cores, commit $commit; cold start: median of $RUNS spawns."
echo
echo "| function | arm64 size | cold start (x86_64, median) | first answer |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
