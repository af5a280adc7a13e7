"""Draw the site's icons: static/icons/icon-192.png, icon-512.png, static/favicon.ico (16,
32 and 48 px PNGs in one ICO) and static/icons/icon.svg, the same picture as a vector.

The picture: the site's red (the top bar's --brand) with rounded corners and a white grid of
3 × 3 cells, the 网格 of grid-based governance. Pillow is not in the environment, so the
pixels are computed here (4 × 4 samples per pixel for smooth edges) and written with zlib;
the output is deterministic, and the files are committed. Run: python -m scripts.make_icons
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RED = (0xB4, 0x23, 0x18)
WHITE = (0xFF, 0xFF, 0xFF)

# The picture in a unit square: the rounded tile, then the grid's cells (white squares).
CORNER = 0.18
MARGIN = 0.2  # from the tile's edge to the grid's
GAP = 0.06  # between cells
CELLS = 3
SAMPLES = 4


def _in_tile(x: float, y: float) -> bool:
    cx = min(max(x, CORNER), 1 - CORNER)
    cy = min(max(y, CORNER), 1 - CORNER)
    return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER**2


def _cells() -> list[tuple[float, float, float]]:
    size = (1 - 2 * MARGIN - (CELLS - 1) * GAP) / CELLS
    return [
        (MARGIN + col * (size + GAP), MARGIN + row * (size + GAP), size)
        for row in range(CELLS)
        for col in range(CELLS)
    ]


def _in_cell(x: float, y: float, cells) -> bool:
    return any(left <= x < left + size and top <= y < top + size for left, top, size in cells)


def pixels(size: int) -> list[bytes]:
    """Rows of RGBA bytes."""
    cells = _cells()
    rows = []
    step = 1 / (size * SAMPLES)
    for py in range(size):
        row = bytearray()
        for px in range(size):
            red = green = blue = alpha = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px * SAMPLES + sx + 0.5) * step
                    y = (py * SAMPLES + sy + 0.5) * step
                    if not _in_tile(x, y):
                        continue
                    colour = WHITE if _in_cell(x, y, cells) else RED
                    red, green, blue = red + colour[0], green + colour[1], blue + colour[2]
                    alpha += 1
            if alpha:
                row += bytes((red // alpha, green // alpha, blue // alpha))
                row.append(255 * alpha // SAMPLES**2)
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    return rows


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + row for row in pixels(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(sizes: list[int]) -> bytes:
    """An ICO whose images are PNGs (every browser reads them)."""
    images = [png(size) for size in sizes]
    offset = 6 + 16 * len(images)
    directory = b""
    for size, image in zip(sizes, images, strict=True):
        side = size % 256  # 0 stands for 256
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return struct.pack("<HHH", 0, 1, len(images)) + directory + b"".join(images)


def svg() -> str:
    cells = "".join(
        f'<rect x="{left * 512:.1f}" y="{top * 512:.1f}" width="{size * 512:.1f}" '
        f'height="{size * 512:.1f}" fill="#fff"/>'
        for left, top, size in _cells()
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        f'<rect width="512" height="512" rx="{CORNER * 512:.1f}" fill="#b42318"/>{cells}</svg>\n'
    )


def main() -> None:
    icons = ROOT / "static" / "icons"
    icons.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (icons / f"icon-{size}.png").write_bytes(png(size))
    (icons / "apple-touch-icon.png").write_bytes(png(180))
    (icons / "icon.svg").write_text(svg(), encoding="utf-8")
    (ROOT / "static" / "favicon.ico").write_bytes(ico([16, 32, 48]))


if __name__ == "__main__":
    main()
