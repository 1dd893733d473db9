#!/usr/bin/env bash
# Back up the PostgreSQL database with pg_dump (custom format, compressed).
#
#   scripts/backup.sh [DATABASE_URL] [FILE]
#
# DATABASE_URL defaults to the environment's; FILE to backups/iop-<UTC time>.dump.
# A FILE.sha256 is written beside it; restore.sh checks it. The dump holds personal
# data: it is created readable by its owner only. Keep it encrypted and off this host.
set -euo pipefail

url="${1:-${DATABASE_URL:-}}"
if [[ -z "$url" || "$url" != postgres* ]]; then
  echo "backup.sh: ange en PostgreSQL-adress (DATABASE_URL=postgres://...)." >&2
  exit 2
fi
out="${2:-backups/iop-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$out")"
umask 077

pg_dump --format=custom --no-owner --no-privileges --file="$out" "$url"
(cd "$(dirname "$out")" && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")
echo "$out"
