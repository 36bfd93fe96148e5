#!/usr/bin/env bash
# Before/after of a change on the warm invoke path: two lambdad binaries serve the same trivial C++
# function at once, and ../shared/bench/compare.sh loads them interleaved A B A B …, so that drift
# in the machine's speed (other builds, thermal) hits both alike.
#   bench/ab.sh [--rounds N] [--duration 5s] BIN_BEFORE BIN_AFTER
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${LAMBDAD_SHARED_DIR:-$root/../shared}/bench
rounds=5 duration=5s
while [[ ${1:-} == --* ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -eq 2 ] || { sed -n '2,5p' "$0"; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

urls=()
for side in a b; do
  bin=$([ $side = a ] && echo "$1" || echo "$2")
  mkdir -p "$work/$side"
  cat > "$work/$side/template.yaml" <<YAML
Transform: AWS::Serverless-2016-10-31
Resources:
  Trivial:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: $root/bench/trivial-cpp/dist
      Handler: bootstrap
      Runtime: provided.al2023
YAML
  "$bin" serve "$work/$side" --api-port 0 --lambda-port 0 --log-level warn \
    >"$work/$side/out" 2>"$work/$side/err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q 'lambda api' "$work/$side/out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/^lambda api listening on //p' "$work/$side/out")/2015-03-31/functions/Trivial/invocations
  curl -fsS -X POST -d '{}' "$url" >/dev/null
  urls+=("$url")
done
echo "== warm Invoke, before ($1) vs after ($2)"
"$shared/compare.sh" --post --rounds "$rounds" --duration "$duration" \
  before "${urls[0]}" after "${urls[1]}"
