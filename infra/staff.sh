#!/usr/bin/env bash
# make staff EMAIL=... PASSWORD=...: creates or promotes a staff user in the
# local stack started by `make dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh
if [ -z "${EMAIL:-}" ] || [ -z "${PASSWORD:-}" ]; then
  echo "usage: make staff EMAIL=admin@example.com PASSWORD='a long passphrase'" >&2
  exit 2
fi
if [ -f .env ]; then set -a; . ./.env; set +a; fi
emulator_env
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:${EMULATOR_PORT:-5050}}"
export TABLE_NAME="${TABLE_NAME:-autotrack}"
cargo run --quiet -p infra --bin autotrack-local -- staff "$EMAIL" "$PASSWORD"
