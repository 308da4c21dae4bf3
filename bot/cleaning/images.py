"""Images: the pixel budget read from the header, and a re-encoded copy that carries pixels only.

Pillow's `Image.open` reads the header and decodes nothing, so the size is known before a single pixel is
unpacked: a 20 kB PNG that declares 13,000 × 13,000 pixels is refused there. Only the first frame is ever
decoded (the police copy is a still), so the frame count of an animation does not multiply the cost; nor is
it counted, since counting a GIF's frames means decoding them. HEIC/HEIF (iPhone photos) is read through
pillow-heif and comes out as JPEG. Only the formats listed are opened: Pillow's other plugins include ones that
call external programs (EPS through Ghostscript).
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.cleaning.result import Cleaned, Content, Verdict

FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "HEIF", "AVIF")  # JPEG also opens MPO
# Errors Pillow and its decoders raise on damaged or hostile data once the header was accepted.
DECODE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    Image.DecompressionBombError,
    MemoryError,
)

_heif_ready = False


def _register_heif() -> None:
    global _heif_ready
    if not _heif_ready:
        import pillow_heif

        pillow_heif.register_heif_opener(thumbnails=False)
        _heif_ready = True


def prepare(max_pixels: int) -> None:
    """Once per worker: Pillow's own bomb check as a second line (it refuses anything over twice this; we refuse
    over once), and the plugins loaded now rather than during the first job's time."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    Image.init()
    _register_heif()


def open_header(data: bytes) -> Image.Image | None:
    """The image with only its header read, or None when the bytes are not an image of an accepted format."""
    _register_heif()
    try:
        return Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError:
        raise
    except (UnidentifiedImageError, *DECODE_ERRORS):
        return None


def over_budget(image: Image.Image, max_pixels: int) -> bool:
    width, height = image.size
    return width * height > max_pixels


def clean(data: bytes, max_pixels: int) -> Cleaned | None:
    """A metadata-free copy of an image; None when the bytes are not an image (another cleaner may know them)."""
    try:
        opened = open_header(data)
    except Image.DecompressionBombError:
        return Cleaned(Verdict.TOO_MANY_PIXELS, Content.IMAGE)
    if opened is None:
        return None
    with opened:
        if over_budget(opened, max_pixels):
            return Cleaned(Verdict.TOO_MANY_PIXELS, Content.IMAGE)
        converted_from = opened.format
        try:
            return _reencode(opened, converted_from)
        except DECODE_ERRORS:
            return Cleaned(Verdict.NOT_CLEANABLE, Content.IMAGE)


def _reencode(opened: Image.Image, source_format: str | None) -> Cleaned:
    """Pixels only: EXIF (GPS, device, author), XMP, ICC and comments stay behind in the image we drop."""
    # In place, and no conversion when the mode is already right: a 50-megapixel photo is 150 MB per copy.
    ImageOps.exif_transpose(opened, in_place=True)  # keep the photo the right way up once EXIF is gone
    has_alpha = "A" in opened.getbands() or "transparency" in opened.info
    mode = "RGBA" if has_alpha else "RGB"
    pixels = opened if opened.mode == mode else opened.convert(mode)
    clean_image = Image.new(mode, pixels.size)  # a new image: nothing of the original's info comes along
    clean_image.paste(pixels)
    del pixels
    out = io.BytesIO()
    if mode == "RGBA":
        clean_image.save(out, format="PNG")
        mime, ext = "image/png", "png"
    else:
        clean_image.save(out, format="JPEG", quality=90)
        mime, ext = "image/jpeg", "jpg"
    converted = source_format not in ({"PNG"} if ext == "png" else {"JPEG", "MPO"})
    return Cleaned(Verdict.CLEANED, Content.IMAGE, out.getvalue(), mime, ext, converted=converted)
