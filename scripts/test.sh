#!/usr/bin/env bash
# The test command: installs the system libraries if missing, then runs the whole suite.
# Extra arguments go to `swift test` (e.g. --filter LockWireTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
exec swift test "$@"
