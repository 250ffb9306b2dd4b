#!/usr/bin/env bash
# The BlueZ VM lane (issue 9): Latchkey on the real Linux Bluetooth stack, in a QEMU guest booted by
# virtme-ng, against btvirt's virtual controllers and against Bumble (an independent BLE host) as
# the phone. See Tests/BlueZVM/README.md. Needs root (apt-get) and PyPI; no radio, no KVM.
#
# Installs what it needs, builds latchkey and the test bundle on the host, boots ONE guest that runs
# Tests/BlueZVM/guest.sh (which also turns the Bumble session's capture into a corpus and runs
# `latchkey audit` and a short `latchkey fuzz --target bluez:hci1/…` campaign from it over kernel
# L2CAP), then dissects the guest's btmon capture with tshark. Results and logs:
# .build/bluez-vm/results/. Exit 0 only when every part passed.
# Environment: LATCHKEY_VM_TIMEOUT (seconds for the guest, default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$(date +%s.%N)
elapsed() { awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }

vm_packages=(qemu-system-x86 linux-image-amd64 busybox-static bluez bluez-test-tools tshark)
# virtme-ng and Bumble as tested (real-stacks.md §BLE); pyNukiBT as in scripts/interop-pynukibt.sh.
source scripts/lib/venv.sh
pip_pins=(virtme-ng==1.42 bumble==0.0.236 "${PYNUKIBT_PINS[@]}")

echo "== packages"
missing=()
for p in "${vm_packages[@]}" python3-venv; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
packages_done=$(elapsed)

venv=$repo/.build/bluez-venv
python=python3
$python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "python3 >= 3.11 needed" >&2; exit 1; }
ensure_venv "$venv" "${pip_pins[@]}"
echo "   venv: $("$venv/bin/python" -c 'from importlib.metadata import version as v; print("virtme-ng", v("virtme-ng"), "bumble", v("bumble"), "pyNukiBT", v("pynukibt"))')"

echo "== build (host): latchkey and the test bundle"
swift build --build-tests 2>&1 | tail -1
[ -x .build/debug/latchkey ] && [ -x .build/debug/LatchkeyPackageTests.xctest ] \
    || { echo "build products missing" >&2; exit 1; }
build_done=$(elapsed)

echo "== kernel"
vmdir=$repo/.build/bluez-vm
results=$vmdir/results
rm -rf "$results"
mkdir -p "$results"
vmlinuz=$(ls /boot/vmlinuz-* | sort -V | tail -1)
kernel=$vmdir/vmlinux-$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
if [ ! -s "$kernel" ]; then
    # The ELF inside the bzImage: QEMU's TCG decompresses xz slowly (about 3 s of boot saved).
    "$venv/bin/python" - "$vmlinuz" "$kernel" <<'PY' || cp "$vmlinuz" "$kernel"
import lzma, sys
data = open(sys.argv[1], "rb").read()
at = data.find(b"\xfd7zXZ\x00")
if at < 0:
    sys.exit(1)
elf = lzma.LZMADecompressor().decompress(data[at:])
if elf[:4] != b"\x7fELF":
    sys.exit(1)
open(sys.argv[2], "wb").write(elf)
PY
fi
echo "   $vmlinuz → $kernel ($(file -b "$kernel" 2>/dev/null | cut -d, -f1 || true))"

echo "== guest (virtme-ng, QEMU TCG: /dev/kvm here cannot run Debian kernels)"
guest_started=$(elapsed)
guest_started_epoch=$(date +%s.%N)
# Never redirect vng's stdout to a file (QEMU opens it several times): pipe it. `< /dev/null`: a
# closed stdin crashes vng. The guest's exit code comes back as vng's.
set +e
PATH="$venv/bin:$PATH" timeout --kill-after=10 "${LATCHKEY_VM_TIMEOUT:-600}" \
    "$venv/bin/vng" --run "$kernel" --disable-kvm --memory 2G --cpus 2 --rwdir="$results" \
    --exec "/bin/sh $repo/Tests/BlueZVM/guest.sh $repo $results $venv" < /dev/null 2>&1 | cat
status=${PIPESTATUS[0]}
set -e
guest_done=$(elapsed)
[ "$status" -eq 124 ] && echo "the guest did not finish within ${LATCHKEY_VM_TIMEOUT:-600} s" >&2

echo "== capture: scenario 2's Nuki payloads in btmon's capture, dissected by tshark"
if [ -s "$results/hci.btsnoop" ]; then
    # ATT Write Requests, Prepare Write Requests and Handle Value Indications with a value, on the
    # kernel's side of the Bumble controller (hci2, monitor adapter 2): each value is a Nuki message
    # (or, at MTU 23, a fragment of one): command id u16 LE first when unencrypted.
    tshark -r "$results/hci.btsnoop" -2 \
        -Y 'hci_mon.adapter_id == 2 && (btatt.opcode == 0x12 || btatt.opcode == 0x16 || btatt.opcode == 0x1d) && btatt.value' \
        -T fields -E header=y -e frame.number -e hci_mon.opcode -e btatt.opcode -e btatt.handle -e btatt.value \
        >"$results/nuki-payloads.tsv" 2>"$results/tshark.err" || true
    count=$(($(wc -l <"$results/nuki-payloads.tsv") - 1))
    echo "   $count ATT values on hci2 (hci_mon opcode 4 = sent to the controller, 5 = received); the pairing's start:"
    head -9 "$results/nuki-payloads.tsv" | sed 's/^/   /'
    # Request Data (0x0001) for Public Key (0x0003) with its CRC, then the lock's Public Key (0x0003).
    if grep -qP '\t0x12\t0x0003\t0100030027a7$' "$results/nuki-payloads.tsv" \
        && grep -qP '\t0x1d\t0x0003\t0300[0-9a-f]{68}$' "$results/nuki-payloads.tsv"; then
        echo "   PASS: Request Data (Public Key) and the lock's Public Key indication are in the capture"
    else
        echo "   FAIL: no Nuki pairing start in the capture on hci2" >&2
        status=1
    fi
    # The first ten values on the pairing GDIO (handle 0x0003) are scenario 2's whole Set A
    # pairing at MTU 247: decode them as Nuki messages.
    awk -F'\t' '$4 == "0x0003" { print $5 }' "$results/nuki-payloads.tsv" | head -10 >"$results/pairing-frames.hex"
    .build/debug/latchkey decode --channel plain --input "$results/pairing-frames.hex" >"$results/nuki-decoded.txt" 2>&1 || true
    sed 's/^/   /' "$results/nuki-decoded.txt" | cut -c1-150
    if grep -q 'AUTHORIZATION_DATA AuthorizationData(.*name: Bumble phone' "$results/nuki-decoded.txt" \
        && grep -q '#10 plain STATUS Status(status: COMPLETE(0x00))' "$results/nuki-decoded.txt"; then
        echo "   PASS: latchkey decode reads the whole Set A pairing out of the capture"
    else
        echo "   FAIL: the capture's pairing frames do not decode as a Set A pairing" >&2
        status=1
    fi
else
    echo "   no capture" >&2
    status=1
fi

# Scenario 5: the Smart Lock 1.0 on 1.9.0 refused every Exchange MTU, in the lock's own capture
# (btmon stops after scenario 3): Error Response, request opcode 0x02, Request Not Supported (0x06);
# one per keypad/fob command.
refusals=$(tshark -r "$results/lock-sl1.btsnoop" -2 \
    -Y 'btatt.opcode == 0x01 && btatt.req_opcode_in_error == 0x02 && btatt.error_code == 0x06' \
    -T fields -e frame.number 2>>"$results/tshark.err" | wc -l)
if [ "$refusals" -eq 4 ]; then
    echo "   PASS: 4 Exchange MTU requests refused with Request Not Supported (0x06) by the sl1 lock (scenario 5)"
else
    echo "   FAIL: $refusals Exchange MTU refusals in lock-sl1.btsnoop, expected 4 (scenario 5)" >&2
    status=1
fi

total=$(elapsed)
# Boot: from starting vng to the guest script's first line (the guest's clock, read from the
# host's RTC, is a second-granular approximation).
boot=$(awk -v s="$guest_started_epoch" '/^guest_epoch/ { printf "%.1f", $2 - s }' "$results/timing.txt" 2>/dev/null)
echo "== results"
cat "$results/results.txt" 2>/dev/null | sed 's/^/   /' || true
passed=$(grep -c ' PASS ' "$results/results.txt" 2>/dev/null || true)
failed=$(grep -c ' FAIL ' "$results/results.txt" 2>/dev/null || true)
{
    echo "packages_seconds $packages_done"
    echo "build_done_seconds $build_done"
    echo "vm_seconds $(awk -v a="$guest_done" -v b="$guest_started" 'BEGIN { printf "%.1f", a - b }')"
    echo "total_seconds $total"
} >>"$results/timing.txt"
echo "   timing: $(tr '\n' ' ' <"$results/timing.txt")"
echo "   guest boot ${boot} s (QEMU start to guest script), VM $(awk -v a="$guest_done" -v b="$guest_started" 'BEGIN { printf "%.1f", a - b }') s, lane ${total} s"
if [ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ] && [ "${passed:-0}" -gt 0 ]; then
    echo "bluez-vm lane: PASSED ($passed parts)"
    exit 0
fi
echo "bluez-vm lane: FAILED (exit $status; $passed passed, $failed failed)" >&2
exit 1
