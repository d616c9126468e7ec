#!/usr/bin/env bash
# make bench-ocr: analyze/ to done for a one-page PDF, a one-page image
# through Tesseract and the same image through the Textract fake, on an
# emulator of its own (see infra/src/bench_ocr.rs). Runs per case may be
# given: bash infra/bench_ocr.sh 20
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh

ensure_tools
ensure_ocr
emulator_env
mkdir -p .local
trap stop_emulator EXIT
start_emulator "$(free_port)" .local/moto-bench-ocr.log
cargo run --quiet --release --locked -p infra --bin bench-ocr -- "$@"
