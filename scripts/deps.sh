#!/usr/bin/env bash
# Installs the Debian packages Latchkey builds against, if any is missing.
# Sourced by scripts/demo.sh, scripts/test.sh and .ci/run; safe to run again.
set -euo pipefail

latchkey_packages=(pkg-config libsodium-dev libbluetooth-dev libnfc-dev)

latchkey_install_deps() {
    local missing=()
    for p in "${latchkey_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

latchkey_install_deps
