#!/usr/bin/env bash
# Installs the build and test tool chain for feast-console. Idempotent: each tool is
# skipped when the right version is already there. Downloads only from the package
# registries (crates.io, npm, Debian, PyPI): cargo-leptos is pointed at tools on PATH so it
# never fetches binaries itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

CARGO_LEPTOS_VERSION=0.3.11
# Must equal the wasm-bindgen crate pinned in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
BINARYEN_NPM_VERSION=132.0.0
TOOLS="$ROOT/.tools"           # npm-installed binaries (wasm-opt) live here, git-ignored
mkdir -p "$TOOLS"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# Tools are built with a fast profile: no LTO, many codegen units. They are build tools, not
# the product; this cuts cargo-leptos from ~21 to a few minutes on 2 cores.
fast_install_env() {
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
         CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
         CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_INCREMENTAL=false
}

# Unpacks a crate's published source into a scratch folder (cargo info downloads and unpacks it).
crate_source() {
  local name=$1 version=$2 dest
  dest=$(mktemp -d)
  cargo info "$name@$version" >/dev/null 2>&1 || true
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$name-$version" 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    local crate
    crate=$(ls "$HOME"/.cargo/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -n1 || true)
    [ -n "$crate" ] || { echo "could not fetch $name $version from crates.io" >&2; exit 1; }
    tar -xzf "$crate" -C "$dest"
  else
    cp -r "$src" "$dest/"
  fi
  echo "$dest/$name-$version"
}

install_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "wasm32-unknown-unknown target: present"
  else
    log "adding wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown
  fi
}

install_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
    log "cargo-leptos $CARGO_LEPTOS_VERSION: present"; return
  fi
  log "building cargo-leptos $CARGO_LEPTOS_VERSION (its lockfile needs one pin for rustc 1.95)"
  local src; src=$(crate_source cargo-leptos "$CARGO_LEPTOS_VERSION")
  ( cd "$src" && cargo update -q -p cargo-util-schemas --precise 0.14.1 \
      && fast_install_env && cargo install --path . --locked --force )
}

install_wasm_bindgen() {
  if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    log "wasm-bindgen $WASM_BINDGEN_VERSION: present"; return
  fi
  log "building wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  local src; src=$(crate_source wasm-bindgen-cli "$WASM_BINDGEN_VERSION")
  ( cd "$src" && { cargo update -q -p webpki-roots --precise 1.0.10 2>/dev/null || true; } \
      && fast_install_env && cargo install --path . --locked --force )
}

# Debian's binaryen (108) produces a wasm that never hydrates; npm's binaryen works.
install_wasm_opt() {
  if [ -x "$TOOLS/node_modules/.bin/wasm-opt" ] && \
     [ "$(cat "$TOOLS/.binaryen-version" 2>/dev/null)" = "$BINARYEN_NPM_VERSION" ]; then
    log "wasm-opt (npm binaryen $BINARYEN_NPM_VERSION): present"; return
  fi
  log "installing wasm-opt from npm binaryen@$BINARYEN_NPM_VERSION"
  ( cd "$TOOLS" && [ -f package.json ] || echo '{"private":true}' > "$TOOLS/package.json"
    cd "$TOOLS" && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_NPM_VERSION" )
  echo "$BINARYEN_NPM_VERSION" > "$TOOLS/.binaryen-version"
}

install_debian_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v redis-server >/dev/null || missing+=(redis-server)
  if [ ${#missing[@]} -eq 0 ]; then log "Debian packages: present"; return; fi
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_node_modules() {
  if [ -d end2end/node_modules/@playwright/test ] && \
     [ end2end/node_modules/.package-lock.json -nt end2end/package-lock.json ]; then
    log "end2end node modules: present"; return
  fi
  log "installing end2end node modules (no browser download)"
  ( cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent )
}

# The test identity provider (npm oidc-provider) the sign-in tests start on a free port.
install_oidc_provider() {
  if [ -d scripts/oidc/node_modules/oidc-provider ] && \
     [ scripts/oidc/node_modules/.package-lock.json -nt scripts/oidc/package-lock.json ]; then
    log "test identity provider node modules: present"; return
  fi
  log "installing the test identity provider (npm oidc-provider)"
  ( cd scripts/oidc && npm ci --no-audit --no-fund --silent )
}

what=${1:-all}
case "$what" in
  build) install_wasm_target; install_cargo_leptos; install_wasm_bindgen; install_wasm_opt ;;
  all)   install_wasm_target; install_cargo_leptos; install_wasm_bindgen; install_wasm_opt
         install_debian_packages; install_node_modules; install_oidc_provider ;;
  *) echo "usage: scripts/setup.sh [build|all]" >&2; exit 2 ;;
esac
log "tool chain ready"
