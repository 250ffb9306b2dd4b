#!/bin/sh
# Runs inside the virtme-ng guest (see README.md): the host root is mounted read-only over 9p, OUT
# is the one writable folder shared with the host. /bin/sh, no toolchain on PATH: absolute paths.
# Usage: guest.sh REPO OUT VENV
# Exit 0 only when every part passed; each part's output goes to OUT/<part>.log and to stdout.
REPO=$1
OUT=$2
VENV=$3
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
export LATCHKEY_REQUIRE_BLUETOOTH=1 SWIFT_BACKTRACE=enable=no HOME=/tmp
LATCHKEY=$REPO/.build/debug/latchkey
BUNDLE=$REPO/.build/debug/LatchkeyPackageTests.xctest
NUKI_ID=2A37599A
WORK=/tmp/latchkey-vm
mkdir -p "$WORK"
T0=$(cut -d' ' -f1 /proc/uptime)
failures=0
results="$OUT/results.txt"
: >"$results"

now() { awk -v t0="$T0" '{ printf "%.1f", $1 - t0 }' /proc/uptime; }
say() { echo "[vm +$(now)s] $*"; }
record() { # record NAME STATUS DETAIL
    echo "$1 $2 $3" >>"$results"
    say "$2: $1 $3"
    [ "$2" = PASS ] || failures=$((failures + 1))
}
expect() { # expect NAME EXPECTED-EXIT COMMAND...: runs it, output to OUT/NAME.log
    name=$1; want=$2; shift 2
    "$@" >"$OUT/$name.log" 2>&1
    got=$?
    sed "s/^/    [$name] /" "$OUT/$name.log"
    if [ "$got" = "$want" ]; then record "$name" PASS "(exit $got)"; else record "$name" FAIL "(exit $got, expected $want)"; fi
}
contains() { # contains NAME TEXT: the part's log must hold TEXT
    if grep -qF -- "$2" "$OUT/$1.log"; then record "$1-output" PASS "says '$2'"; else record "$1-output" FAIL "does not say '$2'"; fi
}
wait_for() { # wait_for PATH SECONDS
    i=0
    while [ ! -e "$1" ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "$1" ]
}

say "guest up: $(uname -r), uptime $T0 s"
echo "guest_epoch $(date +%s.%N)" >"$OUT/timing.txt"
echo "kernel_uptime_at_start $T0" >>"$OUT/timing.txt"

# --- the kernel's Bluetooth -------------------------------------------------------------------
if modprobe bluetooth && modprobe hci_vhci && wait_for /dev/vhci 5; then
    record modules PASS "bluetooth, hci_vhci"
else
    record modules FAIL "modprobe bluetooth hci_vhci failed: the VM has no Bluetooth"
    exit 1
fi
# Every HCI packet of every controller, for tshark on the host (scenario 2's Nuki payloads).
btmon -w "$OUT/hci.btsnoop" >/dev/null 2>&1 &
BTMON=$!
# Two LE-only controllers on one virtual air: hci0 (the lock), hci1 (keypad and fob).
btvirt -L -l2 >"$OUT/btvirt.log" 2>&1 &
BTVIRT=$!
if wait_for /sys/class/bluetooth/hci0 5 && wait_for /sys/class/bluetooth/hci1 5 \
    && hciconfig hci0 up && hciconfig hci1 up; then
    record btvirt PASS "$(hciconfig hci0 | awk '/BD Address/ {print "hci0", $3}'), $(hciconfig hci1 | awk '/BD Address/ {print "hci1", $3}')"
else
    record btvirt FAIL "no hci0/hci1 from btvirt -L -l2"
fi

# `latchkey doctor` inside: the bluez transport works here, on the controllers btvirt made.
expect doctor 0 "$LATCHKEY" doctor
contains doctor "L2CAP LE sockets work; controllers hci0, hci1"

# --- the BlueZ tests of the test bundle, run directly (no `swift test` under TCG) ---------------
t=$(now)
expect xctest-bluez 0 "$BUNDLE" --testing-library swift-testing --filter BlueZTransportTests
echo "xctest_seconds $(awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.1f", a - b }')" >>"$OUT/timing.txt"

# --- the phone starts now: its Python imports (tens of seconds under TCG) overlap scenario 1; it
# waits for $WORK/go before it touches Bluetooth.
rm -f "$WORK"/*.json "$WORK/go"
"$VENV/bin/python" "$REPO/Tests/BlueZVM/phone.py" --latchkey "$LATCHKEY" --go "$WORK/go" \
    --state "$WORK/lock.json" --fob-state "$WORK/fob.json" --out "$OUT" --nuki-id $NUKI_ID \
    >"$OUT/s2-s3-bumble-phone.log" 2>&1 &
PHONE=$!

# --- scenario 1: lock on hci0; keypad and fob on hci1 over kernel L2CAP CID 4 -------------------
t=$(now)
"$LATCHKEY" lock serve --transport bluez:hci0 --state "$WORK/lock.json" --pairing --nuki-id $NUKI_ID \
    --security-pin 1234 --format json --duration 240 >"$OUT/lock-hci0.log" 2>&1 &
LOCK=$!
sleep 1
expect s1-keypad-pair 0 "$LATCHKEY" keypad pair --transport bluez:hci1 --state "$WORK/keypad.json"
contains s1-keypad-pair "keypad: paired (auth id 1)"
expect s1-keypad-lock-key 0 "$LATCHKEY" keypad press L --transport bluez:hci1 --state "$WORK/keypad.json"
contains s1-keypad-lock-key "keypad: accepted"
kill -USR1 $LOCK  # the button, held 5 s: pairing mode again, for the fob
expect s1-fob-pair 0 "$LATCHKEY" fob pair --transport bluez:hci1 --state "$WORK/fob.json"
contains s1-fob-pair "fob: paired (auth id 2)"
expect s1-fob-press 0 "$LATCHKEY" fob press --transport bluez:hci1 --state "$WORK/fob.json"
contains s1-fob-press "fob: accepted"
kill $LOCK; wait $LOCK
sed "s/^/    [lock-hci0] /" "$OUT/lock-hci0.log"
echo "scenario1_seconds $(awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.1f", a - b }')" >>"$OUT/timing.txt"

# --- scenarios 2 and 3: Bumble's phone against the same lock (state file) on a vhci controller ----
t=$(now)
touch "$WORK/go"
wait $PHONE
got=$?
sed "s/^/    [s2-s3-bumble-phone] /" "$OUT/s2-s3-bumble-phone.log"
if [ "$got" = 0 ]; then record s2-s3-bumble-phone PASS "(exit 0)"; else record s2-s3-bumble-phone FAIL "(exit $got, expected 0)"; fi
sed "s/^/    [lock-bumble] /" "$OUT/lock-bumble.log" 2>/dev/null
echo "scenario23_seconds $(awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.1f", a - b }')" >>"$OUT/timing.txt"

# --- scenario 1, revoked: back on hci0, the fob the phone removed is refused, the keypad is not ----
"$LATCHKEY" lock serve --transport bluez:hci0 --state "$WORK/lock.json" --format json --duration 480 \
    >"$OUT/lock-hci0-after.log" 2>&1 &
LOCK=$!
sleep 1
expect s1-fob-revoked 1 "$LATCHKEY" fob press --transport bluez:hci1 --state "$WORK/fob.json"
contains s1-fob-revoked "fob: refused: K_ERROR_NOT_AUTHORIZED"
expect s1-keypad-still-paired 0 "$LATCHKEY" keypad press L --transport bluez:hci1 --state "$WORK/keypad.json"
contains s1-keypad-still-paired "keypad: accepted"

# --- the Bumble session's capture becomes a corpus; fuzz --target starts from it over kernel L2CAP ---
# btmon stops first, so the capture is whole (the fuzzing below is not captured). The phone wrote
# the shared keys of its two pairings; the keypad's and fob's messages stay unopened.
kill $BTMON 2>/dev/null
wait $BTMON 2>/dev/null
t=$(now)
expect corpus-bumble 0 "$LATCHKEY" capture "$OUT/hci.btsnoop" --key-file "$OUT/phone-keys.txt" --to-corpus "$OUT/corpus-bumble"
# The phone's session (hci2): its Set A pairings in plain, and, opened with its keys, its Lock
# Actions and the Remove Authorization Entry of the fob.
seeds() { cat "$OUT"/corpus-bumble/Commands/*.jsonl 2>/dev/null | grep -c "$1"; }
plain_data=$(seeds '"channel":"plain","command":"0006","name":"AUTHORIZATION_DATA"')
lock_actions=$(seeds '"channel":"encrypted","command":"000D","name":"LOCK_ACTION"')
removals=$(seeds '"channel":"encrypted","command":"0008","name":"REMOVE_AUTHORIZATION_ENTRY"')
files=$(ls "$OUT"/corpus-bumble/Commands/* "$OUT"/corpus-bumble/LockSession/* 2>/dev/null | wc -l)
if [ "$plain_data" -ge 2 ] && [ "$lock_actions" -ge 3 ] && [ "$removals" -ge 1 ]; then
    record corpus-bumble-seeds PASS "$files seed files; Authorization Data $plain_data, Lock Action $lock_actions, Remove Authorization Entry $removals"
else
    record corpus-bumble-seeds FAIL "$files seed files; Authorization Data $plain_data (want 2), Lock Action $lock_actions (want 3), Remove Authorization Entry $removals (want 1)"
fi
# The lock (still serving on hci0) gets its button pressed: the auditor pairs its admin, reuses the
# keypad, and its admin invites a fob; one audit case (C-01, replay; the whole audit needs minutes
# here: every change of client is a new LE link), then the fuzzer with the same clients. One link at
# a time from hci1 (see README.md).
LOCK_ADDRESS=$(hciconfig hci0 | awk '/BD Address/ {print $3}')
kill -USR1 $LOCK
CLIENTS="--admin-state $WORK/fuzz-admin.json --keypad-state $WORK/keypad.json --fob-state $WORK/fuzz-fob.json --security-pin 1234"
expect audit-bluez 0 "$LATCHKEY" audit --target "bluez:hci1/$LOCK_ADDRESS" --pair $CLIENTS --case C-01 \
    --format junit --output "$OUT/audit-bluez.xml"
contains audit-bluez "1 cases against bluez:hci1/$LOCK_ADDRESS: 1 run (1 PASS, 0 FAIL), 0 SKIPPED"
# No PIN burst (at input 64, about 26 s in here): the clean-up would wait out its 30-s lockout.
expect fuzz-bluez 0 "$LATCHKEY" fuzz --target "bluez:hci1/$LOCK_ADDRESS" $CLIENTS --corpus "$OUT/corpus-bumble" \
    --seed 1 --duration 30 --check-every 16 --reconnect-timeout 20 --pin-burst-every 0 --out "$OUT/fuzz-bluez" --format json
# The JSON summary (pretty-printed, one field a line) in one results line: the rate over kernel
# L2CAP, the findings (PASS: inputs sent, none found against this honest lock, stopped by time).
field() { sed -n "s/^  \"$1\" : \(.*\),\{0,1\}$/\1/p" "$OUT/fuzz-bluez/summary.json" | sed 's/,$//'; }
inputs=$(field inputs); seconds=$(field seconds); stopped=$(field stoppedBy)
exit_code=$(field exitCode)  # 77 with a finding
rate="${inputs:-0} inputs in ${seconds:-?} s: $(awk -v i="${inputs:-0}" -v s="${seconds:-0}" 'BEGIN { printf "%.1f", (s > 0 ? i / s : 0) }') inputs/s over kernel L2CAP, exit code ${exit_code:-?} (77: a finding), stopped by ${stopped:-?}"
if [ "${inputs:-0}" -gt 0 ] && [ "$exit_code" = 0 ] && [ "$stopped" = '"duration"' ]; then
    record fuzz-bluez-campaign PASS "$rate"
else
    record fuzz-bluez-campaign FAIL "$rate"
fi
echo "corpus_audit_fuzz_seconds $(awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.1f", a - b }')" >>"$OUT/timing.txt"

# --- scenario 4: the owner's phone CLI over kernel L2CAP (README, "The owner's phone") -----------
# The button through the lock's control socket; the phone pairs, a second keypad pairs, the phone
# adds a Monday 09:00-12:00 code, the keypad is refused on a Wednesday at 10:00 and let in on a
# Monday at 10:00 (the lock's calendar set by the phone), then the phone revokes it.
t=$(now)
export LATCHKEY_PIN=1234
expect s4-lock-button 0 "$LATCHKEY" lock button
contains s4-lock-button "pairing mode"
expect s4-phone-pair 0 "$LATCHKEY" phone pair --transport bluez:hci1 --state "$WORK/phone.json"
contains s4-phone-pair "phone: paired (auth id"
"$LATCHKEY" lock button >/dev/null
expect s4-keypad-pair 0 "$LATCHKEY" keypad pair --transport bluez:hci1 --state "$WORK/keypad2.json"
KEYPAD2=$(sed -n 's/^keypad: paired (auth id \([0-9]*\))$/\1/p' "$OUT/s4-keypad-pair.log")
PHONE_ARGS="--transport bluez:hci1 --state $WORK/phone.json"
expect s4-phone-wednesday 0 "$LATCHKEY" phone time sync --at 2026-12-09T10:00:00Z $PHONE_ARGS
expect s4-phone-code-add 0 "$LATCHKEY" phone code add 456789 --name Cleaner --weekdays mon --window 09:00-12:00 $PHONE_ARGS
contains s4-phone-code-add "mon 09:00"
expect s4-keypad-wednesday 1 "$LATCHKEY" keypad enter 456789 --transport bluez:hci1 --state "$WORK/keypad2.json"
contains s4-keypad-wednesday "keypad: refused: K_ERROR_TIME_NOT_ALLOWED"
expect s4-phone-monday 0 "$LATCHKEY" phone time sync --at 2026-12-07T10:00:00Z $PHONE_ARGS
expect s4-keypad-monday 0 "$LATCHKEY" keypad enter 456789 --transport bluez:hci1 --state "$WORK/keypad2.json"
contains s4-keypad-monday "keypad: accepted"
expect s4-phone-revoke 0 "$LATCHKEY" phone auth revoke "${KEYPAD2:-0}" $PHONE_ARGS
contains s4-phone-revoke "phone: accepted (auth ${KEYPAD2:-?} revoked)"
expect s4-keypad-revoked 1 "$LATCHKEY" keypad enter 456789 --transport bluez:hci1 --state "$WORK/keypad2.json"
contains s4-keypad-revoked "keypad: refused: K_ERROR_NOT_AUTHORIZED"
echo "scenario4_seconds $(awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.1f", a - b }')" >>"$OUT/timing.txt"
kill $LOCK; wait $LOCK
sed "s/^/    [lock-hci0-after] /" "$OUT/lock-hci0-after.log" | tail -40

# --- scenario 5: a Smart Lock 1.0 on firmware 1.9.0 (before the MTU exchange: it refuses Exchange
# MTU with Request Not Supported and serves one connection); keypad and fob on hci1 carry on at
# ATT_MTU 23 over kernel L2CAP (README, "Device profiles").
t=$(now)
# btmon stopped after scenario 3: the lock records its own ATT traffic for the host's check.
LATCHKEY_CAPTURE="$OUT/lock-sl1.btsnoop" "$LATCHKEY" lock serve --transport bluez:hci0 --state "$WORK/sl1.json" --pairing --nuki-id 2A37599D \
    --model sl1 --firmware 1.9.0 --security-pin 1234 --format json --duration 240 >"$OUT/lock-sl1.log" 2>&1 &
LOCK=$!
# Advertising once it says so (under TCG a loaded host takes seconds to start it).
i=0
while ! grep -q '"event":"listening"' "$OUT/lock-sl1.log" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
expect s5-sl1-keypad-pair 0 "$LATCHKEY" keypad pair --transport bluez:hci1 --state "$WORK/keypad-sl1.json"
contains s5-sl1-keypad-pair "keypad: paired (auth id 1)"
expect s5-sl1-keypad-lock-key 0 "$LATCHKEY" keypad press L --transport bluez:hci1 --state "$WORK/keypad-sl1.json"
contains s5-sl1-keypad-lock-key "keypad: accepted"
kill -USR1 $LOCK
expect s5-sl1-fob-pair 0 "$LATCHKEY" fob pair --transport bluez:hci1 --state "$WORK/fob-sl1.json"
contains s5-sl1-fob-pair "fob: paired (auth id 2)"
expect s5-sl1-fob-press 0 "$LATCHKEY" fob press --transport bluez:hci1 --state "$WORK/fob-sl1.json"
contains s5-sl1-fob-press "fob: accepted"
kill $LOCK; wait $LOCK
sed "s/^/    [lock-sl1] /" "$OUT/lock-sl1.log" | tail -20
echo "scenario5_seconds $(awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.1f", a - b }')" >>"$OUT/timing.txt"

# --- hostile advertising over kernel BlueZ (issue 14 item 5): the hostile lock's mutated AD bytes go
# out through HCI LE Set Advertising Data / Set Scan Response Data on hci0. Our keypad scans them on
# hci1 and refuses them: adv-nuki-id puts another Nuki ID (DEADBEEF) in the pairing service data
# than its name says, so no Nuki lock is seen (the one advertiser seen is the hostile one). Then
# fuzz-client serves its hostile lock on hci0 itself for two plans: the same refusal, and the Nuki
# structure twice (valid), through which the keypad pairs; neither is a finding.
t=$(now)
"$LATCHKEY" lock serve --hostile adv-nuki-id --transport bluez:hci0 --duration 60 >"$OUT/hostile-hci0.log" 2>&1 &
HOSTILE=$!
sleep 1
expect hostile-adv-keypad 1 "$LATCHKEY" keypad pair --transport bluez:hci1 --state "$WORK/keypad-hostile.json"
contains hostile-adv-keypad "no Nuki lock in pairing mode seen on hci1 within"
contains hostile-adv-keypad "(1 other advertisers)"
kill $HOSTILE; wait $HOSTILE
sed "s/^/    [hostile-hci0] /" "$OUT/hostile-hci0.log"
expect fuzz-client-bluez 0 "$LATCHKEY" fuzz-client --transport bluez:hci0 --plan adv-nuki-id --plan adv-duplicated --timeout 120 \
    --out "$OUT/fuzz-client-bluez" -- "$LATCHKEY" keypad pair --transport bluez:hci1 --state keypad.json
contains fuzz-client-bluez "; crash 0, hang 0, accepted-corrupted 0, ok 2; 0 distinct findings"
echo "hostile_seconds $(awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.1f", a - b }')" >>"$OUT/timing.txt"

kill $BTVIRT 2>/dev/null
sleep 0.5
echo "guest_seconds $(now)" >>"$OUT/timing.txt"
say "done: $failures failed"
[ $failures -eq 0 ]
