#!/usr/bin/env bash
# make browser-check: headless chromium (Debian's) opens BASE_URL/api/docs/
# and must find every operation of BASE_URL/api/schema/ on the page
# (infra/browser_check.py). Installs chromium when missing (as root).
#   bash infra/browser_check.sh BASE_URL [--screenshot FILE]
#   bash infra/browser_check.sh --static [--screenshot FILE]   (no server:
#     the page and docs/openapi.json of this checkout, served locally)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "==> installing chromium (apt)"
  # Non-interactive (a fresh CI machine): as root, or through a sudo that
  # asks no password.
  as_root=()
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  fi
  if [ "$(id -u)" = 0 ] || [ "${#as_root[@]}" -gt 0 ]; then
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "browser check: chromium is missing (apt-get install chromium)" >&2
    exit 1
  fi
fi
bash infra/docs_assets.sh
exec python3 infra/browser_check.py "$@"
