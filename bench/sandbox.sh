#!/usr/bin/env bash
# What the sandbox adds to a cold start: spawn → first /next (Init Duration) of the C++ example over
# 50 spawns (50 functions, each invoked once), with `--sandbox none`, `process` and `namespaces`,
# each without and with cgroups (the default where the host has them), and `namespaces` with
# `--worker-network none`, in the same run on the same machine. Tiers the host refuses are
# reported and skipped.
#   bench/sandbox.sh [--spawns N]        (LAMBDAD_BIN: the binary; default build/lambdad)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
spawns=50
while [[ ${1:-} == --* ]]; do
  case $1 in
    --spawns) spawns=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
LAMBDAD_BIN=${LAMBDAD_BIN:-$root/build/lambdad}
bootstrap=${LAMBDAD_HELLO_CPP:-$root/examples/hello-cpp/dist/bootstrap}
[ -x "$LAMBDAD_BIN" ] || { echo "no lambdad at $LAMBDAD_BIN (build first or set LAMBDAD_BIN)" >&2; exit 1; }
[ -x "$bootstrap" ] || { echo "no C++ example at $bootstrap (build hello_cpp)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/code" && cp "$bootstrap" "$work/code/bootstrap" && chmod -R a+rX "$work"
{
  echo "Transform: AWS::Serverless-2016-10-31"
  echo "Resources:"
  for i in $(seq -w 1 "$spawns"); do
    printf '  Cold%s:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: code/\n      Handler: bootstrap\n      Runtime: provided.al2023\n' "$i"
  done
} > "$work/template.yaml"

echo "== cold start of the C++ example by sandbox tier, $spawns spawns each ($(nproc) CPUs)"
variants=("none --no-cgroups" "none" "process --no-cgroups" "process" "namespaces --no-cgroups"
          "namespaces" "namespaces --worker-network none")
for variant in "${variants[@]}"; do
  read -r -a flags <<<"$variant"
  tier=${variant// /}
  state=$work/state-$tier
  "$LAMBDAD_BIN" serve "$work" --api-port 0 --lambda-port 0 --state-dir "$state" \
      --sandbox "${flags[@]}" --log-level warn >"$work/out-$tier" 2>"$work/err-$tier" &
  server_pid=$!
  for _ in $(seq 200); do
    grep -q 'lambda api' "$work/out-$tier" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  lambda=$(sed -n 's/^lambda api listening on //p' "$work/out-$tier")
  if [ -z "$lambda" ]; then
    echo "$variant: not available here: $(tail -n 1 "$work/err-$tier")"
    wait "$server_pid" 2>/dev/null || true; server_pid=
    continue
  fi
  for i in $(seq -w 1 "$spawns"); do
    curl -fsS -o /dev/null -X POST -d '{}' "$lambda/2015-03-31/functions/Cold$i/invocations"
    sleep 0.02
  done
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
  python3 - "$variant" "$state/lambdad.db" <<'PY'
import sqlite3, statistics, sys
tier, db = sys.argv[1], sqlite3.connect(sys.argv[2])
xs = sorted(r[0] for r in db.execute("select init_duration_ms from invocations where cold = 1"))
q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"{tier:>34}: Init Duration p50 {statistics.median(xs):6.2f} ms  p90 {q(.9):6.2f} ms  "
      f"max {xs[-1]:6.2f} ms  ({len(xs)} spawns)")
PY
done
