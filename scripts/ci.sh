#!/usr/bin/env bash
# The test command (README: `npm run test:ci`). On a fresh machine it installs everything the tests need:
# Debian packages for the real SSH + container test host, npm dependencies, then runs every check.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(openssh-server podman podman-compose runc busybox-static git tar curl jq)
missing=()
for p in "${need_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "::group::apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    echo "::endgroup::"
  else
    echo "warning: missing Debian packages (${missing[*]}); run as root or install them — SSH/container tests will be skipped" >&2
  fi
fi

echo "::group::npm ci"
npm ci --no-audit --no-fund
echo "::endgroup::"

echo "::group::typecheck, lint, schema"
npm run typecheck
npm run lint
npm run schema >/dev/null && git diff --exit-code -- schemas/ || { echo "schemas/ is stale: run npm run schema" >&2; exit 1; }
echo "::endgroup::"

echo "::group::build"
npm run build
# The actions run the committed dist/: it must be exactly what the sources build to (check-dist).
git diff --exit-code --stat -- dist/ || { echo "dist/ is stale: run npm run build and commit dist/" >&2; exit 1; }
[ -z "$(git status --porcelain -- dist/)" ] || { echo "dist/ has files not committed: run npm run build and commit dist/" >&2; exit 1; }
echo "::endgroup::"

npx vitest run
