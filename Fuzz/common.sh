# Shared by Fuzz/seed-corpus and Fuzz/campaign (sourced, not run).
# Target table: <name used for the dictionary> <folder under Corpus/> <-max_len>. Keep in step with
# LockFuzzing.FuzzTarget (rawValue, directoryName, maxInputLength); the product is <folder>Fuzzer.
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$FUZZ_DIR/.." && pwd)"
CORPUS_DIR="$ROOT_DIR/Corpus"
SCRATCH="${FUZZ_SCRATCH:-$FUZZ_DIR/.build-fuzz}"
FUZZ_BIN="$SCRATCH/release"
ALL_TARGETS=(plainFrame encryptedEnvelope commandPayloads reassembly attGATT lockSession pairingResponder keypadEntry stateFile fobNFC)

export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:dedup_token_length=3}"

target_dir() {
  case "$1" in
    plainFrame) echo PlainFrame ;;
    encryptedEnvelope) echo EncryptedEnvelope ;;
    commandPayloads) echo CommandPayloads ;;
    reassembly) echo Reassembly ;;
    attGATT) echo AttGATT ;;
    lockSession) echo LockSession ;;
    pairingResponder) echo PairingResponder ;;
    keypadEntry) echo KeypadEntry ;;
    stateFile) echo StateFile ;;
    fobNFC) echo FobNFC ;;
    *) echo "unknown target: $1 (known: ${ALL_TARGETS[*]})" >&2; return 64 ;;
  esac
}

target_max_len() {
  case "$1" in
    plainFrame) echo 580 ;;        # 512 payload + 4 framing + 64
    encryptedEnvelope) echo 631 ;; # mode + 566-byte frame + 64
    commandPayloads) echo 579 ;;   # 3 header + 512 payload + 64
    reassembly) echo 1134 ;;       # 2 header + two 566-byte frames
    attGATT) echo 2048 ;;          # a few dozen ATT PDUs
    lockSession) echo 1024 ;;      # up to 24 operations, a few with payloads
    pairingResponder) echo 2048 ;; # a few pairings with raw writes
    keypadEntry) echo 96 ;;        # one byte per operation, 96 at most
    stateFile) echo 32768 ;;       # twice the largest seed state file
    fobNFC) echo 1024 ;;           # up to 64 APDU operations, most short
  esac
}

# target_asan_options <target>: ASAN_OPTIONS for fuzzing it. Every target runs with
# malloc_context_size=0: ASan no longer unwinds and stores a stack for each allocation. perf (issue 19)
# put that (StackDepot::Put, UnwindFast) at 8 % of plainFrame's time and 21 % of fobNFC's; the
# stateful targets, which allocate most, already had it (a third of their rate). What ASan detects is
# unchanged (the stack is only printed in a report), and a crash is minimised and replayed with the
# default options, so its report has full stacks.
target_asan_options() {
  echo "$ASAN_OPTIONS:malloc_context_size=0"
}

# target_fuzz_flags <target>: libFuzzer flags of the target beyond the campaign's own (FUZZ_FLAGS comes
# later on the command line, and libFuzzer takes the last value of a flag, so FUZZ_FLAGS can undo them).
# lockSession: -use_counters=0, edges without hit-count buckets. Its inputs run up to 24 operations
# through most of the lock, so hit counts make tens of thousands of features whose bookkeeping
# (entropic rare features, corpus growth) costs more than the harness; without them it runs about twice
# the inputs per second and reached more edges in both 60 s and 10 minutes (Fuzz/README.md, Measured).
target_fuzz_flags() {
  case "$1" in
    lockSession) echo "-use_counters=0" ;;
    *) echo "" ;;
  esac
}

# build_fuzzers <target>…: release build with libFuzzer + ASan, one product at a time.
# Not `--sanitize=fuzzer --sanitize=address`: SwiftPM passes them to swiftc as two flags, the last
# `-sanitize=` wins, and their order varies between runs, so a build gets either coverage or ASan.
# `--sanitize=fuzzer` makes SwiftPM add -parse-as-library and link libFuzzer's main; the combined
# `-Xswiftc -sanitize=fuzzer,address`, passed last, instruments every module with both.
build_fuzzers() {
  local t
  for t in "$@"; do
    local product
    product="$(target_dir "$t")Fuzzer" || return 64
    echo "build $product"
    mkdir -p "$SCRATCH"
    swift build --package-path "$FUZZ_DIR" -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address \
      --product "$product" --scratch-path "$SCRATCH" >"$SCRATCH/fuzz-build.log" 2>&1 || {
        tail -n 30 "$SCRATCH/fuzz-build.log" >&2; echo "build of $product failed" >&2; return 1; }
  done
}

# run_coverage <dir> <build 0|1> <target>…: source-based coverage of what the committed corpora reach
# (Fuzz/campaign --coverage). Builds with `--sanitize=fuzzer` (libFuzzer's main, SanitizerCoverage) plus
# `-profile-generate -profile-coverage-mapping`, the recipe of .clusterfuzzlite/build.sh's coverage
# sanitizer, without ASan, into Fuzz/.build-coverage; runs Corpus/<Target>/ and
# Corpus/Regressions/<Target>/ once through each target (-runs=0: every input once, no mutation), one
# .profraw per target; merges them with the toolchain's llvm-profdata and reports with its llvm-cov
# over all the targets' binaries together (each links its own copy of the root package's modules).
run_coverage() {
  local dir="$1" build="$2" t d bin; shift 2
  local tools; tools="$(dirname "$(readlink -f "$(command -v swift)")")"
  local profdata="$tools/llvm-profdata" cov="$tools/llvm-cov"
  [ -x "$profdata" ] && [ -x "$cov" ] || { echo "llvm-profdata / llvm-cov not found next to swift ($tools)" >&2; return 1; }
  local scratch="$FUZZ_DIR/.build-coverage"
  rm -rf "$dir"; mkdir -p "$dir/profraw" "$scratch"
  local objects=()
  for t in "$@"; do
    d="$(target_dir "$t")" || return 64
    bin="$scratch/release/${d}Fuzzer"
    if [ "$build" = 1 ]; then
      echo "build ${d}Fuzzer (coverage)"
      swift build --package-path "$FUZZ_DIR" -c release --sanitize=fuzzer -Xswiftc -profile-generate \
        -Xswiftc -profile-coverage-mapping --product "${d}Fuzzer" --scratch-path "$scratch" >"$scratch/build.log" 2>&1 || {
          tail -n 30 "$scratch/build.log" >&2; echo "coverage build of ${d}Fuzzer failed" >&2; return 1; }
    fi
    [ -x "$bin" ] || { echo "no coverage build of ${d}Fuzzer in $scratch (drop --no-build)" >&2; return 1; }
    local inputs=("$CORPUS_DIR/$d")
    [ -d "$CORPUS_DIR/Regressions/$d" ] && inputs+=("$CORPUS_DIR/Regressions/$d")
    local n; n=$(find "${inputs[@]}" -maxdepth 1 -type f ! -name 'README*' ! -name '.*' | wc -l)
    # shellcheck disable=SC2046
    LLVM_PROFILE_FILE="$dir/profraw/$t.profraw" "$bin" -runs=0 -detect_leaks=0 -max_len="$(target_max_len "$t")" \
      $(target_fuzz_flags "$t") "${inputs[@]}" >"$dir/$t.log" 2>&1 || {
        echo "coverage run of $t failed (see $dir/$t.log)" >&2; return 1; }
    echo "coverage $t: $n inputs run"
    objects+=(-object "$bin")
  done
  "$profdata" merge -sparse "$dir"/profraw/*.profraw -o "$dir/corpus.profdata" || return 1
  local first="${objects[1]}"; local rest=("${objects[@]:2}")
  "$cov" report "$first" "${rest[@]}" -instr-profile="$dir/corpus.profdata" -show-branch-summary \
    "$ROOT_DIR/Sources" >"$dir/report.txt" || return 1
  "$cov" show "$first" "${rest[@]}" -instr-profile="$dir/corpus.profdata" -format=html -output-dir="$dir/html" \
    -show-line-counts-or-regions "$ROOT_DIR/Sources" || return 1
  # Per-module totals: llvm-cov report's TOTAL row restricted to one module's sources.
  {
    printf '%-16s %15s %8s %15s %8s %15s %8s\n' module lines line% regions region% branches branch%
    local m row
    for m in LockWire LockCrypto LockSession LockHost LockCore LockNFC LockPeripherals BLEATT BLEGATT LockFuzzing; do
      [ -d "$ROOT_DIR/Sources/$m" ] || continue
      row="$("$cov" report "$first" "${rest[@]}" -instr-profile="$dir/corpus.profdata" -show-branch-summary \
        "$ROOT_DIR/Sources/$m" | grep '^TOTAL')" || continue
      # TOTAL regions missed cover% functions missed exec% lines missed cover% branches missed cover%
      awk -v m="$m" '{ printf "%-16s %15s %8s %15s %8s %15s %8s\n", m, ($8 - $9) "/" $8, $10, ($2 - $3) "/" $2, $4, ($11 - $12) "/" $11, $13 }' <<<"$row"
    done
  } >"$dir/modules.txt"
  cat "$dir/modules.txt"
  echo "coverage: $dir/report.txt, $dir/modules.txt, $dir/html/index.html"
}
