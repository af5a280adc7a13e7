# The two commands: `make run` (install, migrate, load the demo county, serve with a worker)
# and `make test` (the whole suite). Both start from a clean clone with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup lock run demo-reset test lint format audit messages bench soak clean

setup: $(VENV)/.installed .env node_modules/.installed

# Every Python package, direct or not, at the version and with the file hashes of the
# committed lock: requirements-dev.lock (the application's requirements.lock plus the dev
# tools), made by `make lock` from pyproject.toml. pip refuses a file whose hash is not in the
# lock, and nothing is resolved here; reinstalled when a lock file changes. pip itself is in
# the lock (pip-audit needs it), so the venv's own pip is replaced by the locked one.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	@echo "== 安装 Python 依赖（首次约 1 分钟；锁文件里的每个包及其哈希）"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

# Regenerate both lock files from pyproject.toml after changing a dependency there, and
# commit them. uv keeps every pin that pyproject.toml still allows; to move to newer
# releases: `make lock LOCK_ARGS=--upgrade` (all) or `LOCK_ARGS="--upgrade-package django"`.
# One lock for Linux, macOS and Windows, on Python 3.11 and 3.12, hashes of every file on
# PyPI. The runtime lock is resolved under the dev lock, so that production installs the
# very versions the tests ran against. Needs uv, which is put into the venv if missing.
UV_VERSION := 0.13.10
LOCK_ARGS ?=
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --quiet $(LOCK_ARGS)
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV_COMPILE) --extra dev -o requirements-dev.lock
	$(UV_COMPILE) --constraint requirements-dev.lock -o requirements.lock

# ECharts for the dashboard's charts, from npm, served locally by the application (no CDN);
# reinstalled when package-lock.json changes. Without npm the dashboard shows its figures as
# tables, so a newcomer gets a warning; CI installs npm, because its browser test needs charts.
node_modules/.installed: package-lock.json
	@echo "== 安装仪表盘图表库 ECharts（npm ci）"
	@if ! command -v npm >/dev/null 2>&1 && [ "$${CI:-}" = true ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	fi
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --omit=dev --no-audit --no-fund && touch $@; \
	elif [ "$${CI:-}" = true ]; then \
		echo "error: npm is needed to install the dashboard's charts (ECharts) in CI." >&2; exit 1; \
	else \
		echo "WARNING: npm not found, so the dashboard's charts (ECharts) are not installed;" >&2; \
		echo "         the dashboard shows its figures as tables. Install Node.js with npm" >&2; \
		echo "         and run 'make setup' again to get the charts." >&2; \
	fi

# A newcomer's settings: development mode with a random secret key. Environment variables
# override anything in .env; production sets them and has no .env.
.env:
	$(PY) -c 'import base64, secrets; print("DEBUG=true\nSECRET_KEY=" + secrets.token_urlsafe(50) + "\nPERSONAL_DATA_KEY=" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())' > $@

# The demo county is built once (2–3 minutes on SQLite, benchmarks/RESULTS.md); later
# runs find it and start at once. `make demo-reset` deletes it and builds it afresh.
run: setup
	@echo "== 数据库迁移"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty --url http://127.0.0.1:$(PORT)/
	$(PY) manage.py serve --port $(PORT)

# The demo afresh, without reinstalling: the database emptied (SQLite: the file deleted),
# migrated, the demo built again, then served as by `make run`.
demo-reset: setup
	$(PY) manage.py demo_reset --url http://127.0.0.1:$(PORT)/
	$(PY) manage.py serve --port $(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks against PostgreSQL (DATABASE_URL) and Redis: `make bench` (county scale),
# `make bench SCALE=city`, `make bench BENCH_ARGS="--only ranking --runs 3"`. The data is
# built once into its own database (<name>_bench_<scale>) and kept; see benchmarks/RESULTS.md.
SCALE ?= county
BENCH_ARGS ?=
bench: setup
	$(PY) -m benchmarks --scale $(SCALE) $(BENCH_ARGS)

# The soak test (not a test of `make test`): gunicorn and a Celery worker on PostgreSQL
# (DATABASE_URL) and Redis (REDIS_URL), 50 mixed requests/s for MINUTES; benchmarks/SOAK.md.
MINUTES ?= 10
SOAK_ARGS ?=
soak: setup
	$(PY) -m benchmarks.soak --minutes $(MINUTES) $(SOAK_ARGS)

# What CI checks before the tests, each failing the build: ruff's rules and formatting, no
# model change without its migration, and the import contracts of [tool.importlinter] in
# pyproject.toml.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Known vulnerabilities in the installed packages (pip-audit; .ci/audit.py says how a package
# that could not be checked is treated: AUDIT_UNREACHABLE=fail|warn) and risky code in ours
# (bandit, [tool.bandit] in pyproject.toml): a high-severity, high-confidence finding fails.
AUDIT_PACKAGES := governance grids residents disputes personnel assessment campaigns supervision points cameras notifications audit todo demo benchmarks scripts
audit: setup
	$(PY) .ci/audit.py
	$(VENV)/bin/bandit -c pyproject.toml -r $(AUDIT_PACKAGES) --severity-level high --confidence-level high --quiet

# Regenerate the translation catalogue after changing texts (needs GNU gettext), then
# translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po.
messages: setup
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
