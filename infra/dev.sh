#!/usr/bin/env bash
# make dev: the whole API on http://127.0.0.1:9000 against a local emulator.
# Ctrl-C stops the watcher and the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh

ensure_tools
mkdir -p .local
if [ -f .env ]; then set -a; . ./.env; set +a; fi
emulator_env

export TABLE_NAME="${TABLE_NAME:-autotrack}"
export BUCKET_NAME="${BUCKET_NAME:-autotrack-documents}"
export MAIL_FROM="${MAIL_FROM:-noreply@autotrack.local}"
export FRONTEND_URL="${FRONTEND_URL:-http://localhost:3000}"
export RUST_LOG="${RUST_LOG:-info}"
if [ -z "${JWT_SECRET:-}" ]; then
  # Local only: a random secret kept in the git-ignored .local/.
  [ -s .local/jwt_secret ] || python3 -c 'import secrets; print(secrets.token_urlsafe(48))' > .local/jwt_secret
  JWT_SECRET="$(cat .local/jwt_secret)"
  export JWT_SECRET
fi

trap stop_emulator EXIT
start_emulator "${EMULATOR_PORT:-5050}" .local/moto-dev.log

echo "==> creating the table, bucket, queues and sender identity"
cargo run --quiet -p infra --bin autotrack-local -- bootstrap .local/stack.env
set -a; . .local/stack.env; set +a

echo "==> serving the API on http://127.0.0.1:9000 (Ctrl-C to stop)"
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port 9000
