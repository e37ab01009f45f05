#!/usr/bin/env bash
# README command 1: a full lifecycle on the embedded default profile, from a fresh clone.
# create → get → list → destroy, with JSON output, in a throwaway state dir unless SANDBOXER_STATE_DIR is set.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/index.js ] || npm run build
export SANDBOXER_STATE_DIR="${SANDBOXER_STATE_DIR:-$(mktemp -d)/sandboxer}"
sbx() { echo "\$ sandboxer $*" >&2; ./bin/sandboxer.js "$@"; }

sbx profiles list
created=$(sbx create --json)
echo "$created"
id=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).id)' <<<"$created")
sbx get "$id"
sbx list
sbx destroy "$id" --json
sbx destroy "$id" >/dev/null   # idempotent: a second destroy succeeds
echo "lifecycle complete for $id (state in $SANDBOXER_STATE_DIR)" >&2
