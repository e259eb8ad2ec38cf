#!/usr/bin/env bash
# Catalog benchmark (issue #4's performance targets), with Feast's own UI server measured in the
# same run on the same registry. Not a test: it prints figures and ratios, and exits non-zero
# only when it cannot measure.
#
#   scripts/bench-catalog.sh [--skip-build] [--duration SECONDS] [--out FILE]
#
# - builds the release site and server as the README's first command does
#   (`scripts/start.sh --build-only`) unless --skip-build;
# - writes a synthetic file registry of 10,000 feature views in 50 projects
#   (`cargo run -p server --example synthetic_registry`, a dev tool; debug build);
# - serves it with the release console twice (the rendered-page cache on, as shipped, and off with
#   page_cache_ms=0, so both a repeat view and a fresh render are measured) and with `feast ui`
#   from the pinned venv (.venv/feast);
# - drives the consoles with wrk (Debian's `wrk`), 64 connections on 2 threads, and Feast with
#   timed curl requests, and reports p50/p99 and throughput per endpoint, the first page's size,
#   the wasm + JS a first visit loads (scripts/bundle-size.sh: the shell plus that page's lazily
#   loaded chunks) and all of it, gzipped, and the ratios Feast / console for listing and searching feature views.
#
# What is compared with what: Feast's UI lists a project's feature views by fetching
# `/api/v1/feature_views?project=P&include_relationships=true` and then searches them in the
# browser; its server-side search is `/api/v1/search?query=`. The console's equivalents are the
# server-rendered list page and /search (HTML, ready to show) and the search server function.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
source scripts/lib/bench.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

build=1 duration=15 out="$ROOT/target/bench/catalog.txt"
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) build=0; shift ;;
    --duration) duration=${2:?--duration needs seconds}; shift 2 ;;
    --out) out=${2:?--out needs a file}; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-catalog: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
target=$ROOT/target
site=$ROOT/target/site
bin=$target/release/feast-console
feast=$ROOT/.venv/feast/bin/feast

need_wrk
[ -x "$feast" ] || { echo "bench-catalog: no Feast venv at .venv/feast (run scripts/setup.sh)" >&2; exit 2; }
if [ "$build" = 1 ]; then
  bash scripts/start.sh --build-only
fi
[ -x "$bin" ] || { echo "bench-catalog: no release binary at $bin" >&2; exit 2; }
[ -d "$site/pkg" ] || { echo "bench-catalog: no release site at $site" >&2; exit 2; }

WORK=$(mktemp -d)
pids=()
# KILL, not TERM: uvicorn's graceful stop would first finish Feast's backlog, for minutes.
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

cargo run -q --locked -p server --example synthetic_registry -- --out "$WORK/registry.db"
CONSOLE_PORT=$(free_port) FEAST_PORT=$(free_port) NOCACHE_PORT=$(free_port)
"$bin" serve --listen "127.0.0.1:$CONSOLE_PORT" --data-dir "$WORK/data" --site-root "$site" \
  --log-level warn --registry "synthetic=$WORK/registry.db" &
pids+=($!)
FEAST_CONSOLE_PAGE_CACHE_MS=0 "$bin" serve --listen "127.0.0.1:$NOCACHE_PORT" --data-dir "$WORK/data-nocache" \
  --site-root "$site" --log-level warn --registry "synthetic=$WORK/registry.db" &
pids+=($!)
mkdir -p "$WORK/feast-repo"
cat > "$WORK/feast-repo/feature_store.yaml" <<EOF
project: project_00
registry: $WORK/registry.db
provider: local
online_store:
  type: sqlite
  path: $WORK/online.db
entity_key_serialization_version: 3
EOF
feast_pid=
# (Re)starts `feast ui` and waits until it has read the registry. A run of parallel requests
# leaves Feast's single worker a backlog of minutes; a restart clears it for the next run.
start_feast() {
  if [ -n "$feast_pid" ]; then kill -9 "$feast_pid" 2>/dev/null || true; fi
  (cd "$WORK/feast-repo" && exec "$feast" ui -h 127.0.0.1 -p "$FEAST_PORT" >>"$WORK/feast-ui.log" 2>&1) &
  feast_pid=$!
  pids+=("$feast_pid")
  wait_for "$F/health" 120
  curl -fsS -o /dev/null --max-time 300 "$F/api/v1/feature_views?project=project_07"
}
C=http://127.0.0.1:$CONSOLE_PORT F=http://127.0.0.1:$FEAST_PORT N=http://127.0.0.1:$NOCACHE_PORT
wait_for "$C/readyz" 60
wait_for "$N/readyz" 60
start_feast
# Both read the registry lazily: one request each first, outside the measurement.
curl -fsS -o /dev/null "$C/catalog/feature-views?registry=synthetic&project=project_07"
curl -fsS -o /dev/null "$N/catalog/feature-views?registry=synthetic&project=project_07"

# The search server function's path carries a hash; the wasm names it.
search_fn=$(grep -ao '/api/viewer/catalog_search[0-9A-Za-z_]*' "$site"/pkg/*.wasm | head -1 | sed 's/^[^:]*://' || true)

mkdir -p "$(dirname "$out")"
: > "$out"
log() { echo "$*" | tee -a "$out"; }
declare -A P50 RPS
# name, connections, url, [wrk -s script]
measure() {
  local name=$1 conns=$2 url=$3 script=${4:-}
  local threads=2; [ "$conns" = 1 ] && threads=1
  local args=(-t"$threads" -c"$conns" -d"${duration}s" --timeout 120s --latency)
  [ -n "$script" ] && args+=(-s "$script")
  local res; res=$(wrk "${args[@]}" "$url" 2>&1)
  local p50 p99 rps n errs
  p50=$(to_ms "$(echo "$res" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$res" | awk '$1 == "99%" { print $2 }')")
  rps=$(echo "$res" | awk '/Requests\/sec/ { print $2 }')
  n=$(echo "$res" | awk '/requests in/ { print $1 }')
  errs=$(echo "$res" | awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }')
  P50[$name@$conns]=$p50 RPS[$name@$conns]=$rps
  log "$(printf '%-48s c=%-3s p50 %9s ms  p99 %9s ms  %8s req/s  n=%s %s' "$name" "$conns" "$p50" "$p99" "$rps" "$n" "$errs")"
}

# name, parallel, requests, url, [seconds]: curl timings, for a server too slow for a timed wrk
# run; requests unanswered within the limit (default 900 s) count as not answered.
burst() {
  local name=$1 par=$2 total=$3 url=$4 limit=${5:-900} start end
  start=$(date +%s.%N)
  seq "$total" | xargs -P "$par" -I{} curl -s -o /dev/null --max-time "$limit" \
    -w '%{http_code} %{time_total}\n' "$url" > "$WORK/burst.txt" || true
  end=$(date +%s.%N)
  local ok p50 p99 rps
  ok=$(awk '$1 == 200' "$WORK/burst.txt" | wc -l)
  pct() { awk '$1 == 200 { print $2 * 1000 }' "$WORK/burst.txt" | sort -n |
    awk -v p="$1" '{ a[NR] = $1 } END { if (NR) { i = int(NR * p + 0.999); if (i < 1) i = 1; printf "%.2f", a[i] } else print 0 }'; }
  p50=$(pct 0.5) p99=$(pct 0.99)
  rps=$(awk -v n="$ok" -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", n / (e - s) }')
  P50[$name@$par]=$p50 RPS[$name@$par]=$rps
  log "$(printf '%-48s c=%-3s p50 %9s ms  p99 %9s ms  %8s req/s  n=%s of %s' "$name" "$par" "$p50" "$p99" "$rps" "$ok" "$total")"
}

log "catalog benchmark $(date -u +%FT%TZ) on $(nproc) cores; wrk 64 connections, ${duration}s each"
log "registry: 10,000 feature views in 50 projects (synthetic file registry)"
log ""
log "== feast-console (release), rendered-page cache on (page_cache_ms=1000, as shipped) =="
cat > "$WORK/search.lua" <<EOF
wrk.method = "POST"
wrk.body = "text=view_0042"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "$C"
EOF
# The floor: the cheapest answer the server has. Under wrk's closed loop at 64 connections a
# p50 is about 64 / throughput, so this shows what the machine itself allows.
measure "console /healthz (floor: no page, no registry)" 64 "$C/healthz"
console_rows() { # base url, label suffix
  local base=$1 sfx=$2
  for conns in 64 1; do
    measure "console list page, all projects (page 1)$sfx" $conns "$base/catalog/feature-views"
    measure "console list page, one project$sfx" $conns "$base/catalog/feature-views?registry=synthetic&project=project_07"
    measure "console list page, page 150 of 200$sfx" $conns "$base/catalog/feature-views?page=150"
    measure "console list page, tag filter, sorted$sfx" $conns "$base/catalog/feature-views?tag=team%3Dteam-3&sort=-updated"
    measure "console search page /search?q=view_0042$sfx" $conns "$base/search?q=view_0042"
    measure "console search page, fuzzy (viwe_0042)$sfx" $conns "$base/search?q=viwe_0042"
    if [ -n "$search_fn" ] && [ -z "$sfx" ]; then
      measure "console search function (JSON)" $conns "$base$search_fn" "$WORK/search.lua"
    fi
  done
}
console_rows "$C" ""
# Every request a different query: each one misses the page cache (what a new search costs).
cat > "$WORK/distinct.lua" <<'LUA'
counter = 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args) n = id * 1000000 end
function request() n = n + 1; return wrk.format("GET", "/search?q=view_" .. string.format("%04d", n % 10000) .. "&n=" .. n) end
LUA
measure "console search page, a new query each time" 64 "$C/search" "$WORK/distinct.lua"
log ""
log "== feast-console (release), rendered-page cache off (page_cache_ms=0): every request renders =="
console_rows "$N" " (no cache)"
log ""
log "== Feast $("$ROOT/.venv/feast/bin/python" -c 'import feast; print(feast.__version__)') UI server (feast ui), same registry =="
# Feast answers in seconds, not milliseconds: timed requests (sequential, then 64 at once)
# instead of wrk runs.
burst "feast list, one project (as the UI asks)" 1 3 "$F/api/v1/feature_views?project=project_07&include_relationships=true"
burst "feast list, one project, no relationships" 1 5 "$F/api/v1/feature_views?project=project_07"
burst "feast search /api/v1/search?query=view_0042" 1 3 "$F/api/v1/search?query=view_0042"
if all_time=$(curl -fsS -o "$WORK/all.json" -w '%{time_total}' --max-time 180 \
    "$F/api/v1/feature_views/all?include_relationships=true" 2>/dev/null); then
  log "feast list, all projects, as the UI's 'All Projects' asks (one request): ${all_time} s, $(wc -c < "$WORK/all.json") bytes"
else
  log "feast list, all projects, as the UI's 'All Projects' asks (one request): no answer within 180 s"
fi
# 64 at once, each given 120 s: how many Feast answers in that time.
start_feast
burst "feast list, one project (as the UI asks)" 64 64 "$F/api/v1/feature_views?project=project_07&include_relationships=true" 120
start_feast
burst "feast search /api/v1/search?query=view_0042" 64 64 "$F/api/v1/search?query=view_0042" 120
log ""
log "== sizes =="
first=$(curl -fsS "$C/catalog/feature-views" | wc -c)
first_gz=$(curl -fsS "$C/catalog/feature-views" | gzip -9 | wc -c)
log "console first list page: $first bytes ($first_gz gzipped)"
log "console CSS gzipped: $(gzip -9 < "$site/pkg/feast-console.css" | wc -c) bytes"
# The wasm + JS a first visit loads (the shell, the page's route module and its chunks), counted
# by scripts/bundle-size.sh, the one place that counts it.
bash scripts/bundle-size.sh --url "$C" --site "$site" / /catalog/feature-views "/search?q=driver" \
    /registries/synthetic/projects/project_07 \
    /registries/synthetic/projects/project_07/feature-views/view_0042 /permissions /permissions/edit \
    /topology /cache /recovery | while IFS= read -r line; do log "$line"; done
feast_js=$(cat "$(dirname "$(dirname "$feast")")"/lib/python3*/site-packages/feast/ui/build/static/js/main.*.js | gzip -9 | wc -c)
log "feast ui main JS gzipped: $feast_js bytes"
log ""
log "== ratios, Feast / console, same run =="
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.0fx", a / b; else print "n/a (no answer)" }'; }
log "listing one project's feature views, p50 at 1 connection: $(ratio "${P50[feast list, one project (as the UI asks)@1]}" "${P50[console list page, one project@1]}") (cache off: $(ratio "${P50[feast list, one project (as the UI asks)@1]}" "${P50[console list page, one project (no cache)@1]}"))"
log "searching feature views, p50 at 1 connection: $(ratio "${P50[feast search /api/v1/search?query=view_0042@1]}" "${P50[console search page /search?q=view_0042@1]}") (cache off: $(ratio "${P50[feast search /api/v1/search?query=view_0042@1]}" "${P50[console search page /search?q=view_0042 (no cache)@1]}"))"
log "listing, throughput at 64 connections (console / Feast): $(ratio "${RPS[console list page, one project@64]}" "${RPS[feast list, one project (as the UI asks)@64]}")"
log "searching, throughput at 64 connections (console / Feast): $(ratio "${RPS[console search page /search?q=view_0042@64]}" "${RPS[feast search /api/v1/search?query=view_0042@64]}")"
log ""
log "targets: list p50 < 10 ms, p99 < 50 ms; search p50 < 5 ms; first page < 100 KB; wasm + JS of a first visit <= 300 KB gzipped, the permission editor <= 450 KB (scripts/bundle-size.sh)"
echo "written to $out"
