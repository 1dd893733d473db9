#!/usr/bin/env bash
# Restore a dump made by backup.sh into an EMPTY PostgreSQL database.
#
#   scripts/restore.sh FILE TARGET_DATABASE_URL
#
# Checks FILE.sha256 when present, refuses a database that already has tables, and
# restores in one transaction: either everything is restored or nothing is.
# Afterwards: DATABASE_URL=TARGET manage.py migrate --check (the code must match the dump).
set -euo pipefail

file="${1:?Användning: restore.sh FIL MÅLDATABAS-URL}"
url="${2:?Användning: restore.sh FIL MÅLDATABAS-URL}"

if [[ -f "$file.sha256" ]]; then
  (cd "$(dirname "$file")" && sha256sum --check --quiet "$(basename "$file").sha256")
fi

tables=$(psql "$url" -XtAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [[ "$tables" != "0" ]]; then
  echo "restore.sh: måldatabasen har redan $tables tabeller; återställ bara till en tom databas." >&2
  exit 3
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$file"
echo "Återställt: $file"
