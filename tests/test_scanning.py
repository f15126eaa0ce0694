"""Scanned text and photos of labels: refurb.scanning, shared by `refurb scan` and the scan page."""

from __future__ import annotations

import io

import pytest

from refurb.errors import BadInput
from refurb.scanning import decode_photo, tag_from_scan
from refurb.tags import new_tag


@pytest.mark.parametrize(
    "text",
    [
        "{tag}",
        " {low} ",
        "https://refurb.shop.local:8443/d/{tag}",
        "http://10.0.0.5:8000/d/{tag}/",
        "https://refurb.shop.local/prefix/d/{low}?from=label",
    ],
)
def test_a_bare_tag_and_a_label_url_name_the_same_tag(text: str) -> None:
    tag = new_tag()
    assert tag_from_scan(text.format(tag=tag, low=tag.lower())) == tag


@pytest.mark.parametrize("text", ["https://evil.example/login", "x" * 600])
def test_what_is_not_a_label_is_named(text: str) -> None:
    with pytest.raises(BadInput):
        tag_from_scan(text)


def test_a_photo_of_a_qr_code_gives_its_text_and_garbage_is_refused() -> None:
    import qrcode

    tag = new_tag()
    out = io.BytesIO()
    qrcode.make(f"https://shop.local/d/{tag}").save(out, format="PNG")
    assert [tag_from_scan(t) for t in decode_photo(out.getvalue())] == [tag]
    for junk in (b"", b"not a picture", b"\x89PNG\r\n\x1a\n" + b"\0" * 64):
        with pytest.raises(BadInput, match="not a picture"):
            decode_photo(junk)
