#!/usr/bin/env bash
# The committed bundles are what users run: fail when they differ from a fresh build of the source.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
if ! git diff --quiet --exit-code -- dist || [ -n "$(git ls-files --others --exclude-standard -- dist)" ]; then
  echo "dist/ differs from a fresh build of the source. Run 'npm run build' and commit dist/:" >&2
  git status --short -- dist >&2
  exit 1
fi
echo "dist/ matches a fresh build"
