#!/usr/bin/env bash
# Installs what is missing, starts the services the tests need (Kafka,
# Cassandra, PostgreSQL, Prometheus), runs format check, lint, type-check and
# every test tier, then stops only the services this run started.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

# The port the test app listens on for Prometheus (see test/support/environment.ts).
export TEST_SCRAPED_APP_PORT=${TEST_SCRAPED_APP_PORT:-3100}

say() { printf '[test] %s\n' "$*"; }

# Chromium too: the live page is tested in a real browser.
bash scripts/prerequisites.sh --browser

# Remember what was already running so we stop only what we start.
started=()
before=$(bash scripts/stack.sh status 2>/dev/null || true)
for service in kafka cassandra postgres prometheus; do
  if ! grep -Eq "^${service}(-1)? +running" <<<"$before"; then
    started+=("$service")
  fi
done
cleanup() {
  if [ ${#started[@]} -gt 0 ]; then
    local only
    only=$(IFS=,; echo "${started[*]}")
    say "stopping services this run started: $only"
    bash scripts/stack.sh down --only "$only" || true
  fi
}
trap cleanup EXIT

PROMETHEUS_SCRAPE_TARGETS=127.0.0.1:$TEST_SCRAPED_APP_PORT bash scripts/stack.sh up

say "format, lint, type-check"
npm run --silent format:check
npm run --silent lint
npm run --silent typecheck

say "unit, integration and end-to-end tests"
# Secrets for the whole run, and a place for every server's whole output, so
# that none of them can be found in any log afterwards (test/support/scan-secrets.ts).
TEST_SERVER_LOG_DIR=$(mktemp -d)
TEST_API_KEY="test-$(node -e 'process.stdout.write(require("node:crypto").randomBytes(12).toString("hex"))')"
TEST_DB_PASSWORD="dbpw-$(node -e 'process.stdout.write(require("node:crypto").randomBytes(12).toString("hex"))')"
TEST_REDDIT_SECRET="rsec-$(node -e 'process.stdout.write(require("node:crypto").randomBytes(12).toString("hex"))')"
export TEST_SERVER_LOG_DIR TEST_API_KEY TEST_DB_PASSWORD TEST_REDDIT_SECRET
results=$(mktemp)
status=0
npx jest --runInBand --ci --json --outputFile="$results" 2>&1 | tee "$TEST_SERVER_LOG_DIR/jest-output.log" || status=$?
say "secrets in the logs of the run"
npx ts-node --transpile-only test/support/scan-secrets.ts "$TEST_SERVER_LOG_DIR" \
  TEST_API_KEY TEST_DB_PASSWORD TEST_REDDIT_SECRET || status=1
rm -rf "$TEST_SERVER_LOG_DIR"
# One plain summary line for CI tooling that reads the closing line.
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$results" || true
rm -f "$results"
exit "$status"
