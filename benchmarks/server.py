"""The application under gunicorn as production runs it, for the HTTP workloads:
`with serve() as server: …` starts it on a free loopback port against the benchmark
database, waits until it answers /healthz, and always stops it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# As the README deploys it (gunicorn --workers 4): four single-threaded workers on two
# cores. gthread with one thread is the sync worker that keeps connections open between
# requests, as nginx's upstream keep-alive does; the load generator's clients reuse theirs.
WORKERS = 4
THREADS = 1
BENCH_PASSWORD = "bench-pass-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(found)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak) of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def reset_peak(pid: int) -> None:
    """Start a process's VmHWM again from its RSS now (Linux 4.0 and later)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Server:
    def __init__(
        self, *, workers: int = WORKERS, threads: int = THREADS, env: dict | None = None
    ) -> None:
        self.workers = workers
        self.threads = threads
        self.env = env or {}  # over the defaults below (another database, say)
        self.host = "127.0.0.1"
        self.port = 0
        self.process: subprocess.Popen | None = None
        # gunicorn's own log, for the error message when it fails; stop() closes it.
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def worker_pids(self) -> list[int]:
        return children_of(self.pid)

    def start(self, timeout: float = 60) -> Server:
        self.port = free_port()
        env = (
            os.environ
            | {
                "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
                # Production mode even where a developer's .env (read into this process's
                # environment by django.setup()) says DEBUG=true.
                "DEBUG": "false",
                "DATABASE_URL": os.environ.get("DATABASE_URL", ""),  # the benchmark database
                "DB_CONN_MAX_AGE": "600",  # persistent connections, one per thread
                "PYTHONPATH": str(ROOT),
            }
            | self.env
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "governance.wsgi",
                f"--bind={self.host}:{self.port}",
                "--worker-class=gthread",
                f"--workers={self.workers}",
                f"--threads={self.threads}",
                "--keep-alive=75",
                "--timeout=120",
                "--error-logfile=-",
                "--log-level=warning",
            ],  # no --access-logfile: access log off
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.output()}")
            if len(self.worker_pids) >= self.workers and self._healthy():
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s:\n{self.output()}")

    def _healthy(self) -> bool:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def load(
        self,
        path: str,
        *,
        clients: int,
        requests: int,
        duration: float = 120,
        method: str = "GET",
        token: str | None = None,
        per_client: list[dict] | None = None,
        unique: str | None = None,
    ) -> dict:
        """Run the load generator (benchmarks.load) against `path` in its own process and
        return what it measured."""
        command = [
            sys.executable,
            "-m",
            "benchmarks.load",
            f"http://{self.host}:{self.port}{path}",
            f"--clients={clients}",
            f"--requests={requests}",
            f"--duration={duration}",
            f"--method={method}",
        ]
        if token:
            command.append(f"--header=Authorization: Token {token}")
        if unique:
            command.append(f"--unique={unique}")
        with tempfile.NamedTemporaryFile("w", suffix=".json") as spec:
            if per_client:
                json.dump(per_client, spec)
                spec.flush()
                command.append(f"--per-client={spec.name}")
            done = subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=duration + 60
            )
        if done.returncode != 0:
            raise RuntimeError(f"the load generator failed:\n{done.stderr[-4000:]}")
        found = json.loads(done.stdout)
        if any(status.startswith("5") for status in found["errors"]):
            # The server's own account of its errors (tracebacks), for whoever reads the run.
            print(f"{path}: {found['errors']}; gunicorn said:\n{self.output()}", file=sys.stderr)
        return found

    def login(self, username: str, password: str) -> str:
        """An API token the way a client gets one: POST /api/v1/auth/token/."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=180)
        try:
            connection.request(
                "POST",
                "/api/v1/auth/token/",
                body=json.dumps({"username": username, "password": password}),
                headers={"Content-Type": "application/json"},
            )
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"login of {username} failed ({response.status}): {answer[:300]}")
        return json.loads(answer)["token"]

    @contextmanager
    def tokens(self, users: list) -> Iterator[dict[int, str]]:
        """API tokens of `users` (user id -> token): each gets a known password for the
        login, and afterwards its own password back and no token it did not have."""
        from django.contrib.auth.hashers import make_password
        from django.db import close_old_connections
        from rest_framework.authtoken.models import Token

        from personnel.models import User

        ids = [user.pk for user in users]
        passwords = dict(User.objects.filter(pk__in=ids).values_list("pk", "password"))
        had_token = set(Token.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
        User.objects.filter(pk__in=ids).update(password=make_password(BENCH_PASSWORD))
        try:
            # Each login checks an Argon2 hash: several at once, one a worker.
            with ThreadPoolExecutor(self.workers * self.threads) as pool:
                found = dict(
                    zip(
                        ids,
                        pool.map(lambda user: self.login(user.username, BENCH_PASSWORD), users),
                        strict=True,
                    )
                )
            yield found
        finally:
            close_old_connections()  # a fresh one if a failure broke it
            Token.objects.filter(user_id__in=set(ids) - had_token).delete()
            for pk, password in passwords.items():
                User.objects.filter(pk=pk).update(password=password)

    def output(self) -> str:
        if self.log.closed:
            return ""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.log.close()
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: the workers finish and exit
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(**options) -> Server:
    return Server(**options)
