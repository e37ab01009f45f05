#!/usr/bin/env bash
# README command 1: a full lifecycle (create → get → list → destroy), with JSON output, in a throwaway state dir
# unless SANDBOXER_STATE_DIR is set.
# As root it first sets up the real loopback SSH + podman host (scripts/test-host/setup.sh) and self-deploys the
# canary there (profile.sandbox-canary, the catalog default: `create` with no arguments), with host telemetry
# (`inspect host`). Without root it runs the same lifecycle on the metered stub (profile.saas-stub), which needs
# nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/index.js ] || npm run build
export SANDBOXER_STATE_DIR="${SANDBOXER_STATE_DIR:-$(mktemp -d)/sandboxer}"
sbx() { echo "\$ sandboxer $*" >&2; ./bin/sandboxer.js "$@"; }

profile=()
canary=0
if [ "$(id -u)" -eq 0 ] && [ "${SANDBOXER_DEMO_STUB:-}" != 1 ]; then
  echo "setting up the loopback SSH + podman host (scripts/test-host/setup.sh)" >&2
  envfile="$(bash scripts/test-host/setup.sh)"
  set -a
  # shellcheck disable=SC1090
  . "$envfile"
  set +a
  SANDBOXER_SSH_KEY="$(cat "$SANDBOXER_SSH_KEY_FILE")"
  export SANDBOXER_SSH_KEY SANDBOXER_CANARY_IMAGE="$SANDBOXER_TEST_IMAGE"
  canary=1
else
  echo "not root (or SANDBOXER_DEMO_STUB=1): using the stub profile; the loopback SSH host needs root" >&2
  profile=(--profile profile.saas-stub)
fi

sbx profiles list
created=$(sbx create "${profile[@]}" --json)
echo "$created"
id=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).id)' <<<"$created")
sbx get "$id"
sbx list
if [ "$canary" = 1 ]; then sbx inspect host; fi
sbx destroy "$id" --json
sbx destroy "$id" >/dev/null # idempotent: a second destroy succeeds
echo "lifecycle complete for $id (state in $SANDBOXER_STATE_DIR)" >&2
