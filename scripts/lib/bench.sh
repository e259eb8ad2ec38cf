# What the benchmark scripts share (scripts/bench-catalog.sh, scripts/bench-scale.sh): ports,
# waiting, wrk's units, and the wasm + JS a first visit to a page loads. Sourced, not run.

# A free TCP port on the loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# url, seconds: waits until url answers 2xx; exits the script when it does not in time.
wait_for() {
  for _ in $(seq 1 $(($2 * 5))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "bench: $1 did not answer within $2 s" >&2; exit 1
}

# wrk prints 812.00us / 3.21ms / 1.05s / 2.00m: milliseconds, two decimals.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.2f", n }'
}

# Installs Debian's wrk when missing (as root), else exits saying so.
need_wrk() {
  command -v wrk >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's wrk"; apt-get install -y wrk >/dev/null
  else
    echo "bench: needs wrk (Debian: apt-get install wrk)" >&2; exit 2
  fi
}

# site, page url: "BYTES CHUNKS", the gzipped wasm + JS a first visit to the page loads: the
# shell (the bindings JS, the main wasm, the split loader), the page's route module (named in
# its preload links) and every chunk the split manifest lists for that module; other pages'
# code loads when they are opened.
first_visit_bytes() {
  local site=$1 url=$2 route shell_files=("$1/pkg/feast-console.js" "$1/pkg/feast-console.wasm")
  for f in "$site"/pkg/__wasm_split*.js; do [ -f "$f" ] && shell_files+=("$f"); done
  route=$(curl -fsS "$url" | grep -o 'href="/pkg/split_[^"]*[.]wasm"' | head -1 | sed 's/^href="//; s/"$//')
  python3 - "$site/pkg" "$route" "${shell_files[@]}" <<'PY'
import gzip, json, os, sys
pkg, route, shell = sys.argv[1], sys.argv[2], sys.argv[3:]
files = list(shell)
chunks = 0
if route:
    module = os.path.basename(route)
    files.append(os.path.join(pkg, module))
    key = module[len("split_"):-len(".wasm")]
    with open(os.path.join(pkg, "__wasm_split_manifest.json")) as f:
        deps = json.load(f).get(key, [])
    files += [os.path.join(pkg, c + ".wasm") for c in deps]
    chunks = len(deps)
data = b"".join(open(f, "rb").read() for f in files)
print(len(gzip.compress(data, 9)), chunks)
PY
}
