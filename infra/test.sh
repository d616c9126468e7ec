#!/usr/bin/env bash
# make test: installs what is missing, starts an emulator of its own on a free
# port (and a second one for the tests' e-mail), lints the template, then
# runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/tools.sh

ensure_tools
emulator_env
mkdir -p .local
trap stop_emulator EXIT
EMULATOR_SERIAL=1 start_emulator "$(free_port)" .local/moto-test.log
start_mail_emulator "$(free_port)" .local/moto-test-mail.log

echo "==> cfn-lint template.yaml"
cfn-lint template.yaml

echo "==> cargo test --workspace"
cargo test --workspace --locked "$@"
