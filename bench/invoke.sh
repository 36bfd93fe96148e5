#!/usr/bin/env bash
# Warm invoke of a trivial C++ `provided` function through lambdad's Invoke API, side by side with
# nginx (a static file: the floor for one HTTP round trip) and serverless-offline's Invoke API in
# its fastest mode (--useInProcess), via ../shared/bench/compare.sh. Then the cold start of the same
# function: spawn → first /next (Init Duration), p50 over 50 spawns.
#   bench/invoke.sh [--rounds N] [--duration 10s]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${LAMBDAD_SHARED_DIR:-$root/../shared}/bench
# nginx's worker runs as an unprivileged user when started as root, and cannot read below /root:
# keep the peers somewhere every user can traverse.
export LAMBDAD_PEERS_HOME=${LAMBDAD_PEERS_HOME:-/var/tmp/lambdad-peers}
rounds=3 duration=10s
while [[ ${1:-} == --* ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# LAMBDAD_BIN skips the build (e.g. to measure a binary built elsewhere).
if [ -z "${LAMBDAD_BIN:-}" ]; then
  BUILD_DIR=$root/build-bench BUILD_TYPE=Release "$root/scripts/build.sh" -DLAMBDAD_TESTS=OFF >/dev/null
  LAMBDAD_BIN=$root/build-bench/lambdad
fi
"$shared/peers.sh" install >/dev/null
work=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  "$shared/peers.sh" stop nginx; "$shared/peers.sh" stop sls-inproc
  rm -rf "$work"
}
trap cleanup EXIT

# Warm path: one function, served on free ports.
cat > "$work/template.yaml" <<YAML
Transform: AWS::Serverless-2016-10-31
Resources:
  Trivial:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: $root/bench/trivial-cpp/dist
      Handler: bootstrap
      Runtime: provided.al2023
YAML
"$LAMBDAD_BIN" serve "$work" --api-port 0 --lambda-port 0 --log-level warn >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 100); do grep -q 'lambda api' "$work/out" 2>/dev/null && break; sleep 0.05; done
lambda=$(sed -n 's/^lambda api listening on //p' "$work/out")
invoke_url=$lambda/2015-03-31/functions/Trivial/invocations
curl -fsS -X POST -d '{}' "$invoke_url" >/dev/null

nginx_url=$("$shared/peers.sh" start nginx | head -1)
sls_invoke=$("$shared/peers.sh" start sls-inproc | sed -n 2p)

echo "== lambdad Invoke API vs serverless-offline --useInProcess Invoke API (POST {})"
"$shared/compare.sh" --post --rounds "$rounds" --duration "$duration" \
  lambdad "$invoke_url" sls-inproc "$sls_invoke"
echo
echo "== lambdad Invoke API (POST {}) vs nginx static file (GET)"
"$shared/compare.sh" --rounds "$rounds" --duration "$duration" \
  lambdad "POST:$invoke_url" nginx "$nginx_url"
echo
echo "lambdad server RSS after the runs: $(ps -o rss= -p "$server_pid" | awk '{printf "%.1f MB", $1/1024}')"
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=

# Cold start: 50 functions on the same bootstrap, each invoked once → 50 spawns.
cold=$work/cold; mkdir -p "$cold"
{
  echo "Transform: AWS::Serverless-2016-10-31"
  echo "Resources:"
  for i in $(seq -w 1 50); do
    printf '  Cold%s:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: %s\n      Handler: bootstrap\n      Runtime: provided.al2023\n' \
      "$i" "$root/bench/trivial-cpp/dist"
  done
} > "$cold/template.yaml"
"$LAMBDAD_BIN" serve "$cold" --api-port 0 --lambda-port 0 --log-level warn >"$cold/out" 2>"$cold/err" &
server_pid=$!
for _ in $(seq 100); do grep -q 'lambda api' "$cold/out" 2>/dev/null && break; sleep 0.05; done
lambda=$(sed -n 's/^lambda api listening on //p' "$cold/out")
client_ms=()
for i in $(seq -w 1 50); do
  t=$(curl -fsS -o /dev/null -w '%{time_total}' -X POST -d '{}' "$lambda/2015-03-31/functions/Cold$i/invocations")
  client_ms+=("$t")
  sleep 0.02
done
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
python3 - "$cold/.lambdad/lambdad.db" "${client_ms[@]}" <<'PY'
import sqlite3, statistics, sys
db = sqlite3.connect(sys.argv[1])
inits = sorted(r[0] for r in db.execute("select init_duration_ms from invocations where cold = 1"))
client = sorted(float(x) * 1000 for x in sys.argv[2:])
q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"== cold start, trivial C++ function, {len(inits)} spawns")
print(f"Init Duration (spawn -> first /next): p50 {statistics.median(inits):.2f} ms  p90 {q(inits, .9):.2f} ms  max {inits[-1]:.2f} ms")
print(f"client-seen first call (curl total):  p50 {statistics.median(client):.2f} ms  p90 {q(client, .9):.2f} ms")
PY
