#!/usr/bin/env bash
# make bench: the reminders run against 10,000 and 100,000 stored reminders
# (50 due), on an emulator of its own. Prints items read, round trips and
# time per run: the cost follows what is due, not what is stored.
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh

ensure_tools
emulator_env
mkdir -p .local
trap stop_emulator EXIT
start_emulator "$(free_port)" .local/moto-bench.log
[ "$#" -gt 0 ] || set -- 10000 100000
cargo run --quiet --release --locked -p infra --bin bench-reminders -- "$@"
