"""Records what PIL decodes from each test image into pil-expected.json (committed).

Per file: width, height and the RGB bytes (base64) PIL gives after ImageOps.exif_transpose
and convert('RGB'); an image with transparency (alpha channel or palette/tRNS
transparency) is first converted to RGBA and alpha-composited onto white. GIFs: the
first frame. Run: python3 pil_expected.py (needs pillow and numpy).
"""
import base64
import json
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageOps, features

HERE = Path(__file__).parent
SUFFIXES = {".png", ".jpg", ".webp", ".avif", ".gif", ".tiff"}


def has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def decode(path: Path) -> Image.Image:
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        if image.mode == "I;16":
            # PIL's own I;16 -> RGB conversion clips at 255; scale to 8 bits as every viewer does.
            image = Image.fromarray((np.asarray(image).astype(np.uint16) >> 8).astype(np.uint8), "L")
        if has_transparency(image):
            white = Image.new("RGBA", image.size, (255, 255, 255, 255))
            return Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")
        return image.convert("RGB")


def main() -> None:
    expected = {
        "_about": {
            "pillow": PIL.__version__,
            "libjpeg": features.version("jpg"),
            "zlib": features.version("zlib"),
            "webp": features.version("webp"),
            "avif": features.version("avif"),
            "note": "RGB after ImageOps.exif_transpose; transparency composited on white; gray16: value >> 8",
        }
    }
    for path in sorted(p for p in HERE.iterdir() if p.suffix in SUFFIXES):
        image = decode(path)
        rgb = np.asarray(image, dtype=np.uint8)
        expected[path.name] = {"width": image.width, "height": image.height, "rgb": base64.b64encode(rgb.tobytes()).decode("ascii")}
    (HERE / "pil-expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
