# Sourced by the dev and test scripts: installs the project's Python-based
# tools (the AWS emulator, cargo-lambda, zig, cfn-lint) into .venv, once.
# Versions are pinned so every machine runs the same emulator.

# schemathesis: contract fuzzing from the OpenAPI document (infra/fuzz.sh).
TOOLS_REQUIREMENTS="moto[server]==5.2.5 cargo-lambda==1.9.2 ziglang==0.17.1 cfn-lint==1.58.0 schemathesis==4.32.5"

ensure_tools() {
  local stamp=".venv/.tools"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$TOOLS_REQUIREMENTS" ]; then
    echo "==> installing local tools into .venv: $TOOLS_REQUIREMENTS"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check $TOOLS_REQUIREMENTS
    echo "$TOOLS_REQUIREMENTS" > "$stamp"
  fi
  export PATH="$PWD/.venv/bin:$PATH"
}

# The local OCR engine of the OCR worker (`make dev`, and the tests that
# read images without Textract): Tesseract with French and English, and
# poppler's pdftoppm for scanned PDFs, from Debian's packages. Installed
# when missing and the machine allows it (root, or sudo without a
# password); otherwise a message, and those tests say they were skipped.
OCR_PACKAGES="tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng poppler-utils"

ocr_ready() {
  command -v pdftoppm >/dev/null 2>&1 || return 1
  local langs
  langs="$(tesseract --list-langs 2>&1)" || return 1
  grep -qx fra <<<"$langs" && grep -qx eng <<<"$langs"
}

ensure_ocr() {
  ocr_ready && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "==> Tesseract is missing and cannot be installed here: apt-get install $OCR_PACKAGES" >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "==> Tesseract is missing (no apt-get here): install $OCR_PACKAGES" >&2
    return 0
  fi
  echo "==> installing the local OCR engine: $OCR_PACKAGES"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $OCR_PACKAGES >/dev/null
  ocr_ready || echo "==> the OCR engine is still not usable: the tests that need it will say SKIPPED" >&2
}

# Credentials and region for the emulator (it accepts any).
emulator_env() {
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
  export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
  export AWS_REGION="${AWS_REGION:-eu-west-1}"
  export AWS_DEFAULT_REGION="$AWS_REGION"
  export AWS_EC2_METADATA_DISABLED=true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_emulator PORT LOGFILE: starts moto's server on 127.0.0.1:PORT in the
# background, sets EMULATOR_PID and AWS_ENDPOINT_URL, waits until it answers.
start_emulator() {
  local port="$1" log="$2"
  # EMULATOR_SERIAL=1: one request at a time (infra/serial_emulator.py),
  # for tests that race conditional writes.
  if [ "${EMULATOR_SERIAL:-0}" = 1 ]; then
    python infra/serial_emulator.py 127.0.0.1 "$port" >"$log" 2>&1 &
  else
    moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  fi
  EMULATOR_PID=$!
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('$AWS_ENDPOINT_URL/moto-api/', timeout=1)" 2>/dev/null; then
      echo "==> AWS emulator on $AWS_ENDPOINT_URL (pid $EMULATOR_PID)"
      return 0
    fi
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
      echo "the emulator did not start; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "the emulator did not answer on port $port" >&2
  return 1
}

stop_emulator() {
  for pid in ${EMULATOR_PID:-} ${MAIL_EMULATOR_PID:-}; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# start_mail_emulator PORT LOGFILE: a second emulator that only receives
# the tests' e-mail (TEST_MAIL_ENDPOINT_URL). Tests read what it accepted
# from its state dump, whose cost grows with everything the emulator holds:
# kept apart from the thousands of table items, a read stays instant.
start_mail_emulator() {
  local main_url="$AWS_ENDPOINT_URL" main_pid="$EMULATOR_PID"
  start_emulator "$1" "$2"
  export TEST_MAIL_ENDPOINT_URL="$AWS_ENDPOINT_URL"
  MAIL_EMULATOR_PID="$EMULATOR_PID"
  export AWS_ENDPOINT_URL="$main_url"
  EMULATOR_PID="$main_pid"
}

# phase NAME COMMAND...: runs COMMAND and prints how long it took, as
# `==> phase NAME: N s` (CI reads where its time goes from these lines).
# COMMAND runs in this shell (a function's exports stay) and under its
# `set -e`: a failing phase ends the script, its error being the last line
# (without `set -e`, phase returns the command's status).
phase() {
  local name="$1" start="$EPOCHREALTIME" status
  shift
  "$@"
  status=$?
  awk -v name="$name" -v a="$start" -v b="$EPOCHREALTIME" \
    'BEGIN { printf "==> phase %s: %.1f s\n", name, b - a }'
  return "$status"
}

# start_local_api BINARY PORT LOGFILE: the whole API in one process
# (`autotrack-local serve`) on 127.0.0.1:PORT against the emulator of
# AWS_ENDPOINT_URL, on a table, bucket and queues of its own (created as
# `make dev` creates them). Sets LOCAL_API_PID, LOCAL_API_URL and
# LOCAL_API_TABLE_NAME, waits until the API answers. stop_local_api stops it.
start_local_api() {
  local bin="$1" port="$2" log="$3" suffix
  suffix="$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
  LOCAL_API_TABLE_NAME="${LOCAL_API_TABLE:-autotrack-local-$suffix}"
  (
    export TABLE_NAME="$LOCAL_API_TABLE_NAME"
    export BUCKET_NAME="autotrack-local-$suffix"
    export MAIL_FROM="noreply@autotrack.local"
    export FRONTEND_URL="http://localhost:3000"
    # As `make dev`: the checkout simulator sells, signing its events with
    # the webhook's secret.
    export STRIPE_SIMULATOR=1 STRIPE_WEBHOOK_SECRET="whsec_local_dev_only"
    unset STRIPE_SECRET_KEY
    # The AI worker and the assistant answer offline: the tests and the
    # fuzzing never call a model with a developer's key.
    unset OPENAI_API_KEY OPENAI_BASE_URL
    JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
    export JWT_SECRET
    export RUST_LOG="${RUST_LOG:-warn}"
    "$bin" bootstrap ".local/stack-$suffix.env" >"$log" 2>&1
    set -a; . ".local/stack-$suffix.env"; set +a
    exec "$bin" serve --port "$port" >>"$log" 2>&1
  ) &
  LOCAL_API_PID=$!
  LOCAL_API_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('$LOCAL_API_URL/api/schema/', timeout=2)" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$LOCAL_API_PID" 2>/dev/null; then
      echo "local API: did not start (see $log)" >&2
      tail -20 "$log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "local API: no answer on $LOCAL_API_URL (see $log)" >&2
  return 1
}

stop_local_api() {
  if [ -n "${LOCAL_API_PID:-}" ]; then
    kill "$LOCAL_API_PID" 2>/dev/null || true
    wait "$LOCAL_API_PID" 2>/dev/null || true
    LOCAL_API_PID=""
  fi
}
