#!/usr/bin/env bash
# Scale benchmark (issue #20): the console on 10,000 and 100,000 feature views in a SQL registry
# written with Feast's schema and protobufs (and the 10,000-view file registry), beside Feast's
# own server on the same registries. Not a test: it prints a table, and exits non-zero only when
# it cannot measure.
#
#   scripts/bench-scale.sh [--console DIR] [--baseline DIR] [--quick] [--duration SECONDS]
#                          [--feast-limit SECONDS] [--out FILE]
#
# - the console measured is DIR/feast-console with DIR/site (default: target/release and
#   target/site, as `scripts/start.sh --build-only` builds them); --baseline DIR runs the same
#   rows for a second build (DIR/feast-console, DIR/site), so one run prints before and after;
# - registries: an empty SQL registry (the base), the synthetic file registry (10,000 views),
#   SQL registries of 10,000 (50 projects x 200) and 100,000 views (100 x 1,000), written by
#   `cargo run -p server --example synthetic_sql_registry` (a dev tool; debug build);
# - per console and registry, page cache off (page_cache_ms=0: every request renders, as for
#   signed-in users): the first full load (`feast_console_registry_load_seconds` on /metrics of
#   the ops port; "ready" is the time from start to /readyz, for builds without that gauge), RSS
#   (VmRSS) after the load and after a mixed page run (wrk, 8 connections: list pages, page 150,
#   searches, detail and project pages, the overview, as the admin and as the viewer demo user),
#   bytes per view ((RSS - RSS on the empty registry) / views), then wrk p50/p99 at 1 connection
#   and p99 at 64 connections for the list page, page 150 and search;
# - Feast 0.67 (`feast ui`, the pinned venv) on the same registries: time to answer /health, RSS
#   then, and one timed request each for a project's list (as its UI asks) and search, each given
#   --feast-limit seconds (default 120; "did not answer in N s" past it);
# - the first-visit wasm + JS of the list page, per build.
# --quick: 10,000 views only, 2 s runs, Feast limit 30 s (checks the script, about 3 minutes).
# The full table takes about 12 minutes with the defaults (8 s runs) and both builds.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
source scripts/lib/bench.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

console_dir="" baseline="" quick=0 duration=8 feast_limit=120 out="$ROOT/target/bench/scale.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --console) console_dir=${2:?--console needs a folder}; shift 2 ;;
    --baseline) baseline=${2:?--baseline needs a folder}; shift 2 ;;
    --quick) quick=1; duration=2; feast_limit=30; shift ;;
    --duration) duration=${2:?--duration needs seconds}; shift 2 ;;
    --feast-limit) feast_limit=${2:?--feast-limit needs seconds}; shift 2 ;;
    --out) out=${2:?--out needs a file}; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-scale: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$console_dir" ]; then
  builds=("after=$console_dir/feast-console=$console_dir/site")
else
  builds=("after=$ROOT/target/release/feast-console=$ROOT/target/site")
fi
[ -n "$baseline" ] && builds=("before=$baseline/feast-console=$baseline/site" "${builds[@]}")
for b in "${builds[@]}"; do
  IFS== read -r _ bin site <<<"$b"
  [ -x "$bin" ] || { echo "bench-scale: no console binary at $bin" >&2; exit 2; }
  [ -d "$site/pkg" ] || { echo "bench-scale: no site at $site" >&2; exit 2; }
done
feast=$ROOT/.venv/feast/bin/feast
[ -x "$feast" ] || { echo "bench-scale: no Feast venv at .venv/feast (run scripts/setup.sh)" >&2; exit 2; }
need_wrk

WORK=$(mktemp -d)
pids=()
# KILL, not TERM: uvicorn's graceful stop would first finish Feast's backlog, for minutes.
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$(dirname "$out")"
: > "$out"
log() { echo "$*" | tee -a "$out"; }
now() { date +%s.%N; }
rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# Registries: name, kind (sql|file), projects, views per project.
registries=("sql-10k sql 50 200" "file-10k file 50 200")
[ "$quick" = 0 ] && registries+=("sql-100k sql 100 1000")
# One build of both writers (one wait for a shared build directory's lock), then their binaries.
cargo build -q --locked -p server --example synthetic_sql_registry --example synthetic_registry
gen() { local name=$1; shift; "${CARGO_TARGET_DIR:-$ROOT/target}/debug/examples/$name" "$@"; }
gen synthetic_sql_registry --out "$WORK/empty.sqlite" --projects 0
for r in "${registries[@]}"; do
  read -r name kind projects views <<<"$r"
  if [ "$kind" = sql ]; then
    gen synthetic_sql_registry --out "$WORK/$name.sqlite" --projects "$projects" --views-per-project "$views"
  else
    gen synthetic_registry --out "$WORK/$name.db" --projects "$projects" --views-per-project "$views"
  fi
done
source_of() { # registry name -> the console's source and Feast's registry block
  case "$1" in
    empty) echo "sqlite:///$WORK/empty.sqlite" ;;
    file-*) echo "$WORK/$1.db" ;;
    *) echo "sqlite:///$WORK/$1.sqlite" ;;
  esac
}

# The mixed page run: what people open, as the admin (no cookie: the first demo user) and as
# the viewer, cycling through the list.
cat > "$WORK/mixed.lua" <<'LUA'
paths = { "/catalog", "/catalog/feature-views", "/catalog/feature-views?page=150",
  "/catalog/feature-views?registry=synthetic&project=project_07", "/catalog/entities",
  "/search?q=view_0042", "/search?q=viwe_0042", "/search?q=feature_3",
  "/registries/synthetic/projects/project_07", "/registries/synthetic/projects/project_33",
  "/registries/synthetic/projects/project_07/feature-views/view_0042",
  "/registries/synthetic/projects/project_21/feature-views/view_0150",
  "/registries/synthetic/projects/project_49/feature-views/view_0007" }
i = 0
request = function()
  i = i + 1
  local headers = {}
  if math.floor(i / #paths) % 2 == 1 then headers["Cookie"] = "fc_demo_user=vic-viewer" end
  return wrk.format("GET", paths[i % #paths + 1], headers)
end
LUA

# name conns url: "p50 p99" in ms
wrk_ms() {
  local threads=2; [ "$2" = 1 ] && threads=1
  local res; res=$(wrk -t"$threads" -c"$2" -d"${duration}s" --timeout 60s --latency "$3" 2>&1)
  local p50 p99
  p50=$(echo "$res" | awk '$1 == "50%" { print $2 }') p99=$(echo "$res" | awk '$1 == "99%" { print $2 }')
  # No percentile: not one request was answered within the run.
  if [ -z "$p50" ]; then echo "none-in-${duration}s none-in-${duration}s"; return; fi
  echo "$(to_ms "$p50") $(to_ms "$p99")"
}

declare -A BASE_LOAD BASE_PAGES
# build label, binary, site, registry name, views
console_row() {
  local label=$1 bin=$2 site=$3 reg=$4 views=$5
  local port ops start ready pid load rss_load rss_pages
  port=$(free_port) ops=$(free_port)
  start=$(now)
  FEAST_CONSOLE_PAGE_CACHE_MS=0 "$bin" serve --listen "127.0.0.1:$port" --ops-listen "127.0.0.1:$ops" \
    --data-dir "$WORK/data-$label-$reg" --site-root "$site" --log-level warn \
    --registry-ready-seconds 900 --registry "synthetic=$(source_of "$reg")" 2>>"$WORK/console.log" &
  pid=$!
  pids+=("$pid")
  wait_for "http://127.0.0.1:$ops/readyz" 900
  ready=$(awk -v s="$start" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }')
  load=$(curl -fsS "http://127.0.0.1:$ops/metrics" | awk '/^feast_console_registry_load_seconds\{/ { printf "%.2f s", $2 }')
  rss_load=$(rss_mib "$pid")
  local C=http://127.0.0.1:$port
  wrk -t2 -c8 -d"${duration}s" --timeout 60s -s "$WORK/mixed.lua" "$C" >/dev/null 2>&1
  rss_pages=$(rss_mib "$pid")
  if [ "$reg" = empty ]; then
    BASE_LOAD[$label]=$rss_load BASE_PAGES[$label]=$rss_pages
    log "| $label console | empty SQL registry (base) | 0 | ${load:-n/a (no gauge)} | $ready s | $rss_load / $rss_pages MiB | | | | | |"
  else
    local per list p150 search
    per=$(awk -v a="$rss_load" -v b="${BASE_LOAD[$label]}" -v c="$rss_pages" -v d="${BASE_PAGES[$label]}" -v n="$views" \
      'BEGIN { printf "%.0f / %.0f", (a - b) * 1048576 / n, (c - d) * 1048576 / n }')
    read -r l50 l99 <<<"$(wrk_ms list 1 "$C/catalog/feature-views")"
    read -r p50 p99 <<<"$(wrk_ms p150 1 "$C/catalog/feature-views?page=150")"
    read -r s50 s99 <<<"$(wrk_ms search 1 "$C/search?q=view_0042")"
    read -r _ l64 <<<"$(wrk_ms list 64 "$C/catalog/feature-views")"
    read -r _ p64 <<<"$(wrk_ms p150 64 "$C/catalog/feature-views?page=150")"
    read -r _ s64 <<<"$(wrk_ms search 64 "$C/search?q=view_0042")"
    log "| $label console | $reg | $views | ${load:-n/a (no gauge)} | $ready s | $rss_load / $rss_pages MiB | $per B | $l50 / $l99 | $p50 / $p99 | $s50 / $s99 | $l64 / $p64 / $s64 |"
  fi
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# url, limit: "SECONDS" or "did not answer in N s"
timed() {
  local t
  if t=$(curl -fsS -o /dev/null -w '%{time_total}' --max-time "$2" "$1" 2>/dev/null); then
    awk -v t="$t" 'BEGIN { printf "%.0f ms", t * 1000 }'
  else
    echo "did not answer in $2 s"
  fi
}

feast_row() { # registry name, views
  local reg=$1 views=$2 port repo=$WORK/feast-$1 start pid ready rss list search
  port=$(free_port)
  mkdir -p "$repo"
  if [[ $reg == file-* ]]; then
    echo "registry: $(source_of "$reg")" > "$repo/feature_store.yaml"
  else
    printf 'registry:\n  registry_type: sql\n  path: %s\n  cache_ttl_seconds: 3600\n' "$(source_of "$reg")" > "$repo/feature_store.yaml"
  fi
  cat >> "$repo/feature_store.yaml" <<EOF
project: project_07
provider: local
online_store:
  type: sqlite
  path: $repo/online.db
entity_key_serialization_version: 3
EOF
  start=$(now)
  (cd "$repo" && exec "$feast" ui -h 127.0.0.1 -p "$port" >>"$WORK/feast-ui.log" 2>&1) &
  pid=$!
  pids+=("$pid")
  ready="did not answer in $feast_limit s"
  for _ in $(seq 1 $((feast_limit * 5))); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; then
      ready="$(awk -v s="$start" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }') s"; break
    fi
    sleep 0.2
  done
  rss=$(rss_mib "$pid" 2>/dev/null || echo "?")
  if [[ $ready == did* ]]; then
    list=$ready search=$ready
  else
    list=$(timed "http://127.0.0.1:$port/api/v1/feature_views?project=project_07&include_relationships=true" "$feast_limit")
    search=$(timed "http://127.0.0.1:$port/api/v1/search?query=view_0042" "$feast_limit")
  fi
  local rss_after; rss_after=$(rss_mib "$pid" 2>/dev/null || echo "?")
  log "| Feast $feast_version feast ui | $reg | $views | | $ready (/health) | $rss / $rss_after MiB | | one project's list (as its UI asks): $list | | search: $search | |"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

feast_version=$("$ROOT/.venv/feast/bin/python" -c 'import feast; print(feast.__version__)')
log "scale benchmark $(date -u +%FT%TZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk runs of ${duration} s, page cache off"
for b in "${builds[@]}"; do
  IFS== read -r label bin site <<<"$b"
  log "- $label: $bin, site $site"
done
log ""
log "| server | registry | views | first load (gauge) | ready | RSS after load / after pages | bytes per view (load / pages) | list p50 / p99 ms, c=1 | page 150 p50 / p99 ms, c=1 | search p50 / p99 ms, c=1 | p99 ms at c=64: list / page 150 / search |"
log "|---|---|---|---|---|---|---|---|---|---|---|"
for r in "${registries[@]}"; do
  read -r name _ projects per <<<"$r"
  views=$((projects * per))
  for b in "${builds[@]}"; do
    IFS== read -r label bin site <<<"$b"
    [ -n "${BASE_LOAD[$label]:-}" ] || console_row "$label" "$bin" "$site" empty 0
    console_row "$label" "$bin" "$site" "$name" "$views"
  done
  feast_row "$name" "$views"
done
log ""
for b in "${builds[@]}"; do
  IFS== read -r label bin site <<<"$b"
  port=$(free_port) ops=$(free_port)
  "$bin" serve --listen "127.0.0.1:$port" --ops-listen "127.0.0.1:$ops" --data-dir "$WORK/data-$label-sizes" \
    --site-root "$site" --log-level warn --registry "synthetic=$(source_of sql-10k)" 2>>"$WORK/console.log" &
  pid=$!
  pids+=("$pid")
  wait_for "http://127.0.0.1:$ops/readyz" 120
  # scripts/bundle-size.sh is the one place that counts a first visit.
  bash scripts/bundle-size.sh --url "http://127.0.0.1:$port" --site "$site" --top 0 /catalog/feature-views \
    | while IFS= read -r line; do log "$label: $line"; done
  kill -9 "$pid" 2>/dev/null || true
  # Reaped here, so the shell does not report the kill in the table's output.
  wait "$pid" 2>/dev/null || true
done
log ""
log "targets (#20): RSS <= 60 MB at 10,000 views and <= 250 MB at 100,000 (<= 1.5 KB per view beyond the base); load 10,000 <= 150 ms, 100,000 <= 1.5 s; list and search <= 1 ms at 10,000, search <= 2 ms at 100,000 (c=1); p99 <= 20 ms at c=64"
echo "written to $out"
