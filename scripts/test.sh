#!/usr/bin/env bash
# Builds lambdad and runs every test: unit, integration and e2e on the normal build, then unit and
# integration again on an AddressSanitizer + UndefinedBehaviorSanitizer build (the unit tests in one
# process, as under TSan: a process per test costs the sanitizers' start-up 570 times), then the unit tests
# and the thread-heavy integration suites on a ThreadSanitizer build (build-tsan/), then every
# libFuzzer target for 10 s over its seed corpus (scripts/fuzz.sh, a clang build in build-fuzz/).
#   scripts/test.sh            everything
#   scripts/test.sh --quick    the normal build only (no sanitizer pass)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = "--quick" ] && quick=1

BUILD_DIR=$root/build "$root/scripts/build.sh"
# The full soak (label soak) runs on demand: ctest -L soak.
# Two at a time: the suites mostly wait on servers and workers (half the wall time of -j1 on 2 cores).
(cd "$root/build" && ctest --output-on-failure --timeout 600 -j2 -LE '^soak$')

if [ $quick -eq 0 ]; then
  BUILD_DIR=$root/build-asan BUILD_TYPE=Debug "$root/scripts/build.sh" -DLAMBDAD_SANITIZE=ON
  # Workers are forked from the sanitized server; leak checks belong to the server process only.
  # The soak measures memory, which ASan's quarantine grows on purpose: it runs on the normal build.
  # Exported: the suites read ASAN_OPTIONS to loosen their memory bounds (ASan's quarantine).
  (cd "$root/build-asan" &&
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      LSAN_OPTIONS=suppressions=$root/tests/lsan.supp &&
    ./tests/lambdad_unit_tests --gtest_brief=1 &&
    ctest --output-on-failure --timeout 900 -j2 -L integration -E '^soak')
  # ThreadSanitizer: the suites labelled `tsan`, the ones that
  # drive the server's other threads (tests/CMakeLists.txt; the choice and its cost in
  # docs/testing.md). A race stops the server (halt_on_error), which fails the test that saw it.
  # Only what those tests run is built (no bench or e2e programs).
  # The unit tests are left out for CI's 45-minute budget (their binary is half of the TSan build;
  # the server's threads are what the suites drive): build_tsan/ with lambdad_unit_tests runs them.
  BUILD_DIR=$root/build-tsan BUILD_TYPE=Debug TARGETS="lambdad hello_cpp" \
    "$root/scripts/build.sh" -DLAMBDAD_TSAN=ON
  (cd "$root/build-tsan" &&
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp" &&
    ctest --output-on-failure --timeout 900 -j2 -L tsan)
  JOBS=${JOBS:-$(nproc)} "$root/scripts/fuzz.sh" --seconds 10
fi
