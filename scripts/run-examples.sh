#!/usr/bin/env bash
# Builds lambdad (installing missing Debian packages) and serves the bundled examples:
# the gateway on :3000 and the Lambda API on :3001. Extra arguments go to `lambdad serve`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=$root/build "$root/scripts/build.sh"
exec "$root/build/lambdad" serve "$root/examples" "$@"
