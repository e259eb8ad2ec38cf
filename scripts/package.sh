#!/usr/bin/env bash
# Lays out an installable feast-console folder from already-built files: the same steps as the
# runtime stage of deploy/Containerfile, outside a container. Builds nothing.
#
#   scripts/package.sh [--bin FILE] [--site DIR] [--migrations DIR] --out DIR [--prefix DIR]
#                      [--data-dir DIR]
#
#   --bin         the server binary      (default target/release/feast-console)
#   --site        the built site folder  (default target/site; needs pkg/ inside)
#   --migrations  migrations folder      (default migrations; they are embedded in the binary too,
#                                         the copy is for inspection and DBAs)
#   --out         the folder to fill (must not exist, or be empty)
#   --prefix      where the folder will live when installed (default: --out); written into the
#                 packaged feast-console.toml as site_root
#   --data-dir    data_dir of the packaged feast-console.toml (default /var/lib/feast-console)
#
# Result:
#   DIR/bin/feast-console   DIR/site/   DIR/migrations/   DIR/feast-console.toml
# Start it with:  DIR/bin/feast-console serve --config DIR/feast-console.toml
set -euo pipefail
# Defaults are in the checkout this script belongs to; given paths are relative to the caller.
ROOT=$(cd "$(dirname "$0")/.." && pwd)

bin=$ROOT/target/release/feast-console site=$ROOT/target/site migrations=$ROOT/migrations out="" prefix="" data_dir=/var/lib/feast-console
die() { echo "package.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=${2:?--bin needs a file}; shift 2 ;;
    --site) site=${2:?--site needs a folder}; shift 2 ;;
    --migrations) migrations=${2:?--migrations needs a folder}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --data-dir) data_dir=${2:?--data-dir needs a folder}; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[ -n "$out" ] || die "--out DIR is required"
[ -f "$bin" ] && [ -x "$bin" ] || die "no executable binary at $bin (build it first: scripts/start.sh --build-only)"
[ -d "$site/pkg" ] || die "no built site at $site (pkg/ missing; build it first: scripts/start.sh --build-only)"
[ -d "$migrations" ] || die "no migrations folder at $migrations"
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then die "$out exists and is not empty"; fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
prefix=${prefix:-$out}
case "$prefix" in /*) ;; *) die "--prefix must be an absolute path" ;; esac

install -d -m 0755 "$out/bin"
install -m 0755 "$bin" "$out/bin/feast-console"
cp -R "$site" "$out/site"
cp -R "$migrations" "$out/migrations"
# Readable by everyone, writable by nobody but the owner (the runtime user is not the owner).
chmod -R u=rwX,go=rX "$out/site" "$out/migrations"

cat > "$out/feast-console.toml" <<TOML
# Defaults of this installation (written by scripts/package.sh). Keys: README.md, "Configuration".
# Without oidc_issuer_url the console runs in development mode and listens on loopback only.
site_root = "$prefix/site"
data_dir = "$data_dir"
TOML
chmod 0644 "$out/feast-console.toml"

echo "packaged feast-console into $out (installed as $prefix)"
