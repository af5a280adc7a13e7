"""Production settings (DEBUG off) plus the minimal view that HTTP workloads compare with."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # plain HTTP on loopback
os.environ.setdefault("SECRET_KEY", "benchmarks-only-" + "x" * 40)
os.environ.setdefault("PERSONAL_DATA_KEY", "YmVuY2htYXJrcy1vbmx5LWtleS0wMDAwMDAwMDAwMDA=")

from governance.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LOGGING_CONFIG = None  # no per-request log lines in the timings
