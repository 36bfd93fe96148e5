#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing lambdad need.
# Idempotent: does nothing when every package is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libgit2-dev libsqlite3-dev sqlite3 libyaml-cpp-dev libssl-dev libzip-dev libseccomp-dev
  libmimalloc-dev libhowardhinnant-date-dev
  libgtest-dev libgmock-dev
  # scripts/fuzz.sh: clang and its runtimes (libFuzzer, ASan, UBSan).
  clang libclang-rt-14-dev
  curl zip unzip awscli procps
  # The e2e conformance test installs AWS's Node.js runtime interface client (npm aws-lambda-ric),
  # whose install builds a static libcurl (./buildconf) and aws-lambda-cpp for its native addon.
  autoconf automake libtool
)
# Node.js and Python may come from elsewhere (NodeSource, pyenv): only ask Debian when absent.
# Debian's nodejs keeps the headers node-gyp needs (aws-lambda-ric's addon) in libnode-dev;
# NodeSource's package ships them itself.
command -v node >/dev/null || packages+=(nodejs libnode-dev)
command -v npm >/dev/null || packages+=(npm)
command -v python3 >/dev/null || packages+=(python3)
# boto3: Lambda's Python runtimes ship it and functions import it without packaging it; lambdad
# puts Debian's on python* functions' path when their python3 has none of its own. The e2e tests
# also use it.
packages+=(python3-boto3)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The AWS SDK for JavaScript v3 that Lambda's Node.js runtimes ship: functions import these
# without bundling them, and lambdad takes them from the global npm root (`npm root -g`).
sdk_packages=(@aws-sdk/client-lambda @aws-sdk/client-s3 @aws-sdk/client-dynamodb
              @aws-sdk/client-sqs @aws-sdk/client-sns @aws-sdk/client-eventbridge
              @aws-sdk/lib-dynamodb)
global_root="$(npm root -g)"
missing_sdk=()
for p in "${sdk_packages[@]}"; do
  [ -f "$global_root/$p/package.json" ] || missing_sdk+=("$p")
done
if [ ${#missing_sdk[@]} -gt 0 ]; then
  echo "installing into $global_root: ${missing_sdk[*]}" >&2
  $sudo npm install -g --no-audit --no-fund --loglevel=error "${missing_sdk[@]}" >/dev/null
fi
