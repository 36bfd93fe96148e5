#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing lambdad need.
# Idempotent: does nothing when every package is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libgit2-dev libsqlite3-dev sqlite3 libyaml-cpp-dev libssl-dev libzip-dev libseccomp-dev
  libmimalloc-dev
  libgtest-dev libgmock-dev
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
# The e2e tests use boto3 with the python3 on PATH; Debian packages it for its own python3.
python3 -c "import boto3" 2>/dev/null || packages+=(python3-boto3)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
