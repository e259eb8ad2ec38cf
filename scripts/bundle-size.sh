#!/usr/bin/env bash
# What a first visit to each page downloads of wasm + JS, gzipped, and what the largest parts
# are (issue #20: at most 300 KB for any page, 450 KB for the permission editor; KB = 1,000 bytes).
# The one place this is counted: scripts/bench-catalog.sh and scripts/test.sh call it.
#
#   scripts/bundle-size.sh [--url BASE] [--site DIR] [--check] [--budget BYTES]
#                          [--editor-budget BYTES] [--top N] [PAGE ...]
#
# - without --url it starts the release console (target/release/feast-console serve, embedded
#   defaults: the demo registry, no identity provider) on a free loopback port with a throwaway
#   data folder, and stops it at the end;
# - pages are fetched as the demo admin (cookie fc_demo_user=ada-admin, development mode); the
#   default pages are one address for every route of the app's router (app/src/shell/mod.rs);
# - --site is the site the console serves (default target/site); its pkg/ holds the files;
# - --check exits 1 when a page is over its budget (or names no route module); the budgets are
#   the issue's, 300,000 and 450,000 bytes, unless --budget / --editor-budget say otherwise;
# - --top N lists the N largest files of each visit (default 3).
#
# A first visit loads the shell (the bindings JS, the main wasm, the split loader), the page's
# route module (named in its preload links) and every chunk the split manifest lists for that
# module; other pages' code loads when they are opened. The bytes are those files concatenated
# and gzipped at level 9, one stream: close to what a browser gets over a compressing server.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

url="" site="$ROOT/target/site" check=0 top=3 budget=300000 editor_budget=450000
pages=()
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url=${2:?--url needs an address}; shift 2 ;;
    --site) site=${2:?--site needs a folder}; shift 2 ;;
    --check) check=1; shift ;;
    --budget) budget=${2:?--budget needs bytes}; shift 2 ;;
    --editor-budget) editor_budget=${2:?--editor-budget needs bytes}; shift 2 ;;
    --top) top=${2:?--top needs a number}; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bundle-size: unknown argument $1 (see --help)" >&2; exit 2 ;;
    *) pages+=("$1"); shift ;;
  esac
done
[ -f "$site/pkg/__wasm_split_manifest.json" ] || { echo "bundle-size: no split site at $site (build it: scripts/start.sh --build-only)" >&2; exit 2; }

# One address per route of the router (app/src/shell/mod.rs), in the demo registry and cluster.
if [ ${#pages[@]} = 0 ]; then
  pages=(/ /catalog/feature-views "/search?q=driver" /registries/demo/projects/driver_ranking
    /registries/demo/projects/driver_ranking/feature-views/driver_hourly_stats
    /permissions "/permissions/edit?registry=demo&project=driver_ranking&name=ranking_readers"
    /permissions/audit /topology /topology/team-a/team-a /cache /cache/team-a/team-a
    /recovery /recovery/team-a/team-a)
fi

pid="" data=""
stop() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$data" ]; then rm -rf "$data"; fi
}
trap stop EXIT
if [ -z "$url" ]; then
  bin=$ROOT/target/release/feast-console
  [ -x "$bin" ] || { echo "bundle-size: no release binary at $bin (scripts/start.sh --build-only)" >&2; exit 2; }
  # shellcheck source=lib/net.sh
  source scripts/lib/net.sh
  port=$(free_port)
  data=$(mktemp -d)
  "$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" --site-root "$site" --log-level warn \
    >"$data/console.log" 2>&1 &
  pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    curl -fsS "$url/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "bundle-size: the console exited during start-up" >&2; tail -n 20 "$data/console.log" >&2; exit 2; }
    sleep 0.2
  done
fi

html=$(mktemp -d)
trap 'stop; rm -rf "$html"' EXIT
i=0
for page in "${pages[@]}"; do
  # Some renders carry no preload links at all (Leptos 0.8 collects a page's lazy modules while
  # it renders and sometimes misses them; the browser then loads the same module a little later,
  # and the page cache may keep such a render): ask again a few times, then take the module
  # from the route table below.
  for _ in 1 2 3; do
    curl -fsS -b fc_demo_user=ada-admin -o "$html/$i.html" "$url$page" \
      || { echo "bundle-size: GET $page failed" >&2; exit 2; }
    grep -q 'href="/pkg/split_' "$html/$i.html" && break
  done
  i=$((i + 1))
done

python3 - "$site/pkg" "$html" "$check" "$top" "$budget" "$editor_budget" "${pages[@]}" <<'PY'
import gzip, json, os, re, sys

pkg, html, check, top = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
BUDGET, EDITOR_BUDGET, pages = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7:]


def gz(paths):
    return len(gzip.compress(b"".join(open(p, "rb").read() for p in paths), 9))


shell = [os.path.join(pkg, "feast-console.js"), os.path.join(pkg, "feast-console.wasm")]
shell += sorted(os.path.join(pkg, f) for f in os.listdir(pkg) if f.startswith("__wasm_split") and f.endswith(".js"))
with open(os.path.join(pkg, "__wasm_split_manifest.json")) as f:
    manifest = json.load(f)
# The route table of app/src/shell/mod.rs: path pattern -> the lazy route's split module, for a
# render that carries no preload links.
ROUTES = [
    (r"/(catalog)?", "catalog_route_view"), (r"/catalog/[^/]+", "catalog_list_route_view"),
    (r"/search", "catalog_search_route_view"), (r"/registries/[^/]+/projects/[^/]+", "catalog_project_route_view"),
    (r"/registries/[^/]+/projects/[^/]+/[^/]+/[^/]+", "catalog_detail_route_view"),
    (r"/permissions", "permissions_route_view"), (r"/permissions/edit", "permission_editor_route_view"),
    (r"/permissions/audit", "permission_audit_route_view"), (r"/topology", "topology_route_view"),
    (r"/topology/[^/]+/[^/]+", "feature_store_route_view"), (r"/cache", "cache_route_view"),
    (r"/cache/[^/]+/[^/]+", "cache_detail_route_view"), (r"/recovery", "recovery_route_view"),
    (r"/recovery/[^/]+/[^/]+", "recovery_deployment_route_view"),
]


def route_module(page):
    path = page.split("?")[0]
    for pattern, name in ROUTES:
        if re.fullmatch(pattern, path):
            keys = [k for k in manifest if re.fullmatch(f"__{name}_[0-9]+", k)]
            return f"split_{keys[0]}.wasm" if len(keys) == 1 else None
    return None


everything = sorted(os.path.join(pkg, f) for f in os.listdir(pkg) if f.endswith((".wasm", ".js")))
print(f"wasm + JS gzipped, all of it: {gz(everything)} bytes in {len(everything)} files; the shell alone: {gz(shell)} bytes")
over = []
for i, page in enumerate(pages):
    text = open(os.path.join(html, f"{i}.html"), encoding="utf-8").read()
    found = re.search(r'href="/pkg/(split_[^"]*[.]wasm)"', text)
    module = found.group(1) if found else route_module(page)
    files = list(shell)
    chunks = []
    if module:
        files.append(os.path.join(pkg, module))
        # The manifest lists the route module among its chunks: each file is counted once.
        chunks = [c for c in manifest.get(module[len("split_"):-len(".wasm")], []) if c + ".wasm" != module]
        files += [os.path.join(pkg, c + ".wasm") for c in chunks]
    total = gz(files)
    budget = EDITOR_BUDGET if page.startswith("/permissions/edit") else BUDGET
    verdict = "ok" if total <= budget else "OVER"
    if not module:
        verdict = "NO ROUTE MODULE"
    if verdict != "ok":
        over.append(page)
    largest = sorted(((gz([p]), os.path.basename(p)) for p in files), reverse=True)[:top]
    parts = "; largest: " + ", ".join(f"{name} {size}" for size, name in largest) if largest else ""
    print(f"first visit to {page:<72} {total:>8} bytes gzipped ({len(chunks)} chunks; budget {budget}: {verdict}){parts}")
if check and over:
    print(f"bundle-size: over budget or without a route module: {' '.join(over)}", file=sys.stderr)
    sys.exit(1)
PY
