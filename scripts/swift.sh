#!/usr/bin/env bash
# A throw-away OpenStack Swift with its S3 layer, for the tests of tern's S3 file storage:
#   eval "$(scripts/swift.sh start)"   installs Swift from Debian if missing (root), starts it on
#                                       free ports in a scratch directory, creates the bucket, and
#                                       prints the TERN_TEST_S3_* variables the tests read
#   scripts/swift.sh stop              stops it and removes the scratch directory
# One replica, one device, tempauth with the S3 key "test:tester" / "testing"; path-style
# requests, region us-east-1. Never touches a Swift the machine runs itself.
set -euo pipefail
STATE=${TERN_SWIFT_DIR:-/tmp/tern-test-swift}

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install() {
    if command -v swift-proxy-server >/dev/null 2>&1 && command -v memcached >/dev/null 2>&1; then return; fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "swift.sh: install Debian's swift-proxy swift-account swift-container swift-object memcached" >&2
        exit 1
    fi
    echo "==> installing OpenStack Swift (S3 storage tests)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        swift-proxy swift-account swift-container swift-object memcached >/dev/null
}

start() {
    install
    stop >/dev/null 2>&1 || true
    mkdir -p "$STATE/srv/d1" "$STATE/log"
    local proxy account container object cache
    proxy=$(free_port); account=$(free_port); container=$(free_port); object=$(free_port); cache=$(free_port)
    # Swift reads its hash settings from /etc/swift/swift.conf; the package ships one.
    if [ ! -f /etc/swift/swift.conf ]; then
        mkdir -p /etc/swift
        printf '[swift-hash]\nswift_hash_path_suffix = tern-test\nswift_hash_path_prefix = tern-test\n' > /etc/swift/swift.conf
    fi
    (
        cd "$STATE"
        for ring in account:$account container:$container object:$object; do
            name=${ring%%:*}; port=${ring##*:}
            swift-ring-builder "$name.builder" create 8 1 1 >/dev/null
            swift-ring-builder "$name.builder" add "r1z1-127.0.0.1:$port/d1" 100 >/dev/null
            swift-ring-builder "$name.builder" rebalance >/dev/null 2>&1 || true
        done
    )
    for server in account:$account container:$container object:$object; do
        name=${server%%:*}; port=${server##*:}
        cat > "$STATE/$name-server.conf" <<EOF
[DEFAULT]
devices = $STATE/srv
mount_check = false
bind_ip = 127.0.0.1
bind_port = $port
workers = 0
swift_dir = $STATE
log_level = WARNING

[pipeline:main]
pipeline = $name-server

[app:$name-server]
use = egg:swift#$name
EOF
    done
    cat > "$STATE/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $proxy
workers = 0
swift_dir = $STATE
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$cache
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF
    memcached -d -u "$(id -un)" -l 127.0.0.1 -p "$cache" -P "$STATE/memcached.pid"
    for name in account container object proxy; do
        "swift-$name-server" "$STATE/$name-server.conf" >"$STATE/log/$name.log" 2>&1 &
        echo $! > "$STATE/$name.pid"
    done
    # Just installed, on a slow machine, Swift's first start takes a while: up to a minute.
    for _ in $(seq 1 300); do
        if curl -sf "http://127.0.0.1:$proxy/healthcheck" >/dev/null 2>&1; then break; fi
        sleep 0.2
    done
    curl -sf "http://127.0.0.1:$proxy/healthcheck" >/dev/null || { echo "swift.sh: Swift did not start; see $STATE/log" >&2; exit 1; }
    # The bucket is a Swift container, made through Swift's own API. The proxy answers before
    # the account and container servers do: try until they take it (up to a minute).
    local auth token url made=""
    for _ in $(seq 1 60); do
        auth=$(curl -si -H "X-Auth-User: test:tester" -H "X-Auth-Key: testing" "http://127.0.0.1:$proxy/auth/v1.0" || true)
        token=$(printf '%s' "$auth" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-auth-token" { print $2 }')
        url=$(printf '%s' "$auth" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-storage-url" { print $2 }')
        if [ -n "$token" ] && curl -sf -X PUT -H "X-Auth-Token: $token" "$url/tern-files" >/dev/null 2>&1; then
            made=yes
            break
        fi
        sleep 1
    done
    [ -n "$made" ] || { echo "swift.sh: Swift did not take the bucket; see $STATE/log" >&2; exit 1; }
    cat <<EOF
export TERN_TEST_S3_ENDPOINT=http://127.0.0.1:$proxy
export TERN_TEST_S3_BUCKET=tern-files
export TERN_TEST_S3_ACCESS_KEY=test:tester
export TERN_TEST_S3_SECRET_KEY=testing
EOF
}

stop() {
    for pidfile in "$STATE"/*.pid; do
        [ -f "$pidfile" ] || continue
        kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    rm -rf "$STATE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
