"""`GET /api/v1/areas/{id}/stats/` (the dashboard's figures, default range: the last 12
months) for a county and a township under 8 concurrent clients, against gunicorn with
production settings, compared with the minimal JSON view under the same load. The county
administrator asks, with an API token, over persistent connections. The figures come from
the cache as in production (disputes.selectors.stats_cache): the first request of each area computes
them, the warm-up makes sure of that, and a run longer than STATS_CACHE_SECONDS recomputes
them while the other requests read the last ones."""

from __future__ import annotations

import statistics

from benchmarks.harness import Context, Row, ms, ratio
from benchmarks.server import serve

CLIENTS = 8
REQUESTS = 400
SMOKE_REQUESTS = 80
DURATION = 10  # seconds at most per load: a slow endpoint must not hold the run up
WARMUP_DURATION = 5
P95_TARGET_MS = 150
THROUGHPUT_SHARE = 0.40


def run(context: Context) -> list[Row]:
    from personnel.models import User

    admin = User.objects.get(pk=context.info["county_admin"])
    requests = SMOKE_REQUESTS if context.smoke else REQUESTS
    paths = {
        "minimal": "/bench/minimal/",
        "county": f"/api/v1/areas/{context.info['county']}/stats/",
        "township": f"/api/v1/areas/{context.info['township']}/stats/",
    }
    results: dict[str, list[dict]] = {name: [] for name in paths}
    with serve() as server, server.tokens([admin]) as tokens:
        token = tokens[admin.pk]
        # At least one short warm-up: a fresh worker's first request loads the URLconf.
        warmup = max(context.warmup, 1)
        runs = min(context.runs, 3)  # each run is already hundreds of requests
        for index in range(warmup + runs):
            # Interleaved, so that the machine's drift touches every case alike.
            for name, path in paths.items():
                found = server.load(
                    path,
                    clients=CLIENTS,
                    requests=requests if index >= warmup else requests // 4,
                    duration=DURATION if index >= warmup else WARMUP_DURATION,
                    token=token,
                )
                if index >= warmup:
                    results[name].append(found)
    return rows_for(results, context=context, requests=requests)


def _median(found: list[dict], key: str) -> float:
    return statistics.median(result[key] for result in found)


def _spread(found: list[dict], key: str) -> str:
    values = [result[key] for result in found]
    return f"{min(values):.1f}–{max(values):.1f}"


def _answered(found: list[dict]) -> str:
    return "+".join(str(result["answered"]) for result in found)


def _errors(found: list[dict]) -> dict[str, int]:
    errors: dict[str, int] = {}
    for result in found:
        for status, count in result["errors"].items():
            errors[status] = errors.get(status, 0) + count
    return errors


CAPACITY = (
    "figures from the cache (disputes.selectors.stats_cache): each request still reads the"
    " token with its user, the area and the county's data version, and the cache, where the"
    " minimal view reads the token only"
)


def rows_for(results: dict[str, list[dict]], *, context: Context, requests: int) -> list[Row]:
    load = f"{CLIENTS} clients, ≤ {requests} requests or {DURATION} s"
    tiny = context.smoke or context.scale == "tiny"
    scaled = " (tiny data)" if tiny else ""
    # The profile was taken at county scale; at the tiny scale it would mislead.
    profile, capacity = "", ("" if tiny else CAPACITY)  # profiles: NOTES.md
    minimal_p95 = _median(results["minimal"], "p95_ms")
    minimal_rate = _median(results["minimal"], "throughput")
    rows = [
        Row(
            workload="stats endpoint",
            case=f"minimal view, {load}",
            value=f"p95 {ms(minimal_p95)}, {minimal_rate:.0f} req/s",
            spread=_spread(results["minimal"], "p95_ms"),
            note=_error_note(results["minimal"]),
            passed=False if _errors(results["minimal"]) else None,
        )
    ]
    for name in ("county", "township"):
        found = results[name]
        errors = _errors(found)
        p95 = _median(found, "p95_ms")
        rate = _median(found, "throughput")
        fast = p95 <= P95_TARGET_MS and not errors
        enough = rate >= THROUGHPUT_SHARE * minimal_rate and not errors
        measured = f"p50 {ms(_median(found, 'p50_ms'))}, {_answered(found)} requests"
        rows += [
            Row(
                workload="stats endpoint",
                case=f"a {name}: p95, {load}{scaled}",
                value=ms(p95),
                spread=_spread(found, "p95_ms"),
                baseline=f"minimal view p95 {ms(minimal_p95)}",
                ratio=ratio(p95, minimal_p95),
                target=f"p95 ≤ {P95_TARGET_MS} ms",
                passed=fast,
                note=_notes(_error_note(found), measured, "" if fast else profile),
            ),
            Row(
                workload="stats endpoint",
                case=f"a {name}: throughput{scaled}",
                value=f"{rate:.0f} req/s",
                spread=_spread(found, "throughput"),
                baseline=f"minimal view {minimal_rate:.0f} req/s",
                ratio=ratio(rate, minimal_rate),
                target=f"≥ {THROUGHPUT_SHARE:.2f}× the minimal view",
                passed=enough,
                note=_notes(_error_note(found), "" if enough else capacity),
            ),
        ]
    return rows


def _notes(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _error_note(found: list[dict]) -> str:
    errors = _errors(found)
    if not errors:
        return ""
    return "errors: " + ", ".join(f"{status} × {count}" for status, count in errors.items())
