#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ (clang, ASan + UBSan) into build-fuzz/ and runs each
# for N seconds over a scratch copy of its seed corpus tests/fuzz/corpus/<target>/ (the repo's
# corpus is never written), with tests/fuzz/<target>.dict when there is one. Fails when a target
# crashes, leaks, hangs or runs out of memory: the input is printed and kept in
# build-fuzz/fuzz-findings/; add it to the target's corpus and fix the bug.
#   scripts/fuzz.sh [--seconds N] [--no-build] [--build-dir DIR] [TARGET...]
#     --seconds N      per target (default 30)
#     --no-build       run what is built (the `fuzz` ctest label does)
#     TARGET           e.g. template http_request (default: every target)
# JOBS (default 2) is the build's parallelism; FUZZ_CXXFLAGS (default -O0 -gline-tables-only) the
# optimisation of the fuzz build (e.g. "-O1 -gline-tables-only" for long runs: faster executions).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=30
build=1
build_dir=$root/build-fuzz
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for source in "$root"/tests/fuzz/*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi

if [ $build -eq 1 ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # -O0 with line tables (readable stacks): Asio and Beast at -O1 under ASan, UBSan and coverage
  # cost three times the compile time, and the build is most of a short run's cost.
  CC=clang CXX=clang++ cmake -S "$root" -B "$build_dir" -DLAMBDAD_FUZZ=ON -DLAMBDAD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=${FUZZ_CXXFLAGS:--O0 -gline-tables-only}" \
    "${launcher[@]}" \
    >/dev/null
  cmake --build "$build_dir" -j"${JOBS:-2}" --target "${targets[@]/#/fuzz_}"
fi

findings=$build_dir/fuzz-findings
mkdir -p "$findings"
failed=()
for target in "${targets[@]}"; do
  binary=$build_dir/tests/fuzz/fuzz_$target
  [ -x "$binary" ] || { echo "fuzz.sh: $binary is not built" >&2; exit 2; }
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/lambdad-fuzz-$target-XXXXXX")
  mkdir "$scratch/corpus"
  [ -d "$root/tests/fuzz/corpus/$target" ] && cp -r "$root/tests/fuzz/corpus/$target/." "$scratch/corpus/"
  options=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
           -close_fd_mask=1 -artifact_prefix="$scratch/")
  [ -f "$root/tests/fuzz/$target.dict" ] && options+=(-dict="$root/tests/fuzz/$target.dict")
  status=0
  (cd "$scratch" && ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "$binary" "${options[@]}" "$scratch/corpus" >"$scratch/log" 2>&1) || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log" | tail -1)
  if [ $status -eq 0 ]; then
    echo "fuzz $target: ok, ${runs:-?} runs in ${seconds}s, corpus $(ls "$scratch/corpus" | wc -l) inputs"
    rm -rf "$scratch"
    continue
  fi
  failed+=("$target")
  echo "fuzz $target: FAILED (exit $status) after ${runs:-?} runs; the report:"
  grep -v '^#[0-9]' "$scratch/log" | tail -60
  for input in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-* \
               "$scratch"/slow-unit-*; do
    [ -f "$input" ] || continue
    kept=$findings/$target-$(basename "$input")
    cp "$input" "$kept"
    echo "fuzz $target: the input ($(stat -c %s "$input") bytes), kept as $kept:"
    od -A d -c "$input" | head -40
    echo "fuzz $target: as base64: $(base64 -w0 "$input" | head -c 4000)"
    echo "fuzz $target: reproduce with $binary $kept; then copy it into" \
         "tests/fuzz/corpus/$target/ and fix the bug"
  done
  echo "fuzz $target: scratch folder (log and corpus) left in $scratch"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
