#!/usr/bin/env bash
# The main job on its built-in default: installs the system libraries if missing, builds `latchkey`
# and runs `latchkey demo`: a lock, a phone, a keypad and a fob through a simulated week.
# Extra arguments go to `latchkey demo` (e.g. --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
swift build --product latchkey >&2
exec .build/debug/latchkey demo "$@"
