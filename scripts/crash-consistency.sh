#!/usr/bin/env bash
# Issue 17's crash-consistency proof, the full run CI makes: 1,000 kill -9s (LATCHKEY_CRASH_KILLS)
# of `latchkey lock serve` while an admin, a keypad and a fob pair, manage keypad codes and config,
# act and type codes over the socket link; after every kill the state file must load and hold every
# acknowledged change (Tests/LatchkeyCLITests/CrashConsistencyTests.swift; `swift test` alone makes
# 150). Prints the figures; exits non-zero on any loss. Seed: LATCHKEY_CRASH_SEED (default 17).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh

swift build --build-tests
LATCHKEY_CRASH_KILLS="${LATCHKEY_CRASH_KILLS:-1000}" \
    swift test --skip-build --filter 'CrashConsistencyTests.everyAcknowledgedChangeSurvivesKill9'
