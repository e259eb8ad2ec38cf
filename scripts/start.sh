#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release site and server, and
# starts feast-console on 127.0.0.1:3000 with embedded defaults (SQLite console DB under ./data,
# the bundled demo registry, no cluster, no identity provider). Extra arguments go to `serve`,
# e.g. scripts/start.sh --listen 127.0.0.1:8080
#
#   scripts/start.sh --check        the same install and build, then start on a free loopback
#                                   port with a throwaway data folder, wait for /readyz, fetch a
#                                   page and a wasm file, and stop (CI runs this: scripts/test.sh)
#   scripts/start.sh --build-only   the same install and build, nothing started (deploy/Containerfile)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=serve
args=()
for arg in "$@"; do
  case "$arg" in
    --check) mode=check ;;
    --build-only) mode=build ;;
    *) args+=("$arg") ;;
  esac
done

started=$(date +%s)
say() { printf '\033[1m[start]\033[0m %s\n' "$*"; }
elapsed() { echo "$(( $(date +%s) - started )) s"; }

listen=127.0.0.1:3000
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --listen) listen=${args[$((i + 1))]:-$listen} ;;
    --listen=*) listen=${args[$i]#--listen=} ;;
  esac
done
if [ "$mode" = serve ]; then
  host=${listen%:*}; port=${listen##*:}
  # Say so before a long build, not after it.
  if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "feast-console: $listen is already in use (is another feast-console running?); choose another address with --listen" >&2
    exit 1
  fi
fi

say "1/2 build tools and the release build (first time: about 17 min on 2 cores; then seconds)"
# shellcheck source=lib/build.sh
source scripts/lib/build.sh
build_release
say "built in $(elapsed)"
[ "$mode" = build ] && exit 0

if [ "$mode" = serve ]; then
  say "2/2 starting on http://$listen (Ctrl-C stops it)"
  exec target/release/feast-console serve --site-root target/site "${args[@]}"
fi

# --check: the same binary and site, started the same way, then probed like a first visitor.
# shellcheck source=lib/net.sh
source scripts/lib/net.sh
port=$(free_port)
data=$(mktemp -d)
log="$data/console.log"
say "2/2 check: starting on 127.0.0.1:$port, data in $data"
target/release/feast-console serve --site-root target/site --data-dir "$data" "${args[@]}" \
  --listen "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap stop EXIT
fail() { echo "[start] check FAILED: $*" >&2; echo "--- console log ---" >&2; tail -n 40 "$log" >&2; exit 1; }
base="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || fail "the console exited during start-up"
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null 2>&1 || fail "/readyz did not answer ready within 30 s"
page=$(curl -fsS "$base/") || fail "GET / failed"
grep -q '<html' <<<"$page" || fail "GET / did not return an HTML page"
# The page names its wasm; fetch exactly that file.
wasm=$(grep -oE '/pkg/[A-Za-z0-9_.-]+\.wasm' <<<"$page" | head -n 1)
[ -n "$wasm" ] || fail "the page names no wasm file"
headers=$(curl -fsS -o "$data/page.wasm" -D - "$base$wasm") || fail "GET $wasm failed"
grep -qi '^content-type: application/wasm' <<<"$headers" || fail "$wasm is not served as application/wasm"
[ "$(head -c 4 "$data/page.wasm" | od -An -tx1 | tr -d ' \n')" = 0061736d ] || fail "$wasm is not a wasm module"
say "check passed: /readyz ready, / served, $wasm ($(wc -c <"$data/page.wasm") bytes) served; $(elapsed) in all"
