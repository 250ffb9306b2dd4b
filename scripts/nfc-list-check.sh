#!/usr/bin/env bash
# libnfc's own nfc-list (Debian libnfc-bin) against `latchkey nfc virtual-reader --demo-card`: the
# pn532_uart driver must open the virtual PN532 on its pty and list the Latchkey card in its field
# (ISO 14443-A, UID 08 4C 4B 01, SAK 20). Called from .ci/run; exits 1 on any mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh

swift build --product latchkey >/dev/null
bin="$(swift build --show-bin-path)/latchkey"
work="$(mktemp -d)"
"$bin" nfc virtual-reader --demo-card --duration 120 >"$work/devices" 2>"$work/stderr" &
reader_pid=$!
trap 'kill "$reader_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 100); do
    grep -q '^reader ' "$work/devices" && break
    sleep 0.1
done
device="$(awk '/^reader /{print $2}' "$work/devices")"
if [ -z "$device" ]; then
    echo "nfc-list check: the virtual reader did not start" >&2
    cat "$work/stderr" >&2
    exit 1
fi

if ! listing="$(LIBNFC_DEVICE="$device" timeout 60 nfc-list 2>&1)"; then
    echo "$listing" >&2
    echo "nfc-list check: nfc-list failed on $device" >&2
    exit 1
fi
echo "$listing"
if grep -q "1 ISO14443A passive target(s) found" <<<"$listing" && grep -q "08  4c  4b  01" <<<"$listing" \
    && grep -q "SAK (SEL_RES): 20" <<<"$listing"; then
    echo "nfc-list check: ok ($device)"
else
    echo "nfc-list check: FAILED: nfc-list did not list the virtual card" >&2
    exit 1
fi
