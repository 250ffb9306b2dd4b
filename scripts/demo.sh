#!/usr/bin/env bash
# The main job on its built-in default: installs the system libraries if missing, builds `latchkey`
# and decodes the Nuki API V2.1 example's pairing and unlock exchange, decrypting it with the key
# derived from the example's key pair. Extra arguments go to `latchkey decode`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
swift build --product latchkey >&2
exec .build/debug/latchkey decode "$@"
