#!/usr/bin/env bash
# Installs what the project needs beyond Node.js on a fresh Debian machine:
# a JDK and Maven (Kafka and Cassandra run from Maven Central jars), curl, the
# PostgreSQL client tools (the stack script uses pg_isready, psql) and zstd
# (replay streams decompress .zst dumps with it); with --browser, Debian's
# Chromium too (the live page's browser tests drive it). Then the npm
# dependencies, exactly as locked. Safe to run again: it only installs what
# is missing.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '[prerequisites] %s\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

with_browser=0
[ "${1:-}" = "--browser" ] && with_browser=1

missing=()
[ "$with_browser" = 1 ] && [ ! -x /usr/bin/chromium ] && missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql-client)
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

java_major=$(java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}')
if [ "${java_major:-0}" -lt 17 ]; then
  say "Java 17 or newer is required for Kafka 3.9 and Cassandra 5.0 (found: ${java_major:-none})" >&2
  exit 1
fi

cd "$REPO_ROOT"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
