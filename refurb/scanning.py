"""What a scan gives: the text a QR label holds (a bare tag, or a URL ending in /d/TAG),
read from a scanner's keystrokes or decoded from a photo.

One place for both front doors (``refurb scan`` at a terminal, the scan page in a browser):
a label printed with a ``label_url`` and one printed with the bare tag scan the same.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from refurb.errors import BadInput
from refurb.i18n import N_
from refurb.tags import normalize

# a tag's longest form is short; anything longer than this is not a label's text
_MAX_SCAN = 512
_URL_TAG = re.compile(r"/d/([^/?#]+)/?$")
# a phone photo is 12 to 50 megapixels; more is not a photo of a label
MAX_PHOTO_PIXELS = 64_000_000
MAX_PHOTO_BYTES = 40 * 1024 * 1024


def tag_from_scan(text: str) -> str:
    """The tag (normalised, as typed tags are) that scanned ``text`` names.

    ``RF-7K2Q9W`` and ``https://refurb.shop.local:8443/d/RF-7K2Q9W`` both give ``RF-7K2Q9W``.
    Whether the tag is well formed, or known, is for the caller to say.
    """
    text = text.strip()
    if len(text) > _MAX_SCAN:
        raise BadInput(
            N_("that scan is too long to be a refurb label"), N_("scan the label's QR code")
        )
    if "://" in text:
        path = urlsplit(text).path
        found = _URL_TAG.search(path)
        if not found:
            raise BadInput(
                N_("that QR code holds a web address that is not a refurb device page"),
                N_("scan a refurb label (its address ends in /d/ and the tag)"),
            )
        text = unquote(found.group(1))
    return normalize(text)


# the second pass enlarges a photo at most to this many pixels (a 12 MP photo: twice)
UPSCALE_PIXELS = 50_000_000


# a JPEG this large is first read at half size (the JPEG decoder scales for free)
HALF_FIRST_PIXELS = 8_000_000


def _grey(data: bytes, half_if_large: bool) -> tuple[Any, bool]:
    """(the picture in grey, whether it was halved): a JPEG is decoded straight to grey,
    and at half size when ``half_if_large`` and it has HALF_FIRST_PIXELS or more."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            pixels = img.width * img.height
            if pixels > MAX_PHOTO_PIXELS:
                raise BadInput(
                    N_("that picture is too large to be a phone photo"), N_("take it again")
                )
            scale = 2 if half_if_large and pixels >= HALF_FIRST_PIXELS else 1
            img.draft("L", (img.width // scale, img.height // scale))
            grey = img.convert("L")
            return grey, grey.width * grey.height < pixels
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise BadInput(
            N_("that file is not a picture refurb can read"),
            N_("send a JPEG or PNG photo of the label"),
        ) from None


def decode_photo(data: bytes) -> list[str]:
    """The texts of the QR codes in a photo (JPEG, PNG, WebP...), in the order found.

    Passes, each only when the one before found nothing: a large JPEG (8 megapixels and
    more) at half size, which its decoder gives at a fraction of the cost and where a
    label that fills a fair part of the frame is found; the photo in grey at full size;
    enlarged twice (bicubic), for a label far from the camera or a little out of focus
    (QR modules of 3 to 4 pixels); and that enlargement smoothed (a 5 x 5 box), for
    sensor grain and JPEG blocks on top of it. A QR code is found at any angle in every
    pass; labels are dark on light, so the inverted search (and the 1D barcodes'
    90-degree search) is left out. Timings: bench/photo.py.

    Raises BadInput for a file that is not a picture, or is too large to be a phone's.
    """
    import math

    import zxingcpp
    from PIL import Image, ImageFilter

    if len(data) > MAX_PHOTO_BYTES:
        raise BadInput(
            N_("that photo is larger than 40 MB"), N_("take the photo again, or scan it")
        )
    formats = zxingcpp.barcode_formats_from_str("QRCode")

    def read(image: Any) -> list[str]:
        found = zxingcpp.read_barcodes(image, formats=formats, try_rotate=False, try_invert=False)
        return [code.text for code in found if code.text]

    grey, halved = _grey(data, half_if_large=True)
    texts = read(grey)
    if halved and not texts:
        grey, _ = _grey(data, half_if_large=False)
        texts = read(grey)
    if texts:
        return texts
    # small or soft modules: enlarge (up to UPSCALE_PIXELS), then smooth out the grain
    factor = min(2.0, math.sqrt(UPSCALE_PIXELS / max(1, grey.width * grey.height)))
    if factor >= 1.25:
        grey = grey.resize(
            (round(grey.width * factor), round(grey.height * factor)), Image.Resampling.BICUBIC
        )
        texts = read(grey)
    if not texts:
        texts = read(grey.filter(ImageFilter.BoxBlur(2 if factor >= 1.25 else 1)))
    return texts
