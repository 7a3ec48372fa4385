#!/usr/bin/env bash
# The whole test suite, with its own set-up: starts PostgreSQL and Redis if they are installed
# but stopped (installing them in CI if missing), checks formatting and lints, then runs every
# unit, conformance and integration test, the integration suite once on SQLite and once on
# PostgreSQL, the file tests once more on S3 (Swift, installed if missing). Run from anywhere:
# ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "test.sh: cargo is not installed; install Rust (https://rustup.rs) first" >&2
    exit 1
fi

# PostgreSQL and Redis are real services on 127.0.0.1 (trust auth for PostgreSQL). Tests that
# need one that is missing say SKIPPED, except in CI, where they fail.
ensure_postgres() {
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "${CI:-}" ] && [ "$(id -u)" = 0 ]; then
        echo "==> installing PostgreSQL"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    if command -v pg_ctlcluster >/dev/null 2>&1; then
        echo "==> starting PostgreSQL"
        for version in $(ls /etc/postgresql 2>/dev/null); do
            pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        done
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 1; done
    fi
    echo "test.sh: PostgreSQL is not running on 127.0.0.1:5432" >&2
}

ensure_redis() {
    if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
    if ! command -v redis-server >/dev/null 2>&1 && [ -n "${CI:-}" ] && [ "$(id -u)" = 0 ]; then
        echo "==> installing Redis"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
    if command -v redis-server >/dev/null 2>&1; then
        echo "==> starting Redis"
        redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
            --logfile /tmp/tern-test-redis.log
        for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return; sleep 1; done
    fi
    echo "test.sh: Redis is not running on 127.0.0.1:6379" >&2
}

# The browser tests drive Debian's Chromium through playwright-core (a browser download by
# Playwright cannot work here); the web client itself is built by cargo (crates/server/build.rs).
ensure_browser() {
    if [ -x /usr/bin/chromium ]; then return; fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing Chromium"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "test.sh: /usr/bin/chromium is missing; install Debian's chromium package" >&2
        exit 1
    fi
}

ensure_node() {
    if command -v npm >/dev/null 2>&1; then return; fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing Node.js and npm"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "test.sh: npm is missing; install Node.js 20 or newer with npm" >&2
        exit 1
    fi
}

ensure_postgres
ensure_redis
ensure_node
ensure_browser

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

log=$(mktemp)
# Tests that could not run for want of a service write a line here (see service_missing in
# crates/store/src/testing.rs); the closing summary counts them as skipped.
export TERN_TEST_SKIP_LOG=$(mktemp)
trap 'rm -f "$log" "$TERN_TEST_SKIP_LOG"' EXIT
# Every test bounds its own waits; the outer limits only guard against a hung build or runner.
echo "==> cargo test (integration suite on SQLite)"
timeout 45m cargo test --workspace 2>&1 | tee -a "$log"
echo "==> integration suite again, on PostgreSQL"
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ -n "${TERN_TEST_POSTGRES:-}" ]; then
    TERN_TEST_BACKEND=postgres timeout 30m cargo test -p tern-server --test api 2>&1 | tee -a "$log"
elif [ -n "${CI:-}" ]; then
    echo "test.sh: PostgreSQL is required in CI" >&2
    exit 1
else
    echo "SKIPPED: PostgreSQL is not reachable; the integration suite on PostgreSQL did not run" \
        | tee -a "$TERN_TEST_SKIP_LOG"
fi

echo "==> file tests again, on S3 (a throw-away OpenStack Swift; the cluster's files too)"
if swift_env=$(./scripts/swift.sh start); then
    eval "$swift_env"
    TERN_TEST_FILES=s3 timeout 15m cargo test -p tern-server --test api files 2>&1 | tee -a "$log"
    ./scripts/swift.sh stop
elif [ -n "${CI:-}" ]; then
    echo "test.sh: Swift (S3) is required in CI" >&2
    exit 1
else
    echo "SKIPPED: Swift could not be started; the file tests on S3 did not run" \
        | tee -a "$TERN_TEST_SKIP_LOG"
fi

echo "==> benchmarks, smoke mode (checks that every scenario runs; measures nothing)"
cargo build --quiet -p tern-bench -p tern-server
timeout 10m ./target/debug/tern-bench --smoke all

echo "==> web: TypeScript SDK tests and browser tests (against target/debug/tern, client built in)"
(
    cd web
    npm ci --no-audit --no-fund >/dev/null
    npm run build >/dev/null
    TERN_BIN="$PWD/../target/debug/tern" timeout 10m npm test 2>&1
    TERN_BIN="$PWD/../target/debug/tern" timeout 15m npm run e2e 2>&1
) | tee -a "$log"

# One closing line for the whole run: cargo's "test result:" lines (every test binary, both
# backends) and node's "pass"/"fail" summaries (SDK and browser tests).
skips=$(wc -l < "$TERN_TEST_SKIP_LOG")
if [ "$skips" -gt 0 ]; then
    echo "==> skipped for want of a service:"
    sort "$TERN_TEST_SKIP_LOG" | uniq -c
fi
awk -v skiplog="$TERN_TEST_SKIP_LOG" 'FILENAME == skiplog && /^SKIPPED:/ { s += 1 }
     /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i; if ($(i+1) ~ /^ignored;?$/) s += $i } }
     /^(ℹ|#) pass [0-9]+$/ { p += $3 }
     /^(ℹ|#) fail [0-9]+$/ { f += $3 }
     /^(ℹ|#) skipped [0-9]+$/ { s += $3 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log" "$TERN_TEST_SKIP_LOG"
