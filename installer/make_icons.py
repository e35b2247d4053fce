"""Render every icon KPI Desk ships from its one source, ``resources/icons/kpidesk.svg``.

    python installer/make_icons.py            # rewrite resources/icons/
    python installer/make_icons.py --check    # exit 1 if the committed icons are stale

Writes, beside the SVG:

- ``kpidesk-<size>.png`` for 16…1024 px: the window icon (256), the Linux
  ``hicolor`` theme (16…512) and the sources of the two containers below;
- ``kpidesk.ico`` (Windows: the executable, the installer, ``.kpidesk`` files):
  one PNG-compressed image per size, valid in ICO since Windows Vista;
- ``kpidesk.icns`` (macOS ``.app``): PNG entries ``ic07``…``ic14``.

Both containers are written here with ``struct``, so building them needs
neither Pillow nor Apple's ``iconutil``. The outputs are committed: every
build (Linux here, Windows and macOS on their own machines) reads the same
reviewed files, and running from source has its window icon without a build
step. Only Qt is needed to render (QtSvg ships in PySide6-Essentials).
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SOURCE = ICONS / "kpidesk.svg"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: icns element types that hold a PNG, and their pixel size (ic11…ic14 are the @2x variants).
ICNS_TYPES = (
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render_png(svg: bytes, size: int) -> bytes:
    """``svg`` rendered to a ``size`` × ``size`` PNG with a transparent background."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("the SVG icon does not parse")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not write a PNG")
    buffer.close()
    return bytes(data.data())


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if png[:8] != PNG_SIGNATURE or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows ICO holding one PNG image per size (sizes up to 256)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, images = [], []
    for size in sizes:
        if not 0 < size <= 256:
            raise ValueError(f"ICO sizes go up to 256, not {size}")
        png = pngs[size]
        side = size % 256  # 0 means 256
        # width, height, palette colours, reserved, colour planes, bits per pixel, data size, data offset
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset))
        images.append(png)
        offset += len(png)
    return header + b"".join(entries) + b"".join(images)


def read_ico(data: bytes) -> dict[int, bytes]:
    """size -> PNG of an ICO written by :func:`ico_bytes` (checks the container on the way)."""
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    if (reserved, kind) != (0, 1):
        raise ValueError("not an ICO file")
    images = {}
    for i in range(count):
        entry = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        width, height, _colours, _reserved, planes, bpp, length, offset = entry
        png = data[offset : offset + length]
        if len(png) != length or (planes, bpp) != (1, 32) or png_size(png) != (width or 256, height or 256):
            raise ValueError(f"bad ICO entry {i}")
        images[width or 256] = png
    return images


def icns_bytes(entries: list[tuple[bytes, bytes]]) -> bytes:
    """A macOS ICNS from ``(type, png)`` pairs: big-endian ``'icns'`` + length, then each element."""
    body = b"".join(kind + struct.pack(">I", 8 + len(png)) + png for kind, png in entries)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def read_icns(data: bytes) -> dict[bytes, bytes]:
    """type -> PNG of an ICNS written by :func:`icns_bytes` (checks the container on the way)."""
    if data[:4] != b"icns" or struct.unpack(">I", data[4:8])[0] != len(data):
        raise ValueError("not an ICNS file")
    elements, pos = {}, 8
    while pos < len(data):
        kind, length = data[pos : pos + 4], struct.unpack(">I", data[pos + 4 : pos + 8])[0]
        if length < 8 or pos + length > len(data):
            raise ValueError(f"bad ICNS element {kind!r}")
        elements[kind] = data[pos + 8 : pos + length]
        pos += length
    return elements


def build(svg: bytes, png_sizes: tuple[int, ...] = PNG_SIZES) -> dict[str, bytes]:
    """file name -> content of every icon file rendered from ``svg``."""
    needed = sorted({*png_sizes, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(svg, size) for size in needed}
    files = {f"kpidesk-{size}.png": pngs[size] for size in png_sizes}
    files["kpidesk.ico"] = ico_bytes({size: pngs[size] for size in ICO_SIZES})
    files["kpidesk.icns"] = icns_bytes([(kind, pngs[size]) for kind, size in ICNS_TYPES])
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    parser.add_argument("--out", type=Path, default=ICONS, help="where to write (default: resources/icons)")
    args = parser.parse_args(argv)

    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons", "-platform", "offscreen"])
    files = build(SOURCE.read_bytes())
    if args.check:
        stale = [
            name
            for name, data in files.items()
            if not (args.out / name).is_file() or (args.out / name).read_bytes() != data
        ]
        for name in stale:
            print(f"stale: {args.out / name} (run python installer/make_icons.py)", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
        print(f"{args.out / name}  {len(data):>7} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
