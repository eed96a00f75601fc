"""Writes the small decoder test set beside this script (32x24 unless noted).

Run: python3 make_images.py  (needs pillow and numpy). The files are committed; rerun only
to change the set, then run pil_expected.py to record what PIL decodes from them.
"""
import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).parent
W, H = 32, 24


def content(seed: int, channels: int = 3) -> np.ndarray:
    """Smooth gradients plus a little seeded noise: edges and flat areas both occur."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:H, 0:W]
    base = np.stack([x * 255 / (W - 1), y * 255 / (H - 1), (x + y) * 255 / (W + H - 2), 255 - x * 200 / (W - 1)], -1)[..., :channels]
    base[8:16, 10:22] = rng.integers(0, 256, size=(8, 12, channels))
    return base.clip(0, 255).astype(np.uint8)


def alpha_ramp() -> np.ndarray:
    """Alpha from 0 (left) to 255 (right), with a fully transparent block."""
    a = np.tile(np.linspace(0, 255, W).round().astype(np.uint8), (H, 1))
    a[2:6, 20:28] = 0
    return a


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def raw_png(pixels: np.ndarray, color_type: int, rows: int | None = None) -> bytes:
    """A PNG written by hand (16-bit samples, or fewer image rows than the header says)."""
    height, width = pixels.shape[:2]
    depth = 16 if pixels.dtype == np.uint16 else 8
    scan = pixels.astype(">u2" if depth == 16 else "u1").reshape(height, -1).tobytes()
    stride = len(scan) // height
    body = b"".join(b"\0" + scan[r * stride:(r + 1) * stride] for r in range(rows if rows is not None else height))
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(body, 9)) + png_chunk(b"IEND", b"")


def save(image: Image.Image, name: str, **options) -> None:
    image.save(HERE / name, **options)


def exif_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def main() -> None:
    rgb = Image.fromarray(content(1))
    # JPEG: baseline 4:2:0, progressive, 4:4:4, 4:2:2, CMYK (Adobe), gray, EXIF orientations.
    save(rgb, "baseline-420.jpg", quality=90, subsampling=2)
    save(rgb, "progressive-420.jpg", quality=85, subsampling=2, progressive=True)
    save(rgb, "baseline-444.jpg", quality=95, subsampling=0)
    save(rgb, "baseline-422.jpg", quality=90, subsampling=1)
    save(Image.fromarray(content(2, 4), "CMYK"), "cmyk.jpg", quality=95)
    save(Image.fromarray(content(3)[..., 0]), "gray.jpg", quality=90)
    wide = Image.fromarray(content(4))
    for orientation in (3, 6, 8, 5):
        save(wide, f"exif-orientation-{orientation}.jpg", quality=92, subsampling=0, exif=exif_orientation(orientation))
    # PNG: 8-bit RGB, 16-bit RGB and RGBA, palette (with and without transparency), gray
    # 8 and 16 bit, gray + alpha, RGBA.
    save(rgb, "rgb8.png")
    rng = np.random.default_rng(5)
    deep = (content(5).astype(np.uint16) * 257 + rng.integers(0, 257, size=(H, W, 3))).astype(np.uint16)
    (HERE / "rgb16.png").write_bytes(raw_png(deep, 2))
    deep_alpha = np.concatenate([deep, (alpha_ramp().astype(np.uint16) * 257)[..., None]], -1)
    (HERE / "rgba16.png").write_bytes(raw_png(deep_alpha, 6))
    save(rgb.quantize(colors=16, method=Image.Quantize.MEDIANCUT), "palette.png")
    paletted = rgb.quantize(colors=16, method=Image.Quantize.MEDIANCUT)
    paletted.info["transparency"] = 3
    save(paletted, "palette-transparent.png", transparency=3)
    gray = Image.fromarray(content(6)[..., 0])
    save(gray, "gray8.png")
    gray16 = (content(6)[..., 0].astype(np.uint16) * 257).astype(np.uint16)
    (HERE / "gray16.png").write_bytes(raw_png(gray16, 0))
    save(Image.fromarray(np.stack([content(7)[..., 0], alpha_ramp()], -1), "LA"), "gray-alpha.png")
    rgba = np.concatenate([content(8), alpha_ramp()[..., None]], -1)
    save(Image.fromarray(rgba, "RGBA"), "rgba8.png")
    save(Image.fromarray(content(9)), "exif-orientation-6.png", exif=exif_orientation(6))
    # Other formats: WebP (lossless and lossy), AVIF, GIF (two frames: the first is read), TIFF.
    save(Image.fromarray(rgba, "RGBA"), "lossless.webp", lossless=True)
    save(rgb, "lossy.webp", quality=80)
    save(rgb, "photo.avif", quality=80)
    frames = [rgb.quantize(colors=32), Image.fromarray(255 - content(1)).quantize(colors=32)]
    frames[0].save(HERE / "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    save(rgb, "rgb.tiff", compression="tiff_deflate")


if __name__ == "__main__":
    main()
