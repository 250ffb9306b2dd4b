#!/usr/bin/env bash
# Interoperability with a real client (issue 5): pyNukiBT, installed from PyPI in a venv, pairs with
# `latchkey lock serve`, reads the states, unlocks, locks, reads the config and verifies the PIN,
# through Tests/Interop/pynukibt_shim.py (a fake BleakClient speaking ATT over the socket link).
# Needs python3 >= 3.11 with venv and PyPI access. Idempotent. Runs once per device profile
# (PYNUKIBT_PROFILES); exit 0 when every profile passed.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

# Versions resolved from PyPI (scripts/lib/venv.sh); async-timeout is an undeclared import of
# pyNukiBT (docs/wire.md §11.1).
source scripts/lib/venv.sh

echo "== build latchkey"
swift build --product latchkey 2>&1 | tail -1
latchkey="$PWD/.build/debug/latchkey"

echo "== pyNukiBT venv (.build/interop-venv)"
python=python3
$python -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "python3 >= 3.11 needed (pyNukiBT imports datetime.UTC)" >&2; exit 1; }
if ! $python -c 'import venv, ensurepip' 2>/dev/null; then  # Debian splits venv out of python3
    echo "Installing: python3-venv" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
fi
venv=.build/interop-venv
ensure_venv "$venv" "${PYNUKIBT_PINS[@]}"
"$venv/bin/python" -c 'from importlib.metadata import version as v; print("pyNukiBT", v("pynukibt"), "bleak", v("bleak"), "construct", v("construct"))'

if [ "${1:-}" = "--fuzz-client" ]; then
    # fuzz-client (issue 14 item 5): replay every known pyNukiBT finding (each must still be one:
    # exit 77 from the replay), then a short campaign (seconds in $2, default 30) that must run
    # (exit 0 or 77, the baseline passing) and report its figures.
    seconds="${2:-30}"
    client=("$venv/bin/python" "$PWD/Tests/Interop/pynukibt_fuzz_client.py")
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    replays=()
    for trace in Corpus/Regressions/FuzzClient/pyNukiBT/*.jsonl; do replays+=(--replay "$trace"); done
    echo "== fuzz-client: replay $(( ${#replays[@]} / 2 )) pyNukiBT regression traces"
    status=0
    "$latchkey" fuzz-client --timeout 20 --success-text "all steps passed" --out "$out/replay" "${replays[@]}" -- "${client[@]}" \
        >"$out/replay.txt" 2>&1 || status=$?
    tail -1 "$out/replay.txt" | head -1
    grep -q "ok 0;" "$out/replay.txt" || { cat "$out/replay.txt"; echo "a known pyNukiBT finding no longer reproduces" >&2; exit 1; }
    [ "$status" -eq 77 ] || { cat "$out/replay.txt"; exit 1; }
    echo "== fuzz-client: ${seconds}-s campaign against pyNukiBT"
    status=0
    "$latchkey" fuzz-client --duration "$seconds" --timeout 20 --seed "$(date +%s)" --success-text "all steps passed" \
        --out "$out/campaign" -- "${client[@]}" 2>"$out/campaign.err" || status=$?
    grep -E "baseline|runs " "$out/campaign.err" | tail -2
    if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then cat "$out/campaign.err"; exit 1; fi
    echo "interop pyNukiBT fuzz-client: PASSED ($(( $(date +%s) - started )) s)"
    exit 0
fi

# Every device profile pyNukiBT 0.0.20 pairs with the standard flow (issue 18): the Smart Lock
# 1.0 to 4th generation and the Smart Lock Go on 4.x (MODEL@FIRMWARE), and through pyNukiBT's Ultra
# code path the Ultra and the Go on 5.x (the shim's --ultra). Override with
# PYNUKIBT_PROFILES="sl3 sl1@1.10.0".
profiles=(${PYNUKIBT_PROFILES:-sl1 sl2 sl3 sl3pro sl4 sl4pro go@4.6.0 ultra go})
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill "$server"; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
failed=()
for entry in "${profiles[@]}"; do
    model="${entry%@*}"
    firmware=()
    [ "$entry" != "$model" ] && firmware=(--firmware "${entry#*@}")
    profile_started=$(date +%s)
    echo "== lock serve --model $model ${firmware[*]}"
    rm -rf "$work/devices" "$work/lock.json" "$work/lock.json.journal"
    export LATCHKEY_DEVICES_DIR="$work/devices"
    # --duration: a safety net should this script die before it can stop the server.
    "$latchkey" lock serve --state "$work/lock.json" --pairing --nuki-id 2A37599A --security-pin 1234 \
        --model "$model" "${firmware[@]}" --duration 180 >"$work/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do [ -s "$work/lock.json" ] && break; sleep 0.05; done
    # The firmware the lock reports in Config: the state file names it.
    expected=$(sed -n 's/.*"firmware" : "\([0-9.]*\)".*/\1/p' "$work/lock.json" | head -1)

    echo "== pyNukiBT shim ($model, firmware $expected)"
    status=0
    ultra=()
    case "$expected" in 5.*) [ "$model" = ultra ] || [ "$model" = go ] && ultra=(--ultra) ;; esac
    timeout 120 "$venv/bin/python" Tests/Interop/pynukibt_shim.py "$LATCHKEY_DEVICES_DIR" \
        --nuki-id 2A37599A --pin 1234 --firmware "$expected" "${ultra[@]}" "$@" || status=$?

    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
    if [ "$status" -eq 0 ]; then
        echo "-- $model: PASSED ($(( $(date +%s) - profile_started )) s)"
    else
        echo "-- lock serve output"
        sed 's/^/   /' "$work/serve.log"
        [ "$status" -eq 124 ] && echo "shim timed out after 120 s" >&2
        echo "-- $model: FAILED (exit $status)" >&2
        failed+=("$model")
    fi
done
if [ "${#failed[@]}" -eq 0 ]; then
    echo "interop pyNukiBT: PASSED, ${#profiles[@]} profiles (${profiles[*]}) ($(( $(date +%s) - started )) s)"
    exit 0
fi
echo "interop pyNukiBT: FAILED for ${failed[*]} ($(( $(date +%s) - started )) s)" >&2
exit 1
