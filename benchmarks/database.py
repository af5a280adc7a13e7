"""The benchmark database: `<DATABASE_URL's name>_bench_<scale>` on the same PostgreSQL
server, built once and kept (a row in `bench_meta` says what was built and how long it
took), so that a second run starts at once. `--rebuild` drops it."""

from __future__ import annotations

import json
import os
import zlib
from urllib.parse import urlsplit, urlunsplit

# Bump when the builder changes what it builds: a cached database of another version is
# rebuilt.
BUILD_VERSION = 1


def bench_url(base_url: str, scale: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(
            "The benchmarks run against PostgreSQL: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance make bench"
        )
    name = (parts.path.lstrip("/") or "governance") + f"_bench_{scale}"
    return urlunsplit(parts._replace(path="/" + name))


def _admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def ensure_database(url: str, *, rebuild: bool) -> bool:
    """Create the database if missing (dropping it first with `rebuild`); True if it was
    (re)created empty."""
    name = urlsplit(url).path.lstrip("/")
    connection = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
            if exists and rebuild:
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = False
            if not exists:
                cursor.execute(f'CREATE DATABASE "{name}"')
                return True
    finally:
        connection.close()
    return False


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    connection = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def use(url: str) -> None:
    """Point Django at the benchmark database: call before django.setup()."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")


def built(scale: str) -> dict | None:
    """What the cached database holds, or None when it must be built."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            "SELECT version, info FROM bench_meta WHERE scale = %s ORDER BY built_at DESC LIMIT 1",
            [scale],
        )
        row = cursor.fetchone()
    if row is None or row[0] != BUILD_VERSION:
        return None
    return row[1] if isinstance(row[1], dict) else json.loads(row[1])


def record_build(scale: str, info: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (scale text, version int, "
            "built_at timestamptz DEFAULT now(), info jsonb)"
        )
        cursor.execute(
            "INSERT INTO bench_meta (scale, version, info) VALUES (%s, %s, %s)",
            [scale, BUILD_VERSION, json.dumps(info)],
        )


class build_lock:
    """One builder per benchmark database at a time: a second run waits for the first to
    finish building (a PostgreSQL advisory lock on the maintenance database)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.key = zlib.crc32(urlsplit(url).path.encode())

    def __enter__(self):
        self.connection = _admin_connection(self.url)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [self.key])
        return self

    def __exit__(self, *exc) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        self.connection.close()
