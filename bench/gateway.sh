#!/usr/bin/env bash
# The gateway port under load: GET /hello on an HTTP API route with a trivial Node.js handler
# (the peers' handler: async () => ({statusCode: 200, body: JSON.stringify({ok: true})})), beside
# serverless-offline --useInProcess (its fastest mode, same handler, HTTP API route) and a bare
# Node http server, via ../shared/bench/compare.sh. Then route matching with 10 and 1,000 routes
# (bench_route_matching).
#   bench/gateway.sh [--rounds N] [--duration 10s]     (LAMBDAD_BENCH_WARMUP=30s: c32 warm-up per side)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${LAMBDAD_SHARED_DIR:-$root/../shared}/bench
export LAMBDAD_PEERS_HOME=${LAMBDAD_PEERS_HOME:-/var/tmp/lambdad-peers}
rounds=3 duration=10s
while [[ ${1:-} == --* ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# LAMBDAD_BIN skips the build (its folder must also hold bench/bench_route_matching).
if [ -z "${LAMBDAD_BIN:-}" ]; then
  BUILD_DIR=$root/build-bench BUILD_TYPE=Release "$root/scripts/build.sh" -DLAMBDAD_TESTS=OFF >/dev/null
  LAMBDAD_BIN=$root/build-bench/lambdad
fi
matcher=$(dirname "$LAMBDAD_BIN")/bench/bench_route_matching
"$shared/peers.sh" install >/dev/null
work=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  "$shared/peers.sh" stop sls-inproc; "$shared/peers.sh" stop node
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/hello"
echo 'export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ ok: true }) });' \
  > "$work/hello/index.mjs"
cat > "$work/template.yaml" <<YAML
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Hello:
          Type: HttpApi
          Properties:
            Path: /hello
            Method: GET
YAML
"$LAMBDAD_BIN" serve "$work" --api-port 0 --lambda-port 0 --log-level warn >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 100); do grep -q 'gateway listening' "$work/out" 2>/dev/null && break; sleep 0.05; done
gateway=$(sed -n 's/^gateway listening on //p' "$work/out")
url=$gateway/hello
curl -fsS "$url" >/dev/null
# Start the workers 32 connections need (lambdad never queues a call: each concurrent request
# has its own warm worker) and let them reach their steady state: each of the 32 V8 isolates
# compiles the hot paths itself, and after 5 s at c32 TurboFan still took ~13% of the machine's
# CPU (0.3% after 60 s). The peers get the same warm-up at c32.
warm=${LAMBDAD_BENCH_WARMUP:-30s}
wrk -t2 -c32 -d"$warm" "$url" >/dev/null 2>&1 || true

sls_url=$("$shared/peers.sh" start sls-inproc | head -1)
node_url=$("$shared/peers.sh" start node | head -1)
wrk -t2 -c32 -d"$warm" "$sls_url" >/dev/null 2>&1 || true
wrk -t2 -c32 -d"$warm" "$node_url" >/dev/null 2>&1 || true

echo "== lambdad gateway (HTTP API, Node.js handler) vs serverless-offline --useInProcess (HTTP API)"
"$shared/compare.sh" --rounds "$rounds" --duration "$duration" lambdad "$url" sls-inproc "$sls_url"
echo
echo "== lambdad gateway (HTTP API, Node.js handler) vs a bare Node.js http server"
"$shared/compare.sh" --rounds "$rounds" --duration "$duration" lambdad "$url" node "$node_url"
echo
echo "lambdad server RSS after the runs: $(ps -o rss= -p "$server_pid" | awk '{printf "%.1f MB", $1/1024}')," \
  "workers: $(pgrep -c -P "$server_pid" || true)"
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
echo
if [ -x "$matcher" ]; then "$matcher"; else echo "($matcher not built: no route matching figures)"; fi
