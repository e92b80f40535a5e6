"""Image input and output the image tasks share: open any file safely, fit to a pixel budget, encode.

``open_image`` turns whatever a user's folder holds into an 8-bit RGB picture or a ``Skip`` with a reason:
CMYK, 16-bit, palette or alpha images and EXIF-rotated photos are converted (and noted, so the manifest
counts them); empty, truncated, unreadable and oversized ("decompression bomb") files are skipped.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from synth.task import Skip

MAX_SOURCE_PIXELS = 64_000_000  # larger files are refused before decoding a single pixel
ENCODE = {
    "png": {"format": "PNG", "compress_level": 1},
    "webp": {"format": "WEBP", "quality": 90, "method": 0},
}


def open_image(data: bytes) -> tuple[Image.Image, dict[str, int]]:
    """An RGB image and the conversions it needed, or ``Skip("skipped: <reason>")``."""
    if not data:
        raise Skip("skipped: empty file")
    notes: dict[str, int] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > MAX_SOURCE_PIXELS:
                raise Skip("skipped: decompression bomb")
            if w < 2 or h < 2:
                raise Skip("skipped: zero size")
            if getattr(img, "n_frames", 1) > 1:
                img.seek(0)
                notes["converted: animated, first frame kept"] = 1
            img.load()
    except Skip:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Skip("skipped: decompression bomb") from None
    except UnidentifiedImageError:
        raise Skip("skipped: not an image") from None
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError... for broken files
        raise Skip("skipped: truncated" if "truncated" in str(exc) else "skipped: unreadable") from None
    return to_rgb(img, notes), notes


def to_rgb(img: Image.Image, notes: dict[str, int]) -> Image.Image:
    rotated = ImageOps.exif_transpose(img)
    if rotated is not None and rotated.size != img.size:
        notes["converted: exif rotation"] = 1
    img = rotated if rotated is not None else img
    mode = img.mode
    if mode == "RGB":
        return img
    if mode == "CMYK":
        notes["converted: cmyk"] = 1
        return img.convert("RGB")
    if mode.startswith("I") or mode == "F":
        notes["converted: 16-bit"] = 1
        a = np.asarray(img, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or a.max(initial=0) > 255 else 255.0
        return Image.fromarray(np.clip(a / top * 255.0, 0, 255).astype(np.uint8), "L").convert("RGB")
    if mode == "P" and "transparency" in img.info or mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        notes["converted: transparency flattened on white"] = 1
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if mode not in ("P", "L", "1"):  # palette and grey pictures are ordinary; other modes are worth a count
        notes[f"converted: {mode.lower()} to rgb"] = 1
    return img.convert("RGB")


def fit(img: Image.Image, max_pixels: int) -> Image.Image:
    """Scaled down (never up) so that width x height <= max_pixels."""
    w, h = img.size
    if w * h <= max_pixels:
        return img
    scale = (max_pixels / (w * h)) ** 0.5
    return img.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.Resampling.BILINEAR)


def encode(img: Image.Image, fmt: str = "png") -> bytes:
    buf = io.BytesIO()
    img.save(buf, **ENCODE[fmt])
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    """Our own encoded bytes back to RGB (tests and traces)."""
    return Image.open(io.BytesIO(data)).convert("RGB")
