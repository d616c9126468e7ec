#!/usr/bin/env bash
# make docs-assets: the files of the API's docs page (/api/docs/), from the
# npm package swagger-ui-dist at a pinned version, into the git-ignored
# functions/docs/assets/ that the `docs` function embeds at compile time
# (functions/docs/build.rs stops with a pointer here while they are missing).
#
# The tarball comes through npm's own client (`npm pack`), then its sha512
# must equal the integrity pinned below (the registry's `dist.integrity`
# of that version): a changed or corrupted tarball stops the script.
# Nothing is fetched when the assets of this version are already there.
# The page then works with no internet access: nothing is loaded from a CDN.
#
# To move to another version: `npm view swagger-ui-dist@<version>
# dist.integrity`, update both lines below, run this script, rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=swagger-ui-dist
VERSION=5.35.0
INTEGRITY="sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
# What the page needs, and the package's licence texts.
FILES=(swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt)

DEST=functions/docs/assets
STAMP="$DEST/.stamp"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PACKAGE@$VERSION $INTEGRITY" ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "docs assets: npm is needed once to fetch $PACKAGE@$VERSION (Debian: apt-get install npm)" >&2
  exit 1
fi

echo "==> docs assets: $PACKAGE@$VERSION"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tarball="$work/$PACKAGE-$VERSION.tgz"
actual="sha512-$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "docs assets: $PACKAGE@$VERSION has integrity $actual, expected $INTEGRITY" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"

rm -rf "$DEST"
mkdir -p "$DEST"
for file in "${FILES[@]}"; do
  cp "$work/package/$file" "$DEST/$file"
done
cat > "$DEST/README.md" <<EOF
# Docs page assets (generated, git-ignored)

Copied by infra/docs_assets.sh from the npm package $PACKAGE@$VERSION
($INTEGRITY), unmodified.

Licence: Apache License 2.0, see LICENSE and NOTICE beside this file
(swagger-ui-bundle.js.LICENSE.txt lists the licences of the libraries the
bundle contains). The \`docs\` function embeds swagger-ui-bundle.js and
swagger-ui.css, and serves these licence files at /api/docs/LICENSE,
/api/docs/NOTICE and /api/docs/bundled-licenses.
EOF
echo "$PACKAGE@$VERSION $INTEGRITY" > "$STAMP"
ls -l "$DEST"
