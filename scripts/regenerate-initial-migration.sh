#!/usr/bin/env bash
# Until Companion's first release its schema is one initial migration, regenerated from the
# models whenever they change (no deployed database needs an upgrade path yet).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f migrations/versions/0001_initial_schema.py migrations/versions/*_initial_schema.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
COMPANION_DATABASE_URL="sqlite:///$tmp/empty.sqlite3" .venv/bin/python -m companion db-revision \
  -m "initial schema" --rev-id 0001 >/dev/null
ls migrations/versions/
