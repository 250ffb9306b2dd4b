#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build of Latchkey's fuzz targets (run by the base-builder image as
# $SRC/build.sh, with $SRC, $OUT and $SANITIZER set). For each target of Fuzz/common.sh it puts in $OUT:
#
#   <Target>Fuzzer                 the libFuzzer binary (Swift runtime linked statically)
#   <Target>Fuzzer.dict            Fuzz/dictionaries/<target>.dict
#   <Target>Fuzzer.options         [libfuzzer] max_len (the campaign's -max_len), detect_leaks = 0, and
#                                  the target's own flags (target_fuzz_flags: lockSession use_counters = 0)
#   <Target>Fuzzer_seed_corpus.zip Corpus/<Target>/ plus Corpus/Regressions/<Target>/
#   lib/libsodium.so.*             the one shared library they need (the runner image has none), found
#                                  through an $ORIGIN/lib rpath
#
# Sanitizers: address (libFuzzer + ASan, the recipe of Fuzz/README.md) and coverage (source-based
# coverage for ClusterFuzzLite's coverage reports). Local check without Docker:
#   SRC=$PWD/.. OUT=/tmp/cflite-out SANITIZER=address .clusterfuzzlite/build.sh [target…]
# (run from the checkout, whose folder must then be named latchkey, or set LATCHKEY_SRC).
root="${LATCHKEY_SRC:-$SRC/latchkey}"
cd "$root"
# shellcheck source=../Fuzz/common.sh
source Fuzz/common.sh

swift_version="$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -n 1)"
read -r major minor <<<"${swift_version:-0 0}"
if [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 1 ]; }; then
  echo "Latchkey needs Swift 6.1 or later; this image has: $(swift --version 2>&1 | head -n 1)" >&2
  exit 1
fi

case "${SANITIZER:-address}" in
  address) sanitizer_flags=(--sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address) ;;
  coverage) sanitizer_flags=(--sanitize=fuzzer -Xswiftc -profile-generate -Xswiftc -profile-coverage-mapping) ;;
  *) echo "sanitizer '$SANITIZER' is not supported for Latchkey (address, coverage)" >&2; exit 1 ;;
esac
# The base image's C flags carry its own -fsanitize options; the Swift build sets its own.
unset CFLAGS CXXFLAGS

if [ -x /usr/local/bin/llvm-symbolizer-swift ]; then cp /usr/local/bin/llvm-symbolizer-swift "$OUT/llvm-symbolizer"; fi

mkdir -p "$OUT/lib"
sodium="$(pkg-config --variable=libdir libsodium)"
cp -P "$sodium"/libsodium.so* "$OUT/lib/"

scratch="$root/Fuzz/.build-cflite-$SANITIZER"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
  dir="$(target_dir "$t")"
  product="${dir}Fuzzer"
  echo "build $product ($SANITIZER)"
  swift build --package-path Fuzz -c release --static-swift-stdlib "${sanitizer_flags[@]}" \
    -Xlinker -rpath -Xlinker '$ORIGIN/lib' --product "$product" --scratch-path "$scratch"
  cp "$scratch/release/$product" "$OUT/$product"
  cp "Fuzz/dictionaries/$t.dict" "$OUT/$product.dict"
  {
    printf '[libfuzzer]\nmax_len = %s\ndetect_leaks = 0\n' "$(target_max_len "$t")"
    for flag in $(target_fuzz_flags "$t"); do flag="${flag#-}"; printf '%s = %s\n' "${flag%%=*}" "${flag#*=}"; done
  } >"$OUT/$product.options"
  rm -f "$OUT/${product}_seed_corpus.zip"
  seeds=()
  for d in "Corpus/$dir" "Corpus/Regressions/$dir"; do [ -d "$d" ] && seeds+=("$d"); done
  if [ ${#seeds[@]} -gt 0 ]; then
    find "${seeds[@]}" -maxdepth 1 -type f ! -name 'README*' ! -name '.*' -print0 |
      xargs -0 -r zip -q -j "$OUT/${product}_seed_corpus.zip"
  fi
done
