#!/usr/bin/env bash
# make dev: the whole API on http://127.0.0.1:9000 against a local emulator.
# Ctrl-C stops the watcher, its front proxy, the SQS bridge and the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh

ensure_tools
ensure_ocr
# The docs function (/api/docs/) embeds the docs page's files.
bash infra/docs_assets.sh
mkdir -p .local
if [ -f .env ]; then set -a; . ./.env; set +a; fi
emulator_env

export TABLE_NAME="${TABLE_NAME:-autotrack}"
export BUCKET_NAME="${BUCKET_NAME:-autotrack-documents}"
export MAIL_FROM="${MAIL_FROM:-noreply@autotrack.local}"
export FRONTEND_URL="${FRONTEND_URL:-http://localhost:3000}"
export RUST_LOG="${RUST_LOG:-info}"
# Billing (issue 14). Without a Stripe key in .env, the subscriptions
# function's checkout simulator takes Stripe's place (never in a
# deployment: the template does not set it). The webhook function checks
# signatures with this local secret, and the simulator signs its events
# with the same one (events/README.md: a signed delivery with curl).
if [ -z "${STRIPE_SECRET_KEY:-}" ]; then
  export STRIPE_SIMULATOR="${STRIPE_SIMULATOR:-1}"
fi
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_local_dev_only}"
if [ -z "${JWT_SECRET:-}" ]; then
  # Local only: a random secret kept in the git-ignored .local/.
  [ -s .local/jwt_secret ] || python3 -c 'import secrets; print(secrets.token_urlsafe(48))' > .local/jwt_secret
  JWT_SECRET="$(cat .local/jwt_secret)"
  export JWT_SECRET
fi

# The SQS workers, in one place: `<function>=<variable of .local/stack.env
# holding its queue URL>`. `cargo lambda watch` has no SQS trigger, so the
# local bridge (infra/src/bridge.rs) delivers each queue to its worker.
# The AI worker answers offline (code table and rules) unless .env sets
# OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server); so does the
# AI assistant (an HTTP function: the watch router serves it), from the
# owner's data. Both read the same OPENAI_* variables here: with a key, set
# OPENAI_TIMEOUT_SECONDS=7 and OPENAI_ATTEMPTS=1 in .env to give the
# assistant its deployed bounds (its 25 s request deadline otherwise cuts a
# slow model short with a 503 rather than the offline answer).
WORKERS=(ocr-worker=OCR_QUEUE_URL ai-worker=AI_QUEUE_URL)

PROXY_PID=""
BRIDGE_PID=""
stop_all() {
  for pid in $BRIDGE_PID $PROXY_PID; do
    kill "$pid" 2>/dev/null || true
  done
  stop_emulator
}
trap stop_all EXIT
start_emulator "${EMULATOR_PORT:-5050}" .local/moto-dev.log

echo "==> creating the table, bucket, queues and sender identity"
cargo run --quiet -p infra --bin autotrack-local -- bootstrap .local/stack.env
set -a; . .local/stack.env; set +a

# The API's port is a small proxy (infra/dev_proxy.py) in front of the
# watch server: cargo lambda answers a text/plain 500 of its own for a
# text-typed body that is not UTF-8, where API Gateway would pass the bytes
# base64-encoded; the proxy sends those the API Gateway way.
API_PORT="${API_PORT:-9000}"
WATCH_PORT="${WATCH_PORT:-9001}"
python3 infra/dev_proxy.py "$API_PORT" "$WATCH_PORT" &
PROXY_PID=$!

# The bridge starts once the watch server answers; it first invokes each
# worker with an empty batch (the first invoke compiles the function, which
# must not eat a real message's visibility timeout), then delivers.
if [ "${#WORKERS[@]}" -eq 0 ]; then
  echo "==> no SQS worker function yet: the local SQS bridge does not start"
else
  BRIDGE_ARGS=()
  for worker in "${WORKERS[@]}"; do
    var="${worker#*=}"
    url="${!var:-}"
    if [ -z "$url" ]; then echo "no queue URL in \$$var for ${worker%%=*}" >&2; exit 1; fi
    BRIDGE_ARGS+=("${worker%%=*}=$url")
  done
  (
    for _ in $(seq 1 600); do
      python3 -c "import socket; socket.create_connection(('127.0.0.1', $WATCH_PORT), 1)" 2>/dev/null && break
      sleep 0.5
    done
    echo "==> SQS bridge: ${BRIDGE_ARGS[*]}"
    exec cargo run --quiet -p infra --bin autotrack-local -- bridge "http://127.0.0.1:$WATCH_PORT" "${BRIDGE_ARGS[@]}"
  ) &
  BRIDGE_PID=$!
fi

echo "==> serving the API on http://127.0.0.1:$API_PORT (Ctrl-C to stop)"
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$WATCH_PORT"
