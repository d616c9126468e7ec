#!/usr/bin/env bash
# Against a running `make dev`: bodies the local path once broke on answer
# the API's own JSON (what the deployed function answers), never a 500.
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:9000}"
fail=0

check() { # check NAME EXPECTED_STATUS EXPECTED_BODY_PART CURL_ARGS...
  local name="$1" status="$2" part="$3"; shift 3
  local out code body
  out="$(curl -s -m 300 -w '\n%{http_code}' -X POST "$BASE/api/users/login/" "$@")"
  code="${out##*$'\n'}"; body="${out%$'\n'*}"
  if [ "$code" = "$status" ] && [[ "$body" == *"$part"* ]]; then
    echo "ok    $name: $code $body"
  else
    echo "FAIL  $name: got $code $body (want $status with $part)"; fail=1
  fi
}

bad_utf8=$'{"email": "a@b.fr", "password": "x\xff\xfe"}'
check "JSON body that is not UTF-8" 400 '"detail":"Request body is not valid UTF-8."' \
  -H 'content-type: application/json' --data-binary "$bad_utf8"
check "text body that is not UTF-8" 415 '"detail":"Unsupported media type' \
  -H 'content-type: text/plain' --data-binary "$bad_utf8"
check "untyped body" 415 '"detail":"Unsupported media type \"\" in request."' \
  -H 'content-type:' --data-binary '{"email": "a@b.fr", "password": "x"}'
check "untyped body that is not UTF-8" 415 '"detail":"Unsupported media type \"\" in request."' \
  -H 'content-type:' --data-binary "$bad_utf8"
exit "$fail"
