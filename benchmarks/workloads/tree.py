"""The area tree: building it (timed when the data was built) and one subtree read."""

from __future__ import annotations

from benchmarks.harness import Context, Row, measure, ms


def run(context: Context) -> list[Row]:
    from grids import tree
    from grids.models import Area

    township = Area.objects.get(pk=context.info["township"])
    county = Area.objects.get(pk=context.info["county"])
    areas = context.info["areas"]
    build_seconds = context.info["seconds"]["tree"]
    rows = [
        Row(
            workload="tree",
            case=f"build {areas:,} areas",
            value=f"{build_seconds} s",
            target="< 180 s" if context.scale == "city" else "",
            passed=build_seconds < 180 if context.scale == "city" else None,
            note="" if not context.info.get("cached") else "measured when the data was built",
        )
    ]
    for name, root in (("township", township), ("county", county)):
        timing = measure(
            lambda root=root: list(
                tree.in_order(Area.objects.filter(tree.subtree_q(root))).values_list(
                    "id", "name", "level", "parent_id"
                )
            ),
            runs=max(context.runs, 20),
            warmup=context.warmup,
        )
        target = name == "township"
        rows.append(
            Row(
                workload="tree",
                case=f"subtree read: a {name} of {areas:,}",
                value=ms(timing.median),
                spread=timing.spread,
                target="< 5 ms" if target else "",
                passed=(timing.median < 5) if target else None,
            )
        )
    return rows
