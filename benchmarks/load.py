"""The load generator of the HTTP workloads, run as a second process:

    python -m benchmarks.load http://127.0.0.1:8000/bench/minimal/ --clients 8 --requests 400

N clients, each on its own persistent (keep-alive) HTTP/1.1 connection, send requests one
after the other (a closed loop) until the requests are spent or the time is up. Plain
asyncio streams: the client must cost the two shared cores little. Prints one JSON object:
requests, errors by status, throughput, latency percentiles and, with `--unique FIELD`, the
value of FIELD (a fresh UUID per request) of every body sent."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # ms, of every answered request
    errors: dict[str, int] = field(default_factory=dict)  # status (or "connection") -> count
    sent_ids: list[str] = field(default_factory=list)
    remaining: int = 0
    deadline: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def take(self) -> bool:
        if self.remaining <= 0 or time.monotonic() >= self.deadline:
            return False
        self.remaining -= 1
        return True


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(chunk[:-2] for chunk in chunks)
    else:
        body = await reader.read()
        headers["connection"] = "close"
    return status, headers, body


async def client(
    tally: Tally,
    *,
    host: str,
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict | None,
    unique: str | None,
    timeout: float,
) -> None:
    reader = writer = None
    base = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n"
    base += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    fixed = None if body is None else json.dumps(body).encode()
    while tally.take():
        if body is None:
            payload = b""
        elif unique:
            sent = str(uuid.uuid4())
            tally.sent_ids.append(sent)
            payload = json.dumps(body | {unique: sent}).encode()
        else:
            payload = fixed
        request = base
        if body is not None:
            request += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        request = request.encode() + b"\r\n" + payload
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout
                )
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status, answer, _body = await asyncio.wait_for(read_response(reader), timeout)
            tally.latencies.append((time.perf_counter() - started) * 1000)
            if not 200 <= status < 300:
                tally.error(str(status))
            if answer.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except TimeoutError:
            tally.error("timeout")
            writer = _drop(writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            tally.error("connection")
            writer = _drop(writer)
    _drop(writer)


def _drop(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the value below which `fraction` of the observations lie."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


async def run(
    url: str,
    *,
    clients: int,
    requests: int,
    duration: float,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: dict | None = None,
    per_client: list[dict] | None = None,
    unique: str | None = None,
    timeout: float = 30.0,
) -> dict:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    tally = Tally(remaining=requests, deadline=time.monotonic() + duration)
    tasks = []
    for index in range(clients):
        own = per_client[index % len(per_client)] if per_client else {}
        tasks.append(
            client(
                tally,
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 80,
                method=method,
                path=own.get("path", path),
                headers=(headers or {}) | own.get("headers", {}),
                body=own.get("body", body),
                unique=unique,
                timeout=timeout,
            )
        )
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    ordered = sorted(tally.latencies)
    result = {
        "url": url,
        "method": method,
        "clients": clients,
        "requests": len(ordered)
        + tally.errors.get("connection", 0)
        + tally.errors.get("timeout", 0),
        "answered": len(ordered),
        "errors": tally.errors,
        "seconds": round(elapsed, 3),
        "throughput": round(len(ordered) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(ordered, 0.50), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        "p99_ms": round(percentile(ordered, 0.99), 2),
        "max_ms": round(ordered[-1], 2) if ordered else 0.0,
    }
    if unique:
        result["client_uuids"] = tally.sent_ids
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--requests", type=int, default=400, help="requests in all")
    parser.add_argument("--duration", type=float, default=60.0, help="at most this many seconds")
    parser.add_argument("--method", default="GET", choices=["GET", "POST"])
    parser.add_argument(
        "--header", action="append", default=[], metavar="'NAME: VALUE'", help="repeatable"
    )
    parser.add_argument("--body", type=json.loads, default=None, help="a JSON object to POST")
    parser.add_argument(
        "--per-client",
        type=argparse.FileType(),
        default=None,
        metavar="FILE",
        help='a JSON list; client i takes item i mod its length: {"headers": {…}, "body": {…}, '
        '"path": "…"}, each over the defaults (one token and grid per client, say)',
    )
    parser.add_argument(
        "--unique", default=None, metavar="FIELD", help="put a fresh UUID in FIELD of each body"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    args = parser.parse_args(argv)
    headers = dict(
        (name.strip(), value.strip())
        for name, value in (header.split(":", 1) for header in args.header)
    )
    per_client = json.load(args.per_client) if args.per_client else None
    result = asyncio.run(
        run(
            args.url,
            clients=args.clients,
            requests=args.requests,
            duration=args.duration,
            method=args.method,
            headers=headers,
            body=args.body,
            per_client=per_client,
            unique=args.unique,
            timeout=args.timeout,
        )
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
