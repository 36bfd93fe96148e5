#!/usr/bin/env bash
# Configures and builds lambdad into BUILD_DIR (default build/), installing missing Debian packages
# first. Extra arguments go to cmake's configure step (e.g. -DLAMBDAD_SANITIZE=ON); TARGETS limits
# the build to some targets.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
# TARGETS (space-separated) builds only those targets and what they need.
# shellcheck disable=SC2086
cmake --build "$build_dir" -j"${JOBS:-$(nproc)}" ${TARGETS:+--target $TARGETS}
