#!/usr/bin/env bash
# Figures of issue #17 ("hold under hostile input, load and faults"), printed as one table:
#
#   scripts/figures.sh [--short] [--skip-fuzz]
#
# - fuzz: every parser of outside input through proptest (server/tests/fuzz/), PROPTEST_CASES
#   cases per target (full: 10,000; short: 256, as in the normal test run): cases and panics;
# - load: a closed-loop run over catalog, search, permissions and topology pages as three demo
#   users (server/examples/load.rs, 32 connections), 60 s (short: 10 s): requests/s, errors
#   (must be 0), p50/p99, the console's RSS before, right after and after 10 s idle;
# - memory: RSS after 100,000 (short: 10,000) requests with distinct methods, paths, queries and
#   cookies, against a budget (FC_RSS_BUDGET_MIB, 256);
# - faults: the registry's PostgreSQL stopped during a load run and started again: 5xx (must be
#   0), the stale banner while it is down, and fresh again within one refresh interval.
#
# The console is FC_CONSOLE_BIN (default target/release/feast-console, built by scripts/start.sh)
# serving a PostgreSQL registry that real Feast writes (scripts/make-registries.sh --backends pg).
# PostgreSQL is the one scripts/test.sh started (PG_TEST_DIR, FC_TEST_PG_URL) or one of its own.
# Exits non-zero when a check fails (a panic, an error or 5xx, the memory budget, the stale
# banner or the return to fresh); requests/s below 500 is marked in the table but does not fail,
# as it measures the machine as much as the console.
set -euo pipefail
figures_started=$(date +%s)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

short=0 fuzz=1
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=1; shift ;;
    --skip-fuzz) fuzz=0; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "figures: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$short" = 1 ]; then
  load_seconds=10 distinct_requests=10000 fuzz_cases=256
else
  load_seconds=60 distinct_requests=100000 fuzz_cases=10000
fi
refresh_seconds=5
budget_mib=${FC_RSS_BUDGET_MIB:-256}
bin=${FC_CONSOLE_BIN:-$ROOT/target/release/feast-console}
[ -x "$bin" ] || { echo "figures: no console binary at $bin (build it with scripts/start.sh --build-only, or set FC_CONSOLE_BIN)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/fc-figures.XXXXXX)
SERVER_PID="" LOAD_PID="" own_pg=0
# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
cleanup() {
  if [ -n "$LOAD_PID" ]; then kill "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  [ "$own_pg" = 1 ] && pg_stop
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
say() { printf '\033[1m[figures]\033[0m %s\n' "$*" >&2; }

declare -a ROWS=()
failed=0
# row FIGURE VALUE TARGET OK(1|0|-): one line of the summary table; OK=0 fails the run.
row() {
  local mark=ok
  case "$4" in 0) mark=FAIL; failed=1 ;; -) mark="" ;; low) mark="below target" ;; esac
  ROWS+=("| $1 | $2 | $3 | $mark |")
}
rss_mib() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# --- fuzz ------------------------------------------------------------------------------------
if [ "$fuzz" = 1 ]; then
  say "fuzz: $fuzz_cases cases per target"
  set +e
  PROPTEST_CASES=$fuzz_cases cargo test -q --locked -p server --test fuzz -- --nocapture --test-threads 2 \
    >"$WORK/fuzz.log" 2>&1
  fuzz_status=$?
  set -e
  while read -r line; do
    target=$(sed -n 's/^fuzz \(.*\): [0-9]* cases.*/\1/p' <<<"$line")
    cases=$(sed -n 's/^fuzz .*: \([0-9]*\) cases.*/\1/p' <<<"$line")
    row "fuzz: $target" "$cases cases, 0 panics" "0 panics" 1
  done < <(grep -ao 'fuzz [^:]*: [0-9]* cases, 0 panics' "$WORK/fuzz.log")
  if [ "$fuzz_status" != 0 ]; then
    grep -a -A20 'panicked\|failed after' "$WORK/fuzz.log" | head -60 >&2 || tail -40 "$WORK/fuzz.log" >&2
    row "fuzz" "a target failed (see above)" "0 panics" 0
  fi
fi

# --- the console on a PostgreSQL registry written by real Feast --------------------------------
if [ -z "${PG_TEST_DIR:-}" ] || [ -z "${FC_TEST_PG_URL:-}" ]; then
  pg_start; own_pg=1
fi
pg_ctl_as_owner() { _pg_as_owner "$(pg_bin)/pg_ctl" -D "$PG_TEST_DIR/data" "$@"; }
say "real Feast writes the PostgreSQL registry"
bash scripts/make-registries.sh --backends pg --pg-admin-url "$FC_TEST_PG_URL" --out "$WORK/fixtures" >"$WORK/feast.log" 2>&1 \
  || { cat "$WORK/feast.log" >&2; exit 1; }
registry_url=$(head -1 "$WORK/fixtures/pg/registry_url.txt")

say "building the load generator (server/examples/load.rs)"
cargo build -q --locked -p server --example load
load=$ROOT/target/debug/examples/load

port=$(free_port)
base=http://127.0.0.1:$port
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$WORK/data" --site-root "$ROOT/target/site" \
  --log-level warn --registry "feast=$registry_url" --registry-refresh-seconds "$refresh_seconds" \
  >"$WORK/console.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/console.log" >&2; echo "figures: the console exited during start-up" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || { cat "$WORK/console.log" >&2; echo "figures: the console is not ready" >&2; exit 1; }
# Ready does not wait for the first registry read.
for _ in $(seq 1 300); do
  curl -fsS "$base/readyz" | grep -q '"loaded":true' && break
  sleep 0.2
done

page() { curl -sS -H "Cookie: fc_demo_user=${2:-ada-admin}" "$base$1"; }
# One project and one feature view page of the registry, found as a user finds them; as the
# viewer, who sees least, so that every user of the mix may see them.
detail=$(page /catalog/feature-views vic-viewer | { grep -o 'href="/registries/[^"]*/feature-views/[^"]*"' || true; } | head -1 | sed 's/^href="//; s/"$//')
project=$(sed 's#^\(/registries/[^/]*/projects/[^/]*\)/.*#\1#' <<<"$detail")
[ -n "$detail" ] || { echo "figures: the catalog lists no feature view" >&2; exit 1; }
pages=(/catalog /catalog/feature-views "/catalog/entities?sort=-updated" "/search?q=driver" "/search?q=kind:fv+conv"
  "$project" "$detail" /permissions /topology)
path_args=(); for p in "${pages[@]}"; do path_args+=(--path "$p"); done
users=(--user ada-admin --user sam-sre --user vic-viewer)

# --- load --------------------------------------------------------------------------------------
say "load: ${load_seconds} s, 32 connections, ${#pages[@]} pages x 3 demo users"
# Warm-up: the first visit of each page builds the search index and visibility decisions.
"$load" --base "$base" --connections 4 mix --seconds 2 "${path_args[@]}" "${users[@]}" >/dev/null
rss_before=$(rss_mib)
"$load" --base "$base" --connections 32 mix --seconds "$load_seconds" "${path_args[@]}" "${users[@]}" \
  >"$WORK/load.out" 2>"$WORK/load.err" &
LOAD_PID=$!
rss_peak=$rss_before
while kill -0 "$LOAD_PID" 2>/dev/null; do
  r=$(rss_mib); [ "$r" -gt "$rss_peak" ] && rss_peak=$r; sleep 1
done
wait "$LOAD_PID"; LOAD_PID=""
load_line=$(cat "$WORK/load.out"); cat "$WORK/load.err" >&2; echo "$load_line" >&2
rss_after=$(rss_mib)
sleep 10
rss_idle=$(rss_mib)
rps=$(field rps "$load_line"); errors=$(field errors "$load_line")
row "load: requests/s (${load_seconds} s, 32 connections)" "$rps ($(field requests "$load_line") requests)" "≥ 500" "$([ "$rps" -ge 500 ] && echo 1 || echo low)"
row "load: errors (any answer but 200)" "$errors" "0" "$([ "$errors" = 0 ] && echo 1 || echo 0)"
row "load: latency p50 / p99" "$(field p50_ms "$load_line") / $(field p99_ms "$load_line") ms" "" -
# Back to its level: within 25% (+16 MiB for allocator slack) of the RSS before the run.
back=$(( rss_idle <= rss_before * 5 / 4 + 16 ))
row "load: RSS before / peak / after / after 10 s idle" "$rss_before / $rss_peak / $rss_after / $rss_idle MiB" "back to its level (≤ before +25% +16 MiB)" "$back"

# --- memory ------------------------------------------------------------------------------------
say "memory: $distinct_requests distinct requests"
rss_before=$(rss_mib)
distinct_line=$("$load" --base "$base" --connections 32 distinct --requests "$distinct_requests")
rss_after=$(rss_mib)
errors=$(field errors "$distinct_line")
row "memory: RSS before / after $distinct_requests distinct requests" "$rss_before / $rss_after MiB" "≤ $budget_mib MiB" "$([ "$rss_after" -le "$budget_mib" ] && echo 1 || echo 0)"
row "memory: 5xx or failed among distinct requests" "$errors ($(field statuses "$distinct_line"))" "0" "$([ "$errors" = 0 ] && echo 1 || echo 0)"

# --- faults ------------------------------------------------------------------------------------
say "faults: registry PostgreSQL stopped and started under load"
# The banner of project and detail pages (catalog/pages/parts.rs RegistryBanner) and the
# registry's error on the overview; list and search pages have neither.
stale() {
  local html; html=$(page "$1")
  case "$1" in
    /catalog) grep -q 'class="registry-error"' <<<"$html" ;;
    *) grep -q 'This data may be out of date' <<<"$html" ;;
  esac
}
all_stale() { stale /catalog && stale "$project" && stale "$detail"; }
none_stale() { ! stale /catalog && ! stale "$project" && ! stale "$detail"; }
none_stale || { echo "figures: the catalog is stale before the fault" >&2; exit 1; }
"$load" --base "$base" --connections 16 mix --seconds 300 --stop-file "$WORK/fault.done" "${path_args[@]}" "${users[@]}" \
  >"$WORK/fault.out" 2>"$WORK/fault.err" &
LOAD_PID=$!
sleep 3
pg_ctl_as_owner -m fast -w stop >/dev/null
stopped=$(date +%s.%N)
to_stale=""
# A refresh waits up to the pool's 10 s connect timeout (registry/sql.rs) before it fails.
for _ in $(seq 1 150); do
  # Timed from when the pages were asked for, not from their (loaded) answers.
  asked=$(date +%s.%N)
  if all_stale; then to_stale=$(awk -v a="$stopped" -v b="$asked" 'BEGIN { printf "%.1f", b - a }'); break; fi
  sleep 0.2
done
sleep 3
pg_ctl_as_owner -l "$PG_TEST_DIR/server.log" -w -t 60 start >/dev/null
started=$(date +%s.%N)
to_fresh=""
for _ in $(seq 1 $((refresh_seconds * 20))); do
  asked=$(date +%s.%N)
  if none_stale; then to_fresh=$(awk -v a="$started" -v b="$asked" 'BEGIN { printf "%.1f", b - a }'); break; fi
  sleep 0.2
done
sleep 2
touch "$WORK/fault.done"
wait "$LOAD_PID"; LOAD_PID=""
fault_line=$(cat "$WORK/fault.out"); cat "$WORK/fault.err" >&2; echo "$fault_line" >&2
statuses=$(field statuses "$fault_line")
fives=$(tr ',' '\n' <<<"$statuses" | awk -F: '$1 ~ /^5/ || $1 == "failed" { s += $2 } END { print s + 0 }')
row "faults: 5xx or failed while PostgreSQL was stopped and started" "$fives of $(field requests "$fault_line") ($statuses)" "0" "$([ "$fives" = 0 ] && echo 1 || echo 0)"
row "faults: errors (any answer but 200) in that run" "$(field errors "$fault_line")" "0" "$([ "$(field errors "$fault_line")" = 0 ] && echo 1 || echo 0)"
row "faults: stale banner (overview, project, detail pages) after the stop" "${to_stale:-never} s" "shown" "$([ -n "$to_stale" ] && echo 1 || echo 0)"
fresh_ok=0
[ -n "$to_fresh" ] && awk -v t="$to_fresh" -v r="$refresh_seconds" 'BEGIN { exit !(t <= r + 1) }' && fresh_ok=1
row "faults: fresh again after the start" "${to_fresh:-never} s" "≤ one refresh ($refresh_seconds s)" "$fresh_ok"
kill -0 "$SERVER_PID" 2>/dev/null || row "console" "exited" "running" 0

# --- summary -----------------------------------------------------------------------------------
mode=full; [ "$short" = 1 ] && mode=short
echo
echo "Figures ($mode run of $(( $(date +%s) - figures_started )) s, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg), console $(basename "$(dirname "$bin")") build)"
echo "| figure | value | target | result |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
exit "$failed"
