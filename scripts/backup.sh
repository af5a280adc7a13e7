#!/usr/bin/env bash
# Back up the application's PostgreSQL database (DATABASE_URL) with pg_dump's custom format
# (compressed, restored table by table by pg_restore):
#
#   scripts/backup.sh [FILE] [pg_dump options...]
#
# FILE defaults to var/backups/<database>-<UTC time>.dump; the dump is written beside it
# and renamed when complete, so a FILE that exists is always a whole backup. Prints FILE.
set -euo pipefail

url="${DATABASE_URL:?set DATABASE_URL to the database to back up, e.g. postgres://user@host:5432/governance}"
base="${url%%\?*}"
name="${base##*/}"
file="${1:-var/backups/${name}-$(date -u +%Y%m%dT%H%M%SZ).dump}"
shift $(( $# > 0 ? 1 : 0 ))

mkdir -p "$(dirname "$file")"
pg_dump --format=custom --no-password --file="$file.partial" "$@" --dbname="$url"
mv "$file.partial" "$file"
echo "$file"
