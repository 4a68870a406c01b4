#!/usr/bin/env bash
# The package as a user gets it: `npm pack` (which builds dist/), the tarball installed into scratch
# `npm init -y` projects with no repository around, then init (each template) → validate → a local run → the
# project's own tests (the lakehouse template's vitest file) → build → `tsc --noEmit` (and a misspelled Databricks
# field must fail it) → init again (keeps every file), in CommonJS projects (what `npm init -y` makes) and an ES
# module one; plain `require` and `import` of the package too.
# CI runs it after the test suite (.ci/run). Usage: scripts/package-roundtrip.sh [scratch-dir]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-}"
if [ -z "$work" ]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/dbx-ts-roundtrip-XXXXXX")"
  trap 'status=$?; [ "$status" -eq 0 ] && rm -rf "$work"' EXIT # kept when it fails, to look into
fi
mkdir -p "$work"
version="$(node -p "require('$repo/package.json').version")"

step() { printf '\n== %s (at %s s)\n' "$*" "$SECONDS"; }
fail() { printf 'package round trip FAILED: %s\n' "$*" >&2; exit 1; }

# In the clone, with the system's Node and npm (older than Node 22.18 on some machines): npx prints nothing of its own.
step "npx dbx-ts --version in the clone"
out="$(cd "$repo" && npx dbx-ts --version 2>&1)"
[ "$out" = "$version" ] || fail "npx dbx-ts --version in the clone printed more than the version: $out"
echo "$out"

# dbx-ts runs on Node 22.18+: use the repository's pinned Node (npm itself runs on it then, too).
export PATH="$repo/node_modules/.bin:$PATH"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false npm_config_prefer_offline=true

step "npm pack (builds dist/)"
tarball="$work/$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)"
[ -f "$tarball" ] || fail "npm pack wrote no tarball"
contents="$(tar -tzf "$tarball")"
for want in package/dist/index.js package/dist/index.d.ts package/dist/cli/main.js package/dist/schema/bundle-validator.cjs \
  package/bin/dbx-ts.mjs package/templates/init/lakehouse/bundle.ts.hbs package/templates/init/minimal/bundle.ts.hbs package/templates/init/common/gitignore package/notebooks-src/lib/tables_runtime.py; do
  grep -qx "$want" <<<"$contents" || fail "the tarball lacks ${want#package/}"
done
if grep -E '^package/(src|tests|bench|scripts)/' <<<"$contents" >/dev/null; then fail "the tarball ships sources, tests, benchmarks or scripts"; fi

# A scratch project: `npm init -y` (CommonJS), or made an ES module project; the tarball installed into it.
new_project() { # dir module-type
  mkdir -p "$1" && cd "$1"
  npm init -y >/dev/null
  [ "$2" = module ] && npm pkg set type=module
  npm install "$tarball" >/dev/null
  local out
  out="$(npx dbx-ts --version 2>&1)"
  [ "$out" = "$version" ] || fail "npx dbx-ts --version printed more than the version: $out"
}

# One template, end to end, in the current project (which already holds package.json and node_modules).
check_template() { # template ('' for init's default, lakehouse)
  step "init ${1:-(default)} in $(basename "$PWD")"
  npx dbx-ts init ${1:+--template "$1"}
  npm install >/dev/null
  step "validate"
  npx dbx-ts validate
  step "local run"
  npm run --silent run:local
  step "the project's own tests"
  if [ "${1:-lakehouse}" = lakehouse ]; then
    grep -q '"vitest"' package.json || fail "the lakehouse template declares no vitest devDependency"
    npm test
  else
    npm test --if-present
  fi
  step "build"
  npx dbx-ts build -t dev
  step "tsc --noEmit"
  npx tsc --noEmit
  cp bundle.ts bundle.ts.orig
  sed -i 's/max_concurrent_runs/max_concurent_runs/' bundle.ts
  grep -q max_concurent_runs bundle.ts || fail "the scaffolded bundle sets no max_concurrent_runs to misspell"
  if npx tsc --noEmit >"$work/tsc-misspelled.log" 2>&1; then fail "tsc accepted a misspelled Databricks field"; fi
  grep -q "max_concurent_runs" "$work/tsc-misspelled.log" || fail "tsc failed, but not on the misspelled field: $(cat "$work/tsc-misspelled.log")"
  echo "tsc rejects the misspelled field: $(grep -m1 -o "error TS[0-9]*" "$work/tsc-misspelled.log")"
  mv bundle.ts.orig bundle.ts
  step "init again: existing files are kept"
  local again
  again="$(npx dbx-ts init ${1:+--template "$1"})"
  grep -q '^Kept .* existing files as they are' <<<"$again" || fail "a second init did not keep the existing files: $again"
}

step "CommonJS project (npm init -y), lakehouse template (the default)"
new_project "$work/cjs-app" commonjs
check_template ''
node -e "const d = require('dbx-ts'); if (typeof d.Bundle !== 'function') throw new Error('require(dbx-ts) has no Bundle')"
echo "require('dbx-ts') works"

step "CommonJS project (npm init -y), minimal template"
new_project "$work/cjs-minimal" commonjs
check_template minimal

step "ES module project, lakehouse template"
new_project "$work/esm-app" module
check_template lakehouse
node --input-type=module -e "const d = await import('dbx-ts'); if (typeof d.Bundle !== 'function') throw new Error('import(dbx-ts) has no Bundle')"
echo "import('dbx-ts') works"

printf '\npackage round trip passed in %s s\n' "$SECONDS"
