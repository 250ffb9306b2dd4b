#!/usr/bin/env bash
# Installs the Debian packages Latchkey builds against, if any is missing.
# Sourced by scripts/demo.sh, scripts/test.sh and .ci/run; safe to run again.
set -euo pipefail

# tshark reads the captures in the transport tests (they skip without it); libnfc-bin gives
# nfc-list for scripts/nfc-list-check.sh.
latchkey_packages=(pkg-config libsodium-dev libbluetooth-dev libnfc-dev libnfc-bin tshark)

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
    # tshark's package asks whether non-root users may capture; answer no, without a terminal.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

latchkey_install_deps
