#!/usr/bin/env bash
# Builds real Feast registries (SQLite, file registry.db and, when FC_TEST_PG_URL or
# --pg-admin-url is given, PostgreSQL) from scripts/feast-fixtures/, into target/feast-fixtures/
# by default. --update-demo also refreshes the committed demo data in server/demo/registry/.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=$(scripts/feast-venv.sh)
exec "$VENV/bin/python" scripts/feast-fixtures/make_registries.py "$@"
