#!/usr/bin/env bash
# make bench-garages: the garage directory's reads (list pages, a city
# filter, top rated, nearby at two radii in a dense and a sparse place) at
# 1,000 and 100,000 garages, on an emulator of its own. Prints round trips,
# items read, garages returned and the emulator's time per read.
# Sizes may be given: bash infra/bench_garages.sh 1000 20000
# BENCH_GARAGES_MAX caps the sizes (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh

ensure_tools
emulator_env
mkdir -p .local
trap stop_emulator EXIT
# One request at a time: concurrent loads must not lose counter updates.
EMULATOR_SERIAL=1 start_emulator "$(free_port)" .local/moto-bench-garages.log
[ "$#" -gt 0 ] || set -- 1000 100000
# The emulator holds every item in memory (about 10 per garage): sizes
# above BENCH_GARAGES_MAX are capped to it.
export BENCH_GARAGES_MAX="${BENCH_GARAGES_MAX:-100000}"
cargo run --quiet --release --locked -p infra --bin bench-garages -- "$@"
