"""What a scan gives: the text a QR label holds (a bare tag, or a URL ending in /d/TAG),
read from a scanner's keystrokes or decoded from a photo.

One place for both front doors (``refurb scan`` at a terminal, the scan page in a browser):
a label printed with a ``label_url`` and one printed with the bare tag scan the same.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from refurb.errors import BadInput
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
        raise BadInput("that scan is too long to be a refurb label", "scan the label's QR code")
    if "://" in text:
        path = urlsplit(text).path
        found = _URL_TAG.search(path)
        if not found:
            raise BadInput(
                "that QR code holds a web address that is not a refurb device page",
                "scan a refurb label (its address ends in /d/ and the tag)",
            )
        text = unquote(found.group(1))
    return normalize(text)


def decode_photo(data: bytes) -> list[str]:
    """The texts of the QR codes in a photo (JPEG, PNG, WebP...), in the order found.

    Raises BadInput for a file that is not a picture, or is too large to be a phone's.
    """
    import io

    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_PHOTO_BYTES:
        raise BadInput("that photo is larger than 40 MB", "take the photo again, or scan it")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PHOTO_PIXELS:
                raise BadInput("that picture is too large to be a phone photo", "take it again")
            img.draft("L", (img.width, img.height))  # JPEG: decode straight to grey
            grey = img.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise BadInput(
            "that file is not a picture refurb can read", "send a JPEG or PNG photo of the label"
        ) from None
    found = zxingcpp.read_barcodes(grey, formats=zxingcpp.barcode_formats_from_str("QRCode"))
    return [code.text for code in found if code.text]
