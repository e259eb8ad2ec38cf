#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release site and starts
# feast-console on 127.0.0.1:3000 with embedded defaults (SQLite console DB under ./data, the
# bundled demo registry, no cluster, no identity provider). Extra arguments go to `serve`,
# e.g. scripts/start.sh --listen 127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."

listen=127.0.0.1:3000
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --listen) listen=${args[$((i + 1))]:-$listen} ;;
    --listen=*) listen=${args[$i]#--listen=} ;;
  esac
done
host=${listen%:*}; port=${listen##*:}
# Say so before a long build, not after it.
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  echo "feast-console: $listen is already in use (is another feast-console running?); choose another address with --listen" >&2
  exit 1
fi

bash scripts/setup.sh build
export PATH="$(pwd)/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo leptos build --release --split
exec target/release/feast-console serve --site-root target/site "$@"
