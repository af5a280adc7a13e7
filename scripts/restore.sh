#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW database, never over an existing one:
#
#   scripts/restore.sh FILE TARGET_DATABASE_URL
#
# The target database is created (on TARGET's server, through its `postgres` database) and
# filled in one transaction: any error stops the restore and leaves the new database empty.
# Objects belong to TARGET's user (--no-owner); grants are restored as they were.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 FILE TARGET_DATABASE_URL (a database that does not exist yet)" >&2
  exit 2
fi
file="$1"
target="$2"
[ -r "$file" ] || { echo "error: cannot read the backup $file" >&2; exit 1; }

base="${target%%\?*}"
query="${target#"$base"}"
name="${base##*/}"
admin="${base%/*}/postgres${query}"
if ! [[ "$name" =~ ^[A-Za-z0-9_]+$ ]]; then
  echo "error: the target database name '$name' must be letters, digits and _ only" >&2
  exit 1
fi

if [ -n "$(psql "$admin" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
  echo "error: database $name exists; restore into a new database (or drop it first)" >&2
  exit 1
fi
psql "$admin" -qc "CREATE DATABASE \"$name\""
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$target" "$file"
echo "restored $file into $name"
