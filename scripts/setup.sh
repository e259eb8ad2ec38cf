#!/usr/bin/env bash
# Installs the build and test tool chain for feast-console. Idempotent: each tool is
# skipped when the right version is already there. Downloads only from the package
# registries (crates.io, npm, Debian, PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# The test runner; pinned so every machine runs the tests the same way (one process per test,
# .config/nextest.toml's time limits). Installed from crates.io when missing or of another version.
NEXTEST_VERSION=0.9.143

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

install_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "wasm32-unknown-unknown target: present"
  else
    log "adding wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown
  fi
}

# scripts/site-builder: splits the wasm per page and generates its JS glue, with the libraries
# cargo-leptos uses for that (cargo-leptos itself takes ~20 minutes to compile here). cargo
# skips it in a second when nothing changed.
install_site_builder() {
  if [ -x target/site-builder/release/site-builder ] && \
     [ -z "$(find scripts/site-builder -newer target/site-builder/release/site-builder -type f -print -quit)" ]; then
    log "site builder: present"; return
  fi
  log "building the site builder (first time: about 4 min on 2 cores, beside the server build)"
  CARGO_TARGET_DIR="$ROOT/target/site-builder" \
    cargo build --release --locked --quiet --manifest-path scripts/site-builder/Cargo.toml
}

install_nextest() {
  if cargo nextest --version 2>/dev/null | grep -q "^cargo-nextest $NEXTEST_VERSION\b"; then
    log "cargo-nextest $NEXTEST_VERSION: present"; return
  fi
  log "installing cargo-nextest $NEXTEST_VERSION from crates.io (about 6 min on 2 cores)"
  cargo install --locked --quiet cargo-nextest --version "$NEXTEST_VERSION"
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
  build) install_wasm_target; install_site_builder ;;
  all)   install_wasm_target; install_site_builder; install_nextest
         install_debian_packages; install_node_modules; install_oidc_provider ;;
  *) echo "usage: scripts/setup.sh [build|all]" >&2; exit 2 ;;
esac
log "tool chain ready"
