#!/usr/bin/env bash
# The main job in one command: installs what is missing, starts the local stack
# (Kafka, Cassandra, PostgreSQL, Prometheus), builds and starts the server, and
# starts a live synthetic stream. Ctrl-C stops the server; the stack keeps
# running for the next start (stop it with: scripts/stack.sh down).
#
# Environment: PORT (3000), DEMO_SUBREDDITS (AskReddit,worldnews,programming,
# dataengineering,movies), DEMO_RATE (25 events/s), DEMO_STREAM (1: start the
# demo stream; 0: don't). Server variables: see .env.example.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

PORT=${PORT:-3000}
DEMO_SUBREDDITS=${DEMO_SUBREDDITS:-AskReddit,worldnews,programming,dataengineering,movies}
DEMO_RATE=${DEMO_RATE:-25}
DEMO_STREAM=${DEMO_STREAM:-1}

say() { printf '[run] %s\n' "$*"; }

bash scripts/prerequisites.sh
PROMETHEUS_SCRAPE_TARGETS=127.0.0.1:$PORT bash scripts/stack.sh up

say "building the server"
npm run --silent build

# Defaults for the local stack; anything already exported (or in .env) wins.
set -a
# shellcheck disable=SC1091
[ -f .env ] && . ./.env
set +a
export PORT
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
export CASSANDRA_CONTACT_POINTS=${CASSANDRA_CONTACT_POINTS:-127.0.0.1:9042}
export WAREHOUSE_URL=${WAREHOUSE_URL:-postgres://postgres@127.0.0.1:5432/reddit_analytics}
export REPLAY_DIR=${REPLAY_DIR:-$REPO_ROOT/.stack/replay}
mkdir -p "$REPLAY_DIR"
# Mutating endpoints need an API key: make a local one once, kept out of git.
key_file=.stack/api-key
if [ -z "${API_KEY:-}" ]; then
  if [ ! -s "$key_file" ]; then
    (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))' >"$key_file")
  fi
  API_KEY=$(cat "$key_file")
  key_hint="in $key_file"
else
  key_hint="from your API_KEY"
fi
export API_KEY

node --max-old-space-size=384 dist/main.js &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' INT TERM EXIT

base=http://127.0.0.1:$PORT
for _ in $(seq 1 120); do
  if curl -fsS "$base/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    say "the server exited during start-up; see its output above" >&2
    exit 1
  fi
  sleep 1
done
curl -fsS "$base/health" >/dev/null || { say "the server did not become healthy in 120 s" >&2; exit 1; }

first_subreddit=${DEMO_SUBREDDITS%%,*}
if [ "$DEMO_STREAM" = 1 ]; then
  subreddits_json=$(printf '"%s",' ${DEMO_SUBREDDITS//,/ })
  body="{\"id\":\"demo\",\"source\":\"synthetic\",\"subreddits\":[${subreddits_json%,}],\"ratePerSecond\":$DEMO_RATE}"
  code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$base/api/streams" \
    -H 'content-type: application/json' -H "x-api-key: $API_KEY" -d "$body")
  case $code in
    201) say "started synthetic stream 'demo' ($DEMO_RATE events/s over $DEMO_SUBREDDITS)" ;;
    409) say "stream 'demo' is already running" ;;
    *) say "could not start the demo stream (HTTP $code)" >&2 ;;
  esac
fi

cat <<EOF_URLS

  Reddit live analytics is running: open $base/

    Live page                   $base/
    Swagger UI (control panel)  $base/docs
    Streams                     $base/api/streams
    Windows (last hour)         $base/api/subreddits/$first_subreddit/windows
    Health                      $base/health
    Prometheus metrics          $base/metrics
    Prometheus UI               http://127.0.0.1:9090/graph?g0.expr=rate(reddit_events_consumed_total%5B1m%5D)

  Starting, pausing and stopping streams needs the API key ($key_hint):
  the live page's API key field, the Swagger UI's Authorize button, or the
  x-api-key header.
  Replay dump files go in $REPLAY_DIR.

  Windows appear within seconds and fill up over each minute.
  Ctrl-C stops the server; 'scripts/stack.sh down' stops Kafka, Cassandra and Prometheus.

EOF_URLS

wait "$server"
