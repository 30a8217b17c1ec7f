#!/usr/bin/env bash
# Builds the installable extension: out/acr-login-<version>.vsix, holding the task folder dist/ado
# (task.json, icon and the bundle that runs both the main and the post-job step). The committed bundles are packaged as they are; run
# "npm run build" first after changing the source.
set -euo pipefail
cd "$(dirname "$0")/../../.."
node --import tsx scripts/release/release.ts check
node packages/ado-task/scripts/task-folder.mjs
for file in dist/ado/task.json dist/ado/icon.png dist/ado/index.js; do
  [ -f "$file" ] || { echo "package: $file is missing; run npm run build -w @acr-login/ado-task" >&2; exit 1; }
done
mkdir -p out
npx --no-install tfx extension create --root . --manifest-globs vss-extension.json --output-path out \
  --no-prompt --no-color
