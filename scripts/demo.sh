#!/usr/bin/env bash
# The main job on the embedded emulator: GitHub OIDC -> Entra -> ACR refresh token -> Docker config ->
# skopeo pulls an image with it -> the post step logs out. Sets up what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --import tsx scripts/demo.ts
