# How feast-console is built: the one place every build path takes its steps from
# (scripts/start.sh, scripts/test.sh, scripts/bench-catalog.sh, deploy/Containerfile through
# start.sh --build-only). Compiler flags are not here: they live in .cargo/config.toml, which
# plain `cargo build`/`cargo test` read too. Source this file from the repository root.
#
#   build_release   release site (target/site) and server (target/release/feast-console)
#   build_site_debug  the site with a debug wasm (for quick local work)

# RUSTFLAGS and CARGO_ENCODED_RUSTFLAGS would replace the flags in .cargo/config.toml (cargo
# takes the first source it finds), giving a build that differs from what CI built.
for _var in RUSTFLAGS CARGO_ENCODED_RUSTFLAGS; do
  if [ -n "${!_var:-}" ]; then
    echo "[build] ignoring $_var from the environment: the flags are in .cargo/config.toml" >&2
    unset "$_var"
  fi
done
unset _var

BUILD_ROOT=$(pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
SITE_BUILDER="$BUILD_ROOT/target/site-builder/release/site-builder"

_build_clock() { date +%s; }
# Prints "[build] WHAT (about EXPECTED on 2 cores the first time) ..." so a long step never
# looks hung, then "done in N s".
build_step() { printf '\033[1m[build]\033[0m %s\n' "$*"; }

# The server build starts first and runs beside the rest (the build tools, the site): each has
# stretches that use one core only (linking, the wasm's whole-program optimisation), which the
# other fills.
build_release() {
  local started server_pid server_log status=0
  started=$(_build_clock)
  server_log="$BUILD_ROOT/target/build-server.log"
  mkdir -p "$BUILD_ROOT/target"
  build_step "server: release build in the background (first time: about 17 min on 2 cores; log: target/build-server.log)"
  ( cargo build --release --locked -p server --bin feast-console >"$server_log" 2>&1 ) &
  server_pid=$!
  # Stops the background build if anything below fails or the user presses Ctrl-C.
  trap 'kill "$server_pid" 2>/dev/null || true' EXIT
  build_step "build tools (first time: about 4 min beside the server build; then seconds)"
  bash "$BUILD_ROOT/scripts/setup.sh" build
  build_step "site: release wasm, split per page (first time: about 6 min beside the server build; after a change, about 3)"
  "$SITE_BUILDER" --release
  build_step "site ready after $(( $(_build_clock) - started )) s; waiting for the server build"
  wait "$server_pid" || status=$?
  trap - EXIT
  if [ "$status" != 0 ]; then
    echo "[build] the server build failed; the end of target/build-server.log:" >&2
    tail -n 30 "$server_log" >&2
    return 1
  fi
  build_step "release build done in $(( $(_build_clock) - started )) s"
}

build_site_debug() {
  "$SITE_BUILDER"
}
