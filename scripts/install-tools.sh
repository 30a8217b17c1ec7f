#!/usr/bin/env bash
# Installs the Debian packages of scripts/tools.list whose command is missing (every line, or with
# --demo only the lines marked demo). Runs apt-get as root, or through sudo where that exists.
# SETUP_DRY_RUN=1 prints the packages it would install and installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

demo=false
for arg in "$@"; do
  case "$arg" in
    --demo) demo=true ;;
    *) echo "install-tools: unknown option $arg (use --demo)" >&2; exit 2 ;;
  esac
done

missing=()
while read -r pair tag _; do
  case "$pair" in '' | '#'*) continue ;; esac
  if $demo && [ "$tag" != demo ]; then continue; fi
  command=${pair%%:*} package=${pair#*:}
  if [ -z "$command" ] || [ -z "$package" ] || [ "$command" = "$pair" ]; then
    echo "install-tools: scripts/tools.list: \"$pair\" is not command:package" >&2
    exit 2
  fi
  if ! command -v "$command" >/dev/null 2>&1 && [[ " ${missing[*]:-} " != *" $package "* ]]; then
    missing+=("$package")
  fi
done < scripts/tools.list

if [ "${SETUP_DRY_RUN:-}" = 1 ]; then
  echo "install-tools: Debian packages to install: ${missing[*]:-(none)}"
  exit 0
fi
[ ${#missing[@]} -gt 0 ] || exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-tools: missing ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  as_root=(sudo)
fi
echo "install-tools: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
