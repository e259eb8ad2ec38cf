#!/usr/bin/env bash
# Creates (or reuses) the pinned Feast virtualenv the tests use, at .venv/feast.
# Idempotent: reinstalls only when scripts/feast-requirements.txt changed. Prints the venv path.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/feast
REQ=scripts/feast-requirements.txt
stamp="$VENV/.requirements.sha256"
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "$VENV"; exit 0
fi
echo "[feast-venv] installing $(grep -v '^#' "$REQ" | xargs) into $VENV" >&2
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check -r "$REQ" >&2
echo "$want" > "$stamp"
echo "$VENV"
