"""The workloads, in the order they run. Each module has `run(context) -> list[Row]` and
undoes what it changes, so that the cached data stays as built."""

from benchmarks.workloads import (
    camera_ingest,
    campaign_progress,
    demo_build,
    escalation,
    fanout,
    intake,
    memory,
    ranking,
    stats_endpoint,
    subtree_stats,
    tree,
)

WORKLOADS = {
    "tree": tree,
    "subtree_stats": subtree_stats,
    "stats_endpoint": stats_endpoint,
    "ranking": ranking,
    "escalation": escalation,
    "intake": intake,
    "fanout": fanout,
    "campaign_progress": campaign_progress,
    "camera_ingest": camera_ingest,
    "memory": memory,
    "demo_build": demo_build,
}
