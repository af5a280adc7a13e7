"""Plausible boundaries for the demo county's townships and villages (GeoJSON Polygons).

The county is a lattice of small cells around its centre, jittered and gently warped so
that no border is a ruler line. Each township takes a block of cells and each village a
block of its township's cells, so neighbours share their borders vertex for vertex and the
villages tile their township exactly. Centres move to the middle of their block, so that a
case located near its village's centre lies inside the village on a map.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from itertools import pairwise

from grids.models import Area, AreaLevel

CELLS = 12  # lattice cells along a township's side: room for 30-odd villages
TOWNSHIP_SIZE = (0.12, 0.09)  # degrees of longitude and latitude, about 12 × 10 km
JITTER = 0.3  # of a cell, so that neighbouring vertices never cross
WARP = 0.8  # cells: a slow wave through the whole county

Block = tuple[int, int, int, int]  # lattice columns i0..i1 and rows j0..j1


def draw_boundaries(areas: list[Area], *, rng: random.Random) -> None:
    """Set the boundary and centre of every township and village of one county's unsaved
    areas (the county first, parents before children)."""
    county = areas[0]
    townships = [area for area in areas if area.level == AreaLevel.TOWNSHIP]
    if not townships or county.centre_lat is None:
        return
    columns = math.ceil(math.sqrt(len(townships)))
    rows = math.ceil(len(townships) / columns)
    lattice = Lattice(county, width=columns * CELLS, height=rows * CELLS, rng=rng)
    villages: dict[int, list[Area]] = {id(township): [] for township in townships}
    for area in areas:
        if area.level == AreaLevel.VILLAGE:
            villages[id(area.parent)].append(area)
    county_block = (0, 0, lattice.width, lattice.height)
    for township, block in zip(townships, split(county_block, len(townships)), strict=True):
        lattice.draw(township, block)
        children = villages[id(township)]
        for village, inner in zip(children, split(block, len(children)), strict=True):
            lattice.draw(village, inner)


def split(block: Block, count: int) -> list[Block]:
    """`count` blocks tiling `block` in rows from the north-west, as square as they come."""
    if count == 0:
        return []
    i0, j0, i1, j1 = block
    width, height = i1 - i0, j1 - j0
    rows = max(1, min(count, height, round(math.sqrt(count * height / width))))
    per_row = [count // rows + (1 if r < count % rows else 0) for r in range(rows)]
    if max(per_row) > width:
        raise ValueError(f"{count} areas do not fit a block of {width} × {height} cells")
    blocks = []
    for r, items in enumerate(per_row):  # north (high j) first
        top = j1 - round(r * height / rows)
        bottom = j1 - round((r + 1) * height / rows)
        edges = [i0 + round(k * width / items) for k in range(items + 1)]
        blocks.extend((west, bottom, east, top) for west, east in pairwise(edges))
    return blocks


class Lattice:
    def __init__(self, county: Area, *, width: int, height: int, rng: random.Random):
        self.width, self.height = width, height
        step_lng, step_lat = (size / CELLS for size in TOWNSHIP_SIZE)
        phase_x, phase_y = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
        self.points = {}
        for i in range(width + 1):
            for j in range(height + 1):
                x = i + WARP * math.sin(2 * math.pi * j / height + phase_x)
                y = j + WARP * math.sin(2 * math.pi * i / width + phase_y)
                x += rng.uniform(-JITTER, JITTER)
                y += rng.uniform(-JITTER, JITTER)
                self.points[i, j] = (
                    round(float(county.centre_lng) + (x - width / 2) * step_lng, 5),
                    round(float(county.centre_lat) + (y - height / 2) * step_lat, 5),
                )

    def draw(self, area: Area, block: Block) -> None:
        i0, j0, i1, j1 = block
        ring = (
            [(i, j0) for i in range(i0, i1)]  # south, west to east
            + [(i1, j) for j in range(j0, j1)]  # east, northwards
            + [(i, j1) for i in range(i1, i0, -1)]  # north, east to west
            + [(i0, j) for j in range(j1, j0, -1)]  # west, southwards
        )
        coordinates = [list(self.points[key]) for key in ring]
        coordinates.append(coordinates[0])  # counter-clockwise and closed, as RFC 7946 says
        area.boundary = {"type": "Polygon", "coordinates": [coordinates]}
        corners = [self.points[key] for key in ((i0, j0), (i1, j0), (i1, j1), (i0, j1))]
        middle_lng, middle_lat = (sum(point[axis] for point in corners) / 4 for axis in (0, 1))
        area.centre_lng = Decimal(f"{middle_lng:.6f}")
        area.centre_lat = Decimal(f"{middle_lat:.6f}")
